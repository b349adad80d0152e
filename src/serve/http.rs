//! Serving the in-memory site: the Host check, path checks, directory indexes and redirects,
//! the site's 404 page, MIME types, HEAD, and the live-reload injection. Files are streamed:
//! rendered ones from their shared bytes, copied ones from an open file handle.

use super::Shared;
use super::reload::{self, EVENTS_PATH};
use crate::render::{Bytes, Output};
use crate::site::Site;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// Requests being answered on threads of their own (see [`dispatch`]).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// Beyond this many, a worker answers the request itself (back-pressure). A connection has
/// one request at a time (tiny_http is patched for it), so this is above the most
/// connections there can be (1.5 times the cap): a worker, which would block behind a client
/// that does not read, never does. At 256, 300 clients stalled on a large file blocked every
/// worker, and a normal request waited for minutes.
const MAX_IN_FLIGHT: usize = 2 * super::MAX_CONNECTIONS;

struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answers `req` on a thread of its own. Writing a response blocks while the client does not
/// read (a stalled tab, a hostile client, or requests pipelined behind one that waits their
/// turn on the same connection); on its own thread that holds only the thread, not one of
/// the few workers that take requests off tiny_http's queue, so other clients are still
/// answered. Such writes fail after the sockets' send timeout (`serve::SEND_TIMEOUT`).
pub fn dispatch(req: Request, shared: &Arc<Shared>) {
    if IN_FLIGHT.fetch_add(1, Ordering::AcqRel) >= MAX_IN_FLIGHT {
        let _guard = InFlight;
        return handle(req, shared);
    }
    let guard = InFlight;
    let shared = shared.clone();
    // If the thread cannot be made, the request is dropped: tiny_http answers it with 500.
    let _ = std::thread::Builder::new()
        .name("dossier-http".into())
        .spawn(move || {
            let _guard = guard;
            handle(req, &shared);
        });
}

/// The names a request may address the preview by. Any page on the web can point a name of
/// its own at 127.0.0.1 (DNS rebinding) and then read the preview as its own site: so a
/// request for a name that is not the preview's own is refused. IP addresses are always
/// allowed: a page can only be same-origin with an address if it was served from there.
#[derive(Debug, Default)]
pub struct AllowedHosts {
    /// Lowercase, without port.
    names: BTreeSet<String>,
    /// Names refused so far (each is reported once, the first few only).
    refused: Mutex<BTreeSet<String>>,
}

impl AllowedHosts {
    /// `localhost` and `names` (`--allow-host`, the bound name, the machine's name).
    pub fn new(names: impl IntoIterator<Item = String>) -> AllowedHosts {
        let mut all: BTreeSet<String> = names.into_iter().filter_map(|n| host_name(&n)).collect();
        all.insert("localhost".into());
        AllowedHosts {
            names: all,
            refused: Mutex::default(),
        }
    }

    /// Whether a request with this `Host` header (None: an HTTP/1.0 request without one) is
    /// answered.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return true;
        };
        match host_name(host) {
            Some(name) => is_ip_literal(&name) || self.names.contains(&name),
            None => false,
        }
    }

    /// Whether to print a line about a refused `host` (the first time, for ten names).
    fn first_refusal(&self, host: &str) -> bool {
        let mut seen = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        seen.len() < 10 && seen.insert(host.to_string())
    }
}

/// The name of a `Host` value (`Name:1111`, `[::1]:1111`), lowercase, without the port or a
/// final dot; None if it is not a host name at all.
pub fn host_name(host: &str) -> Option<String> {
    let host = host.trim();
    let name = if host.starts_with('[') {
        let end = host.find(']')?;
        let rest = &host[end + 1..];
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        &host[..=end]
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return None,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let valid = !name.is_empty()
        && (is_ip_literal(&name)
            || name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    valid.then_some(name)
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_ip_literal(name: &str) -> bool {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => name.parse::<std::net::Ipv4Addr>().is_ok(),
    }
}

/// `--allow-host NAME`: a host name (a port is ignored), for clap.
pub fn parse_allow_host(s: &str) -> Result<String, String> {
    host_name(s).ok_or_else(|| {
        format!("`{s}` is not a host name (letters, digits, `-` and `.`, e.g. preview.test)")
    })
}

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An output file, by its path in the site.
    File(String),
    /// A directory asked for without its trailing slash: the URL to redirect to.
    Redirect(String),
    /// No such file.
    NotFound,
    /// A path that tries to leave the site or cannot name a file in it.
    BadRequest,
}

/// The segments of a request target's path, percent-decoded and checked, and whether it ends
/// with a slash. Refuses `.` and `..`, encoded slashes and backslashes, NUL, drive letters and
/// anything that is not an origin-form path.
pub fn clean_path(target: &str) -> Option<(Vec<String>, bool)> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') || path.starts_with("//") || path.contains('\\') {
        return None;
    }
    let raw: Vec<&str> = path[1..].split('/').collect();
    let trailing = path.len() > 1 && path.ends_with('/');
    let mut out = Vec::new();
    for (i, seg) in raw.iter().enumerate() {
        if seg.is_empty() {
            if i + 1 == raw.len() {
                break;
            }
            return None;
        }
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(seg).collect();
        let s = String::from_utf8(bytes).ok()?;
        if s == "."
            || s == ".."
            || s.contains(['/', '\\', '\0'])
            || s.chars().any(char::is_control)
            || (s.len() == 2 && s.ends_with(':'))
        {
            return None;
        }
        out.push(s);
    }
    Some((out, trailing))
}

/// Where the request target `target` leads in `site`.
pub fn resolve(site: &Site, target: &str) -> Resolved {
    let Some((segs, trailing)) = clean_path(target) else {
        return Resolved::BadRequest;
    };
    let key = segs.join("/");
    if key.is_empty() {
        return if site.files.contains_key("index.html") {
            Resolved::File("index.html".into())
        } else {
            Resolved::NotFound
        };
    }
    let index = format!("{key}/index.html");
    if trailing {
        return if site.files.contains_key(&index) {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if site.files.contains_key(&key) {
        Resolved::File(key)
    } else if site.files.contains_key(&index) {
        let path = target.split(['?', '#']).next().unwrap_or("");
        let query = target
            .find('?')
            .map(|i| &target[i..])
            .unwrap_or("")
            .split('#')
            .next()
            .unwrap_or("");
        Resolved::Redirect(format!("{path}/{query}"))
    } else {
        Resolved::NotFound
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == "text"
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "atom+xml" | "svg+xml"
        );
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// `body` is sent as it is: a site's file (shared `Bytes`) is not copied per request.
fn respond(
    req: Request,
    status: u16,
    content_type: &str,
    body: impl AsRef<[u8]>,
    extra: &[Header],
) {
    let len = body.as_ref().len();
    stream(req, status, content_type, Cursor::new(body), len, extra);
}

/// Streams `len` bytes of `body`: tiny_http copies it to the socket 8 KiB at a time, so a
/// client that reads slowly holds a few buffers, not a copy of the file.
fn stream(
    req: Request,
    status: u16,
    content_type: &str,
    body: impl Read,
    len: usize,
    extra: &[Header],
) {
    let mut resp = Response::new(
        StatusCode(status),
        vec![
            header("Content-Type", content_type),
            header("Cache-Control", "no-store"),
            header("X-Content-Type-Options", "nosniff"),
        ],
        body.take(len as u64),
        Some(len),
        None,
    );
    for h in extra {
        resp.add_header(h.clone());
    }
    // HEAD: tiny_http sends the headers (with Content-Length) and no body.
    let _ = req.respond(resp);
}

fn text(req: Request, status: u16, msg: &str) {
    respond(
        req,
        status,
        "text/plain; charset=utf-8",
        msg.as_bytes(),
        &[],
    );
}

/// An output file, ready to be sent.
enum Body {
    Bytes(Bytes),
    File(File, usize),
}

/// Opens `out`. A copied file is opened by its path in the site folder and then checked: the
/// file it opened must lie inside `root` (canonical). A symlink swapped in after the build
/// (or anything along its path) that leads elsewhere is not sent.
fn open(out: &Output, root: &Path) -> Option<Body> {
    match out {
        Output::Bytes(b) => Some(Body::Bytes(b.clone())),
        Output::Copy(p) => {
            let file = open_nonblocking(p).ok()?;
            if !opened_inside(&file, p, root) {
                eprintln!(
                    "warning: refused to serve {}: it now leads outside the site folder",
                    p.display()
                );
                return None;
            }
            let meta = file.metadata().ok()?;
            let len = usize::try_from(meta.len()).ok()?;
            meta.is_file().then_some(Body::File(file, len))
        }
    }
}

/// Opens `path` to read; on Linux without blocking, should something other than a file (a
/// FIFO) have been put there since the build: it is then refused, not waited on.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Whether the file `file` (opened from `path`) lies inside `root`. On Linux the kernel says
/// which file was opened (`/proc/self/fd`), so nothing can be swapped between the check and
/// the open; elsewhere (or without /proc) the path is resolved again.
fn opened_inside(file: &File, path: &Path, root: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(real) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return real.starts_with(root);
        }
    }
    let _ = file;
    crate::content::load::resolves_inside(root, path)
}

/// Answers with a site's file; HTML gets the live-reload script (and the overlay) spliced in
/// as it is sent, without copying the page.
fn send_file(req: Request, status: u16, path: &str, body: Body, error: Option<&str>) {
    let ctype = content_type(path);
    let html = path.ends_with(".html");
    match body {
        Body::Bytes(b) if html => {
            let at = reload::injection_point(&b);
            let snippet = reload::snippet(error);
            let len = b.len() + snippet.len();
            stream(
                req,
                status,
                &ctype,
                Spliced::new(Cursor::new(b), at, snippet),
                len,
                &[],
            );
        }
        Body::Bytes(b) => respond(req, status, &ctype, b, &[]),
        Body::File(mut f, len) if html => match file_injection_point(&mut f, len) {
            Ok(at) => {
                let snippet = reload::snippet(error);
                let total = len + snippet.len();
                stream(
                    req,
                    status,
                    &ctype,
                    Spliced::new(f, at, snippet),
                    total,
                    &[],
                );
            }
            Err(_) => text(req, 500, "500: cannot read the file\n"),
        },
        Body::File(f, len) => stream(req, status, &ctype, f, len, &[]),
    }
}

/// Where the live-reload script goes in an HTML file of `len` bytes: before its last
/// `</body>`, looked for in the file's last 64 KiB (the end of the file if it has none).
fn file_injection_point(f: &mut File, len: usize) -> std::io::Result<usize> {
    let tail = len.min(64 * 1024);
    f.seek(SeekFrom::Start((len - tail) as u64))?;
    let mut buf = vec![0; tail];
    f.read_exact(&mut buf)?;
    f.seek(SeekFrom::Start(0))?;
    let at = reload::injection_point(&buf);
    Ok(len - tail + at)
}

/// `inner` with `insert` spliced in after its first `at` bytes.
struct Spliced<R> {
    inner: R,
    at: usize,
    before: usize,
    insert: Cursor<String>,
}

impl<R: Read> Spliced<R> {
    fn new(inner: R, at: usize, insert: String) -> Spliced<R> {
        Spliced {
            inner,
            at,
            before: 0,
            insert: Cursor::new(insert),
        }
    }
}

impl<R: Read> Read for Spliced<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.before < self.at {
            let max = buf.len().min(self.at - self.before);
            let n = self.inner.read(&mut buf[..max])?;
            self.before += n;
            if n > 0 || max == 0 {
                return Ok(n);
            }
            self.before = self.at;
        }
        match self.insert.read(buf)? {
            0 => self.inner.read(buf),
            n => Ok(n),
        }
    }
}

/// The `Host` header's value; None when there is none (HTTP/1.0; tiny_http refuses an
/// HTTP/1.1 request without one, or with two).
fn host_header(req: &Request) -> Option<&str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str())
}

fn forbidden_host(req: Request, shared: &Shared, host: &str) {
    let name = host_name(host);
    let shown = name.as_deref().unwrap_or(host);
    if shared.hosts.first_refusal(shown) {
        eprintln!(
            "refused a request for host `{shown}` (not this preview's name; --allow-host {shown} allows it)"
        );
    }
    let hint = match &name {
        Some(n) => format!(
            "  hint: to open the preview under this name, restart dossier serve with --allow-host {n}\n"
        ),
        None => String::new(),
    };
    let msg = format!(
        "403 forbidden: this preview answers requests for localhost, its IP addresses and the names given with --allow-host, not for `{shown}`.\nA page on another site could otherwise read it through a name of its own (DNS rebinding).\n{hint}"
    );
    text(req, 403, &msg);
}

/// Answer one request.
pub fn handle(req: Request, shared: &Shared) {
    if !shared.hosts.allows(host_header(&req)) {
        let host = host_header(&req).unwrap_or_default().to_string();
        return forbidden_host(req, shared, &host);
    }
    let method = req.method().clone();
    if method != Method::Get && method != Method::Head {
        let allow = header("Allow", "GET, HEAD");
        respond(
            req,
            405,
            "text/plain; charset=utf-8",
            b"405 method not allowed\n",
            &[allow],
        );
        return;
    }
    let url = req.url().to_string();
    if url.split('?').next() == Some(EVENTS_PATH) {
        if method == Method::Head {
            return text(req, 200, "");
        }
        shared.hub.subscribe(req.into_writer());
        return;
    }
    let snap = shared.snapshot();
    let site = &snap.site;
    let error = snap.error.as_deref();
    match resolve(site, &url) {
        Resolved::BadRequest => text(req, 400, "400 bad request: invalid path\n"),
        Resolved::Redirect(to) => {
            let loc = header("Location", &to);
            respond(
                req,
                301,
                "text/plain; charset=utf-8",
                format!("moved to {to}\n").into_bytes(),
                &[loc],
            );
        }
        Resolved::File(path) => match site.files.get(&path).and_then(|o| open(o, &shared.root)) {
            Some(body) => send_file(req, 200, &path, body, error),
            None => not_found(req, shared, site, error),
        },
        Resolved::NotFound => not_found(req, shared, site, error),
    }
}

fn not_found(req: Request, shared: &Shared, site: &Site, error: Option<&str>) {
    let page = site
        .files
        .get("404.html")
        .and_then(|o| open(o, &shared.root))
        .unwrap_or_else(|| {
            Body::Bytes(
                b"<!doctype html><title>404</title><body><h1>404: not found</h1></body>"
                    .to_vec()
                    .into(),
            )
        });
    send_file(req, 404, "404.html", page, error);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(paths: &[&str]) -> Site {
        let mut s = Site::default();
        for p in paths {
            s.files
                .insert(p.to_string(), Output::Bytes(Vec::new().into()));
        }
        s
    }

    #[test]
    fn resolves() {
        let s = site(&["index.html", "a/index.html", "style.css"]);
        assert_eq!(resolve(&s, "/"), Resolved::File("index.html".into()));
        assert_eq!(resolve(&s, "/?x=1"), Resolved::File("index.html".into()));
        assert_eq!(resolve(&s, "/a/"), Resolved::File("a/index.html".into()));
        assert_eq!(resolve(&s, "/a?q=1"), Resolved::Redirect("/a/?q=1".into()));
        assert_eq!(
            resolve(&s, "/style.css"),
            Resolved::File("style.css".into())
        );
        assert_eq!(
            resolve(&s, "/st%79le.css"),
            Resolved::File("style.css".into())
        );
        assert_eq!(resolve(&s, "/nope"), Resolved::NotFound);
        assert_eq!(resolve(&s, "/style.css/"), Resolved::NotFound);
    }

    #[test]
    fn refuses_traversal() {
        let s = site(&["index.html"]);
        for bad in [
            "/../etc/passwd",
            "/a/../index.html",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc",
            "/a%2f..%2f..",
            "/..\\..\\etc",
            "/%5c..",
            "//etc/passwd",
            "/a//b",
            "/%00",
            "/C:/Windows",
            "http://x/index.html",
            "*",
            "/./index.html",
        ] {
            assert_eq!(resolve(&s, bad), Resolved::BadRequest, "{bad}");
        }
    }

    #[test]
    fn allowed_hosts() {
        let hosts = AllowedHosts::new(["Preview.Test".to_string(), "0.0.0.0".into()]);
        for ok in [
            "localhost",
            "LOCALHOST:1111",
            "localhost.",
            "127.0.0.1:1111",
            "[::1]:1111",
            "[::1]",
            "192.168.1.20:1111",
            "preview.test:8080",
        ] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        assert!(hosts.allows(None));
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "[::1]x",
            "::1",
            "../",
            "",
            "local host",
            "localhost:99999999",
        ] {
            assert!(!hosts.allows(Some(bad)), "{bad}");
        }
        assert_eq!(
            parse_allow_host("Preview.Test:80"),
            Ok("preview.test".into())
        );
        assert!(parse_allow_host("a/b").is_err());
    }

    #[test]
    fn spliced_reads_give_the_injected_page() {
        let page = b"<html><body>x</body></html>".repeat(1000);
        let want = reload::inject(&page, Some("oops"));
        let at = reload::injection_point(&page);
        let mut got = Vec::new();
        // Odd-sized reads cross the splice point at every offset.
        let mut r = Spliced::new(Cursor::new(page), at, reload::snippet(Some("oops")));
        let mut buf = [0u8; 7];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got == want);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("figures.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("x.png"), "image/png");
    }
}
