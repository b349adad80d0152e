//! Memo tables that let `dossier serve` rebuild only what a change touched, on the same code
//! path as a full build. Each table caches a pure function, keyed by all of its inputs:
//!
//! - front matter: a page's text -> its parsed front matter (or the error);
//! - Markdown: a page's text and a fingerprint of everything the Markdown can see of the
//!   rest of the site (`PageEnv` in model.rs: links, sources, figures, templates, ...) ->
//!   the rendered page and its diagnostics;
//! - templates: an output file's template name and complete Tera context -> its HTML.
//!
//! A hit is only taken when the inputs are equal (texts and contexts compared in full), so a
//! cached build is byte-for-byte a full build. `BuildCache::disabled()` (what `dossier build`
//! uses) never looks anything up and never stores anything.

use crate::content::frontmatter::Parsed;
use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A page's front matter as Model::build parses it, or its error.
pub type FmResult = Result<Parsed, Diagnostic>;

/// A page's rendered Markdown and its diagnostics.
pub type MdResult = (Rendered, Vec<Diagnostic>);

/// One template render.
#[derive(Debug)]
pub struct RenderEntry {
    /// The template rendered.
    pub template: String,
    /// The whole context it was rendered with.
    pub ctx: tera::Context,
    /// The HTML it gave.
    pub html: String,
}

/// What a build reused and redid (for serve's summary line and the benchmarks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Pages whose front matter was reused.
    pub frontmatter_hits: usize,
    /// Pages whose Markdown was reused.
    pub markdown_hits: usize,
    /// Pages whose Markdown was rendered.
    pub markdown_renders: usize,
    /// Outputs whose template render was reused.
    pub template_hits: usize,
    /// Outputs rendered through their template.
    pub template_renders: usize,
    /// Files re-rendered by `serve`'s patch of the previous build (`How::Patched`).
    pub files_patched: usize,
}

/// The memo tables of one `serve` session (disabled: a one-off build).
#[derive(Default)]
pub struct BuildCache {
    enabled: bool,
    frontmatter: HashMap<String, (String, FmResult)>,
    /// path -> (page text, environment fingerprint, result).
    markdown: HashMap<String, (String, u64, MdResult)>,
    renders: HashMap<String, Arc<RenderEntry>>,
    /// The resized images planned so far: a page whose Markdown or template render is
    /// reused still shows its copies.
    images: crate::images::Jobs,
    /// What the last build reused and redid.
    pub stats: Stats,
}

impl BuildCache {
    /// A cache that remembers every build's work for the next one.
    pub fn new() -> BuildCache {
        BuildCache {
            enabled: true,
            ..Default::default()
        }
    }

    /// A cache that does nothing (a one-off build).
    pub fn disabled() -> BuildCache {
        BuildCache::default()
    }

    /// Whether it remembers anything.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The resized images planned so far (a fresh table for a one-off build).
    pub fn image_jobs(&self) -> crate::images::Jobs {
        if self.enabled {
            self.images.clone()
        } else {
            Default::default()
        }
    }

    /// Forget every template render (after a template changed: same context, new HTML).
    pub fn clear_renders(&mut self) {
        self.renders.clear();
    }

    /// Forget everything.
    pub fn clear(&mut self) {
        *self = if self.enabled {
            BuildCache::new()
        } else {
            BuildCache::disabled()
        };
    }

    /// The front matter parsed from `text` for `path` last time, if the text is the same.
    pub fn frontmatter(&self, path: &str, text: &str) -> Option<FmResult> {
        if !self.enabled {
            return None;
        }
        let (t, r) = self.frontmatter.get(path)?;
        (t == text).then(|| r.clone())
    }

    /// Remember this build's front matter (`parsed` in the order of `pages`).
    pub fn record_frontmatter<'a>(
        &mut self,
        pages: impl Iterator<Item = (&'a String, &'a String)>,
        parsed: &[FmResult],
    ) {
        if !self.enabled {
            return;
        }
        let mut hits = 0;
        let mut next = HashMap::with_capacity(parsed.len());
        for ((path, text), r) in pages.zip(parsed) {
            match self.frontmatter.remove(path) {
                Some(old) if old.0 == *text => {
                    hits += 1;
                    next.insert(path.clone(), old);
                }
                _ => {
                    next.insert(path.clone(), (text.clone(), r.clone()));
                }
            }
        }
        self.frontmatter = next;
        self.stats.frontmatter_hits = hits;
    }

    /// The last front matter parsed for `path` (whichever text it came from).
    pub fn frontmatter_of(&self, path: &str) -> Option<&FmResult> {
        self.frontmatter.get(path).map(|(_, r)| r)
    }

    /// `path` now has `text`, whose front matter (YAML, lines) is that of the remembered text.
    pub fn retext_frontmatter(&mut self, path: &str, text: &str) {
        if let Some(e) = self.frontmatter.get_mut(path) {
            e.0 = text.to_string();
        }
    }

    /// `path` now has `text`, whose front matter parses as `parsed` (a fast path's edit).
    pub fn store_frontmatter(&mut self, path: &str, text: &str, parsed: FmResult) {
        if self.enabled {
            self.frontmatter
                .insert(path.to_string(), (text.to_string(), parsed));
        }
    }

    /// The diagnostics of the last Markdown render of `path`.
    pub fn markdown_diags(&self, path: &str) -> Option<&[Diagnostic]> {
        self.markdown.get(path).map(|(_, _, r)| r.1.as_slice())
    }

    /// Remember a render of `path` from `text` in the environment of the remembered one.
    pub fn store_markdown(&mut self, path: &str, text: &str, result: MdResult) {
        if let Some(e) = self.markdown.get_mut(path) {
            e.0 = text.to_string();
            e.2 = result;
        }
    }

    /// The last Markdown render of `path`, if its text and environment are the same.
    pub fn markdown(
        &self,
        path: &str,
        text: &str,
        env: u64,
    ) -> Option<(Rendered, Vec<Diagnostic>)> {
        if !self.enabled {
            return None;
        }
        let (t, e, r) = self.markdown.get(path)?;
        (*e == env && t == text).then(|| r.clone())
    }

    /// Remember this build's Markdown: `(path, page text, result)` for every document.
    pub fn record_markdown<'a>(
        &mut self,
        env: u64,
        results: impl Iterator<Item = (&'a String, &'a String, &'a MdResult)>,
    ) {
        if !self.enabled {
            return;
        }
        let mut hits = 0;
        let mut renders = 0;
        let mut next = HashMap::new();
        for (path, text, r) in results {
            match self.markdown.remove(path) {
                Some(old) if old.1 == env && old.0 == *text => {
                    hits += 1;
                    next.insert(path.clone(), old);
                }
                _ => {
                    renders += 1;
                    next.insert(path.clone(), (text.clone(), env, r.clone()));
                }
            }
        }
        self.markdown = next;
        self.stats.markdown_hits = hits;
        self.stats.markdown_renders = renders;
    }

    /// The template memo for one render pass; give it back with [`BuildCache::finish_renders`].
    pub fn render_memo(&mut self) -> RenderMemo {
        RenderMemo {
            enabled: self.enabled,
            prev: std::mem::take(&mut self.renders),
            next: Mutex::new(HashMap::new()),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// Keep the renders of a pass: all of them after a complete render, and the old ones too
    /// after a failed one (every entry is still a correct result for its inputs).
    pub fn finish_renders(&mut self, memo: RenderMemo, complete: bool) {
        if !self.enabled {
            return;
        }
        let mut next = memo.next.into_inner().unwrap_or_else(|e| e.into_inner());
        if !complete {
            for (k, v) in memo.prev {
                next.entry(k).or_insert(v);
            }
        }
        self.renders = next;
        self.stats.template_hits = memo.hits.into_inner();
        self.stats.template_renders = memo.misses.into_inner();
    }
}

/// Template renders of the previous build, and those of this one.
pub struct RenderMemo {
    enabled: bool,
    prev: HashMap<String, Arc<RenderEntry>>,
    next: Mutex<HashMap<String, Arc<RenderEntry>>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl RenderMemo {
    /// Render `template` with `ctx` for the output `key`, or reuse the last build's HTML when
    /// the template and the whole context are the same.
    pub fn render(
        &self,
        key: &str,
        template: &str,
        ctx: &tera::Context,
        render: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<String, Diagnostic> {
        if !self.enabled {
            return render();
        }
        if let Some(e) = self.prev.get(key)
            && e.template == template
            && e.ctx == *ctx
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            let html = e.html.clone();
            self.next
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.to_string(), e.clone());
            return Ok(html);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let html = render()?;
        let entry = Arc::new(RenderEntry {
            template: template.to_string(),
            ctx: ctx.clone(),
            html: html.clone(),
        });
        self.next
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), entry);
        Ok(html)
    }
}

/// A stable 64-bit hash of `value` (std's SipHash with fixed keys).
pub fn fingerprint<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}
