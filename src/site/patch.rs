//! The fast paths of `render` with an enabled cache, for the commonest changes in `serve`.
//!
//! One page's text edited below its front matter: instead of rebuilding the model and every
//! template context, the last build's model is patched: the page's Markdown is rendered
//! again in the same environment (nothing a page's Markdown sees depends on another page's
//! body), and exactly the outputs that show the body are rendered again, by the renderer a
//! build uses:
//!
//! | output                                   | when                                         |
//! |------------------------------------------|----------------------------------------------|
//! | the page                                 | always                                       |
//! | its section, its tag and place pages     | its word count changed (lists show it)       |
//! | `search/`: its document, changed chunks  | its text changed (its words are replaced)    |
//! | `atom.xml`                               | it is one of the feed's entries              |
//! | `/sources/`, `sources.json`              | the set of sources it cites changed          |
//!
//! Static files or content assets edited, added or removed: they are copied again or
//! dropped, without rendering.
//!
//! Links are checked as a build checks them (the link check of the last build is kept up to
//! date). Markdown errors fail the render as a full render would fail (same diagnostics, same
//! order); anything else (a template that fails on the new text, a broken link, a new,
//! deleted or renamed page, front matter, sources, templates, several files) goes through
//! the full render with its memo tables.

use super::{Report, Sink, link_diagnostics, note_links};
use crate::cache::{BuildCache, Stats};
use crate::content::frontmatter;
use crate::content::ids::SourceId;
use crate::content::load::Inputs;
use crate::diagnostics::Diagnostic;
use crate::linkcheck::{self, LinkCheck};
use crate::model::Model;
use crate::render::search::{self, SearchIndex};
use crate::render::{Output, Renderer, output_path, word_count};
use std::collections::BTreeSet;

/// The last build, kept to be patched.
pub(super) struct Previous {
    model: Model,
    /// The link check of the last build, kept up to date with each patched file.
    links: LinkCheck,
    live_reload: bool,
    /// `model.warnings` is `pre_warnings` followed by each document's Markdown warnings.
    pre_warnings: Vec<Diagnostic>,
    md_warnings: Vec<Vec<Diagnostic>>,
    /// Made at the first patch, so that rebuilds that never patch do not pay for them.
    lookups: Option<Lookups>,
    /// The last build's search index.
    search: Option<SearchIndex>,
    /// A page whose last patch failed: the model still holds its previous body, so only
    /// that page may be patched next.
    pending: Option<String>,
    /// Files the last fast path wrote.
    pub(super) files_patched: usize,
}

/// What a patch needs to know of every document (by index in `model.docs`).
struct Lookups {
    words: Vec<usize>,
    /// Whether each document is an entry of `atom.xml`.
    in_feed: Vec<bool>,
}

impl Lookups {
    fn new(model: &Model, live_reload: bool) -> Lookups {
        let r = Renderer::new(model, live_reload);
        let mut in_feed = vec![false; model.docs.len()];
        for d in r.feed_docs() {
            in_feed[model.by_path[&d.path]] = true;
        }
        Lookups {
            words: r.words().to_vec(),
            in_feed,
        }
    }
}

impl Previous {
    /// Keep `model`, the last successful build's; None when the memo tables do not describe
    /// it (then every change takes the full render).
    pub(super) fn new(
        model: Model,
        links: LinkCheck,
        cache: &BuildCache,
        live_reload: bool,
        search: Option<SearchIndex>,
    ) -> Option<Self> {
        let mut md_warnings = Vec::with_capacity(model.docs.len());
        for d in &model.docs {
            md_warnings.push(cache.markdown_diags(&d.path)?.to_vec());
        }
        let n_md: usize = md_warnings.iter().map(Vec::len).sum();
        let split = model.warnings.len().checked_sub(n_md)?;
        if !model.warnings[split..]
            .iter()
            .eq(md_warnings.iter().flatten())
        {
            return None;
        }
        let pre_warnings = model.warnings[..split].to_vec();
        Some(Previous {
            model,
            links,
            live_reload,
            pre_warnings,
            md_warnings,
            lookups: None,
            search,
            pending: None,
            files_patched: 0,
        })
    }

    /// The static files and content assets of `inputs` that differ from the last build's:
    /// copied again or removed. None when a rendered file has that name (then the full
    /// render says what collides) or a link breaks.
    pub(super) fn assets(
        &mut self,
        inputs: &Inputs,
        sink: &dyn Sink,
    ) -> Option<Result<Report, Vec<Diagnostic>>> {
        let old = &self.model.theme_assets;
        let new = &inputs.assets;
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        let mut removed = Vec::new();
        let mut written = 0;
        let links = std::sync::Mutex::new(std::mem::take(&mut self.links));
        for name in names {
            match (old.get(name), new.get(name)) {
                (Some(a), Some(b)) if a == b => {}
                (_, Some(file)) => {
                    // A new name that the last build rendered (a page, a generated file):
                    // the full render says what collides.
                    let rendered = !old.contains_key(name) && self.links.has(name);
                    if self.model.overridden.contains(name) || rendered {
                        return None;
                    }
                    let o = Output::from(file);
                    note_links(&links, name, &o);
                    if let Err(d) = sink.put(name, o) {
                        return Some(Err(vec![d]));
                    }
                    written += 1;
                }
                (Some(_), None) => {
                    links.lock().unwrap_or_else(|e| e.into_inner()).remove(name);
                    removed.push(name.clone());
                }
                (None, None) => {}
            }
        }
        self.links = links.into_inner().unwrap_or_else(|e| e.into_inner());
        let found = link_diagnostics(&self.links, &self.model, &inputs.templates, &inputs.root);
        if found.iter().any(Diagnostic::is_error) {
            return None;
        }
        self.model.theme_assets = new.clone();
        self.files_patched = written;
        let mut warnings = self.model.warnings.clone();
        warnings.extend(found);
        Some(Ok(Report {
            rendered: super::Rendered::Assets { removed },
            warnings,
            written,
            stats: Stats::default(),
        }))
    }

    /// Patch the last build after the page `path` (content-relative) changed in `inputs`.
    /// None when the change is not a body-only edit of a known page, or a template failed
    /// on it, or a link broke: then the caller renders in full.
    pub(super) fn patch(
        &mut self,
        path: &str,
        inputs: &Inputs,
        cache: &mut BuildCache,
        sink: &dyn Sink,
    ) -> Option<Result<Report, Vec<Diagnostic>>> {
        if self.pending.as_deref().is_some_and(|p| p != path) {
            return None;
        }
        let id = *self.model.by_path.get(path)?;
        let i = id.0;
        let text = inputs.pages.get(path)?;
        let doc = &self.model.docs[i];
        if !same_front_matter(path, text, doc, cache) {
            return None;
        }
        self.search.as_ref()?;
        if self.lookups.is_none() {
            self.lookups = Some(Lookups::new(&self.model, self.live_reload));
        }
        let planned = self.model.images.planned();
        let (rendered, diags) = self.model.render_markdown(id, text, inputs);
        if self.model.images.planned() != planned {
            // A new resized image: the full render encodes it and writes it.
            return None;
        }
        cache.retext_frontmatter(path, text);
        cache.store_markdown(path, text, (rendered.clone(), diags.clone()));
        let (mut errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(Diagnostic::is_error);

        let was: BTreeSet<SourceId> = self.model.cites(doc).cloned().collect();
        let old = std::mem::replace(&mut self.model.docs[i].rendered, rendered);
        if !errors.is_empty() {
            self.model.docs[i].rendered = old;
            self.pending = Some(path.to_string());
            errors.extend(self.warnings_with(i, warnings));
            return Some(Err(errors));
        }
        self.pending = None;
        self.model.warnings = self.warnings_with(i, warnings.clone());
        self.md_warnings[i] = warnings;
        let cites_changed = self.update_back_links(i, &was);

        let words = word_count(&self.model.docs[i].rendered.text);
        let lookups = self.lookups.as_mut().expect("made above");
        let words_changed = words != lookups.words[i];
        lookups.words[i] = words;
        let new = &self.model.docs[i].rendered;
        let text_changed = old.text != new.text || old.blocks != new.blocks;

        // The outputs that show the body.
        let m = &self.model;
        let doc = &m.docs[i];
        let r = Renderer::with_words(m, self.live_reload, Some(lookups.words.clone()));
        let mut outs: Vec<Result<(String, String), Diagnostic>> = Vec::new();
        let (page, lists) = rayon::join(
            || r.render_doc(doc).map(|h| (output_path(&doc.url_path), h)),
            || {
                let mut outs = Vec::new();
                if words_changed {
                    if let Some(parent) = doc.parent.as_deref().and_then(|p| m.doc(p)) {
                        outs.push(
                            r.render_doc(parent)
                                .map(|h| (output_path(&parent.url_path), h)),
                        );
                    }
                    outs.extend(r.term_pages_of(doc));
                }
                if cites_changed {
                    outs.push(r.sources_page());
                    outs.push(r.sources_json().map(|s| ("sources.json".into(), s)));
                }
                if lookups.in_feed[i] {
                    outs.push(r.atom().map(|a| ("atom.xml".into(), a)));
                }
                outs
            },
        );
        outs.push(page);
        outs.extend(lists);
        // A template that fails on the new text: let the full render report it.
        let outs: Vec<(String, String)> = outs.into_iter().collect::<Result<_, _>>().ok()?;
        for (name, html) in &outs {
            if name.ends_with(".html") {
                self.links.page(name, linkcheck::scan(html));
            }
        }
        // Links are checked as a build checks them; a broken one: let the full render say so.
        let found = link_diagnostics(&self.links, m, &inputs.templates, &inputs.root);
        if found.iter().any(Diagnostic::is_error) {
            return None;
        }
        let mut files = Vec::with_capacity(outs.len() + 1);
        for (name, html) in outs {
            files.push((name, Output::Bytes(html.into_bytes().into())));
        }
        if text_changed && let Some(search) = self.search.as_mut() {
            let was = search::page_doc(doc, &old);
            let bundle: Vec<_> = SearchIndex::bundle_of(i)
                .map(|j| m.docs.get(j).map(|d| search::page_doc(d, &d.rendered)))
                .collect();
            for (name, bytes) in search.replace(i, &was, &bundle) {
                files.push((name, Output::Bytes(bytes)));
            }
        }
        let written = files.len();
        for (name, o) in files {
            if let Err(d) = sink.put(&name, o) {
                return Some(Err(vec![d]));
            }
        }
        self.files_patched = written;
        let mut warnings = self.model.warnings.clone();
        warnings.extend(found);
        Some(Ok(Report {
            rendered: super::Rendered::Patched,
            warnings,
            written,
            stats: Stats {
                markdown_renders: 1,
                files_patched: written,
                ..Stats::default()
            },
        }))
    }

    /// Update the back-links of document `i`, which cited `was` before; whether they changed.
    fn update_back_links(&mut self, i: usize, was: &BTreeSet<SourceId>) -> bool {
        let id = crate::model::DocId(i);
        let is: BTreeSet<SourceId> = self.model.cites(&self.model.docs[i]).cloned().collect();
        for source in was.difference(&is) {
            if let Some(set) = self.model.cited_by.get_mut(source) {
                set.remove(&id);
                if set.is_empty() {
                    self.model.cited_by.remove(source);
                }
            }
        }
        for source in is.difference(was) {
            self.model
                .cited_by
                .entry(source.clone())
                .or_default()
                .insert(id);
        }
        *was != is
    }

    /// The build's warnings with document `i`'s Markdown warnings replaced.
    fn warnings_with(&self, i: usize, warnings: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut all = self.pre_warnings.clone();
        for (j, w) in self.md_warnings.iter().enumerate() {
            if j == i {
                all.extend(warnings.iter().cloned());
            } else {
                all.extend(w.iter().cloned());
            }
        }
        all
    }
}

/// Whether `text`, the new text of the page `path`, has the front matter of the last build:
/// the same YAML at the same lines, the body at the same line.
fn same_front_matter(
    path: &str,
    text: &str,
    doc: &crate::model::Document,
    cache: &BuildCache,
) -> bool {
    let Ok(split) = frontmatter::split(text, &doc.file) else {
        return false;
    };
    matches!(
        cache.frontmatter_of(path),
        Some(Ok(parsed)) if parsed.yaml == split.yaml
            && parsed.yaml_line == split.yaml_line
            && parsed.body_line == split.body_line
            && doc.body_line == split.body_line
    )
}
