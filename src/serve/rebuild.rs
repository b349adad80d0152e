//! Turns a batch of changed files into a new site: patch `Inputs` file by file, then rebuild
//! on the same code path as `dossier build` with the memo tables of `crate::cache`, so
//! only what a change touched is parsed, rendered and templated again.
//!
//! | change                                   | work                                         |
//! |------------------------------------------|----------------------------------------------|
//! | a static file or content asset           | none: the served file list is patched        |
//! | one page's text below its front matter   | the last build is patched (`patch.rs`): that |
//! |                                          | page's Markdown, the outputs that show it    |
//! | a page (edit, new, deleted, renamed)     | that page's front matter and Markdown; the   |
//! |                                          | outputs whose template context changed       |
//! | front matter that others see (title,     | every page's Markdown (its environment       |
//! | slug, figures), sources.yaml             | changed); outputs whose context changed      |
//! | a template                               | Markdown is reused; every output re-rendered |
//! | site.yaml, a folder, an unreadable file  | full reload from disk, caches dropped        |

use crate::cache::{BuildCache, Stats};
use crate::content::load::{Inputs, Reloaded};
use crate::diagnostics::Diagnostic;
use crate::render::Output;
use crate::serve::patch::Patcher;
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
    /// One page's body changed; the last build was patched (see `patch.rs`).
    Patched,
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

pub struct Rebuilder {
    root: PathBuf,
    opts: BuildOptions,
    inputs: Option<Inputs>,
    /// Files that could not be read, by root-relative path: the build fails while any remain.
    load_errors: BTreeMap<String, Diagnostic>,
    cache: BuildCache,
    last: Option<Arc<Site>>,
    last_ok: bool,
    /// The last successful build's model, for the fast path of one page's edit.
    patcher: Option<Patcher>,
    /// Files the last patch rendered.
    files_patched: usize,
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
            patcher: None,
            files_patched: 0,
        }
    }

    /// The last site that built.
    pub fn last_good(&self) -> Option<Arc<Site>> {
        self.last.clone()
    }

    /// Load everything from disk and build.
    pub fn build_all(&mut self) -> Result<Arc<Site>, Vec<Diagnostic>> {
        self.patcher = None;
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
        self.patcher = None;
        let inputs = self.inputs.as_ref().expect("inputs are loaded");
        let result = if self.load_errors.is_empty() {
            Site::from_inputs_with_model(inputs, &self.opts, &mut self.cache).map(|built| {
                if !self.opts.model.relative {
                    self.patcher =
                        Patcher::new(built.model, built.links, &self.cache, self.opts.live_reload);
                }
                Arc::new(built.site)
            })
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
        let mut pages = 0;
        let mut sources = false;
        if let Some(inputs) = self.inputs.as_mut() {
            for path in changed {
                match inputs.reload_file(path) {
                    Ok(Reloaded::Ignored) => continue,
                    Ok(Reloaded::Reload) => full = true,
                    Ok(Reloaded::Page(_)) => {
                        self.load_errors.remove(path);
                        rendered = true;
                        pages += 1;
                    }
                    Ok(Reloaded::Sources) => {
                        self.load_errors.remove(path);
                        rendered = true;
                        sources = true;
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
                        && !p.split('/').any(crate::content::load::is_ignored)
                })
                .cloned()
                .collect();
        }
        if relevant.is_empty() {
            return None;
        }
        let css_only =
            !full && !templates && !rendered && assets.iter().all(|a| a.ends_with(".css"));
        let mut patched = None;
        if !full && !templates && !sources && assets.is_empty() && pages == 1 && relevant.len() == 1
        {
            patched = self.patch(&relevant[0]);
        }
        let (how, result) = if let Some(p) = patched {
            (How::Patched, p)
        } else if full {
            (How::Full, self.build_all())
        } else if templates || rendered || !self.last_ok {
            if templates {
                self.cache.clear_renders();
            }
            (How::Incremental, self.build())
        } else {
            (How::Assets, Ok(self.patch_assets(&assets)))
        };
        let stats = match how {
            How::Assets => Stats::default(),
            How::Patched => Stats {
                markdown_renders: 1,
                files_patched: self.files_patched,
                ..Stats::default()
            },
            How::Incremental | How::Full => self.cache.stats,
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

    /// The fast path: patch the last build after one page's body changed (see `patch.rs`).
    /// None when it does not apply; the patcher is dropped then, and the caller rebuilds.
    fn patch(&mut self, page: &str) -> Option<Result<Arc<Site>, Vec<Diagnostic>>> {
        let (Some(patcher), Some(inputs), Some(last)) = (
            self.patcher.as_mut(),
            self.inputs.as_ref(),
            self.last.as_ref(),
        ) else {
            return None;
        };
        if !self.load_errors.is_empty() {
            self.patcher = None;
            return None;
        }
        let Some(p) = patcher.patch(page, inputs, &mut self.cache, last) else {
            self.patcher = None;
            return None;
        };
        self.files_patched = p.files;
        self.last_ok = p.result.is_ok();
        Some(p.result.map(|site| {
            let site = Arc::new(site);
            self.last = Some(site.clone());
            site
        }))
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
