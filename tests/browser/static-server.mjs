// A tiny static file server for the browser tests: serves `dir` under the URL path
// `prefix` (the path of the site's base_url, e.g. "/exodus"), on 127.0.0.1, port 0.
// Anything outside the prefix is a 404, so a link that forgets the sub-path fails the
// link check instead of silently working.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

export function startStaticServer(dir, prefix = '') {
  const root = path.resolve(dir);
  prefix = prefix.replace(/\/+$/, '');
  const server = http.createServer((req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8', extra = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = () => {
      const page = path.join(root, '404.html');
      if (fs.existsSync(page)) send(404, fs.readFileSync(page), TYPES['.html']);
      else send(404, 'not found\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    if (prefix && pathname === prefix) return send(301, '', undefined, { location: prefix + '/' });
    if (prefix && !pathname.startsWith(prefix + '/')) return notFound();
    const rel = pathname.slice(prefix.length);
    let file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return notFound();
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return notFound();
    }
    if (stat.isDirectory()) {
      // Like most static hosts: a directory without its trailing slash redirects.
      if (!rel.endsWith('/')) return send(301, '', undefined, { location: pathname + '/' });
      file = path.join(file, 'index.html');
      if (!fs.existsSync(file)) return notFound();
    }
    const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
    send(200, fs.readFileSync(file), type);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        server,
        origin: `http://127.0.0.1:${port}`,
        base: `http://127.0.0.1:${port}${prefix}/`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
