//! The data files: figures.json, figures.csv, relations.json, sources.json and the source
//! list as BibLaTeX, CSL-JSON and RIS (and the feeds and the sitemap, from `feeds`; the
//! search index is `search`).

use super::Renderer;
use super::context::{FigureCtx, IntervalCtx};
use crate::diagnostics::Diagnostic;
use crate::sources::numbers::json_number;
use serde::Serialize;

impl<'m> Renderer<'m> {
    /// Feeds, sitemap, robots, figure and source data, code stylesheet, each handed to
    /// `emit` as soon as it is made (the figure data of a big site is tens of megabytes).
    pub(super) fn data_files(
        &self,
        emit: &mut dyn FnMut(&str, String) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let m = self.m;
        for f in self.all_feeds() {
            emit(f.output_path(), self.atom_of(&f)?)?;
        }
        emit("sitemap.xml", self.sitemap()?)?;
        emit("robots.txt", self.robots()?)?;
        self.alias_pages(emit)?;
        let figs: Vec<FigureCtx> = self
            .all_figures()
            .into_iter()
            .map(|f| self.figure(f))
            .collect();
        let rows: Vec<FigureRow> = figs
            .iter()
            .map(|f| FigureRow {
                id: f.id,
                value: match f.value_range {
                    Some([a, b]) => serde_json::json!([json_number(a), json_number(b)]),
                    None => json_number(f.value),
                },
                qualifier: f.qualifier,
                interval: &f.interval,
                per: f.per,
                display: &f.display,
                unit: f.unit,
                measure: f.measure,
                subject: f.subject,
                place: f.place,
                period_from: f.period.as_ref().map(|p| p.from.as_str()),
                period_to: f.period.as_ref().map(|p| p.to.as_str()),
                period_inferred: f.period_inferred.as_deref(),
                as_of: f.as_of.as_deref(),
                as_of_inferred: f.as_of_inferred,
                claimed_by: f.claimed_by,
                source: f.source.id,
                quote: f.quote,
                verified: f.verified,
                disputed: f.disputed,
                part_of: f.part_of,
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
        emit("relations.json", self.relations_json()?)?;
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

    /// `relations.json`: every relation of the figures, in order of kind and figures.
    pub fn relations_json(&self) -> Result<String, Diagnostic> {
        let list: Vec<serde_json::Value> = self
            .m
            .relations
            .list
            .iter()
            .map(|r| {
                serde_json::json!({
                    "kind": r.kind.name(),
                    "figures": r.figures,
                    "declared": r.declared,
                    "note": r.note,
                    "why": r.why,
                })
            })
            .collect();
        Ok(json("relations.json", serde_json::to_string_pretty(&list))? + "\n")
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

/// The columns of figures.csv, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "value",
    "qualifier",
    "interval_low",
    "interval_high",
    "interval_low_open",
    "interval_high_open",
    "per",
    "unit",
    "measure",
    "subject",
    "place",
    "period_from",
    "period_to",
    "period_inferred",
    "as_of",
    "as_of_inferred",
    "claimed_by",
    "source",
    "quote",
    "verified",
    "disputed",
    "part_of",
    "page",
];

/// One figure in `figures.json` and `figures.csv` (which has every field but `display`, in
/// the order of `CSV_COLUMNS`, the interval's fields as `interval_low` and so on).
#[derive(Serialize)]
pub(super) struct FigureRow<'a> {
    id: &'a str,
    value: serde_json::Value,
    qualifier: &'static str,
    interval: &'a IntervalCtx,
    per: Option<&'static str>,
    display: &'a str,
    unit: Option<&'a str>,
    measure: &'a str,
    subject: &'a str,
    place: Option<&'a str>,
    period_from: Option<&'a str>,
    period_to: Option<&'a str>,
    period_inferred: Option<&'a str>,
    as_of: Option<&'a str>,
    as_of_inferred: Option<&'a str>,
    claimed_by: Option<&'a str>,
    source: &'a str,
    quote: &'a str,
    verified: bool,
    disputed: bool,
    part_of: Option<&'a str>,
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
        // Numbers and booleans as in figures.json; a range as its JSON `[low, high]`.
        let num = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            v => v.to_string(),
        };
        w.write_record([
            f.id.to_string(),
            num(&f.value),
            f.qualifier.to_string(),
            num(&f.interval.low),
            num(&f.interval.high),
            f.interval.low_open.to_string(),
            f.interval.high_open.to_string(),
            opt(f.per),
            opt(f.unit),
            f.measure.to_string(),
            f.subject.to_string(),
            opt(f.place),
            opt(f.period_from),
            opt(f.period_to),
            opt(f.period_inferred),
            opt(f.as_of),
            opt(f.as_of_inferred),
            opt(f.claimed_by),
            f.source.to_string(),
            f.quote.to_string(),
            f.verified.to_string(),
            f.disputed.to_string(),
            opt(f.part_of),
            f.page.clone(),
        ])
        .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| cannot_write("figures.csv", e))?;
    String::from_utf8(bytes).map_err(|e| cannot_write("figures.csv", e))
}
