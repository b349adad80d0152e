//! The generated pages: /sources/, the 404 page and the taxonomy pages (/places/, /tags/
//! and one page per term). /figures/ is `figures`.

use super::context::{ExcerptCtx, FigureBrief, Link, SourceCtx, TaxonomyCtx, TermCtx};
use super::{Renderer, TermGroup, sort_key};
use crate::diagnostics::Diagnostic;
use crate::model::Document;
use crate::model::outputs::{pager_count, pager_path, term_slug};
use crate::model::taxonomies::{self, Taxonomy};
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
        for t in &self.m.taxonomies {
            let terms = self.term_groups(t, None);
            out.push(emit(self.term_list(t, &terms)));
            let term_pages: Vec<_> = terms
                .par_iter()
                .flat_map_iter(|(slug, group)| self.term_page(t, slug, group).into_iter().map(emit))
                .collect();
            out.extend(term_pages);
        }
        out
    }

    /// The list page of the taxonomy `name` (`/tags/`), if the site has it.
    pub fn term_list_page(&self, name: &str) -> Option<Result<(String, String), Diagnostic>> {
        let t = self.m.taxonomy(name)?;
        Some(self.term_list(t, &self.term_groups(t, None)))
    }

    fn term_list(
        &self,
        t: &Taxonomy,
        terms: &BTreeMap<String, TermGroup<'m>>,
    ) -> Result<(String, String), Diagnostic> {
        let m = self.m;
        let list: Vec<TermCtx> = terms
            .iter()
            .map(|(slug, (name, pages, figs))| TermCtx {
                name,
                url: m.url(&t.term_path(slug)),
                count: pages.len() + figs.len(),
                pages: vec![],
                figures: vec![],
                feed_url: t
                    .feed
                    .then(|| m.url(&format!("{}atom.xml", t.term_path(slug)))),
            })
            .collect();
        let mut ctx = self.context(&t.list_path());
        ctx.insert("kind", &t.name);
        ctx.insert("kind_title", &t.title);
        ctx.insert("taxonomy", &self.taxonomy_ctx(t));
        ctx.insert("terms", &list);
        if t.is_places() {
            ctx.insert("map", &self.default_charts().2);
        }
        let key = format!("{}/index.html", t.slug);
        self.render_template(&key, "taxonomy_list.html", &ctx)
            .map(|h| (key, h))
    }

    /// The term pages (every pager of each) of the taxonomy `name` named `names` (those
    /// that exist).
    pub fn term_pages_named(
        &self,
        name: &str,
        names: &[String],
    ) -> Vec<Result<(String, String), Diagnostic>> {
        let Some(t) = self.m.taxonomy(name).filter(|_| !names.is_empty()) else {
            return Vec::new();
        };
        let only: HashSet<String> = names.iter().map(|n| term_slug(n)).collect();
        self.term_groups(t, Some(&only))
            .par_iter()
            .flat_map_iter(|(slug, group)| self.term_page(t, slug, group))
            .collect()
    }

    fn taxonomy_ctx<'t>(&self, t: &'t Taxonomy) -> TaxonomyCtx<'t> {
        TaxonomyCtx {
            name: &t.name,
            slug: &t.slug,
            title: &t.title,
            url: self.m.url(&t.list_path()),
            feed: t.feed,
            paginate_by: t.paginate_by,
        }
    }

    /// The term pages (`/tags/<tag>/`, `/places/<place>/`, every pager of each) that list `d`.
    pub fn term_pages_of(&self, d: &Document) -> Vec<Result<(String, String), Diagnostic>> {
        let mut out = Vec::new();
        for t in &self.m.taxonomies {
            let names = t.names_of(d);
            if names.is_empty() {
                continue;
            }
            let only: HashSet<String> = names.iter().map(|n| term_slug(n)).collect();
            let terms = self.term_groups(t, Some(&only));
            out.extend(
                terms
                    .par_iter()
                    .flat_map_iter(|(slug, group)| self.term_page(t, slug, group))
                    .collect::<Vec<_>>(),
            );
        }
        out
    }

    /// The terms of a taxonomy (or only those whose slug is in `only`): slug -> (first name,
    /// documents, figures for places).
    pub(super) fn term_groups(
        &self,
        t: &Taxonomy,
        only: Option<&HashSet<String>>,
    ) -> BTreeMap<String, TermGroup<'m>> {
        let mut terms: BTreeMap<String, TermGroup<'m>> =
            taxonomies::terms_of(&self.m.docs, t, only)
                .into_iter()
                .map(|(slug, (name, docs))| (slug, (name, docs, vec![])))
                .collect();
        if t.is_places() {
            // Names repeat across figures: slugify each once.
            let mut slugs: HashMap<&str, String> = HashMap::new();
            for f in self.all_figures() {
                if let Some(p) = &f.decl.place {
                    let slug = slugs.entry(p).or_insert_with(|| term_slug(p));
                    if only.is_some_and(|o| !o.contains(slug.as_str())) {
                        continue;
                    }
                    terms
                        .entry(slug.clone())
                        .or_insert_with(|| (p.clone(), vec![], vec![]))
                        .2
                        .push(f);
                }
            }
        }
        terms
    }

    /// Every pager of a term's page (one unless its taxonomy is paginated); the figures of a
    /// place are on its first.
    pub(super) fn term_page(
        &self,
        t: &Taxonomy,
        slug: &str,
        (name, pages, figs): &TermGroup<'m>,
    ) -> Vec<Result<(String, String), Diagnostic>> {
        let m = self.m;
        let mut pages = pages.clone();
        pages.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let path = t.term_path(slug);
        let by = t.paginate_by;
        let mut feeds = self.site_feeds.clone();
        if t.feed {
            feeds.push(self.term_feed_link(t, slug, name));
        }
        (1..=pager_count(pages.len(), by))
            .map(|k| {
                let shown: &[&Document] = if by == 0 {
                    &pages
                } else {
                    let from = ((k - 1) * by).min(pages.len());
                    &pages[from..(from + by).min(pages.len())]
                };
                let term = TermCtx {
                    name,
                    url: m.url(&path),
                    count: pages.len() + figs.len(),
                    pages: shown.iter().map(|p| self.page(p, false)).collect(),
                    figures: if k == 1 {
                        figs.iter().map(|f| self.figure(f)).collect()
                    } else {
                        vec![]
                    },
                    feed_url: t.feed.then(|| m.url(&format!("{path}atom.xml"))),
                };
                let here = pager_path(&path, k);
                let mut ctx = self.context(&here);
                ctx.insert("kind", &t.name);
                ctx.insert("kind_title", &t.title);
                ctx.insert("taxonomy", &self.taxonomy_ctx(t));
                ctx.insert("term", &term);
                ctx.insert("feeds", &feeds);
                if by > 0 {
                    ctx.insert("paginator", &self.paginator(&path, &pages, by, k));
                }
                let key = crate::model::output_path(&here);
                self.render_template(&key, "taxonomy_term.html", &ctx)
                    .map(|h| (key, h))
            })
            .collect()
    }
}
