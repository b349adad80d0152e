//! The pipeline in one place: load -> model -> render. `build` writes the result,
//! `serve` keeps it in memory; both call `Site::build`.

use crate::diagnostics::Diagnostic;
use crate::incremental::BuildCache;
use crate::load::Inputs;
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
        let mut inputs = Some(inputs);
        let (n, notes) = target.write(|put| {
            let put = |path: &str, o: Output| match o {
                Output::Bytes(b) if relative && path.ends_with(".html") => {
                    put(path, &Output::Bytes(relativized(path, &b)))
                }
                o => put(path, &o),
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
            Renderer::with_words(&model, live_reload, Some(words))
                .render_rest(&put, written, diags)
                .map_err(|mut e| {
                    e.extend(model.warnings.iter().cloned());
                    e
                })
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
        Site::from_inputs_with_model(inputs, opts, cache).map(|(site, _)| site)
    }

    /// `from_inputs_cached`, and the model the site was rendered from (`serve` patches both).
    pub fn from_inputs_with_model(
        inputs: &Inputs,
        opts: &BuildOptions,
        cache: &mut BuildCache,
    ) -> Result<(Site, Model), Vec<Diagnostic>> {
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
        if opts.model.relative {
            for (path, out) in files.iter_mut() {
                if path.ends_with(".html")
                    && let Output::Bytes(b) = out
                {
                    *b = relativized(path, b);
                }
            }
        }
        let site = Site {
            files,
            warnings: model.warnings.clone(),
            base_path: model.base_path.clone(),
        };
        Ok((site, model))
    }
}

/// An HTML output file at `path` with its links made relative (`--relative`).
fn relativized(path: &str, html: &[u8]) -> crate::render::Bytes {
    let html = String::from_utf8_lossy(html);
    output::relativize(&html, path, "").into_bytes().into()
}
