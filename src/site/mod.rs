//! The one pipeline: `render` makes a site from its inputs (model, then every output file
//! through its template, then the link check) and hands each file to a `Sink`. `dossier
//! build` gives it a staging folder on disk (`output`), `check` a sink that keeps nothing,
//! `serve` one in memory and a `Cache` that remembers the last build, so that the next
//! render redoes only what changed: memo tables for front matter, Markdown and templates,
//! and two fast paths (`patch`) for one page's text and for static files.

mod locate;
mod minify;
mod patch;

pub use locate::{link_diagnostics, note_links};

use crate::cache::{BuildCache, Stats};
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, Span};
use crate::linkcheck::LinkCheck;
use crate::model::{Model, Options};
use crate::render::{Output, Renderer, SearchSlot};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

/// How a site is built: the model's options (drafts, base URL, archives, `--relative`) and
/// whether pages carry the live-reload script's hooks.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The model's options.
    pub model: Options,
    /// Pages carry the live-reload script's hooks (`serve`).
    pub live_reload: bool,
}

/// Where `render` puts each output file (called from any thread).
pub trait Sink: Sync {
    /// Write the output file `path` (relative to the output root).
    fn put(&self, path: &str, out: Output) -> Result<(), Diagnostic>;
    /// Whether it keeps what it is given: a sink that does not (`check`) is not given the
    /// files only it would need (resized images are planned and checked, not encoded).
    fn keeps(&self) -> bool {
        true
    }
}

/// Keeps every file in memory (`serve`, tests).
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<BTreeMap<String, Output>>);

impl MemorySink {
    /// The files written, by path.
    pub fn into_files(self) -> BTreeMap<String, Output> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, out: Output) -> Result<(), Diagnostic> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), out);
        Ok(())
    }
}

/// Keeps nothing (`dossier check`: every check runs, nothing is written).
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, _: &str, _: Output) -> Result<(), Diagnostic> {
        Ok(())
    }
    fn keeps(&self) -> bool {
        false
    }
}

/// Makes every page's root-relative links relative before passing it on (`--relative`).
pub struct Relative<'a>(pub &'a dyn Sink, pub &'a str);

impl Sink for Relative<'_> {
    fn put(&self, path: &str, out: Output) -> Result<(), Diagnostic> {
        match out {
            // A host serves the 404 page at any missing URL, however deep: its links start
            // from the site's path (the second field: base_url's), not from where it lies.
            Output::Bytes(b) if path == "404.html" => {
                let html = String::from_utf8_lossy(&b);
                let rooted = crate::html::rebase(&html, self.1);
                self.0.put(path, Output::Bytes(rooted.into_bytes().into()))
            }
            Output::Bytes(b) if path.ends_with(".html") => {
                let html = String::from_utf8_lossy(&b);
                let rel = crate::html::relativize(&html, path, "");
                self.0.put(path, Output::Bytes(rel.into_bytes().into()))
            }
            o => self.0.put(path, o),
        }
    }
    fn keeps(&self) -> bool {
        self.0.keeps()
    }
}

/// Minifies pages, stylesheets and scripts before passing them on (`--minify`): minify-html
/// for HTML (and the CSS and JS inside it), lightningcss for `.css`, oxc for `.js` (a
/// `.min.css` or `.min.js` is left as it is). It comes after the link check, which `render`
/// runs on every file before its sink, so diagnostics point into the HTML as rendered; wrap
/// it in `Relative`, whose rewriting reads HTML as dossier writes it. A stylesheet or script
/// that does not parse is passed on unchanged, with a warning.
pub struct Minify<'a> {
    inner: &'a dyn Sink,
    warnings: Mutex<Vec<Diagnostic>>,
    /// Bytes of the files minified, before and after.
    before: std::sync::atomic::AtomicU64,
    after: std::sync::atomic::AtomicU64,
}

impl<'a> Minify<'a> {
    /// Minifies what goes to `inner`.
    pub fn new(inner: &'a dyn Sink) -> Minify<'a> {
        Minify {
            inner,
            warnings: Mutex::new(Vec::new()),
            before: 0.into(),
            after: 0.into(),
        }
    }

    /// The files that could not be minified so far (taken), and the bytes of those that
    /// were, before and after.
    pub fn finish(&self) -> (Vec<Diagnostic>, u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        (
            std::mem::take(&mut *warnings),
            self.before.load(Relaxed),
            self.after.load(Relaxed),
        )
    }
}

impl Sink for Minify<'_> {
    fn put(&self, path: &str, out: Output) -> Result<(), Diagnostic> {
        let Some(kind) = minify::kind(path) else {
            return self.inner.put(path, out);
        };
        let (bytes, shown) = match &out {
            Output::Bytes(b) => (std::borrow::Cow::Borrowed(&b[..]), path.to_string()),
            Output::Copy(file) => {
                let read = std::fs::read(file).map_err(|e| {
                    Diagnostic::error(
                        Span::file(file),
                        format!("cannot read {}: {e}", file.display()),
                    )
                })?;
                (std::borrow::Cow::Owned(read), file.display().to_string())
            }
        };
        let small = match minify::minify(kind, &bytes, &shown) {
            Ok(small) => small,
            Err(warning) => {
                self.warnings
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(warning);
                return self.inner.put(path, out);
            }
        };
        use std::sync::atomic::Ordering::Relaxed;
        self.before.fetch_add(bytes.len() as u64, Relaxed);
        self.after.fetch_add(small.len() as u64, Relaxed);
        self.inner.put(path, Output::Bytes(small.into()))
    }
    fn keeps(&self) -> bool {
        self.inner.keeps()
    }
}

/// The site's URL path (of `--base-url`, else of site.yaml's `base_url`): `Relative`'s second field.
pub fn base_path(inputs: &Inputs, opts: &BuildOptions) -> String {
    crate::config::url_path(
        opts.model
            .base_url
            .as_deref()
            .unwrap_or(&inputs.config.base_url),
    )
}

/// Writes through a closure (the staging folder of `output::Target::write`).
pub struct PutSink<'a>(pub &'a (dyn Fn(&str, &Output) -> Result<(), Diagnostic> + Sync));

impl Sink for PutSink<'_> {
    fn put(&self, path: &str, out: Output) -> Result<(), Diagnostic> {
        (self.0)(path, &out)
    }
}

/// What one render did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// Every file of the site was written.
    All,
    /// One page's text changed: only the files that show it were written; the others are
    /// those of the last build.
    Patched,
    /// Only static files changed: they were written, `removed` are gone; the other files
    /// are those of the last build.
    Assets {
        /// The output paths of the files that went away.
        removed: Vec<String>,
    },
}

/// The outcome of a render that succeeded.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was written.
    pub rendered: Rendered,
    /// The build's warnings.
    pub warnings: Vec<Diagnostic>,
    /// The files written.
    pub written: usize,
    /// What the memo tables reused and redid.
    pub stats: Stats,
}

/// What changed since the last render: the fast paths apply only to some changes.
#[derive(Debug, Default, Clone)]
struct Changes {
    /// Content paths of pages that changed.
    pages: BTreeSet<String>,
    /// Output names of static files and content assets that changed.
    assets: BTreeSet<String>,
    /// Anything else: sources, templates, site.yaml, folders.
    other: bool,
}

/// What `serve` keeps between renders. `Cache::disabled()` (a one-off build) keeps nothing,
/// and then a render also releases the pages' texts from its inputs as soon as every page is
/// rendered, so that a big site's Markdown is not held while the generated pages are made.
#[derive(Default)]
pub struct Cache {
    /// The memo tables of front matter, Markdown and template renders.
    pub memo: BuildCache,
    previous: Option<patch::Previous>,
    changes: Changes,
}

impl Cache {
    /// A cache that remembers every build for the next one.
    pub fn new() -> Cache {
        Cache {
            memo: BuildCache::new(),
            ..Default::default()
        }
    }

    /// A cache that does nothing (a one-off build).
    pub fn disabled() -> Cache {
        Cache::default()
    }

    /// Forget everything (after a full reload from disk).
    pub fn clear(&mut self) {
        self.memo.clear();
        self.previous = None;
        self.changes = Changes::default();
    }

    /// The page `path` (content-relative) changed, appeared or went away.
    pub fn page_changed(&mut self, path: &str) {
        self.changes.pages.insert(path.to_string());
    }

    /// The static file or content asset published as `name` changed, appeared or went away.
    pub fn asset_changed(&mut self, name: &str) {
        self.changes.assets.insert(name.to_string());
    }

    /// A template changed: every template render is redone.
    pub fn template_changed(&mut self) {
        self.memo.clear_renders();
        self.changes.other = true;
    }

    /// Something else changed (content/sources.yaml, ...).
    pub fn other_changed(&mut self) {
        self.changes.other = true;
    }

    /// Files the last fast-path render wrote.
    pub fn files_patched(&self) -> usize {
        self.previous.as_ref().map_or(0, |p| p.files_patched)
    }
}

/// Render the site of `inputs` into `sink`: the one way a site is made. With an enabled
/// `cache`, only what changed since the last render is redone (the result is byte for
/// byte what a full render gives); see `Rendered` for what was written.
pub fn render(
    inputs: &mut Inputs,
    opts: &BuildOptions,
    cache: &mut Cache,
    sink: &dyn Sink,
) -> Result<Report, Vec<Diagnostic>> {
    let mut changes = std::mem::take(&mut cache.changes);
    if changes.assets.iter().any(|a| crate::images::is_raster(a)) {
        // A page's size attributes and copies, and `resize_image()`'s values, follow the
        // image's bytes, which no memo key holds.
        cache.memo.clear();
        changes.other = true;
    }
    if let Some(prev) = cache.previous.as_mut() {
        let fast = match (
            changes.other,
            changes.pages.len(),
            changes.assets.is_empty(),
        ) {
            // A stylesheet or script has a hashed name, in every page but under serve's live
            // reload (`Renderer::with_words`): rendered again (then from the memo under serve).
            (false, 0, false) if !changes.assets.iter().any(|a| is_hashed_kind(a)) => {
                prev.assets(inputs, sink)
            }
            (false, 1, true) => {
                let page = changes.pages.first().expect("one page");
                prev.patch(page, inputs, &mut cache.memo, sink)
            }
            _ => None,
        };
        match fast {
            Some(r) => return r,
            None => cache.previous = None,
        }
    }
    render_all(inputs, opts, cache, sink)
}

/// Whether a static file of that output name gets a content-hashed name
/// (`model::outputs::hashed_names`).
fn is_hashed_kind(name: &str) -> bool {
    name.ends_with(".css") || name.ends_with(".js")
}

/// Every file of the site, through the memo tables.
fn render_all(
    inputs: &mut Inputs,
    opts: &BuildOptions,
    cache: &mut Cache,
    sink: &dyn Sink,
) -> Result<Report, Vec<Diagnostic>> {
    let keep = cache.memo.is_enabled();
    let mut model_opts = opts.model.clone();
    // A one-off build keeps no page HTML: each page's is rendered just before its template
    // and dropped after it, so a big site's HTML is never all in memory at once.
    model_opts.defer_html = !keep;
    let mut model = Model::build_cached(inputs, &model_opts, &mut cache.memo)?;
    let links = Mutex::new(LinkCheck::new(&model.config.base_url, &model.base_path));
    let search_index: SearchSlot = Mutex::new(None);
    let written = std::sync::atomic::AtomicUsize::new(0);
    // Every file is seen by the link check (before `--relative` rewrites it), and counted.
    let put = |path: &str, o: Output| {
        note_links(&links, path, &o);
        written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        sink.put(path, o)
    };
    let memo = cache.memo.render_memo();
    // A template that reads outside its context (`load_data`, `now`) may render differently
    // with the same context: nothing is reused, and no fast path patches the next build.
    let outside = model.theme.reads_outside_context();
    let reuse = (!outside).then_some(&memo);
    let mut written_paths = std::collections::HashSet::new();
    let (diags, feed_html, words) = {
        let source = model.deferred_html(inputs);
        let renderer = Renderer::new(&model, opts.live_reload);
        let renderer = match reuse {
            Some(memo) => renderer.with_memo(memo),
            None => renderer,
        };
        let renderer = if keep {
            renderer
        } else {
            renderer.with_html_source(&source)
        };
        let diags = renderer.render_pages(&put, &mut written_paths);
        // The feed embeds a few pages' HTML: kept, as everything else is done with the texts.
        let feed: Vec<(crate::model::DocId, String)> = if keep {
            Vec::new()
        } else {
            renderer
                .feed_pages()
                .iter()
                .map(|path| {
                    let i = model.by_path[path];
                    (i, source(i))
                })
                .collect()
        };
        (diags, feed, renderer.words().to_vec())
    };
    let templates = inputs.templates.clone();
    if !keep {
        inputs.pages = BTreeMap::new();
    }
    for (i, html) in feed_html {
        model.docs[i].rendered.html = html;
    }
    let rest = Renderer::with_words(&model, opts.live_reload, Some(words));
    let rest = match reuse {
        Some(memo) => rest.with_memo(memo),
        None => rest,
    };
    let rest = if keep {
        rest.keep_search(&search_index)
    } else {
        rest
    };
    let rest = rest.render_rest(&put, written_paths, diags);
    cache.memo.finish_renders(memo, rest.is_ok());
    rest.map_err(|mut e| {
        e.extend(model.warnings.iter().cloned());
        e
    })?;
    put_images(&model, sink.keeps() && !keep, sink.keeps(), &put).map_err(|mut e| {
        e.extend(model.warnings.iter().cloned());
        e
    })?;
    let links = links.into_inner().unwrap_or_else(|e| e.into_inner());
    let found = link_diagnostics(&links, &model, &templates, &inputs.root);
    if found.iter().any(Diagnostic::is_error) {
        return Err(found
            .into_iter()
            .chain(model.warnings.iter().cloned())
            .collect());
    }
    let mut warnings = model.warnings.clone();
    warnings.extend(found);
    let report = Report {
        rendered: Rendered::All,
        warnings,
        written: written.into_inner(),
        stats: cache.memo.stats,
    };
    if keep && !opts.model.relative && !outside {
        let index = search_index.into_inner().unwrap_or_else(|e| e.into_inner());
        cache.previous = patch::Previous::new(model, links, &cache.memo, opts.live_reload, index);
    }
    Ok(report)
}

/// The resized images the pages and templates planned, encoded where the cache lacks them
/// (when `encode`) and written; with `prune` (a one-off build to disk), the cache's copies
/// no page uses any more are removed.
fn put_images(
    model: &Model,
    prune: bool,
    encode: bool,
    put: &dyn Fn(&str, Output) -> Result<(), Diagnostic>,
) -> Result<(), Vec<Diagnostic>> {
    let (files, _, errors) = model.images.produce(encode);
    if !errors.is_empty() {
        let at = Span::file(crate::images::CACHE_DIR);
        return Err(errors
            .into_iter()
            .map(|e| Diagnostic::error(at.clone(), e))
            .collect());
    }
    for (path, file) in files {
        put(&path, Output::Copy(file)).map_err(|e| vec![e])?;
    }
    if prune {
        model.images.prune();
    }
    Ok(())
}

/// A site rendered in memory: every output file, by path relative to the output root.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Every file, by output path.
    pub files: BTreeMap<String, Output>,
    /// The build's warnings.
    pub warnings: Vec<Diagnostic>,
}

impl Site {
    /// Load the site at `root` and render it in memory.
    pub fn build(root: &Path, opts: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        let mut inputs = Inputs::load(root)?;
        Site::from_inputs(&mut inputs, opts)
    }

    /// Render `inputs` in memory (a one-off render: the pages' texts are released).
    pub fn from_inputs(inputs: &mut Inputs, opts: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        let sink = MemorySink::default();
        let (rel, base);
        let to: &dyn Sink = if opts.model.relative {
            base = base_path(inputs, opts);
            rel = Relative(&sink, &base);
            &rel
        } else {
            &sink
        };
        let report = render(inputs, opts, &mut Cache::disabled(), to)?;
        Ok(Site {
            files: sink.into_files(),
            warnings: report.warnings,
        })
    }

    /// This site after a render into `written` that `report` describes: the written files,
    /// and for a fast-path render the other files of this site.
    pub fn after(&self, report: &Report, written: BTreeMap<String, Output>) -> Site {
        let files = match &report.rendered {
            Rendered::All => written,
            Rendered::Patched => {
                let mut files = self.files.clone();
                files.extend(written);
                files
            }
            Rendered::Assets { removed } => {
                let mut files = self.files.clone();
                for r in removed {
                    files.remove(r);
                }
                files.extend(written);
                files
            }
        };
        Site {
            files,
            warnings: report.warnings.clone(),
        }
    }
}
