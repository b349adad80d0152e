//! Stage 4: writing a rendered site to disk, atomically and never over a user's files.
//!
//! The site is written into a staging folder beside the output and swapped in only when
//! complete. An output folder is replaced only if dossier's marker file is in it.

use crate::diagnostics::{Diagnostic, Span};
use crate::render::Output;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

pub const MARKER: &str = ".dossier-output";
const STAGING_PREFIX: &str = ".dossier-staging-";
const OLD_PREFIX: &str = ".dossier-old-";

fn error(out: &Path, msg: String, hint: &str) -> Diagnostic {
    Diagnostic::error(Span::file(out), msg).with_hint(hint)
}

fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    // Lexical normalisation; the folder may not exist yet.
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Refuse output folders whose replacement could destroy a user's files.
pub fn check_output_dir(root: &Path, out: &Path, force: bool) -> Result<(), Diagnostic> {
    let root_abs = fs::canonicalize(root).unwrap_or_else(|_| absolute(root));
    if fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(error(
            out,
            format!("output folder {} is a symlink", out.display()),
            "dossier does not replace symlinks; point --out at a real folder",
        ));
    }
    let out_abs = match fs::canonicalize(out) {
        Ok(p) => p,
        Err(_) => absolute(out),
    };
    if root_abs.starts_with(&out_abs) {
        return Err(error(
            out,
            format!(
                "output folder {} is the site folder or one of its ancestors",
                out.display()
            ),
            "choose a folder inside the site, such as public/ (the default)",
        ));
    }
    for inside in ["content", "themes", "templates", "static"] {
        if out_abs.starts_with(root_abs.join(inside)) {
            return Err(error(
                out,
                format!("output folder {} is inside {inside}/", out.display()),
                "the output must not live among the site's sources; use public/",
            ));
        }
    }
    if out_abs.is_file() {
        return Err(error(
            out,
            format!("output path {} is a file", out.display()),
            "point --out at a folder",
        ));
    }
    if out_abs.is_dir() && !out_abs.join(MARKER).is_file() && !force {
        let empty = fs::read_dir(&out_abs)
            .map(|mut r| r.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(error(
                out,
                format!("output folder {} was not created by dossier", out.display()),
                "dossier only replaces folders holding its marker file .dossier-output; move the folder away, pick another --out, or pass --force",
            ));
        }
    }
    Ok(())
}

/// Remove staging folders left by an interrupted build.
fn clean_leftovers(parent: &Path, name: &str) {
    if let Ok(rd) = fs::read_dir(parent) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if !(n.starts_with(&format!("{STAGING_PREFIX}{name}-"))
                || n.starts_with(&format!("{OLD_PREFIX}{name}-")))
            {
                continue;
            }
            if e.path().join(MARKER).is_file() {
                remove_tree(&e.path());
            } else {
                // Killed before its marker was written: empty, so safe (remove_dir
                // refuses a folder with anything in it).
                let _ = fs::remove_dir(e.path());
            }
        }
    }
}

/// Writes one output file (by path relative to the output root) into the staging folder.
pub type Put<'a> = dyn Fn(&str, &Output) -> Result<(), Diagnostic> + Sync + 'a;

/// Write `files` to `out`, replacing its previous content only when everything is written.
pub fn write_site(
    root: &Path,
    out: &Path,
    files: &BTreeMap<String, Output>,
    force: bool,
) -> Result<(), Diagnostic> {
    write_site_with(root, out, force, |put| {
        use rayon::prelude::*;
        files
            .par_iter()
            .try_for_each(|(path, o)| put(path, o))
            .map_err(|e| vec![e])
    })
    .map_err(|mut e| e.remove(0))
}

/// Write a site to `out` while `fill` produces it: `fill` hands each file to `put` (from any
/// thread), and the staging folder replaces `out` only if `fill` and every write succeed.
/// `dossier build` renders through this, so the whole site is never in memory at once.
pub fn write_site_with<T>(
    root: &Path,
    out: &Path,
    force: bool,
    fill: impl FnOnce(&Put) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    check_output_dir(root, out, force).map_err(|d| vec![d])?;
    let out_abs = absolute(out);
    let parent = out_abs
        .parent()
        .ok_or_else(|| {
            error(
                out,
                "output folder has no parent".into(),
                "use a folder such as public/",
            )
        })
        .map_err(|d| vec![d])?
        .to_path_buf();
    let name = out_abs
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into());
    fs::create_dir_all(&parent)
        .map_err(|e| {
            error(
                out,
                format!("cannot create {}: {e}", parent.display()),
                "check permissions",
            )
        })
        .map_err(|d| vec![d])?;
    clean_leftovers(&parent, &name);
    let stamp = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let staging = parent.join(format!("{STAGING_PREFIX}{name}-{stamp}"));
    let io = |e: std::io::Error, what: &Path| {
        error(
            out,
            format!("cannot write {}: {e}", what.display()),
            "check free space and permissions",
        )
    };
    fs::create_dir_all(&staging).map_err(|e| vec![io(e, &staging)])?;
    fs::write(
        staging.join(MARKER),
        "This folder is written by dossier and replaced on every build.\n",
    )
    .map_err(|e| vec![io(e, &staging)])?;
    let put = |path: &str, o: &Output| {
        let dest = staging.join(path);
        if let Some(d) = dest.parent() {
            fs::create_dir_all(d).map_err(|e| io(e, d))?;
        }
        match o {
            Output::Bytes(b) => fs::write(&dest, b).map_err(|e| io(e, &dest)),
            Output::Copy(src) => fs::copy(src, &dest).map(|_| ()).map_err(|e| io(e, &dest)),
        }
    };
    let value = match fill(&put) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // Swap: the old output is moved aside, the new one renamed in, the old one removed.
    if out_abs.exists() {
        let old = parent.join(format!("{OLD_PREFIX}{name}-{stamp}"));
        if !out_abs.join(MARKER).is_file() {
            // An empty folder (or --force): mark it so the leftover cleaner may remove it.
            let _ = fs::write(out_abs.join(MARKER), "");
        }
        if exchange(&staging, &out_abs).is_ok() {
            // One atomic step: no moment without an output folder. The staging folder now
            // holds the old site (with its marker, so an interrupted removal is cleaned up).
            remove_tree(&staging);
            return Ok(value);
        }
        fs::rename(&out_abs, &old).map_err(|e| vec![io(e, &out_abs)])?;
        if let Err(e) = fs::rename(&staging, &out_abs) {
            let _ = fs::rename(&old, &out_abs);
            return Err(vec![io(e, &out_abs)]);
        }
        remove_tree(&old);
    } else {
        fs::rename(&staging, &out_abs).map_err(|e| vec![io(e, &out_abs)])?;
    }
    Ok(value)
}

/// Remove a previous output folder, its top-level entries in parallel: on a big site
/// removing tens of thousands of page folders is kernel work that both cores can share.
/// Best effort, like `remove_dir_all`: an interrupted removal is finished by the next build
/// (`clean_leftovers`), as the folder keeps its marker file until last.
fn remove_tree(dir: &Path) {
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

/// Swap two directories atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Elsewhere the swap falls back to two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Rewrite root-relative `href`/`src`/`action` URLs of an HTML file at `file_path`
/// (e.g. `stories/routes/index.html`) into relative ones; directory URLs get `index.html`.
pub fn relativize(html: &str, file_path: &str, base_path: &str) -> String {
    let depth = file_path.matches('/').count();
    let up = "../".repeat(depth);
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    const PATTERNS: [&str; 4] = ["href=\"/", "src=\"/", "action=\"/", "data-root=\""];
    // Every attribute value starts at `="`: one forward scan finds them all.
    let next_match = |rest: &str| -> Option<(usize, &'static str)> {
        let mut from = 0;
        while let Some(k) = rest[from..].find("=\"") {
            let eq = from + k;
            for pat in PATTERNS {
                let name_len = pat.find('=').unwrap_or(0);
                if eq >= name_len
                    && rest.is_char_boundary(eq - name_len)
                    && rest[eq - name_len..].starts_with(pat)
                {
                    return Some((eq - name_len, pat));
                }
            }
            from = eq + 2;
        }
        None
    };
    while let Some((i, pat)) = next_match(rest) {
        let attr_len = pat.len() - if pat.ends_with('/') { 1 } else { 0 };
        out.push_str(&rest[..i + attr_len]);
        let after = &rest[i + attr_len..];
        let end = after.find('"').unwrap_or(after.len());
        let url = &after[..end];
        if pat == "data-root=\"" {
            // The site root, relative to this page, without a trailing slash.
            out.push_str(if up.is_empty() {
                "."
            } else {
                up.trim_end_matches('/')
            });
        } else if url.starts_with("//") {
            out.push_str(url);
        } else {
            let path = url
                .strip_prefix(base_path)
                .filter(|p| p.starts_with('/') || p.is_empty())
                .unwrap_or(url);
            let (p, frag) = match path.find(['#', '?']) {
                Some(k) => (&path[..k], &path[k..]),
                None => (path, ""),
            };
            let p = p.trim_start_matches('/');
            let mut rel = format!("{up}{p}");
            if rel.is_empty() || rel.ends_with('/') {
                rel.push_str("index.html");
            }
            out.push_str(&rel);
            out.push_str(frag);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_in_a_big_page() {
        let page: String = (0..20_000)
            .map(|i| format!("<a href=\"/p{i}/\" title=\"t\">x</a> "))
            .collect();
        let r = relativize(&page, "a/index.html", "");
        assert_eq!(r.matches("href=\"../p").count(), 20_000);
        assert!(r.contains("href=\"../p19999/index.html\" title=\"t\""));
    }

    #[test]
    fn relative_links() {
        let h = r#"<a href="/stories/x/#a">x</a><img src="/img.png"><a href="https://e.org/">e</a><html data-root="">"#;
        let r = relativize(h, "stories/index.html", "");
        assert_eq!(
            r,
            r#"<a href="../stories/x/index.html#a">x</a><img src="../img.png"><a href="https://e.org/">e</a><html data-root="..">"#
        );
        assert_eq!(
            relativize(r#"<a href="/sub/">h</a>"#, "index.html", "/sub"),
            r#"<a href="index.html">h</a>"#
        );
    }
}
