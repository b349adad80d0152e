//! The data files: the search index, figures.json, figures.csv, sources.json and the source
//! list as BibLaTeX, CSL-JSON and RIS (and the feeds and the sitemap, from `feeds`).

use super::Renderer;
use super::context::FigureCtx;
use crate::diagnostics::Diagnostic;
use crate::model::Document;
use serde::Serialize;

impl<'m> Renderer<'m> {
    /// Feeds, sitemap, robots, search index, figure and source data, code stylesheet, each
    /// handed to `emit` as soon as it is made (the search index of a big site is hundreds of
    /// megabytes).
    pub(super) fn data_files(
        &self,
        emit: &mut dyn FnMut(&str, String) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let m = self.m;
        emit("atom.xml", self.atom()?)?;
        emit("sitemap.xml", self.sitemap()?)?;
        emit("robots.txt", self.robots()?)?;
        let search: Vec<SearchEntry> = m.docs.iter().map(|d| self.search_entry(d)).collect();
        emit(
            "search-index.json",
            json("search-index.json", serde_json::to_string(&search))?,
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
            json("figures.json", serde_json::to_string_pretty(&rows))? + "\n",
        )?;
        emit("figures.csv", figures_csv(&rows)?)?;
        drop(rows);
        drop(figs);
        emit("sources.json", self.sources_json()?)?;
        let registry = &m.registry;
        emit("sources.bib", crate::sources::export::bibtex(registry))?;
        emit(
            "sources.csl.json",
            json(
                "sources.csl.json",
                crate::sources::export::csl_json(registry),
            )?,
        )?;
        emit("sources.ris", crate::sources::export::ris(registry))?;
        emit(
            "syntax.css",
            crate::markdown::highlight::syntax_css(&m.config.highlight_theme),
        )
    }

    pub(super) fn search_entry(&self, d: &'m Document) -> SearchEntry<'m> {
        SearchEntry {
            url: self.m.url(&d.url_path),
            title: &d.fm.title,
            summary: d.fm.summary.as_deref().unwrap_or_default(),
            text: &d.rendered.text,
        }
    }

    /// One document's entry of `search-index.json`, as it appears in the file (whose entries
    /// are joined by `,` between `[` and `]`).
    pub fn search_entry_json(&self, d: &'m Document) -> Result<String, Diagnostic> {
        json(
            "search-index.json",
            serde_json::to_string(&self.search_entry(d)),
        )
    }

    /// `sources.json`.
    pub fn sources_json(&self) -> Result<String, Diagnostic> {
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
                    "archive_url": s.archive_url,
                    "cited_by": m.cited_by.get(&s.id).map(|ds| ds.iter().map(|&i| m.permalink(&m.docs[i].url_path)).collect::<Vec<_>>()).unwrap_or_default(),
                    "figures": self.figures_of(&s.id).iter().map(|f| f.decl.id.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json("sources.json", serde_json::to_string_pretty(&json_sources))? + "\n")
    }
}

/// An entry of `search-index.json`, borrowed (the text of every page is large).
#[derive(Serialize)]
pub(super) struct SearchEntry<'a> {
    url: String,
    title: &'a str,
    summary: &'a str,
    text: &'a str,
}

/// The columns of figures.csv, in order.
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
pub(super) struct FigureRow<'a> {
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

/// A data file's JSON, or the error that kept it from being made.
fn json(file: &str, r: serde_json::Result<String>) -> Result<String, Diagnostic> {
    r.map_err(|e| cannot_write(file, e))
}

fn cannot_write(file: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        crate::diagnostics::Span::file(file),
        format!("cannot write {file}: {e}"),
    )
    .with_hint("this is a bug in dossier: please report it with the site that causes it")
}

fn figures_csv(rows: &[FigureRow]) -> Result<String, Diagnostic> {
    let err = |e: csv::Error| cannot_write("figures.csv", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(err)?;
    let opt = |s: Option<&str>| s.unwrap_or_default().to_string();
    for f in rows {
        // Numbers and booleans as in figures.json.
        w.write_record([
            f.id.to_string(),
            if f.value.is_finite() {
                json("figures.csv", serde_json::to_string(&f.value))?
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
        ])
        .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| cannot_write("figures.csv", e))?;
    String::from_utf8(bytes).map_err(|e| cannot_write("figures.csv", e))
}
