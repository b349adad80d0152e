//! Markdown to HTML as a rewrite of pulldown-cmark's event stream, in passes:
//!
//! 1. `tokens`: citations and shortcodes found in the raw text, rendered in reading order;
//! 2. the Markdown parsed into events (adjacent texts merged);
//! 3. `headings`: every heading's id, and the table of contents;
//! 4. the events rewritten: ids and anchors, links and images (`links`), fenced code
//!    (`highlight`), each token's HTML; the page's plain text taken from the same events;
//!    numbers typed into the text that are not figures (`prose`);
//! 5. the events printed as HTML.

pub mod headings;
pub mod highlight;
pub mod links;
pub mod prose;
pub mod tokens;

pub use headings::{ReservedIds, TocEntry};
pub use highlight::{HIGHLIGHT_CLASS_PREFIX, SYNTAXES, highlight};
pub use links::{LinkRef, join};
pub use tokens::{CiteItem, CiteMode, Piece, PieceKind, Shortcode, Token, extract_tokens};

use crate::config::{Check, ProseNumbers};
use crate::content::frontmatter::Exemption;
use crate::content::ids::{FigureId, SourceId};
use crate::diagnostics::{Diagnostic, LineIndex, Span};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use tokens::PH_OPEN;

/// The Markdown extensions every page is parsed with.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
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
    /// A citation group; `refs` assigns reference numbers.
    fn cite(&self, items: &[CiteItem], refs: &mut References, diags: &mut Vec<Diagnostic>)
    -> Piece;
    /// A shortcode (built-in or from the theme).
    fn shortcode(
        &self,
        sc: &Shortcode,
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> Piece;
    /// The source a shortcode cites with its own reference (`fig`), if any: a citation right
    /// after it is merged with it into one.
    fn figure_source(&self, _sc: &Shortcode) -> Option<SourceId> {
        None
    }
    /// How numbers typed into the text are checked (not at all, by default).
    fn prose_numbers(&self) -> ProseNumbers {
        ProseNumbers {
            check: Check::Off,
            allow_small_words: true,
        }
    }
    /// Whether `id` is a source's id: `@id` in the text cites it.
    fn is_source(&self, _id: &str) -> bool {
        false
    }
    /// Every source id, for "did you mean".
    fn source_ids(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Whether a link's destination is a source's address (its text, the article's title,
    /// is the source's words).
    fn is_source_url(&self, _url: &str) -> bool {
        false
    }
    /// The responsive markup of the raster image at the content path `path` (an asset that
    /// exists), or None where images are not processed.
    fn picture(&self, _path: &str) -> Option<Result<crate::images::Picture, String>> {
        None
    }
}

/// A page's numbered reference list, in order of first citation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct References {
    /// Each cited source id with its locators, in order of first citation.
    pub entries: Vec<(SourceId, Vec<String>)>,
    /// The figures the page's `fig()` calls use, in order.
    pub figures_used: Vec<FigureId>,
}

impl References {
    /// The 1-based number of `id`, adding it (and the locator) if new.
    pub fn number(&mut self, id: &str, locator: Option<&str>) -> usize {
        let i = match self.entries.iter().position(|(e, _)| e == id) {
            Some(i) => i,
            None => {
                self.entries.push((id.into(), Vec::new()));
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

/// A page's Markdown, rendered.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Its HTML (empty when rendered without it).
    pub html: String,
    /// Its table of contents.
    pub toc: Vec<TocEntry>,
    /// Every heading's id, in order.
    pub heading_ids: Vec<String>,
    /// Its numbered references.
    pub references: References,
    /// Every URL of the page's own Markdown, as written into its HTML.
    pub refs: Vec<LinkRef>,
    /// Plain text, for the search index and word count: whitespace collapsed to single
    /// spaces, except the no-break spaces that group a number's digits.
    pub text: String,
    /// `text` cut at its headings, for the search index.
    pub blocks: Vec<TextBlock>,
    /// The page's `exemptions:` (by index) that exempt no number of its text.
    pub unused_exemptions: Vec<usize>,
    /// What comes before its `<!-- more -->` line, if it has one: its summary.
    pub summary: Option<Summary>,
}

/// A page's text before its `<!-- more -->` line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// As HTML, printed even when the page's HTML is not (lists and feeds need it).
    pub html: String,
    /// As plain text, whitespace collapsed (`<meta name="description">`).
    pub text: String,
}

/// The id of the anchor that replaces `<!-- more -->`, as Zola names it.
pub const MORE_ID: &str = "continue-reading";

/// Whether `html`, a block of raw HTML, is the summary marker `<!-- more -->` (any spacing
/// inside the comment).
fn is_more_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|h| h.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim() == "more")
}

/// A part of a page's plain text: what comes before its first heading, or a heading and
/// what follows it up to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextBlock {
    /// The heading's id ("" before the first heading).
    pub id: String,
    /// The heading's text, as a byte range of `Rendered::text` (empty before the first).
    pub heading: Range<usize>,
    /// What follows the heading, as a byte range of `Rendered::text`.
    pub body: Range<usize>,
}

/// Where a page's Markdown is: its content-relative path (relative links are resolved from
/// its folder), its file for diagnostics, and the line its body starts at.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Content-relative path (`stories/routes.md`).
    pub path: &'a str,
    /// The file, for diagnostics (`content/stories/routes.md`).
    pub file: &'a Path,
    /// The file's line of the body's first line.
    pub body_line: usize,
    /// The page's `exemptions:`.
    pub exemptions: &'a [Exemption],
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
    render_numbered(body, src, env, diags, want_html, References::default())
}

/// `render_with`, numbering references on from `references` (a block shortcode's body
/// shares its page's list).
fn render_numbered(
    body: &str,
    src: Source<'_>,
    env: &dyn Env,
    diags: &mut Vec<Diagnostic>,
    want_html: bool,
    mut references: References,
) -> Rendered {
    // 1. Citations and shortcodes, rendered in document order so reference numbers follow
    // reading order.
    let extracted = if body.contains("{{") || body.contains("{%") || body.contains('@') {
        tokens::extract(body, src.file, src.body_line, Some(env), diags)
    } else {
        tokens::Extracted {
            text: body.to_string(),
            tokens: Vec::new(),
            at: Vec::new(),
        }
    };
    let mut bodies = Bodies::default();
    let pieces = render_tokens(
        &extracted,
        body,
        src,
        env,
        &mut references,
        &mut bodies,
        diags,
    );
    let raw: Vec<String> = extracted
        .tokens
        .iter()
        .map(|(_, raw)| raw.clone())
        .collect();
    let text = &extracted.text;

    // 2. Events.
    let events = merge_text(
        Parser::new_ext(text, options())
            .into_offset_iter()
            .collect(),
    );
    // Positions are the author's: in the body as written, tokens and all.
    let lines = LineIndex::new(body);
    let span_at = |offset: usize| {
        let (l, c) = lines.line_col(extracted.body_offset(offset));
        Span::new(src.file, l + src.body_line - 1, c)
    };

    // 3. Headings.
    let heads = headings::assign(&events, env.reserved_ids(), &span_at, diags);

    // 4. The rewrite.
    let mut rw = Rewrite {
        src,
        env,
        pieces: &pieces,
        span_at: &span_at,
        want_html,
        out: Vec::with_capacity(events.len()),
        refs: Vec::new(),
        plain: String::new(),
        code: None,
        image_alt: None,
        heading: None,
        heading_marks: Vec::new(),
        more_pending: text.contains("more") && text.contains("<!--"),
        more: None,
        numbers: NumberCheck::new(env.prose_numbers(), src.exemptions, body, text, &extracted),
        para: None,
        split: false,
    };
    rw.run(&events, &heads.ids, diags);
    let Rewrite {
        mut out,
        mut refs,
        plain,
        numbers,
        heading_marks,
        split,
        more,
        ..
    } = rw;
    if split {
        out = tokens::drop_empty_paragraphs(out);
    }
    // The URLs of block shortcodes' bodies are checked with the page's.
    refs.extend(bodies.refs);
    // An exemption is unused if neither the page's text nor a block's body used it.
    let mut unused = numbers.unused();
    for body_unused in &bodies.unused {
        unused.retain(|i| body_unused.contains(i));
    }

    // 5. HTML.
    let restore = |piece: &str, attribute: bool| -> String {
        if !raw.is_empty() && piece.contains(PH_OPEN) {
            tokens::restore_placeholders(piece, &raw, attribute)
        } else {
            piece.to_string()
        }
    };
    let summary = more.map(|(at, plain_at)| {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, out[..at].iter().cloned());
        let text = restore(&plain[..plain_at], false);
        Summary {
            html: restore(&html, true),
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    });
    let mut html = String::new();
    if want_html {
        html.reserve(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
    }
    // Replacing a token can change the Markdown around it (a code span or fence that was
    // not one before); a placeholder that ends up where it is not rendered is put back as
    // the text the author wrote.
    if !raw.is_empty() && html.contains(PH_OPEN) {
        html = tokens::restore_placeholders(&html, &raw, true);
    }
    let (text, blocks) = plain_text(&plain, &heading_marks, |piece| {
        if !raw.is_empty() && piece.contains(PH_OPEN) {
            std::borrow::Cow::Owned(tokens::restore_placeholders(piece, &raw, false))
        } else {
            std::borrow::Cow::Borrowed(piece)
        }
    });
    // Every page's HTML stays in memory until the site is rendered: no slack.
    html.shrink_to_fit();
    Rendered {
        html,
        toc: headings::nest_toc(&heads.flat),
        heading_ids: heads.ids.into_values().collect(),
        references,
        refs,
        text,
        blocks,
        unused_exemptions: unused,
        summary,
    }
}

/// What block shortcodes' bodies add to their page: the URLs they write, and the
/// exemptions each body did not use.
#[derive(Default)]
struct Bodies {
    refs: Vec<LinkRef>,
    unused: Vec<Vec<usize>>,
}

/// The page's plain text with whitespace collapsed, and its blocks: `plain` cut at
/// `marks` (each heading's id, start and end), each piece passed through `restore` first.
fn plain_text<'p>(
    plain: &'p str,
    marks: &[(String, usize, usize)],
    restore: impl Fn(&'p str) -> std::borrow::Cow<'p, str>,
) -> (String, Vec<TextBlock>) {
    let mut text = String::with_capacity(plain.len());
    let mut push = |piece: &'p str| -> Range<usize> {
        let piece = restore(piece);
        // A no-break space between digits groups them ("98 000"): it stays, for the index.
        let words = piece.split(|c: char| {
            c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2009}')
        });
        let mut start = None;
        for w in words.filter(|w| !w.trim().is_empty()) {
            if !text.is_empty() {
                text.push(' ');
            }
            start.get_or_insert(text.len());
            text.push_str(w);
        }
        start.unwrap_or(text.len())..text.len()
    };
    let mut blocks = Vec::with_capacity(marks.len() + 1);
    let first = marks.first().map_or(plain.len(), |m| m.1);
    let body = push(&plain[..first]);
    if !body.is_empty() {
        blocks.push(TextBlock {
            id: String::new(),
            heading: body.start..body.start,
            body,
        });
    }
    for (k, (id, start, end)) in marks.iter().enumerate() {
        let next = marks.get(k + 1).map_or(plain.len(), |m| m.1);
        let heading = push(&plain[*start..*end]);
        let body = push(&plain[*end..next]);
        blocks.push(TextBlock {
            id: id.clone(),
            heading,
            body,
        });
    }
    (text, blocks)
}

/// Pass 1: each token's piece. A `fig` or a citation followed right away by citations
/// renders one reference mark for all of them ("44 million[3]", not "44 million[3][3]";
/// "[1, 2]", not "[1][2]"); the tokens it absorbs render as nothing.
fn render_tokens(
    ex: &tokens::Extracted,
    body: &str,
    src: Source<'_>,
    env: &dyn Env,
    refs: &mut References,
    bodies: &mut Bodies,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Piece> {
    let toks = &ex.tokens;
    let mut pieces = Vec::with_capacity(toks.len());
    let mut k = 0;
    while k < toks.len() {
        let lead = match &toks[k].0 {
            Token::Cite(items) => Some((None, items.clone())),
            Token::Shortcode(sc) => env.figure_source(sc).map(|id| {
                let item = CiteItem {
                    id,
                    locator: None,
                    span: sc.span.clone(),
                    prefix: None,
                    mode: CiteMode::Normal,
                };
                (Some(sc), vec![item])
            }),
        };
        let mut end = k + 1;
        while lead.is_some()
            && end < toks.len()
            && matches!(toks[end].0, Token::Cite(_))
            && ex.adjacent(body, end - 1)
        {
            end += 1;
        }
        match lead {
            Some((fig, mut items)) if end > k + 1 => {
                for (t, _) in &toks[k + 1..end] {
                    if let Token::Cite(more) = t {
                        items.extend(more.iter().cloned());
                    }
                }
                if let Some(sc) = fig {
                    let mut own = sc.clone();
                    own.args.insert("cite".into(), false.into());
                    pieces.push(env.shortcode(&own, refs, diags));
                }
                pieces.push(env.cite(&items, refs, diags));
                while pieces.len() < end {
                    pieces.push(Piece {
                        kind: PieceKind::Citation,
                        ..Piece::default()
                    });
                }
            }
            _ => pieces.push(match &toks[k].0 {
                Token::Cite(items) => env.cite(items, refs, diags),
                Token::Shortcode(sc) if sc.body.is_some() && !sc.malformed => {
                    let sc = with_body(sc, src, env, refs, bodies, diags);
                    env.shortcode(&sc, refs, diags)
                }
                Token::Shortcode(sc) => env.shortcode(sc, refs, diags),
            }),
        }
        k = end;
    }
    pieces
}

/// A block shortcode with its body's Markdown rendered (citations numbered on in the
/// page's list, links checked) as the argument `body`.
fn with_body(
    sc: &Shortcode,
    src: Source<'_>,
    env: &dyn Env,
    refs: &mut References,
    bodies: &mut Bodies,
    diags: &mut Vec<Diagnostic>,
) -> Shortcode {
    let mut sc = sc.clone();
    if let Some((text, line)) = sc.body.take() {
        let inner = Source {
            body_line: line,
            ..src
        };
        let r = render_numbered(&text, inner, env, diags, true, std::mem::take(refs));
        *refs = r.references;
        bodies.refs.extend(r.refs);
        bodies.unused.push(r.unused_exemptions);
        sc.args.insert("body".into(), r.html.into());
    }
    sc
}

/// The check of numbers typed into the text: where the page's exemptions are, which of
/// them exempt something, and the state of the text being read.
struct NumberCheck<'a> {
    settings: ProseNumbers,
    /// The body as written, and the text Markdown parsed (tokens as placeholders).
    text: &'a str,
    extracted: &'a tokens::Extracted,
    /// Each exemption's occurrences in the body.
    exempt: Vec<Vec<Range<usize>>>,
    used: Vec<bool>,
    in_quote: bool,
    blockquotes: usize,
    /// Open links: whether each is a link to a source.
    links: Vec<bool>,
}

impl<'a> NumberCheck<'a> {
    fn new(
        settings: ProseNumbers,
        exemptions: &[Exemption],
        body: &str,
        text: &'a str,
        extracted: &'a tokens::Extracted,
    ) -> NumberCheck<'a> {
        NumberCheck {
            settings,
            text,
            extracted,
            exempt: exemptions
                .iter()
                .map(|e| find_loose(body, &e.text))
                .collect(),
            used: vec![false; exemptions.len()],
            in_quote: false,
            blockquotes: 0,
            links: Vec::new(),
        }
    }

    fn unused(&self) -> Vec<usize> {
        (0..self.used.len()).filter(|&i| !self.used[i]).collect()
    }

    /// The numbers of the text at `range` of the parsed text, reported.
    fn check(
        &mut self,
        range: &Range<usize>,
        span_at: &dyn Fn(usize) -> Span,
        diags: &mut Vec<Diagnostic>,
    ) {
        if self.settings.check == Check::Off {
            return;
        }
        let Some(raw) = self.text.get(range.clone()) else {
            return;
        };
        let found = prose::numbers(raw, &mut self.in_quote, self.settings.allow_small_words);
        if self.blockquotes > 0 || self.links.iter().any(|&s| s) {
            return;
        }
        for n in found {
            let (a, b) = (
                self.extracted.body_offset(range.start + n.range.start),
                self.extracted.body_offset(range.start + n.range.end),
            );
            let mut exempted = false;
            for (k, occurrences) in self.exempt.iter().enumerate() {
                if occurrences.iter().any(|o| o.start <= a && b <= o.end) {
                    self.used[k] = true;
                    exempted = true;
                }
            }
            if exempted {
                continue;
            }
            let written = &raw[n.range.clone()];
            let message = format!("the number `{written}` is typed into the text, not a figure");
            let span = span_at(range.start + n.range.start);
            let d = if self.settings.check == Check::Error {
                Diagnostic::error(span, message)
            } else {
                Diagnostic::warning(span, message)
            };
            diags.push(d.with_hint(
                "declare it under `figures:` (value, source, quote) and write {{ fig(id=\"...\") }}; \
                 if it is no claim, exempt its words: `exemptions: [{text: \"...\", why: \"...\"}]`",
            ));
        }
    }

    /// A block ended: quotation marks do not run on.
    fn end_block(&mut self) {
        self.in_quote = false;
    }
}

/// Where `needle` occurs in `hay`, with any run of whitespace matching any other and
/// curly quotes matching straight ones.
fn find_loose(hay: &str, needle: &str) -> Vec<Range<usize>> {
    let fold = |c: char| match c {
        '“' | '”' | '„' | '«' | '»' => '"',
        '‘' | '’' => '\'',
        '–' | '—' => '-',
        c => c,
    };
    let want: Vec<char> = needle.trim().chars().map(fold).collect();
    let mut out = Vec::new();
    if want.is_empty() {
        return out;
    }
    for (start, c) in hay.char_indices() {
        if fold(c) != want[0] {
            continue;
        }
        let mut it = hay[start..].char_indices().peekable();
        let mut w = 0;
        let mut end = start;
        while w < want.len() {
            let Some((j, h)) = it.next() else { break };
            let h = fold(h);
            if want[w].is_whitespace() {
                if !h.is_whitespace() {
                    break;
                }
                while it.peek().is_some_and(|(_, x)| x.is_whitespace()) {
                    it.next();
                }
                while w < want.len() && want[w].is_whitespace() {
                    w += 1;
                }
                end = start + j + h.len_utf8();
                continue;
            }
            if h != want[w] {
                break;
            }
            w += 1;
            end = start + j + h.len_utf8();
        }
        if w == want.len() {
            out.push(start..end);
        }
    }
    out
}

/// Pass 4: the page's events rewritten, with the URLs it writes and its plain text.
struct Rewrite<'a, 'e> {
    src: Source<'a>,
    env: &'a dyn Env,
    pieces: &'a [Piece],
    span_at: &'a dyn Fn(usize) -> Span,
    want_html: bool,
    out: Vec<Event<'e>>,
    refs: Vec<LinkRef>,
    plain: String,
    /// The fenced code block being read: its language and text.
    code: Option<(Option<String>, String)>,
    /// The image being read: its alt text so far and where it starts.
    image_alt: Option<(String, usize)>,
    /// The id of the heading being read.
    heading: Option<String>,
    /// Each heading's id and where its text starts and ends in `plain`.
    heading_marks: Vec<(String, usize, usize)>,
    /// The text may have a `<!-- more -->` line not read yet (its summary is printed even
    /// without the page's HTML).
    more_pending: bool,
    /// Where the first `<!-- more -->` line was: its index in `out` and length of `plain`.
    more: Option<(usize, usize)>,
    /// Numbers typed into the text.
    numbers: NumberCheck<'a>,
    /// Inside a paragraph: how deep in inline markup (emphasis, links).
    para: Option<usize>,
    /// Whether a block piece split a paragraph.
    split: bool,
}

impl<'e> Rewrite<'_, 'e> {
    /// Whether the events are inside a paragraph, and how deep in its inline markup (a
    /// block shortcode splits a paragraph only at its top level).
    fn track_paragraph(&mut self, ev: &Event<'e>) {
        match ev {
            Event::Start(Tag::Paragraph) => self.para = Some(0),
            Event::End(TagEnd::Paragraph) => self.para = None,
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. },
            ) => {
                if let Some(d) = self.para.as_mut() {
                    *d += 1;
                }
            }
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => {
                if let Some(d) = self.para.as_mut() {
                    *d = d.saturating_sub(1);
                }
            }
            _ => {}
        }
    }

    /// Raw HTML at byte `start`: kept, its URLs checked too, at their own positions.
    fn raw_html(&mut self, ev: &Event<'e>, h: &str, start: usize) {
        for a in crate::html::attributes(h) {
            if crate::html::is_url_attribute(&a.name) {
                for url in crate::html::urls(&a.name, &a.value) {
                    let at = (self.span_at)(start + a.at);
                    self.refs.push(links::link_ref(url, &at));
                }
            }
        }
        self.out.push(ev.clone());
    }

    fn run(
        &mut self,
        events: &[(Event<'e>, Range<usize>)],
        heading_ids: &BTreeMap<usize, String>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut idx = 0;
        while idx < events.len() {
            let (ev, range) = &events[idx];
            if matches!(ev, Event::Start(Tag::Paragraph))
                && tokens::is_lone_block(events, idx, self.pieces)
            {
                // A paragraph that is one block shortcode is that shortcode.
                if let Event::Text(t) = &events[idx + 1].0 {
                    let n = tokens::placeholder_index(t.trim()).unwrap_or(0);
                    self.out.push(Event::Html(CowStr::from(format!(
                        "{}\n",
                        self.pieces[n].html
                    ))));
                }
                idx += 3;
                continue;
            }
            if let Event::Start(Tag::Image {
                dest_url, title, ..
            }) = ev
                && let Some(end) = self.picture(events, idx, dest_url, title, diags)
            {
                idx = end + 1;
                continue;
            }
            self.track_paragraph(ev);
            match ev {
                Event::Start(Tag::Heading { .. }) => {
                    self.heading_start(ev, heading_ids.get(&idx).cloned().unwrap_or_default())
                }
                Event::End(TagEnd::Heading(level)) => self.heading_end(*level),
                Event::Start(Tag::CodeBlock(kind)) => {
                    self.code = Some((language(kind), String::new()))
                }
                Event::End(TagEnd::CodeBlock) => self.code_end(),
                Event::Text(t) if self.code.is_some() => {
                    if let Some((_, src)) = self.code.as_mut() {
                        src.push_str(t);
                    }
                }
                Event::Start(Tag::Link { .. }) | Event::Start(Tag::Image { .. }) => {
                    self.link(ev, range.start, diags)
                }
                Event::Html(h)
                    if self.more.is_none()
                        && is_more_marker(h)
                        && self.at_line_start(range.start) =>
                {
                    self.more = Some((self.out.len(), self.plain.len()));
                    self.more_pending = false;
                    self.out.push(Event::Html(CowStr::from(format!(
                        "<span id=\"{MORE_ID}\"></span>\n"
                    ))));
                }
                Event::Html(h) | Event::InlineHtml(h) => self.raw_html(ev, h, range.start),
                Event::End(TagEnd::Image) => {
                    if let Some((alt, at)) = self.image_alt.take()
                        && alt.trim().is_empty()
                    {
                        diags.push(
                            Diagnostic::warning((self.span_at)(at), "image without alt text")
                                .with_hint("describe the image: ![what it shows](file.png)"),
                        );
                    }
                    self.out.push(ev.clone());
                }
                Event::Text(t) => {
                    self.numbers.check(range, self.span_at, diags);
                    self.text(t)
                }
                Event::Start(Tag::BlockQuote(_)) => {
                    self.numbers.blockquotes += 1;
                    self.out.push(ev.clone());
                }
                Event::End(TagEnd::BlockQuote(_)) => {
                    self.numbers.blockquotes = self.numbers.blockquotes.saturating_sub(1);
                    self.out.push(ev.clone());
                }
                Event::End(TagEnd::Link) => {
                    self.numbers.links.pop();
                    self.out.push(ev.clone());
                }
                Event::Code(t) => {
                    self.plain.push_str(t);
                    self.out.push(ev.clone());
                }
                Event::SoftBreak | Event::HardBreak => {
                    self.plain.push(' ');
                    self.out.push(ev.clone());
                }
                Event::End(TagEnd::Paragraph)
                | Event::End(TagEnd::Item)
                | Event::End(TagEnd::TableCell) => {
                    self.numbers.end_block();
                    self.plain.push('\n');
                    self.out.push(ev.clone());
                }
                _ => self.out.push(ev.clone()),
            }
            idx += 1;
        }
    }

    /// Whether `offset` of the parsed text starts a line (the marker must be on its own
    /// line, not indented into a list or quote).
    fn at_line_start(&self, offset: usize) -> bool {
        offset == 0 || self.numbers.text.as_bytes().get(offset - 1) == Some(&b'\n')
    }

    /// A heading gets its id.
    fn heading_start(&mut self, ev: &Event<'e>, id: String) {
        if let Event::Start(Tag::Heading {
            level,
            classes,
            attrs,
            ..
        }) = ev
        {
            self.heading = Some(id.clone());
            self.heading_marks
                .push((id.clone(), self.plain.len(), self.plain.len()));
            self.out.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(id)),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
        }
    }

    /// A heading ends with its `#` anchor link.
    fn heading_end(&mut self, level: pulldown_cmark::HeadingLevel) {
        self.numbers.end_block();
        if let Some(id) = self.heading.take() {
            self.out.push(Event::InlineHtml(CowStr::from(format!(
                " <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>"
            ))));
        }
        self.out.push(Event::End(TagEnd::Heading(level)));
        if let Some(mark) = self.heading_marks.last_mut() {
            mark.2 = self.plain.len();
        }
        self.plain.push('\n');
    }

    /// A fenced code block, highlighted.
    fn code_end(&mut self) {
        if let Some((lang, src)) = self.code.take() {
            self.plain.push_str(&src);
            if self.want_html || self.more_pending {
                self.out
                    .push(Event::Html(CowStr::from(highlight(&src, lang.as_deref()))));
            }
        }
    }

    /// A link or an image, with its destination resolved.
    fn link(&mut self, ev: &Event<'e>, at: usize, diags: &mut Vec<Diagnostic>) {
        match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.numbers.links.push(self.env.is_source_url(dest_url));
                let dest = self.destination(dest_url, at, diags);
                self.out.push(Event::Start(Tag::Link {
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
                self.image_alt = Some((String::new(), at));
                let dest = self.destination(dest_url, at, diags);
                self.out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: CowStr::from(dest),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            _ => {}
        }
    }

    /// A raster image of the site as `<img>` with its size and `srcset` (in a `<picture>`
    /// with other formats' `<source>`s): the events up to its end replaced by that HTML; the
    /// index of its end event. None for any other image (printed as pulldown-cmark does).
    fn picture(
        &mut self,
        events: &[(Event<'e>, Range<usize>)],
        idx: usize,
        dest_url: &str,
        title: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let at = events[idx].1.start;
        let path = links::content_path(dest_url, self.src.path)?;
        if !crate::images::is_raster(&path) || self.env.resolve(&path).is_none() {
            return None;
        }
        let picture = match self.env.picture(&path)? {
            Ok(p) => p,
            Err(message) => {
                // Printed as written, as before images were resized: a warning, not an error.
                diags.push(
                    Diagnostic::warning(
                        (self.span_at)(at),
                        format!("{message}: written without its size or resized copies"),
                    )
                    .with_hint(
                        "a Markdown image of a .png, .jpg or .webp file is read for its size and resized: check that the file is such an image",
                    ),
                );
                return None;
            }
        };
        let mut alt = String::new();
        let mut depth = 0;
        let mut end = idx + 1;
        while end < events.len() {
            match &events[end].0 {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) if depth == 0 => break,
                Event::End(TagEnd::Image) => depth -= 1,
                Event::Text(t) => {
                    self.numbers.check(&events[end].1, self.span_at, diags);
                    alt.push_str(t);
                }
                Event::Code(t) => alt.push_str(t),
                _ => {}
            }
            end += 1;
        }
        if alt.trim().is_empty() {
            diags.push(
                Diagnostic::warning((self.span_at)(at), "image without alt text")
                    .with_hint("describe the image: ![what it shows](file.png)"),
            );
        }
        self.plain.push_str(&alt);
        let url = self.destination(dest_url, at, diags);
        self.out.push(Event::InlineHtml(CowStr::from(
            picture.html(&url, &alt, title),
        )));
        Some(end)
    }

    /// Text, with the pieces its placeholders stand for.
    fn text(&mut self, t: &CowStr<'e>) {
        if let Some((alt, _)) = self.image_alt.as_mut() {
            alt.push_str(t);
        }
        if t.contains(PH_OPEN) {
            let split = self.para == Some(0);
            self.split |=
                tokens::push_with_tokens(t, self.pieces, &mut self.out, &mut self.plain, split);
        } else {
            self.plain.push_str(t);
            self.out.push(Event::Text(t.clone()));
        }
    }

    /// A link's or image's destination as written into the HTML, remembered for the link check.
    fn destination(&mut self, dest: &str, at: usize, diags: &mut Vec<Diagnostic>) -> String {
        let span = (self.span_at)(at);
        let dest = links::destination(dest, self.src.path, self.env, &span, diags);
        self.refs.push(links::link_ref(&dest, &span));
        dest
    }
}

/// The language of a fenced code block (`rust` of ```` ```rust,ignore ````).
fn language(kind: &CodeBlockKind) -> Option<String> {
    match kind {
        CodeBlockKind::Fenced(info) => info
            .split([' ', ',', '{'])
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        CodeBlockKind::Indented => None,
    }
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
        ) -> Piece {
            let n: Vec<String> = items
                .iter()
                .map(|i| refs.number(&i.id, i.locator.as_deref()).to_string())
                .collect();
            Piece {
                html: format!("<sup>[{}]</sup>", n.join(",")),
                text: String::new(),
                kind: PieceKind::Citation,
            }
        }
        fn shortcode(&self, sc: &Shortcode, _: &mut References, _: &mut Vec<Diagnostic>) -> Piece {
            Piece {
                html: format!(
                    "<b>{}:{}</b>",
                    sc.name,
                    sc.args.get("id").and_then(|v| v.as_str()).unwrap_or("")
                ),
                text: sc.name.clone(),
                kind: PieceKind::Inline,
            }
        }
    }

    fn src() -> Source<'static> {
        Source {
            path: "dir/p.md",
            file: Path::new("p.md"),
            body_line: 4,
            exemptions: &[],
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
