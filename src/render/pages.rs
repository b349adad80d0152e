//! The generated pages: /figures/ (with its chart), /sources/, the 404 page and the
//! taxonomy pages (/places/, /tags/ and one page per term).

use super::context::{FigureBrief, Link, SourceCtx, TermCtx, measure_label};
use super::{Renderer, TermGroup, sort_key};
use crate::content::ids::FigureId;
use crate::diagnostics::Diagnostic;
use crate::model::Document;
use crate::model::outputs::{TAXONOMIES, term_slug};
use crate::sources::Figure;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

impl<'m> Renderer<'m> {
    pub(super) fn all_figures(&self) -> Vec<&'m Figure> {
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

    pub(super) fn figures_page(&self) -> Result<(String, String), Diagnostic> {
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
                    .map(FigureId::as_str)
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
    pub(super) fn default_chart(&self) -> String {
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

    /// `/sources/`: every source with its back-links.
    pub fn sources_page(&self) -> Result<(String, String), Diagnostic> {
        let m = self.m;
        let mut list: Vec<&crate::sources::Source> = m.registry.sources.values().collect();
        // A CSL style lists its bibliography in its own order (by author for most); the
        // sort is stable, so dossier's own style (no order) keeps the ids' order.
        list.sort_by_key(|s| m.style.reference(&s.id).map_or(usize::MAX, |(_, o)| o));
        let sources: Vec<SourceCtx> = list
            .into_iter()
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

    pub(super) fn not_found(&self) -> Result<(String, String), Diagnostic> {
        let ctx = self.context("/404.html");
        Ok((
            "404.html".into(),
            self.render_template("404.html", "404.html", &ctx)?,
        ))
    }

    /// The taxonomy pages, each handed to `emit` as soon as it is rendered; returns what
    /// `emit` returned for each.
    pub(super) fn taxonomies(
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
    pub(super) fn term_groups(
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

    pub(super) fn term_page(
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
}
