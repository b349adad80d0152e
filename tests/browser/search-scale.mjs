// What one search query downloads on a big generated site, in a real browser.
//
//   node search-scale.mjs [--pages N] [--dir BUILT_SITE] [--limit BYTES]
//
// Generates a site of N pages (default 3,000) with benches/gen_site.rs, builds it with
// `dossier build`, serves it on 127.0.0.1, and for each query opens a page in a fresh
// browser context (a cold cache), types the query a key at a time, waits for the results
// and the network to settle, and sums the sizes (headers and body, as received) of every
// response after the page had loaded. Fails when a query costs more than --limit (default
// 400,000 bytes) or finds nothing where it should find something. Prints one JSON line per
// query.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { launchChromium, dossierBinary, parseArgs, REPO } from './common.mjs';
import { startStaticServer } from './static-server.mjs';

const args = parseArgs(process.argv.slice(2), { pages: 'value', dir: 'value', limit: 'value' });
const pages = Number(args.pages || 3000);
const limit = Number(args.limit || 400000);
// Whether each query finds something: gen_site states no 98,000 (nothing, then, but a
// number's chunk is still fetched).
const QUERIES = [['Kazakhstan', true], ['Verkhny Lars', true], ['98000', false], ['exodus', true]];

let tmp = null;
let outDir = args.dir ? path.resolve(args.dir) : null;
if (!outDir) {
  const bin = dossierBinary();
  const gen = path.join(path.dirname(bin), 'examples', 'gen_site');
  if (!process.env.DOSSIER) {
    const r = spawnSync('cargo', ['build', '--release', '--quiet', '--example', 'gen_site'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('cargo build --example gen_site failed');
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-scale-'));
  let r = spawnSync(gen, [String(pages), tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`gen_site exited ${r.status}`);
  outDir = path.join(tmp, 'public');
  const t0 = Date.now();
  r = spawnSync(bin, ['build', '--root', path.join(tmp, 'dossier'), '--out', outDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`dossier build exited ${r.status}`);
  console.log(`built ${pages} generated pages in ${Date.now() - t0} ms`);
}

const homeHtml = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
const prefix = (/<html[^>]*\sdata-root="([^"]*)"/.exec(homeHtml) || [, ''])[1].replace(/\/+$/, '');
const srv = await startStaticServer(outDir, prefix);
const browser = await launchChromium();
const failures = [];
try {
  for (const [q, found] of QUERIES) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const responses = [];
    let phase = 'load';
    page.on('requestfinished', async (req) => {
      const entry = { phase, url: req.url(), bytes: 0 };
      responses.push(entry);
      const s = await req.sizes();
      entry.bytes = s.responseBodySize + s.responseHeadersSize;
    });
    await page.goto(srv.base, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
    phase = 'query';
    await page.click('#search-input');
    await page.locator('#search-input').pressSequentially(q, { delay: 120 });
    await page.waitForFunction(() => {
      const l = document.getElementById('search-results');
      return !l.hidden && l.querySelector('li');
    }, null, { timeout: 30000 });
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);
    const results = await page.locator('#search-results li a').count();
    const status = await page.locator('#search-status').textContent();
    const mine = responses.filter((r) => r.phase === 'query');
    const bytes = mine.reduce((a, r) => a + r.bytes, 0);
    console.log(JSON.stringify({ pages, query: q, bytes, requests: mine.length, results, status }));
    if (bytes > limit) failures.push(`"${q}" downloaded ${bytes} bytes (limit ${limit})`);
    if (found && !results) failures.push(`"${q}" found nothing (${status})`);
    if (!found && results) failures.push(`"${q}" found ${results} results, expected none`);
    await context.close();
  }
} finally {
  await browser.close();
  await srv.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`FAIL:\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log(`PASS: every query on ${pages} pages downloaded at most ${limit} bytes`);
