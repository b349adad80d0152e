//! Turns a batch of changed files into a new site: patch `Inputs` file by file, then rebuild
//! on the same code path as `dossier build` with the memo tables of `crate::incremental`, so
//! only what a change touched is parsed, rendered and templated again.
//!
//! | change                                   | work                                         |
//! |------------------------------------------|----------------------------------------------|
//! | a static file or content asset           | none: the served file list is patched        |
//! | a page (edit, new, deleted, renamed)     | that page's front matter and Markdown; the   |
//! |                                          | outputs whose template context changed       |
//! | front matter that others see (title,     | every page's Markdown (its environment       |
//! | slug, figures), sources.yaml             | changed); outputs whose context changed      |
//! | a template                               | Markdown is reused; every output re-rendered |
//! | site.yaml, a folder, an unreadable file  | full reload from disk, caches dropped        |

use crate::diagnostics::Diagnostic;
use crate::incremental::{BuildCache, Stats};
use crate::load::{Inputs, Reloaded};
use crate::render::Output;
use crate::site::{BuildOptions, Site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a batch of changes was rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Only static files changed; the site's file list was patched without rendering.
    Assets,
    /// Pages, sources or templates: rebuilt from the patched inputs with the memo tables.
    Incremental,
    /// Everything reloaded from disk.
    Full,
}

#[derive(Debug)]
pub struct Outcome {
    /// The new site, or every diagnostic of the failed build.
    pub result: Result<Arc<Site>, Vec<Diagnostic>>,
    pub how: How,
    /// Every changed file was a stylesheet (browsers can swap styles without reloading).
    pub css_only: bool,
    /// The changed files, root-relative.
    pub changed: Vec<String>,
    pub elapsed: Duration,
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

pub struct Rebuilder {
    root: PathBuf,
    opts: BuildOptions,
    inputs: Option<Inputs>,
    /// Files that could not be read, by root-relative path: the build fails while any remain.
    load_errors: BTreeMap<String, Diagnostic>,
    cache: BuildCache,
    last: Option<Arc<Site>>,
    last_ok: bool,
}

impl Rebuilder {
    pub fn new(root: &Path, opts: BuildOptions) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            opts,
            inputs: None,
            load_errors: BTreeMap::new(),
            cache: BuildCache::new(),
            last: None,
            last_ok: false,
        }
    }

    /// The last site that built.
    pub fn last_good(&self) -> Option<Arc<Site>> {
        self.last.clone()
    }

    /// Load everything from disk and build.
    pub fn build_all(&mut self) -> Result<Arc<Site>, Vec<Diagnostic>> {
        self.cache.clear();
        self.load_errors.clear();
        self.inputs = None;
        match Inputs::load(&self.root) {
            Ok(inputs) => self.inputs = Some(inputs),
            Err(diags) => {
                self.last_ok = false;
                return Err(diags);
            }
        }
        self.build()
    }

    fn build(&mut self) -> Result<Arc<Site>, Vec<Diagnostic>> {
        let inputs = self.inputs.as_ref().expect("inputs are loaded");
        let result = if self.load_errors.is_empty() {
            Site::from_inputs_cached(inputs, &self.opts, &mut self.cache).map(Arc::new)
        } else {
            Err(self.load_errors.values().cloned().collect())
        };
        self.last_ok = result.is_ok();
        if let Ok(site) = &result {
            self.last = Some(site.clone());
        }
        result
    }

    /// Rebuild after `changed` (root-relative paths, '/'-separated) changed on disk, appeared
    /// or went away. None when none of them belongs to the site.
    pub fn apply(&mut self, changed: &[String]) -> Option<Outcome> {
        let started = Instant::now();
        let mut relevant = Vec::new();
        let mut full = self.inputs.is_none();
        let mut templates = false;
        let mut rendered = false;
        let mut assets = Vec::new();
        if let Some(inputs) = self.inputs.as_mut() {
            for path in changed {
                match inputs.reload_file(path) {
                    Ok(Reloaded::Ignored) => continue,
                    Ok(Reloaded::Reload) => full = true,
                    Ok(Reloaded::Page(_) | Reloaded::Sources) => {
                        self.load_errors.remove(path);
                        rendered = true;
                    }
                    Ok(Reloaded::Template(_)) => {
                        self.load_errors.remove(path);
                        templates = true;
                    }
                    Ok(Reloaded::Asset(name)) => assets.push(name),
                    Err(d) => {
                        self.load_errors.insert(path.clone(), d);
                        rendered = true;
                    }
                }
                relevant.push(path.clone());
            }
        } else {
            relevant = changed
                .iter()
                .filter(|p| {
                    let first = p.split('/').next().unwrap_or("");
                    ["content", "templates", "static", "themes", "site.yaml"].contains(&first)
                        && !p.split('/').any(crate::load::is_ignored)
                })
                .cloned()
                .collect();
        }
        if relevant.is_empty() {
            return None;
        }
        let css_only =
            !full && !templates && !rendered && assets.iter().all(|a| a.ends_with(".css"));
        let (how, result) = if full {
            (How::Full, self.build_all())
        } else if templates || rendered || !self.last_ok {
            if templates {
                self.cache.clear_renders();
            }
            (How::Incremental, self.build())
        } else {
            (How::Assets, Ok(self.patch_assets(&assets)))
        };
        let stats = if how == How::Assets {
            Stats::default()
        } else {
            self.cache.stats
        };
        Some(Outcome {
            result,
            how,
            css_only,
            changed: relevant,
            elapsed: started.elapsed(),
            stats,
        })
    }

    /// The last site with its copied files updated (rendered files win, as in a build).
    fn patch_assets(&mut self, names: &[String]) -> Arc<Site> {
        let last = self.last.clone().expect("the last build succeeded");
        let inputs = self.inputs.as_ref().expect("inputs are loaded");
        let changes: Vec<(&String, Option<&PathBuf>)> = names
            .iter()
            .filter(|n| !matches!(last.files.get(*n), Some(Output::Bytes(_))))
            .map(|n| (n, inputs.assets.get(n)))
            .filter(|(n, src)| match (last.files.get(*n), src) {
                (Some(Output::Copy(old)), Some(new)) => old != *new,
                (None, None) => false,
                _ => true,
            })
            .collect();
        if changes.is_empty() {
            return last;
        }
        let mut site = (*last).clone();
        for (name, src) in changes {
            match src {
                Some(p) => site.files.insert(name.clone(), Output::Copy(p.clone())),
                None => site.files.remove(name),
            };
        }
        let site = Arc::new(site);
        self.last = Some(site.clone());
        site
    }
}
