//! `dossier serve` under abuse, on loopback only: traversal in every encoding, symlinks that
//! lead out of the site, huge URLs and headers, slow clients, many keep-alive connections,
//! clients that hang up mid-response, many open live-reload streams. The server must stay up,
//! keep answering correctly, and never send a byte of a file outside the site.
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
    let body = String::from_utf8_lossy(&r.body);
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
    // Not the request target but the Host header: it never picks a folder.
    for host in ["../", "..", "/etc", "%2e%2e"] {
        let r = exchange(
            port,
            format!("GET /../sentinel.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert!(r.status == 400 || r.status == 404, "Host {host}");
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
        "/search-index.json",
        "/sitemap.xml",
        "/atom.xml",
        "/tags/t/",
    ] {
        let r = get(port, t);
        assert_clean(&fx, t, &r);
    }
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
    assert_clean(&fx, "search index", &get(port, "/search-index.json"));
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

    // Meanwhile, normal clients are answered, each within a bounded wait.
    std::thread::sleep(Duration::from_millis(500));
    let mut served = 0;
    let started = Instant::now();
    while served < 30 && started.elapsed() < Duration::from_secs(4) {
        let r = get(port, "/");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, expected_home);
        let r = get(port, "/stories/routes/");
        assert_eq!(r.status, 200);
        served += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(served >= 3, "only {served} normal requests got through");
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
