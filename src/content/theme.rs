//! The default theme, built into the binary from dossier's own `themes/default/`, so that a
//! new site builds without a copy of it. `theme: default` uses it unless the site has a
//! `themes/default/` folder; `dossier theme eject` writes it there to be customised.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The theme name that resolves to the built-in theme.
pub const NAME: &str = "default";

/// Where the built-in theme's files are said to be in diagnostics (a site has no such
/// folder: the name says what `dossier theme eject` would write).
pub const SHOWN: &str = "<built-in>/themes/default";

// include_dir rather than rust-embed: it embeds the same bytes in debug and release builds
// (rust-embed reads the folder from disk at run time in debug builds), and gives the tree
// as plain data, without the web-server helpers.
static THEME: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Every file of the built-in theme: its path in the theme (`templates/page.html`,
/// `static/style.css`) and its bytes, sorted by path. Editor droppings that were in the
/// folder when dossier was compiled are left out, as a build leaves them out.
pub fn files() -> Vec<(&'static str, &'static [u8])> {
    let mut out = embedded_files(&THEME);
    out.retain(|(p, _)| !p.split('/').any(super::load::is_ignored));
    out
}

/// Every file of an embedded folder, by its path inside it ('/' separators), sorted.
pub(super) fn embedded_files(
    root: &'static include_dir::Dir<'static>,
) -> Vec<(&'static str, &'static [u8])> {
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(d) => dirs.push(d),
                // Paths are UTF-8: they were string literals in the binary.
                include_dir::DirEntry::File(f) => {
                    if let Some(p) = f.path().to_str() {
                        out.push((p, f.contents()));
                    }
                }
            }
        }
    }
    out.sort();
    out
}

/// The files of the built-in theme under `folder` (`templates` or `static`), by their path
/// inside it.
pub fn files_in(folder: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> {
    let prefix = format!("{folder}/");
    files()
        .into_iter()
        .filter_map(move |(p, bytes)| p.strip_prefix(prefix.as_str()).map(|rest| (rest, bytes)))
}

/// One file of the built-in theme by its path in the theme (`templates/page.html`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    THEME.get_file(path).map(include_dir::File::contents)
}

/// Writes the built-in theme to `<root>/themes/default/`, which must not exist: the files
/// go to a hidden folder beside it first, which is then renamed into place, so the theme
/// appears whole or not at all, and nothing already there is ever replaced. Returns the
/// folder and the number of files.
pub fn eject(root: &Path) -> Result<(PathBuf, usize), String> {
    let themes = root.join("themes");
    let dest = themes.join(NAME);
    if dest.symlink_metadata().is_ok() {
        return Err(format!(
            "{} already exists; dossier never overwrites a theme",
            dest.display()
        ));
    }
    std::fs::create_dir_all(&themes)
        .map_err(|e| format!("cannot create {}: {e}", themes.display()))?;
    let staging = themes.join(format!(".{NAME}.dossier-eject-{}", std::process::id()));
    let written = write_all(&staging).and_then(|n| {
        // rename(2) would replace an empty folder made meanwhile; that loses nothing.
        std::fs::rename(&staging, &dest)
            .map(|()| n)
            .map_err(|e| format!("cannot move the theme into {}: {e}", dest.display()))
    });
    if written.is_err() {
        // Only the folder this call made, with the files it wrote.
        let _ = std::fs::remove_dir_all(&staging);
    }
    written.map(|n| (dest, n))
}

/// Every file of the theme under `dir` (a new folder); the number written.
fn write_all(dir: &Path) -> Result<usize, String> {
    std::fs::create_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let files = files();
    for (path, bytes) in &files {
        let to = dir.join(path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&to)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_theme_is_the_repository_s_default_theme() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = super::super::load::rel(e.path(), &dir);
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        let mut on_disk = on_disk;
        on_disk.sort();
        let built_in: Vec<(String, Vec<u8>)> = files()
            .into_iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        assert_eq!(built_in, on_disk);
        assert!(file("templates/page.html").is_some());
        assert!(files_in("templates").any(|(n, _)| n == "partials/toc.html"));
    }
}
