//! dossier patch (see PATCHES.md): the cap on open connections, which connection makes room
//! for a new one, and the clean 503 for those that find no room.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::connection::Connection;

/// The open connections of one server.
pub(crate) struct Tracker {
    max: Option<usize>,
    open: Mutex<Vec<Arc<Entry>>>,
    /// Notified when a connection closes.
    closed: Condvar,
}

/// One open connection.
pub(crate) struct Entry {
    /// Since when it has been waiting for a request (or the rest of one's head); None while
    /// a request is being read or the connection reads no more.
    waiting: Mutex<Option<Instant>>,
    /// When it was told to stop reading, to make room.
    evicted: Mutex<Option<Instant>>,
    conn: Mutex<Weak<Connection>>,
}

/// Held by everything that uses the connection; when the last holder lets go (the socket is
/// closed with it), the connection no longer counts.
pub(crate) struct Slot {
    tracker: Arc<Tracker>,
    entry: Arc<Entry>,
}

/// How long the accept loop waits for a connection told to stop reading to close. One that
/// is idle closes at once; one that takes longer is still writing a response.
const GRACE: Duration = Duration::from_millis(100);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Tracker {
    pub(crate) fn new(max: Option<usize>) -> Arc<Tracker> {
        Arc::new(Tracker {
            max,
            open: Mutex::new(Vec::new()),
            closed: Condvar::new(),
        })
    }

    /// A slot for a new connection, or None when there is no room. At the cap, the connection
    /// that has waited longest for a request (an idle keep-alive or one that dribbles its
    /// head) is told to stop reading: its thread sees EOF and lets go. Up to 1.5 times the
    /// cap may be open while such connections close; past that, the new one waits (up to
    /// `GRACE` after the last one was told) for one of them to close. When none waits for a
    /// request, there is no room.
    pub(crate) fn admit(self: &Arc<Self>) -> Option<Arc<Slot>> {
        let mut open = lock(&self.open);
        if let Some(max) = self.max {
            let hard = max + max / 2;
            while open.len() >= max {
                let victim = open
                    .iter()
                    .filter(|e| lock(&e.evicted).is_none())
                    .filter_map(|e| lock(&e.waiting).map(|since| (since, e)))
                    .min_by_key(|(since, _)| *since)
                    .map(|(_, e)| e.clone());
                if let Some(victim) = &victim {
                    victim.evict();
                    if open.len() < hard {
                        break;
                    }
                }
                let now = Instant::now();
                let until = open
                    .iter()
                    .filter_map(|e| *lock(&e.evicted))
                    .max()
                    .map(|t| t + GRACE)
                    .filter(|t| *t > now)?;
                open = self
                    .closed
                    .wait_timeout(open, until - now)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        let entry = Arc::new(Entry {
            waiting: Mutex::new(Some(Instant::now())),
            evicted: Mutex::new(None),
            conn: Mutex::new(Weak::new()),
        });
        open.push(entry.clone());
        Some(Arc::new(Slot {
            tracker: self.clone(),
            entry,
        }))
    }
}

impl Entry {
    fn evict(&self) {
        lock(&self.evicted).get_or_insert_with(Instant::now);
        if let Some(conn) = lock(&self.conn).upgrade() {
            let _ = conn.shutdown(Shutdown::Read);
        }
    }
}

impl Slot {
    /// The socket to shut when this connection is evicted.
    pub(crate) fn watch(&self, conn: Weak<Connection>) {
        *lock(&self.entry.conn) = conn;
        if lock(&self.entry.evicted).is_some() {
            self.entry.evict();
        }
    }

    /// The connection waits for a request (true) or reads one, or reads no more (false).
    pub(crate) fn set_waiting(&self, waiting: bool) {
        let mut w = lock(&self.entry.waiting);
        *w = match (waiting, *w) {
            (true, Some(since)) => Some(since),
            (true, None) => Some(Instant::now()),
            (false, _) => None,
        };
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.tracker.open).retain(|e| !Arc::ptr_eq(e, &self.entry));
        self.tracker.closed.notify_all();
    }
}

/// Answers the connections that find no room with a 503, on a thread of its own: it lingers
/// a moment after its answer to read what the client sent, since closing a socket with
/// unread data resets the connection and the client may never see the answer.
pub(crate) struct Rejecter {
    tx: Option<SyncSender<Connection>>,
}

const BUSY: &str = "503 service unavailable: too many open connections; retry in a moment\n";

impl Rejecter {
    pub(crate) fn new() -> Rejecter {
        let (tx, rx) = sync_channel::<Connection>(64);
        let spawned = std::thread::Builder::new()
            .name("tiny-http-busy".into())
            .spawn(move || {
                for conn in rx {
                    Self::answer(&conn);
                }
            });
        Rejecter {
            tx: spawned.ok().map(|_| tx),
        }
    }

    /// Queue `conn` for its 503 (closed at once when the queue is full).
    pub(crate) fn reject(&self, conn: Connection) {
        if let Some(tx) = &self.tx {
            let _ = tx.try_send(conn);
        }
    }

    fn answer(conn: &Connection) {
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{BUSY}",
            BUSY.len()
        );
        let limits = crate::ConnectionLimits {
            idle_timeout: Some(Duration::from_millis(20)),
            write_timeout: Some(Duration::from_millis(100)),
            ..Default::default()
        };
        conn.apply(&limits);
        let mut w = conn;
        if w.write_all(answer.as_bytes()).is_err() {
            return;
        }
        let _ = conn.shutdown(Shutdown::Write);
        // What the client has sent (or sends within 20 ms), up to 200 ms or 64 KiB: a client
        // that sends nothing is not waited for.
        let deadline = Instant::now() + Duration::from_millis(200);
        let mut buf = [0u8; 4096];
        let mut r = conn;
        let mut total = 0;
        while Instant::now() < deadline && total < 64 * 1024 {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    }
}
