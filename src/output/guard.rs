//! Where an output folder really is, the folders dossier refuses to build into whatever the
//! flags say, and the lock that serialises builds into one output.

use crate::diagnostics::{Diagnostic, Span};
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// An output folder, resolved: `parent` is canonical (every symlink followed), `dir` is
/// `parent/name` and is not a symlink.
#[derive(Debug, Clone)]
pub struct Place {
    pub dir: PathBuf,
    pub parent: PathBuf,
    pub name: OsString,
    /// `--out` made absolute lexically: where the user believes it is.
    pub named: PathBuf,
}

/// The version-control folders (and Fossil's checkout files) that mark a user's checkout.
const VCS: [&str; 10] = [
    ".git",
    ".hg",
    ".svn",
    "_darcs",
    ".fossil",
    ".fslckout",
    "_FOSSIL_",
    ".bzr",
    ".pijul",
    ".jj",
];

/// The site's source folders: an output among them would be published again, or swapped away.
const SOURCES: [&str; 4] = crate::content::load::SITE_FOLDERS;

pub fn error(out: &Path, msg: String, hint: &str) -> Diagnostic {
    Diagnostic::error(Span::file(out), msg).with_hint(hint)
}

/// A hint for the folders no flag unlocks: it never mentions `--force`.
const REFUSED: &str = "dossier never builds into this folder, whatever the flags; pick a folder of its own for the output, such as public/ in the site folder (the default)";

/// Resolve `out` as the kernel will: `link/`, `link/.`, `a/../b` and symlinked parents are
/// followed on the real file system, never lexically, so no spelling slips past a check.
pub fn locate(out: &Path, cwd: &Path) -> Result<Place, Diagnostic> {
    let abs = cwd.join(out);
    let mut named = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                named.pop();
            }
            Component::CurDir => {}
            c => named.push(c),
        }
    }
    match abs.components().next_back() {
        Some(Component::Normal(name)) => {
            let name = name.to_os_string();
            let parent_spec = abs.parent().unwrap_or(Path::new("/"));
            let parent = resolve(parent_spec).map_err(|e| {
                error(
                    out,
                    format!("cannot resolve output folder {}: {e}", out.display()),
                    "check that every folder on the way exists and that no symlink on it is broken",
                )
            })?;
            let dir = parent.join(&name);
            if let Ok(m) = fs::symlink_metadata(&dir)
                && m.file_type().is_symlink()
            {
                let to = fs::read_link(&dir).unwrap_or_default();
                return Err(error(
                    out,
                    format!(
                        "output folder {} is a symlink (to {})",
                        out.display(),
                        to.display()
                    ),
                    "dossier replaces its output folder on every build and never does that through a symlink; point --out at a real folder",
                ));
            }
            Ok(Place {
                dir,
                parent,
                name,
                named,
            })
        }
        // `..`, `/` or a drive: the folder exists (or the path is meaningless), canonicalise it.
        _ => {
            let dir = fs::canonicalize(&abs).map_err(|e| {
                error(
                    out,
                    format!("cannot resolve output folder {}: {e}", out.display()),
                    "point --out at a folder",
                )
            })?;
            match (dir.parent(), dir.file_name()) {
                (Some(parent), Some(name)) => Ok(Place {
                    parent: parent.to_path_buf(),
                    name: name.to_os_string(),
                    dir: dir.clone(),
                    named,
                }),
                _ => Err(error(
                    out,
                    format!("output folder {} is the file system's root", out.display()),
                    REFUSED,
                )),
            }
        }
    }
}

/// The canonical form of `p`: its existing part with every symlink followed, and the part
/// that does not exist yet appended (it will be created as plain folders).
fn resolve(p: &Path) -> io::Result<PathBuf> {
    let mut cur = PathBuf::new();
    let mut missing = 0usize;
    for c in p.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => cur.push(c),
            Component::CurDir => {}
            // `cur` is canonical, so its parent is `..`; a missing folder is just undone.
            Component::ParentDir => {
                missing = missing.saturating_sub(1);
                cur.pop();
            }
            Component::Normal(n) => {
                let next = cur.join(n);
                if missing > 0 {
                    missing += 1;
                    cur = next;
                    continue;
                }
                match fs::symlink_metadata(&next) {
                    Ok(m) if m.file_type().is_symlink() => {
                        cur = fs::canonicalize(&next).map_err(|e| {
                            io::Error::new(
                                e.kind(),
                                format!("{} is a broken symlink ({e})", next.display()),
                            )
                        })?;
                    }
                    Ok(_) => cur = next,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        missing = 1;
                        cur = next;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(cur)
}

/// `p` canonicalised if it exists, else as given.
fn canonical_or(p: &Path) -> PathBuf {
    fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The home folder as this process sees it (`$HOME` first: that is what `~` expands to).
fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(std::env::home_dir)
}

/// Refusals that depend only on where the folder is: checked before anything is written.
pub fn refuse_place(root: &Path, place: &Place, cwd: &Path, out: &Path) -> Result<(), Diagnostic> {
    let dir = &place.dir;
    let shown = show(out, place);
    let refuse = |what: String| Err(error(out, format!("output folder {shown} {what}"), REFUSED));
    let root = canonical_or(root);
    if root.starts_with(dir) {
        return refuse("is the site folder or one of its ancestors".into());
    }
    if let Some(home) = home().map(|h| canonical_or(&h))
        && home.starts_with(dir)
    {
        return refuse(if &home == dir {
            "is your home folder".into()
        } else {
            format!("is an ancestor of your home folder {}", home.display())
        });
    }
    if cwd.starts_with(dir) {
        return refuse("is the current folder or one of its ancestors".into());
    }
    // The image cache too: a build would swap it away, or publish it.
    let cache = crate::images::CACHE_DIR
        .split('/')
        .next()
        .unwrap_or_default();
    for inside in SOURCES.into_iter().chain([cache]) {
        let lexical = root.join(inside);
        let real = canonical_or(&lexical);
        if dir.starts_with(&lexical) || dir.starts_with(&real) {
            return refuse(format!("is inside {inside}/"));
        }
        if real.starts_with(dir) {
            return refuse(format!("holds the site's {inside}/ ({})", real.display()));
        }
    }
    if let Some(vcs) = VCS
        .iter()
        .find(|v| fs::symlink_metadata(dir.join(v)).is_ok())
    {
        return Err(error(
            out,
            format!("output folder {shown} holds {vcs}: it is a version-controlled checkout"),
            "dossier never builds into a checkout, whatever the flags (a build replaces the whole folder); build into a folder of its own, such as public/, and copy its files into the checkout",
        ));
    }
    Ok(())
}

/// `out` as the user spelled it, and where it resolves when a symlink takes it elsewhere.
pub fn show(out: &Path, place: &Place) -> String {
    if place.named == place.dir {
        out.display().to_string()
    } else {
        format!("{} (resolves to {})", out.display(), place.dir.display())
    }
}

/// Whether `dir` is a mount point: its own file system, or a bind mount of a folder.
#[cfg(target_os = "linux")]
pub fn is_mount_point(dir: &Path, parent: &Path) -> bool {
    use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
    if let Ok(st) = statx(CWD, dir, AtFlags::SYMLINK_NOFOLLOW, StatxFlags::BASIC_STATS)
        && st.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT)
    {
        return st.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
    }
    other_device(dir, parent)
}

/// Whether `dir` is a mount point of its own file system.
#[cfg(all(unix, not(target_os = "linux")))]
pub fn is_mount_point(dir: &Path, parent: &Path) -> bool {
    other_device(dir, parent)
}

#[cfg(unix)]
fn other_device(dir: &Path, parent: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(dir), fs::metadata(parent)) {
        (Ok(a), Ok(b)) => a.dev() != b.dev(),
        _ => false,
    }
}

/// Elsewhere a mount point shows up when the swap fails.
#[cfg(not(unix))]
pub fn is_mount_point(_: &Path, _: &Path) -> bool {
    false
}

/// An exclusive lock on `<parent>/.<name>.dossier-lock`, held while it lives: one build at a
/// time into an output folder. The file is removed when the lock is released, and so are the
/// folders created to hold it unless the build succeeded.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    _file: fs::File,
    /// Folders created for the output's parent, outermost first.
    created: Vec<PathBuf>,
}

impl Lock {
    /// Create the output's parent folder and take the lock, waiting (and saying so once)
    /// while another build holds it.
    pub fn acquire(place: &Place, out: &Path) -> io::Result<Lock> {
        let mut created = Vec::new();
        let mut p = place.parent.as_path();
        while fs::symlink_metadata(p).is_err() {
            created.push(p.to_path_buf());
            match p.parent() {
                Some(up) => p = up,
                None => break,
            }
        }
        created.reverse();
        fs::create_dir_all(&place.parent)?;
        let mut lock = Lock::take(place, out)?;
        lock.created = created;
        Ok(lock)
    }

    /// Keep the folders created for the output: it is in them now.
    pub fn keep_folders(&mut self) {
        self.created.clear();
    }

    fn take(place: &Place, out: &Path) -> io::Result<Lock> {
        let mut name = OsString::from(".");
        name.push(&place.name);
        name.push(".dossier-lock");
        let path = place.parent.join(name);
        let mut said = false;
        loop {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    if !said {
                        eprintln!("waiting for another build into {} ...", out.display());
                        said = true;
                    }
                    file.lock()?;
                }
                Err(fs::TryLockError::Error(e)) => return Err(e),
            }
            // The build we waited for removes the file before unlocking it: then our lock is
            // on a file nobody else will open, and we start over with a new one.
            if same_file(&file, &path) {
                return Ok(Lock {
                    path,
                    _file: file,
                    created: Vec::new(),
                });
            }
        }
    }
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere the lock file is never removed, so the one opened is the one in place.
#[cfg(not(unix))]
fn same_file(_: &fs::File, _: &Path) -> bool {
    true
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked (the file closes after this): see `acquire`.
        #[cfg(unix)]
        let _ = fs::remove_file(&self.path);
        // A failed build leaves no trace: `--root typo` does not create `typo/`. Only empty
        // folders go (remove_dir refuses others).
        for d in self.created.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_follows_symlinks_and_keeps_the_missing_tail() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::create_dir_all(base.join("real/sub")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("real"), base.join("link")).unwrap();
        assert_eq!(
            resolve(&base.join("real/./sub/../new/deeper")).unwrap(),
            base.join("real/new/deeper")
        );
        assert_eq!(
            resolve(&base.join("new/../real")).unwrap(),
            base.join("real")
        );
        #[cfg(unix)]
        {
            assert_eq!(
                resolve(&base.join("link/sub/x")).unwrap(),
                base.join("real/sub/x")
            );
            // `link/..` is the parent of the link's target, as the kernel sees it.
            assert_eq!(
                resolve(&base.join("link/sub/..")).unwrap(),
                base.join("real")
            );
            std::os::unix::fs::symlink(base.join("gone"), base.join("broken")).unwrap();
            assert!(resolve(&base.join("broken/x")).is_err());
        }
    }

    #[cfg(unix)]
    #[test]
    fn every_spelling_of_a_symlinked_output_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::create_dir_all(base.join("target")).unwrap();
        fs::create_dir_all(base.join("a")).unwrap();
        std::os::unix::fs::symlink(base.join("target"), base.join("link")).unwrap();
        for spelling in ["link", "link/", "link/.", "a/../link", "./link//"] {
            let e = locate(Path::new(spelling), &base).unwrap_err();
            assert!(e.message.contains("is a symlink"), "{spelling}: {e}");
        }
        let p = locate(Path::new("a/../new/"), &base).unwrap();
        assert_eq!(p.dir, base.join("new"));
    }
}
