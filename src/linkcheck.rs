//! The one link check of a rendered site: every URL of every page (Markdown links, images,
//! raw HTML, templates; relative, root-relative, or absolute to the site's own base URL)
//! must name a file the build writes, and its fragment an id of that page; and a page's ids
//! are unique. `build`, `check` and `serve` all run it on what they render, before the site
//! is published or served.
//!
//! Pages are scanned one by one as they are rendered (`scan`, from any thread), and what
//! must be remembered of each is small: its ids and the distinct URLs it links to, interned.
//! `broken` then resolves every URL once all files are known.

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use std::collections::{HashMap, HashSet};

/// What a page's HTML holds that the check needs, before interning.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Its ids, sorted and distinct.
    ids: Vec<String>,
    /// Ids that appear more than once.
    duplicates: Vec<String>,
    /// The distinct URLs it links to.
    urls: Vec<String>,
}

/// Scan one page's HTML.
pub fn scan(html: &str) -> Scan {
    let mut ids = Vec::new();
    let mut urls = Vec::new();
    for a in crate::html::attributes(html) {
        if a.name == "id" {
            ids.push(a.value.into_owned());
        } else if crate::html::is_url_attribute(&a.name) {
            urls.extend(
                crate::html::urls(&a.name, &a.value)
                    .into_iter()
                    .map(str::to_string),
            );
        }
    }
    ids.sort_unstable();
    let mut duplicates: Vec<String> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0].clone())
        .collect();
    duplicates.dedup();
    ids.dedup();
    urls.sort_unstable();
    urls.dedup();
    Scan {
        ids,
        duplicates,
        urls,
    }
}

/// A page as remembered: interned ids and URLs.
#[derive(Debug, Default)]
struct Page {
    ids: Vec<u32>,
    duplicates: Vec<String>,
    urls: Vec<u32>,
}

/// Every file of a rendered site and the links of its pages.
#[derive(Debug, Default)]
pub struct LinkCheck {
    /// `https://example.org/sub`: absolute URLs under it are the site's own.
    base_url: String,
    /// `/sub`, or "" at a domain root.
    base_path: String,
    strings: HashMap<Box<str>, u32, foldhash::fast::FixedState>,
    names: Vec<Box<str>>,
    files: HashSet<String>,
    pages: HashMap<String, Page>,
    /// What `broken` found last, kept for the pages whose result cannot have changed since.
    found: std::sync::Mutex<Found>,
}

/// The findings of each page with any, and what has changed since they were made.
#[derive(Debug, Default)]
struct Found {
    by_page: std::collections::BTreeMap<String, Vec<Finding>>,
    /// Pages whose own links changed (their targets did not).
    dirty: HashSet<String>,
    /// Whether every page must be checked again: a file came or went, or a page's ids
    /// changed (links from anywhere may resolve differently), or nothing was checked yet.
    checked: bool,
}

/// Why a URL of a page is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// It names no file of the site (`target` is the output path looked for).
    Missing {
        /// The output path looked for.
        target: String,
    },
    /// Its page has no such id (`ids` are those it has).
    Anchor {
        /// The page it links to.
        target: String,
        /// The id it asks for.
        anchor: String,
        /// The ids that page has.
        ids: Vec<String>,
    },
    /// A root-relative URL outside the site's base path (a warning: not checked).
    Outside,
    /// The page has this id more than once.
    DuplicateId(String),
}

/// One broken URL (or duplicate id) of one page, by the page's output path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The page's output path.
    pub page: String,
    /// The URL as the page writes it.
    pub url: String,
    /// What is wrong.
    pub problem: Problem,
}

impl LinkCheck {
    /// A check for a site published at `base_url` (its path part is `base_path`).
    pub fn new(base_url: &str, base_path: &str) -> LinkCheck {
        LinkCheck {
            base_url: base_url.trim_end_matches('/').to_string(),
            base_path: base_path.trim_end_matches('/').to_string(),
            ..Default::default()
        }
    }

    fn intern(&mut self, s: String) -> u32 {
        if let Some(&i) = self.strings.get(s.as_str()) {
            return i;
        }
        let i = self.names.len() as u32;
        let s: Box<str> = s.into();
        self.names.push(s.clone());
        self.strings.insert(s, i);
        i
    }

    /// A file the site has (pages too: `page` adds them).
    pub fn file(&mut self, path: &str) {
        if self.files.insert(path.to_string()) {
            self.found_mut().checked = false;
        }
    }

    fn found_mut(&mut self) -> &mut Found {
        self.found.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// A page of the site with what `scan` found in it; replaces what was known of `path`.
    pub fn page(&mut self, path: &str, scan: Scan) {
        let mut ids: Vec<u32> = scan.ids.into_iter().map(|s| self.intern(s)).collect();
        ids.sort_unstable();
        let urls = scan.urls.into_iter().map(|s| self.intern(s)).collect();
        let same_ids = self.pages.get(path).is_some_and(|p| p.ids == ids);
        let found = self.found_mut();
        if same_ids {
            found.dirty.insert(path.to_string());
        } else {
            found.checked = false;
        }
        self.files.insert(path.to_string());
        self.pages.insert(
            path.to_string(),
            Page {
                ids,
                duplicates: scan.duplicates,
                urls,
            },
        );
    }

    /// Whether the site has the file `path`.
    pub fn has(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// `path` is no longer part of the site.
    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
        self.pages.remove(path);
        self.found_mut().checked = false;
    }

    /// Every broken URL and duplicate id, by page path and then URL. Only the pages that
    /// changed since the last call are checked again, unless a file came or went or a
    /// page's ids changed (`serve` patches a few pages of a big site at a time).
    pub fn broken(&self) -> Vec<Finding> {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        let found = &mut *found;
        if !found.checked {
            found.by_page.clear();
            found.dirty = self.pages.keys().cloned().collect();
            found.checked = true;
        }
        for path in std::mem::take(&mut found.dirty) {
            match self
                .pages
                .get(&path)
                .map(|page| self.findings_of(&path, page))
            {
                Some(f) if !f.is_empty() => {
                    found.by_page.insert(path, f);
                }
                _ => {
                    found.by_page.remove(&path);
                }
            }
        }
        found.by_page.values().flatten().cloned().collect()
    }

    /// The broken URLs and duplicate ids of one page, by URL.
    fn findings_of(&self, path: &str, page: &Page) -> Vec<Finding> {
        let mut out = Vec::new();
        for id in &page.duplicates {
            out.push(Finding {
                page: path.to_string(),
                url: format!("#{id}"),
                problem: Problem::DuplicateId(id.clone()),
            });
        }
        let mut urls: Vec<&str> = page
            .urls
            .iter()
            .map(|&u| &*self.names[u as usize])
            .collect();
        urls.sort_unstable();
        for url in urls {
            if let Some(problem) = self.check(path, url) {
                out.push(Finding {
                    page: path.to_string(),
                    url: url.to_string(),
                    problem,
                });
            }
        }
        out
    }

    /// What is wrong with `url` on the page at `page`, if anything.
    fn check(&self, page: &str, url: &str) -> Option<Problem> {
        let url = url.trim();
        let own = url.strip_prefix(self.base_url.as_str()).filter(|rest| {
            !self.base_url.is_empty() && (rest.is_empty() || rest.starts_with(['/', '#', '?']))
        });
        let rooted;
        let url = match own {
            Some(rest) => {
                rooted = format!(
                    "{}{}",
                    self.base_path,
                    if rest.is_empty() { "/" } else { rest }
                );
                rooted.as_str()
            }
            None => url,
        };
        if url.starts_with("//") || has_scheme(url) {
            return None;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or("");
        let site_path = if path.is_empty() {
            // `#x` or `?q`: this page.
            page.to_string()
        } else if let Some(abs) = path.strip_prefix('/') {
            let rest = if self.base_path.is_empty() {
                Some(abs)
            } else {
                let bp = &self.base_path[1..];
                abs.strip_prefix(bp)
                    .filter(|r| r.is_empty() || r.starts_with('/'))
                    .map(|r| r.trim_start_matches('/'))
            };
            match rest {
                Some(r) => decode(r),
                None => return Some(Problem::Outside),
            }
        } else {
            let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
            let trailing = path.ends_with('/');
            match crate::markdown::join(dir, &decode(path)) {
                Some(mut p) => {
                    if trailing && !p.is_empty() && !p.ends_with('/') {
                        p.push('/');
                    }
                    p
                }
                None => {
                    return Some(Problem::Missing {
                        target: path.to_string(),
                    });
                }
            }
        };
        let target = if site_path.is_empty() || site_path.ends_with('/') {
            format!("{site_path}index.html")
        } else if self.files.contains(&site_path) {
            site_path
        } else {
            // A folder without its slash: static hosts (and `serve`) redirect.
            let folder = format!("{site_path}/index.html");
            if !self.files.contains(&folder) {
                return Some(Problem::Missing { target: site_path });
            }
            folder
        };
        if !self.files.contains(&target) {
            return Some(Problem::Missing { target });
        }
        let fragment = decode(fragment.unwrap_or(""));
        if fragment.is_empty() || fragment == "top" {
            return None;
        }
        let p = self.pages.get(&target)?;
        let has = self
            .strings
            .get(fragment.as_str())
            .is_some_and(|i| p.ids.binary_search(i).is_ok());
        if has {
            return None;
        }
        Some(Problem::Anchor {
            target,
            ids: p
                .ids
                .iter()
                .map(|&i| self.names[i as usize].to_string())
                .collect(),
            anchor: fragment,
        })
    }
}

fn has_scheme(url: &str) -> bool {
    url.find(':').is_some_and(|i| {
        i > 0
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Where a broken URL was written: the Markdown of the page (its position), else the
/// template that rendered it.
pub trait Locate {
    /// The span of `url` in the Markdown of the page at output path `page`, if it wrote it.
    fn in_markdown(&self, page: &str, url: &str) -> Option<Span>;
    /// The span of `needle` in a template that renders the page at `page`, or the start of
    /// that page's template.
    fn in_template(&self, page: &str, needle: &str) -> Span;
    /// The span of an id in the page's Markdown source, if it gives it.
    fn id_in_markdown(&self, page: &str, id: &str) -> Option<Span>;
    /// The heading ids of the page at `page`, if its content is Markdown.
    fn headings(&self, page: &str) -> Option<Vec<String>>;
}

/// The findings as diagnostics, each at the best position `locate` knows.
pub fn diagnostics(findings: &[Finding], base_path: &str, locate: &dyn Locate) -> Vec<Diagnostic> {
    let shown = |page: &str| {
        let url = page.strip_suffix("index.html").unwrap_or(page);
        format!("{base_path}/{url}")
    };
    findings
        .iter()
        .map(|f| {
            let at = || {
                locate
                    .in_markdown(&f.page, &f.url)
                    .unwrap_or_else(|| locate.in_template(&f.page, &f.url))
            };
            match &f.problem {
                Problem::Missing { target } => Diagnostic::error(
                    at(),
                    format!("broken link `{}` on {}: the site has no {target}", f.url, shown(&f.page)),
                )
                .with_hint(
                    "link to a page as `@/path/to/page.md`, to a file beside the page by its name, or to a URL the site has (see the output folder)",
                ),
                Problem::Anchor {
                    target,
                    anchor,
                    ids,
                } => {
                    let headings = locate.headings(target).filter(|h| !h.is_empty());
                    let near = headings
                        .as_ref()
                        .and_then(|h| did_you_mean(anchor, h.iter().map(String::as_str)))
                        .or_else(|| did_you_mean(anchor, ids.iter().map(String::as_str)));
                    Diagnostic::error(
                        at(),
                        format!("broken anchor `#{anchor}` in link `{}` on {}", f.url, shown(&f.page)),
                    )
                    .with_hint(match (near, headings) {
                        (Some(n), _) => format!("did you mean `#{n}`? (an id on {})", shown(target)),
                        (None, Some(h)) => format!("the headings of {}: {}", shown(target), h.join(", ")),
                        (None, None) => format!("{} has no element with id `{anchor}`", shown(target)),
                    })
                }
                Problem::Outside => Diagnostic::warning(
                    at(),
                    format!(
                        "link `{}` on {} is outside the site (base path `{base_path}`): not checked",
                        f.url,
                        shown(&f.page)
                    ),
                )
                .with_hint(format!(
                    "links into the site start with `{base_path}/`, or are written `@/path/to/page.md`"
                )),
                Problem::DuplicateId(id) => Diagnostic::error(
                    locate
                        .id_in_markdown(&f.page, id)
                        .unwrap_or_else(|| locate.in_template(&f.page, &format!("id=\"{id}\""))),
                    format!("id `{id}` appears more than once on {}", shown(&f.page)),
                )
                .with_hint(
                    "ids must be unique on a page (links to it go to the first): give the heading or footnote another id, e.g. `## Title {#other-id}`",
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> LinkCheck {
        let mut c = LinkCheck::new("https://x.org/sub", "/sub");
        c.file("style.css");
        c.file("img/a b.png");
        c.page(
            "index.html",
            scan(r#"<a href="/sub/a/">a</a><a id="top-id" href="a/#h">b</a>"#),
        );
        c.page(
            "a/index.html",
            scan(r#"<h2 id="h">H</h2><a href="../style.css">s</a><img src="/sub/img/a%20b.png"><a href="https://x.org/sub/a/#h">c</a><a href="https://y.org/z">e</a><a href="mailto:x@y">m</a>"#),
        );
        c
    }

    #[test]
    fn good_links_pass() {
        assert_eq!(site().broken(), vec![]);
    }

    #[test]
    fn broken_files_anchors_and_duplicates_are_found() {
        let mut c = site();
        c.page(
            "b/index.html",
            scan(r##"<a href="#nope">x</a><a href="/sub/a/#hh">y</a><a href="../missing.png">z</a><a href="/other/">o</a><p id="d"></p><p id="d"></p><a href="https://x.org/sub/gone/">g</a><a href="/sub/a">r</a>"##),
        );
        let problems: Vec<(String, Problem)> =
            c.broken().into_iter().map(|f| (f.url, f.problem)).collect();
        assert_eq!(
            problems,
            vec![
                ("#d".into(), Problem::DuplicateId("d".into())),
                (
                    "#nope".into(),
                    Problem::Anchor {
                        target: "b/index.html".into(),
                        anchor: "nope".into(),
                        ids: vec!["d".into()]
                    }
                ),
                (
                    "../missing.png".into(),
                    Problem::Missing {
                        target: "missing.png".into()
                    }
                ),
                ("/other/".into(), Problem::Outside),
                (
                    "/sub/a/#hh".into(),
                    Problem::Anchor {
                        target: "a/index.html".into(),
                        anchor: "hh".into(),
                        ids: vec!["h".into()]
                    }
                ),
                (
                    "https://x.org/sub/gone/".into(),
                    Problem::Missing {
                        target: "gone/index.html".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_removed_page_breaks_links_to_it() {
        let mut c = site();
        c.remove("a/index.html");
        assert_eq!(c.broken().len(), 2, "{:?}", c.broken());
    }
}
