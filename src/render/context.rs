//! The data templates see: the site, pages, sections, figures, sources and terms, as
//! borrowed serializable structs (a section of 10,000 pages stays cheap).

use super::{Renderer, reading_minutes};
use crate::content::figures::ValueDecl;
use crate::markdown::TocEntry;
use crate::model::Document;
use crate::model::outputs::term_slug;
use crate::sources::{Figure, Source};
use serde::Serialize;

/// A link, as templates see it.
#[derive(Serialize, Clone)]
pub struct Link {
    /// Its text.
    pub title: String,
    /// Its URL.
    pub url: String,
}

#[derive(Serialize)]
pub(super) struct SiteCtx<'a> {
    pub(super) title: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) author: Option<&'a str>,
    pub(super) language: &'a str,
    pub(super) base_url: &'a str,
    pub(super) base_path: &'a str,
    pub(super) extra: &'a serde_json::Map<String, serde_json::Value>,
    pub(super) menu: Vec<Link>,
    pub(super) figure_count: usize,
    pub(super) source_count: usize,
    pub(super) page_count: usize,
    pub(super) citation_style: StyleCtx<'a>,
    /// Static stylesheets and scripts -> their hashed names, for `asset_url()`.
    pub(super) assets: &'a std::collections::BTreeMap<String, String>,
}

/// The citation style, as templates see it (`site.citation_style`).
#[derive(Serialize)]
pub(super) struct StyleCtx<'a> {
    /// As site.yaml names it.
    pub(super) name: &'a str,
    /// The style's title.
    pub(super) title: &'a str,
    /// `numeric`, `author-date`, `label` or `note`.
    pub(super) kind: &'static str,
    /// A CSL style (reference entries come as `source.reference`).
    pub(super) csl: bool,
}

/// "Cite this page" (`page.cite`): the page's own citation in the site's style, and as
/// BibTeX.
#[derive(Serialize)]
pub(super) struct CiteCtx {
    pub(super) html: String,
    pub(super) bibtex: String,
}

#[derive(Serialize, Clone)]
pub(super) struct TermRef {
    pub(super) name: String,
    pub(super) url: String,
}

#[derive(Serialize)]
pub(super) struct PageCtx<'a> {
    pub(super) title: &'a str,
    pub(super) summary: Option<&'a str>,
    /// Its summary as HTML, fit for a list (see `summary_html`).
    pub(super) summary_html: Option<String>,
    /// Plain text for `<meta name="description">`: its summary, either kind.
    pub(super) description: Option<String>,
    /// Its picture for sharing (`image:`), absolute.
    pub(super) image: Option<String>,
    pub(super) authors: &'a [String],
    pub(super) date: Option<String>,
    pub(super) updated: Option<String>,
    pub(super) date_display: Option<String>,
    pub(super) updated_display: Option<String>,
    pub(super) slug: String,
    pub(super) url: String,
    pub(super) permalink: String,
    pub(super) path: &'a str,
    pub(super) weight: Option<i64>,
    pub(super) draft: bool,
    pub(super) extra: &'a serde_json::Map<String, serde_json::Value>,
    pub(super) word_count: usize,
    pub(super) reading_minutes: usize,
    pub(super) tags: Vec<TermRef>,
    pub(super) places: Vec<TermRef>,
    /// Taxonomy name -> its terms, for each taxonomy the page has terms of.
    pub(super) taxonomies: std::collections::BTreeMap<&'a str, Vec<TermRef>>,
    pub(super) content: Option<std::borrow::Cow<'a, str>>,
    /// Its content has a code block (the page needs syntax.css).
    pub(super) has_code: bool,
    pub(super) toc: Option<&'a [TocEntry]>,
    pub(super) figures: Option<Vec<FigureCtx<'a>>>,
    pub(super) references: Option<Vec<RefCtx<'a>>>,
    pub(super) cite: Option<CiteCtx>,
    pub(super) previous: Option<Link>,
    pub(super) next: Option<Link>,
    pub(super) pages: Option<Vec<PageCtx<'a>>>,
    pub(super) subsections: Option<Vec<SubsectionCtx<'a>>>,
}

/// One pager of a paginated list (`paginator`), as Zola has it.
#[derive(Serialize)]
pub(super) struct PaginatorCtx<'a> {
    /// Pages per pager.
    pub(super) paginate_by: usize,
    /// The list's URL (its first pager).
    pub(super) base_url: String,
    /// How many pagers.
    pub(super) number_pagers: usize,
    /// The URL of the first and of the last pager.
    pub(super) first: String,
    pub(super) last: String,
    /// The URL of the previous and of the next pager, or none.
    pub(super) previous: Option<String>,
    pub(super) next: Option<String>,
    /// This pager's pages.
    pub(super) pages: Vec<PageCtx<'a>>,
    /// This pager's number, from 1.
    pub(super) current_index: usize,
    /// The pages of the whole list.
    pub(super) total_pages: usize,
}

/// A taxonomy, as `taxonomy_list.html` and `taxonomy_term.html` see it (`taxonomy`).
#[derive(Serialize)]
pub(super) struct TaxonomyCtx<'a> {
    pub(super) name: &'a str,
    pub(super) slug: &'a str,
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) feed: bool,
    pub(super) paginate_by: usize,
}

#[derive(Serialize)]
pub(super) struct SubsectionCtx<'a> {
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) summary: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct RefCtx<'a> {
    pub(super) number: usize,
    pub(super) id: &'a str,
    pub(super) source: SourceRef<'a>,
    pub(super) locators: &'a [String],
}

#[derive(Serialize, Clone)]
pub(super) struct SourceRef<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    publisher: &'a str,
    /// The publisher's short name (`AP`), when the registry gives one.
    pub(super) short: Option<&'a str>,
    pub(super) authors: &'a [String],
    published: String,
    published_display: String,
    pub(super) url: Option<&'a str>,
    pub(super) accessed: Option<String>,
    pub(super) language: Option<&'a str>,
    pub(super) note: Option<&'a str>,
    pub(super) archived: bool,
    pub(super) archive_url: Option<&'a str>,
    pub(super) reference: Option<&'a str>,
    pub(super) anchor: String,
    pub(super) index_url: String,
}

#[derive(Serialize)]
pub(super) struct SourceCtx<'a> {
    #[serde(flatten)]
    pub(super) source: SourceRef<'a>,
    pub(super) cited_by: Vec<Link>,
    pub(super) figures: Vec<FigureBrief<'a>>,
}

#[derive(Serialize)]
pub(super) struct FigureBrief<'a> {
    pub(super) id: &'a str,
    pub(super) display: String,
    pub(super) subject: &'a str,
    pub(super) url: String,
    /// The source's words, and those words in their sentence of the archived text.
    pub(super) quote: &'a str,
    pub(super) excerpt: Option<ExcerptCtx<'a>>,
}

#[derive(Serialize, Clone)]
pub(super) struct PeriodCtx {
    pub(super) from: String,
    pub(super) to: String,
}

/// A figure, as templates see it (see the README).
#[derive(Serialize, Clone)]
pub struct FigureCtx<'a> {
    pub(super) id: &'a str,
    /// The number it is drawn and sorted by (a range's middle).
    pub(super) value: f64,
    /// A range's ends (`[10000, 99999]`), else none.
    pub(super) value_range: Option<[f64; 2]>,
    pub(super) display: String,
    pub(super) value_display: String,
    pub(super) qualifier: &'static str,
    pub(super) interval: IntervalCtx,
    pub(super) per: Option<&'static str>,
    pub(super) unit: Option<&'a str>,
    pub(super) count_unit: Option<String>,
    pub(super) note: Option<&'a str>,
    pub(super) measure: &'a str,
    pub(super) measure_label: &'a str,
    pub(super) subject: &'a str,
    pub(super) place: Option<&'a str>,
    pub(super) place_url: Option<String>,
    pub(super) period: Option<PeriodCtx>,
    pub(super) period_display: Option<String>,
    pub(super) period_inferred: Option<String>,
    pub(super) as_of: Option<String>,
    pub(super) as_of_display: Option<String>,
    pub(super) as_of_inferred: Option<&'a str>,
    pub(super) claimed_by: Option<&'a str>,
    pub(super) source: SourceRef<'a>,
    pub(super) quote: &'a str,
    pub(super) verified: bool,
    /// The quote in its sentence of the archived text.
    pub(super) excerpt: Option<ExcerptCtx<'a>>,
    pub(super) page: Link,
    pub(super) url: String,
    pub(super) anchor: String,
    pub(super) disputed: bool,
    pub(super) part_of: Option<&'a str>,
}

/// A quote in its sentence of the archived text: `before`, `quote`, `after`.
#[derive(Serialize, Clone)]
pub(super) struct ExcerptCtx<'a> {
    pub(super) before: &'a str,
    pub(super) quote: &'a str,
    pub(super) after: &'a str,
}

impl<'a> ExcerptCtx<'a> {
    pub(super) fn of(f: &'a Figure) -> Option<ExcerptCtx<'a>> {
        f.excerpt.as_ref().map(|e| ExcerptCtx {
            before: &e.before,
            quote: &e.quote,
            after: &e.after,
        })
    }
}

/// The values a figure's words allow.
#[derive(Serialize, Clone)]
pub(super) struct IntervalCtx {
    /// The lower end.
    pub(super) low: serde_json::Value,
    /// The upper end (none: no upper end).
    pub(super) high: serde_json::Value,
    pub(super) low_open: bool,
    pub(super) high_open: bool,
    /// "[97,500, 98,500]".
    pub(super) display: String,
    /// "between 97,500 and 98,500".
    pub(super) words: String,
}

impl IntervalCtx {
    pub(super) fn of(i: &crate::sources::Interval) -> IntervalCtx {
        let j = i.json();
        IntervalCtx {
            low: j["low"].clone(),
            high: j["high"].clone(),
            low_open: i.lo_open,
            high_open: i.hi_open || i.hi.is_infinite(),
            display: i.display(),
            words: i.words(),
        }
    }
}

#[derive(Serialize)]
pub(super) struct TermCtx<'a> {
    pub(super) name: &'a str,
    pub(super) url: String,
    pub(super) count: usize,
    pub(super) pages: Vec<PageCtx<'a>>,
    pub(super) figures: Vec<FigureCtx<'a>>,
    /// Its feed's URL, when its taxonomy has feeds.
    pub(super) feed_url: Option<String>,
}

/// A page's summary as HTML for lists and feeds: its `summary:` (plain text, as in
/// `<meta name="description">`) as a paragraph; else the text before its `<!-- more -->`
/// line, with its fragment links pointed at the page at `page_url` and without ids.
pub(super) fn summary_html(d: &Document, page_url: &str) -> Option<String> {
    match (&d.fm.summary, &d.rendered.summary) {
        (Some(s), _) if !s.trim().is_empty() => Some(format!("<p>{}</p>", crate::html::escape(s))),
        (_, Some(more)) => Some(crate::html::detach(&more.html, page_url)),
        _ => None,
    }
}

/// A page's description: its `summary:`, else the plain text before `<!-- more -->`.
pub(super) fn description(d: &Document) -> Option<String> {
    d.fm.summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .or_else(|| d.rendered.summary.as_ref().map(|s| s.text.clone()))
        .filter(|s| !s.is_empty())
}

impl<'m> Renderer<'m> {
    pub(super) fn source_ref(&self, s: &'m Source) -> SourceRef<'m> {
        SourceRef {
            id: &s.id,
            title: &s.title,
            publisher: &s.publisher,
            short: s.short.as_deref(),
            authors: &s.authors,
            published: s.published.iso.clone(),
            published_display: s.published.display(),
            url: s.url.as_deref(),
            accessed: s.accessed.as_ref().map(|d| d.iso.clone()),
            language: s.language.as_deref(),
            note: s.note.as_deref(),
            archived: s.archive_text.is_some(),
            archive_url: s.archive_url.as_deref(),
            reference: self.m.style.reference(&s.id).map(|(html, _)| html),
            anchor: format!("src-{}", s.id),
            index_url: self.m.url(&format!("/sources/#src-{}", s.id)),
        }
    }

    pub(super) fn figure(&self, f: &'m Figure) -> FigureCtx<'m> {
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
        let value_range = match f.decl.value {
            ValueDecl::Range(a, b) => Some([a, b]),
            ValueDecl::One(_) => None,
        };
        FigureCtx {
            id: &f.decl.id,
            value: f.decl.value.point(),
            value_range,
            display: f.display(true),
            value_display: f.value_display(),
            qualifier: f.qualifier.name(),
            interval: IntervalCtx::of(&f.interval),
            per: f.decl.per.map(|p| p.name()),
            unit: f.decl.unit.as_deref(),
            count_unit: f.count_unit(),
            note: f.decl.note.as_deref(),
            measure: &f.decl.measure,
            measure_label: &f.measure_label,
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
            period_inferred: f.period.as_ref().and_then(|p| p.inferred()),
            as_of: f.decl.as_of.as_ref().map(|d| d.date.iso.clone()),
            as_of_display: f.decl.as_of.as_ref().map(|d| {
                let c = if d.inferred.is_some() { "c. " } else { "" };
                format!("{c}{}", d.date.display())
            }),
            as_of_inferred: f.decl.as_of.as_ref().and_then(|d| d.inferred.as_deref()),
            claimed_by: f.decl.claimed_by.as_deref(),
            source: self.source_ref(src),
            quote: &f.decl.quote,
            verified: f.verified,
            excerpt: ExcerptCtx::of(f),
            page,
            url: m.url(&format!("/figures/#{}", f.anchor())),
            anchor: f.anchor(),
            disputed: m.relations.is_disputed(&f.decl.id),
            part_of: f.decl.part_of.as_deref(),
        }
    }

    pub(super) fn terms(&self, names: &[String], kind: &str) -> Vec<TermRef> {
        names
            .iter()
            .map(|n| TermRef {
                name: n.clone(),
                url: self.m.url(&format!("/{kind}/{}/", term_slug(n))),
            })
            .collect()
    }

    /// A page's data; `full` adds content, toc, figures and references.
    pub(super) fn page(&'m self, d: &'m Document, full: bool) -> PageCtx<'m> {
        let m = self.m;
        let words = self.idx.words[m.by_path[&d.path]];
        let (previous, next) = if full && !d.is_section() {
            self.neighbours(d)
        } else {
            (None, None)
        };
        let content = full.then(|| self.html_of(d));
        PageCtx {
            title: &d.fm.title,
            summary: d.fm.summary.as_deref(),
            summary_html: summary_html(d, &m.url(&d.url_path)),
            description: description(d),
            image: m.share_images.pages.get(&d.path).map(|p| {
                if p.starts_with('/') {
                    m.permalink(p)
                } else {
                    p.clone()
                }
            }),
            authors: &d.fm.authors,
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
            taxonomies: m
                .taxonomies
                .iter()
                .filter(|t| !t.names_of(d).is_empty())
                .map(|t| (t.name.as_str(), self.terms(t.names_of(d), &t.slug)))
                .collect(),
            has_code: content.as_deref().is_some_and(|c| c.contains("<pre")),
            content,
            toc: full.then_some(d.rendered.toc.as_slice()),
            figures: full.then(|| self.page_figures(d)),
            references: full.then(|| self.references(d)),
            cite: (full && !d.is_section()).then(|| self.cite_page(d)),
            previous,
            next,
            pages: None,
            subsections: None,
        }
    }

    /// A page's reference list: by number, or in the style's order for an author-date or
    /// label style (whose in-text citations are not numbers).
    pub(super) fn references(&self, d: &'m Document) -> Vec<RefCtx<'m>> {
        let m = self.m;
        let mut refs: Vec<RefCtx> = d
            .rendered
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
            .collect();
        use crate::sources::styles::Kind;
        if matches!(m.style.kind, Kind::AuthorDate | Kind::Label) {
            refs.sort_by_key(|r| m.style.reference(r.id).map_or(usize::MAX, |(_, o)| o));
        }
        refs
    }

    /// "Cite this page": the page as a web page of the site, by site.yaml's `author`.
    pub(super) fn cite_page(&self, d: &'m Document) -> CiteCtx {
        let m = self.m;
        let key = format!(
            "{}-{}",
            slug::slugify(&m.config.title),
            slug::slugify(d.url_path.trim_matches('/').replace('/', "-"))
        );
        let cite = crate::sources::export::PageCitation {
            key: key.trim_end_matches('-'),
            title: &d.fm.title,
            site: &m.config.title,
            author: m.config.author.as_deref(),
            date: d.fm.updated.as_ref().or(d.fm.date.as_ref()),
            url: &m.permalink(&d.url_path),
        };
        CiteCtx {
            html: cite.html(&m.style),
            bibtex: cite.bibtex(),
        }
    }

    /// Figures a page declares, then those it only references.
    pub(super) fn page_figures(&self, d: &'m Document) -> Vec<FigureCtx<'m>> {
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

    /// Every page and section, and every taxonomy, for `get_page`, `get_section` and
    /// `get_taxonomy` (one after the other: a parallel loop here could take a render job that
    /// waits for this very collection).
    pub(super) fn site_data(&self) -> crate::templates::SiteData {
        let m = self.m;
        let mut data = crate::templates::SiteData::default();
        for d in &m.docs {
            let mut page = self.page(d, true);
            if d.is_section() {
                self.section_lists(d, 1, &mut page);
                data.sections
                    .insert(d.path.clone(), tera::Value::from_serializable(&page));
            } else {
                data.pages
                    .insert(d.path.clone(), tera::Value::from_serializable(&page));
            }
        }
        for t in &m.taxonomies {
            let terms = m.terms(&t.name).unwrap_or_default();
            let items: Vec<serde_json::Value> = terms
                .iter()
                .map(|(slug, (name, docs))| {
                    let pages: Vec<PageCtx> = docs
                        .iter()
                        .filter(|d| !d.is_section())
                        .map(|d| self.page(d, false))
                        .collect();
                    serde_json::json!({
                        "name": name,
                        "slug": slug,
                        "url": m.url(&t.term_path(slug)),
                        "pages": pages,
                    })
                })
                .collect();
            let value = serde_json::json!({
                "kind": {"name": t.name, "slug": t.slug, "title": t.title},
                "items": items,
            });
            data.taxonomies.insert(
                t.name.clone(),
                crate::templates::TaxonomyData {
                    value: tera::Value::from_serializable(&value),
                    term_urls: terms
                        .iter()
                        .map(|(slug, (name, _))| {
                            (slug.clone(), (name.clone(), m.url(&t.term_path(slug))))
                        })
                        .collect(),
                },
            );
        }
        data
    }

    pub(super) fn section_pages(&self, section: &str) -> &[&'m Document] {
        self.idx
            .section_pages
            .get(section)
            .map_or(&[], Vec::as_slice)
    }

    /// The figures `source` backs, in id order.
    pub(super) fn figures_of(&self, source: &str) -> &[&'m Figure] {
        self.idx
            .figures_by_source
            .get(source)
            .map_or(&[], Vec::as_slice)
    }

    /// The previous and next page of each document in its section's reading order (by
    /// index in `Model::docs`).
    pub fn neighbour_ids(&self) -> &[(Option<crate::model::DocId>, Option<crate::model::DocId>)] {
        &self.idx.neighbours
    }

    pub(super) fn neighbours(&self, d: &Document) -> (Option<Link>, Option<Link>) {
        let m = self.m;
        let link = |i: crate::model::DocId| Link {
            title: m.docs[i].fm.title.clone(),
            url: m.url(&m.docs[i].url_path),
        };
        let (previous, next) = self.idx.neighbours[m.by_path[&d.path]];
        (previous.map(link), next.map(link))
    }
}
