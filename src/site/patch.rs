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
//! | `atom.xml`, its section's and terms' feeds | it is one of that feed's entries           |
//! | `/sources/`, `sources.json`              | the set of sources it cites changed          |
//!
//! One page's front matter edited where only what lists show of it changed (its title,
//! summary, date, updated date, weight or tags; not a section, not in the menu, with no
//! exemptions, whose tags are spelled as everywhere else): the same, and also
//!
//! | output                                   | when                                         |
//! |------------------------------------------|----------------------------------------------|
//! | its section, its old and new term pages  | always                                       |
//! | `/tags/`                                 | its tags changed                             |
//! | the pages before and after it, and every | always (their links show its title; a new    |
//! | page whose neighbours changed            | date or weight moves it in reading order)    |
//! | every feed it is an entry of             | before or after                              |
//! | `sitemap.xml`                            | its dates changed                            |
//! | `/sources/`, `sources.json`              | it cites a source (they list its title)      |
//! | `/figures/`, its figures' place pages    | it declares figures (they say where quoted)  |
//! | `search/`: its document, its places'     | always (its title and summary are words; a   |
//! |                                          | place's document lists its pages' titles)    |
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
use crate::model::outputs::term_slug;
use crate::model::{DocId, Document, Model};
use crate::render::search::{self, SearchIndex};
use crate::render::{FeedKey, Output, Renderer, word_count};
use std::collections::{BTreeMap, BTreeSet};

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
    /// The feeds each document is an entry of (the site's, its section's, its terms').
    in_feed: Vec<Vec<FeedKey>>,
    /// Each document's neighbours (`Renderer::neighbour_ids`).
    neighbours: Vec<(Option<DocId>, Option<DocId>)>,
}

impl Lookups {
    fn new(model: &Model, live_reload: bool) -> Lookups {
        let r = Renderer::new(model, live_reload);
        Lookups {
            words: r.words().to_vec(),
            in_feed: in_feeds(&r, model),
            neighbours: r.neighbour_ids().to_vec(),
        }
    }
}

/// The feeds each document is an entry of.
fn in_feeds(r: &Renderer, model: &Model) -> Vec<Vec<FeedKey>> {
    let mut in_feed = vec![Vec::new(); model.docs.len()];
    let limit = model.config.feed_limit;
    for f in r.all_feeds() {
        for d in f.pages.iter().take(limit) {
            in_feed[model.by_path[&d.path].0].push(f.key.clone());
        }
    }
    in_feed
}

/// What a patch of one page changed, for `Shown::outputs`.
struct Shown<'a> {
    listing: Option<&'a Listing>,
    words_changed: bool,
    cites_changed: bool,
    /// The page cites a source.
    cited: bool,
    /// The feeds it is an entry of (before or after).
    feeds: &'a [FeedKey],
}

/// Every pager of document `d`'s output.
fn all_pagers(r: &Renderer, d: &Document) -> Vec<Result<(String, String), Diagnostic>> {
    r.render_doc_all(d)
        .into_iter()
        .map(|(path, h)| h.map(|h| (path, h)))
        .collect()
}

impl Shown<'_> {
    /// The page `i` and the other outputs that show what changed of it.
    fn outputs(
        &self,
        r: &Renderer,
        m: &Model,
        i: usize,
    ) -> Vec<Result<(String, String), Diagnostic>> {
        let doc = &m.docs[i];
        let (page, lists) = rayon::join(
            || all_pagers(r, doc),
            || {
                let mut outs = Vec::new();
                if let Some(l) = self.listing {
                    outs.extend(l.outputs(r, m, i));
                } else if self.words_changed {
                    if let Some(parent) = doc.parent.as_deref().and_then(|p| m.doc(p)) {
                        outs.extend(all_pagers(r, parent));
                    }
                    outs.extend(r.term_pages_of(doc));
                }
                // `/sources/` lists the titles of the pages that cite.
                if self.cites_changed || (self.listing.is_some() && self.cited) {
                    outs.push(r.sources_page());
                    outs.push(r.sources_json().map(|s| ("sources.json".into(), s)));
                }
                for key in self.feeds {
                    if let Some(f) = r.feed_of(key) {
                        outs.push(r.atom_of(&f).map(|a| (f.output_path().to_string(), a)));
                    }
                }
                outs
            },
        );
        let mut outs = page;
        outs.extend(lists);
        outs
    }
}

/// A front-matter edit of one page that only its listings show (see the module's doc).
struct Listing {
    /// The document before the edit.
    old: Document,
    /// Each document's neighbours before the edit (`Renderer::neighbour_ids`).
    old_neighbours: Vec<(Option<DocId>, Option<DocId>)>,
    /// The search documents of its places before the edit (they list their pages' titles),
    /// with their numbers.
    old_places: Vec<(usize, search::SearchDoc<'static>)>,
}

impl Listing {
    /// The outputs, besides the page itself, its feeds, `/sources/` and `search/`, that show
    /// what the edit changed.
    fn outputs(
        &self,
        r: &Renderer,
        m: &Model,
        i: usize,
    ) -> Vec<Result<(String, String), Diagnostic>> {
        let doc = &m.docs[i];
        let mut outs = Vec::new();
        let mut docs: BTreeSet<usize> = BTreeSet::new();
        if let Some(parent) = doc.parent.as_deref() {
            docs.insert(m.by_path[parent].0);
        }
        let now = r.neighbour_ids();
        let me = Some(DocId(i));
        for (j, (was, is)) in self.old_neighbours.iter().zip(now).enumerate() {
            if was != is || [was.0, was.1, is.0, is.1].contains(&me) {
                docs.insert(j);
            }
        }
        docs.remove(&i);
        for j in docs {
            outs.extend(all_pagers(r, &m.docs[j]));
        }
        let mut terms: BTreeMap<String, Result<(String, String), Diagnostic>> = BTreeMap::new();
        for t in r
            .term_pages_of(&self.old)
            .into_iter()
            .chain(r.term_pages_of(doc))
        {
            let key = t
                .as_ref()
                .map_or_else(|_| String::new(), |(name, _)| name.clone());
            terms.insert(key, t);
        }
        outs.extend(terms.into_values());
        if self.old.fm.tags != doc.fm.tags {
            outs.extend(r.term_list_page("tags"));
        }
        if (&self.old.fm.date, &self.old.fm.updated) != (&doc.fm.date, &doc.fm.updated) {
            outs.push(r.sitemap().map(|s| ("sitemap.xml".into(), s)));
        }
        if !doc.fm.figures.is_empty() {
            // Its figures' rows say where they are quoted, by the page's title.
            outs.push(r.figures_page());
            let places: Vec<String> = doc
                .fm
                .figures
                .iter()
                .filter_map(|f| f.place.clone())
                .filter(|p| !doc.fm.places.contains(p))
                .collect();
            outs.extend(r.term_pages_named("places", &places));
        }
        outs
    }
}

impl Previous {
    /// The new front matter of document `i` from its new `text`, if the edit is one that
    /// only its listings show (see the module's doc); None for the full render.
    fn listing_edit(&self, i: usize, text: &str) -> Option<frontmatter::Parsed> {
        let m = &self.model;
        let doc = &m.docs[i];
        if doc.is_section()
            || doc.parent.as_deref() == Some("_index.md")
            || !doc.fm.exemptions.is_empty()
            || self.pre_warnings.iter().any(|w| w.span.file == doc.file)
        {
            return None;
        }
        let parsed = frontmatter::Parsed::of(text, &doc.file).ok()?;
        let (old, new) = (&doc.fm, &parsed.fm);
        let mut same = new.clone();
        same.title.clone_from(&old.title);
        same.summary.clone_from(&old.summary);
        same.date.clone_from(&old.date);
        same.updated.clone_from(&old.updated);
        same.weight = old.weight;
        same.tags.clone_from(&old.tags);
        // A term's pagers may become fewer (a patch never removes a file).
        let paged = m.taxonomy("tags").is_some_and(|t| t.paginate_by > 0);
        if same != *old || (old.tags != new.tags && (paged || !tags_as_everywhere(m, i, &new.tags)))
        {
            return None;
        }
        Some(parsed)
    }

    /// Put the new front matter `parsed` of document `i` into the model (and `cache`);
    /// what the fast path needs of the document before.
    fn apply_listing_edit(
        &mut self,
        i: usize,
        parsed: frontmatter::Parsed,
        cache: &mut BuildCache,
        path: &str,
        text: &str,
    ) -> Listing {
        let old_neighbours = self
            .lookups
            .as_ref()
            .map(|l| l.neighbours.clone())
            .unwrap_or_default();
        let places = &self.model.docs[i].fm.places;
        let old_places = if places.is_empty() {
            Vec::new()
        } else {
            let words = self.lookups.as_ref().map(|l| l.words.clone());
            Renderer::with_words(&self.model, self.live_reload, words)
                .place_docs_named(places)
                .into_iter()
                .map(|(n, d)| (n, d.into_owned()))
                .collect()
        };
        let d = &mut self.model.docs[i];
        let old = d.clone();
        d.fm = parsed.fm.clone();
        d.yaml.clone_from(&parsed.yaml);
        d.yaml_line = parsed.yaml_line;
        d.body_line = parsed.body_line;
        cache.store_frontmatter(path, text, Ok(parsed));
        Listing {
            old,
            old_neighbours,
            old_places,
        }
    }

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
        let edit = if same_front_matter(path, text, doc, cache) {
            None
        } else {
            Some(self.listing_edit(i, text)?)
        };
        self.search.as_ref()?;
        if self.lookups.is_none() {
            self.lookups = Some(Lookups::new(&self.model, self.live_reload));
        }
        let listing = edit.map(|parsed| self.apply_listing_edit(i, parsed, cache, path, text));
        let planned = self.model.images.planned();
        let (rendered, diags) = self.model.render_markdown(id, text, inputs);
        if self.model.images.planned() != planned {
            // A new resized image: the full render encodes it and writes it.
            return None;
        }
        if listing.is_none() {
            cache.retext_frontmatter(path, text);
        }
        cache.store_markdown(path, text, (rendered.clone(), diags.clone()));
        let (mut errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(Diagnostic::is_error);

        let doc = &self.model.docs[i];
        let was: BTreeSet<SourceId> = self.model.cites(doc).cloned().collect();
        if let Some(l) = &listing
            && !errors.is_empty()
        {
            // The full render reports it, from a model that never had the new front matter.
            self.model.docs[i] = l.old.clone();
            return None;
        }
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
        // Lists and the feed show a summary taken from the body (`<!-- more -->`).
        let summary_changed = old.summary != new.summary;

        // The outputs that show the body.
        let m = &self.model;
        let doc = &m.docs[i];
        let r = Renderer::with_words(m, self.live_reload, Some(lookups.words.clone()));
        let mut feeds = lookups.in_feed[i].clone();
        if listing.is_some() {
            // Its date may move it into or out of a feed; its tags, into other terms' feeds.
            lookups.in_feed = in_feeds(&r, m);
            lookups.neighbours = r.neighbour_ids().to_vec();
            for key in &lookups.in_feed[i] {
                if !feeds.contains(key) {
                    feeds.push(key.clone());
                }
            }
        }
        let what = Shown {
            listing: listing.as_ref(),
            words_changed: words_changed || summary_changed,
            cites_changed,
            cited: !was.is_empty(),
            feeds: &feeds,
        };
        let outs = what.outputs(&r, m, i);
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
        if let Some(search) = self.search.as_mut() {
            let was = (text_changed || listing.is_some())
                .then(|| search::page_doc(listing.as_ref().map_or(doc, |l| &l.old), &old));
            files.extend(search_files(search, &r, i, was.as_ref(), listing.as_ref()));
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

/// The files of `search` that change when document `i`, which was `was` (None: its words
/// did not change), is as `r`'s model has it, and with a listing edit, its places' documents.
fn search_files(
    search: &mut SearchIndex,
    r: &Renderer,
    i: usize,
    was: Option<&search::SearchDoc>,
    listing: Option<&Listing>,
) -> Vec<(String, Output)> {
    let mut files = Vec::new();
    if let Some(was) = was {
        let bundle = r.search_docs_in(SearchIndex::bundle_of(i));
        for (name, bytes) in search.replace(i, was, &bundle) {
            files.push((name, Output::Bytes(bytes)));
        }
    }
    for (n, was) in listing.map_or(&[][..], |l| &l.old_places) {
        let bundle = r.search_docs_in(SearchIndex::bundle_of(*n));
        for (name, bytes) in search.replace(*n, was, &bundle) {
            files.push((name, Output::Bytes(bytes)));
        }
    }
    files
}

/// Whether document `i`'s tags, before and with `new` ones, are spelled as every other use
/// of them (so the build's checks of term names say what they said), have a page each, and
/// every old one is still used elsewhere (a term page is never removed by a patch).
fn tags_as_everywhere(m: &Model, i: usize, new: &[String]) -> bool {
    let old = &m.docs[i].fm.tags;
    let slugs: BTreeMap<String, &str> = old
        .iter()
        .chain(new)
        .map(|t| (term_slug(t), t.as_str()))
        .collect();
    if slugs.keys().any(String::is_empty)
        || new
            .iter()
            .map(|t| term_slug(t))
            .collect::<BTreeSet<_>>()
            .len()
            != new.len()
        || old.iter().chain(new).any(|t| slugs[&term_slug(t)] != t)
    {
        return false;
    }
    let mut used_elsewhere: BTreeSet<&str> = BTreeSet::new();
    for (j, d) in m.docs.iter().enumerate() {
        for t in &d.fm.tags {
            let slug = term_slug(t);
            if let Some(name) = slugs.get(&slug) {
                if *name != t.as_str() {
                    return false;
                }
                if j != i {
                    used_elsewhere.insert(name);
                }
            }
        }
    }
    old.iter()
        .filter(|t| !new.contains(t))
        .all(|t| used_elsewhere.contains(t.as_str()))
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
