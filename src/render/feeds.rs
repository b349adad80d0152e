//! The Atom feed, the sitemap and robots.txt, through their templates (built in, see
//! `templates::BUILT_IN`, or the theme's).

use super::{Link, Renderer};
use crate::diagnostics::Diagnostic;
use crate::model::outputs::{pager_count, pager_path, term_slug};
use crate::model::taxonomies::Taxonomy;
use crate::model::{DocId, Document};
use serde::Serialize;

/// Which feed: the site's, a section's (by its document) or a term's (by taxonomy index in
/// `Model::taxonomies` and term slug).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedKey {
    /// `atom.xml`: every page.
    Site,
    /// `<section>/atom.xml`: the section's pages.
    Section(DocId),
    /// `<taxonomy>/<term>/atom.xml`: the term's pages.
    Term(usize, String),
}

/// A feed: where it is written, its title, the page it is the feed of, its pages (newest
/// first, all of them: the feed takes the first `feed_limit`).
pub struct FeedOf<'m> {
    /// Its URL path (`/stories/atom.xml`).
    pub url_path: String,
    /// Its title (`Site · Stories`).
    pub title: String,
    /// The URL path of the page it is the feed of (`/stories/`).
    pub home: String,
    /// Its pages, newest first.
    pub pages: Vec<&'m Document>,
    /// Which feed it is.
    pub key: FeedKey,
}

impl FeedOf<'_> {
    /// Its output path (`stories/atom.xml`).
    pub fn output_path(&self) -> &str {
        self.url_path.trim_start_matches('/')
    }
}

/// Newest first (by `updated`, else `date`; undated last), then by path.
fn by_date(pages: &mut [&Document]) {
    pages.sort_by(|a, b| {
        let da = a.fm.updated.as_ref().or(a.fm.date.as_ref()).map(|d| &d.day);
        let db = b.fm.updated.as_ref().or(b.fm.date.as_ref()).map(|d| &d.day);
        db.cmp(&da).then(a.path.cmp(&b.path))
    });
}

impl<'m> Renderer<'m> {
    /// The pages in `atom.xml`.
    pub fn feed_docs(&self) -> Vec<&'m Document> {
        let mut pages = self.dated_pages();
        pages.truncate(self.m.config.feed_limit);
        pages
    }

    pub(super) fn dated_pages(&self) -> Vec<&'m Document> {
        let mut pages: Vec<&Document> = self.m.docs.iter().filter(|d| !d.is_section()).collect();
        by_date(&mut pages);
        pages
    }

    /// Every feed of the site: the site's, then each section's with `feed: true`, then each
    /// term's of a taxonomy with `feed: true`.
    pub fn all_feeds(&self) -> Vec<FeedOf<'m>> {
        let m = self.m;
        let mut keys = vec![FeedKey::Site];
        keys.extend(
            m.docs
                .iter()
                .filter(|d| d.is_section() && d.fm.feed)
                .map(|d| FeedKey::Section(m.by_path[&d.path])),
        );
        let mut feeds: Vec<FeedOf<'m>> = keys.iter().filter_map(|k| self.feed_of(k)).collect();
        // Each taxonomy's terms at once: a term at a time would read every page per term.
        for (i, t) in m.taxonomies.iter().enumerate().filter(|(_, t)| t.feed) {
            for (slug, (name, docs)) in crate::model::taxonomies::terms_of(&m.docs, t, None) {
                feeds.push(self.term_feed(i, slug, &name, docs));
            }
        }
        feeds
    }

    /// The feed of the term `slug` (first named `name`) of taxonomy `i`, of `docs`.
    fn term_feed(&self, i: usize, slug: String, name: &str, docs: Vec<&'m Document>) -> FeedOf<'m> {
        let t = &self.m.taxonomies[i];
        let mut pages: Vec<&Document> = docs.into_iter().filter(|d| !d.is_section()).collect();
        by_date(&mut pages);
        let home = t.term_path(&slug);
        FeedOf {
            url_path: format!("{home}atom.xml"),
            title: format!("{} · {}: {name}", self.m.config.title, t.title),
            home,
            pages,
            key: FeedKey::Term(i, slug),
        }
    }

    /// The feed `key` names (None: a section or term the site does not have).
    pub fn feed_of(&self, key: &FeedKey) -> Option<FeedOf<'m>> {
        let m = self.m;
        let site = &m.config.title;
        Some(match key {
            FeedKey::Site => FeedOf {
                url_path: "/atom.xml".into(),
                title: site.clone(),
                home: "/".into(),
                pages: self.dated_pages(),
                key: key.clone(),
            },
            FeedKey::Section(i) => {
                let s = m.docs.get(i.0).filter(|d| d.is_section())?;
                let mut pages = self.section_pages(&s.path).to_vec();
                by_date(&mut pages);
                FeedOf {
                    url_path: format!("{}atom.xml", s.url_path),
                    title: format!("{site} · {}", s.fm.title),
                    home: s.url_path.clone(),
                    pages,
                    key: key.clone(),
                }
            }
            FeedKey::Term(i, slug) => {
                let t = m.taxonomies.get(*i)?;
                let only = std::collections::HashSet::from([slug.clone()]);
                let (name, docs) =
                    crate::model::taxonomies::terms_of(&m.docs, t, Some(&only)).remove(slug)?;
                self.term_feed(*i, slug.clone(), &name, docs)
            }
        })
    }

    /// The feeds a page of `d` lists in `<link rel="alternate">` (`feeds`): the site's, its
    /// section's (or a section's own), its terms'.
    pub(super) fn feed_links(&self, d: &Document) -> Vec<Link> {
        let m = self.m;
        let site = &m.config.title;
        let mut out = vec![Link {
            title: site.clone(),
            url: m.url("/atom.xml"),
        }];
        let section = if d.is_section() {
            Some(d).filter(|d| d.path != "_index.md")
        } else {
            d.parent.as_deref().and_then(|p| m.doc(p))
        };
        if let Some(s) = section.filter(|s| s.fm.feed) {
            out.push(Link {
                title: format!("{site} · {}", s.fm.title),
                url: m.url(&format!("{}atom.xml", s.url_path)),
            });
        }
        if !d.is_section() {
            for t in m.taxonomies.iter().filter(|t| t.feed) {
                let mut terms: Vec<(String, &str)> = t
                    .names_of(d)
                    .iter()
                    .map(|n| (term_slug(n), n.as_str()))
                    .collect();
                terms.sort();
                terms.dedup_by(|a, b| a.0 == b.0);
                out.extend(
                    terms
                        .into_iter()
                        .map(|(slug, name)| self.term_feed_link(t, &slug, name)),
                );
            }
        }
        out
    }

    /// The `{title, url}` of the feed of the term `slug` (named `name`) of `t`.
    pub(super) fn term_feed_link(&self, t: &Taxonomy, slug: &str, name: &str) -> Link {
        let m = self.m;
        Link {
            title: format!("{} · {}: {name}", m.config.title, t.title),
            url: m.url(&format!("{}atom.xml", t.term_path(slug))),
        }
    }

    /// The pages whose HTML some feed embeds.
    pub(super) fn all_feed_pages(&self) -> std::collections::HashSet<String> {
        let limit = self.m.config.feed_limit;
        self.all_feeds()
            .into_iter()
            .flat_map(|f| f.pages.into_iter().take(limit).map(|d| d.path.clone()))
            .collect()
    }

    /// `atom.xml`, through the `atom.xml` template (dossier's own unless the theme or the
    /// site has one).
    pub fn atom(&self) -> Result<String, Diagnostic> {
        let feed = self.feed_of(&FeedKey::Site).expect("the site feed");
        self.atom_of(&feed)
    }

    /// A feed through the `atom.xml` template: its first `feed_limit` pages.
    pub fn atom_of(&self, f: &FeedOf<'m>) -> Result<String, Diagnostic> {
        let m = self.m;
        let pages = &f.pages;
        let updated = pages
            .iter()
            .filter_map(|d| d.fm.updated.as_ref().or(d.fm.date.as_ref()))
            .max()
            .map_or("1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
        let origin = m.config.origin();
        let entries: Vec<FeedEntry> = pages
            .iter()
            .take(m.config.feed_limit)
            .map(|d| FeedEntry {
                title: &d.fm.title,
                url: m.permalink(&d.url_path),
                updated: d
                    .fm
                    .updated
                    .as_ref()
                    .or(d.fm.date.as_ref())
                    .map_or(updated.clone(), |x| x.rfc3339()),
                published: d.fm.date.as_ref().map(|p| p.rfc3339()),
                summary: d.fm.summary.as_deref(),
                summary_html: d
                    .fm
                    .summary
                    .is_none()
                    .then(|| super::context::summary_html(d, &m.permalink(&d.url_path)))
                    .flatten()
                    .map(|h| crate::html::absolutize(&h, &origin)),
                content: crate::html::absolutize(&self.html_of(d), &origin),
            })
            .collect();
        let mut ctx = self.context(&f.url_path);
        ctx.insert(
            "feed",
            &Feed {
                title: &f.title,
                self_url: m.permalink(&f.url_path),
                home_url: m.permalink(&f.home),
                updated,
                entries,
            },
        );
        self.render_template(f.output_path(), "atom.xml", &ctx)
    }

    /// `sitemap.xml`: every document and the two generated pages, through the
    /// `sitemap.xml` template.
    pub fn sitemap(&self) -> Result<String, Diagnostic> {
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
        // A paginated section's further pagers.
        for d in m.docs.iter().filter(|d| d.is_section()) {
            let count = self.section_pages(&d.path).len();
            for k in 2..=pager_count(count, m.paginate_by(d)) {
                urls.push((pager_path(&d.url_path, k), None));
            }
        }
        urls.push(("/figures/".into(), None));
        urls.push(("/sources/".into(), None));
        urls.sort();
        let urls: Vec<SitemapUrl> = urls
            .into_iter()
            .map(|(u, lastmod)| SitemapUrl {
                loc: m.permalink(&u),
                lastmod,
            })
            .collect();
        let mut ctx = self.context("/sitemap.xml");
        ctx.insert("urls", &urls);
        self.render_template("sitemap.xml", "sitemap.xml", &ctx)
    }

    /// `robots.txt`, through the `robots.txt` template.
    pub(super) fn robots(&self) -> Result<String, Diagnostic> {
        let mut ctx = self.context("/robots.txt");
        ctx.insert("sitemap_url", &self.m.permalink("/sitemap.xml"));
        self.render_template("robots.txt", "robots.txt", &ctx)
    }
}

/// The feed's template data.
#[derive(Serialize)]
struct Feed<'a> {
    title: &'a str,
    self_url: String,
    home_url: String,
    updated: String,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    title: &'a str,
    url: String,
    updated: String,
    published: Option<String>,
    summary: Option<&'a str>,
    /// The text before its `<!-- more -->` line (when it has no `summary:`), links absolute.
    summary_html: Option<String>,
    /// The page's HTML with its links made absolute, for feed readers.
    content: String,
}

#[derive(Serialize)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
}
