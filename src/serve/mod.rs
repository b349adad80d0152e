//! `dossier serve`: build in memory, serve with tiny_http, watch, rebuild incrementally,
//! live-reload open tabs. The user's public/ is never written or deleted.
//!
//! Threads: a few HTTP workers share one `Arc<Server>`; the main thread waits for debounced
//! file events and rebuilds; each rebuild swaps a complete new `Site` into `Shared` (double
//! buffering: a request sees the old site or the new one, never a half-built one).
//!
//! Limits (tiny_http is patched for them, see vendor/tiny_http/PATCHES.md): connections idle
//! for [`IDLE_TIMEOUT`] are closed; at most [`connection_cap`] are open, the longest idle one
//! making room for a new one and a 503 past that; a request's head must arrive within
//! [`HEAD_TIMEOUT`]; a write to a client that does not read fails after [`SEND_TIMEOUT`].

pub mod http;
pub mod rebuild;
pub mod reload;
pub mod watch;

use crate::diagnostics::Diagnostic;
use crate::model::Options;
use crate::site::{BuildOptions, Site};
use rebuild::{How, Rebuilder};
use std::collections::BTreeSet;
use std::io::{ErrorKind, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// What `dossier serve` was asked.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// What to build.
    pub model: Options,
    /// The port (0: any free one).
    pub port: u16,
    /// The address to listen on.
    pub bind: String,
    /// Open a browser.
    pub open: bool,
    /// Poll for changes instead of asking the system.
    pub poll: bool,
    /// Host names requests may use besides localhost and IP addresses (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

/// What requests see: the last good site, and the diagnostics of the last build if it failed.
pub struct Snapshot {
    /// The last site that built.
    pub site: Arc<Site>,
    /// The diagnostics of the last build, if it failed.
    pub error: Option<String>,
}

/// What every request handler and the rebuilder share.
pub struct Shared {
    current: RwLock<Arc<Snapshot>>,
    /// The open live-reload streams.
    pub hub: reload::Hub,
    /// The site folder, canonical: every file served from disk must lie inside it.
    pub root: PathBuf,
    /// The `Host`s answered.
    pub hosts: http::AllowedHosts,
}

impl Shared {
    /// The state of a server for `site` (and the overlay's `error`).
    pub fn new(
        site: Arc<Site>,
        error: Option<String>,
        root: PathBuf,
        hosts: http::AllowedHosts,
    ) -> Shared {
        Shared {
            current: RwLock::new(Arc::new(Snapshot { site, error })),
            hub: reload::Hub::default(),
            root,
            hosts,
        }
    }

    /// What requests see now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Serve `snap` from now on.
    pub fn swap(&self, snap: Snapshot) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snap);
    }
}

const WORKERS: usize = 8;

/// How long a write to a client may block (its socket buffer full because it stopped
/// reading) before it fails and the connection's thread is freed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// A connection that sends nothing for this long is closed (between requests: without an
/// answer; in the middle of a request's head: with a 408).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// A request's line and headers must arrive within this long of their first byte.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections at most, whatever the descriptor limit (each holds a thread).
pub const MAX_CONNECTIONS: usize = 1024;

/// Descriptors kept for the rest of the server: stdio, the watcher, files a rebuild reads.
const RESERVED_FDS: usize = 48;

/// The cap on open connections: what the descriptor limit leaves room for. Each connection
/// holds its socket and, while a file is sent, the file; up to 1.5 times the cap may be open
/// while idle ones that made room close.
pub fn connection_cap() -> usize {
    let fds = open_files_limit().unwrap_or(256);
    (fds.saturating_sub(RESERVED_FDS) / 3).clamp(8, MAX_CONNECTIONS)
}

/// The soft limit on open files (`ulimit -n`), on Linux; None elsewhere (macOS's default is
/// 256).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    match line["Max open files".len()..].split_whitespace().next()? {
        "unlimited" => Some(usize::MAX),
        n => n.parse().ok(),
    }
}

/// The limits every connection is held to.
pub fn connection_limits() -> tiny_http::ConnectionLimits {
    tiny_http::ConnectionLimits {
        max_connections: Some(connection_cap()),
        idle_timeout: Some(IDLE_TIMEOUT),
        head_timeout: Some(HEAD_TIMEOUT),
        write_timeout: Some(SEND_TIMEOUT),
        // tiny_http writes a response's head and body separately: with Nagle's algorithm a
        // keep-alive connection's next small write can wait for the peer's delayed ACK.
        nodelay: true,
    }
}

/// Why `--bind`/`--port` cannot be listened on, and what to do about it.
#[derive(Debug)]
pub struct ListenError {
    /// Why it could not listen.
    pub error: String,
    /// What to do about it.
    pub hint: String,
}

/// `--bind` without the brackets of an IPv6 address (`[::1]` as in a URL).
fn bind_address(bind: &str) -> &str {
    bind.strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or(bind)
}

/// The listening socket for `bind` (an IP address, bracketed or not, or a name of this
/// machine) and `port`, and the server on it.
pub fn listen(
    bind: &str,
    port: u16,
    limits: tiny_http::ConnectionLimits,
) -> Result<tiny_http::Server, ListenError> {
    let addr = bind_address(bind);
    let addrs: Vec<SocketAddr> = match (addr, port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            return Err(ListenError {
                error: e.to_string(),
                hint: "--bind takes an address of this machine: 127.0.0.1 (the default), ::1, \
                       or 0.0.0.0 to be reachable from the network"
                    .into(),
            });
        }
    };
    let mut last = None;
    for a in &addrs {
        match TcpListener::bind(a) {
            Ok(listener) => {
                return tiny_http::Server::from_listener_with(listener, None, limits).map_err(
                    |e| ListenError {
                        error: e.to_string(),
                        hint: "this is a bug in dossier; please report it".into(),
                    },
                );
            }
            Err(e) => last = Some((*a, e)),
        }
    }
    let Some((a, e)) = last else {
        return Err(ListenError {
            error: format!("`{bind}` names no address"),
            hint: "--bind takes an address of this machine such as 127.0.0.1 or ::1".into(),
        });
    };
    let hint = match e.kind() {
        ErrorKind::AddrInUse => {
            "another program (another dossier serve?) may use the port; pass --port 0 to pick a free one".to_string()
        }
        ErrorKind::AddrNotAvailable if a.is_ipv6() => format!(
            "{} is not an address of this machine (is IPv6 disabled?); try --bind 127.0.0.1",
            a.ip()
        ),
        ErrorKind::AddrNotAvailable => format!(
            "{} is not an address of this machine; try --bind 127.0.0.1 (or 0.0.0.0 for every address)",
            a.ip()
        ),
        ErrorKind::PermissionDenied if a.port() < 1024 => {
            "ports below 1024 need privileges; pass --port 1111 (the default) or --port 0".to_string()
        }
        _ => "pass --bind 127.0.0.1 and --port 0 to pick a free port on this machine".to_string(),
    };
    Err(ListenError {
        error: e.to_string(),
        hint,
    })
}

/// This machine's name, for links when the server listens on every address.
fn machine_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| {
            let out = std::process::Command::new("hostname").output().ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        })?;
    http::host_name(name.trim()).filter(|n| !n.contains(['[', ':']))
}

/// The host for the server's URL and the site's permalinks: the address it listens on, or this
/// machine's name when it listens on every address (`0.0.0.0`, `::`).
fn url_host(bind: &str, local: SocketAddr) -> String {
    let ip = local.ip();
    if ip.is_unspecified() {
        return machine_name().unwrap_or_else(|| "127.0.0.1".into());
    }
    if bind_address(bind).parse::<IpAddr>().is_err() {
        return bind.to_ascii_lowercase();
    }
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Print diagnostics to the terminal.
fn report(diags: &[Diagnostic]) {
    if !diags.is_empty() {
        eprintln!("{}", crate::diagnostics::report(diags));
    }
}

/// The diagnostics as the overlay shows them: as the terminal does.
pub fn diagnostics_text(diags: &[Diagnostic]) -> String {
    crate::diagnostics::report(diags)
}

/// `dossier serve`: build, serve, watch and rebuild until stopped; the exit code.
pub fn run(opts: ServeOptions) -> i32 {
    let Some(root) = site_root(&opts) else {
        return 1;
    };
    let Some((server, host, port, hosts)) = open(&opts) else {
        return 1;
    };
    let url = format!("http://{host}:{port}/");
    // Links and permalinks point at this server; pages are served from its root.
    let mut model = opts.model.clone();
    model.base_url = Some(format!("http://{host}:{port}"));
    model.relative = false;
    let mut rebuilder = Rebuilder::new(
        &root,
        BuildOptions {
            model,
            live_reload: true,
        },
    );
    let shared = Arc::new(first_build(&mut rebuilder, &root, hosts));
    start_workers(&server, &shared);

    let (tx, rx) = mpsc::channel();
    let mut links = watch::Links::default();
    let mut watcher = match watch::Watcher::start(&root, opts.poll, tx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "error: cannot watch {}: {e}\n  hint: try --poll",
                root.display()
            );
            return 1;
        }
    };
    links.scan(&root, &mut watcher);

    println!("serving at {url}");
    let _ = std::io::stdout().flush();
    eprintln!(
        "watching {} for changes{}; press Ctrl-C to stop",
        root.display(),
        if opts.poll { " (polling)" } else { "" }
    );
    if opts.open {
        std::thread::spawn(move || {
            if let Err(e) = open::that(&url) {
                eprintln!("cannot open a browser: {e}");
            }
        });
    }

    while let Ok(first) = rx.recv() {
        // Coalesce bursts (a save can be several events; a checkout many more).
        let mut paths: BTreeSet<PathBuf> = first.into_iter().collect();
        while let Ok(more) = rx.recv_timeout(Duration::from_millis(20)) {
            paths.extend(more);
        }
        let paths = links.aliases(paths.into_iter().collect());
        watcher.notice_new_folders(&root, &paths);
        let rels = relative_paths(&root, &paths);
        let rescan = links.changed(&paths);
        let outcome = rebuilder.apply(&rels);
        if rescan || outcome.as_ref().is_some_and(|o| o.how == How::Full) {
            links.scan(&root, &mut watcher);
        }
        if let Some(outcome) = outcome {
            publish(&shared, &outcome);
        }
    }
    0
}

/// The site's folder, canonical, if it is one (it holds site.yaml); else says why.
fn site_root(opts: &ServeOptions) -> Option<PathBuf> {
    let root = match opts.root.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "error: cannot open the site folder {}: {e}",
                opts.root.display()
            );
            return None;
        }
    };
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        eprintln!(
            "error: no site.yaml in {}\n  hint: run dossier in the site's folder or pass --root",
            root.display()
        );
        return None;
    }
    Some(root)
}

/// The listening server, the host name and port its URLs use, and the hosts it answers;
/// else says why not. Warns when it listens beyond this machine.
fn open(opts: &ServeOptions) -> Option<(Arc<tiny_http::Server>, String, u16, http::AllowedHosts)> {
    let server = match listen(&opts.bind, opts.port, connection_limits()) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            let shown = match bind_address(&opts.bind) {
                a if a.contains(':') => format!("[{a}]"),
                a => a.to_string(),
            };
            eprintln!(
                "error: cannot listen on {shown}:{}: {}\n  hint: {}",
                opts.port, e.error, e.hint
            );
            return None;
        }
    };
    let Some(local) = server.server_addr().to_ip() else {
        eprintln!("error: the server has no IP address");
        return None;
    };
    let host = url_host(&opts.bind, local);
    let mut names = opts.allow_hosts.clone();
    names.push(host.clone());
    names.push(opts.bind.clone());
    if !local.ip().is_loopback() {
        names.push(format!("{host}.local"));
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine on the network can read the preview{} and watch your edits as you save them\n  hint: leave out --bind (127.0.0.1, the default) to keep it on this machine",
            opts.bind,
            if opts.model.drafts {
                ", drafts included,"
            } else {
                ""
            }
        );
    }
    Some((server, host, local.port(), http::AllowedHosts::new(names)))
}

/// The first build: what requests see until the next (an empty site and the overlay when
/// it failed).
fn first_build(rebuilder: &mut Rebuilder, root: &Path, hosts: http::AllowedHosts) -> Shared {
    let started = std::time::Instant::now();
    match rebuilder.build_all() {
        Ok(site) => {
            report(&site.warnings);
            eprintln!(
                "built {} files in memory in {} ms",
                site.files.len(),
                started.elapsed().as_millis()
            );
            Shared::new(site, None, root.to_path_buf(), hosts)
        }
        Err(diags) => {
            report(&diags);
            eprintln!("build failed: fix the files above and the page reloads by itself");
            Shared::new(
                Arc::new(Site::default()),
                Some(diagnostics_text(&diags)),
                root.to_path_buf(),
                hosts,
            )
        }
    }
}

/// The HTTP workers, the event stream's pinger and the Ctrl-C handler.
fn start_workers(server: &Arc<tiny_http::Server>, shared: &Arc<Shared>) {
    for _ in 0..WORKERS {
        let server = server.clone();
        let shared = shared.clone();
        std::thread::spawn(move || {
            // recv fails only when the server is unblocked (it never is): no error ends a
            // worker (one that ended took its share of the requests with it).
            loop {
                match server.recv() {
                    Ok(req) => http::dispatch(req, &shared),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
    }
    let shared = shared.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(15));
            shared.hub.ping();
        }
    });
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nstopped");
        std::process::exit(0);
    });
}

/// A rebuild's result, served: the new site and a reload (or styles swapped), or the
/// overlay over the last good site.
fn publish(shared: &Shared, outcome: &rebuild::Outcome) {
    match &outcome.result {
        Ok(site) => {
            let newly_fixed = shared.snapshot().error.is_some();
            shared.swap(Snapshot {
                site: site.clone(),
                error: None,
            });
            if outcome.how != How::Assets {
                report(&site.warnings);
            }
            eprintln!("{}", outcome.summary());
            if outcome.css_only && !newly_fixed {
                shared.hub.send("css", "");
            } else {
                shared.hub.send("reload", "");
            }
        }
        Err(diags) => {
            report(diags);
            eprintln!("{}; the last good site is still served", outcome.summary());
            let text = diagnostics_text(diags);
            let site = shared.snapshot().site.clone();
            shared.swap(Snapshot {
                site,
                error: Some(text.clone()),
            });
            shared.hub.send(
                "build-error",
                &serde_json::to_string(&text).unwrap_or_default(),
            );
        }
    }
}

/// Root-relative, '/'-separated paths of the changed files under `root`.
pub fn relative_paths(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| p.strip_prefix(root).ok())
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpStream;
    use std::time::Instant;

    const SHORT: Duration = Duration::from_millis(300);

    /// A server with `max` connections and short timeouts; each request is answered "ok"
    /// unless its path is /hold, which is kept unanswered (a response still being written).
    fn server(
        max: usize,
    ) -> (
        Arc<tiny_http::Server>,
        u16,
        Arc<std::sync::Mutex<Vec<tiny_http::Request>>>,
    ) {
        let limits = tiny_http::ConnectionLimits {
            max_connections: Some(max),
            idle_timeout: Some(SHORT),
            head_timeout: Some(SHORT * 2),
            write_timeout: Some(SHORT),
            nodelay: true,
        };
        let server = Arc::new(listen("127.0.0.1", 0, limits).unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let held = Arc::new(std::sync::Mutex::new(Vec::new()));
        for _ in 0..4 {
            let (server, held) = (server.clone(), held.clone());
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    if req.url() == "/hold" {
                        held.lock().unwrap().push(req);
                    } else {
                        let _ = req.respond(tiny_http::Response::from_string("ok"));
                    }
                }
            });
        }
        (server, port, held)
    }

    fn connect(port: u16) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Sends `req`, returns the status line of the answer ("" if the server closed first).
    fn status(s: &mut TcpStream, req: &str) -> String {
        s.write_all(req.as_bytes()).unwrap();
        let mut line = String::new();
        let _ = BufReader::new(s).read_line(&mut line);
        line.trim_end().to_string()
    }

    const GET: &str = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

    /// Whether the server has closed `s` (EOF) within 10 s.
    fn closed(s: &mut TcpStream) -> bool {
        let mut buf = [0u8; 64];
        matches!(s.read(&mut buf), Ok(0))
    }

    #[test]
    fn idle_connections_are_closed_without_an_answer() {
        let (_server, port, _) = server(16);
        let started = Instant::now();
        let mut idle = connect(port);
        assert!(closed(&mut idle), "an idle connection stayed open");
        assert!(started.elapsed() >= SHORT);
        // The same after a request, on a keep-alive connection.
        let mut s = connect(port);
        s.write_all(GET.as_bytes()).unwrap();
        let mut all = String::new();
        let _ = s.read_to_string(&mut all);
        assert!(all.starts_with("HTTP/1.1 200 OK"), "{all:?}");
        assert!(all.ends_with("\r\n\r\nok"), "{all:?}");
    }

    #[test]
    fn a_head_that_dribbles_in_gets_408() {
        let (_server, port, _) = server(16);
        let mut s = connect(port);
        let mut answer = String::new();
        for _ in 0..20 {
            if s.write_all(b"X").is_err() {
                break;
            }
            std::thread::sleep(SHORT / 3);
        }
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        assert!(answer.contains("Connection: close"), "{answer:?}");
    }

    #[test]
    fn at_the_cap_the_longest_idle_makes_room_then_503() {
        let (_server, port, held) = server(4);
        let mut idle: Vec<TcpStream> = (0..4).map(|_| connect(port)).collect();
        std::thread::sleep(Duration::from_millis(50));
        // A fifth: the first idle one is closed to make room, and the new one is answered.
        let mut fresh = connect(port);
        assert_eq!(status(&mut fresh, GET), "HTTP/1.1 200 OK");
        assert!(closed(&mut idle[0]), "the longest idle was not closed");
        drop(idle);
        drop(fresh);
        std::thread::sleep(Duration::from_millis(100));
        // Connections whose answers are still being written are not idle: with none idle at
        // the cap, the next one gets a clean 503.
        let mut busy: Vec<TcpStream> = Vec::new();
        for _ in 0..6 {
            let mut s = connect(port);
            s.write_all(b"GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            busy.push(s);
            std::thread::sleep(Duration::from_millis(30));
        }
        let mut late = connect(port);
        let mut answer = String::new();
        let _ = late.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
        assert!(answer.contains("Connection: close"), "{answer:?}");
        // Once they are answered, there is room again.
        held.lock().unwrap().clear();
        drop(busy);
        let started = Instant::now();
        loop {
            let mut s = connect(port);
            if status(&mut s, GET) == "HTTP/1.1 200 OK" {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no room again");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn brackets_and_hints() {
        let limits = tiny_http::ConnectionLimits::default;
        assert_eq!(bind_address("[::1]"), "::1");
        assert_eq!(bind_address("127.0.0.1"), "127.0.0.1");
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let hint = |bind: &str, port: u16| match listen(bind, port, limits()) {
            Ok(_) => panic!("listening on {bind}:{port}"),
            Err(e) => e.hint,
        };
        assert!(hint("127.0.0.1", port).contains("--port 0"));
        assert!(hint("not an address", 0).contains("--bind takes"));
        assert!(hint("192.0.2.1", 0).contains("not an address of this machine"));
        let local = SocketAddr::from(([127, 0, 0, 1], 1111));
        assert_eq!(url_host("127.0.0.1", local), "127.0.0.1");
        assert_eq!(url_host("LocalHost", local), "localhost");
        let v6: SocketAddr = "[::1]:1111".parse().unwrap();
        assert_eq!(url_host("[::1]", v6), "[::1]");
        let any = SocketAddr::from(([0, 0, 0, 0], 1111));
        assert_ne!(url_host("0.0.0.0", any), "0.0.0.0");
    }
}
