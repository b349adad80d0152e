//! Serving the in-memory site: path checks, directory indexes and redirects, the site's 404
//! page, MIME types, HEAD, and the live-reload injection.

use super::Shared;
use super::reload::{self, EVENTS_PATH};
use crate::render::{Bytes, Output};
use crate::site::Site;
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// Requests being answered on threads of their own (see [`dispatch`]).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// Beyond this many, a worker answers the request itself (back-pressure).
const MAX_IN_FLIGHT: usize = 256;

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

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An output file, by its path in the site.
    File(String),
    /// A directory asked for without its trailing slash: the URL to redirect to.
    Redirect(String),
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
    let mut resp = Response::new(
        StatusCode(status),
        vec![
            header("Content-Type", content_type),
            header("Cache-Control", "no-store"),
            header("X-Content-Type-Options", "nosniff"),
        ],
        Cursor::new(body),
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

fn read(out: &Output) -> Option<Bytes> {
    match out {
        Output::Bytes(b) => Some(b.clone()),
        Output::Copy(p) => std::fs::read(p).ok().map(Bytes::from),
    }
}

pub fn handle(req: Request, shared: &Shared) {
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
        Resolved::File(path) => match site.files.get(&path).and_then(read) {
            Some(body) if path.ends_with(".html") => respond(
                req,
                200,
                &content_type(&path),
                reload::inject(&body, error),
                &[],
            ),
            Some(body) => respond(req, 200, &content_type(&path), body, &[]),
            None => not_found(req, site, error),
        },
        Resolved::NotFound => not_found(req, site, error),
    }
}

fn not_found(req: Request, site: &Site, error: Option<&str>) {
    let page = site
        .files
        .get("404.html")
        .and_then(read)
        .unwrap_or_else(|| {
            b"<!doctype html><title>404</title><body><h1>404: not found</h1></body>"
                .to_vec()
                .into()
        });
    respond(
        req,
        404,
        "text/html; charset=utf-8",
        reload::inject(&page, error),
        &[],
    );
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
