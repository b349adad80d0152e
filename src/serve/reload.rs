//! Live reload: a Server-Sent Events hub on the site's own port, and the script and error
//! overlay injected into served HTML.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, LazyLock, Mutex};

/// The SSE endpoint.
pub const EVENTS_PATH: &str = "/__dossier/events";

type Client = Box<dyn Write + Send>;

/// Events that may wait for one stream. Its thread writes them as the client reads; a client
/// this far behind has stopped reading (a stalled tab), and is dropped.
pub const QUEUE: usize = 64;

/// One open stream: its queue, and the flag that tells its thread to stop.
struct Stream {
    tx: SyncSender<Arc<str>>,
    dropped: Arc<AtomicBool>,
}

/// Open event streams. tiny_http's chunked responses buffer 8 KiB, so each stream is the
/// raw connection (`Request::into_writer`): its thread writes the headers and every event.
/// Sending never blocks: an event is queued for each stream (shared, not copied), and a
/// stream whose queue is full is dropped. A client that stops reading holds only its own
/// thread and queue; its writes fail after the send timeout (`serve::SEND_TIMEOUT`).
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Stream>>,
}

const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n: connected\n\n";

impl Hub {
    /// Answer an event-stream request and keep the connection. If no thread can be made for
    /// it, the connection is closed (the browser retries).
    pub fn subscribe(&self, w: Client) {
        let (tx, rx) = sync_channel(QUEUE);
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = dropped.clone();
        let spawned = std::thread::Builder::new()
            .name("dossier-events".into())
            .stack_size(64 * 1024)
            .spawn(move || write_events(w, rx, &flag));
        if spawned.is_ok() {
            self.lock().push(Stream { tx, dropped });
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Stream>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send an event to every open stream, dropping those that went away or fell behind.
    pub fn send(&self, event: &str, data: &str) {
        let mut msg = format!("event: {event}\n");
        for line in data.split('\n') {
            msg.push_str("data: ");
            msg.push_str(line);
            msg.push('\n');
        }
        msg.push('\n');
        self.broadcast(&msg);
    }

    /// A comment line, to notice closed connections.
    pub fn ping(&self) {
        self.broadcast(": ping\n\n");
    }

    fn broadcast(&self, msg: &str) {
        let msg: Arc<str> = msg.into();
        self.lock().retain(|s| match s.tx.try_send(msg.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                s.dropped.store(true, Ordering::Relaxed);
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
    }

    /// How many streams are open.
    pub fn clients(&self) -> usize {
        self.lock().len()
    }
}

/// A stream's thread: the response head, then each event as it comes, until a write fails,
/// the hub drops the stream or the server stops.
fn write_events(mut w: Client, rx: Receiver<Arc<str>>, dropped: &AtomicBool) {
    if w.write_all(HEAD.as_bytes())
        .and_then(|_| w.flush())
        .is_err()
    {
        return;
    }
    for msg in rx {
        if dropped.load(Ordering::Relaxed)
            || w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_err()
        {
            return;
        }
    }
}

const SCRIPT: &str = r#"<script id="__dossier_live">(function(){
var es=new EventSource("/__dossier/events");
es.addEventListener("reload",function(){location.reload();});
es.addEventListener("css",function(){
document.querySelectorAll('link[rel="stylesheet"]').forEach(function(l){
var u=new URL(l.href);u.searchParams.set("__dossier",Date.now());
var n=l.cloneNode();n.href=u.href;n.onload=function(){l.remove();};l.after(n);});});
es.addEventListener("build-error",function(e){if(e.data===undefined)return;
var o=document.getElementById("__dossier_overlay");
if(!o){o=document.createElement("div");o.id="__dossier_overlay";document.body.appendChild(o);}
o.setAttribute("role","alert");o.setAttribute("style",__STYLE__);
o.innerHTML="<strong>dossier: the build failed</strong> (this page is the last good build; fix the files and it reloads)<pre style=\"white-space:pre-wrap;background:none;color:inherit;border:0;padding:0;margin:.5em 0 0;font-size:inherit\"></pre>";
o.querySelector("pre").textContent=JSON.parse(e.data);});
})();</script>"#;

const OVERLAY_STYLE: &str = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.5em;background:#2b0b0b;color:#ffe9e9;font:14px/1.45 ui-monospace,monospace;border-top:4px solid #e5484d";

/// The error overlay as HTML (also shown by the script after an `error` event).
pub fn overlay(diagnostics: &str) -> String {
    format!(
        "<div id=\"__dossier_overlay\" role=\"alert\" style=\"{OVERLAY_STYLE}\"><strong>dossier: the build failed</strong> (this page is the last good build; fix the files and it reloads)<pre style=\"white-space:pre-wrap;background:none;color:inherit;border:0;padding:0;margin:.5em 0 0;font-size:inherit\">{}</pre></div>",
        crate::html::escape(diagnostics)
    )
}

/// The live-reload script, with the overlay first when the last build failed.
pub fn snippet(error: Option<&str>) -> String {
    static PLAIN: LazyLock<String> = LazyLock::new(|| {
        let style = serde_json::to_string(OVERLAY_STYLE).unwrap_or_default();
        SCRIPT.replace("__STYLE__", &style)
    });
    match error {
        Some(e) => overlay(e) + PLAIN.as_str(),
        None => PLAIN.clone(),
    }
}

/// Where the snippet goes: before the last `</body>` (any case), or at the end.
pub fn injection_point(html: &[u8]) -> usize {
    html.windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len())
}

/// The live-reload script, and the overlay when the last build failed, before `</body>`.
pub fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    let snippet = snippet(error);
    let at = injection_point(html);
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_body_end() {
        let out = String::from_utf8(inject(b"<html><BODY>x</BODY></html>", None)).unwrap();
        assert!(out.contains("EventSource"));
        assert!(out.ends_with("</script></BODY></html>"));
        let out = String::from_utf8(inject(b"plain", Some("a <b> & c"))).unwrap();
        assert!(out.starts_with("plain<div id=\"__dossier_overlay\""));
        assert!(out.contains("a &lt;b&gt; &amp; c"));
    }

    #[test]
    fn multi_line_events() {
        struct Sink(std::sync::Arc<Mutex<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = std::sync::Arc::new(Mutex::new(Vec::new()));
        let hub = Hub::default();
        hub.subscribe(Box::new(Sink(buf.clone())));
        hub.send("build-error", "a\nb");
        let want = "event: build-error\ndata: a\ndata: b\n\n";
        let start = std::time::Instant::now();
        while !String::from_utf8_lossy(&buf.lock().unwrap()).ends_with(want) {
            assert!(start.elapsed().as_secs() < 10, "the event was not written");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(hub.clients(), 1);
    }

    #[test]
    fn a_stalled_client_never_blocks_send() {
        // A writer that blocks until released: a client that stopped reading.
        struct Stalled(std::sync::mpsc::Receiver<()>);
        impl Write for Stalled {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                let _ = self.0.recv();
                Err(std::io::ErrorKind::TimedOut.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let hub = Hub::default();
        let (release, rx) = std::sync::mpsc::channel();
        hub.subscribe(Box::new(Stalled(rx)));
        assert_eq!(hub.clients(), 1);
        // Far more events than the queue holds: each send returns at once, and the stream
        // that fell behind is dropped.
        for i in 0..QUEUE * 4 {
            hub.send("reload", &i.to_string());
        }
        assert_eq!(hub.clients(), 0);
        drop(release);
    }
}
