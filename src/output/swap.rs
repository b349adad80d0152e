//! The last step of a build: the staging folder takes the output's place, the files of the
//! previous output that are not dossier's are carried over or backed up, and what happened
//! is put in words.

use super::guard::{Place, error, show};
use super::manifest::{self, Backup, Entry, NewSite};
use super::{MOUNT_HINT, Old, measure};
use crate::diagnostics::{Diagnostic, Span};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The last step of a build: the staging folder takes the output's place.
pub(super) struct Swap<'a> {
    pub out: &'a Path,
    pub place: &'a Place,
    pub staging: &'a Path,
    /// Where the previous output goes when the two folders cannot be exchanged in one step.
    pub aside: PathBuf,
    pub backup: &'a Backup,
}

impl Swap<'_> {
    /// Write the manifest of `entries` into the staging folder and swap it in for `old`.
    pub fn run(
        &self,
        entries: Vec<(String, Entry)>,
        old: Old,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let entries = self.dedup(entries).map_err(|e| self.abort(e, &[]))?;
        manifest::write_manifest(self.staging, &entries).map_err(|e| self.abort(e, &[]))?;
        let dir = &self.place.dir;
        match old {
            Old::Nothing => {
                if let Some(prev) = self.swap_in(&[])? {
                    // An empty folder; if something appeared in it meanwhile, it is kept.
                    if fs::remove_dir(&prev).is_err() {
                        self.backup.keep(&prev, "");
                    }
                }
                Ok(Vec::new())
            }
            Old::MoveAside(why) => {
                let mut notes = Vec::new();
                if let Some(prev) = self.swap_in(&[])?
                    && self.backup.keep(&prev, "")
                {
                    notes.push(
                        Diagnostic::warning(
                            Span::file(self.out),
                            format!(
                                "the previous contents of {} ({why}) were moved to {}",
                                show(self.out, self.place),
                                self.backup.dir.display()
                            ),
                        )
                        .with_hint("nothing was deleted; look through that folder and delete it when you no longer need it"),
                    );
                    // Reported here, not again as a list of moved files.
                    self.backup
                        .moved
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clear();
                }
                Ok(notes)
            }
            Old::Built(listed) => {
                let files: HashSet<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
                let dirs = manifest::folders_of(files.iter().copied());
                let new = NewSite {
                    files: &files,
                    dirs: &dirs,
                };
                let foreign = manifest::foreign_entries(dir, &listed, &new)
                    .map_err(|e| self.abort(e, &[]))?;
                let mut carried = Vec::with_capacity(foreign.len());
                for f in &foreign {
                    let to = self.staging.join(f);
                    let r = to
                        .parent()
                        .map_or(Ok(()), fs::create_dir_all)
                        .and_then(|()| fs::rename(dir.join(f), &to));
                    if let Err(e) = r {
                        return Err(self.abort(
                            io::Error::new(
                                e.kind(),
                                format!(
                                    "cannot move {} into the new output: {e}",
                                    dir.join(f).display()
                                ),
                            ),
                            &carried,
                        ));
                    }
                    carried.push(f.clone());
                }
                let prev = self.swap_in(&carried)?;
                if let Some(prev) = prev
                    && !manifest::dispose(&prev, &listed, self.backup)
                {
                    self.backup
                        .failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((
                            prev.display().to_string(),
                            io::Error::other("the previous output could not be emptied"),
                        ));
                }
                Ok(carried_notes(self.out, dir, &carried))
            }
        }
    }

    /// The entries sorted by path; a path written twice (the last write won, in whatever
    /// order the threads ran) is measured again from disk.
    fn dedup(&self, mut entries: Vec<(String, Entry)>) -> io::Result<Vec<(String, Entry)>> {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Entry)> = Vec::with_capacity(entries.len());
        for (p, e) in entries {
            match out.last_mut() {
                Some(last) if last.0 == p => last.1 = measure(&self.staging.join(&p))?,
                _ => out.push((p, e)),
            }
        }
        Ok(out)
    }

    /// Put the staging folder in the output's place; returns where the previous output
    /// folder now is. On failure the carried-over files go back and the staging copy is
    /// removed.
    fn swap_in(&self, carried: &[PathBuf]) -> Result<Option<PathBuf>, Vec<Diagnostic>> {
        let dir = &self.place.dir;
        if matches!(fs::symlink_metadata(dir), Err(e) if e.kind() == io::ErrorKind::NotFound) {
            return fs::rename(self.staging, dir)
                .map(|()| None)
                .map_err(|e| self.abort(e, carried));
        }
        match exchange(self.staging, dir) {
            // One atomic step: no moment without an output folder. The staging folder's name
            // now holds the previous output.
            Ok(()) => return Ok(Some(self.staging.to_path_buf())),
            Err(e) if !unsupported(&e) => return Err(self.abort(e, carried)),
            Err(_) => {}
        }
        fs::rename(dir, &self.aside).map_err(|e| self.abort(e, carried))?;
        if let Err(e) = fs::rename(self.staging, dir) {
            let _ = fs::rename(&self.aside, dir);
            return Err(self.abort(e, carried));
        }
        Ok(Some(self.aside.clone()))
    }

    /// Undo a failed swap: the carried-over files go back to the output, the staging copy
    /// is removed, and the error says why.
    fn abort(&self, e: io::Error, carried: &[PathBuf]) -> Vec<Diagnostic> {
        let dir = &self.place.dir;
        let mut stuck = Vec::new();
        for f in carried.iter().rev() {
            if let Err(err) = fs::rename(self.staging.join(f), dir.join(f)) {
                stuck.push(format!("{}: {err}", f.display()));
            }
        }
        let mut diags = vec![swap_error(self.out, self.place, &e)];
        if stuck.is_empty() {
            manifest::remove_tree(self.staging);
        } else {
            // Never removed with a user's files in it: the next build moves them to a backup.
            diags.push(error(
                self.out,
                format!(
                    "files that were in {} could not be put back and are in {}: {}",
                    dir.display(),
                    self.staging.display(),
                    stuck.join(", ")
                ),
                "move them back by hand; the next build otherwise moves them to a backup folder",
            ));
        }
        diags
    }
}

/// Why a swap failed, in words a user can act on.
fn swap_error(out: &Path, place: &Place, e: &io::Error) -> Diagnostic {
    let shown = show(out, place);
    use io::ErrorKind::*;
    match e.kind() {
        ResourceBusy | CrossesDevices => error(
            out,
            format!("cannot replace output folder {shown}: it is a mount point ({e})"),
            MOUNT_HINT,
        ),
        PermissionDenied | ReadOnlyFilesystem => error(
            out,
            format!(
                "cannot replace output folder {shown}: {e}; it (or the folder holding it) is read-only or immutable"
            ),
            "nothing was changed and the new build was removed; make the folder writable (chmod u+w, chattr -i, or remount it read-write), or pick another --out",
        ),
        _ => error(
            out,
            format!("cannot replace output folder {shown}: {e}"),
            "nothing was changed and the new build was removed; check free space and permissions",
        ),
    }
}

/// Warnings naming the files carried over from the previous output.
fn carried_notes(out: &Path, dir: &Path, carried: &[PathBuf]) -> Vec<Diagnostic> {
    const NAMED: usize = 10;
    const HINT: &str = "dossier keeps files it did not write; to publish it on purpose put it in static/ (then it is part of the site), else delete it";
    if carried.len() <= NAMED {
        return carried
            .iter()
            .map(|f| {
                Diagnostic::warning(
                    Span::file(out.join(f)),
                    "not written by dossier: carried over into the new output",
                )
                .with_hint(HINT)
            })
            .collect();
    }
    let names: Vec<String> = carried[..NAMED]
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    vec![
        Diagnostic::warning(
            Span::file(out),
            format!(
                "{} entries of {} are not files dossier wrote: carried over into the new output ({}, and {} more)",
                carried.len(),
                dir.display(),
                names.join(", "),
                carried.len() - NAMED
            ),
        )
        .with_hint(HINT),
    ]
}

/// Warnings about what went to the backup folder, or could not.
pub(super) fn backup_notes(out: &Path, backup: &Backup) -> Vec<Diagnostic> {
    const NAMED: usize = 10;
    let mut notes = Vec::new();
    let mut moved = backup
        .moved
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    moved.sort();
    if !moved.is_empty() {
        let mut names = moved[..moved.len().min(NAMED)].join(", ");
        if moved.len() > NAMED {
            names.push_str(&format!(", and {} more", moved.len() - NAMED));
        }
        notes.push(
            Diagnostic::warning(
                Span::file(out),
                format!(
                    "moved {} file{} to {}: {names}",
                    moved.len(),
                    if moved.len() == 1 { "" } else { "s" },
                    backup.dir.display()
                ),
            )
            .with_hint("they were edited after dossier wrote them, or are not dossier's and the new build writes the same path; nothing was deleted: look through that folder and delete it when done"),
        );
    }
    for (what, e) in backup
        .failed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        notes.push(
            Diagnostic::warning(
                Span::file(out),
                format!(
                    "could not move {what} to {}: {e}; it was left where it is",
                    backup.dir.display()
                ),
            )
            .with_hint("nothing was deleted; move it yourself"),
        );
    }
    notes
}

/// Whether a failed exchange means the system cannot do it (then two renames do instead).
fn unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if let Some(code) = e.raw_os_error() {
        use rustix::io::Errno;
        return [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP]
            .iter()
            .any(|x| x.raw_os_error() == code);
    }
    e.kind() == io::ErrorKind::Unsupported
}

/// Swap two directories atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Elsewhere the swap falls back to two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}
