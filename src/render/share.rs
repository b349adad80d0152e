//! What a page tells sharing sites and search engines (`share` in templates): Open Graph
//! and Twitter card values, and its JSON-LD (schema.org `Article` or `NewsArticle` for a
//! page with `citation` entries for its sources; `Dataset` for `/figures/`), made with
//! serde_json and made safe inside `<script>`.

use super::Renderer;
use crate::model::Document;
use crate::sources::Source;
use serde::Serialize;
use serde_json::{Value, json};

/// `share` in templates.
#[derive(Serialize)]
pub(super) struct ShareCtx {
    /// `og:type`: `article` for a page, `website` otherwise.
    pub(super) kind: &'static str,
    pub(super) title: String,
    pub(super) description: Option<String>,
    /// The absolute URL of the page.
    pub(super) url: String,
    /// The absolute URL of its picture.
    pub(super) image: Option<String>,
    pub(super) published: Option<String>,
    pub(super) modified: Option<String>,
    /// The JSON-LD, escaped for a `<script>` element (print with `| safe`).
    pub(super) json_ld: Option<String>,
}

/// `value` as JSON that cannot end its `<script>` element or open a comment in it: `<`, `>`
/// and `&` are only ever inside JSON strings, where their `\u` escapes mean the same.
pub(super) fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

impl<'m> Renderer<'m> {
    /// The absolute URL of an image as `Model::images` holds it.
    fn image_url(&self, path: &str) -> String {
        if path.starts_with('/') {
            self.m.permalink(path)
        } else {
            path.to_string()
        }
    }

    /// The site's picture, absolute.
    fn site_image(&self) -> Option<String> {
        self.m
            .share_images
            .site
            .as_deref()
            .map(|p| self.image_url(p))
    }

    /// `share` of a generated page (not a document) at `url_path`.
    pub(super) fn share_site(&self, url_path: &str, title: &str) -> ShareCtx {
        ShareCtx {
            kind: "website",
            title: title.to_string(),
            description: self.m.config.description.clone(),
            url: self.m.permalink(url_path),
            image: self.site_image(),
            published: None,
            modified: None,
            json_ld: None,
        }
    }

    /// The site as an organisation (`publisher`, a dataset's `creator`).
    fn organisation(&self) -> Value {
        json!({
            "@type": "Organization",
            "name": self.m.config.title,
            "url": self.m.permalink("/"),
        })
    }

    /// A source as a schema.org `CreativeWork` (a page's `citation`, a dataset's `isBasedOn`).
    fn creative_work(s: &Source) -> Value {
        let mut w = json!({
            "@type": "CreativeWork",
            "name": s.title,
            "datePublished": s.published.iso,
            "publisher": {"@type": "Organization", "name": s.publisher},
        });
        if let Some(url) = &s.url {
            w["url"] = json!(url);
        }
        if !s.authors.is_empty() {
            w["author"] = s
                .authors
                .iter()
                .map(|a| json!({"@type": "Person", "name": a}))
                .collect();
        }
        w
    }

    /// `share` of a document: a page is an article with its JSON-LD; a section a website.
    pub(super) fn share_doc(&self, d: &'m Document, description: Option<String>) -> ShareCtx {
        let m = self.m;
        let url = m.permalink(&d.url_path);
        let image = m
            .share_images
            .pages
            .get(&d.path)
            .map(|p| self.image_url(p))
            .or_else(|| self.site_image());
        let description = description.or_else(|| m.config.description.clone());
        if d.is_section() {
            return ShareCtx {
                kind: "website",
                title: d.fm.title.clone(),
                description,
                url,
                image,
                published: None,
                modified: None,
                json_ld: None,
            };
        }
        let published = d.fm.date.as_ref().map(|x| x.rfc3339());
        let modified = d.fm.updated.as_ref().map(|x| x.rfc3339());
        let mut ld = json!({
            "@context": "https://schema.org",
            "@type": m.config.json_ld.kind.name(),
            "headline": d.fm.title,
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "publisher": self.organisation(),
        });
        if let Some(desc) = &description {
            ld["description"] = json!(desc);
        }
        if let Some(p) = &published {
            ld["datePublished"] = json!(p);
        }
        if let Some(u) = modified.as_ref().or(published.as_ref()) {
            ld["dateModified"] = json!(u);
        }
        if !d.fm.authors.is_empty() {
            ld["author"] =
                d.fm.authors
                    .iter()
                    .map(|a| json!({"@type": "Person", "name": a}))
                    .collect();
        } else if let Some(a) = &m.config.author {
            ld["author"] = json!([{"@type": "Organization", "name": a}]);
        }
        if let Some(i) = &image {
            ld["image"] = json!([i]);
        }
        if !d.fm.tags.is_empty() {
            ld["keywords"] = json!(d.fm.tags);
        }
        ld["inLanguage"] = json!(m.config.language);
        let mut seen = std::collections::HashSet::new();
        let citations: Vec<Value> = m
            .cites(d)
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| m.registry.get(id))
            .map(Self::creative_work)
            .collect();
        if !citations.is_empty() {
            ld["citation"] = Value::Array(citations);
        }
        ShareCtx {
            kind: "article",
            title: d.fm.title.clone(),
            description,
            url,
            image,
            published,
            modified,
            json_ld: Some(script_json(&ld)),
        }
    }

    /// `share` of `/figures/`: a schema.org `Dataset` of the figure table, its files as
    /// downloads, based on the sources its figures quote.
    pub(super) fn share_figures(&self) -> ShareCtx {
        let m = self.m;
        let mut share = self.share_site("/figures/", &format!("Figures · {}", m.config.title));
        let n = m.figures.len();
        let description = format!(
            "The {n} figure{} quoted by {}, each with its value, unit, place, period and source, \
             and the source's own words (checked against an archived copy where the site holds one).",
            if n == 1 { "" } else { "s" },
            m.config.title
        );
        let mut ids: Vec<&str> = m.figures.values().map(|f| f.decl.source.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let based_on: Vec<Value> = ids
            .iter()
            .filter_map(|id| m.registry.get(id))
            .map(Self::creative_work)
            .collect();
        let download = |file: &str, format: &str| {
            json!({
                "@type": "DataDownload",
                "encodingFormat": format,
                "contentUrl": m.permalink(&format!("/{file}")),
            })
        };
        let mut creator = self.organisation();
        if let Some(a) = &m.config.author {
            creator = json!({"@type": "Organization", "name": a, "url": m.permalink("/")});
        }
        let mut ld = json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": format!("Figures of {}", m.config.title),
            "description": description,
            "url": share.url,
            "creator": creator,
            "publisher": self.organisation(),
            "inLanguage": m.config.language,
            "distribution": [
                download("figures.csv", "text/csv"),
                download("figures.json", "application/json"),
            ],
        });
        if !based_on.is_empty() {
            ld["isBasedOn"] = Value::Array(based_on);
        }
        if let Some(i) = &share.image {
            ld["image"] = json!(i);
        }
        share.description = Some(description);
        share.json_ld = Some(script_json(&ld));
        share
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"name": "</script><!-- & -->"});
        let s = super::script_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
