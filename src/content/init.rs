//! A new site (`dossier init`): the files of `starter/`, a small site that uses every kind of
//! input once (site.yaml, a home page, a section, a story with a figure whose quote is
//! verified against an archived article and a citation, the source registry, `.gitignore`)
//! and builds with the built-in theme.

use std::io::Write;
use std::path::{Path, PathBuf};

static STARTER: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/src/content/starter");

/// The new site's files: path in the site folder and bytes, sorted by path.
pub fn files() -> Vec<(&'static str, &'static [u8])> {
    super::theme::embedded_files(&STARTER)
}

/// Writes a new site into `dir` (made if missing). Nothing that exists is replaced: if any
/// of the files is there already, nothing is written and the error names every one. Returns
/// the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let files = files();
    let taken: Vec<String> = files
        .iter()
        .map(|(p, _)| dir.join(p))
        .filter(|p| p.symlink_metadata().is_ok())
        .map(|p| p.display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(format!(
            "{} already exist{}; dossier init never overwrites a file",
            taken.join(", "),
            if taken.len() == 1 { "s" } else { "" }
        ));
    }
    let mut written = Vec::new();
    for (path, bytes) in files {
        let to = dir.join(path);
        let made = to
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                // create_new: a file made since the check above is not replaced either.
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&to)
            })
            .and_then(|mut f| {
                written.push(to.clone());
                f.write_all(bytes)
            });
        if let Err(e) = made {
            // Take back what this call wrote (and only that), so that a retry starts clean.
            for f in &written {
                let _ = std::fs::remove_file(f);
            }
            return Err(format!("cannot write {}: {e}", to.display()));
        }
    }
    Ok(written)
}
