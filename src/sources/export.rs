//! The source list in the formats other tools read: BibLaTeX (`sources.bib`), CSL-JSON
//! (`sources.csl.json`) and RIS (`sources.ris`), and a page's own citation ("Cite this
//! page"). Each exported entry carries what the source has (and what an imported entry
//! adds: DOI, volume, issue, pages), so that importing the export gives the same sources.

use super::registry::{Registry, Source};
use super::styles::{CitationStyle, entry_of};
use crate::content::dates::Date;
use biblatex::{Chunk, Spanned};
use hayagriva::types::EntryType;

/// An author as BibTeX writes it: a person `Family, Given` as is, any other name in braces
/// (so that it is kept whole).
fn bib_name(written: &str) -> Chunk {
    match written.split_once(',') {
        Some((f, g)) if !f.trim().is_empty() && !g.trim().is_empty() => {
            Chunk::Normal(written.trim().to_string())
        }
        _ => Chunk::Verbatim(written.trim().to_string()),
    }
}

fn normal(s: &str) -> Vec<Spanned<Chunk>> {
    vec![Spanned::detached(Chunk::Normal(s.to_string()))]
}

fn verbatim(s: &str) -> Vec<Spanned<Chunk>> {
    vec![Spanned::detached(Chunk::Verbatim(s.to_string()))]
}

/// What an imported entry has beyond dossier's fields: DOI, volume, issue, pages.
struct Extra {
    doi: Option<String>,
    volume: Option<String>,
    issue: Option<String>,
    pages: Option<String>,
}

fn extra(s: &Source) -> Extra {
    let e = s.imported.as_ref().map(|i| &i.entry);
    Extra {
        doi: e.and_then(|e| e.doi()).map(str::to_string),
        volume: e.and_then(|e| e.volume()).map(|v| v.to_string()),
        issue: e.and_then(|e| e.issue()).map(|v| v.to_string()),
        pages: e.and_then(|e| e.page_range()).map(|v| v.to_string()),
    }
}

/// The source's kind as hayagriva has it: (own type, the type of what it appeared in).
fn kinds(s: &Source) -> (EntryType, Option<EntryType>) {
    match &s.imported {
        Some(i) => (
            *i.entry.entry_type(),
            i.entry.parents().first().map(|p| *p.entry_type()),
        ),
        None => (EntryType::Article, Some(EntryType::Newspaper)),
    }
}

/// One source as a BibLaTeX entry.
fn bib_entry(s: &Source) -> biblatex::Entry {
    use biblatex::EntryType as B;
    let (own, parent) = kinds(s);
    let ty = match own {
        EntryType::Article => B::Article,
        EntryType::Book => B::Book,
        EntryType::Chapter => B::InCollection,
        EntryType::Report => B::Report,
        EntryType::Thesis => B::Thesis,
        EntryType::Web | EntryType::Post | EntryType::Blog => B::Online,
        EntryType::Proceedings => B::Proceedings,
        EntryType::Manuscript => B::Unpublished,
        _ => B::Misc,
    };
    let mut e = biblatex::Entry::new(s.id.to_string(), ty.clone());
    if ty == B::Article && parent == Some(EntryType::Newspaper) {
        e.set("entrysubtype", normal("newspaper"));
    }
    // Titles in braces: BibTeX styles would otherwise change their case.
    e.set("title", verbatim(&s.title));
    if !s.authors.is_empty() {
        let mut chunks = Vec::new();
        for (i, a) in s.authors.iter().enumerate() {
            if i > 0 {
                chunks.push(Spanned::detached(Chunk::Normal(" and ".into())));
            }
            chunks.push(Spanned::detached(bib_name(a)));
        }
        e.set("author", chunks);
    }
    // Where readers find it: a journal or newspaper for an article, else the publisher.
    let venue = match ty {
        B::Article => "journaltitle",
        B::Online => "organization",
        B::InCollection => "booktitle",
        _ => "publisher",
    };
    e.set(venue, verbatim(&s.publisher));
    e.set(
        "date",
        normal(&s.published.iso[..10.min(s.published.iso.len())]),
    );
    if let Some(u) = &s.url {
        e.set("url", normal(u));
    }
    if let Some(d) = &s.accessed {
        e.set("urldate", normal(&d.day.to_string()));
    }
    if let Some(l) = s.language.as_deref().and_then(babel_name) {
        e.set("langid", normal(l));
    }
    if let Some(n) = &s.note {
        e.set("note", normal(n));
    }
    let x = extra(s);
    for (k, v) in [
        ("doi", x.doi),
        ("volume", x.volume),
        ("number", x.issue),
        ("pages", x.pages),
    ] {
        if let Some(v) = v {
            e.set(k, normal(&v));
        }
    }
    e
}

/// `langid` takes babel's names, of the languages biblatex knows (any other would make
/// the entry unreadable to biblatex): `en` is written `english`, which reads back as `en-US`.
fn babel_name(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next().unwrap_or(tag).to_lowercase();
    Some(match primary.as_str() {
        "en" => "english",
        "de" => "ngerman",
        "fr" => "french",
        "es" => "spanish",
        "it" => "italian",
        "pt" => "portuguese",
        "ru" => "russian",
        "uk" => "ukrainian",
        "nl" => "dutch",
        "pl" => "polish",
        "sv" => "swedish",
        "fi" => "finnish",
        "tr" => "turkish",
        "cs" => "czech",
        "da" => "danish",
        "el" => "greek",
        "hu" => "magyar",
        "ro" => "romanian",
        "bg" => "bulgarian",
        "et" => "estonian",
        "lv" => "latvian",
        "lt" => "lithuanian",
        _ => return None,
    })
}

/// `sources.bib`: every source as a BibLaTeX entry.
pub fn bibtex(registry: &Registry) -> String {
    let mut out = String::from(
        "% The sources of this site, as BibLaTeX. Written by dossier from its source registry.\n\n",
    );
    for s in registry.sources.values() {
        out.push_str(&bib_entry(s).to_biblatex_string());
        out.push_str("\n\n");
    }
    out
}

fn csl_name(written: &str) -> serde_json::Value {
    match written.split_once(',') {
        Some((f, g)) if !f.trim().is_empty() && !g.trim().is_empty() => {
            serde_json::json!({"family": f.trim(), "given": g.trim()})
        }
        _ => serde_json::json!({"literal": written.trim()}),
    }
}

fn csl_date(d: &Date) -> serde_json::Value {
    serde_json::json!({"date-parts": [[d.day.year(), d.day.month(), d.day.day()]]})
}

/// One source as a CSL-JSON item.
pub fn csl_item(s: &Source) -> serde_json::Value {
    let (own, parent) = kinds(s);
    let kind = match (own, parent) {
        (EntryType::Article, Some(EntryType::Newspaper)) => "article-newspaper",
        (EntryType::Article, Some(EntryType::Blog)) => "post-weblog",
        (EntryType::Article, Some(EntryType::Proceedings)) => "paper-conference",
        (EntryType::Article, _) => "article-journal",
        (EntryType::Web | EntryType::Post, _) => "webpage",
        (EntryType::Book, _) => "book",
        (EntryType::Chapter, _) => "chapter",
        (EntryType::Report, _) => "report",
        (EntryType::Thesis, _) => "thesis",
        (EntryType::Repository, _) => "dataset",
        _ => "document",
    };
    let mut item = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        item.insert(k.to_string(), v);
    };
    put("id", s.id.as_str().into());
    put("citation-key", s.id.as_str().into());
    put("type", kind.into());
    put("title", s.title.as_str().into());
    if !s.authors.is_empty() {
        put(
            "author",
            s.authors
                .iter()
                .map(|a| csl_name(a))
                .collect::<Vec<_>>()
                .into(),
        );
    }
    let venue = if matches!(own, EntryType::Article | EntryType::Chapter) {
        "container-title"
    } else {
        "publisher"
    };
    put(venue, s.publisher.as_str().into());
    put("issued", csl_date(&s.published));
    if let Some(u) = &s.url {
        put("URL", u.as_str().into());
    }
    if let Some(d) = &s.accessed {
        put("accessed", csl_date(d));
    }
    if let Some(l) = &s.language {
        put("language", l.as_str().into());
    }
    if let Some(n) = &s.note {
        put("note", n.as_str().into());
    }
    let x = extra(s);
    for (k, v) in [
        ("DOI", x.doi),
        ("volume", x.volume),
        ("issue", x.issue),
        ("page", x.pages),
    ] {
        if let Some(v) = v {
            put(k, v.into());
        }
    }
    serde_json::Value::Object(item)
}

/// `sources.csl.json`: every source as a CSL-JSON item (Zotero, Pandoc and Quarto read it).
pub fn csl_json(registry: &Registry) -> serde_json::Result<String> {
    let items: Vec<serde_json::Value> = registry.sources.values().map(csl_item).collect();
    Ok(serde_json::to_string_pretty(&items)? + "\n")
}

/// `sources.ris`: every source as a RIS record (EndNote, Mendeley, Zotero read it).
pub fn ris(registry: &Registry) -> String {
    let mut out = String::new();
    // RIS lines end in CRLF, and a value is one line.
    let mut line = |tag: &str, value: &str| {
        let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!("{tag}  - {v}\r\n"));
    };
    for s in registry.sources.values() {
        let (own, parent) = kinds(s);
        let ty = match (own, parent) {
            (EntryType::Article, Some(EntryType::Newspaper)) => "NEWS",
            (EntryType::Article, Some(EntryType::Blog)) => "BLOG",
            (EntryType::Article, _) => "JOUR",
            (EntryType::Web | EntryType::Post, _) => "ELEC",
            (EntryType::Book, _) => "BOOK",
            (EntryType::Chapter, _) => "CHAP",
            (EntryType::Report, _) => "RPRT",
            (EntryType::Thesis, _) => "THES",
            _ => "GEN",
        };
        line("TY", ty);
        line("ID", &s.id);
        line("TI", &s.title);
        for a in &s.authors {
            line("AU", a);
        }
        line(
            if own == EntryType::Article {
                "T2"
            } else {
                "PB"
            },
            &s.publisher,
        );
        let d = &s.published.day;
        line("PY", &d.year().to_string());
        line("DA", &d.strftime("%Y/%m/%d").to_string());
        if let Some(u) = &s.url {
            line("UR", u);
        }
        if let Some(a) = &s.accessed {
            line("Y2", &a.day.strftime("%Y/%m/%d").to_string());
        }
        if let Some(l) = &s.language {
            line("LA", l);
        }
        if let Some(n) = &s.note {
            line("N1", n);
        }
        let x = extra(s);
        for (tag, v) in [
            ("DO", x.doi),
            ("VL", x.volume),
            ("IS", x.issue),
            ("SP", x.pages),
        ] {
            if let Some(v) = v {
                line(tag, &v);
            }
        }
        line("ER", "");
    }
    out
}

/// A page of the site as a citable web page.
#[derive(Debug, Clone)]
pub struct PageCitation<'a> {
    /// Its BibTeX key.
    pub key: &'a str,
    /// The page's title.
    pub title: &'a str,
    /// The site's title (where it appeared).
    pub site: &'a str,
    /// site.yaml's `author`.
    pub author: Option<&'a str>,
    /// Its date (last updated, else published).
    pub date: Option<&'a Date>,
    /// Its permalink.
    pub url: &'a str,
}

impl PageCitation<'_> {
    /// The page as a source, for the styles.
    fn source(&self) -> Source {
        Source {
            id: self.key.into(),
            title: self.title.to_string(),
            publisher: self.site.to_string(),
            authors: self.author.map(|a| vec![a.to_string()]).unwrap_or_default(),
            published: self
                .date
                .cloned()
                .unwrap_or_else(|| Date::parse("1970-01-01").expect("a date")),
            url: Some(self.url.to_string()),
            accessed: None,
            language: None,
            archive: None,
            archive_url: None,
            note: None,
            republishes: None,
            short: None,
            index: None,
            imported: None,
            archive_text: None,
            archive_raw: None,
        }
    }

    /// Its citation in the site's style (HTML): a CSL style's reference entry, or dossier's
    /// own "Author, “Title”, Site, date. URL".
    pub fn html(&self, style: &CitationStyle) -> String {
        use crate::html::escape;
        if style.is_csl() {
            let mut e = entry_of(&self.source());
            e = retype_as_web_page(e, self.site, self.date.is_some());
            if let Some(html) = style.entry_html(&e) {
                return html;
            }
        }
        let mut out = String::new();
        if let Some(a) = self.author {
            out.push_str(&format!("{}, ", escape(a)));
        }
        out.push_str(&format!(
            "“{}”, <i>{}</i>",
            escape(self.title),
            escape(self.site)
        ));
        if let Some(d) = self.date {
            out.push_str(&format!(", {}", escape(&d.display())));
        }
        out.push_str(&format!(". <a href=\"{0}\">{0}</a>", escape(self.url)));
        out
    }

    /// The page as a BibLaTeX `@online` entry.
    pub fn bibtex(&self) -> String {
        let mut e = biblatex::Entry::new(self.key.to_string(), biblatex::EntryType::Online);
        e.set("title", verbatim(self.title));
        if let Some(a) = self.author {
            e.set("author", vec![Spanned::detached(bib_name(a))]);
        }
        e.set("organization", verbatim(self.site));
        if let Some(d) = self.date {
            e.set("date", normal(&d.day.to_string()));
        }
        e.set("url", normal(self.url));
        e.to_biblatex_string()
    }
}

/// A page is a web page in a web site, not a newspaper article.
fn retype_as_web_page(e: hayagriva::Entry, site: &str, dated: bool) -> hayagriva::Entry {
    let mut w = hayagriva::Entry::new(e.key(), EntryType::Web);
    if let Some(t) = e.title() {
        w.set_title(t.clone());
    }
    if let Some(a) = e.authors() {
        w.set_authors(a.to_vec());
    }
    if dated && let Some(d) = e.date() {
        w.set_date(*d);
    }
    if let Some(u) = e.url() {
        w.set_url(u.clone());
    }
    let mut p = hayagriva::Entry::new(e.key(), EntryType::Web);
    p.set_title(hayagriva::types::FormatString::with_value(site));
    w.set_parents(vec![p]);
    w
}
