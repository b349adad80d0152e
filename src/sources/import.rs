//! Sources from the tools researchers keep them in: BibTeX/BibLaTeX (`.bib`, Zotero's and
//! Better BibTeX's exports), CSL-JSON (`.json`, Zotero's "CSL JSON") and Hayagriva YAML
//! (`.yaml`, `.yml`). Each file becomes hayagriva entries (all their fields, for citation
//! styles) and the fields of a dossier source; id = citation key. The parsers are the
//! crates' (biblatex, serde_json, hayagriva through dossier's YAML entry point), and their
//! errors are diagnostics at file:line:col.

use super::registry::{Fields, Imported, ImportedFile};
use crate::content::dates::Date;
use crate::diagnostics::{Diagnostic, Span, line_col};
use hayagriva::Entry;
use hayagriva::types::{
    EntryType, FormatString, MaybeTyped, Person, Publisher, QualifiedUrl, SerialNumber,
};
use serde::Deserialize;
use std::path::Path;

/// The formats a bibliography may be in, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.bib`: BibTeX or BibLaTeX.
    BibLaTeX,
    /// `.json`: CSL-JSON, a list of items.
    CslJson,
    /// `.yaml`, `.yml`: Hayagriva's YAML.
    Hayagriva,
}

/// The format of the file `name`, by its extension.
pub fn format_of(name: &str) -> Option<Format> {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())?;
    match ext.as_str() {
        "bib" | "bibtex" | "biblatex" => Some(Format::BibLaTeX),
        "json" => Some(Format::CslJson),
        "yaml" | "yml" => Some(Format::Hayagriva),
        _ => None,
    }
}

/// Every entry of the bibliography `file` (as site.yaml names it), whose text is `text`.
/// Entries with a mistake are left out, with a diagnostic.
pub fn import(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> ImportedFile {
    let mut read = Read::default();
    let entries = match format_of(file) {
        Some(Format::BibLaTeX) => bib(file, text, &mut read, diags),
        Some(Format::CslJson) => csl_json(file, text, &mut read, diags),
        Some(Format::Hayagriva) => hayagriva_yaml(file, text, &mut read, diags),
        None => {
            read.unreadable = true;
            diags.push(
                Diagnostic::error(
                    Span::file(file),
                    format!("`{file}` is not a bibliography dossier reads"),
                )
                .with_hint("list .bib (BibTeX/BibLaTeX), .json (CSL-JSON) or .yaml (Hayagriva) files under `sources:`"),
            );
            Vec::new()
        }
    };
    ImportedFile {
        file: file.to_string(),
        unreadable: read.unreadable,
        failed: read.failed,
        entries: entries
            .into_iter()
            .map(|(entry, span)| {
                let fields = fields_of(&entry);
                (
                    fields,
                    Imported {
                        file: file.to_string(),
                        entry,
                        span,
                    },
                )
            })
            .collect(),
    }
}

/// What went wrong while reading a file, for `ImportedFile`.
#[derive(Default)]
struct Read {
    unreadable: bool,
    failed: Vec<String>,
}

fn at(file: &str, text: &str, offset: usize) -> Span {
    let (line, col) = line_col(text, offset);
    Span::new(file, line, col)
}

/// A .bib file: biblatex parses it (with spans), hayagriva maps each entry.
fn bib(file: &str, text: &str, read: &mut Read, diags: &mut Vec<Diagnostic>) -> Vec<(Entry, Span)> {
    let bibliography = match biblatex::Bibliography::parse(text) {
        Ok(b) => b,
        Err(e) => {
            read.unreadable = true;
            diags.push(
                Diagnostic::error(at(file, text, e.span.start), format!("BibTeX: {}", e.kind))
                    .with_hint(bib_hint(&e.kind)),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for b in bibliography.iter() {
        // The entry starts at the `@` before its first field.
        let first = b
            .fields
            .values()
            .filter_map(|chunks| chunks.first().map(|c| c.span.start))
            .min();
        let start = match first {
            Some(f) => text[..f.min(text.len())].rfind('@').unwrap_or(f),
            None => text.find(&format!("{{{},", b.key)).unwrap_or(0),
        };
        match Entry::try_from(b) {
            Ok(entry) => out.push((entry, at(file, text, start))),
            Err(e) => {
                read.failed.push(b.key.clone());
                diags.push(
                Diagnostic::error(
                    at(file, text, e.span.start),
                    format!("BibTeX entry `{}`: {}", b.key, e.kind),
                )
                .with_hint("write dates as `date = {2022-09-27}` (or year, month and day), numbers as digits"),
            )
            }
        }
    }
    out
}

fn bib_hint(kind: &biblatex::ParseErrorKind) -> String {
    use biblatex::ParseErrorKind as K;
    match kind {
        K::UnexpectedEof => "an entry is not closed: check its braces".into(),
        K::Expected(biblatex::Token::Comma) => {
            "fields are separated by commas: is one missing at the end of the line before?".into()
        }
        K::DuplicateKey(k) => format!("two entries have the key `{k}`: rename one"),
        K::UnknownAbbreviation(a) => {
            format!("define `@string{{{a} = {{...}}}}` or put the value in braces")
        }
        _ => "entries look like @article{key, title = {...}, date = {2022-09-27}}".into(),
    }
}

/// A string or a number, as CSL-JSON writers differ.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum StrOrNum {
    Str(String),
    Num(serde_json::Number),
}

impl StrOrNum {
    fn text(&self) -> String {
        match self {
            StrOrNum::Str(s) => s.clone(),
            StrOrNum::Num(n) => n.to_string(),
        }
    }
}

/// A CSL-JSON name: a person's parts, or a literal name (an organisation).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct CslName {
    family: Option<String>,
    given: Option<String>,
    literal: Option<String>,
    #[serde(rename = "non-dropping-particle")]
    non_dropping_particle: Option<String>,
    #[serde(rename = "dropping-particle")]
    dropping_particle: Option<String>,
    suffix: Option<String>,
}

/// A CSL-JSON date: `date-parts` (as Zotero writes them), or `raw`/`literal` text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct CslDate {
    #[serde(rename = "date-parts")]
    date_parts: Vec<Vec<StrOrNum>>,
    raw: Option<String>,
    literal: Option<String>,
}

/// The CSL-JSON fields dossier reads; the others are ignored.
#[derive(Debug, Clone, Deserialize)]
struct CslItem {
    id: StrOrNum,
    #[serde(rename = "citation-key")]
    citation_key: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    title: Option<String>,
    #[serde(default)]
    author: Vec<CslName>,
    #[serde(default)]
    editor: Vec<CslName>,
    issued: Option<CslDate>,
    accessed: Option<CslDate>,
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "DOI")]
    doi: Option<String>,
    #[serde(rename = "ISBN")]
    isbn: Option<String>,
    #[serde(rename = "ISSN")]
    issn: Option<String>,
    publisher: Option<String>,
    #[serde(rename = "publisher-place")]
    publisher_place: Option<String>,
    #[serde(rename = "container-title")]
    container_title: Option<String>,
    volume: Option<StrOrNum>,
    issue: Option<StrOrNum>,
    page: Option<StrOrNum>,
    language: Option<String>,
    note: Option<String>,
    #[serde(rename = "abstract")]
    abstract_: Option<String>,
    genre: Option<String>,
}

/// A CSL-JSON file: a list of items (or `{"items": [...]}`), each parsed on its own so that
/// one item's mistake is placed in the file and the others still count.
fn csl_json(
    file: &str,
    text: &str,
    read: &mut Read,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Entry, Span)> {
    #[derive(Deserialize)]
    struct Wrapped<'a> {
        #[serde(borrow)]
        items: Vec<&'a serde_json::value::RawValue>,
    }
    let json_error = |e: &serde_json::Error, base: usize| {
        // serde_json counts lines and byte columns within what it was given.
        let within = &text[base..];
        let line_start: usize = within
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum();
        at(file, text, base + line_start + e.column().saturating_sub(1))
    };
    type List<'a> = Vec<&'a serde_json::value::RawValue>;
    let parsed = serde_json::from_str::<List>(text).or_else(|e| {
        serde_json::from_str::<Wrapped>(text)
            .map(|w| w.items)
            .map_err(|_| e)
    });
    let items = match parsed {
        Ok(items) => items,
        Err(e) => {
            read.unreadable = true;
            let (span, message) = match serde_json::from_str::<serde_json::Value>(text) {
                Err(e) => (json_error(&e, 0), format!("CSL-JSON: {e}")),
                Ok(_) => (
                    Span::file(file),
                    "CSL-JSON: not a list of items".to_string(),
                ),
            };
            let _ = e;
            diags.push(Diagnostic::error(span, strip_position(&message)).with_hint(
                "CSL-JSON is a list of items, [{\"id\": \"key\", \"type\": \"article-newspaper\", \"title\": \"...\"}]",
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for raw in items {
        let base = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        match serde_json::from_str::<CslItem>(raw.get()) {
            Ok(item) => out.push((csl_entry(&item), at(file, text, base))),
            Err(e) => {
                // Its citations are not reported again: the item's key, if it has one.
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.get()) {
                    for k in ["citation-key", "id"] {
                        if let Some(id) = v.get(k).and_then(|x| x.as_str()) {
                            read.failed.push(id.to_string());
                        }
                    }
                }
                diags.push(
                Diagnostic::error(json_error(&e, base), strip_position(&format!("CSL-JSON item: {e}")))
                    .with_hint("see the CSL-JSON schema: names are {\"family\", \"given\"} or {\"literal\"}, dates {\"date-parts\": [[2022, 9, 27]]}"),
            )
            }
        }
    }
    out
}

/// serde_json's message without its " at line L column C": the diagnostic has the position.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn person(n: &CslName) -> Option<Person> {
    if let Some(l) = &n.literal {
        return Some(literal_person(l));
    }
    let family = n.family.as_deref()?;
    Some(Person {
        name: family.to_string(),
        given_name: n.given.clone(),
        prefix: n
            .non_dropping_particle
            .clone()
            .or_else(|| n.dropping_particle.clone()),
        suffix: n.suffix.clone(),
        alias: None,
        comma_suffix: false,
    })
}

/// A name kept as written (an organisation, "News Agencies").
pub fn literal_person(name: &str) -> Person {
    Person {
        name: name.to_string(),
        given_name: None,
        prefix: None,
        suffix: None,
        alias: None,
        comma_suffix: false,
    }
}

fn csl_date(d: &CslDate) -> Option<hayagriva::types::Date> {
    if let Some(parts) = d.date_parts.first() {
        let num = |i: usize| -> Option<i64> { parts.get(i)?.text().trim().parse().ok() };
        let year = num(0)? as i32;
        let month = num(1).and_then(|m| u8::try_from(m - 1).ok());
        let day = num(2).and_then(|m| u8::try_from(m - 1).ok());
        return Some(hayagriva::types::Date {
            year,
            month,
            day: month.and(day),
            approximate: false,
            season: None,
        });
    }
    d.raw.as_deref().or(d.literal.as_deref())?.parse().ok()
}

/// A CSL-JSON item as a hayagriva entry (the mapping of hayagriva's own CSL support).
fn csl_entry(item: &CslItem) -> Entry {
    let key = item.citation_key.clone().unwrap_or_else(|| item.id.text());
    let kind = item.kind.as_deref().unwrap_or("");
    let (own, parent) = match kind {
        "article-newspaper" => (EntryType::Article, Some(EntryType::Newspaper)),
        "article-journal" | "article-magazine" | "article" | "review" | "review-book" => {
            (EntryType::Article, Some(EntryType::Periodical))
        }
        "post-weblog" => (EntryType::Article, Some(EntryType::Blog)),
        "webpage" | "post" => (EntryType::Web, Some(EntryType::Web)),
        "paper-conference" => (EntryType::Article, Some(EntryType::Proceedings)),
        "chapter" => (EntryType::Chapter, Some(EntryType::Book)),
        "entry-encyclopedia" | "entry-dictionary" | "entry" => {
            (EntryType::Entry, Some(EntryType::Reference))
        }
        "book" => (EntryType::Book, None),
        "report" => (EntryType::Report, None),
        "thesis" => (EntryType::Thesis, None),
        "dataset" | "software" => (EntryType::Repository, None),
        "broadcast" | "motion_picture" => (EntryType::Video, None),
        "song" => (EntryType::Audio, None),
        "legislation" | "bill" | "regulation" => (EntryType::Legislation, None),
        "legal_case" => (EntryType::Case, None),
        "patent" => (EntryType::Patent, None),
        "manuscript" => (EntryType::Manuscript, None),
        _ => (EntryType::Misc, None),
    };
    let mut e = Entry::new(&key, own);
    let text = |s: &str| FormatString::with_value(s);
    if let Some(t) = &item.title {
        e.set_title(text(t));
    }
    let authors: Vec<Person> = item.author.iter().filter_map(person).collect();
    if !authors.is_empty() {
        e.set_authors(authors);
    }
    let editors: Vec<Person> = item.editor.iter().filter_map(person).collect();
    if !editors.is_empty() {
        e.set_editors(editors);
    }
    if let Some(d) = item.issued.as_ref().and_then(csl_date) {
        e.set_date(d);
    }
    if let Some(u) = item.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        e.set_url(QualifiedUrl::new(
            u,
            item.accessed.as_ref().and_then(csl_date),
        ));
    }
    let mut serial = std::collections::BTreeMap::new();
    for (k, v) in [
        ("doi", &item.doi),
        ("isbn", &item.isbn),
        ("issn", &item.issn),
    ] {
        if let Some(v) = v {
            serial.insert(k.to_string(), v.clone());
        }
    }
    if !serial.is_empty() {
        e.set_serial_number(SerialNumber(serial));
    }
    if item.publisher.is_some() || item.publisher_place.is_some() {
        e.set_publisher(Publisher::new(
            item.publisher.as_deref().map(text),
            item.publisher_place.as_deref().map(text),
        ));
    }
    if let Some(v) = &item.volume {
        e.set_volume(infallible(&v.text()));
    }
    if let Some(v) = &item.issue {
        e.set_issue(infallible(&v.text()));
    }
    if let Some(p) = &item.page {
        e.set_page_range(infallible(&p.text()));
    }
    if let Some(l) = item.language.as_deref().and_then(|l| l.parse().ok()) {
        e.set_language(l);
    }
    if let Some(n) = &item.note {
        e.set_note(text(n));
    }
    if let Some(a) = &item.abstract_ {
        e.set_abstract_(text(a));
    }
    if let Some(g) = &item.genre {
        e.set_genre(text(g));
    }
    match (parent, &item.container_title) {
        (Some(kind), Some(c)) => {
            let mut p = Entry::new(&key, kind);
            p.set_title(text(c));
            e.set_parents(vec![p]);
        }
        (None, Some(c)) => {
            let mut p = Entry::new(&key, EntryType::Misc);
            p.set_title(text(c));
            e.set_parents(vec![p]);
        }
        _ => {}
    }
    e
}

fn infallible<T: std::str::FromStr>(s: &str) -> MaybeTyped<T> {
    match s.parse::<T>() {
        Ok(t) => MaybeTyped::Typed(t),
        Err(_) => MaybeTyped::String(s.to_string()),
    }
}

/// A Hayagriva YAML file, read through dossier's YAML entry point (its messages, limits
/// and positions), each entry placed at its key.
fn hayagriva_yaml(
    file: &str,
    text: &str,
    read: &mut Read,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Entry, Span)> {
    let library: hayagriva::Library = match crate::yaml::parse(text, Path::new(file), 1) {
        Ok(l) => l,
        Err(mut d) => {
            read.unreadable = true;
            if d.hint.is_none() {
                d.hint = Some("entries look like `key: {type: Article, title: ..., date: 2022-09-27, parent: {type: Newspaper, title: ...}}` (see hayagriva's file format)".into());
            }
            diags.push(d);
            return Vec::new();
        }
    };
    let positions = crate::yaml::Positions::of(text.strip_prefix('\u{feff}').unwrap_or(text));
    library
        .into_iter()
        .map(|e| {
            let span = positions.span(Path::new(file), 1, e.key(), true);
            (e, span)
        })
        .collect()
}

/// A person's name as dossier shows it: "Family, Given" (as sources.yaml writes a person,
/// and as BibTeX does), or an organisation as written.
pub fn display_name(p: &Person) -> String {
    if p.given_name.is_some() {
        p.name_first(false, false)
    } else {
        p.name.clone()
    }
}

/// The dossier fields of an imported entry. The publisher is where readers would look for
/// the article (the newspaper, journal or site it appeared in), then its publisher or
/// organisation.
pub fn fields_of(e: &Entry) -> Fields {
    let s = |f: &FormatString| f.value.to_string();
    let day = |d: &hayagriva::types::Date| -> Option<Date> {
        Date::parse(&format!(
            "{:04}-{:02}-{:02}",
            d.year,
            d.month? + 1,
            d.day? + 1
        ))
    };
    let publisher = e
        .parents()
        .iter()
        .find_map(|p| p.title().map(s))
        .or_else(|| e.publisher().and_then(|p| p.name()).map(s))
        .or_else(|| e.organization().map(s));
    let coarse = e
        .date()
        .filter(|d| day(d).is_none())
        .map(|d| match d.month {
            Some(m) => format!("{:04}-{:02}", d.year, m + 1),
            None => format!("{:04}", d.year),
        });
    Fields {
        id: e.key().into(),
        title: e.title().map(s),
        publisher,
        authors: e
            .authors()
            .map(|a| a.iter().map(display_name).collect())
            .filter(|a: &Vec<String>| !a.is_empty()),
        published: e.date().and_then(day),
        url: e.url().map(|u| u.value.to_string()),
        accessed: e.url().and_then(|u| u.visit_date.as_ref()).and_then(day),
        language: e.language().map(|l| l.to_string()),
        note: e.note().map(s),
        coarse_date: coarse,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(format_of("refs/zotero.BIB"), Some(Format::BibLaTeX));
        assert_eq!(format_of("refs.json"), Some(Format::CslJson));
        assert_eq!(format_of("refs.yml"), Some(Format::Hayagriva));
        assert_eq!(format_of("refs.ris"), None);
    }

    #[test]
    fn bib_entries_map_to_fields() {
        let mut d = Vec::new();
        let f = import(
            "refs.bib",
            "@article{ap,\n  title = {Over 194,000 Russians flee},\n  journaltitle = {The Associated Press},\n  author = {Megrelidze, Sophiko},\n  date = {2022-09-27},\n  url = {https://apnews.com/x},\n  urldate = {2022-10-01},\n}\n",
            &mut d,
        );
        assert!(d.is_empty(), "{d:?}");
        let (fields, origin) = &f.entries[0];
        assert_eq!(fields.id.as_str(), "ap");
        assert_eq!(fields.title.as_deref(), Some("Over 194,000 Russians flee"));
        assert_eq!(fields.publisher.as_deref(), Some("The Associated Press"));
        assert_eq!(
            fields.authors.as_deref(),
            Some(&["Megrelidze, Sophiko".to_string()][..])
        );
        assert_eq!(
            fields.published.as_ref().map(|d| d.iso.as_str()),
            Some("2022-09-27")
        );
        assert_eq!(
            fields.accessed.as_ref().map(|d| d.iso.as_str()),
            Some("2022-10-01")
        );
        assert_eq!((origin.span.line, origin.span.col), (1, 1));
    }

    #[test]
    fn a_year_alone_is_a_coarse_date() {
        let mut d = Vec::new();
        let f = import(
            "r.json",
            r#"[{"id": "x", "title": "T", "issued": {"date-parts": [[2022]]}}]"#,
            &mut d,
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(f.entries[0].0.published.is_none());
        assert_eq!(f.entries[0].0.coarse_date.as_deref(), Some("2022"));
    }

    #[test]
    fn a_csl_item_with_a_mistake_is_placed() {
        let mut d = Vec::new();
        let f = import(
            "r.json",
            "[\n  {\"id\": \"a\", \"title\": \"A\"},\n  {\"id\": \"b\",\n   \"author\": \"Kwan\"}\n]\n",
            &mut d,
        );
        assert_eq!(f.entries.len(), 1);
        assert_eq!((d[0].span.line, d[0].span.col), (4, 19), "{d:?}");
    }
}
