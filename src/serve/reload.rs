//! Live reload: a Server-Sent Events hub on the site's own port, and the script and error
//! overlay injected into served HTML.

use std::io::Write;
use std::sync::Mutex;

/// The SSE endpoint.
pub const EVENTS_PATH: &str = "/__dossier/events";

type Client = Box<dyn Write + Send>;

/// Open event streams. tiny_http's chunked responses buffer 8 KiB, so each stream is the
/// raw connection (`Request::into_writer`): we write the headers and every event ourselves.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Client>>,
}

impl Hub {
    /// Answer an event-stream request and keep the connection.
    pub fn subscribe(&self, mut w: Client) {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n: connected\n\n";
        if w.write_all(head.as_bytes()).and_then(|_| w.flush()).is_ok() {
            self.lock().push(w);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Client>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send an event to every open stream, dropping those that went away.
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
        self.lock()
            .retain_mut(|w| w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_ok());
    }

    pub fn clients(&self) -> usize {
        self.lock().len()
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

/// The live-reload script, and the overlay when the last build failed, before `</body>`.
pub fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    let style = serde_json::to_string(OVERLAY_STYLE).unwrap_or_default();
    let mut snippet = SCRIPT.replace("__STYLE__", &style);
    if let Some(e) = error {
        snippet.insert_str(0, &overlay(e));
    }
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
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
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert!(text.ends_with("event: build-error\ndata: a\ndata: b\n\n"));
        assert_eq!(hub.clients(), 1);
    }
}
