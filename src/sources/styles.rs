//! Citation styles: dossier's own numeric `[1]`, or a CSL style (one of those hayagriva
//! bundles, or a `.csl` file) for the reference lists, /sources/, the in-text citations
//! (author-date where the style is, numbers in the page's order otherwise) and "Cite this
//! page". Every source becomes a hayagriva entry: an imported one as its bibliography has
//! it, one of sources.yaml as a news article in its publisher.

use super::import::literal_person;
use super::registry::{Registry, Source};
use crate::content::ids::SourceId;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{
    CitationFormat, Display, FontStyle, FontVariant, FontWeight, IndependentStyle, Locale,
    LocaleCode, Style, StyleCategory, StyleClass, TextDecoration, VerticalAlign,
};
use hayagriva::types::{EntryType, FormatString, Person, QualifiedUrl};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, ElemMeta, Entry, LocatorPayload, SpecificLocator,
};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;

/// The value of `citation_style:` that means dossier's own numeric style.
pub const NUMERIC: &str = "numeric";

/// How in-text citations look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Numbers in the order a page first cites its sources (`[1]`): dossier's style and
    /// every numeric CSL style.
    Numeric,
    /// Author and year (`(Megrelidze, 2022)`).
    AuthorDate,
    /// A label (`[Meg22]`).
    Label,
    /// A note style: the text cites by the page's numbers; the reference list has the
    /// style's entries.
    Note,
}

impl Kind {
    /// Its name for templates: `numeric`, `author-date`, `label`, `note`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::AuthorDate => "author-date",
            Kind::Label => "label",
            Kind::Note => "note",
        }
    }
}

/// The site's citation style.
pub struct CitationStyle {
    /// As site.yaml names it (`numeric`, `apa`, `styles/house.csl`).
    pub name: String,
    /// The style's title (`APA Style 7th edition`), or "Numeric" for dossier's own.
    pub title: String,
    /// How in-text citations look.
    pub kind: Kind,
    csl: Option<Csl>,
}

struct Csl {
    style: IndependentStyle,
    locales: Vec<Locale>,
    locale: Option<LocaleCode>,
    /// Every source's entry, and its place in `entries` by id.
    entries: Vec<Entry>,
    index: HashMap<SourceId, usize>,
    /// Each source's reference-list entry (HTML) and its place in the style's order.
    references: HashMap<SourceId, (String, usize)>,
    /// In-text citations already rendered (pages cite the same sources again and again).
    memo: Mutex<HashMap<String, String>>,
    /// The style's own text (a `.csl` file's), for the fingerprint.
    text: String,
}

impl std::fmt::Debug for CitationStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CitationStyle({})", self.name)
    }
}

impl std::hash::Hash for CitationStyle {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        if let Some(c) = &self.csl {
            c.text.hash(state);
        }
    }
}

impl Default for CitationStyle {
    fn default() -> CitationStyle {
        CitationStyle::numeric()
    }
}

/// One item of an in-text citation: the source, its locator, its number on the page.
#[derive(Debug, Clone)]
pub struct CiteRef<'a> {
    /// The source.
    pub id: &'a str,
    /// `p. 4`, `para. 3`, as the author wrote it.
    pub locator: Option<&'a str>,
    /// Its number in the page's reference list.
    pub number: usize,
    /// `[-@id]`: the year without the author (CSL's "year" form).
    pub suppress_author: bool,
    /// `@id` in the sentence: the author's name and the rest in brackets (CSL's "prose").
    pub in_text: bool,
}

impl CitationStyle {
    /// dossier's own numeric style.
    pub fn numeric() -> CitationStyle {
        CitationStyle {
            name: NUMERIC.into(),
            title: "Numeric".into(),
            kind: Kind::Numeric,
            csl: None,
        }
    }

    /// The style site.yaml names (`config_text` is site.yaml's, for positions), ready for
    /// `registry`'s sources; a style that cannot be had is an error and dossier's own is used.
    pub fn load(
        name: &str,
        root: &Path,
        config_text: &str,
        language: &str,
        registry: &Registry,
        diags: &mut Vec<Diagnostic>,
    ) -> CitationStyle {
        if name == NUMERIC {
            return CitationStyle::numeric();
        }
        let span = || {
            crate::yaml::span_of(
                Path::new(crate::config::CONFIG_FILE),
                config_text,
                1,
                "citation_style",
                false,
            )
        };
        let (style, text) = match find_style(name, root) {
            Ok(s) => s,
            Err((message, hint)) => {
                diags.push(Diagnostic::error(span(), message).with_hint(hint));
                return CitationStyle::numeric();
            }
        };
        let format = style.info.category.iter().find_map(|c| match c {
            StyleCategory::CitationFormat { format } => Some(*format),
            _ => None,
        });
        let kind = match (style.settings.class, format) {
            (StyleClass::Note, _) | (_, Some(CitationFormat::Note)) => Kind::Note,
            (_, Some(CitationFormat::AuthorDate | CitationFormat::Author)) => Kind::AuthorDate,
            (_, Some(CitationFormat::Label)) => Kind::Label,
            _ => Kind::Numeric,
        };
        let entries: Vec<Entry> = registry.sources.values().map(entry_of).collect();
        let index = registry
            .sources
            .keys()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let mut csl = Csl {
            style,
            locales: hayagriva::archive::locales(),
            locale: Some(LocaleCode(language.to_string())),
            entries,
            index,
            references: HashMap::new(),
            memo: Mutex::new(HashMap::new()),
            text,
        };
        csl.references = csl.render_references();
        CitationStyle {
            name: name.to_string(),
            title: csl.style.info.title.value.clone(),
            kind,
            csl: Some(csl),
        }
    }

    /// Whether this is a CSL style (not dossier's own).
    pub fn is_csl(&self) -> bool {
        self.csl.is_some()
    }

    /// A source's reference-list entry in the style (HTML), and its place in the style's
    /// order of the whole list; none for dossier's own style.
    pub fn reference(&self, id: &str) -> Option<(&str, usize)> {
        let (html, order) = self.csl.as_ref()?.references.get(id)?;
        Some((html.as_str(), *order))
    }

    /// An in-text citation of `items`, on a page whose reference list so far is `page`
    /// (ids in the order of their numbers), each item linked to its reference-list entry;
    /// none for dossier's own style and for note styles (whose text cites by numbers).
    pub fn cite_html(
        &self,
        page: &[&str],
        items: &[CiteRef],
        title: &dyn Fn(&str) -> String,
    ) -> Option<String> {
        let csl = self.csl.as_ref()?;
        if self.kind == Kind::Note {
            return None;
        }
        let mut key = String::new();
        if self.kind == Kind::Numeric {
            // The numbers depend on the page's order; names and years do not.
            for id in page {
                let _ = write!(key, "{id}\u{1}");
            }
        }
        key.push('\u{2}');
        for it in items {
            let _ = write!(
                key,
                "{}\u{1}{}\u{1}{}\u{1}{}{}\u{2}",
                it.id,
                it.locator.unwrap_or(""),
                it.number,
                u8::from(it.suppress_author),
                u8::from(it.in_text)
            );
        }
        if let Some(hit) = csl.memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Some(hit.clone());
        }
        let html = csl.cite(page, items, title)?;
        csl.memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, html.clone());
        Some(html)
    }

    /// The reference-list entry (HTML) of `entry` alone, in this style; none for dossier's
    /// own style.
    pub fn entry_html(&self, entry: &Entry) -> Option<String> {
        let csl = self.csl.as_ref()?;
        let mut driver = BibliographyDriver::new();
        driver.citation(csl.request(vec![CitationItem::with_entry(entry)]));
        let rendered = driver.finish(csl.bibliography_request());
        let item = rendered.bibliography?.items.into_iter().next()?;
        Some(html_of(&item.content, &|_| None))
    }
}

impl Csl {
    fn request<'a>(&'a self, items: Vec<CitationItem<'a, Entry>>) -> CitationRequest<'a, Entry> {
        CitationRequest::new(items, &self.style, self.locale.clone(), &self.locales, None)
    }

    fn bibliography_request(&self) -> BibliographyRequest<'_> {
        BibliographyRequest::new(&self.style, self.locale.clone(), &self.locales)
    }

    /// Every source's reference-list entry, in one run of the style: disambiguation (a
    /// year's `a` and `b`) is the same on every page and on /sources/.
    fn render_references(&self) -> HashMap<SourceId, (String, usize)> {
        let mut driver = BibliographyDriver::new();
        for e in &self.entries {
            driver.citation(self.request(vec![CitationItem::with_entry(e)]));
        }
        let rendered = driver.finish(self.bibliography_request());
        let mut out = HashMap::new();
        // A style without a bibliography (hayagriva's `alphanumeric`) leaves reference lists
        // to dossier's own entries.
        let Some(bib) = rendered.bibliography else {
            return out;
        };
        for (order, item) in bib.items.into_iter().enumerate() {
            // Numbers are the page's, given by the list itself; other first fields (a
            // label) belong to the entry.
            let mut html = String::new();
            if let Some(first) = &item.first_field
                && !is_citation_number(first)
            {
                html.push_str(&html_of(&ElemChildren(vec![first.clone()]), &|_| None));
                html.push(' ');
            }
            html.push_str(&html_of(&item.content, &|_| None));
            out.insert(item.key.as_str().into(), (html.trim().to_string(), order));
        }
        out
    }

    fn cite(
        &self,
        page: &[&str],
        items: &[CiteRef],
        title: &dyn Fn(&str) -> String,
    ) -> Option<String> {
        let mut driver = BibliographyDriver::new();
        let entry = |id: &str| self.index.get(id).map(|&i| &self.entries[i]);
        // The page's sources first, in its order, so that a numeric style numbers them as
        // the page does; then every other source, so that names and years are told apart
        // as they are in the reference lists.
        let mut primed: Vec<&str> = page.to_vec();
        if self.style.settings.class != StyleClass::Note {
            for id in self.index.keys() {
                if !page.contains(&id.as_str()) {
                    primed.push(id);
                }
            }
        }
        for id in &primed {
            if let Some(e) = entry(id) {
                driver.citation(self.request(vec![CitationItem::with_entry(e)]));
            }
        }
        let mut cited = Vec::new();
        for it in items {
            let e = entry(it.id)?;
            let locator = it.locator.map(|l| {
                let (kind, rest) = locator_kind(l);
                SpecificLocator(kind, LocatorPayload::Str(rest))
            });
            let item = CitationItem::with_locator(e, locator);
            cited.push(if it.in_text {
                item.kind(hayagriva::CitePurpose::Prose)
            } else if it.suppress_author {
                item.kind(hayagriva::CitePurpose::Year)
            } else {
                item
            });
        }
        driver.citation(self.request(cited));
        let rendered = driver.finish(self.bibliography_request());
        let last = rendered.citations.last()?;
        let link = |i: usize| -> Option<(String, String)> {
            let it = items.get(i)?;
            Some((format!("#ref-{}", it.number), title(it.id)))
        };
        let mut html = html_of(&last.citation, &link);
        // hayagriva's year form drops the brackets an author-date style puts around it.
        if self.style.settings.class == StyleClass::InText
            && items.len() == 1
            && items[0].suppress_author
            && !html.starts_with('(')
        {
            html = format!("({html})");
        }
        Some(format!(
            "<span class=\"cite cite-{}\">{}</span>",
            match self.style.settings.class {
                StyleClass::Note => "note",
                StyleClass::InText => "in-text",
            },
            html
        ))
    }
}

/// A locator as written (`p. 4`, `para. 3`, `§ 2`) as CSL's kind and the rest; anything
/// else is kept as written.
fn locator_kind(l: &str) -> (Locator, &str) {
    let lower = l.to_lowercase();
    for (prefixes, kind) in [
        (&["pp.", "p.", "page", "pages"][..], Locator::Page),
        (
            &["paras.", "para.", "paragraph", "¶"][..],
            Locator::Paragraph,
        ),
        (&["ch.", "chap.", "chapter"][..], Locator::Chapter),
        (&["sec.", "section", "§"][..], Locator::Section),
        (&["fig.", "figure"][..], Locator::Figure),
        (&["l.", "ll.", "line"][..], Locator::Line),
        (&["vol.", "volume"][..], Locator::Volume),
        (&["tbl.", "table"][..], Locator::Table),
    ] {
        for p in prefixes {
            if lower.starts_with(p) {
                let rest = l[p.len()..].trim_start();
                if !rest.is_empty()
                    && rest.starts_with(|c: char| c.is_ascii_digit() || c.is_alphanumeric())
                {
                    return (kind, rest);
                }
            }
        }
    }
    (Locator::Custom, l)
}

fn is_citation_number(e: &ElemChild) -> bool {
    match e {
        ElemChild::Elem(el) => {
            matches!(el.meta, Some(ElemMeta::CitationNumber))
                || el.children.0.iter().any(is_citation_number)
        }
        _ => false,
    }
}

/// Rendered CSL as HTML: text escaped, formatting as elements (no inline styles), each
/// part that cites item `i` linked where `link(i)` gives (href, title).
fn html_of(children: &ElemChildren, link: &dyn Fn(usize) -> Option<(String, String)>) -> String {
    let mut out = String::new();
    for c in &children.0 {
        write_child(&mut out, c, link);
    }
    out
}

fn write_child(out: &mut String, c: &ElemChild, link: &dyn Fn(usize) -> Option<(String, String)>) {
    use crate::html::escape;
    match c {
        ElemChild::Text(t) => {
            let f = &t.formatting;
            let mut close = Vec::new();
            let mut open = |tag: &'static str, attrs: &str| {
                let _ = write!(out, "<{tag}{attrs}>");
                close.push(tag);
            };
            if f.font_style == FontStyle::Italic {
                open("i", "");
            }
            if f.font_weight == FontWeight::Bold {
                open("b", "");
            }
            if f.font_variant == FontVariant::SmallCaps {
                open("span", " class=\"small-caps\"");
            }
            if f.text_decoration == TextDecoration::Underline {
                open("u", "");
            }
            match f.vertical_align {
                VerticalAlign::Sup => open("sup", ""),
                VerticalAlign::Sub => open("sub", ""),
                _ => {}
            }
            out.push_str(&escape(&t.text));
            for tag in close.iter().rev() {
                let _ = write!(out, "</{tag}>");
            }
        }
        ElemChild::Elem(e) => {
            let div = e.display.map(|d| match d {
                Display::Block => "csl-block",
                Display::LeftMargin => "csl-left-margin",
                Display::RightInline => "csl-right-inline",
                Display::Indent => "csl-indent",
            });
            if let Some(class) = div {
                let _ = write!(out, "<span class=\"{class}\">");
            }
            let target = match e.meta {
                Some(ElemMeta::Entry(i)) => link(i),
                _ => None,
            };
            if let Some((href, title)) = &target {
                let _ = write!(
                    out,
                    "<a href=\"{}\" title=\"{}\">",
                    escape(href),
                    escape(title)
                );
            }
            for ch in &e.children.0 {
                write_child(out, ch, link);
            }
            if target.is_some() {
                out.push_str("</a>");
            }
            if div.is_some() {
                out.push_str("</span>");
            }
        }
        ElemChild::Markup(m) => out.push_str(&escape(m)),
        ElemChild::Link { text, url } => {
            let _ = write!(
                out,
                "<a href=\"{}\" rel=\"external noopener\">{}</a>",
                escape(url),
                escape(&text.text)
            );
        }
        ElemChild::Transparent { .. } => {}
    }
}

/// The style `name` names: a bundled one (`apa`), or a `.csl` file relative to `root` (a
/// dependent style's parent must be bundled). The error is a message and a hint.
fn find_style(name: &str, root: &Path) -> Result<(IndependentStyle, String), (String, String)> {
    use hayagriva::archive::ArchivedStyle;
    let independent = |style: Style, text: String| match style {
        Style::Independent(s) => Ok((s, text)),
        Style::Dependent(d) => {
            let parent = d
                .info
                .link
                .iter()
                .find(|l| l.rel == hayagriva::citationberg::InfoLinkRel::IndependentParent)
                .map(|l| l.href.clone())
                .unwrap_or_default();
            match ArchivedStyle::by_id(&parent).map(ArchivedStyle::get) {
                Some(Style::Independent(s)) => Ok((s, text)),
                _ => Err((
                    format!(
                        "citation style `{name}` depends on `{parent}`, which dossier does not bundle"
                    ),
                    "use the independent parent style's .csl file instead".to_string(),
                )),
            }
        }
    };
    if name.ends_with(".csl") {
        let path = root.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            (
                format!("cannot read citation style `{name}`: {e}"),
                "give the path of a .csl file, relative to the site folder, or a bundled style such as `apa`".to_string(),
            )
        })?;
        let style = Style::from_xml(&text).map_err(|e| {
            (
                format!("citation style `{name}` is not a CSL style: {e}"),
                "check the file against the CSL 1.0.2 schema (styles from the Zotero Style Repository are)".to_string(),
            )
        })?;
        return independent(style, text);
    }
    match ArchivedStyle::by_name(name) {
        Some(s) => independent(s.get(), String::new()),
        None => {
            let names: Vec<&str> = ArchivedStyle::all()
                .iter()
                .flat_map(|s| s.names().iter().copied())
                .collect();
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Or `numeric`, or the path of a .csl file"),
                None => "use `numeric`, a bundled style (`apa`, `chicago-author-date`, `ieee`, `harvard-cite-them-right`, `vancouver`, ...) or the path of a .csl file".to_string(),
            };
            Err((format!("unknown citation style `{name}`"), hint))
        }
    }
}

/// A source as a hayagriva entry: an imported one as its bibliography has it, completed by
/// sources.yaml; one of sources.yaml as an article in its publisher (a newspaper).
pub fn entry_of(s: &Source) -> Entry {
    let mut e = match &s.imported {
        Some(i) => i.entry.clone(),
        None => Entry::new(&s.id, EntryType::Article),
    };
    if e.title().is_none() {
        e.set_title(FormatString::with_value(&s.title));
    }
    if e.authors().is_none() && !s.authors.is_empty() {
        e.set_authors(s.authors.iter().map(|a| person(a)).collect());
    }
    if e.date().is_none() {
        e.set_date(date(&s.published));
    }
    if e.url().is_none()
        && let Some(u) = s.url.as_deref().and_then(|u| url::Url::parse(u).ok())
    {
        e.set_url(QualifiedUrl::new(u, s.accessed.as_ref().map(date)));
    }
    if e.language().is_none()
        && let Some(l) = s.language.as_deref().and_then(|l| l.parse().ok())
    {
        e.set_language(l);
    }
    if e.parents().is_empty() && e.publisher().is_none() && e.organization().is_none() {
        let mut p = Entry::new(&s.id, EntryType::Newspaper);
        p.set_title(FormatString::with_value(&s.publisher));
        e.set_parents(vec![p]);
    }
    e
}

/// An author as written in sources.yaml: `Family, Given` is a person whose name styles may
/// abbreviate; anything else is a name kept as written (an agency, "News Agencies").
pub fn person(written: &str) -> Person {
    match written.split_once(',') {
        Some((family, given)) if !family.trim().is_empty() && !given.trim().is_empty() => {
            Person::from_strings(vec![family.trim(), given.trim()])
                .unwrap_or_else(|_| literal_person(written))
        }
        _ => literal_person(written.trim()),
    }
}

/// A dossier date as hayagriva's (months and days count from 0 there).
pub fn date(d: &crate::content::dates::Date) -> hayagriva::types::Date {
    let day = d.day;
    hayagriva::types::Date {
        year: i32::from(day.year()),
        month: u8::try_from(day.month() - 1).ok(),
        day: u8::try_from(day.day() - 1).ok(),
        approximate: false,
        season: None,
    }
}

/// Where site.yaml sets the style, for diagnostics.
pub fn style_span(config_text: &str) -> Span {
    crate::yaml::span_of(
        Path::new(crate::config::CONFIG_FILE),
        config_text,
        1,
        "citation_style",
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators_as_csl_kinds() {
        assert_eq!(locator_kind("p. 4"), (Locator::Page, "4"));
        assert_eq!(locator_kind("para. 12"), (Locator::Paragraph, "12"));
        assert_eq!(
            locator_kind("the third photo"),
            (Locator::Custom, "the third photo")
        );
    }

    #[test]
    fn authors_with_a_comma_are_people() {
        let p = person("Megrelidze, Sophiko");
        assert_eq!(
            (p.name.as_str(), p.given_name.as_deref()),
            ("Megrelidze", Some("Sophiko"))
        );
        let org = person("News Agencies");
        assert_eq!((org.name.as_str(), org.given_name), ("News Agencies", None));
    }
}
