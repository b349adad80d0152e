//! Markdown to HTML as a rewrite of pulldown-cmark's event stream: heading anchors and the
//! table of contents, `@/` internal links, syntax highlighting, citations and shortcodes.
//!
//! Citations (`[@id]`) and shortcodes (`{{ name(k="v") }}`) are found in the raw text
//! outside code, replaced by private-use placeholders that Markdown leaves alone (smart
//! punctuation would otherwise curl the quotes of shortcode arguments), and swapped for
//! their HTML in the event stream. That keeps exact line:col positions for errors.

use crate::diagnostics::{Diagnostic, LineIndex, Span, did_you_mean};
use crate::html::escape;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;

pub static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
pub const HIGHLIGHT_CLASS_PREFIX: &str = "hl-";

const PH_OPEN: char = '\u{E000}';
const PH_CLOSE: char = '\u{E001}';

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// One inline citation item: `@id` with an optional locator.
#[derive(Debug, Clone, PartialEq)]
pub struct CiteItem {
    pub id: String,
    pub locator: Option<String>,
    pub span: Span,
}

/// A parsed shortcode call.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortcode {
    pub name: String,
    pub args: serde_json::Map<String, serde_json::Value>,
    pub span: Span,
    /// The call did not parse (reported already): it renders as nothing.
    pub malformed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Cite(Vec<CiteItem>),
    Shortcode(Shortcode),
}

/// Why a content path names nothing that is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A page with `draft: true` (and no `--drafts`).
    Draft,
    /// A page whose front matter has an error, reported at the page: a link to it is not
    /// reported again.
    Broken,
    /// Nothing by that path.
    Unknown,
}

/// Heading ids that a page's generated ids avoid: the theme's own (`main`, `references`)
/// and the prefixes of the ids dossier and the theme generate (`ref-`, `fig-`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReservedIds {
    pub exact: std::collections::BTreeSet<String>,
    pub prefixes: Vec<String>,
}

impl ReservedIds {
    fn taken(&self, id: &str) -> bool {
        self.exact.contains(id)
    }

    fn prefixed(&self, id: &str) -> bool {
        self.prefixes.iter().any(|p| id.starts_with(p.as_str()))
    }
}

/// What the page's surroundings provide while rendering its Markdown.
pub trait Env: Sync {
    /// URL of a content file (`stories/routes.md`, a section's folder `stories/`, an asset
    /// `stories/map.png`), or None.
    fn resolve(&self, path: &str) -> Option<String>;
    /// Why `path` does not resolve.
    fn missing(&self, _path: &str) -> Missing {
        Missing::Unknown
    }
    /// All content paths, for "did you mean".
    fn known_paths(&self) -> Vec<&str>;
    /// Ids generated headings must not take.
    fn reserved_ids(&self) -> Option<&ReservedIds> {
        None
    }
    /// HTML of a citation group; `refs` assigns reference numbers.
    fn cite(
        &self,
        items: &[CiteItem],
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> String;
    /// HTML of a shortcode (built-in or from the theme); block shortcodes may return block HTML.
    fn shortcode(
        &self,
        sc: &Shortcode,
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> String;
}

/// A page's numbered reference list, in order of first citation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct References {
    pub entries: Vec<(String, Vec<String>)>,
    pub figures_used: Vec<String>,
}

impl References {
    /// The 1-based number of `id`, adding it (and the locator) if new.
    pub fn number(&mut self, id: &str, locator: Option<&str>) -> usize {
        let i = match self.entries.iter().position(|(e, _)| e == id) {
            Some(i) => i,
            None => {
                self.entries.push((id.to_string(), Vec::new()));
                self.entries.len() - 1
            }
        };
        if let Some(l) = locator
            && !self.entries[i].1.iter().any(|x| x == l)
        {
            self.entries[i].1.push(l.to_string());
            self.entries[i].1.sort_by_key(|l| natural_key(l));
        }
        i + 1
    }
}

/// Sort key that orders "para. 3" before "para. 13".
pub fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).map_or(0, u64::from);
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            out.push((std::mem::take(&mut text), n));
        } else {
            text.push(c);
        }
    }
    out.push((text, u64::MAX));
    out
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    pub level: u32,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A URL the page's Markdown writes into its HTML (a link, an image, an attribute of raw
/// HTML), and where: the link check reports a broken one at the author's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub url: String,
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub heading_ids: Vec<String>,
    pub references: References,
    /// Every URL of the page's own Markdown, as written into its HTML.
    pub refs: Vec<LinkRef>,
    /// Plain text, for the search index and word count.
    pub text: String,
}

/// Where a page's Markdown is: its content-relative path (relative links are resolved from
/// its folder), its file for diagnostics, and the line its body starts at.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a str,
    pub file: &'a Path,
    pub body_line: usize,
}

/// Render `body` (which starts at line `src.body_line` of `src.file`).
pub fn render(body: &str, src: Source<'_>, env: &dyn Env, diags: &mut Vec<Diagnostic>) -> Rendered {
    render_with(body, src, env, diags, true)
}

/// `render`, or with `want_html: false` everything but the HTML (left empty): the checks,
/// toc, heading ids, references, links and text, without the cost of highlighting and
/// printing. `dossier build` renders the HTML later, page by page, so it never holds all of it.
pub fn render_with(
    body: &str,
    src: Source<'_>,
    env: &dyn Env,
    diags: &mut Vec<Diagnostic>,
    want_html: bool,
) -> Rendered {
    let (file, body_line) = (src.file, src.body_line);
    let mut references = References::default();
    let (text, tokens) = if body.contains("{{") || body.contains("[@") {
        extract_tokens(body, file, body_line, diags)
    } else {
        (body.to_string(), Vec::new())
    };
    let mut rendered_tokens: Vec<(String, bool)> = Vec::with_capacity(tokens.len());
    // Tokens are rendered in document order so reference numbers follow reading order.
    for (tok, _) in &tokens {
        rendered_tokens.push(match tok {
            Token::Cite(items) => (env.cite(items, &mut references, diags), false),
            Token::Shortcode(sc) => (
                env.shortcode(sc, &mut references, diags),
                !matches!(sc.name.as_str(), "fig"),
            ),
        });
    }
    let placeholder_text: Vec<String> = tokens.iter().map(|(_, raw)| raw.clone()).collect();

    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(&text, options())
        .into_offset_iter()
        .collect();
    let events = merge_text(events);
    let lines = LineIndex::new(&text);
    let span_at = |offset: usize| {
        let (l, c) = lines.line_col(offset);
        Span::new(file, l + body_line - 1, c)
    };

    // Headings: explicit ids are reserved first, then generated ones made unique.
    let mut used: HashSet<String> = HashSet::new();
    let mut heading_ranges = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, level, .. }) = &events[i].0 {
            let start = i;
            let mut title = String::new();
            i += 1;
            while !matches!(events[i].0, Event::End(TagEnd::Heading(_))) {
                match &events[i].0 {
                    Event::Text(t) | Event::Code(t) => title.push_str(&strip_placeholders(t)),
                    _ => {}
                }
                i += 1;
            }
            if let Some(id) = id
                && !used.insert(id.to_string())
            {
                diags.push(
                    Diagnostic::error(
                        span_at(events[start].1.start),
                        format!("duplicate heading id `{id}`"),
                    )
                    .with_hint("heading ids must be unique within a page"),
                );
            }
            heading_ranges.push((
                start,
                i,
                id.as_ref().map(|s| s.to_string()),
                title.trim().to_string(),
                *level,
            ));
        }
        i += 1;
    }
    let mut heading_ids: BTreeMap<usize, String> = BTreeMap::new();
    let mut flat_toc = Vec::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for (start, _end, explicit, title, level) in &heading_ranges {
        let id = match explicit {
            Some(id) => id.clone(),
            None => {
                let mut base = match slug::slugify(title) {
                    s if s.is_empty() => "section".to_string(),
                    s => s,
                };
                // The theme's ids (`references`, `ref-1`) stay unique: a heading that would
                // take one gets a suffix, or a prefix where the theme generates a family.
                if let Some(r) = env.reserved_ids() {
                    if r.prefixed(&base) {
                        base = format!("h-{base}");
                    }
                    if r.taken(&base) {
                        used.insert(base.clone());
                    }
                }
                // Suffixes below the last one given for this base are all taken (`used`
                // only grows), so start there: counting from 1 each time is quadratic.
                let mut id = base.clone();
                let mut n = next_suffix.get(&base).copied().unwrap_or(1);
                while used.contains(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                next_suffix.insert(base, n);
                used.insert(id.clone());
                id
            }
        };
        heading_ids.insert(*start, id.clone());
        flat_toc.push((*level as u32, id, title.clone()));
    }

    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut refs = Vec::new();
    let mut plain = String::new();
    let mut code: Option<(Option<String>, String)> = None;
    let mut image_alt: Option<(String, usize)> = None;
    let mut current_heading: Option<String> = None;
    let mut idx = 0;
    while idx < events.len() {
        let (ev, range) = &events[idx];
        match ev {
            Event::Start(Tag::Paragraph) if is_lone_block(&events, idx, &rendered_tokens) => {
                if let Event::Text(t) = &events[idx + 1].0 {
                    let n = placeholder_index(t.trim()).unwrap_or(0);
                    out.push(Event::Html(CowStr::from(format!(
                        "{}\n",
                        rendered_tokens[n].0
                    ))));
                }
                idx += 3;
                continue;
            }
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let id = heading_ids.get(&idx).cloned().unwrap_or_default();
                current_heading = Some(id.clone());
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(id) = current_heading.take() {
                    out.push(Event::InlineHtml(CowStr::from(format!(
                        " <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>"
                    ))));
                }
                out.push(Event::End(TagEnd::Heading(*level)));
                plain.push('\n');
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split([' ', ',', '{'])
                        .next()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    CodeBlockKind::Indented => None,
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, src)) = code.take() {
                    plain.push_str(&src);
                    if want_html {
                        out.push(Event::Html(CowStr::from(highlight(&src, lang.as_deref()))));
                    }
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, src)) = code.as_mut() {
                    src.push_str(t);
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let at = span_at(range.start);
                let dest = destination(dest_url, src.path, env, &at, diags);
                refs.push(link_ref(&dest, &at));
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: CowStr::from(dest),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                image_alt = Some((String::new(), range.start));
                let at = span_at(range.start);
                let dest = destination(dest_url, src.path, env, &at, diags);
                refs.push(link_ref(&dest, &at));
                out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: CowStr::from(dest),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // Raw HTML's URLs are checked too, at their own positions.
                for a in crate::html::attributes(h) {
                    if crate::html::is_url_attribute(&a.name) {
                        for url in crate::html::urls(&a.name, &a.value) {
                            refs.push(link_ref(url, &span_at(range.start + a.at)));
                        }
                    }
                }
                out.push(ev.clone());
            }

            Event::End(TagEnd::Image) => {
                if let Some((alt, at)) = image_alt.take()
                    && alt.trim().is_empty()
                {
                    diags.push(
                        Diagnostic::warning(span_at(at), "image without alt text")
                            .with_hint("describe the image: ![what it shows](file.png)"),
                    );
                }
                out.push(ev.clone());
            }
            Event::Text(t) => {
                if let Some((alt, _)) = image_alt.as_mut() {
                    alt.push_str(t);
                }
                if t.contains(PH_OPEN) {
                    push_with_tokens(t, &rendered_tokens, &placeholder_text, &mut out, &mut plain);
                } else {
                    plain.push_str(t);
                    out.push(Event::Text(t.clone()));
                }
            }
            Event::Code(t) => {
                plain.push_str(t);
                out.push(ev.clone());
            }
            Event::SoftBreak | Event::HardBreak => {
                plain.push(' ');
                out.push(ev.clone());
            }
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableCell) => {
                plain.push('\n');
                out.push(ev.clone());
            }
            _ => out.push(ev.clone()),
        }
        idx += 1;
    }

    let mut html = String::new();
    if want_html {
        html.reserve(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
    }
    // Replacing a token can change the Markdown around it (a code span or fence that was
    // not one before); a placeholder that ends up where it is not rendered is put back as
    // the text the author wrote.
    if !placeholder_text.is_empty() && html.contains(PH_OPEN) {
        html = restore_placeholders(&html, &placeholder_text, true);
    }
    if !placeholder_text.is_empty() && plain.contains(PH_OPEN) {
        plain = restore_placeholders(&plain, &placeholder_text, false);
    }
    // Every page's HTML stays in memory until the site is rendered: no slack.
    html.shrink_to_fit();
    Rendered {
        html,
        toc: nest_toc(&flat_toc),
        heading_ids: heading_ids.into_values().collect(),
        references,
        refs,
        text: plain.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn link_ref(url: &str, at: &Span) -> LinkRef {
    LinkRef {
        url: url.to_string(),
        line: at.line as u32,
        col: at.col as u32,
    }
}

/// A Markdown link or image destination as written into the HTML. `@/path` (a page, a
/// section's folder, an asset) is resolved against content/; so is a relative path to a
/// `.md` file or to an asset beside the page (`map.png`, `../img/map.png`), which would not
/// work from the page's URL as written. Anything else is left as written, for the link check
/// of the rendered site.
fn destination(
    dest: &str,
    page: &str,
    env: &dyn Env,
    at: &Span,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let (target, relative) = match dest.strip_prefix("@/") {
        Some(t) => (t.to_string(), false),
        None if is_relative(dest) => {
            let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
            let (path, _) = split_suffix(dest);
            match join(dir, path) {
                Some(p) if !p.is_empty() => (format!("{p}{}", &dest[path.len()..]), true),
                _ => return dest.to_string(),
            }
        }
        None => return dest.to_string(),
    };
    let (path, suffix) = split_suffix(&target);
    if let Some(url) = env.resolve(path) {
        return format!("{url}{suffix}");
    }
    if relative && !path.ends_with(".md") {
        // Perhaps a URL relative to the page's URL; the link check says if it is broken.
        return dest.to_string();
    }
    let shown = if relative {
        dest.to_string()
    } else {
        format!("@/{path}")
    };
    match env.missing(path) {
        Missing::Broken => {}
        Missing::Draft => diags.push(
            Diagnostic::error(at.clone(), format!("link to `{shown}`, a draft"))
                .with_hint(format!("content/{path} has `draft: true`: it is published only with --drafts; link to it once it is ready")),
        ),
        Missing::Unknown => {
            let hint = match did_you_mean(path, env.known_paths()) {
                Some(s) => format!("did you mean `@/{s}`? Paths are relative to content/"),
                None => "internal links are `@/` + a path relative to content/, e.g. `@/stories/routes.md`, or a path relative to this page's file".into(),
            };
            diags.push(
                Diagnostic::error(at.clone(), format!("broken internal link `{shown}`: no such page or file content/{path}"))
                    .with_hint(hint),
            );
        }
    }
    dest.to_string()
}

/// A URL without a scheme, host, root or fragment at its start: relative to the page.
fn is_relative(url: &str) -> bool {
    let scheme = url.find(':').is_some_and(|i| {
        url[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            && i > 0
    });
    !(url.is_empty() || scheme || url.starts_with(['/', '#', '?']))
}

/// `path#frag` -> (`path`, `#frag`); the same for a query.
fn split_suffix(url: &str) -> (&str, &str) {
    let i = url.find(['#', '?']).unwrap_or(url.len());
    (&url[..i], &url[i..])
}

/// `rel` relative to the folder `dir` (both content-relative), `..` and `.` resolved; None
/// when it leaves content/.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let trailing = rel.ends_with('/');
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Placeholders `PH_OPEN n PH_CLOSE` back to token `n`'s raw text (HTML-escaped if `escape`).
fn restore_placeholders(s: &str, raw: &[String], as_html: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(PH_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + PH_OPEN.len_utf8()..];
        let token = after
            .find(PH_CLOSE)
            .and_then(|j| Some((after[..j].parse::<usize>().ok()?, j)))
            .and_then(|(n, j)| Some((raw.get(n)?, j)));
        match token {
            Some((r, j)) => {
                out.push_str(&if as_html { escape(r) } else { r.clone() });
                rest = &after[j + PH_CLOSE.len_utf8()..];
            }
            None => {
                out.push(PH_OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn merge_text<'a>(events: Vec<(Event<'a>, Range<usize>)>) -> Vec<(Event<'a>, Range<usize>)> {
    let mut out: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    // A run of texts grows one buffer; copying the joined text at every step would be
    // quadratic (`[@a [@a ...` is thousands of adjacent text events).
    let mut run: Option<String> = None;
    for (ev, range) in events {
        if let (Event::Text(t), Some((Event::Text(prev), prange))) = (&ev, out.last_mut()) {
            let buf = run.get_or_insert_with(|| prev.to_string());
            buf.push_str(t);
            prange.end = range.end;
            continue;
        }
        flush_run(&mut out, &mut run);
        out.push((ev, range));
    }
    flush_run(&mut out, &mut run);
    out
}

fn flush_run<'a>(out: &mut [(Event<'a>, Range<usize>)], run: &mut Option<String>) {
    if let (Some(buf), Some((Event::Text(prev), _))) = (run.take(), out.last_mut()) {
        *prev = CowStr::from(buf);
    }
}

fn placeholder_index(s: &str) -> Option<usize> {
    s.strip_prefix(PH_OPEN)?
        .strip_suffix(PH_CLOSE)?
        .parse()
        .ok()
}

/// A paragraph that holds nothing but one block shortcode is replaced by the shortcode.
fn is_lone_block(events: &[(Event, Range<usize>)], idx: usize, tokens: &[(String, bool)]) -> bool {
    match (events.get(idx + 1), events.get(idx + 2)) {
        (Some((Event::Text(t), _)), Some((Event::End(TagEnd::Paragraph), _))) => {
            placeholder_index(t.trim()).is_some_and(|n| tokens.get(n).is_some_and(|t| t.1))
        }
        _ => false,
    }
}

/// Heading text without citations and shortcodes, for the table of contents.
fn strip_placeholders(t: &str) -> String {
    let mut s = String::new();
    let mut rest = t;
    while let Some(i) = rest.find(PH_OPEN) {
        s.push_str(&rest[..i]);
        let after = &rest[i + PH_OPEN.len_utf8()..];
        let Some(j) = after.find(PH_CLOSE) else { break };
        rest = &after[j + PH_CLOSE.len_utf8()..];
    }
    s.push_str(rest);
    s
}

fn push_with_tokens<'a>(
    t: &str,
    tokens: &[(String, bool)],
    raw: &[String],
    out: &mut Vec<Event<'a>>,
    plain: &mut String,
) {
    let mut rest = t;
    while let Some(i) = rest.find(PH_OPEN) {
        let after = &rest[i + PH_OPEN.len_utf8()..];
        let Some(j) = after.find(PH_CLOSE) else {
            rest = after;
            continue;
        };
        let n = after[..j].parse::<usize>().ok();
        let is_cite = n
            .and_then(|n| raw.get(n))
            .is_some_and(|r| r.starts_with("[@"));
        // A citation hugs the word before it, so "[1]" never wraps onto a line of its own.
        let before = if is_cite {
            rest[..i].trim_end()
        } else {
            &rest[..i]
        };
        if !before.is_empty() {
            plain.push_str(before);
            out.push(Event::Text(CowStr::from(before.to_string())));
        } else if is_cite && matches!(out.last(), Some(Event::SoftBreak)) {
            out.pop();
        }
        if let Some(n) = n
            && let Some((html, _)) = tokens.get(n)
        {
            out.push(Event::InlineHtml(CowStr::from(html.clone())));
            if let Some(r) = raw.get(n).filter(|r| !r.starts_with("[@")) {
                plain.push_str(&strip_tags(html).unwrap_or_else(|| r.clone()));
            }
        }
        rest = &after[j + PH_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        plain.push_str(rest);
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}

/// Visible text of a small HTML fragment (for the search index).
fn strip_tags(html: &str) -> Option<String> {
    let mut s = String::new();
    let mut in_tag = false;
    let mut depth_sup = 0;
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let b = html.as_bytes();
    while i < b.len() {
        if b[i] == b'<' {
            if lower[i..].starts_with("<sup") {
                depth_sup += 1;
            } else if lower[i..].starts_with("</sup") {
                depth_sup -= 1;
            }
            in_tag = true;
        } else if b[i] == b'>' {
            in_tag = false;
        } else if !in_tag && depth_sup == 0 {
            let ch = html[i..].chars().next()?;
            s.push(ch);
            i += ch.len_utf8();
            continue;
        }
        i += 1;
    }
    Some(
        s.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'"),
    )
}

fn nest_toc(flat: &[(u32, String, String)]) -> Vec<TocEntry> {
    fn take(flat: &[(u32, String, String)], i: &mut usize, level: u32) -> Vec<TocEntry> {
        let mut out: Vec<TocEntry> = Vec::new();
        while *i < flat.len() {
            let (l, id, title) = &flat[*i];
            if *l < level {
                break;
            }
            if *l > level && !out.is_empty() {
                let children = take(flat, i, *l);
                out.last_mut().unwrap().children.extend(children);
                continue;
            }
            out.push(TocEntry {
                level: *l,
                id: id.clone(),
                title: title.clone(),
                children: Vec::new(),
            });
            *i += 1;
        }
        out
    }
    let min = flat.iter().map(|f| f.0).min().unwrap_or(1);
    let mut i = 0;
    take(flat, &mut i, min)
}

pub fn highlight(src: &str, lang: Option<&str>) -> String {
    let mut html = String::new();
    let syntax = lang.and_then(|l| SYNTAXES.find_syntax_by_token(l));
    let lang_attr = lang
        .map(|l| format!(" data-lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    match syntax {
        Some(syntax) => {
            let mut r#gen = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                &SYNTAXES,
                ClassStyle::SpacedPrefixed {
                    prefix: HIGHLIGHT_CLASS_PREFIX,
                },
            );
            for line in syntect::util::LinesWithEndings::from(src) {
                if r#gen
                    .parse_html_for_line_which_includes_newline(line)
                    .is_err()
                {
                    return plain_code(src, &lang_attr);
                }
            }
            let _ = writeln!(
                html,
                "<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{}</code></pre>",
                r#gen.finalize()
            );
            html
        }
        None => plain_code(src, &lang_attr),
    }
}

fn plain_code(src: &str, lang_attr: &str) -> String {
    format!(
        "<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{}</code></pre>\n",
        escape(src)
    )
}

// ---------------------------------------------------------------------------------------
// Finding citations and shortcodes in the raw text

/// Byte ranges of `body` where tokens are not looked for: code and raw HTML.
fn code_ranges(body: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (ev, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match ev {
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => ranges.push(range),
            Event::Start(Tag::CodeBlock(_)) | Event::Start(Tag::HtmlBlock) => ranges.push(range),
            Event::Start(Tag::Link { .. }) | Event::Start(Tag::Image { .. }) => {
                // The destination is not text; only the bracketed part is.
                if let Some(close) = body[range.clone()].rfind("](") {
                    ranges.push(range.start + close..range.end);
                }
            }
            _ => {}
        }
    }
    ranges.sort_by_key(|r| r.start);
    // Merged into disjoint ranges (a code span may sit inside a link's text).
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Replace every citation and shortcode outside code by a placeholder.
/// Returns the new text and the tokens with their raw source text.
pub fn extract_tokens(
    body: &str,
    file: &Path,
    body_line: usize,
    diags: &mut Vec<Diagnostic>,
) -> (String, Vec<(Token, String)>) {
    let skip = code_ranges(body);
    let mut out = String::with_capacity(body.len());
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut last = 0;
    let bytes = body.as_bytes();
    let lines = LineIndex::new(body);
    let span_at = |offset: usize| {
        let (l, c) = lines.line_col(offset);
        Span::new(file, l + body_line - 1, c)
    };
    // `skip` is sorted and disjoint, and `i` only grows: one pass over both.
    let mut next_skip = 0;
    while i + 1 < bytes.len() {
        while skip.get(next_skip).is_some_and(|r| r.end <= i) {
            next_skip += 1;
        }
        if let Some(r) = skip.get(next_skip).filter(|r| r.start <= i) {
            i = r.end.max(i + 1);
            continue;
        }
        let found = if bytes[i] == b'[' && bytes[i + 1] == b'@' {
            parse_citation(body, i, &span_at, diags).map(|(items, end)| (Token::Cite(items), end))
        } else if bytes[i] == b'{' && bytes[i + 1] == b'{' {
            parse_shortcode(body, i, &span_at, diags).map(|(sc, end)| (Token::Shortcode(sc), end))
        } else {
            None
        };
        match found {
            Some((tok, end)) => {
                out.push_str(&body[last..i]);
                let _ = write!(out, "{PH_OPEN}{}{PH_CLOSE}", tokens.len());
                tokens.push((tok, body[i..end].to_string()));
                i = end;
                last = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&body[last..]);
    (out, tokens)
}

/// `[@a; @b, p. 4]` starting at `start`; returns the items and the end offset.
fn parse_citation(
    body: &str,
    start: usize,
    span_at: &dyn Fn(usize) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Vec<CiteItem>, usize)> {
    let rest = &body[start + 1..];
    // A citation may wrap onto the next line, but not across a paragraph.
    let close = rest.find([']', '['])?;
    if rest.as_bytes()[close] != b']' || rest[..close].contains("\n\n") {
        return None;
    }
    let end = start + 1 + close + 1;
    // `[@x](url)` is a link, not a citation.
    if body[end..].starts_with('(') {
        return None;
    }
    let inner = &rest[..close];
    let mut items = Vec::new();
    let mut offset = start + 1;
    let malformed = |at: usize| {
        Diagnostic::error(
            span_at(at),
            format!("malformed citation `{}`", &body[start..end]),
        )
        .with_hint("write citations as [@id], [@a; @b] or [@id, para. 4]")
    };
    for part in inner.split(';') {
        let lead = part.len() - part.trim_start().len();
        let p = part.trim();
        let at = offset + lead;
        offset += part.len() + 1;
        let Some(p) = p.strip_prefix('@') else {
            diags.push(malformed(at));
            return Some((items, end));
        };
        let (id, locator) = match p.split_once(',') {
            Some((id, loc)) => (
                id.trim(),
                Some(loc.trim().to_string()).filter(|l| !l.is_empty()),
            ),
            None => (p.trim(), None),
        };
        if id.is_empty() || id.contains(char::is_whitespace) {
            diags.push(malformed(at));
            return Some((items, end));
        }
        items.push(CiteItem {
            id: id.to_string(),
            locator,
            span: span_at(at),
        });
    }
    Some((items, end))
}

/// `{{ name(k="v", n=1) }}` starting at `start`.
fn parse_shortcode(
    body: &str,
    start: usize,
    span_at: &dyn Fn(usize) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Shortcode, usize)> {
    let s = &body[start + 2..];
    let mut p = Cursor { s, i: 0 };
    p.ws();
    let name = p.ident()?;
    p.ws();
    if !p.eat('(') {
        return None;
    }
    let span = span_at(start);
    let fail = |msg: String, diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::error(span.clone(), msg)
                .with_hint("shortcodes look like {{ name(key=\"value\", n=3) }}"),
        );
    };
    let mut args = serde_json::Map::new();
    loop {
        p.ws();
        if p.eat(')') {
            break;
        }
        let Some(key) = p.ident() else {
            fail(
                format!("malformed shortcode `{name}`: expected an argument name"),
                diags,
            );
            return skip_shortcode(body, start, name, span);
        };
        p.ws();
        if !p.eat('=') {
            fail(
                format!("malformed shortcode `{name}`: expected `=` after `{key}`"),
                diags,
            );
            return skip_shortcode(body, start, name, span);
        }
        p.ws();
        let Some(value) = p.value() else {
            fail(
                format!("malformed shortcode `{name}`: bad value for `{key}`"),
                diags,
            );
            return skip_shortcode(body, start, name, span);
        };
        args.insert(key.to_string(), value);
        p.ws();
        p.eat(',');
    }
    p.ws();
    if !p.s[p.i..].starts_with("}}") {
        fail(
            format!("shortcode `{name}` is not closed with `}}}}`"),
            diags,
        );
        return skip_shortcode(body, start, name, span);
    }
    let end = start + 2 + p.i + 2;
    Some((
        Shortcode {
            name: name.to_string(),
            args,
            span,
            malformed: false,
        },
        end,
    ))
}

/// After a reported error, swallow the rest of the call so it does not print as text.
fn skip_shortcode(body: &str, start: usize, name: &str, span: Span) -> Option<(Shortcode, usize)> {
    let end = body[start..]
        .find("}}")
        .map_or(body.len(), |i| start + i + 2);
    Some((
        Shortcode {
            name: name.to_string(),
            args: Default::default(),
            span,
            malformed: true,
        },
        end,
    ))
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while self.s[self.i..].starts_with(char::is_whitespace) {
            self.i += self.s[self.i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    fn eat(&mut self, c: char) -> bool {
        if self.s[self.i..].starts_with(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<&'a str> {
        let rest = &self.s[self.i..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 || rest.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        self.i += len;
        Some(&rest[..len])
    }
    fn value(&mut self) -> Option<serde_json::Value> {
        let rest = &self.s[self.i..];
        let q = rest.chars().next()?;
        if q == '"' || q == '\'' {
            let mut out = String::new();
            let mut chars = rest[1..].char_indices();
            while let Some((j, c)) = chars.next() {
                match c {
                    '\\' => {
                        let (_, n) = chars.next()?;
                        out.push(n);
                    }
                    c if c == q => {
                        self.i += 1 + j + 1;
                        return Some(serde_json::Value::String(out));
                    }
                    c => out.push(c),
                }
            }
            return None;
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..len];
        let v = match word {
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            w => serde_json::from_str::<serde_json::Number>(w)
                .ok()
                .map(serde_json::Value::Number)?,
        };
        self.i += len;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TestEnv;
    impl Env for TestEnv {
        fn resolve(&self, path: &str) -> Option<String> {
            (path == "a.md").then(|| "/a/".to_string())
        }
        fn known_paths(&self) -> Vec<&str> {
            vec!["a.md"]
        }
        fn cite(
            &self,
            items: &[CiteItem],
            refs: &mut References,
            _: &mut Vec<Diagnostic>,
        ) -> String {
            let n: Vec<String> = items
                .iter()
                .map(|i| refs.number(&i.id, i.locator.as_deref()).to_string())
                .collect();
            format!("<sup>[{}]</sup>", n.join(","))
        }
        fn shortcode(&self, sc: &Shortcode, _: &mut References, _: &mut Vec<Diagnostic>) -> String {
            format!(
                "<b>{}:{}</b>",
                sc.name,
                sc.args.get("id").and_then(|v| v.as_str()).unwrap_or("")
            )
        }
    }

    fn src() -> Source<'static> {
        Source {
            path: "dir/p.md",
            file: Path::new("p.md"),
            body_line: 4,
        }
    }

    fn r(md: &str) -> (Rendered, Vec<Diagnostic>) {
        let mut d = Vec::new();
        (render(md, src(), &TestEnv, &mut d), d)
    }

    #[test]
    fn citations_are_numbered_outside_code_only() {
        let (out, d) = r("Text [@b] and [@a; @b, p. 2]. `[@c]`\n\n```\n[@d]\n```\n");
        assert!(d.is_empty(), "{d:?}");
        assert!(out.html.contains("<sup>[1]</sup>"), "{}", out.html);
        assert!(out.html.contains("<sup>[2,1]</sup>"));
        assert!(out.html.contains("<code>[@c]</code>"));
        assert!(out.html.contains("[@d]"));
        assert_eq!(
            out.references.entries,
            vec![("b".into(), vec!["p. 2".into()]), ("a".into(), vec![])]
        );
    }

    #[test]
    fn citation_may_wrap_but_not_cross_paragraphs() {
        let (out, d) = r("A [@a;\n@b, para. 13] b.\n\nC [@c;\n\n@d] e.\n");
        assert!(d.is_empty(), "{d:?}");
        assert!(out.html.contains("<sup>[1,2]</sup>"), "{}", out.html);
        assert_eq!(out.references.entries.len(), 2);
    }

    #[test]
    fn citation_hugs_the_word_before() {
        let (out, _) = r("North Ossetia [@a].\nAnd more\n[@b] here.\n");
        assert!(out.html.contains("Ossetia<sup>[1]</sup>."), "{}", out.html);
        assert!(out.html.contains("more<sup>[2]</sup> here"), "{}", out.html);
        assert!(out.text.contains("Ossetia. And more here."), "{}", out.text);
    }

    #[test]
    fn locators_sort_naturally() {
        let mut refs = References::default();
        for l in ["para. 13", "para. 3", "para. 13", "para. 2"] {
            refs.number("a", Some(l));
        }
        assert_eq!(refs.entries[0].1, vec!["para. 2", "para. 3", "para. 13"]);
    }

    #[test]
    fn tokens_that_end_up_in_code_are_restored() {
        // Found by tests/props.rs: replacing a token changed what counts as code.
        for body in [
            "`[@---\r\n> ]    `",
            "\u{e001}```[@---\r\n> ]```",
            "```{{fig(id=`",
        ] {
            let (out, _) = r(body);
            assert!(!out.html.contains('\u{e000}'), "{body:?} -> {}", out.html);
            assert!(!out.text.contains('\u{e000}'), "{body:?} -> {}", out.text);
        }
    }

    #[test]
    fn without_html_everything_else_is_the_same() {
        let md =
            "# A\n\nText [@a] {{ fig(id=\"x\") }}.\n\n```rust\nfn x() {}\n```\n\n[l](@/a.md)\n";
        let (full, d1) = r(md);
        let mut d2 = Vec::new();
        let lean = render_with(md, src(), &TestEnv, &mut d2, false);
        assert!(lean.html.is_empty() && !full.html.is_empty());
        assert_eq!(
            (
                lean.toc,
                lean.heading_ids,
                lean.references,
                lean.refs,
                lean.text
            ),
            (
                full.toc,
                full.heading_ids,
                full.references,
                full.refs,
                full.text
            )
        );
        assert_eq!(d1, d2);
    }

    #[test]
    fn shortcode_quotes_survive_smart_punctuation() {
        let (out, _) = r("Over {{ fig(id=\"kz\") }} \"people\".");
        assert!(out.html.contains("<b>fig:kz</b>"), "{}", out.html);
        assert!(out.html.contains("“people”"));
    }

    #[test]
    fn unique_heading_ids_and_toc() {
        let (out, _) = r("# Intro\n\n## Intro\n\n## Other {#intro-1}\n");
        assert_eq!(out.heading_ids, vec!["intro", "intro-2", "intro-1"]);
        assert_eq!(out.toc.len(), 1);
        assert_eq!(out.toc[0].children.len(), 2);
    }

    #[test]
    fn broken_link_has_position() {
        let (_, d) = r("line one\n\nsee [x](@/b.md)\n");
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].span.line, d[0].span.col), (6, 5));
        assert!(d[0].hint.as_ref().unwrap().contains("@/a.md"));
    }

    #[test]
    fn highlights_known_languages() {
        let (out, _) = r("```rust\nfn main() {}\n```\n");
        assert!(out.html.contains("hl-"), "{}", out.html);
    }

    #[test]
    fn citation_error_position() {
        let mut d = Vec::new();
        let (_, toks) = extract_tokens("ab\n  [@x; y]", Path::new("p.md"), 10, &mut d);
        assert_eq!(toks.len(), 1);
        assert_eq!((d[0].span.line, d[0].span.col), (11, 8));
    }
}
