//! Stage 5: the model through Tera templates into output files: each document's page, the
//! generated pages (`pages`), the data files and feeds (`data`, `feeds`), from the
//! template data of `context`.

mod aliases;
mod context;
mod data;
mod feeds;
mod figures;
mod pages;
pub mod search;
mod share;

pub use crate::model::output_path;
pub use context::{FigureCtx, Link};
pub use data::CSV_COLUMNS;
pub use feeds::{FeedKey, FeedOf};

use crate::content::load::Asset;
use crate::diagnostics::{Diagnostic, Span};
use crate::model::outputs::{pager_count, pager_path};
use crate::model::{DocId, Document, Model};
use crate::sources::Figure;
use context::{PageCtx, PaginatorCtx, SiteCtx, SubsectionCtx};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// One output file's bytes, or a file to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Bytes to write.
    Bytes(Bytes),
    /// A file to copy.
    Copy(PathBuf),
}

impl From<&Asset> for Output {
    /// A file of the site is copied; one of the built-in theme is written from the binary.
    fn from(a: &Asset) -> Output {
        match a {
            Asset::File(p) => Output::Copy(p.clone()),
            Asset::Builtin(_, bytes) => Output::Bytes(bytes.to_vec().into()),
        }
    }
}

/// An output file's bytes, shared: `serve` patches a copy of the previous site without
/// copying its files.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(std::sync::Arc<Vec<u8>>);

impl Bytes {
    /// The bytes to overwrite, if nothing else holds them (to reuse their memory).
    pub fn get_mut(&mut self) -> Option<&mut Vec<u8>> {
        std::sync::Arc::get_mut(&mut self.0)
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(std::sync::Arc::new(v))
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

// ---------------------------------------------------------------------------------------
// Template data

/// A term: its first name, its documents and (for places) its figures.
type TermGroup<'m> = (String, Vec<&'m Document>, Vec<&'m Figure>);

/// Renders a model into output files.
pub struct Renderer<'m> {
    m: &'m Model,
    live_reload: bool,
    site: tera::Value,
    /// `serve`'s memo of the previous build's template renders.
    memo: Option<&'m crate::cache::RenderMemo>,
    /// Where page HTML comes from when the model was built with `defer_html`.
    html_source: Option<&'m HtmlSource<'m>>,
    /// Where `render_rest` leaves the search index (`serve` patches it).
    search_slot: Option<&'m SearchSlot>,
    idx: Index<'m>,
    /// `feeds` of a page that lists no feed of its own: the site's.
    site_feeds: Vec<Link>,
}

/// Where a render leaves its search index.
pub type SearchSlot = std::sync::Mutex<Option<search::SearchIndex>>;

/// Renders the HTML of `Model::docs[i]` on demand (see `Model::deferred_html`).
pub type HtmlSource<'a> = dyn Fn(DocId) -> String + Sync + 'a;

/// Lookups computed once per build, so that no page's data costs O(site size).
struct Index<'m> {
    /// Word count of each document (by index in `Model::docs`).
    words: Vec<usize>,
    /// Section path -> its pages (not subsections), sorted by `sort_key`.
    section_pages: HashMap<&'m str, Vec<&'m Document>>,
    /// Section path -> its subsections, sorted by `sort_key`.
    subsections: HashMap<&'m str, Vec<&'m Document>>,
    /// Document index -> indices of the previous and next page of its section, in reading
    /// order (`reading_key`).
    neighbours: Vec<(Option<DocId>, Option<DocId>)>,
    /// Source id -> the figures it backs, in figure id order.
    figures_by_source: HashMap<&'m str, Vec<&'m Figure>>,
}

impl<'m> Index<'m> {
    fn new(m: &'m Model, words: Option<Vec<usize>>) -> Index<'m> {
        let words: Vec<usize> = words.unwrap_or_else(|| {
            m.docs
                .par_iter()
                .map(|d| word_count(&d.rendered.text))
                .collect()
        });
        let mut section_pages: HashMap<&str, Vec<&Document>> = HashMap::new();
        let mut subsections: HashMap<&str, Vec<&Document>> = HashMap::new();
        for d in &m.docs {
            if let Some(parent) = d.parent.as_deref() {
                let group = if d.is_section() {
                    &mut subsections
                } else {
                    &mut section_pages
                };
                group.entry(parent).or_default().push(d);
            }
        }
        for list in section_pages.values_mut().chain(subsections.values_mut()) {
            list.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        }
        let mut neighbours = vec![(None, None); m.docs.len()];
        for list in section_pages.values() {
            let mut reading = list.clone();
            reading.sort_by(|a, b| reading_key(a).cmp(&reading_key(b)));
            let at: Vec<DocId> = reading.iter().map(|d| m.by_path[&d.path]).collect();
            for (k, &i) in at.iter().enumerate() {
                neighbours[i] = (k.checked_sub(1).map(|j| at[j]), at.get(k + 1).copied());
            }
        }
        let mut figures_by_source: HashMap<&str, Vec<&Figure>> = HashMap::new();
        for f in m.figures.values() {
            figures_by_source
                .entry(f.decl.source.as_str())
                .or_default()
                .push(f);
        }
        Index {
            words,
            section_pages,
            subsections,
            neighbours,
            figures_by_source,
        }
    }
}

/// The words of a page's plain text (`word_count`, `reading_minutes`).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

fn reading_minutes(words: usize) -> usize {
    words.div_ceil(220).max(1)
}

impl<'m> Renderer<'m> {
    /// A renderer of the model `m` (`live_reload`: pages carry the reload script's hooks).
    pub fn new(m: &'m Model, live_reload: bool) -> Renderer<'m> {
        Renderer::with_words(m, live_reload, None)
    }

    /// `new`, with the word count of every document already known (by index in `m.docs`).
    pub fn with_words(m: &'m Model, live_reload: bool, words: Option<Vec<usize>>) -> Renderer<'m> {
        let mut menu = vec![];
        if let Some(home) = m.doc("_index.md") {
            menu.push(Link {
                title: "Home".into(),
                url: m.url(&home.url_path),
            });
        }
        let mut top: Vec<&Document> = m
            .docs
            .iter()
            .filter(|d| d.parent.as_deref() == Some("_index.md"))
            .collect();
        top.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        // Every page carries the menu: a site with hundreds of top-level sections would
        // otherwise repeat hundreds of links on every page (and build in quadratic time).
        menu.extend(top.iter().take(m.config.menu_limit).map(|d| Link {
            title: d.fm.title.clone(),
            url: m.url(&d.url_path),
        }));
        let c = &m.config;
        let site = SiteCtx {
            title: &c.title,
            description: c.description.as_deref(),
            author: c.author.as_deref(),
            language: &c.language,
            base_url: &c.base_url,
            base_path: &m.base_path,
            extra: &c.extra,
            menu,
            figure_count: m.figures.len(),
            source_count: m.registry.sources.len(),
            page_count: m.docs.iter().filter(|d| !d.is_section()).count(),
            citation_style: context::StyleCtx {
                name: &m.style.name,
                title: &m.style.title,
                kind: m.style.kind.name(),
                csl: m.style.is_csl(),
            },
            // Under serve a stylesheet edit is swapped into the open pages in place, by its
            // name: the plain names, which do not change.
            assets: if live_reload {
                &NO_ASSETS
            } else {
                &m.asset_names
            },
        };
        let site = tera::Value::from_serializable(&site);
        Renderer {
            m,
            live_reload,
            site,
            memo: None,
            html_source: None,
            search_slot: None,
            idx: Index::new(m, words),
            site_feeds: vec![Link {
                title: m.config.title.clone(),
                url: m.url("/atom.xml"),
            }],
        }
    }

    /// The word count of every document, by index in `Model::docs`.
    pub fn words(&self) -> &[usize] {
        &self.idx.words
    }

    /// Reuse the HTML of outputs whose template and context did not change.
    /// Page HTML from `source` instead of the model (built with `defer_html`).
    pub fn with_html_source(mut self, source: &'m HtmlSource<'m>) -> Renderer<'m> {
        self.html_source = Some(source);
        self
    }

    /// A document's rendered HTML.
    fn html_of(&self, d: &'m Document) -> std::borrow::Cow<'m, str> {
        match self.html_source {
            Some(source) => std::borrow::Cow::Owned(source(self.m.by_path[&d.path])),
            None => std::borrow::Cow::Borrowed(d.rendered.html.as_str()),
        }
    }

    /// Leave the search index that `render_rest` writes in `slot`.
    pub fn keep_search(mut self, slot: &'m SearchSlot) -> Renderer<'m> {
        self.search_slot = Some(slot);
        self
    }

    /// Reuse the HTML of outputs whose template and context did not change (`serve`).
    pub fn with_memo(mut self, memo: &'m crate::cache::RenderMemo) -> Renderer<'m> {
        self.memo = Some(memo);
        self
    }

    /// Every template render of an output file goes through here (`key` names the output).
    fn render_template(
        &self,
        key: &str,
        name: &str,
        ctx: &tera::Context,
    ) -> Result<String, Diagnostic> {
        if self.m.theme.reads_site() {
            self.m.theme.fill_site(|| self.site_data());
        }
        match self.memo {
            Some(memo) => memo.render(key, name, ctx, || self.m.theme.render(name, ctx)),
            None => self.m.theme.render(name, ctx),
        }
    }

    fn context(&self, current_path: &str) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.site.clone());
        ctx.insert("current_path", current_path);
        ctx.insert("current_url", &self.m.url(current_path));
        ctx.insert("live_reload", &self.live_reload);
        ctx.insert("feeds", &self.site_feeds);
        ctx.insert("paginator", &None::<()>);
        ctx.insert(
            "share",
            &self.share_site(current_path, &self.m.config.title),
        );
        ctx
    }

    /// A document's own output file (see `output_path`); a paginated section's first pager.
    pub fn render_doc(&self, d: &'m Document) -> Result<String, Diagnostic> {
        self.render_pager(d, 1)
    }

    /// Every output file of a document: its own, and a paginated section's further pagers
    /// (`/stories/page/2/`), by output path.
    pub fn render_doc_all(&self, d: &'m Document) -> Vec<(String, Result<String, Diagnostic>)> {
        let n = if d.is_section() {
            pager_count(self.section_pages(&d.path).len(), self.m.paginate_by(d))
        } else {
            1
        };
        (1..=n)
            .map(|k| {
                (
                    output_path(&pager_path(&d.url_path, k)),
                    self.render_pager(d, k),
                )
            })
            .collect()
    }

    /// The pager `k` (from 1) of a paginated list of `all` at `list_path`, `by` a pager.
    fn paginator(
        &'m self,
        list_path: &str,
        all: &[&'m Document],
        by: usize,
        k: usize,
    ) -> PaginatorCtx<'m> {
        let m = self.m;
        let n = pager_count(all.len(), by);
        let url = |k: usize| m.url(&pager_path(list_path, k));
        PaginatorCtx {
            paginate_by: by,
            base_url: m.url(list_path),
            number_pagers: n,
            first: url(1),
            last: url(n),
            previous: (k > 1).then(|| url(k - 1)),
            next: (k < n).then(|| url(k + 1)),
            pages: all
                .iter()
                .skip((k - 1) * by)
                .take(by)
                .map(|p| self.page(p, false))
                .collect(),
            current_index: k,
            total_pages: all.len(),
        }
    }

    /// Pager `k` of a document's output (1: its own page).
    fn render_pager(&self, d: &'m Document, k: usize) -> Result<String, Diagnostic> {
        let m = self.m;
        let mut page = self.page(d, true);
        let name = template_of(d);
        if !m.theme.has(&name) {
            return Err(Diagnostic::error(
                Span::file(&d.file),
                format!("template `{name}` does not exist"),
            )
            .with_hint(m.theme.template_hint(&name)));
        }
        let mut ctx = self.context(&pager_path(&d.url_path, k));
        ctx.insert("feeds", &self.feed_links(d));
        ctx.insert("share", &self.share_doc(d, page.description.clone()));
        if d.is_section() {
            let all = self.section_pages(&d.path);
            let by = m.paginate_by(d);
            if by > 0 {
                ctx.insert("paginator", &self.paginator(&d.url_path, all, by, k));
            }
            self.section_lists(d, k, &mut page);
            ctx.insert("section", &page);
        }
        ctx.insert("page", &page);
        let key = if k == 1 {
            d.path.clone()
        } else {
            format!("{}#page{k}", d.path)
        };
        self.render_template(&key, &name, &ctx).map_err(|mut e| {
            e.message = format!("{} (rendering content/{})", e.message, d.path);
            e
        })
    }

    /// A section's pages on pager `k` and its subsections, in its `page`.
    fn section_lists<'a>(&'a self, d: &'a Document, k: usize, page: &mut PageCtx<'a>) {
        let m = self.m;
        let all = self.section_pages(&d.path);
        let by = m.paginate_by(d);
        if by > 0 {
            // Each pager holds its own pages only: the whole list on every pager would
            // make a big section quadratic.
            page.pages = Some(
                all.iter()
                    .skip((k - 1) * by)
                    .take(by)
                    .map(|p| self.page(p, false))
                    .collect(),
            );
        } else {
            page.pages = Some(all.iter().map(|p| self.page(p, false)).collect());
        }
        let subs = self.idx.subsections.get(d.path.as_str());
        page.subsections = Some(
            subs.map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|s| SubsectionCtx {
                    title: &s.fm.title,
                    url: m.url(&s.url_path),
                    summary: s.fm.summary.as_deref(),
                })
                .collect(),
        );
    }

    /// Every output file of the site.
    pub fn render_all(&self) -> Result<BTreeMap<String, Output>, Vec<Diagnostic>> {
        let files = std::sync::Mutex::new(BTreeMap::new());
        self.render_each(&|path: &str, out: Output| {
            files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_string(), out);
            Ok(())
        })?;
        Ok(files.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    /// Every output file of the site, handed to `put` as soon as it is rendered (from any
    /// thread), so that `dossier build` never holds the whole site in memory. In order: the
    /// pages, then the generated pages, then the data files (each may replace a file of an
    /// earlier step with the same path), then the static files (which never replace a
    /// rendered file). Returns the number of files.
    pub fn render_each(
        &self,
        put: &(dyn Fn(&str, Output) -> Result<(), Diagnostic> + Sync),
    ) -> Result<usize, Vec<Diagnostic>> {
        let mut written = HashSet::new();
        let diags = self.render_pages(put, &mut written);
        self.render_rest(put, written, diags)
    }

    /// The paths of the pages whose HTML the feed embeds (kept by a one-off build, which
    /// drops every other page's HTML after its template).
    pub fn feed_pages(&self) -> HashSet<String> {
        self.all_feed_pages()
    }

    /// First step of `render_each`: every page and section through its template. Returns
    /// the diagnostics; `written` gets the paths written.
    pub fn render_pages(
        &self,
        put: &(dyn Fn(&str, Output) -> Result<(), Diagnostic> + Sync),
        written: &mut HashSet<String>,
    ) -> Vec<Diagnostic> {
        let m = self.m;
        let mut diags = Vec::new();
        let rendered: Vec<(String, Option<Diagnostic>)> = m
            .docs
            .par_iter()
            .flat_map_iter(|d| {
                self.render_doc_all(d).into_iter().map(|(path, r)| {
                    let r = r.and_then(|html| put(&path, Output::Bytes(html.into_bytes().into())));
                    (path, r.err())
                })
            })
            .collect();
        for (path, r) in rendered {
            match r {
                None => {
                    written.insert(path);
                }
                Some(d) => diags.push(d),
            }
        }
        diags
    }

    /// The rest of `render_each`: generated pages, data files, static files.
    pub fn render_rest(
        &self,
        put: &(dyn Fn(&str, Output) -> Result<(), Diagnostic> + Sync),
        mut written: HashSet<String>,
        mut diags: Vec<Diagnostic>,
    ) -> Result<usize, Vec<Diagnostic>> {
        let m = self.m;
        // Each generated page and data file is written as soon as it is made: their data is
        // the largest transient memory of a big build. The big single pages (figures,
        // sources) are made on one thread while the term pages are made on the other (which
        // then helps with the rest); the data files come last, one after another.
        // A generated file that the site's static/ replaces is not written (the static
        // file is copied instead, below).
        let emit = |g: Result<(String, String), Diagnostic>| {
            g.and_then(|(path, html)| {
                if !m.overridden.contains(&path) {
                    put(&path, Output::Bytes(html.into_bytes().into()))?;
                }
                Ok(path)
            })
        };
        let (pages, terms) = rayon::join(
            || {
                vec![
                    emit(self.figures_page()),
                    emit(self.sources_page()),
                    emit(self.not_found()),
                ]
            },
            || self.taxonomies(&emit),
        );
        for g in pages.into_iter().chain(terms) {
            match g {
                Ok(path) if m.overridden.contains(&path) => {}
                Ok(path) => {
                    written.insert(path);
                }
                Err(d) => diags.push(d),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        self.data_files(&mut |path, text| {
            if !m.overridden.contains(path) {
                put(path, Output::Bytes(text.into_bytes().into()))?;
                written.insert(path.to_string());
            }
            Ok(())
        })
        .map_err(|e| vec![e])?;
        let (index, search_files) = self.write_search(put).map_err(|e| vec![e])?;
        if let Some(slot) = self.search_slot {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(index);
        }
        let assets: Vec<(&String, &Asset)> = m
            .theme_assets
            .iter()
            .filter(|(path, _)| !written.contains(path.as_str()))
            .collect();
        assets
            .par_iter()
            .try_for_each(|(path, src)| put(path, Output::from(*src)))
            .map_err(|e| vec![e])?;
        // Stylesheets and scripts again under their hashed names (the plain names stay for
        // templates and scripts that name them).
        // (Under serve too, where pages name the plain ones: serve has every file a build has.)
        for (plain, hashed) in &m.asset_names {
            match m.theme_assets.get(plain) {
                Some(src) => put(hashed, Output::from(src)),
                None => put(
                    hashed,
                    Output::Bytes(
                        crate::markdown::highlight::syntax_css(&m.config.highlight_theme)
                            .into_bytes()
                            .into(),
                    ),
                ),
            }
            .map_err(|e| vec![e])?;
        }
        Ok(written.len() + search_files + assets.len() + m.asset_names.len())
    }
}

/// The hashed asset names under `dossier serve`: none.
static NO_ASSETS: BTreeMap<String, String> = BTreeMap::new();

/// Weighted pages first (by weight), then newest first, then by title.
fn sort_key(
    d: &Document,
) -> (
    bool,
    i64,
    std::cmp::Reverse<Option<jiff::civil::Date>>,
    &str,
) {
    (
        d.fm.weight.is_none(),
        d.fm.weight.unwrap_or(0),
        std::cmp::Reverse(d.fm.date.as_ref().map(|x| x.day)),
        &d.fm.title,
    )
}

/// A section's reading order, which previous/next follow: weighted pages first (by weight),
/// then dated pages oldest first (a story's "next" is the one published after it), then
/// undated pages; ties by title. Lists show the newest first instead (`sort_key`).
fn reading_key(d: &Document) -> (bool, i64, bool, Option<jiff::civil::Date>, &str) {
    (
        d.fm.weight.is_none(),
        d.fm.weight.unwrap_or(0),
        d.fm.date.is_none(),
        d.fm.date.as_ref().map(|x| x.day),
        &d.fm.title,
    )
}

/// The template a document renders through.
pub fn template_of(d: &Document) -> String {
    match (&d.fm.template, d.is_section()) {
        (Some(t), _) => t.clone(),
        (None, true) if d.path == "_index.md" => "index.html".into(),
        (None, true) => "section.html".into(),
        (None, false) => "page.html".into(),
    }
}
