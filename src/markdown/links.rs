//! Where a page's links and images lead: `@/` paths, and paths relative to the page's file
//! (to a `.md` page or an asset beside it), are resolved against content/; every URL the
//! Markdown writes is remembered with its position for the link check.

use super::{Env, Missing};
use crate::diagnostics::{Diagnostic, Span, did_you_mean};

/// A URL the page's Markdown writes into its HTML (a link, an image, an attribute of raw
/// HTML), and where: the link check reports a broken one at the author's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// The URL as written into the HTML.
    pub url: String,
    /// Line of the Markdown that writes it.
    pub line: u32,
    /// Its column.
    pub col: u32,
}

pub(super) fn link_ref(url: &str, at: &Span) -> LinkRef {
    LinkRef {
        url: url.to_string(),
        line: at.line as u32,
        col: at.col as u32,
    }
}

/// A Markdown link or image destination as written into the HTML. `@/path` (a page, a
/// section's folder, an asset) is resolved against content/; so is a relative path to a
/// `.md` file or to an asset beside the page (`map.png`, `../img/map.png`), which would not
/// work from the page's URL as written. Anything else is left as written, for the link check
/// of the rendered site.
pub(super) fn destination(
    dest: &str,
    page: &str,
    env: &dyn Env,
    at: &Span,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let (target, relative) = match dest.strip_prefix("@/") {
        Some(t) => (t.to_string(), false),
        None if is_relative(dest) => {
            let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
            let (path, _) = split_suffix(dest);
            match join(dir, path) {
                Some(p) if !p.is_empty() => (format!("{p}{}", &dest[path.len()..]), true),
                _ => return dest.to_string(),
            }
        }
        None => return dest.to_string(),
    };
    let (path, suffix) = split_suffix(&target);
    if let Some(url) = env.resolve(path) {
        return format!("{url}{suffix}");
    }
    if relative && !path.ends_with(".md") {
        // Perhaps a URL relative to the page's URL; the link check says if it is broken.
        return dest.to_string();
    }
    let shown = if relative {
        dest.to_string()
    } else {
        format!("@/{path}")
    };
    match env.missing(path) {
        Missing::Broken => {}
        Missing::Draft => diags.push(
            Diagnostic::error(at.clone(), format!("link to `{shown}`, a draft"))
                .with_hint(format!("content/{path} has `draft: true`: it is published only with --drafts; link to it once it is ready")),
        ),
        Missing::Unknown => {
            let hint = match did_you_mean(path, env.known_paths()) {
                Some(s) => format!("did you mean `@/{s}`? Paths are relative to content/"),
                None => "internal links are `@/` + a path relative to content/, e.g. `@/stories/routes.md`, or a path relative to this page's file".into(),
            };
            diags.push(
                Diagnostic::error(at.clone(), format!("broken internal link `{shown}`: no such page or file content/{path}"))
                    .with_hint(hint),
            );
        }
    }
    dest.to_string()
}

/// The content path a link or image destination names (`@/img/a.png`, or `a.png` relative
/// to the page's file), without its query or fragment; None for any other URL.
pub(super) fn content_path(dest: &str, page: &str) -> Option<String> {
    let (path, _) = split_suffix(dest);
    if let Some(t) = path.strip_prefix("@/") {
        return Some(t.to_string());
    }
    if !is_relative(dest) {
        return None;
    }
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    join(dir, path).filter(|p| !p.is_empty())
}

/// A URL without a scheme, host, root or fragment at its start: relative to the page.
fn is_relative(url: &str) -> bool {
    let scheme = url.find(':').is_some_and(|i| {
        url[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            && i > 0
    });
    !(url.is_empty() || scheme || url.starts_with(['/', '#', '?']))
}

/// `path#frag` -> (`path`, `#frag`); the same for a query.
fn split_suffix(url: &str) -> (&str, &str) {
    let i = url.find(['#', '?']).unwrap_or(url.len());
    (&url[..i], &url[i..])
}

/// `rel` relative to the folder `dir` (both content-relative), `..` and `.` resolved; None
/// when it leaves content/.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let trailing = rel.ends_with('/');
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}
