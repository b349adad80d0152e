//! The manifest: what the last build wrote, so the next one deletes only those files, and
//! only while they are as dossier left them. Everything else is carried over or backed up.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

/// The manifest's file name, at the top of every output folder.
pub const MARKER: &str = ".dossier-output";
/// The first line of a manifest.
const HEADER: &str = "dossier-output 1";
/// The whole marker of a staging folder still being written: everything in it is dossier's.
const STAGING: &str = "dossier-staging 1\n";

/// Control characters and `%` are escaped, so a path is always one line.
const PATH_ESCAPES: &AsciiSet = &CONTROLS.add(b'%');

/// One file a build wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub size: u64,
    /// Modification time in nanoseconds since the epoch, right after the write.
    pub mtime: i128,
    /// xxh3-64 of the content: the check when a copy changed the mtime but not the bytes.
    pub hash: u64,
}

/// What a folder's marker says about it.
#[derive(Debug)]
pub enum Marker {
    /// No marker file.
    None,
    /// A staging folder (its every file is dossier's).
    Staging,
    /// A finished output and the files it holds, by path relative to the folder.
    Manifest(HashMap<String, Entry>),
    /// The marker of a dossier from before manifests: it lists nothing.
    Legacy,
}

impl Marker {
    pub fn read(dir: &Path) -> Marker {
        let Ok(text) = fs::read_to_string(dir.join(MARKER)) else {
            return if fs::symlink_metadata(dir.join(MARKER)).is_ok() {
                Marker::Legacy
            } else {
                Marker::None
            };
        };
        if text == STAGING {
            return Marker::Staging;
        }
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Marker::Legacy;
        }
        // A line cut short by a crash is skipped: its file then counts as not dossier's.
        let entries = lines
            .filter_map(|l| {
                let mut f = l.splitn(4, ' ');
                let hash = u64::from_str_radix(f.next()?, 16).ok()?;
                let size = f.next()?.parse().ok()?;
                let mtime = f.next()?.parse().ok()?;
                let path = percent_decode_str(f.next()?).decode_utf8().ok()?;
                Some((path.into_owned(), Entry { size, mtime, hash }))
            })
            .collect();
        Marker::Manifest(entries)
    }
}

/// Mark a new staging folder as dossier's.
pub fn write_staging_marker(dir: &Path) -> io::Result<()> {
    fs::write(dir.join(MARKER), STAGING)
}

/// Replace a staging folder's marker with the manifest of `entries` (sorted by path).
pub fn write_manifest(dir: &Path, entries: &[(String, Entry)]) -> io::Result<()> {
    let mut text = String::with_capacity(64 + entries.len() * 80);
    text.push_str(HEADER);
    text.push('\n');
    for (path, e) in entries {
        use std::fmt::Write;
        let _ = writeln!(
            text,
            "{:016x} {} {} {}",
            e.hash,
            e.size,
            e.mtime,
            utf8_percent_encode(path, PATH_ESCAPES)
        );
    }
    fs::write(dir.join(MARKER), text)
}

/// A file's modification time in nanoseconds since the epoch.
pub fn mtime(m: &fs::Metadata) -> i128 {
    match m.modified().map(|t| t.duration_since(UNIX_EPOCH)) {
        Ok(Ok(d)) => d.as_nanos() as i128,
        Ok(Err(e)) => -(e.duration().as_nanos() as i128),
        Err(_) => 0,
    }
}

/// xxh3-64 of a file's content.
pub fn hash_file(p: &Path) -> io::Result<u64> {
    let mut f = fs::File::open(p)?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(h.digest());
        }
        h.update(&buf[..n]);
    }
}

/// Whether the file at `p` is still the one dossier wrote as `e`.
fn unchanged(p: &Path, m: &fs::Metadata, e: &Entry) -> bool {
    m.is_file()
        && m.len() == e.size
        && (mtime(m) == e.mtime || hash_file(p).is_ok_and(|h| h == e.hash))
}

/// The folder that receives files dossier must not delete, beside the output; created on
/// first use. It records what went there so the build can say so.
pub struct Backup {
    pub dir: PathBuf,
    pub moved: Mutex<Vec<String>>,
    pub failed: Mutex<Vec<(String, io::Error)>>,
}

impl Backup {
    pub fn new(dir: PathBuf) -> Backup {
        Backup {
            dir,
            moved: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
        }
    }

    /// Move `from` to `<backup>/<rel>`; on failure it stays where it is (and is reported).
    /// An empty `rel` moves `from` as the backup folder itself.
    pub fn keep(&self, from: &Path, rel: &str) -> bool {
        let to = if rel.is_empty() {
            self.dir.clone()
        } else {
            self.dir.join(rel)
        };
        let r = to
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| {
                if fs::symlink_metadata(&to).is_ok() {
                    Err(io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        "already in the backup",
                    ))
                } else {
                    fs::rename(from, &to)
                }
            });
        match r {
            Ok(()) => {
                let what = if rel.is_empty() {
                    "(the whole folder)"
                } else {
                    rel
                };
                lock(&self.moved).push(what.to_string());
                true
            }
            Err(e) => {
                lock(&self.failed).push((from.display().to_string(), e));
                false
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `rel/name` as a manifest path, or `None` for a name that is not UTF-8 (never dossier's).
fn child(rel: &str, name: &std::ffi::OsStr) -> Option<String> {
    let name = name.to_str()?;
    Some(if rel.is_empty() {
        name.to_string()
    } else {
        format!("{rel}/{name}")
    })
}

/// Every folder that holds one of `paths` (at any depth), as manifest paths.
pub fn folders_of<'a>(paths: impl Iterator<Item = &'a str>) -> HashSet<String> {
    let mut dirs = HashSet::new();
    for p in paths {
        let mut end = p.len();
        while let Some(i) = p[..end].rfind('/') {
            if !dirs.insert(p[..i].to_string()) {
                break;
            }
            end = i;
        }
    }
    dirs
}

/// What the new build wrote, to find the old output's files that collide with it.
pub struct NewSite<'a> {
    pub files: &'a HashSet<&'a str>,
    pub dirs: &'a HashSet<String>,
}

/// The entries of the old output `dir` that are not dossier's and that the new build does not
/// collide with, as top-most relative paths (a folder holding nothing of dossier's moves as a
/// whole): they are carried over into the new output.
pub fn foreign_entries(
    dir: &Path,
    listed: &HashMap<String, Entry>,
    new: &NewSite,
) -> io::Result<Vec<PathBuf>> {
    use rayon::prelude::*;
    let listed_dirs = folders_of(listed.keys().map(String::as_str));
    let top: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    // Top-level entries in parallel, like `dispose`: reading 10k page folders is kernel work.
    let found: Vec<Vec<PathBuf>> = top
        .par_iter()
        .map(|e| {
            let mut out = Vec::new();
            foreign_in(e, "", &listed_dirs, listed, new, &mut out)?;
            Ok(out)
        })
        .collect::<io::Result<_>>()?;
    let mut out: Vec<PathBuf> = found.into_iter().flatten().collect();
    out.sort();
    Ok(out)
}

fn foreign_in(
    e: &fs::DirEntry,
    rel: &str,
    listed_dirs: &HashSet<String>,
    listed: &HashMap<String, Entry>,
    new: &NewSite,
    out: &mut Vec<PathBuf>,
) -> io::Result<()> {
    // Not UTF-8: never dossier's, and no path dossier writes can collide with it.
    let Some(r) = child(rel, &e.file_name()) else {
        out.push(Path::new(rel).join(e.file_name()));
        return Ok(());
    };
    if r == MARKER {
        return Ok(());
    }
    let collides = new.files.contains(r.as_str());
    if e.file_type()?.is_dir() {
        if collides {
            return Ok(()); // backed up by `dispose`
        }
        if listed_dirs.contains(&r) || new.dirs.contains(&r) {
            for c in fs::read_dir(e.path())? {
                foreign_in(&c?, &r, listed_dirs, listed, new, out)?;
            }
        } else {
            out.push(PathBuf::from(r));
        }
    } else if !listed.contains_key(&r) && !collides && !new.dirs.contains(&r) {
        out.push(PathBuf::from(r));
    }
    Ok(())
}

/// Empty the folder `dir` that held a finished output: a file the manifest lists and that is
/// unchanged is deleted; anything else goes to `backup`. The folder (and its manifest, kept
/// until last so an interrupted run is finished by the next build) is removed once empty.
/// Returns whether it is gone.
pub fn dispose(dir: &Path, listed: &HashMap<String, Entry>, backup: &Backup) -> bool {
    use rayon::prelude::*;
    let Ok(rd) = fs::read_dir(dir) else {
        return false;
    };
    // Top-level entries in parallel: removing tens of thousands of page folders is kernel
    // work both cores can share.
    let entries: Vec<fs::DirEntry> = rd.flatten().collect();
    entries.par_iter().for_each(|e| {
        if e.file_name() != MARKER {
            match child("", &e.file_name()) {
                Some(rel) => dispose_entry(e, &rel, listed, backup),
                None => {
                    let rel = e.file_name().to_string_lossy().into_owned();
                    backup.keep(&e.path(), &rel);
                }
            }
        }
    });
    let only_marker = fs::read_dir(dir)
        .map(|rd| rd.flatten().all(|e| e.file_name() == MARKER))
        .unwrap_or(false);
    only_marker && fs::remove_file(dir.join(MARKER)).is_ok() && fs::remove_dir(dir).is_ok()
}

/// One entry of a previous output (`rel` its manifest path). The entry's own file type and
/// metadata (read relative to its open folder) save a path lookup per file on big sites.
fn dispose_entry(e: &fs::DirEntry, rel: &str, listed: &HashMap<String, Entry>, backup: &Backup) {
    let p = e.path();
    let Ok(t) = e.file_type() else {
        return;
    };
    if t.is_dir() {
        if let Ok(rd) = fs::read_dir(&p) {
            for e in rd.flatten() {
                match child(rel, &e.file_name()) {
                    Some(r) => dispose_entry(&e, &r, listed, backup),
                    None => {
                        let r = format!("{rel}/{}", e.file_name().to_string_lossy());
                        backup.keep(&e.path(), &r);
                    }
                }
            }
        }
        // Still holding something (a move failed): it stays, and the build says so.
        let _ = fs::remove_dir(&p);
        return;
    }
    match (listed.get(rel), e.metadata()) {
        (Some(entry), Ok(m)) if unchanged(&p, &m, entry) => {
            let _ = fs::remove_file(&p);
        }
        _ => {
            backup.keep(&p, rel);
        }
    }
}

/// Remove a staging folder, whose every file dossier wrote: its top-level entries in
/// parallel, the marker last (so an interrupted removal is finished by the next build).
pub fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let entries: Vec<fs::DirEntry> = entries.flatten().collect();
    entries.par_iter().for_each(|e| {
        if e.file_name() == MARKER {
            return;
        }
        let _ = match e.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(e.path()),
            _ => fs::remove_file(e.path()),
        };
    });
    let _ = fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_what_was_written() {
        let t = tempfile::tempdir().unwrap();
        let e = Entry {
            size: 12,
            mtime: 1_700_000_000_123_456_789,
            hash: 0xdead_beef,
        };
        let entries = vec![
            ("a b/100%.html".to_string(), e.clone()),
            ("odd\nname\t.txt".to_string(), e.clone()),
        ];
        write_manifest(t.path(), &entries).unwrap();
        let Marker::Manifest(read) = Marker::read(t.path()) else {
            panic!("not a manifest");
        };
        assert_eq!(read.len(), 2);
        assert_eq!(read["a b/100%.html"], e);
        assert_eq!(read["odd\nname\t.txt"], e);
        write_staging_marker(t.path()).unwrap();
        assert!(matches!(Marker::read(t.path()), Marker::Staging));
        fs::write(t.path().join(MARKER), "anything else").unwrap();
        assert!(matches!(Marker::read(t.path()), Marker::Legacy));
    }

    #[test]
    fn folders_of_lists_every_ancestor() {
        let d = folders_of(["a/b/c.html", "a/d.html", "e.html"].into_iter());
        let mut d: Vec<_> = d.into_iter().collect();
        d.sort();
        assert_eq!(d, ["a", "a/b"]);
    }

    #[test]
    fn dispose_deletes_only_unchanged_listed_files() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("old");
        fs::create_dir_all(dir.join("p")).unwrap();
        let mut listed = HashMap::new();
        for (rel, text) in [("p/index.html", "page"), ("index.html", "home")] {
            fs::write(dir.join(rel), text).unwrap();
            let m = fs::metadata(dir.join(rel)).unwrap();
            let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
            let e = Entry {
                size: m.len(),
                mtime: mtime(&m),
                hash,
            };
            listed.insert(rel.to_string(), e);
        }
        // A copy with a new mtime but the same bytes is still dossier's.
        listed.get_mut("index.html").unwrap().mtime -= 1;
        fs::write(dir.join("p/mine.txt"), "mine").unwrap();
        write_manifest(&dir, &[]).unwrap();
        let backup = Backup::new(t.path().join("backup"));
        assert!(dispose(&dir, &listed, &backup));
        assert!(!dir.exists());
        assert_eq!(*backup.moved.lock().unwrap(), ["p/mine.txt"]);
        assert_eq!(
            fs::read_to_string(t.path().join("backup/p/mine.txt")).unwrap(),
            "mine"
        );
    }
}
