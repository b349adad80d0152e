//! /figures/: every figure by place and measure, a running total as a series, a repeat
//! folded under the figure it repeats, and every conflict side by side with why.

use super::Renderer;
use super::context::FigureCtx;
use crate::content::figures::RelationKind;
use crate::content::ids::FigureId;
use crate::diagnostics::Diagnostic;
use crate::sources::{Figure, Relation};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A figure on /figures/, with the figures that repeat it.
#[derive(Serialize)]
struct FigureRow<'a> {
    #[serde(flatten)]
    figure: FigureCtx<'a>,
    /// The figures folded under this one (copies, the same claim reported again).
    repeats: Vec<RepeatCtx<'a>>,
    /// The id of the figure this one repeats, when it is folded under it.
    repeat_of: Option<&'a str>,
}

#[derive(Serialize)]
struct RepeatCtx<'a> {
    figure: FigureCtx<'a>,
    /// One source carries the other's text (a wire copy), rather than reporting the claim.
    copy: bool,
    why: &'a str,
}

/// One claimant's running total, read again and again.
#[derive(Serialize)]
struct SeriesCtx<'a> {
    who: Option<&'a str>,
    since: Option<String>,
    readings: Vec<ReadingCtx<'a>>,
}

#[derive(Serialize)]
struct ReadingCtx<'a> {
    id: &'a str,
    anchor: String,
    display: String,
    by: String,
    inferred: Option<String>,
}

/// A relation, as templates see it.
#[derive(Serialize)]
struct RelationCtx<'a> {
    kind: &'static str,
    /// "Sources disagree", "Cannot both be true", ...
    label: &'static str,
    figures: Vec<tera::Value>,
    ids: Vec<&'a str>,
    declared: bool,
    note: Option<&'a str>,
    why: &'a str,
    place: Option<&'a str>,
    place_url: Option<String>,
    measure_label: &'a str,
}

fn label(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Update => "A running total, read again",
        RelationKind::Repeat => "The same claim, repeated",
        RelationKind::Agree => "Independent figures that agree",
        RelationKind::Disagree => "The sources disagree",
        RelationKind::Inconsistent => "These cannot all be true",
    }
}

impl<'m> Renderer<'m> {
    /// Every figure, by place, measure, last day and id.
    pub(super) fn all_figures(&self) -> Vec<&'m Figure> {
        let mut figs: Vec<&Figure> = self.m.figures.values().collect();
        let key = |f: &'m Figure| {
            (
                f.decl.place.as_deref().unwrap_or("~"),
                &f.decl.measure,
                f.period.as_ref().map(|p| p.to.day),
                &f.decl.id,
            )
        };
        figs.sort_by(|a, b| key(a).cmp(&key(b)));
        figs
    }

    fn place_url(&self, f: &Figure) -> Option<String> {
        f.decl.place.as_ref().map(|p| {
            self.m
                .url(&format!("/places/{}/", crate::model::outputs::term_slug(p)))
        })
    }

    /// Of each group of figures that repeat one claim, the one the others repeat (see
    /// `sources::relations::originals`). Copy -> (original, the relation).
    fn originals(&self) -> HashMap<&'m str, (&'m str, &'m Relation)> {
        crate::sources::relations::originals(&self.m.figures, &self.m.registry, &self.m.relations)
    }

    /// The running totals among `ids` (a group's figures), each in order of its readings;
    /// a reading that is folded under another figure is shown as that figure.
    fn series(
        &self,
        ids: &[&'m str],
        originals: &HashMap<&'m str, (&'m str, &'m Relation)>,
    ) -> Vec<SeriesCtx<'m>> {
        let m = self.m;
        let mut next: BTreeMap<&str, &str> = BTreeMap::new();
        let mut has_prev: std::collections::HashSet<&str> = Default::default();
        let inside: std::collections::HashSet<&str> = ids.iter().copied().collect();
        for r in &m.relations.list {
            if r.kind == RelationKind::Update
                && r.figures.len() == 2
                && inside.contains(r.figures[0].as_str())
                && inside.contains(r.figures[1].as_str())
                && !next.contains_key(r.figures[0].as_str())
                && !has_prev.contains(r.figures[1].as_str())
            {
                next.insert(&r.figures[0], &r.figures[1]);
                has_prev.insert(&r.figures[1]);
            }
        }
        let reading = |id: &'m str| {
            let id = originals.get(id).map_or(id, |(o, _)| *o);
            let f = &m.figures[id];
            let p = f.period.as_ref();
            ReadingCtx {
                id,
                anchor: f.anchor(),
                display: f.display(true),
                by: p
                    .map(|p| {
                        let c = if p.to_inferred.is_some() { "c. " } else { "" };
                        format!("{c}{}", p.to.display())
                    })
                    .unwrap_or_default(),
                inferred: p.and_then(|p| p.to_inferred.clone()),
            }
        };
        let mut out = Vec::new();
        for &start in next.keys() {
            if has_prev.contains(start) {
                continue;
            }
            let first = &m.figures[start];
            let mut readings = vec![reading(start)];
            let mut at = start;
            while let Some(&n) = next.get(at) {
                readings.push(reading(n));
                at = n;
            }
            out.push(SeriesCtx {
                who: first.decl.claimed_by.as_deref(),
                since: first.period.as_ref().map(|p| p.from.display()),
                readings,
            });
        }
        out
    }

    /// The relations that dispute, each once: a conflict of a copy repeats its
    /// original's and is shown with the original.
    fn conflicts(
        &self,
        originals: &HashMap<&'m str, (&'m str, &'m Relation)>,
    ) -> Vec<&'m Relation> {
        // A conflict of a copy repeats its original's: shown once, with the original.
        let key = |r: &'m Relation| {
            let mut k: Vec<&str> = r
                .figures
                .iter()
                .map(|id| originals.get(id.as_str()).map_or(id.as_str(), |(o, _)| *o))
                .collect();
            k.sort_unstable();
            (r.kind, k)
        };
        let disputes: Vec<&'m Relation> = self
            .m
            .relations
            .list
            .iter()
            .filter(|r| r.kind.disputes())
            .collect();
        let of_originals: std::collections::HashSet<_> = disputes
            .iter()
            .filter(|r| {
                r.figures
                    .iter()
                    .all(|id| !originals.contains_key(id.as_str()))
            })
            .map(|r| key(r))
            .collect();
        let mut seen = std::collections::HashSet::new();
        disputes
            .into_iter()
            .filter(|r| {
                let k = key(r);
                let with_copies = r
                    .figures
                    .iter()
                    .any(|id| originals.contains_key(id.as_str()));
                !(with_copies && of_originals.contains(&k)) && seen.insert(k)
            })
            .collect()
    }

    /// `/figures/`: every figure, its charts and relations.
    pub fn figures_page(&self) -> Result<(String, String), Diagnostic> {
        let m = self.m;
        let figs = self.all_figures();
        let originals = self.originals();
        let mut repeats_of: HashMap<&str, Vec<RepeatCtx>> = HashMap::new();
        for f in &figs {
            if let Some(&(original, r)) = originals.get(f.decl.id.as_str()) {
                let copy = r.why.contains("'s text");
                repeats_of.entry(original).or_default().push(RepeatCtx {
                    figure: self.figure(f),
                    copy,
                    why: &r.why,
                });
            }
        }
        // Each figure's template data is made once and shared (tera's maps are reference
        // counted) by the full list, its group and its conflicts: on a big site this
        // page's data is the largest in memory.
        let values: HashMap<&str, tera::Value> = figs
            .iter()
            .map(|f| {
                let id = f.decl.id.as_str();
                let row = FigureRow {
                    figure: self.figure(f),
                    repeats: repeats_of.remove(id).unwrap_or_default(),
                    repeat_of: originals.get(id).map(|(o, _)| *o),
                };
                (id, tera::Value::from_serializable(&row))
            })
            .collect();
        let mut runs: Vec<(&Figure, Vec<&str>)> = Vec::new();
        for f in &figs {
            match runs.last_mut() {
                Some((first, ids))
                    if first.decl.place == f.decl.place && first.decl.measure == f.decl.measure =>
                {
                    ids.push(&f.decl.id)
                }
                _ => runs.push((f, vec![&f.decl.id])),
            }
        }
        let groups: Vec<tera::Value> = runs
            .iter()
            .map(|(first, ids)| {
                let mut g: BTreeMap<&'static str, tera::Value> = BTreeMap::new();
                g.insert("place", first.decl.place.as_deref().unwrap_or("—").into());
                g.insert(
                    "place_url",
                    self.place_url(first)
                        .map_or(tera::Value::none(), |u| u.as_str().into()),
                );
                g.insert("measure", first.decl.measure.as_str().into());
                g.insert("measure_label", first.measure_label.as_str().into());
                let members: Vec<tera::Value> = ids
                    .iter()
                    .filter(|id| !originals.contains_key(**id))
                    .map(|id| values[id].clone())
                    .collect();
                g.insert("figures", members.into());
                g.insert(
                    "series",
                    tera::Value::from_serializable(&self.series(ids, &originals)),
                );
                g.insert(
                    "disputed",
                    ids.iter().any(|id| m.relations.is_disputed(id)).into(),
                );
                tera::Value::from(g)
            })
            .collect();
        let relation = |r: &'m Relation| {
            let first = &m.figures[&r.figures[0]];
            RelationCtx {
                kind: r.kind.name(),
                label: label(r.kind),
                figures: r
                    .figures
                    .iter()
                    .map(|id| values[id.as_str()].clone())
                    .collect(),
                ids: r.figures.iter().map(FigureId::as_str).collect(),
                declared: r.declared,
                note: r.note.as_deref(),
                why: &r.why,
                place: first.decl.place.as_deref(),
                place_url: self.place_url(first),
                measure_label: &first.measure_label,
            }
        };
        let conflicts: Vec<RelationCtx> = self
            .conflicts(&originals)
            .into_iter()
            .map(relation)
            .collect();
        let relations: Vec<RelationCtx> = m.relations.list.iter().map(relation).collect();
        let (chart, timeline, map) = self.default_charts();
        let mut ctx = self.context("/figures/");
        ctx.insert("share", &self.share_figures());
        let all: Vec<tera::Value> = figs
            .iter()
            .map(|f| values[f.decl.id.as_str()].clone())
            .collect();
        ctx.insert_value("figures", all.into());
        ctx.insert_value("groups", groups.into());
        ctx.insert("conflicts", &conflicts);
        ctx.insert("relations", &relations);
        ctx.insert("chart", &chart);
        ctx.insert("timeline", &timeline);
        ctx.insert("map", &map);
        Ok((
            "figures/index.html".into(),
            self.render_template("figures/index.html", "figures.html", &ctx)?,
        ))
    }

    /// The spec of the charts and map on /figures/ and /places/: the measure with the most
    /// figures that share a unit.
    fn default_spec(&self) -> Option<crate::charts::ChartSpec> {
        let mut counts: BTreeMap<(&str, Option<&str>), usize> = BTreeMap::new();
        for f in self.m.figures.values() {
            *counts
                .entry((&f.decl.measure, f.decl.unit.as_deref()))
                .or_default() += 1;
        }
        let ((measure, unit), _) = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
        Some(crate::charts::ChartSpec {
            measure: Some(measure.to_string()),
            unit: unit.map(str::to_string),
            ..Default::default()
        })
    }

    /// The default chart of `kind` (empty without figures), and the map (empty without
    /// places with coordinates).
    pub(super) fn default_charts(&self) -> (String, String, String) {
        let Some(spec) = self.default_spec() else {
            return Default::default();
        };
        let place_pages = self.m.place_pages();
        let data = crate::charts::Data {
            figures: &self.m.figures,
            registry: &self.m.registry,
            relations: &self.m.relations,
            vocab: &self.m.vocab,
            base_path: &self.m.base_path,
            place_pages: &place_pages,
        };
        let timeline = crate::charts::ChartSpec {
            kind: crate::charts::Kind::Timeline,
            ..spec.clone()
        };
        (
            crate::charts::render(&spec, &data).unwrap_or_default(),
            crate::charts::render(&timeline, &data).unwrap_or_default(),
            crate::charts::map_html(&spec, &data).unwrap_or_default(),
        )
    }
}
