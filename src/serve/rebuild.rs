//! Turns a batch of changed files into a new site: patch `Inputs` file by file, tell the
//! cache what changed, and render through `site::render`, the code path of `dossier build`,
//! which redoes only what a change touched (its fast paths and memo tables).
//!
//! | change                                   | work                                         |
//! |------------------------------------------|----------------------------------------------|
//! | a static file or content asset           | none: the served file list is patched        |
//! | one page's text below its front matter   | the last build is patched (`site/patch.rs`): |
//! |                                          | page's Markdown, the outputs that show it    |
//! | a page (edit, new, deleted, renamed)     | that page's front matter and Markdown; the   |
//! |                                          | outputs whose template context changed       |
//! | front matter that others see (title,     | every page's Markdown (its environment       |
//! | slug, figures), sources.yaml             | changed); outputs whose context changed      |
//! | a template                               | Markdown is reused; every output re-rendered |
//! | site.yaml, a folder, an unreadable file  | full reload from disk, caches dropped        |

use crate::cache::Stats;
use crate::content::load::{Inputs, Reloaded};
use crate::diagnostics::Diagnostic;
use crate::site::{self, BuildOptions, Cache, MemorySink, Rendered, Site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a batch of changes was rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Only static files changed; the site's file list was patched without rendering.
    Assets,
    /// One page's body changed; the last build was patched (see `site/patch.rs`).
    Patched,
    /// Pages, sources or templates: rebuilt from the patched inputs with the memo tables.
    Incremental,
    /// Everything reloaded from disk.
    Full,
}

/// What one batch of changes did.
#[derive(Debug)]
pub struct Outcome {
    /// The new site, or every diagnostic of the failed build.
    pub result: Result<Arc<Site>, Vec<Diagnostic>>,
    /// How it was rebuilt.
    pub how: How,
    /// Every changed file was a stylesheet (browsers can swap styles without reloading).
    pub css_only: bool,
    /// The changed files, root-relative.
    pub changed: Vec<String>,
    /// How long it took.
    pub elapsed: Duration,
    /// What the memo tables reused and redid.
    pub stats: Stats,
}

impl Outcome {
    /// One line for the terminal: what changed, what was redone, how long it took.
    pub fn summary(&self) -> String {
        let what = match self.changed.as_slice() {
            [one] => one.clone(),
            many => format!("{} files", many.len()),
        };
        let ms = self.elapsed.as_secs_f64() * 1000.0;
        let s = &self.stats;
        let status = if self.result.is_ok() {
            "rebuilt"
        } else {
            "build failed"
        };
        match self.how {
            How::Assets => format!("{what} changed: static files updated in {ms:.1} ms"),
            How::Patched => format!(
                "{what} changed: {status} in {ms:.1} ms (Markdown: 1 rendered; {} files rendered again, the rest kept)",
                s.files_patched
            ),
            How::Incremental | How::Full => format!(
                "{what} changed: {status}{} in {ms:.1} ms (Markdown: {} rendered, {} reused; templates: {} rendered, {} reused)",
                if self.how == How::Full {
                    " from disk"
                } else {
                    ""
                },
                s.markdown_renders,
                s.markdown_hits,
                s.template_renders,
                s.template_hits
            ),
        }
    }
}

/// Rebuilds the site as its files change.
pub struct Rebuilder {
    root: PathBuf,
    opts: BuildOptions,
    inputs: Option<Inputs>,
    /// Files that could not be read, by root-relative path: the build fails while any remain.
    load_errors: BTreeMap<String, Diagnostic>,
    cache: Cache,
    /// The last site that built.
    last: Option<Arc<Site>>,
}

impl Rebuilder {
    /// A rebuilder of the site at `root` (nothing is read until `build_all`).
    pub fn new(root: &Path, opts: BuildOptions) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            opts,
            inputs: None,
            load_errors: BTreeMap::new(),
            cache: Cache::new(),
            last: None,
        }
    }

    /// Load everything from disk and build.
    pub fn build_all(&mut self) -> Result<Arc<Site>, Vec<Diagnostic>> {
        self.cache.clear();
        self.load_errors.clear();
        self.inputs = None;
        self.inputs = Some(Inputs::load(&self.root)?);
        self.build().map(|(site, _)| site)
    }

    /// Render the inputs (see `site::render`: only what changed is redone).
    fn build(&mut self) -> Result<(Arc<Site>, Rendered), Vec<Diagnostic>> {
        if !self.load_errors.is_empty() {
            return Err(self.load_errors.values().cloned().collect());
        }
        let inputs = self.inputs.as_mut().expect("inputs are loaded");
        let sink = MemorySink::default();
        let report = site::render(inputs, &self.opts, &mut self.cache, &sink)?;
        let written = sink.into_files();
        let site = match (&self.last, &report.rendered) {
            (Some(last), Rendered::Patched | Rendered::Assets { .. }) => {
                last.after(&report, written)
            }
            _ => Site::default().after(&report, written),
        };
        let site = Arc::new(site);
        self.last = Some(site.clone());
        Ok((site, report.rendered))
    }

    /// Rebuild after `changed` (root-relative paths, '/'-separated) changed on disk, appeared
    /// or went away. None when none of them belongs to the site.
    pub fn apply(&mut self, changed: &[String]) -> Option<Outcome> {
        let started = Instant::now();
        let mut relevant = Vec::new();
        let mut full = self.inputs.is_none();
        let mut css_only = true;
        if let Some(inputs) = self.inputs.as_mut() {
            for path in changed {
                let reloaded = inputs.reload_file(path);
                if matches!(reloaded, Ok(Reloaded::Ignored)) {
                    continue;
                }
                if !matches!(&reloaded, Ok(Reloaded::Asset(a)) if a.ends_with(".css")) {
                    css_only = false;
                }
                if reloaded.is_ok() {
                    self.load_errors.remove(path);
                }
                match reloaded {
                    Ok(Reloaded::Ignored) => {}
                    Ok(Reloaded::Reload) => full = true,
                    Ok(Reloaded::Page(p)) if p.ends_with(".md") => self.cache.page_changed(&p),
                    Ok(Reloaded::Page(_)) | Ok(Reloaded::Sources) => self.cache.other_changed(),
                    Ok(Reloaded::Template(_)) => self.cache.template_changed(),
                    Ok(Reloaded::Asset(name)) => self.cache.asset_changed(&name),
                    Err(d) => {
                        self.load_errors.insert(path.clone(), d);
                        self.cache.other_changed();
                    }
                }
                relevant.push(path.clone());
            }
        } else {
            relevant = changed
                .iter()
                .filter(|p| {
                    let first = p.split('/').next().unwrap_or("");
                    (crate::content::load::SITE_FOLDERS.contains(&first)
                        || first == crate::config::CONFIG_FILE)
                        && !p.split('/').any(crate::content::load::is_ignored)
                })
                .cloned()
                .collect();
        }
        if relevant.is_empty() {
            return None;
        }
        let (how, result) = if full {
            (How::Full, self.build_all())
        } else {
            match self.build() {
                Ok((site, rendered)) => (
                    match rendered {
                        Rendered::All => How::Incremental,
                        Rendered::Patched => How::Patched,
                        Rendered::Assets { .. } => How::Assets,
                    },
                    Ok(site),
                ),
                // A failed fast path (a Markdown error in the edited page) is reported as a
                // patch; anything else as a rebuild.
                Err(d) => (How::Incremental, Err(d)),
            }
        };
        let stats = match how {
            How::Assets => Stats::default(),
            How::Patched => Stats {
                markdown_renders: 1,
                files_patched: self.cache.files_patched(),
                ..Stats::default()
            },
            How::Incremental | How::Full => self.cache.memo.stats,
        };
        Some(Outcome {
            result,
            how,
            css_only: css_only && !full,
            changed: relevant,
            elapsed: started.elapsed(),
            stats,
        })
    }
}
