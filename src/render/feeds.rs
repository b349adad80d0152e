//! The Atom feed, the sitemap and robots.txt, through their templates (built in, see
//! `templates::BUILT_IN`, or the theme's).

use super::Renderer;
use crate::diagnostics::Diagnostic;
use crate::model::Document;
use serde::Serialize;

impl<'m> Renderer<'m> {
    /// The pages in `atom.xml`.
    pub fn feed_docs(&self) -> Vec<&'m Document> {
        let mut pages = self.dated_pages();
        pages.truncate(self.m.config.feed_limit);
        pages
    }

    pub(super) fn dated_pages(&self) -> Vec<&'m Document> {
        let mut pages: Vec<&Document> = self.m.docs.iter().filter(|d| !d.is_section()).collect();
        pages.sort_by(|a, b| {
            let da = a.fm.updated.as_ref().or(a.fm.date.as_ref()).map(|d| &d.day);
            let db = b.fm.updated.as_ref().or(b.fm.date.as_ref()).map(|d| &d.day);
            db.cmp(&da).then(a.path.cmp(&b.path))
        });
        pages
    }

    /// `atom.xml`, through the `atom.xml` template (dossier's own unless the theme or the
    /// site has one).
    pub fn atom(&self) -> Result<String, Diagnostic> {
        let m = self.m;
        let pages = self.dated_pages();
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
        let mut ctx = self.context("/atom.xml");
        ctx.insert(
            "feed",
            &Feed {
                self_url: m.permalink("/atom.xml"),
                home_url: m.permalink("/"),
                updated,
                entries,
            },
        );
        self.render_template("atom.xml", "atom.xml", &ctx)
    }

    /// `sitemap.xml`: every document and the two generated pages, through the
    /// `sitemap.xml` template.
    pub(super) fn sitemap(&self) -> Result<String, Diagnostic> {
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
