//! Watching the site's folders with notify, debounced. Folders are watched, never single
//! files (an editor's atomic save leaves a file watch silent); the root itself is watched
//! non-recursively for site.yaml and for folders that appear later. Symlinks inside the site
//! are followed as a build follows them: see [`Links`].

use notify::{EventKind, RecursiveMode, event::AccessKind, event::AccessMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer, new_debouncer_opt,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// The folders under the root that hold a site's inputs.
pub const WATCHED: &[&str] = &crate::content::load::SITE_FOLDERS;

/// Quiet time after a path's last event before its change is handled: long enough for an
/// editor's save (write a temporary file, rename it over the page: a few ms), short enough
/// that the tab reloads well within 150 ms of the save. 100 ms (with the debouncer's default
/// tick of a quarter of it) put 125 ms between a save and the reload event on its own.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// How often the debouncer looks for paths that have been quiet for `DEBOUNCE`.
const TICK: Duration = Duration::from_millis(10);

/// The file watcher: the system's, or polling.
pub enum Watcher {
    /// inotify (or the system's own).
    Native(Debouncer<notify::RecommendedWatcher, RecommendedCache>),
    /// Polling (WSL, Docker, network drives).
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

    /// Watch one more path.
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

/// The symlinks in the site's folders that lead inside the site, and the folders watched for
/// them. notify watches a linked folder under the link's name, but inotify reports each event
/// under one name only (a folder watched by two names, through a link and by its own path,
/// reports it under the last one watched), and nothing watches the target of a link to a
/// file. So the folders that links lead to are watched too, and every changed path is also
/// reported under each name it has through the links: serve sees what a build would read.
#[derive(Debug, Default)]
pub struct Links {
    /// (link, canonical target), absolute.
    links: Vec<(PathBuf, PathBuf)>,
    /// Folders watched for links' targets (and whether recursively); never unwatched, since
    /// the same folder may be watched under another name too (one inotify watch).
    watched: BTreeSet<(PathBuf, bool)>,
}

impl Links {
    /// Scan `root`'s folders (`root` canonical) and watch where their links lead.
    pub fn scan(&mut self, root: &Path, watcher: &mut Watcher) {
        let mut links = Vec::new();
        for dir in WATCHED {
            let walk = walkdir::WalkDir::new(root.join(dir))
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0
                        || !crate::content::load::is_ignored(&e.file_name().to_string_lossy())
                });
            for e in walk.filter_map(Result::ok) {
                if !e.path_is_symlink() {
                    continue;
                }
                if let Ok(target) = e.path().canonicalize()
                    && target.starts_with(root)
                {
                    links.push((e.path().to_path_buf(), target));
                }
            }
        }
        for (_, target) in &links {
            let (dir, recursive) = if target.is_dir() {
                (target.as_path(), true)
            } else {
                (target.parent().unwrap_or(root), false)
            };
            if self.watched.insert((dir.to_path_buf(), recursive)) {
                let mode = if recursive {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                let _ = watcher.watch(dir, mode);
            }
        }
        self.links = links;
    }

    /// Whether a batch of changed paths may have made, removed or retargeted a link.
    pub fn changed(&self, paths: &[PathBuf]) -> bool {
        paths.iter().any(|p| {
            p.symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
                || self.links.iter().any(|(link, _)| p == link)
        })
    }

    /// `paths`, each also under every name it has through the links.
    pub fn aliases(&self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        if self.links.is_empty() {
            return paths;
        }
        let under = |base: &Path, rest: &Path| {
            if rest.as_os_str().is_empty() {
                base.to_path_buf()
            } else {
                base.join(rest)
            }
        };
        let mut out = BTreeSet::new();
        for p in paths {
            let real = self
                .links
                .iter()
                .find_map(|(link, target)| p.strip_prefix(link).ok().map(|r| under(target, r)))
                .unwrap_or_else(|| p.clone());
            for (link, target) in &self.links {
                if let Ok(rest) = real.strip_prefix(target) {
                    out.insert(under(link, rest));
                }
            }
            out.insert(real);
            out.insert(p);
        }
        out.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_seen_under_every_name() {
        let links = Links {
            links: vec![
                ("/s/content/media".into(), "/s/media".into()),
                ("/s/content/a.md".into(), "/s/shared/a.md".into()),
            ],
            ..Links::default()
        };
        let got = |p: &str| links.aliases(vec![PathBuf::from(p)]);
        assert_eq!(
            got("/s/media/x.png"),
            [
                PathBuf::from("/s/content/media/x.png"),
                "/s/media/x.png".into()
            ]
        );
        assert_eq!(
            got("/s/content/media/x.png"),
            [
                PathBuf::from("/s/content/media/x.png"),
                "/s/media/x.png".into()
            ]
        );
        assert_eq!(
            got("/s/shared/a.md"),
            [PathBuf::from("/s/content/a.md"), "/s/shared/a.md".into()]
        );
        assert_eq!(got("/s/content/b.md"), [PathBuf::from("/s/content/b.md")]);
        assert_eq!(
            got("/s/content/media"),
            [PathBuf::from("/s/content/media"), "/s/media".into()]
        );
    }
}
