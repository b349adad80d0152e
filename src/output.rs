//! Stage 4: writing a rendered site to disk, atomically, deleting only files dossier wrote.
//!
//! `Target::prepare` resolves the output folder (every symlink followed), refuses the folders
//! no build may touch, takes the output's lock and reads the last build's manifest;
//! `Target::write` renders into a staging folder beside the output and swaps it in only when
//! complete. Of the previous output, only the files the manifest lists, unchanged, are
//! deleted: anything else is carried over into the new output or moved to a printed backup.

mod guard;
mod manifest;
mod swap;

use crate::diagnostics::{Diagnostic, Span};
use crate::render::Output;
use guard::{Lock, Place, error, show};
use manifest::{Backup, Entry, Marker};
use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use swap::{Swap, backup_notes};

pub use manifest::MARKER;

const STAGING_PREFIX: &str = ".dossier-staging-";
const OLD_PREFIX: &str = ".dossier-old-";

/// What the output folder held before this build.
#[derive(Debug)]
enum Old {
    /// Nothing, or an empty folder.
    Nothing,
    /// A previous build's output, with the files it wrote.
    Built(HashMap<String, Entry>),
    /// A folder to move aside whole, and why: `--force` on a folder that is not dossier's,
    /// or an output from before manifests.
    MoveAside(&'static str),
}

/// An output folder checked for a build and locked for it: the only way to write a site.
#[derive(Debug)]
pub struct Target {
    /// `--out` as the user spelled it, for messages.
    out: PathBuf,
    place: Place,
    old: Old,
    stamp: String,
    lock: Lock,
}

/// Writes one output file (by path relative to the output root) into the staging folder.
pub type Put<'a> = dyn Fn(&str, &Output) -> Result<(), Diagnostic> + Sync + 'a;

const MOUNT_HINT: &str = "dossier swaps a finished build in by renaming folders, which cannot replace a mount point; mount the folder above it and build into a subfolder (e.g. --out /mnt/site/public), or build into another folder and copy from there";

impl Target {
    /// Check `out` as the output of the site at `root` and lock it for one build; waits while
    /// another build holds the lock. Nothing is written or moved when this fails.
    pub fn prepare(root: &Path, out: &Path, force: bool) -> Result<Target, Diagnostic> {
        let cwd = std::env::current_dir()
            .and_then(fs::canonicalize)
            .map_err(|e| {
                error(
                    out,
                    format!("cannot read the current folder: {e}"),
                    "run dossier from a folder that exists",
                )
            })?;
        let place = guard::locate(out, &cwd)?;
        guard::refuse_place(root, &place, &cwd, out)?;
        let lock = Lock::acquire(&place, out).map_err(|e| {
            error(
                out,
                format!("cannot lock output folder {}: {e}", out.display()),
                "dossier takes a lock file beside the output folder (creating the folders on the way); check that they can be written",
            )
        })?;
        let old = inspect(&place, out, force)?;
        let stamp = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        Ok(Target {
            out: out.to_path_buf(),
            place,
            old,
            stamp,
            lock,
        })
    }

    /// Write a site while `fill` produces it: `fill` hands each file to `put` (from any
    /// thread), and the staging folder replaces the output only if `fill` and every write
    /// succeed. Returns `fill`'s value and warnings about the files dossier kept (carried
    /// over or backed up). `dossier build` renders through this, so the whole site is never
    /// in memory at once.
    pub fn write<T>(
        self,
        fill: impl FnOnce(&Put) -> Result<T, Vec<Diagnostic>>,
    ) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
        let Target {
            out,
            place,
            old,
            stamp,
            mut lock,
        } = self;
        let name = place.name.to_string_lossy().into_owned();
        let backup = Backup::new(backup_dir(&place));
        let mut notes = clean_leftovers(&place, &backup);
        let staging = place.parent.join(format!("{STAGING_PREFIX}{name}-{stamp}"));
        let io = |e: io::Error, what: &Path| {
            error(
                &out,
                format!("cannot write {}: {e}", what.display()),
                "check free space and permissions",
            )
        };
        fs::create_dir(&staging).map_err(|e| vec![io(e, &staging)])?;
        if let Err(e) = manifest::write_staging_marker(&staging) {
            let _ = fs::remove_dir_all(&staging);
            return Err(vec![io(e, &staging)]);
        }
        let entries = Mutex::new(Vec::new());
        let pause = pause_after();
        let put = |path: &str, o: &Output| {
            if path == MARKER {
                return Err(error(
                    &out,
                    format!("the site writes {MARKER}, dossier's own manifest file"),
                    "rename that file",
                ));
            }
            let dest = staging.join(path);
            if let Some(d) = dest.parent() {
                fs::create_dir_all(d).map_err(|e| io(e, d))?;
            }
            let entry = write_one(&dest, o).map_err(|e| io(e, &dest))?;
            let written = {
                let mut entries = lock_vec(&entries);
                entries.push((path.to_string(), entry));
                entries.len()
            };
            if pause == Some(written) {
                pause_here(&staging);
            }
            Ok(())
        };
        let value = match fill(&put) {
            Ok(v) => v,
            Err(mut e) => {
                manifest::remove_tree(&staging);
                e.append(&mut notes);
                e.extend(backup_notes(&out, &backup));
                return Err(e);
            }
        };
        let entries = entries.into_inner().unwrap_or_else(|e| e.into_inner());
        let swap = Swap {
            out: &out,
            place: &place,
            staging: &staging,
            aside: place.parent.join(format!("{OLD_PREFIX}{name}-{stamp}")),
            backup: &backup,
        };
        let result = swap.run(entries, old);
        notes.extend(backup_notes(&out, &backup));
        if result.is_ok() {
            lock.keep_folders();
        }
        drop(lock);
        match result {
            Ok(mut more) => {
                notes.append(&mut more);
                Ok((value, notes))
            }
            Err(mut e) => {
                e.append(&mut notes);
                Err(e)
            }
        }
    }
}

/// Write one file and measure it for the manifest.
fn write_one(dest: &Path, o: &Output) -> io::Result<Entry> {
    Ok(match o {
        Output::Bytes(b) => {
            let mut f = fs::File::create(dest)?;
            f.write_all(b)?;
            Entry {
                size: b.len() as u64,
                mtime: manifest::mtime(&f.metadata()?),
                hash: xxhash_rust::xxh3::xxh3_64(b),
            }
        }
        Output::Copy(src) => {
            fs::copy(src, dest)?;
            measure(dest)?
        }
    })
}

/// A file's manifest entry, read back from disk.
fn measure(p: &Path) -> io::Result<Entry> {
    let m = fs::metadata(p)?;
    Ok(Entry {
        size: m.len(),
        mtime: manifest::mtime(&m),
        hash: manifest::hash_file(p)?,
    })
}

fn lock_vec<T>(m: &Mutex<Vec<T>>) -> std::sync::MutexGuard<'_, Vec<T>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the output folder holds now, and whether this build may replace it.
fn inspect(place: &Place, out: &Path, force: bool) -> Result<Old, Diagnostic> {
    let shown = show(out, place);
    let m = match fs::symlink_metadata(&place.dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Old::Nothing),
        Err(e) => {
            return Err(error(
                out,
                format!("cannot read output folder {shown}: {e}"),
                "check permissions",
            ));
        }
    };
    if !m.is_dir() {
        return Err(error(
            out,
            format!("output path {shown} is a file"),
            "point --out at a folder",
        ));
    }
    if guard::is_mount_point(&place.dir, &place.parent) {
        return Err(error(
            out,
            format!(
                "output folder {shown} is a mount point (such as a Docker volume, a tmpfs or a bind mount)"
            ),
            MOUNT_HINT,
        ));
    }
    Ok(match Marker::read(&place.dir) {
        Marker::Manifest(listed) => Old::Built(listed),
        Marker::Legacy | Marker::Staging => {
            Old::MoveAside("written by a dossier from before manifests, which lists no files")
        }
        Marker::None => {
            let empty = fs::read_dir(&place.dir)
                .map(|mut r| r.next().is_none())
                .unwrap_or(false);
            if empty {
                Old::Nothing
            } else if place.parent.parent().is_none() {
                return Err(error(
                    out,
                    format!(
                        "output folder {shown} is a top-level folder of the file system and was not created by dossier"
                    ),
                    "dossier never builds into it, whatever the flags; pick a folder of its own for the output, such as public/ in the site folder (the default)",
                ));
            } else if force {
                Old::MoveAside("not created by dossier; --force")
            } else {
                return Err(error(
                    out,
                    format!("output folder {shown} was not created by dossier"),
                    "nothing was changed. dossier replaces only folders holding its manifest .dossier-output: pick another --out, move the folder away, or pass --force to have dossier move it aside into a backup folder beside it (nothing is deleted)",
                ));
            }
        }
    })
}

/// `<parent>/<name>.dossier-backup-<date>-<time>`, numbered if this second's is taken.
fn backup_dir(place: &Place) -> PathBuf {
    let now = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
    let name = place.name.to_string_lossy();
    let mut dir = place.parent.join(format!("{name}.dossier-backup-{now}"));
    let mut n = 1;
    while fs::symlink_metadata(&dir).is_ok() {
        n += 1;
        dir = place
            .parent
            .join(format!("{name}.dossier-backup-{now}-{n}"));
    }
    dir
}

/// Finish what builds killed mid-way left beside the output. With the output's lock held, no
/// live build owns them. A staging folder (all dossier's) is removed; an old output is
/// emptied like any previous output; anything without a marker is left alone.
fn clean_leftovers(place: &Place, backup: &Backup) -> Vec<Diagnostic> {
    let mut notes = Vec::new();
    let Ok(rd) = fs::read_dir(&place.parent) else {
        return notes;
    };
    let name = place.name.to_string_lossy();
    for e in rd.flatten() {
        let file_name = e.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let Some(rest) = n
            .strip_prefix(STAGING_PREFIX)
            .or_else(|| n.strip_prefix(OLD_PREFIX))
        else {
            continue;
        };
        // `<name>-<pid>-<nanos>`, the name exactly: public-2's leftovers are not public's.
        let mut parts = rest.rsplitn(3, '-');
        let digits = |s: Option<&str>| s.is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()));
        if !(digits(parts.next()) && digits(parts.next()) && parts.next() == Some(name.as_ref())) {
            continue;
        }
        let p = e.path();
        let gone = match Marker::read(&p) {
            Marker::Staging => {
                manifest::remove_tree(&p);
                !p.exists()
            }
            Marker::Manifest(listed) => manifest::dispose(&p, &listed, backup),
            Marker::Legacy => backup.keep(&p, n.trim_start_matches('.')),
            // Killed before its marker was written: empty, so safe (remove_dir refuses a
            // folder with anything in it).
            Marker::None => fs::remove_dir(&p).is_ok(),
        };
        if !gone && p.exists() {
            notes.push(
                Diagnostic::warning(
                    Span::file(&p),
                    format!("{} looks like a leftover of an interrupted build, but holds files dossier did not write; left alone", p.display()),
                )
                .with_hint("look through it and delete it yourself"),
            );
        }
    }
    notes
}

/// For tests of interrupted builds (tests/interrupted.rs): with `DOSSIER_TEST_PAUSE_AFTER=N`
/// in the environment, a build stops for good once it has written N files into its staging
/// folder, after saying so in `<staging>.paused`, so that a test can kill it exactly there
/// instead of racing to catch it while it writes.
fn pause_after() -> Option<usize> {
    std::env::var("DOSSIER_TEST_PAUSE_AFTER").ok()?.parse().ok()
}

fn pause_here(staging: &Path) -> ! {
    let mut flag = staging.as_os_str().to_os_string();
    flag.push(".paused");
    let _ = fs::write(&flag, b"");
    loop {
        std::thread::park();
    }
}
