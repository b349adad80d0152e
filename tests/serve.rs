//! `dossier serve` end to end: the real binary on a fixture site in a temp dir.

mod common;

use common::{WAIT, eventually, start_serve as start, write_serve_site};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn page(title: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: 2022-09-21\ntags: [t]\nsources: [ap-2022-09-27]\n---\n\n{body}\n"
    )
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_serve_site(root);
    std::fs::write(
        root.join("content/sources.yaml"),
        "- id: ap-2022-09-27\n  title: Russians flee\n  publisher: AP\n  published: 2022-09-27\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/stories/routes.md"),
        page(
            "Routes",
            "The first version of the routes [@ap-2022-09-27].",
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("public/keep.txt"), "mine").unwrap();
    std::fs::write(root.join("secret.txt"), "top secret").unwrap();
    dir
}

struct Resp {
    status: u16,
    headers: String,
    body: String,
}

fn request(port: u16, method: &str, target: &str) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Resp {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

fn get(port: u16, target: &str) -> Resp {
    request(port, "GET", target)
}

/// An open Server-Sent Events stream.
struct Events {
    lines: std::sync::mpsc::Receiver<String>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET /__dossier/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut r = BufReader::new(s);
        let mut first = String::new();
        r.read_line(&mut first).unwrap();
        assert!(first.starts_with("HTTP/1.1 200"), "{first}");
        std::thread::spawn(move || {
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if tx.send(line.trim_end().to_string()).is_err() {
                    break;
                }
                line.clear();
            }
        });
        Events { lines: rx }
    }

    /// Wait for `event: <name>`; returns its data lines.
    fn expect(&self, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let want = format!("event: {name}");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no `{name}` event"));
            if line == want {
                let mut data = String::new();
                while let Ok(l) = self.lines.recv_timeout(WAIT) {
                    if l.is_empty() {
                        return data;
                    }
                    data.push_str(l.trim_start_matches("data: "));
                }
                return data;
            }
        }
    }
}

fn write_atomically(path: &Path, text: &str) {
    // Like many editors: write a temp file beside it, then rename over it.
    let tmp: PathBuf = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn serves_rebuilds_and_reloads() {
    let dir = fixture();
    let root = dir.path();
    let srv = start(root, &[]);
    let port = srv.port;

    // Pages, directory index, redirect, MIME types, HEAD, 404.
    let home = get(port, "/");
    assert_eq!(home.status, 200);
    assert!(
        home.headers
            .contains("content-type: text/html; charset=utf-8")
    );
    assert!(home.body.contains("Welcome home."));
    assert!(
        home.body.contains("/__dossier/events"),
        "live-reload script"
    );
    let routes = get(port, "/stories/routes/");
    assert_eq!(routes.status, 200);
    assert!(routes.body.contains("The first version of the routes"));
    let redirect = get(port, "/stories/routes?x=1");
    assert_eq!(redirect.status, 301);
    assert!(redirect.headers.contains("location: /stories/routes/?x=1"));
    let css = get(port, "/style.css");
    assert_eq!(css.status, 200);
    assert!(css.headers.contains("content-type: text/css"));
    let head = request(port, "HEAD", "/stories/routes/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(head.headers.contains("content-length:"));
    let missing = get(port, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/__dossier/events"));
    assert_eq!(request(port, "POST", "/").status, 405);

    // Edit a page (atomic save): new HTML and a reload event.
    let events = Events::open(port);
    let page_file = root.join("content/stories/routes.md");
    write_atomically(
        &page_file,
        &page(
            "Routes",
            "The second version of the routes [@ap-2022-09-27].",
        ),
    );
    events.expect("reload");
    eventually("the edited page", || {
        get(port, "/stories/routes/")
            .body
            .contains("The second version")
    });

    // A new page appears, a deleted one disappears.
    std::fs::write(
        root.join("content/stories/new.md"),
        page("New", "Brand new."),
    )
    .unwrap();
    eventually("the new page", || get(port, "/stories/new/").status == 200);
    std::fs::remove_file(root.join("content/stories/new.md")).unwrap();
    eventually("the deleted page gone", || {
        get(port, "/stories/new/").status == 404
    });

    // Break the YAML: the error event and overlay; the old content is still served.
    let events = Events::open(port);
    write_atomically(
        &page_file,
        "---\ntitle: [unclosed\n---\n\nThe broken version.\n",
    );
    let data = events.expect("build-error");
    assert!(data.contains("content/stories/routes.md"), "{data}");
    eventually("the overlay", || {
        let r = get(port, "/stories/routes/");
        r.status == 200
            && r.body.contains("<div id=\"__dossier_overlay\"")
            && r.body.contains("The second version")
    });
    assert!(
        get(port, "/missing/")
            .body
            .contains("<div id=\"__dossier_overlay\"")
    );
    // Fix it: a reload event, and the overlay is gone.
    write_atomically(
        &page_file,
        &page(
            "Routes",
            "The fixed version of the routes [@ap-2022-09-27].",
        ),
    );
    events.expect("reload");
    eventually("the fixed page", || {
        let r = get(port, "/stories/routes/");
        r.body.contains("The fixed version") && !r.body.contains("<div id=\"__dossier_overlay\"")
    });

    // A stylesheet change: a css event, no full reload.
    let events = Events::open(port);
    let style = root.join("themes/default/static/style.css");
    let mut css = std::fs::read_to_string(&style).unwrap();
    css.push_str("\n.dossier-test-marker { color: red }\n");
    std::fs::write(&style, css).unwrap();
    events.expect("css");
    assert!(get(port, "/style.css").body.contains("dossier-test-marker"));

    // serve never touched public/.
    assert_eq!(
        std::fs::read_to_string(root.join("public/keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_dir(root.join("public")).unwrap().count(), 1);
}

#[test]
fn refuses_paths_outside_the_site() {
    let dir = fixture();
    let srv = start(dir.path(), &[]);
    for bad in [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/stories/../../secret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/%00",
        "/C:/Windows/win.ini",
        "/../site.yaml",
        "/content/sources.yaml",
        "/site.yaml",
        "/public/keep.txt",
    ] {
        let r = get(srv.port, bad);
        assert!(
            r.status == 400 || r.status == 404,
            "{bad}: status {}",
            r.status
        );
        assert!(!r.body.contains("top secret"), "{bad}");
        assert!(!r.body.contains("root:"), "{bad}");
        assert!(!r.body.contains("base_url"), "{bad}");
    }
}

#[test]
fn many_concurrent_clients() {
    let dir = fixture();
    let srv = start(dir.path(), &[]);
    let port = srv.port;
    let threads: Vec<_> = (0..20)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..25 {
                    let target = match (t + i) % 4 {
                        0 => "/",
                        1 => "/stories/routes/",
                        2 => "/style.css",
                        _ => "/nothing-here/",
                    };
                    let r = get(port, target);
                    let want = if target == "/nothing-here/" { 404 } else { 200 };
                    assert_eq!(r.status, want, "{target}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn port_in_use_is_a_clear_error() {
    let dir = fixture();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("serve")
        .arg("--root")
        .arg(dir.path())
        .args(["--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");
    assert!(err.contains("--port 0"), "{err}");
}
