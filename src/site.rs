//! The pipeline in one place: load -> model -> render. `build` writes the result,
//! `serve` keeps it in memory; both call `Site::build`.

use crate::cache::BuildCache;
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, Span};
use crate::linkcheck::{self, LinkCheck};
use crate::model::{Model, Options};
use crate::output;
use crate::render::{Output, Renderer};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub model: Options,
    pub live_reload: bool,
}

/// A rendered site: every output file, by path relative to the output root.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub files: BTreeMap<String, Output>,
    pub warnings: Vec<Diagnostic>,
    pub base_path: String,
}

impl Site {
    pub fn build(root: &Path, opts: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        let inputs = Inputs::load(root)?;
        Site::from_inputs(&inputs, opts)
    }

    /// `dossier build`: renders the site at `root` straight into the output `target`
    /// (atomically, see `output::Target::write`), file by file, so it is never whole in
    /// memory. Returns the number of files written and the warnings (the output's included).
    pub fn build_to(
        root: &Path,
        opts: &BuildOptions,
        target: output::Target,
    ) -> Result<(usize, Vec<Diagnostic>), Vec<Diagnostic>> {
        // The model keeps no page HTML: each page's is rendered just before its template and
        // dropped after it, so a big site's HTML is never all in memory at once.
        let inputs = Inputs::load(root)?;
        let mut model_opts = opts.model.clone();
        model_opts.defer_html = true;
        let mut model = Model::build(&inputs, &model_opts)?;
        let relative = opts.model.relative;
        let live_reload = opts.live_reload;
        let templates = inputs.templates.clone();
        let mut inputs = Some(inputs);
        let links = std::sync::Mutex::new(LinkCheck::new(&model.config.base_url, &model.base_path));
        let (n, notes) = target.write(|put| {
            let put = |path: &str, o: Output| {
                note_links(&links, path, &o);
                match o {
                    Output::Bytes(b) if relative && path.ends_with(".html") => {
                        put(path, &Output::Bytes(relativized(path, &b)))
                    }
                    o => put(path, &o),
                }
            };
            let mut written = std::collections::HashSet::new();
            let (diags, feed_html, words) = {
                let loaded = inputs.as_ref().expect("inputs are loaded");
                let source = model.deferred_html(loaded);
                let renderer = Renderer::new(&model, live_reload).with_html_source(&source);
                let diags = renderer.render_pages(&put, &mut written);
                // The feed embeds a few pages' HTML; everything else is done with the sources.
                let feed: Vec<(usize, String)> = renderer
                    .feed_pages()
                    .iter()
                    .map(|path| {
                        let i = model.by_path[path];
                        (i, source(i))
                    })
                    .collect();
                (diags, feed, renderer.words().to_vec())
            };
            inputs = None;
            for (i, html) in feed_html {
                model.docs[i].rendered.html = html;
            }
            let n = Renderer::with_words(&model, live_reload, Some(words))
                .render_rest(&put, written, diags)
                .map_err(|mut e| {
                    e.extend(model.warnings.iter().cloned());
                    e
                })?;
            let links = links.lock().unwrap_or_else(|e| e.into_inner());
            let found = link_diagnostics(&links, &model, &templates, root);
            model
                .warnings
                .extend(found.iter().filter(|d| !d.is_error()).cloned());
            if found.iter().any(Diagnostic::is_error) {
                return Err(found
                    .into_iter()
                    .chain(model.warnings.iter().cloned())
                    .collect());
            }
            Ok(n)
        })?;
        let mut warnings = model.warnings.clone();
        warnings.extend(notes);
        Ok((n, warnings))
    }

    pub fn from_inputs(inputs: &Inputs, opts: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        Site::from_inputs_cached(inputs, opts, &mut BuildCache::disabled())
    }

    /// `from_inputs`, reusing the work of the previous build where its inputs are unchanged
    /// (`dossier serve`); the result is the same, byte for byte.
    pub fn from_inputs_cached(
        inputs: &Inputs,
        opts: &BuildOptions,
        cache: &mut BuildCache,
    ) -> Result<Site, Vec<Diagnostic>> {
        Site::from_inputs_with_model(inputs, opts, cache).map(|b| b.site)
    }

    /// `from_inputs_cached`, and the model the site was rendered from and its link check
    /// (`serve` patches all three).
    pub fn from_inputs_with_model(
        inputs: &Inputs,
        opts: &BuildOptions,
        cache: &mut BuildCache,
    ) -> Result<Built, Vec<Diagnostic>> {
        let model = Model::build_cached(inputs, &opts.model, cache)?;
        let memo = cache.render_memo();
        let rendered = Renderer::new(&model, opts.live_reload)
            .with_memo(&memo)
            .render_all();
        cache.finish_renders(memo, rendered.is_ok());
        let mut files = rendered.map_err(|mut e| {
            e.extend(model.warnings.iter().cloned());
            e
        })?;
        let links = std::sync::Mutex::new(LinkCheck::new(&model.config.base_url, &model.base_path));
        {
            use rayon::prelude::*;
            files
                .par_iter()
                .for_each(|(path, o)| note_links(&links, path, o));
        }
        let links = links.into_inner().unwrap_or_else(|e| e.into_inner());
        let found = link_diagnostics(&links, &model, &inputs.templates, &inputs.root);
        if found.iter().any(Diagnostic::is_error) {
            return Err(found
                .into_iter()
                .chain(model.warnings.iter().cloned())
                .collect());
        }
        if opts.model.relative {
            for (path, out) in files.iter_mut() {
                if path.ends_with(".html")
                    && let Output::Bytes(b) = out
                {
                    *b = relativized(path, b);
                }
            }
        }
        let mut warnings = model.warnings.clone();
        warnings.extend(found);
        let site = Site {
            files,
            warnings,
            base_path: model.base_path.clone(),
        };
        Ok(Built { site, model, links })
    }
}

/// A site built in memory, with what `serve` needs to patch it.
pub struct Built {
    pub site: Site,
    /// The model it was rendered from (its warnings are those of the model; the site's add
    /// the link check's).
    pub model: Model,
    pub links: LinkCheck,
}

/// An HTML output file at `path` with its links made relative (`--relative`).
fn relativized(path: &str, html: &[u8]) -> crate::render::Bytes {
    let html = String::from_utf8_lossy(html);
    output::relativize(&html, path, "").into_bytes().into()
}

/// Tell the link check about one output file (pages are scanned).
pub fn note_links(links: &std::sync::Mutex<LinkCheck>, path: &str, o: &Output) {
    match o {
        Output::Bytes(b) if path.ends_with(".html") => {
            // Pages are UTF-8 (rendered from Strings): the lossy copy is never made.
            let scan = match std::str::from_utf8(b) {
                Ok(html) => linkcheck::scan(html),
                Err(_) => linkcheck::scan(&String::from_utf8_lossy(b)),
            };
            links
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .page(path, scan);
        }
        _ => links.lock().unwrap_or_else(|e| e.into_inner()).file(path),
    }
}

/// The link check's findings as diagnostics, placed in the Markdown or templates that wrote
/// the URLs.
pub fn link_diagnostics(
    links: &LinkCheck,
    model: &Model,
    templates: &BTreeMap<String, crate::content::load::TemplateFile>,
    root: &Path,
) -> Vec<Diagnostic> {
    let findings = links.broken();
    if findings.is_empty() {
        return Vec::new();
    }
    let locator = Locator {
        model,
        templates,
        root,
        by_output: model
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (crate::render::output_path(&d.url_path), i))
            .collect(),
    };
    linkcheck::diagnostics(&findings, &model.base_path, &locator)
}

/// Finds where a page's URL was written (see `linkcheck::Locate`).
struct Locator<'a> {
    model: &'a Model,
    templates: &'a BTreeMap<String, crate::content::load::TemplateFile>,
    root: &'a Path,
    by_output: std::collections::HashMap<String, usize>,
}

impl Locator<'_> {
    /// The template that renders the output `page`.
    fn template(&self, page: &str) -> String {
        if let Some(&i) = self.by_output.get(page) {
            return crate::render::template_of(&self.model.docs[i]);
        }
        match page {
            "figures/index.html" => "figures.html",
            "sources/index.html" => "sources.html",
            "404.html" => "404.html",
            p if p.matches('/').count() == 1 => "taxonomy_list.html",
            _ => "taxonomy_term.html",
        }
        .to_string()
    }
}

impl linkcheck::Locate for Locator<'_> {
    fn in_markdown(&self, page: &str, url: &str) -> Option<Span> {
        let d = &self.model.docs[*self.by_output.get(page)?];
        let r = d.rendered.refs.iter().find(|r| r.url == url)?;
        Some(Span::new(&d.file, r.line as usize, r.col as usize))
    }

    fn in_template(&self, page: &str, needle: &str) -> Span {
        let name = self.template(page);
        let bp = &self.model.base_path;
        let short = needle
            .strip_prefix(bp.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or(needle);
        // The page's template first, then the ones it may extend or include.
        let order = self
            .templates
            .get_key_value(&name)
            .into_iter()
            .chain(self.templates.iter().filter(|(n, _)| **n != name));
        for (_, t) in order {
            for n in [needle, short] {
                if let Some(i) = t.text.find(n) {
                    let (l, c) = crate::diagnostics::line_col(&t.text, i);
                    return Span::new(&t.file, l, c);
                }
            }
        }
        let file = self.templates.get(&name).map_or_else(
            || std::path::PathBuf::from(format!("templates/{name}")),
            |t| t.file.clone(),
        );
        Span::file(file)
    }

    fn headings(&self, page: &str) -> Option<Vec<String>> {
        let d = &self.model.docs[*self.by_output.get(page)?];
        Some(d.rendered.heading_ids.clone())
    }

    fn id_in_markdown(&self, page: &str, id: &str) -> Option<Span> {
        let d = &self.model.docs[*self.by_output.get(page)?];
        let text = std::fs::read_to_string(self.root.join(&d.file)).ok()?;
        // An explicit `{#id}`, a footnote `[^id]:`, or a heading whose slug it is.
        let at = text
            .find(&format!("{{#{id}}}"))
            .or_else(|| text.find(&format!("[^{id}]:")))
            .or_else(|| {
                text.match_indices('#').map(|(i, _)| i).find(|&i| {
                    (i == 0 || text.as_bytes()[i - 1] == b'\n') && {
                        let line = text[i..].lines().next().unwrap_or("");
                        slug::slugify(line.trim_start_matches('#')) == id
                    }
                })
            })?;
        let (l, c) = crate::diagnostics::line_col(&text, at);
        Some(Span::new(&d.file, l, c))
    }
}
