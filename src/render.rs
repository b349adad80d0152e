//! Stage 3: the model through Tera templates into output files (in memory), plus the
//! generated data files: feeds, sitemap, search index, figures/sources as JSON and CSV.

use crate::diagnostics::{Diagnostic, Span};
use crate::markdown::TocEntry;
use crate::model::{Document, Model};
use crate::sources::{Figure, Source};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// One output file's bytes, or a file to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Bytes(Bytes),
    Copy(PathBuf),
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

#[derive(Serialize, Clone)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    description: Option<&'a str>,
    author: Option<&'a str>,
    language: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    menu: Vec<Link>,
    figure_count: usize,
    source_count: usize,
    page_count: usize,
}

#[derive(Serialize, Clone)]
struct TermRef {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct PageCtx<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    date: Option<String>,
    updated: Option<String>,
    date_display: Option<String>,
    updated_display: Option<String>,
    slug: String,
    url: String,
    permalink: String,
    path: &'a str,
    weight: Option<i64>,
    draft: bool,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    word_count: usize,
    reading_minutes: usize,
    tags: Vec<TermRef>,
    places: Vec<TermRef>,
    content: Option<std::borrow::Cow<'a, str>>,
    toc: Option<&'a [TocEntry]>,
    figures: Option<Vec<FigureCtx<'a>>>,
    references: Option<Vec<RefCtx<'a>>>,
    previous: Option<Link>,
    next: Option<Link>,
    pages: Option<Vec<PageCtx<'a>>>,
    subsections: Option<Vec<SubsectionCtx<'a>>>,
}

#[derive(Serialize)]
struct SubsectionCtx<'a> {
    title: &'a str,
    url: String,
    summary: Option<&'a str>,
}

#[derive(Serialize)]
struct RefCtx<'a> {
    number: usize,
    id: &'a str,
    source: SourceRef<'a>,
    locators: &'a [String],
}

#[derive(Serialize, Clone)]
struct SourceRef<'a> {
    id: &'a str,
    title: &'a str,
    publisher: &'a str,
    authors: &'a [String],
    published: String,
    published_display: String,
    url: Option<&'a str>,
    accessed: Option<String>,
    language: Option<&'a str>,
    note: Option<&'a str>,
    archived: bool,
    anchor: String,
    index_url: String,
}

#[derive(Serialize)]
struct SourceCtx<'a> {
    #[serde(flatten)]
    source: SourceRef<'a>,
    cited_by: Vec<Link>,
    figures: Vec<FigureBrief<'a>>,
}

#[derive(Serialize)]
struct FigureBrief<'a> {
    id: &'a str,
    display: String,
    subject: &'a str,
    url: String,
}

#[derive(Serialize, Clone)]
struct PeriodCtx {
    from: String,
    to: String,
}

#[derive(Serialize, Clone)]
pub struct FigureCtx<'a> {
    id: &'a str,
    value: f64,
    display: String,
    value_display: String,
    qualifier: &'static str,
    unit: Option<&'a str>,
    count_unit: Option<&'a str>,
    note: Option<&'a str>,
    measure: &'a str,
    measure_label: String,
    subject: &'a str,
    place: Option<&'a str>,
    place_url: Option<String>,
    period: Option<PeriodCtx>,
    period_display: Option<String>,
    as_of: Option<String>,
    claimed_by: Option<&'a str>,
    source: SourceRef<'a>,
    quote: &'a str,
    verified: bool,
    page: Link,
    url: String,
    anchor: String,
    disputed: bool,
}

#[derive(Serialize)]
struct TermCtx<'a> {
    name: &'a str,
    url: String,
    count: usize,
    pages: Vec<PageCtx<'a>>,
    figures: Vec<FigureCtx<'a>>,
}

/// "daily-entries" -> "Daily entries": measures are ids in front matter, words on pages.
pub fn measure_label(measure: &str) -> String {
    let words = measure.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

use crate::model::outputs::{TAXONOMIES, term_slug};

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
    idx: Index<'m>,
}

/// Renders the HTML of `Model::docs[i]` on demand (see `Model::deferred_html`).
pub type HtmlSource<'a> = dyn Fn(usize) -> String + Sync + 'a;

/// Lookups computed once per build, so that no page's data costs O(site size).
struct Index<'m> {
    /// Word count of each document (by index in `Model::docs`).
    words: Vec<usize>,
    /// Section path -> its pages (not subsections), sorted by `sort_key`.
    section_pages: HashMap<&'m str, Vec<&'m Document>>,
    /// Section path -> its subsections, sorted by `sort_key`.
    subsections: HashMap<&'m str, Vec<&'m Document>>,
    /// Document index -> indices of the previous and next page of its section.
    neighbours: Vec<(Option<usize>, Option<usize>)>,
    disputed: HashSet<&'m str>,
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
            let at: Vec<usize> = list.iter().map(|d| m.by_path[&d.path]).collect();
            for (k, &i) in at.iter().enumerate() {
                neighbours[i] = (k.checked_sub(1).map(|j| at[j]), at.get(k + 1).copied());
            }
        }
        let disputed = m.disputes.iter().flatten().map(String::as_str).collect();
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
            disputed,
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
        };
        let site = tera::Value::from_serializable(&site);
        Renderer {
            m,
            live_reload,
            site,
            memo: None,
            html_source: None,
            idx: Index::new(m, words),
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
        ctx
    }

    fn source_ref(&self, s: &'m Source) -> SourceRef<'m> {
        SourceRef {
            id: &s.id,
            title: &s.title,
            publisher: &s.publisher,
            authors: &s.authors,
            published: s.published.iso.clone(),
            published_display: s.published.display(),
            url: s.url.as_deref(),
            accessed: s.accessed.as_ref().map(|d| d.iso.clone()),
            language: s.language.as_deref(),
            note: s.note.as_deref(),
            archived: s.archive_text.is_some(),
            anchor: format!("src-{}", s.id),
            index_url: self.m.url(&format!("/sources/#src-{}", s.id)),
        }
    }

    fn figure(&self, f: &'m Figure) -> FigureCtx<'m> {
        let m = self.m;
        let src = m
            .registry
            .get(&f.decl.source)
            .expect("figure sources are checked");
        let page = m
            .doc(&f.page)
            .map(|d| Link {
                title: d.fm.title.clone(),
                url: m.url(&d.url_path),
            })
            .unwrap_or(Link {
                title: String::new(),
                url: String::new(),
            });
        FigureCtx {
            id: &f.decl.id,
            value: f.decl.value,
            display: f.display(true),
            value_display: f.value_display(),
            qualifier: f.qualifier.name(),
            unit: f.decl.unit.as_deref(),
            count_unit: f.count_unit(),
            note: f.decl.note.as_deref(),
            measure: &f.decl.measure,
            measure_label: measure_label(&f.decl.measure),
            subject: &f.decl.subject,
            place: f.decl.place.as_deref(),
            place_url: f
                .decl
                .place
                .as_ref()
                .map(|p| m.url(&format!("/places/{}/", term_slug(p)))),
            period: f.period.as_ref().map(|p| PeriodCtx {
                from: p.from.iso.clone(),
                to: p.to.iso.clone(),
            }),
            period_display: f.period.as_ref().map(|p| p.display()),
            as_of: f.decl.as_of.as_ref().map(|d| d.iso.clone()),
            claimed_by: f.decl.claimed_by.as_deref(),
            source: self.source_ref(src),
            quote: &f.decl.quote,
            verified: f.verified,
            page,
            url: m.url(&format!("/figures/#{}", f.anchor())),
            anchor: f.anchor(),
            disputed: self.idx.disputed.contains(f.decl.id.as_str()),
        }
    }

    fn terms(&self, names: &[String], kind: &str) -> Vec<TermRef> {
        names
            .iter()
            .map(|n| TermRef {
                name: n.clone(),
                url: self.m.url(&format!("/{kind}/{}/", term_slug(n))),
            })
            .collect()
    }

    /// A page's data; `full` adds content, toc, figures and references.
    fn page(&'m self, d: &'m Document, full: bool) -> PageCtx<'m> {
        let m = self.m;
        let words = self.idx.words[m.by_path[&d.path]];
        let (previous, next) = if full && !d.is_section() {
            self.neighbours(d)
        } else {
            (None, None)
        };
        PageCtx {
            title: &d.fm.title,
            summary: d.fm.summary.as_deref(),
            date: d.fm.date.as_ref().map(|x| x.iso.clone()),
            updated: d.fm.updated.as_ref().map(|x| x.iso.clone()),
            date_display: d.fm.date.as_ref().map(|x| x.display()),
            updated_display: d.fm.updated.as_ref().map(|x| x.display()),
            slug: d
                .url_path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
            url: m.url(&d.url_path),
            permalink: m.permalink(&d.url_path),
            path: &d.path,
            weight: d.fm.weight,
            draft: d.fm.draft,
            extra: &d.fm.extra,
            word_count: words,
            reading_minutes: reading_minutes(words),
            tags: self.terms(&d.fm.tags, "tags"),
            places: self.terms(&d.fm.places, "places"),
            content: full.then(|| self.html_of(d)),
            toc: full.then_some(d.rendered.toc.as_slice()),
            figures: full.then(|| self.page_figures(d)),
            references: full.then(|| {
                d.rendered
                    .references
                    .entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (id, locs))| {
                        Some(RefCtx {
                            number: i + 1,
                            id,
                            source: self.source_ref(m.registry.get(id)?),
                            locators: locs,
                        })
                    })
                    .collect()
            }),
            previous,
            next,
            pages: None,
            subsections: None,
        }
    }

    /// Figures a page declares, then those it only references.
    fn page_figures(&self, d: &'m Document) -> Vec<FigureCtx<'m>> {
        let mut ids: Vec<&str> = d.fm.figures.iter().map(|f| f.id.as_str()).collect();
        for id in &d.rendered.references.figures_used {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        ids.iter()
            .filter_map(|id| self.m.figures.get(*id))
            .map(|f| self.figure(f))
            .collect()
    }

    fn section_pages(&self, section: &str) -> &[&'m Document] {
        self.idx
            .section_pages
            .get(section)
            .map_or(&[], Vec::as_slice)
    }

    /// The figures `source` backs, in id order.
    fn figures_of(&self, source: &str) -> &[&'m Figure] {
        self.idx
            .figures_by_source
            .get(source)
            .map_or(&[], Vec::as_slice)
    }

    fn neighbours(&self, d: &Document) -> (Option<Link>, Option<Link>) {
        let m = self.m;
        let link = |i: usize| Link {
            title: m.docs[i].fm.title.clone(),
            url: m.url(&m.docs[i].url_path),
        };
        let (previous, next) = self.idx.neighbours[m.by_path[&d.path]];
        (previous.map(link), next.map(link))
    }

    /// A document's own output file (see `output_path`).
    pub fn render_doc(&self, d: &'m Document) -> Result<String, Diagnostic> {
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
        let mut ctx = self.context(&d.url_path);
        if d.is_section() {
            page.pages = Some(
                self.section_pages(&d.path)
                    .iter()
                    .map(|p| self.page(p, false))
                    .collect(),
            );
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
            ctx.insert("section", &page);
        }
        ctx.insert("page", &page);
        self.render_template(&d.path, &name, &ctx).map_err(|mut e| {
            e.message = format!("{} (rendering content/{})", e.message, d.path);
            e
        })
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

    /// The paths of the pages whose HTML the feed embeds (see `Model::release_page_html`).
    pub fn feed_pages(&self) -> HashSet<String> {
        self.dated_pages()
            .into_iter()
            .take(self.m.config.feed_limit)
            .map(|d| d.path.clone())
            .collect()
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
            .map(|d| {
                let path = output_path(&d.url_path);
                let r = self
                    .render_doc(d)
                    .and_then(|html| put(&path, Output::Bytes(html.into_bytes().into())));
                (path, r.err())
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
        let assets: Vec<(&String, &PathBuf)> = m
            .theme_assets
            .iter()
            .filter(|(path, _)| !written.contains(path.as_str()))
            .collect();
        assets
            .par_iter()
            .try_for_each(|(path, src)| put(path, Output::Copy(src.to_path_buf())))
            .map_err(|e| vec![e])?;
        Ok(written.len() + assets.len())
    }

    fn all_figures(&self) -> Vec<&'m Figure> {
        let mut figs: Vec<&Figure> = self.m.figures.values().collect();
        figs.sort_by(|a, b| {
            (
                a.decl.place.as_deref().unwrap_or("~"),
                &a.decl.measure,
                a.period.as_ref().map(|p| p.to.day),
                &a.decl.id,
            )
                .cmp(&(
                    b.decl.place.as_deref().unwrap_or("~"),
                    &b.decl.measure,
                    b.period.as_ref().map(|p| p.to.day),
                    &b.decl.id,
                ))
        });
        figs
    }

    fn figures_page(&self) -> Result<(String, String), Diagnostic> {
        let m = self.m;
        let figs = self.all_figures();
        // Each figure's template data is made once and shared (tera's maps are reference
        // counted) by the full list, its group and its dispute: on a big site this page's
        // data is the largest in memory.
        let values: HashMap<&str, tera::Value> = figs
            .iter()
            .map(|f| {
                (
                    f.decl.id.as_str(),
                    tera::Value::from_serializable(&self.figure(f)),
                )
            })
            .collect();
        let group = |place: &str, measure: &str, ids: &[&str], disputed: bool| {
            let mut g: BTreeMap<&'static str, tera::Value> = BTreeMap::new();
            g.insert("place", place.into());
            g.insert("measure", measure.into());
            g.insert("measure_label", measure_label(measure).as_str().into());
            let members: Vec<tera::Value> = ids.iter().map(|id| values[id].clone()).collect();
            g.insert("figures", members.into());
            g.insert("disputed", disputed.into());
            tera::Value::from(g)
        };
        let mut runs: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        for f in &figs {
            let place = f.decl.place.as_deref().unwrap_or("—");
            match runs.last_mut() {
                Some((p, measure, ids)) if *p == place && *measure == f.decl.measure => {
                    ids.push(&f.decl.id)
                }
                _ => runs.push((place, &f.decl.measure, vec![&f.decl.id])),
            }
        }
        let groups: Vec<tera::Value> = runs
            .iter()
            .map(|(place, measure, ids)| {
                group(
                    place,
                    measure,
                    ids,
                    ids.iter().any(|id| self.idx.disputed.contains(id)),
                )
            })
            .collect();
        let disputes: Vec<tera::Value> = m
            .disputes
            .iter()
            .map(|ids| {
                let ids: Vec<&str> = ids
                    .iter()
                    .map(String::as_str)
                    .filter(|id| values.contains_key(id))
                    .collect();
                let first = &m.figures[ids[0]];
                group(
                    first.decl.place.as_deref().unwrap_or("—"),
                    &first.decl.measure,
                    &ids,
                    true,
                )
            })
            .collect();
        let chart = self.default_chart();
        let mut ctx = self.context("/figures/");
        let all: Vec<tera::Value> = figs
            .iter()
            .map(|f| values[f.decl.id.as_str()].clone())
            .collect();
        ctx.insert_value("figures", all.into());
        ctx.insert_value("groups", groups.into());
        ctx.insert_value("disputes", disputes.into());
        ctx.insert("chart", &chart);
        Ok((
            "figures/index.html".into(),
            self.render_template("figures/index.html", "figures.html", &ctx)?,
        ))
    }

    /// The chart on /figures/: the measure with the most figures that share a unit.
    fn default_chart(&self) -> String {
        let mut counts: BTreeMap<(&str, Option<&str>), usize> = BTreeMap::new();
        for f in self.m.figures.values() {
            *counts
                .entry((&f.decl.measure, f.decl.unit.as_deref()))
                .or_default() += 1;
        }
        let Some(((measure, unit), _)) = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            return String::new();
        };
        let spec = crate::charts::ChartSpec {
            measure: Some(measure.to_string()),
            unit: unit.map(str::to_string),
            place: None,
            title: None,
        };
        crate::charts::render(
            &spec,
            self.m.figures.values(),
            &self.m.registry,
            &self.m.base_path,
            &self.m.disputes,
        )
        .unwrap_or_default()
    }

    pub fn sources_page(&self) -> Result<(String, String), Diagnostic> {
        let m = self.m;
        let sources: Vec<SourceCtx> = m
            .registry
            .sources
            .values()
            .map(|s| SourceCtx {
                source: self.source_ref(s),
                cited_by: m
                    .cited_by
                    .get(&s.id)
                    .map(|docs| {
                        docs.iter()
                            .map(|&i| Link {
                                title: m.docs[i].fm.title.clone(),
                                url: m.url(&m.docs[i].url_path),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                figures: self
                    .figures_of(&s.id)
                    .iter()
                    .map(|f| FigureBrief {
                        id: &f.decl.id,
                        display: f.display(true),
                        subject: &f.decl.subject,
                        url: m.url(&format!("/figures/#{}", f.anchor())),
                    })
                    .collect(),
            })
            .collect();
        let mut ctx = self.context("/sources/");
        ctx.insert("sources", &sources);
        Ok((
            "sources/index.html".into(),
            self.render_template("sources/index.html", "sources.html", &ctx)?,
        ))
    }

    fn not_found(&self) -> Result<(String, String), Diagnostic> {
        let ctx = self.context("/404.html");
        Ok((
            "404.html".into(),
            self.render_template("404.html", "404.html", &ctx)?,
        ))
    }

    /// The taxonomy pages, each handed to `emit` as soon as it is rendered; returns what
    /// `emit` returned for each.
    fn taxonomies(
        &self,
        emit: &(dyn Fn(Result<(String, String), Diagnostic>) -> Result<String, Diagnostic> + Sync),
    ) -> Vec<Result<String, Diagnostic>> {
        let m = self.m;
        let mut out = Vec::new();
        for (kind, kind_title) in TAXONOMIES {
            let terms = self.term_groups(kind, None);
            let list: Vec<TermCtx> = terms
                .iter()
                .map(|(slug, (name, pages, figs))| TermCtx {
                    name,
                    url: m.url(&format!("/{kind}/{slug}/")),
                    count: pages.len() + figs.len(),
                    pages: vec![],
                    figures: vec![],
                })
                .collect();
            let mut ctx = self.context(&format!("/{kind}/"));
            ctx.insert("kind", kind);
            ctx.insert("kind_title", kind_title);
            ctx.insert("terms", &list);
            let key = format!("{kind}/index.html");
            out.push(emit(
                self.render_template(&key, "taxonomy_list.html", &ctx)
                    .map(|h| (key, h)),
            ));
            let term_pages: Vec<_> = terms
                .par_iter()
                .map(|(slug, group)| emit(self.term_page(kind, kind_title, slug, group)))
                .collect();
            out.extend(term_pages);
        }
        out
    }

    /// The term pages (`/tags/<tag>/`, `/places/<place>/`) that list `d`.
    pub fn term_pages_of(&self, d: &Document) -> Vec<Result<(String, String), Diagnostic>> {
        let mut out = Vec::new();
        for (kind, kind_title) in TAXONOMIES {
            let names = if kind == "places" {
                &d.fm.places
            } else {
                &d.fm.tags
            };
            if names.is_empty() {
                continue;
            }
            let only: HashSet<String> = names.iter().map(|n| term_slug(n)).collect();
            let terms = self.term_groups(kind, Some(&only));
            out.extend(
                terms
                    .par_iter()
                    .map(|(slug, group)| self.term_page(kind, kind_title, slug, group))
                    .collect::<Vec<_>>(),
            );
        }
        out
    }

    /// The terms of a taxonomy (or only those whose slug is in `only`): slug -> (first name,
    /// documents, figures for places).
    fn term_groups(
        &self,
        kind: &str,
        only: Option<&HashSet<String>>,
    ) -> BTreeMap<String, TermGroup<'m>> {
        let m = self.m;
        let mut terms: BTreeMap<String, TermGroup<'m>> = BTreeMap::new();
        // Names repeat across pages: slugify each once.
        let mut slugs: HashMap<&str, String> = HashMap::new();
        let mut slug_of = |n: &'m str| -> Option<String> {
            let s = slugs.entry(n).or_insert_with(|| term_slug(n));
            only.is_none_or(|o| o.contains(s.as_str()))
                .then(|| s.clone())
        };
        for d in &m.docs {
            let names = if kind == "places" {
                &d.fm.places
            } else {
                &d.fm.tags
            };
            for n in names {
                let Some(slug) = slug_of(n) else { continue };
                let e = terms
                    .entry(slug)
                    .or_insert_with(|| (n.clone(), vec![], vec![]));
                // Documents come in order: a repeat (two names, one slug) can only be the last.
                if e.1.last().is_none_or(|x| x.path != d.path) {
                    e.1.push(d);
                }
            }
        }
        if kind == "places" {
            for f in self.all_figures() {
                if let Some(p) = &f.decl.place
                    && let Some(slug) = slug_of(p)
                {
                    terms
                        .entry(slug)
                        .or_insert_with(|| (p.clone(), vec![], vec![]))
                        .2
                        .push(f);
                }
            }
        }
        terms
    }

    fn term_page(
        &self,
        kind: &str,
        kind_title: &str,
        slug: &str,
        (name, pages, figs): &TermGroup<'m>,
    ) -> Result<(String, String), Diagnostic> {
        let m = self.m;
        let mut pages = pages.clone();
        pages.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let term = TermCtx {
            name,
            url: m.url(&format!("/{kind}/{slug}/")),
            count: pages.len() + figs.len(),
            pages: pages.iter().map(|p| self.page(p, false)).collect(),
            figures: figs.iter().map(|f| self.figure(f)).collect(),
        };
        let mut ctx = self.context(&format!("/{kind}/{slug}/"));
        ctx.insert("kind", kind);
        ctx.insert("kind_title", kind_title);
        ctx.insert("term", &term);
        let key = format!("{kind}/{slug}/index.html");
        self.render_template(&key, "taxonomy_term.html", &ctx)
            .map(|h| (key, h))
    }

    /// Feeds, sitemap, robots, search index, figure and source data, code stylesheet, each
    /// handed to `emit` as soon as it is made (the search index of a big site is hundreds of
    /// megabytes).
    fn data_files(
        &self,
        emit: &mut dyn FnMut(&str, String) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let m = self.m;
        emit("atom.xml", self.atom())?;
        emit("sitemap.xml", self.sitemap())?;
        emit(
            "robots.txt",
            format!(
                "User-agent: *\nAllow: /\nSitemap: {}\n",
                m.permalink("/sitemap.xml")
            ),
        )?;
        let search: Vec<SearchEntry> = m.docs.iter().map(|d| self.search_entry(d)).collect();
        emit(
            "search-index.json",
            serde_json::to_string(&search).unwrap_or_default(),
        )?;
        drop(search);
        let figs: Vec<FigureCtx> = self
            .all_figures()
            .into_iter()
            .map(|f| self.figure(f))
            .collect();
        let rows: Vec<FigureRow> = figs
            .iter()
            .map(|f| FigureRow {
                id: f.id,
                value: f.value,
                qualifier: f.qualifier,
                display: &f.display,
                unit: f.unit,
                measure: f.measure,
                subject: f.subject,
                place: f.place,
                period_from: f.period.as_ref().map(|p| p.from.as_str()),
                period_to: f.period.as_ref().map(|p| p.to.as_str()),
                as_of: f.as_of.as_deref(),
                claimed_by: f.claimed_by,
                source: f.source.id,
                quote: f.quote,
                verified: f.verified,
                disputed: f.disputed,
                page: m.permalink(
                    f.page
                        .url
                        .strip_prefix(m.base_path.as_str())
                        .unwrap_or(&f.page.url),
                ),
            })
            .collect();
        emit(
            "figures.json",
            serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
        )?;
        emit("figures.csv", figures_csv(&rows))?;
        drop(rows);
        drop(figs);
        emit("sources.json", self.sources_json())?;
        emit(
            "syntax.css",
            crate::markdown::highlight::syntax_css(&m.config.highlight_theme),
        )
    }

    fn search_entry(&self, d: &'m Document) -> SearchEntry<'m> {
        SearchEntry {
            url: self.m.url(&d.url_path),
            title: &d.fm.title,
            summary: d.fm.summary.as_deref().unwrap_or_default(),
            text: &d.rendered.text,
        }
    }

    /// One document's entry of `search-index.json`, as it appears in the file (whose entries
    /// are joined by `,` between `[` and `]`).
    pub fn search_entry_json(&self, d: &'m Document) -> String {
        serde_json::to_string(&self.search_entry(d)).unwrap_or_default()
    }

    /// `sources.json`.
    pub fn sources_json(&self) -> String {
        let m = self.m;
        let json_sources: Vec<serde_json::Value> = m
            .registry
            .sources
            .values()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "title": s.title, "publisher": s.publisher, "authors": s.authors,
                    "published": s.published.iso, "url": s.url, "accessed": s.accessed.as_ref().map(|d| &d.iso),
                    "language": s.language, "note": s.note, "archived": s.archive_text.is_some(),
                    "cited_by": m.cited_by.get(&s.id).map(|ds| ds.iter().map(|&i| m.permalink(&m.docs[i].url_path)).collect::<Vec<_>>()).unwrap_or_default(),
                    "figures": self.figures_of(&s.id).iter().map(|f| f.decl.id.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::to_string_pretty(&json_sources).unwrap_or_default() + "\n"
    }

    /// The pages in `atom.xml`.
    pub fn feed_docs(&self) -> Vec<&'m Document> {
        let mut pages = self.dated_pages();
        pages.truncate(self.m.config.feed_limit);
        pages
    }

    fn dated_pages(&self) -> Vec<&'m Document> {
        let mut pages: Vec<&Document> = self.m.docs.iter().filter(|d| !d.is_section()).collect();
        pages.sort_by(|a, b| {
            let da = a.fm.updated.as_ref().or(a.fm.date.as_ref()).map(|d| &d.day);
            let db = b.fm.updated.as_ref().or(b.fm.date.as_ref()).map(|d| &d.day);
            db.cmp(&da).then(a.path.cmp(&b.path))
        });
        pages
    }

    pub fn atom(&self) -> String {
        let m = self.m;
        let pages = self.dated_pages();
        let updated = pages
            .iter()
            .filter_map(|d| d.fm.updated.as_ref().or(d.fm.date.as_ref()))
            .max()
            .map_or("1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"",
        );
        s.push_str(&xml(&m.config.language));
        s.push_str("\">\n");
        s.push_str(&format!("  <title>{}</title>\n", xml(&m.config.title)));
        if let Some(d) = &m.config.description {
            s.push_str(&format!("  <subtitle>{}</subtitle>\n", xml(d)));
        }
        s.push_str(&format!(
            "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
            xml(&m.permalink("/atom.xml"))
        ));
        s.push_str(&format!("  <link href=\"{}\"/>\n", xml(&m.permalink("/"))));
        s.push_str(&format!(
            "  <id>{}</id>\n  <updated>{updated}</updated>\n",
            xml(&m.permalink("/"))
        ));
        if let Some(a) = &m.config.author {
            s.push_str(&format!("  <author><name>{}</name></author>\n", xml(a)));
        }
        s.push_str("  <generator>dossier</generator>\n");
        for d in pages.iter().take(m.config.feed_limit) {
            let link = m.permalink(&d.url_path);
            let when =
                d.fm.updated
                    .as_ref()
                    .or(d.fm.date.as_ref())
                    .map_or(updated.clone(), |x| x.rfc3339());
            s.push_str("  <entry>\n");
            s.push_str(&format!("    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{when}</updated>\n", xml(&d.fm.title), xml(&link), xml(&link)));
            if let Some(p) = &d.fm.date {
                s.push_str(&format!("    <published>{}</published>\n", p.rfc3339()));
            }
            if let Some(sum) = &d.fm.summary {
                s.push_str(&format!("    <summary>{}</summary>\n", xml(sum)));
            }
            s.push_str(&format!(
                "    <content type=\"html\">{}</content>\n",
                xml(&absolute_links(&self.html_of(d), &m.config.origin()))
            ));
            s.push_str("  </entry>\n");
        }
        s.push_str("</feed>\n");
        s
    }

    fn sitemap(&self) -> String {
        let m = self.m;
        let mut urls: Vec<(String, Option<String>)> = m
            .docs
            .iter()
            .map(|d| {
                (
                    d.url_path.clone(),
                    d.fm.updated
                        .as_ref()
                        .or(d.fm.date.as_ref())
                        .map(|x| x.day.to_string()),
                )
            })
            .collect();
        urls.push(("/figures/".into(), None));
        urls.push(("/sources/".into(), None));
        urls.sort();
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (u, lastmod) in urls {
            s.push_str(&format!("  <url><loc>{}</loc>", xml(&m.permalink(&u))));
            if let Some(l) = lastmod {
                s.push_str(&format!("<lastmod>{l}</lastmod>"));
            }
            s.push_str("</url>\n");
        }
        s.push_str("</urlset>\n");
        s
    }
}

/// An entry of `search-index.json`, borrowed (the text of every page is large).
#[derive(Serialize)]
struct SearchEntry<'a> {
    url: String,
    title: &'a str,
    summary: &'a str,
    text: &'a str,
}

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

/// The template a document renders through.
pub fn template_of(d: &Document) -> String {
    match (&d.fm.template, d.is_section()) {
        (Some(t), _) => t.clone(),
        (None, true) if d.path == "_index.md" => "index.html".into(),
        (None, true) => "section.html".into(),
        (None, false) => "page.html".into(),
    }
}

/// `/stories/routes/` -> `stories/routes/index.html`.
pub fn output_path(url_path: &str) -> String {
    let p = url_path.trim_start_matches('/');
    format!("{p}index.html")
}

fn xml(s: &str) -> String {
    crate::html::escape(s)
}

/// Root-relative links made absolute, for feed readers.
fn absolute_links(html: &str, origin: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{origin}/"))
        .replace("src=\"/", &format!("src=\"{origin}/"))
}

pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "value",
    "qualifier",
    "unit",
    "measure",
    "subject",
    "place",
    "period_from",
    "period_to",
    "as_of",
    "claimed_by",
    "source",
    "quote",
    "verified",
    "disputed",
    "page",
];

/// One figure in `figures.json` and `figures.csv` (which has every field but `display`, in
/// the order of `CSV_COLUMNS`).
#[derive(Serialize)]
struct FigureRow<'a> {
    id: &'a str,
    value: f64,
    qualifier: &'static str,
    display: &'a str,
    unit: Option<&'a str>,
    measure: &'a str,
    subject: &'a str,
    place: Option<&'a str>,
    period_from: Option<&'a str>,
    period_to: Option<&'a str>,
    as_of: Option<&'a str>,
    claimed_by: Option<&'a str>,
    source: &'a str,
    quote: &'a str,
    verified: bool,
    disputed: bool,
    page: String,
}

fn figures_csv(rows: &[FigureRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_COLUMNS);
    let opt = |s: Option<&str>| s.unwrap_or_default().to_string();
    for f in rows {
        // Numbers and booleans as in figures.json.
        let _ = w.write_record([
            f.id.to_string(),
            if f.value.is_finite() {
                serde_json::to_string(&f.value).unwrap_or_default()
            } else {
                String::new()
            },
            f.qualifier.to_string(),
            opt(f.unit),
            f.measure.to_string(),
            f.subject.to_string(),
            opt(f.place),
            opt(f.period_from),
            opt(f.period_to),
            opt(f.as_of),
            opt(f.claimed_by),
            f.source.to_string(),
            f.quote.to_string(),
            f.verified.to_string(),
            f.disputed.to_string(),
            f.page.clone(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
