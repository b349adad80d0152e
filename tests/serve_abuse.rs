//! `dossier serve` under abuse, on loopback only: traversal in every encoding, symlinks that
//! lead out of the site, huge URLs and headers, slow clients, many keep-alive connections,
//! clients that hang up mid-response, many open live-reload streams; idle connections past
//! the descriptor limit, foreign Host names, stalled event streams, slow readers of a large
//! file, symlinks swapped after the build, folders replaced by files, malformed requests. The
//! server must stay up, keep answering correctly, and never send a byte of a file outside the
//! site.
//!
//! Every loop is bounded in count and in time; no assertion depends on tight timings.

mod common;

use common::{WAIT, eventually, start_serve, write_serve_site};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The size of `static/big.bin`.
const BIG: usize = 8 << 20;

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2022-09-21\ntags: [t]\n---\n\n{body}\n")
}

fn big_bytes() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8).collect()
}

/// A temp dir holding the site (`site/`) and, beside it, files the server must never send: a
/// sentinel file and a folder, both holding a string unique to this run.
struct Fixture {
    _dir: tempfile::TempDir,
    /// The temp dir: outside the site.
    base: PathBuf,
    root: PathBuf,
    sentinel: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    let root = base.join("site");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let sentinel = format!("SENTINEL-{}-{nanos}-OUTSIDE", std::process::id());

    std::fs::write(base.join("sentinel.txt"), &sentinel).unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(base.join("outside/secret.txt"), &sentinel).unwrap();
    std::fs::write(
        base.join("outside/leaked.md"),
        page("Leaked", &format!("The leaked page says {sentinel}.")),
    )
    .unwrap();

    write_serve_site(&root);
    std::fs::write(
        root.join("content/stories/routes.md"),
        page("Routes", "The first version of the routes."),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/big.bin"), big_bytes()).unwrap();
    // Inside the site folder but not part of the output.
    std::fs::write(root.join("secret.txt"), "INSIDE-ROOT-SECRET").unwrap();
    Fixture {
        _dir: dir,
        base,
        root,
        sentinel,
    }
}

impl common::Server {
    /// The server process is still running.
    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Alive, and a normal request gets the home page.
    fn assert_healthy(&mut self, after: &str) {
        assert!(self.alive(), "serve exited after {after}");
        let r = get(self.port, "/");
        assert_eq!(r.status, 200, "home page after {after}");
        assert!(
            String::from_utf8_lossy(&r.body).contains("Welcome home."),
            "home page after {after}"
        );
    }
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s
}

struct Resp {
    status: u16,
    head: String,
    body: Vec<u8>,
}

fn parse(raw: &[u8]) -> Resp {
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let (head, body) = match at {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => (raw, &[][..]),
    };
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body).unwrap_or_default()
    } else {
        body.to_vec()
    };
    Resp { status, head, body }
}

/// A chunked body's data (None if it is cut short or malformed).
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&raw[..eol]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// Sends `bytes` on a new connection and reads until the server closes it (or `WAIT`). The
/// server may answer and hang up before it has read everything: write errors are ignored
/// and whatever arrived is returned (status 0 when nothing did).
fn exchange(port: u16, bytes: &[u8]) -> Resp {
    let mut s = connect(port);
    let _ = s.write_all(bytes);
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    parse(&raw)
}

fn get(port: u16, target: &str) -> Resp {
    let r = exchange(
        port,
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_ne!(r.status, 0, "no answer to GET {target}");
    r
}

/// Reads one response from a keep-alive connection (a body with Content-Length).
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<Resp> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let body = if head.contains("transfer-encoding: chunked") {
        let mut body = Vec::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line)?;
            let size =
                usize::from_str_radix(line.trim(), 16).map_err(|_| ErrorKind::InvalidData)?;
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk)?;
            if size == 0 {
                break body;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or(ErrorKind::InvalidData)?;
        let mut body = vec![0; len];
        r.read_exact(&mut body)?;
        body
    };
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Resp { status, head, body })
}

fn assert_clean(fx: &Fixture, what: &str, r: &Resp) {
    // The search index's .dsi files are gzip-compressed: what they say is inside.
    let raw = if r.body.starts_with(&[0x1f, 0x8b]) {
        common::gunzip(&r.body)
    } else {
        r.body.clone()
    };
    let body = String::from_utf8_lossy(&raw);
    assert!(
        !body.contains(&fx.sentinel),
        "{what}: sent a file outside the site"
    );
    assert!(
        !body.contains("INSIDE-ROOT-SECRET"),
        "{what}: sent a file outside the output"
    );
    assert!(!body.contains("root:x:0:0"), "{what}: sent /etc/passwd");
}

/// Every file of the search index is clean.
fn assert_search_clean(fx: &Fixture, port: u16) {
    let manifest = get(port, "/search/index.json");
    assert_eq!(manifest.status, 200);
    assert_clean(fx, "search/index.json", &manifest);
    let m: serde_json::Value = serde_json::from_slice(&manifest.body).unwrap();
    let bundles = m["n"]
        .as_u64()
        .unwrap()
        .div_ceil(m["bundle"].as_u64().unwrap());
    for b in 0..bundles {
        let p = format!("/search/d/{b}.dsi");
        let r = get(port, &p);
        assert_eq!(r.status, 200, "{p}");
        assert_clean(fx, &p, &r);
    }
    for k in 0..m["chunks"].as_array().unwrap().len() {
        let p = format!("/search/t/{k}.dsi");
        assert_clean(fx, &p, &get(port, &p));
    }
}

#[test]
fn traversal_in_every_encoding() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    let targets = [
        "/../sentinel.txt",
        "/../../sentinel.txt",
        "/stories/../../sentinel.txt",
        "/../site/secret.txt",
        "/%2e%2e/sentinel.txt",
        "/%2E%2E%2Fsentinel.txt",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2fsentinel.txt",
        "/stories/..%2f..%2fsentinel.txt",
        "/.%2e/sentinel.txt",
        "/%2e./sentinel.txt",
        // Double-encoded: decoded once it is the literal name `%2e%2e`, not `..`.
        "/%252e%252e/sentinel.txt",
        "/%252e%252e%252fsentinel.txt",
        "/%25252e%25252e/sentinel.txt",
        "/..\\sentinel.txt",
        "/..\\..\\sentinel.txt",
        "/%5c..%5csentinel.txt",
        "/..%5csentinel.txt",
        "/%2e%2e%5csentinel.txt",
        "/./secret.txt",
        "/./../sentinel.txt",
        "/stories/./routes/",
        "//etc/passwd",
        "///etc/passwd",
        "//../sentinel.txt",
        "/%2f%2fetc/passwd",
        "/%2fetc%2fpasswd",
        "http://127.0.0.1/../sentinel.txt",
        "http://127.0.0.1/../",
        "http://localhost/secret.txt",
        "/%00",
        "/secret.txt%00",
        "/secret.txt%00.html",
        "/../sentinel.txt%00.html",
        "/%c0%ae%c0%ae/sentinel.txt",
        "/%c0%ae%c0%ae%c0%afsentinel.txt",
        "/%e0%80%ae%e0%80%ae/sentinel.txt",
        "/%c1%9c..%c1%9csentinel.txt",
        "/%u002e%u002e/sentinel.txt",
        "/..;/sentinel.txt",
        "/%2e%2e;/sentinel.txt",
        "/C:/Windows/win.ini",
        "/c:%5cwindows%5cwin.ini",
        "/secret.txt",
        "/site.yaml",
        "/content/_index.md",
        "/themes/default/templates/base.html",
        "/static/big.bin",
        "/%",
        "/%zz",
        "/%e2%82",
        "*",
    ];
    for t in targets {
        for method in ["GET", "HEAD"] {
            let r = exchange(
                port,
                format!("{method} {t} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
            let what = format!("{method} {t}");
            assert!(
                r.status == 400 || r.status == 404,
                "{what}: status {}",
                r.status
            );
            assert_clean(&fx, &what, &r);
        }
    }
    // Not the request target but the Host header: it never picks a folder (and is not a
    // name of the preview's: 403).
    for host in ["../", "..", "/etc", "%2e%2e"] {
        let r = exchange(
            port,
            format!("GET /../sentinel.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert!(
            r.status == 400 || r.status == 403 || r.status == 404,
            "Host {host}"
        );
        assert_clean(&fx, &format!("Host {host}"), &r);
    }
    // A raw request line that is not HTTP at all.
    for junk in [
        &b"GET /../sentinel.txt\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"\x00\x01\x02\r\n\r\n",
        b"GET /\xc0\xae\xc0\xae/sentinel.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\n\r\n",
    ] {
        let r = exchange(port, junk);
        assert_ne!(r.status, 200, "{}", String::from_utf8_lossy(junk));
        assert_clean(&fx, &String::from_utf8_lossy(junk), &r);
    }
    // The real pages are still there.
    assert_eq!(get(port, "/stories/routes/").status, 200);
    assert_eq!(get(port, "/big.bin").status, 200);
    srv.assert_healthy("the traversal attempts");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_not_followed() {
    use std::os::unix::fs::symlink;
    let fx = fixture();
    let root = &fx.root;
    // Out of the site: a file and a folder, from static/ and from content/.
    symlink(fx.base.join("sentinel.txt"), root.join("static/leak.txt")).unwrap();
    symlink(fx.base.join("outside"), root.join("static/leakdir")).unwrap();
    symlink(fx.base.join("sentinel.txt"), root.join("content/leak.txt")).unwrap();
    symlink(fx.base.join("outside"), root.join("content/leakpages")).unwrap();
    symlink(
        fx.base.join("outside/leaked.md"),
        root.join("content/stories/leaked.md"),
    )
    .unwrap();
    // A relative link that climbs out.
    symlink("../../sentinel.txt", root.join("static/relative.txt")).unwrap();
    // Inside the site: followed as before.
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(root.join("shared/ok.txt"), "inside and fine").unwrap();
    symlink(root.join("shared/ok.txt"), root.join("static/ok.txt")).unwrap();
    symlink(root.join("shared"), root.join("static/okdir")).unwrap();

    let mut srv = start_serve(root, &[]);
    let port = srv.port;
    for t in [
        "/leak.txt",
        "/leakdir/secret.txt",
        "/leakdir/leaked.md",
        "/leakpages/leaked/",
        "/leakpages/secret.txt",
        "/stories/leaked/",
        "/relative.txt",
    ] {
        let r = get(port, t);
        assert_eq!(r.status, 404, "{t}");
        assert_clean(&fx, t, &r);
    }
    // Nor does the linked page's text reach any generated page.
    for t in [
        "/",
        "/stories/",
        "/search/index.json",
        "/sitemap.xml",
        "/atom.xml",
        "/tags/t/",
    ] {
        let r = get(port, t);
        assert_clean(&fx, t, &r);
    }
    assert_search_clean(&fx, port);
    assert_eq!(get(port, "/ok.txt").body, b"inside and fine");
    assert_eq!(get(port, "/okdir/ok.txt").body, b"inside and fine");
    let err = srv.stderr.lock().unwrap().clone();
    assert!(
        err.contains("static/leak.txt") && err.contains("outside the site folder"),
        "{err}"
    );

    // Links made while serving: the watcher's file-by-file path must refuse them too.
    symlink(fx.base.join("sentinel.txt"), root.join("static/late.txt")).unwrap();
    symlink(fx.base.join("outside"), root.join("static/latedir")).unwrap();
    symlink(
        fx.base.join("outside/leaked.md"),
        root.join("content/stories/late.md"),
    )
    .unwrap();
    std::fs::write(root.join("static/marker.txt"), "marker").unwrap();
    eventually("the new static file", || {
        get(port, "/marker.txt").status == 200
    });
    // And a file changed behind a link that was already there.
    std::fs::write(fx.base.join("sentinel.txt"), format!("{} v2", fx.sentinel)).unwrap();
    std::fs::write(root.join("static/marker2.txt"), "marker").unwrap();
    eventually("the second static file", || {
        get(port, "/marker2.txt").status == 200
    });
    for t in [
        "/late.txt",
        "/latedir/secret.txt",
        "/stories/late/",
        "/leak.txt",
        "/relative.txt",
    ] {
        let r = get(port, t);
        assert_eq!(r.status, 404, "{t} (made while serving)");
        assert_clean(&fx, t, &r);
    }
    assert_search_clean(&fx, port);
    srv.assert_healthy("the symlinks");

    // `dossier build` reads the site the same way.
    let out = fx.base.join("out");
    let build = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{err}");
    assert!(err.contains("outside the site folder"), "{err}");
    assert!(out.join("ok.txt").is_file());
    for e in walkdir(&out) {
        let bytes = std::fs::read(&e).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&fx.sentinel),
            "{} holds the sentinel",
            e.display()
        );
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(walkdir(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn huge_urls_and_headers() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;

    let long_path = format!("/{}", "a".repeat(100_000));
    let r = exchange(
        port,
        format!("GET {long_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(r.status == 0 || r.status >= 400, "100 KB URL: {}", r.status);
    srv.assert_healthy("a 100 KB URL");

    let long_dots = format!("/{}sentinel.txt", "../".repeat(30_000));
    let r = exchange(
        port,
        format!("GET {long_dots} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(
        r.status == 0 || r.status >= 400,
        "90 KB of ../: {}",
        r.status
    );
    assert_clean(&fx, "90 KB of ../", &r);
    srv.assert_healthy("90 KB of ../");

    let long_query = format!("/?q={}", "x".repeat(100_000));
    let r = exchange(
        port,
        format!("GET {long_query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(r.status == 0 || r.status == 200 || r.status >= 400);
    srv.assert_healthy("a 100 KB query");

    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(1 << 20)
    );
    let r = exchange(port, big_header.as_bytes());
    assert!(r.status == 0 || r.status == 200 || r.status >= 400);
    srv.assert_healthy("a 1 MB header");

    let mut many = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
    for i in 0..10_000 {
        many.push_str(&format!("X-Header-{i}: value {i}\r\n"));
    }
    many.push_str("Connection: close\r\n\r\n");
    let r = exchange(port, many.as_bytes());
    assert!(r.status == 0 || r.status == 200 || r.status >= 400);
    srv.assert_healthy("10,000 headers");

    // A header line that never ends, then the client hangs up.
    {
        let mut s = connect(port);
        let _ = s.write_all(b"GET / HTTP/1.1\r\nX-Endless: ");
        let chunk = vec![b'e'; 64 * 1024];
        for _ in 0..16 {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
    }
    srv.assert_healthy("an endless header");

    // Headers that are not headers: refused (tiny_http answers 400 or hangs up).
    for bad in [
        &b"GET / HTTP/1.1\r\nno colon here\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nX-Bin: \xff\xfe\x00\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ] {
        let r = exchange(port, bad);
        assert_ne!(r.status, 200, "{}", String::from_utf8_lossy(bad));
    }
    // An empty header name is let through by tiny_http; harmless, the answer is the page.
    let r = exchange(
        port,
        b"GET / HTTP/1.1\r\n: empty name\r\nConnection: close\r\n\r\n",
    );
    assert!(r.status == 0 || r.status == 200 || r.status >= 400);
    srv.assert_healthy("malformed headers");
}

#[test]
fn slow_clients_do_not_starve_the_server() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    let expected_home = get(port, "/").body;

    // Slowloris: 50 connections each dribbling a request that never ends, one byte per
    // connection every 200 ms.
    let mut slow: Vec<TcpStream> = (0..50)
        .map(|i| {
            let mut s = connect(port);
            write!(s, "GET /?slow={i} HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    // Slow readers: connections that ask for the big file, several times over one
    // connection (pipelined), and never read a byte.
    let stalled: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut s = connect(port);
            let one = "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
            s.write_all(one.repeat(4).as_bytes()).unwrap();
            s
        })
        .collect();

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dribbler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut sent = 0;
            // 25 rounds of 200 ms: about 5 s.
            for _ in 0..25 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                for s in slow.iter_mut() {
                    if s.write_all(b"x").is_ok() {
                        sent += 1;
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
                if started.elapsed() > WAIT {
                    break;
                }
            }
            (slow, sent)
        })
    };

    // Meanwhile, ten normal clients are answered (each `get` waits at most WAIT).
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..10 {
        let r = get(port, "/");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, expected_home);
        let r = get(port, "/stories/routes/");
        assert_eq!(r.status, 200);
        std::thread::sleep(Duration::from_millis(50));
    }
    // The full big file, on a fresh connection, while the stalled readers hold theirs.
    let r = get(port, "/big.bin");
    assert_eq!(r.status, 200);
    assert!(r.body == big_bytes(), "big.bin corrupted");

    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (slow, sent) = dribbler.join().unwrap();
    assert!(sent > 0);
    drop(slow);
    drop(stalled);
    srv.assert_healthy("the slow clients");
}

#[test]
fn a_thousand_keep_alive_requests_from_50_connections() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    let targets = ["/", "/stories/routes/", "/style.css", "/nothing-here/"];
    let expected: Arc<Vec<(u16, Vec<u8>)>> = Arc::new(
        targets
            .iter()
            .map(|t| {
                let r = get(port, t);
                (r.status, r.body)
            })
            .collect(),
    );
    assert_eq!(expected[0].0, 200);
    assert_eq!(expected[3].0, 404);
    let threads: Vec<_> = (0..50)
        .map(|c| {
            let expected = expected.clone();
            std::thread::spawn(move || {
                let s = connect(port);
                let mut w = s.try_clone().unwrap();
                let mut r = BufReader::new(s);
                for i in 0..20 {
                    let k = (c + i) % targets.len();
                    let method = if i % 7 == 3 { "HEAD" } else { "GET" };
                    write!(
                        w,
                        "{method} {} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n",
                        targets[k]
                    )
                    .unwrap();
                    let resp = if method == "HEAD" {
                        // No body follows a HEAD answer's headers.
                        let mut head = String::new();
                        loop {
                            let mut line = String::new();
                            assert!(r.read_line(&mut line).unwrap() > 0, "closed early");
                            if line == "\r\n" {
                                break;
                            }
                            head.push_str(&line);
                        }
                        let status = head
                            .split_whitespace()
                            .nth(1)
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0);
                        Resp {
                            status,
                            head,
                            body: Vec::new(),
                        }
                    } else {
                        read_response(&mut r).unwrap()
                    };
                    assert_eq!(resp.status, expected[k].0, "{}", targets[k]);
                    if method == "GET" {
                        assert!(resp.body == expected[k].1, "{}: wrong body", targets[k]);
                    } else {
                        // Small answers carry their length; big ones are chunked.
                        let head = resp.head.to_ascii_lowercase();
                        let len = format!("content-length: {}", expected[k].1.len());
                        assert!(
                            head.contains(&len) || head.contains("transfer-encoding: chunked"),
                            "HEAD {}: {head}",
                            targets[k]
                        );
                    }
                }
                20
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(total, 1000);
    srv.assert_healthy("1,000 keep-alive requests");
}

#[test]
fn clients_that_hang_up_mid_response() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    for i in 0..40 {
        let mut s = connect(port);
        write!(s, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        match i % 4 {
            // Read a few bytes, then drop the socket.
            0 | 1 => {
                let mut buf = [0u8; 100];
                let _ = s.read(&mut buf).unwrap();
            }
            // Hang up before reading anything.
            2 => {}
            // Half-close, read a little of the rest, drop.
            _ => {
                let _ = s.shutdown(std::net::Shutdown::Write);
                let mut buf = vec![0u8; 300_000];
                let _ = s.read(&mut buf);
            }
        }
        drop(s);
        if i % 10 == 9 {
            srv.assert_healthy("clients hanging up");
        }
    }
    // Pipelined requests on a connection closed after the first bytes.
    for _ in 0..5 {
        let mut s = connect(port);
        let one = "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
        s.write_all(one.repeat(3).as_bytes()).unwrap();
        let mut buf = [0u8; 10];
        let _ = s.read(&mut buf);
    }
    srv.assert_healthy("clients hanging up");
    let r = get(port, "/big.bin");
    assert_eq!(r.status, 200);
    assert!(r.body == big_bytes(), "big.bin corrupted");
}

/// An open live-reload stream: the status line has been read.
struct Stream(BufReader<TcpStream>);

impl Stream {
    fn open(port: u16) -> Stream {
        let mut s = connect(port);
        write!(
            s,
            "GET /__dossier/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut r = BufReader::new(s);
        let mut first = String::new();
        r.read_line(&mut first).unwrap();
        assert!(first.starts_with("HTTP/1.1 200"), "{first}");
        Stream(r)
    }

    /// Reads lines until `event: <name>` (bounded by the socket's read timeout).
    fn expect(&mut self, name: &str) {
        let want = format!("event: {name}");
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let mut line = String::new();
            match self.0.read_line(&mut line) {
                Ok(0) => panic!("stream closed before `{name}`"),
                Ok(_) if line.trim_end() == want => return,
                Ok(_) => {}
                Err(e) => panic!("no `{name}` event: {e}"),
            }
        }
        panic!("no `{name}` event");
    }
}

#[test]
fn two_hundred_live_reload_tabs() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    let mut tabs: Vec<Stream> = (0..200).map(|_| Stream::open(port)).collect();
    srv.assert_healthy("200 open event streams");

    std::fs::write(
        fx.root.join("content/stories/routes.md"),
        page("Routes", "The second version of the routes."),
    )
    .unwrap();
    // Every tenth tab, first and last included, hears the reload.
    for (i, tab) in tabs.iter_mut().enumerate() {
        if i % 10 == 0 || i == 199 {
            tab.expect("reload");
        }
    }
    eventually("the edited page", || {
        String::from_utf8_lossy(&get(port, "/stories/routes/").body).contains("second version")
    });

    // All tabs close; the server notices at its next write and stays healthy.
    drop(tabs);
    srv.assert_healthy("200 event streams closed");
    let mut tab = Stream::open(port);
    std::fs::write(
        fx.root.join("content/stories/routes.md"),
        page("Routes", "The third version of the routes."),
    )
    .unwrap();
    tab.expect("reload");
    eventually("the second edit", || {
        String::from_utf8_lossy(&get(port, "/stories/routes/").body).contains("third version")
    });
    srv.assert_healthy("a reload after the tabs closed");
}

// Issue 12: the server cannot be knocked over, starved or read from another site. Each test
// below failed against the server before it (see the notes on each).

/// A TCP connection to 127.0.0.1:`port` within 2 s, or None (a backlog that is not drained).
fn try_connect(port: u16) -> Option<TcpStream> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    Some(s)
}

/// GET `target` on a new connection; the whole answer must arrive within `within` (a
/// liveness bound: the server answers in milliseconds).
fn get_within(port: u16, target: &str, within: Duration) -> Resp {
    let started = Instant::now();
    let mut s = try_connect(port).expect("connect");
    s.set_read_timeout(Some(within)).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let r = parse(&raw);
    assert!(
        r.status != 0 && started.elapsed() <= within,
        "GET {target}: no answer within {within:?}"
    );
    r
}

/// Whether the server let go of `s`: closed it (EOF or reset) or answered it (a 503),
/// rather than holding it silently.
fn released_by_server(mut s: &TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 256];
    match s.read(&mut buf) {
        // Closed.
        Ok(0) => true,
        // Answered (a 503 to a burst).
        Ok(_) => true,
        // Reset, or still held.
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

/// Before: each idle connection held two descriptors forever; at the limit tiny_http's accept
/// thread panicked (`refined_tcp_stream.rs:18`) and the port never answered again.
#[cfg(target_os = "linux")]
#[test]
fn idle_connections_past_the_descriptor_limit() {
    let fx = fixture();
    let mut srv = common::start_serve_limited(&fx.root, &[], 128);
    let port = srv.port;
    // 300 connections that send nothing: more than the 128 descriptors the server has.
    let idle: Vec<TcpStream> = (0..300).filter_map(|_| try_connect(port)).collect();
    assert!(idle.len() > 128, "only {} connections", idle.len());
    let r = get_within(port, "/", Duration::from_secs(1));
    assert_eq!(r.status, 200);
    assert!(String::from_utf8_lossy(&r.body).contains("Welcome home."));
    // The server made room by closing the connections idle longest (or answered 503 to a
    // burst while they closed): it holds at most 1.5 times its cap ((128 - 48) / 3 = 26).
    let held = idle.iter().filter(|s| !released_by_server(s)).count();
    assert!(held <= 40, "{held} idle connections still held");
    srv.assert_healthy("300 idle connections");
    let err = srv.stderr.lock().unwrap().clone();
    assert!(!err.contains("panicked"), "{err}");
}

/// Before: at about 60 such connections the descriptors ran out and the server was gone for
/// good. Now: connections past the cap get a clean 503, and once the stalled readers go, a
/// normal request is answered at once.
#[cfg(target_os = "linux")]
#[test]
fn a_clean_503_past_the_connection_cap() {
    let fx = fixture();
    let mut srv = common::start_serve_limited(&fx.root, &[], 128);
    let port = srv.port;
    // Readers that ask for the big file and never read: their answers are still being
    // written, so they cannot make room.
    let stalled: Vec<TcpStream> = (0..60)
        .filter_map(|_| {
            let mut s = try_connect(port)?;
            s.write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .ok()?;
            std::thread::sleep(Duration::from_millis(10));
            Some(s)
        })
        .collect();
    assert_eq!(stalled.len(), 60);
    let r = get_within(port, "/", Duration::from_secs(5));
    assert_eq!(r.status, 503, "{}", r.head);
    assert!(r.head.contains("connection: close"), "{}", r.head);
    assert!(
        String::from_utf8_lossy(&r.body).contains("too many open connections"),
        "{:?}",
        r.body
    );
    drop(stalled);
    // Liveness bound: their writes fail as soon as the sockets close.
    eventually("room again", || {
        try_connect(port).is_some_and(|mut s| {
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .is_ok()
                && {
                    let mut raw = Vec::new();
                    let _ = s.read_to_end(&mut raw);
                    parse(&raw).status == 200
                }
        })
    });
    let r = get_within(port, "/", Duration::from_secs(1));
    assert_eq!(r.status, 200);
    srv.assert_healthy("60 stalled readers");
}

/// Before: `Host: evil.example` got 200 and the whole site, drafts and event stream
/// included: a page on any site could read the preview through a rebinding domain.
#[test]
fn a_foreign_host_is_refused() {
    let fx = fixture();
    std::fs::write(
        fx.root.join("content/stories/draft.md"),
        "---\ntitle: Draft\ndraft: true\n---\n\nNot yet.\n",
    )
    .unwrap();
    let srv = start_serve(&fx.root, &["--drafts"]);
    let port = srv.port;
    let ask = |host: &str, target: &str| {
        exchange(
            port,
            format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    for target in ["/", "/stories/draft/", "/__dossier/events", "/nothing/"] {
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
        ] {
            let r = ask(host, target);
            assert_eq!(r.status, 403, "Host {host}, {target}");
            let body = String::from_utf8_lossy(&r.body);
            assert!(body.contains("--allow-host"), "{body}");
            assert!(!body.contains("Not yet"), "{body}");
        }
    }
    // An absolute-form target names the host too.
    let r = exchange(
        port,
        b"GET http://evil.example/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 403);
    // The preview's own names and any IP address are answered.
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(ask(&host, "/stories/draft/").status, 200, "Host {host}");
    }
    let err = srv.stderr.lock().unwrap().clone();
    assert!(err.contains("--allow-host evil.example"), "{err}");
    drop(srv);

    let mut srv = start_serve(&fx.root, &["--allow-host", "Preview.Test"]);
    let port = srv.port;
    let r = exchange(
        port,
        b"GET / HTTP/1.1\r\nHost: preview.test:8080\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 200);
    let r = exchange(
        port,
        b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 403);
    srv.assert_healthy("foreign hosts");
}

/// A page whose build fails with about 1.2 MB of diagnostics (12,000 unknown sources).
fn broken_page(version: usize) -> String {
    let cites: Vec<String> = (0..12_000)
        .map(|i| format!("[@nope-{version}-{i}]"))
        .collect();
    page("Routes", &cites.join(" "))
}

/// Before: a client of the event stream that stopped reading blocked `hub.send` (and with it
/// the rebuild thread, holding the hub's lock) once its socket buffers were full: 15 s per
/// such client per event, no rebuild and no reload for anyone.
#[test]
fn stalled_event_clients_never_block_a_rebuild() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    // 50 tabs that open the event stream and never read a byte of it.
    let stalled: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = connect(port);
            s.write_all(
                b"GET /__dossier/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n",
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // One that reads, subscribed last.
    let mut tab = Stream::open(port);
    let routes = fx.root.join("content/stories/routes.md");
    // 10 edits: every other one breaks the build with 1.2 MB of diagnostics, so 6 MB of
    // events are sent to each stalled tab, more than its socket buffers hold.
    for i in 0..10 {
        if i % 2 == 0 {
            std::fs::write(&routes, broken_page(i)).unwrap();
            tab.expect("build-error");
        } else {
            std::fs::write(&routes, page("Routes", &format!("Version {i}."))).unwrap();
            tab.expect("reload");
            let body = get(port, "/stories/routes/").body;
            assert!(
                String::from_utf8_lossy(&body).contains(&format!("Version {i}.")),
                "edit {i}"
            );
        }
    }
    drop(stalled);
    srv.assert_healthy("50 stalled event streams");
}

/// The server's peak resident memory (VmHWM), in bytes.
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// Before: every request read its file whole: 100 clients asking for a 20 MB file and not
/// reading took the server from 16 MB to 2.0 GB. Now files are streamed from an open handle.
#[cfg(target_os = "linux")]
#[test]
fn slow_readers_of_a_large_file_keep_memory_bounded() {
    const HUGE: usize = 20 << 20;
    let fx = fixture();
    let huge: Vec<u8> = (0..HUGE).map(|i| (i % 253) as u8).collect();
    std::fs::write(fx.root.join("static/huge.bin"), &huge).unwrap();
    // Room for the connections whatever this machine's default limit (cap 1,024).
    let mut srv = common::start_serve_limited(&fx.root, &[], 4096);
    let port = srv.port;
    let pid = srv.child.id();
    assert_eq!(get(port, "/").status, 200);
    let before = peak_rss(pid);
    let readers: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = connect(port);
            s.write_all(b"GET /huge.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    // Each is being answered: its status line arrives (then it reads no more).
    for (i, r) in readers.iter().enumerate() {
        let mut line = String::new();
        let _ = BufReader::new(r).read_line(&mut line);
        assert!(line.starts_with("HTTP/1.1 200"), "reader {i}: {line:?}");
    }
    // Give every answer time to fill its socket's buffers (a bounded wait).
    std::thread::sleep(Duration::from_secs(2));
    let r = get_within(port, "/", Duration::from_secs(5));
    assert_eq!(r.status, 200);
    let peak = peak_rss(pid);
    eprintln!(
        "serve VmHWM: {} MB before, {} MB with 100 stalled readers of a 20 MB file",
        before >> 20,
        peak >> 20
    );
    // 100 copies of the file would be 2 GB; streamed, each reader holds a few buffers.
    assert!(
        peak < before + (150 << 20),
        "peak RSS {} MB (from {} MB)",
        peak >> 20,
        before >> 20
    );
    drop(readers);
    // The file arrives whole on a fresh connection.
    let r = get(port, "/huge.bin");
    assert!(r.body == huge, "huge.bin corrupted");
    srv.assert_healthy("100 stalled readers of a large file");
}

/// Before: past 256 requests in flight, the few workers that take requests from tiny_http
/// answered them themselves, and blocked on clients that did not read: with 300 such
/// clients a normal request waited for minutes. (And requests pipelined on one connection
/// each held a thread of their own.)
#[test]
fn three_hundred_stalled_readers_leave_the_server_free() {
    let fx = fixture();
    let mut srv = common::start_serve_limited(&fx.root, &[], 4096);
    let port = srv.port;
    let readers: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = connect(port);
            s.write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    for (i, r) in readers.iter().enumerate() {
        let mut line = String::new();
        let _ = BufReader::new(r).read_line(&mut line);
        assert!(line.starts_with("HTTP/1.1 200"), "reader {i}: {line:?}");
    }
    // And one connection with 50 requests pipelined, not reading either.
    let mut pipelined = connect(port);
    pipelined
        .write_all(
            "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .repeat(50)
                .as_bytes(),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..5 {
        let r = get_within(port, "/", Duration::from_secs(5));
        assert_eq!(r.status, 200);
    }
    drop(readers);
    drop(pipelined);
    srv.assert_healthy("300 stalled readers");
}

/// The whole output of `dossier build` for the site at `root`, with the server's base URL.
fn fresh_build(root: &Path, port: u16, out: &Path) -> Vec<String> {
    let build = Command::new(common::BIN)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(["--base-url", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    walkdir(out)
        .iter()
        .map(|p| {
            p.strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != ".dossier-output")
        .collect()
}

/// Every file a fresh build writes is served, the data files byte for byte (HTML differs by
/// the live-reload script), and `gone` are not served.
fn assert_serves_the_build(fx: &Fixture, port: u16, gone: &[&str]) {
    let out = fx.base.join(format!("build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let files = fresh_build(&fx.root, port, &out);
    for f in &files {
        let r = get(port, &format!("/{f}"));
        assert_eq!(r.status, 200, "/{f}");
        if !f.ends_with(".html") {
            let built = std::fs::read(out.join(f)).unwrap();
            assert!(r.body == built, "/{f} differs from a fresh build");
        }
    }
    for g in gone {
        assert_eq!(get(port, g).status, 404, "{g} is still served");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// Before: a folder moved away and replaced by a file of its name left its pages served and
/// in sitemap.xml.
#[test]
fn a_folder_replaced_by_a_file_equals_a_fresh_build() {
    let fx = fixture();
    let root = &fx.root;
    std::fs::create_dir_all(root.join("content/notes/one.md")).unwrap();
    std::fs::write(
        root.join("content/notes/one.md/inner.md"),
        page("Inner", "Inside a folder named one.md."),
    )
    .unwrap();
    std::fs::write(
        root.join("content/notes/two.md"),
        page("Two", "A page that becomes a folder."),
    )
    .unwrap();
    let mut srv = start_serve(root, &[]);
    let port = srv.port;
    assert_eq!(get(port, "/stories/routes/").status, 200);
    assert_eq!(get(port, "/notes/one-md/inner/").status, 200);
    let mut tab = Stream::open(port);

    // content/stories (a section with pages) moved out of the site, a file in its place.
    std::fs::rename(root.join("content/stories"), fx.base.join("stories-away")).unwrap();
    std::fs::write(root.join("content/stories"), "now a file").unwrap();
    tab.expect("reload");
    assert_serves_the_build(&fx, port, &["/stories/routes/", "/stories/"]);
    // content/notes/one.md/ (a folder) moved away, a page one.md in its place.
    std::fs::rename(
        root.join("content/notes/one.md"),
        fx.base.join("one.md-away"),
    )
    .unwrap();
    std::fs::write(
        root.join("content/notes/one.md"),
        page("One", "Now a page."),
    )
    .unwrap();
    tab.expect("reload");
    assert_serves_the_build(&fx, port, &["/notes/one-md/inner/"]);
    // And the reverse: the page two.md becomes a folder holding a page.
    std::fs::remove_file(root.join("content/notes/two.md")).unwrap();
    std::fs::create_dir_all(root.join("content/notes/two.md")).unwrap();
    std::fs::write(
        root.join("content/notes/two.md/deep.md"),
        page("Deep", "Inside two.md now."),
    )
    .unwrap();
    tab.expect("reload");
    eventually("the deep page", || {
        get(port, "/notes/two-md/deep/").status == 200
    });

    assert_eq!(get(port, "/stories").body, b"now a file");
    assert_serves_the_build(
        &fx,
        port,
        &[
            "/stories/routes/",
            "/stories/",
            "/notes/one-md/inner/",
            "/notes/two/",
        ],
    );
    let sitemap = String::from_utf8_lossy(&get(port, "/sitemap.xml").body).into_owned();
    assert!(!sitemap.contains("/stories/"), "{sitemap}");
    assert!(sitemap.contains("/notes/one/"), "{sitemap}");
    srv.assert_healthy("folders replaced by files");
}

/// Before: the target of a symlinked page was not watched (its edits never showed), and a
/// file swapped for a symlink to outside the site was served, by path, until a rebuild
/// succeeded (for good while the build was failing).
#[cfg(unix)]
#[test]
fn symlinks_inside_the_site_follow_their_targets_and_a_swap_out_is_refused() {
    use std::os::unix::fs::symlink;
    let fx = fixture();
    let root = &fx.root;
    // A folder of media and a folder of shared pages beside content/, linked into it.
    std::fs::create_dir_all(root.join("media")).unwrap();
    std::fs::write(root.join("media/photo.png"), "PHOTO-V1").unwrap();
    symlink("../media", root.join("content/media")).unwrap();
    std::fs::create_dir_all(root.join("shared/more")).unwrap();
    std::fs::write(root.join("shared/linked.md"), page("Linked", "Linked v1.")).unwrap();
    std::fs::write(root.join("shared/more/deep.md"), page("Deep", "Deep v1.")).unwrap();
    symlink(
        "../../shared/linked.md",
        root.join("content/stories/linked.md"),
    )
    .unwrap();
    symlink("../shared/more", root.join("content/more")).unwrap();

    let mut srv = start_serve(root, &[]);
    let port = srv.port;
    let body = |t: &str| String::from_utf8_lossy(&get(port, t).body).into_owned();
    assert_eq!(body("/media/photo.png"), "PHOTO-V1");
    assert!(body("/stories/linked/").contains("Linked v1."));
    assert!(body("/more/deep/").contains("Deep v1."));

    // Edits to the targets show, as a build would show them.
    std::fs::write(root.join("shared/linked.md"), page("Linked", "Linked v2.")).unwrap();
    eventually("the linked page's edit", || {
        body("/stories/linked/").contains("Linked v2.")
    });
    std::fs::write(root.join("shared/more/deep.md"), page("Deep", "Deep v2.")).unwrap();
    eventually("the linked folder's edit", || {
        body("/more/deep/").contains("Deep v2.")
    });
    std::fs::write(root.join("media/photo.png"), "PHOTO-V2").unwrap();
    eventually("the linked folder's file", || {
        body("/media/photo.png") == "PHOTO-V2"
    });
    assert_serves_the_build(&fx, port, &[]);

    // A page broken (the last good site stays served) and, in the same moment, the photo
    // replaced by a link to a file outside the site.
    let mut tab = Stream::open(port);
    std::fs::write(
        root.join("content/stories/routes.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("media/photo.png")).unwrap();
    symlink(fx.base.join("sentinel.txt"), root.join("media/photo.png")).unwrap();
    tab.expect("build-error");
    for _ in 0..3 {
        let r = get(port, "/media/photo.png");
        assert_eq!(r.status, 404);
        assert_clean(&fx, "the swapped photo", &r);
    }
    // Fixed: the link is skipped, as a build skips it.
    std::fs::write(
        root.join("content/stories/routes.md"),
        page("Routes", "Fixed."),
    )
    .unwrap();
    tab.expect("reload");
    let r = get(port, "/media/photo.png");
    assert_eq!(r.status, 404);
    assert_clean(&fx, "the swapped photo", &r);
    let err = srv.stderr.lock().unwrap().clone();
    assert!(err.contains("outside the site folder"), "{err}");
    srv.assert_healthy("symlinks");
}

/// Before: raw non-ASCII bytes closed the connection without an answer; two Content-Length
/// headers or `Transfer-Encoding: xchunked` were accepted (the body read as a second
/// request); absolute-form targets got 400.
#[test]
fn protocol_cases() {
    let fx = fixture();
    let mut srv = start_serve(&fx.root, &[]);
    let port = srv.port;
    let home = get(port, "/").body;
    for (raw, want) in [
        (&b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: localhost\r\n\r\n"[..], 400),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Name: caf\xc3\xa9\r\n\r\n", 400),
        (b"GET  / HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
        (b"GET / HTTP/1.1 extra\r\nHost: localhost\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\n Folded: line\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n",
            400,
        ),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4, 40\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n", 400),
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            400,
        ),
        (b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n", 505),
    ] {
        let r = exchange(port, raw);
        assert_eq!(r.status, want, "{}", String::from_utf8_lossy(raw));
        assert!(r.head.contains("connection: close"), "{}", r.head);
    }
    // Smuggling: what follows a refused head is never read as a request of its own.
    let smuggled = b"GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\n\r\nGET /stories/routes/ HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut s = connect(port);
    s.write_all(smuggled).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 501"), "{text}");
    assert_eq!(text.matches("HTTP/1.1 ").count(), 1, "{text}");
    let smuggled = b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 45\r\n\r\nGET /stories/routes/ HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut s = connect(port);
    s.write_all(smuggled).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 ").count(), 1, "{text}");
    // Absolute-form targets are the path they name (RFC 9112 3.2.2).
    for target in [
        "http://localhost/",
        &format!("http://127.0.0.1:{port}/"),
        "HTTP://LOCALHOST/?q=1",
    ] {
        let r = exchange(
            port,
            format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(r.status, 200, "{target}");
        assert!(r.body == home, "{target}");
    }
    let r = exchange(
        port,
        b"GET http://localhost/stories/routes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 301);
    assert!(r.head.contains("location: /stories/routes/"), "{}", r.head);
    srv.assert_healthy("protocol cases");
}

/// Before: `--bind '[::1]'` failed with "failed to lookup address" and a hint about the port.
#[test]
fn bind_addresses_and_their_hints() {
    let fx = fixture();
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        for bind in ["[::1]", "::1"] {
            let srv = start_serve(&fx.root, &["--bind", bind]);
            let mut s = TcpStream::connect(("::1", srv.port)).unwrap();
            s.set_read_timeout(Some(WAIT)).unwrap();
            write!(
                s,
                "GET /sitemap.xml HTTP/1.1\r\nHost: [::1]:{}\r\nConnection: close\r\n\r\n",
                srv.port
            )
            .unwrap();
            let mut raw = Vec::new();
            let _ = s.read_to_end(&mut raw);
            let r = parse(&raw);
            assert_eq!(r.status, 200, "--bind {bind}");
            // Permalinks name the address served on.
            let sitemap = String::from_utf8_lossy(&r.body).into_owned();
            let url = format!("http://[::1]:{}/", srv.port);
            assert!(sitemap.contains(&url), "{sitemap}");
        }
    }
    let run = |bind: &str| {
        let out = Command::new(common::BIN)
            .arg("serve")
            .arg("--root")
            .arg(&fx.root)
            .args(["--bind", bind, "--port", "0"])
            .env("HOME", &fx.base)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "--bind {bind}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run("192.0.2.1");
    assert!(err.contains("not an address of this machine"), "{err}");
    let err = run("no such host.invalid");
    assert!(err.contains("--bind takes an address"), "{err}");
    let err = run("[::1");
    assert!(!err.contains("--port 0 to pick"), "{err}");
}
