//! The Atom feed and the sitemap.

use super::Renderer;
use crate::model::Document;

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

    pub fn atom(&self) -> String {
        let m = self.m;
        let pages = self.dated_pages();
        let updated = pages
            .iter()
            .filter_map(|d| d.fm.updated.as_ref().or(d.fm.date.as_ref()))
            .max()
            .map_or("1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"",
        );
        s.push_str(&xml(&m.config.language));
        s.push_str("\">\n");
        s.push_str(&format!("  <title>{}</title>\n", xml(&m.config.title)));
        if let Some(d) = &m.config.description {
            s.push_str(&format!("  <subtitle>{}</subtitle>\n", xml(d)));
        }
        s.push_str(&format!(
            "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
            xml(&m.permalink("/atom.xml"))
        ));
        s.push_str(&format!("  <link href=\"{}\"/>\n", xml(&m.permalink("/"))));
        s.push_str(&format!(
            "  <id>{}</id>\n  <updated>{updated}</updated>\n",
            xml(&m.permalink("/"))
        ));
        if let Some(a) = &m.config.author {
            s.push_str(&format!("  <author><name>{}</name></author>\n", xml(a)));
        }
        s.push_str("  <generator>dossier</generator>\n");
        for d in pages.iter().take(m.config.feed_limit) {
            let link = m.permalink(&d.url_path);
            let when =
                d.fm.updated
                    .as_ref()
                    .or(d.fm.date.as_ref())
                    .map_or(updated.clone(), |x| x.rfc3339());
            s.push_str("  <entry>\n");
            s.push_str(&format!("    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{when}</updated>\n", xml(&d.fm.title), xml(&link), xml(&link)));
            if let Some(p) = &d.fm.date {
                s.push_str(&format!("    <published>{}</published>\n", p.rfc3339()));
            }
            if let Some(sum) = &d.fm.summary {
                s.push_str(&format!("    <summary>{}</summary>\n", xml(sum)));
            }
            s.push_str(&format!(
                "    <content type=\"html\">{}</content>\n",
                xml(&absolute_links(&self.html_of(d), &m.config.origin()))
            ));
            s.push_str("  </entry>\n");
        }
        s.push_str("</feed>\n");
        s
    }

    pub(super) fn sitemap(&self) -> String {
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
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (u, lastmod) in urls {
            s.push_str(&format!("  <url><loc>{}</loc>", xml(&m.permalink(&u))));
            if let Some(l) = lastmod {
                s.push_str(&format!("<lastmod>{l}</lastmod>"));
            }
            s.push_str("</url>\n");
        }
        s.push_str("</urlset>\n");
        s
    }
}

fn xml(s: &str) -> String {
    crate::html::escape(s)
}

/// Root-relative links made absolute, for feed readers.
fn absolute_links(html: &str, origin: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{origin}/"))
        .replace("src=\"/", &format!("src=\"{origin}/"))
}
