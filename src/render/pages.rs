//! The generated pages: /sources/, the 404 page and the taxonomy pages (/places/, /tags/
//! and one page per term). /figures/ is `figures`.

use super::context::{ExcerptCtx, FigureBrief, Link, SourceCtx, TermCtx};
use super::{Renderer, TermGroup, sort_key};
use crate::diagnostics::Diagnostic;
use crate::model::Document;
use crate::model::outputs::{TAXONOMIES, term_slug};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

impl<'m> Renderer<'m> {
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
                        quote: &f.decl.quote,
                        excerpt: ExcerptCtx::of(f),
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
        let mut out = Vec::new();
        for (kind, kind_title) in TAXONOMIES {
            let terms = self.term_groups(kind, None);
            out.push(emit(self.term_list(kind, kind_title, &terms)));
            let term_pages: Vec<_> = terms
                .par_iter()
                .map(|(slug, group)| emit(self.term_page(kind, kind_title, slug, group)))
                .collect();
            out.extend(term_pages);
        }
        out
    }

    /// The list page of the taxonomy `kind` (`/tags/`).
    pub fn term_list_page(&self, kind: &str) -> Result<(String, String), Diagnostic> {
        let (kind, kind_title) = TAXONOMIES
            .into_iter()
            .find(|(k, _)| *k == kind)
            .expect("a built-in taxonomy");
        self.term_list(kind, kind_title, &self.term_groups(kind, None))
    }

    fn term_list(
        &self,
        kind: &'static str,
        kind_title: &'static str,
        terms: &BTreeMap<String, TermGroup<'m>>,
    ) -> Result<(String, String), Diagnostic> {
        let m = self.m;
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
        if kind == "places" {
            ctx.insert("map", &self.default_charts().2);
        }
        let key = format!("{kind}/index.html");
        self.render_template(&key, "taxonomy_list.html", &ctx)
            .map(|h| (key, h))
    }

    /// The term pages (`/tags/<tag>/`, `/places/<place>/`) that list `d`.
    pub fn term_pages_of(&self, d: &Document) -> Vec<Result<(String, String), Diagnostic>> {
        let mut out = self.term_pages_named("places", &d.fm.places);
        out.extend(self.term_pages_named("tags", &d.fm.tags));
        out
    }

    /// The term pages of the taxonomy `kind` named `names` (those that exist).
    pub fn term_pages_named(
        &self,
        kind: &str,
        names: &[String],
    ) -> Vec<Result<(String, String), Diagnostic>> {
        let Some((kind, kind_title)) = TAXONOMIES.into_iter().find(|(k, _)| *k == kind) else {
            return Vec::new();
        };
        if names.is_empty() {
            return Vec::new();
        }
        let only: HashSet<String> = names.iter().map(|n| term_slug(n)).collect();
        let terms = self.term_groups(kind, Some(&only));
        terms
            .par_iter()
            .map(|(slug, group)| self.term_page(kind, kind_title, slug, group))
            .collect()
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
