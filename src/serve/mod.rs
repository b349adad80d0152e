//! `dossier serve`: build in memory, serve with tiny_http, watch, rebuild incrementally,
//! live-reload open tabs. The user's public/ is never written or deleted.
//!
//! Threads: a few HTTP workers share one `Arc<Server>`; the main thread waits for debounced
//! file events and rebuilds; each rebuild swaps a complete new `Site` into `Shared` (double
//! buffering: a request sees the old site or the new one, never a half-built one).

pub mod http;
pub mod patch;
pub mod rebuild;
pub mod reload;
pub mod watch;

use crate::diagnostics::Diagnostic;
use crate::model::Options;
use crate::site::{BuildOptions, Site};
use rebuild::{How, Rebuilder};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub model: Options,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    pub poll: bool,
}

/// What requests see: the last good site, and the diagnostics of the last build if it failed.
pub struct Snapshot {
    pub site: Arc<Site>,
    pub error: Option<String>,
}

pub struct Shared {
    current: RwLock<Arc<Snapshot>>,
    pub hub: reload::Hub,
}

impl Shared {
    pub fn new(site: Arc<Site>, error: Option<String>) -> Shared {
        Shared {
            current: RwLock::new(Arc::new(Snapshot { site, error })),
            hub: reload::Hub::default(),
        }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn swap(&self, snap: Snapshot) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snap);
    }
}

const WORKERS: usize = 8;

/// How long a write to a client may block (its socket buffer full because it stopped
/// reading) before it fails and the connection's thread is freed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// The listening socket and its server. On Linux, accepted connections inherit the
/// listener's send timeout (`SO_SNDTIMEO`), which tiny_http has no setting for. (Not a
/// receive timeout: that one would also make `accept` time out, which stops tiny_http.)
fn listen(
    bind: &str,
    port: u16,
) -> Result<tiny_http::Server, Box<dyn std::error::Error + Send + Sync>> {
    let listener = std::net::TcpListener::bind((bind, port))?;
    tune_listener(&listener);
    tiny_http::Server::from_listener(listener, None)
}

/// Socket options for every connection (accepted sockets inherit them from the listening
/// socket on Linux): a send timeout, so that a client that stops reading cannot hold a
/// thread forever, and TCP_NODELAY.
#[cfg(target_os = "linux")]
fn tune_listener(listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    /// `T` must be the option's C type.
    fn set<T>(fd: i32, level: i32, name: i32, value: &T, what: &str) {
        // SAFETY: a valid socket, and a value of the size given.
        let r = unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                (value as *const T).cast(),
                std::mem::size_of::<T>() as libc::socklen_t,
            )
        };
        if r != 0 {
            eprintln!(
                "warning: cannot set {what}: {}",
                std::io::Error::last_os_error()
            );
        }
    }
    let fd = listener.as_raw_fd();
    let tv = libc::timeval {
        tv_sec: SEND_TIMEOUT.as_secs() as libc::time_t,
        tv_usec: 0,
    };
    set(
        fd,
        libc::SOL_SOCKET,
        libc::SO_SNDTIMEO,
        &tv,
        "a send timeout",
    );
    // tiny_http writes a response's head and body separately: with Nagle's algorithm a
    // keep-alive connection's next small write can wait for the peer's delayed ACK.
    let one: libc::c_int = 1;
    set(
        fd,
        libc::IPPROTO_TCP,
        libc::TCP_NODELAY,
        &one,
        "TCP_NODELAY",
    );
}

#[cfg(not(target_os = "linux"))]
fn tune_listener(_: &std::net::TcpListener) {}

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

fn host_for_url(bind: &str) -> String {
    if bind.contains(':') && !bind.starts_with('[') {
        format!("[{bind}]")
    } else {
        bind.to_string()
    }
}

pub fn run(opts: ServeOptions) -> i32 {
    let root = match opts.root.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "error: cannot open the site folder {}: {e}",
                opts.root.display()
            );
            return 1;
        }
    };
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        eprintln!(
            "error: no site.yaml in {}\n  hint: run dossier in the site's folder or pass --root",
            root.display()
        );
        return 1;
    }
    let host = host_for_url(&opts.bind);
    let server = match listen(&opts.bind, opts.port) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!(
                "error: cannot listen on {host}:{}: {e}\n  hint: another program (another dossier serve?) may use the port; pass --port 0 to pick a free one",
                opts.port
            );
            return 1;
        }
    };
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(opts.port);
    let url = format!("http://{host}:{port}/");

    // Links and permalinks point at this server; pages are served from its root.
    let mut model = opts.model.clone();
    model.base_url = Some(format!("http://{host}:{port}"));
    model.relative = false;
    let build_opts = BuildOptions {
        model,
        live_reload: true,
    };
    let mut rebuilder = Rebuilder::new(&root, build_opts);
    let started = std::time::Instant::now();
    let shared = Arc::new(match rebuilder.build_all() {
        Ok(site) => {
            report(&site.warnings);
            eprintln!(
                "built {} files in memory in {} ms",
                site.files.len(),
                started.elapsed().as_millis()
            );
            Shared::new(site, None)
        }
        Err(diags) => {
            report(&diags);
            eprintln!("build failed: fix the files above and the page reloads by itself");
            Shared::new(Arc::new(Site::default()), Some(diagnostics_text(&diags)))
        }
    });

    for _ in 0..WORKERS {
        let server = server.clone();
        let shared = shared.clone();
        std::thread::spawn(move || {
            while let Ok(req) = server.recv() {
                http::dispatch(req, &shared);
            }
        });
    }
    {
        let shared = shared.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(15));
                shared.hub.ping();
            }
        });
    }
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nstopped");
        std::process::exit(0);
    });

    let (tx, rx) = mpsc::channel();
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

    println!("serving at {url}");
    let _ = std::io::stdout().flush();
    eprintln!(
        "watching {} for changes{}; press Ctrl-C to stop",
        root.display(),
        if opts.poll { " (polling)" } else { "" }
    );
    if opts.open {
        let url = url.clone();
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
        let paths: Vec<PathBuf> = paths.into_iter().collect();
        watcher.notice_new_folders(&root, &paths);
        let rels = relative_paths(&root, &paths);
        let Some(outcome) = rebuilder.apply(&rels) else {
            continue;
        };
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
    0
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn accepted_connections_inherit_the_socket_options() {
        // Without TCP_NODELAY each response after the first on a keep-alive connection
        // waited ~40 ms for the client's delayed ACK (tiny_http writes head and body apart).
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        tune_listener(&listener);
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.nodelay().unwrap());
        assert_eq!(accepted.write_timeout().unwrap(), Some(SEND_TIMEOUT));
    }
}
