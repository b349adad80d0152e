//! Watching the site's folders with notify, debounced. Folders are watched, never single
//! files (an editor's atomic save leaves a file watch silent); the root itself is watched
//! non-recursively for site.yaml and for folders that appear later.

use notify::{EventKind, RecursiveMode, event::AccessKind, event::AccessMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer, new_debouncer_opt,
};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// The folders under the root that hold a site's inputs.
pub const WATCHED: &[&str] = &["content", "templates", "static", "themes"];

/// Quiet time after a path's last event before its change is handled: long enough for an
/// editor's save (write a temporary file, rename it over the page: a few ms), short enough
/// that the tab reloads well within 150 ms of the save. 100 ms (with the debouncer's default
/// tick of a quarter of it) put 125 ms between a save and the reload event on its own.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// How often the debouncer looks for paths that have been quiet for `DEBOUNCE`.
const TICK: Duration = Duration::from_millis(10);

pub enum Watcher {
    Native(Debouncer<notify::RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<notify::PollWatcher, NoCache>),
}

/// Reads do not change anything (and the server reads static files on every request).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

impl Watcher {
    /// Start watching `root`; each debounced batch of changed paths goes to `tx`.
    pub fn start(root: &Path, poll: bool, tx: Sender<Vec<PathBuf>>) -> notify::Result<Watcher> {
        let handler = move |res: DebounceEventResult| match res {
            Ok(events) => {
                let paths: Vec<PathBuf> = events
                    .into_iter()
                    .filter(|e| is_change(&e.event.kind))
                    .flat_map(|e| e.event.paths.clone())
                    .collect();
                if !paths.is_empty() {
                    let _ = tx.send(paths);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("watch error: {e}");
                }
            }
        };
        let mut w = if poll {
            let config = notify::Config::default()
                .with_poll_interval(Duration::from_millis(300))
                .with_compare_contents(false);
            Watcher::Poll(new_debouncer_opt::<_, notify::PollWatcher, NoCache>(
                DEBOUNCE,
                Some(TICK),
                handler,
                NoCache,
                config,
            )?)
        } else {
            Watcher::Native(new_debouncer(DEBOUNCE, Some(TICK), handler)?)
        };
        w.watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED {
            let d = root.join(dir);
            if d.is_dir() {
                w.watch(&d, RecursiveMode::Recursive)?;
            }
        }
        Ok(w)
    }

    pub fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        }
    }

    /// After `changed` under `root`: watch any of the site's folders that appeared.
    pub fn notice_new_folders(&mut self, root: &Path, changed: &[PathBuf]) {
        for p in changed {
            if p.parent() == Some(root)
                && p.is_dir()
                && p.file_name()
                    .is_some_and(|n| WATCHED.contains(&n.to_string_lossy().as_ref()))
            {
                let _ = self.watch(p, RecursiveMode::Recursive);
            }
        }
    }
}
