//! Citations (`[@id]`, `[@a; @b, p. 4]`) and shortcodes (`{{ name(k="v") }}`) in a page's
//! raw text. They are found outside code and raw HTML, replaced by private-use placeholders
//! that Markdown leaves alone (smart punctuation would otherwise curl the quotes of
//! shortcode arguments), and swapped for what they render to in the event stream. That
//! keeps exact line:col positions for errors.

use super::options;
use crate::content::ids::SourceId;
use crate::diagnostics::{Diagnostic, LineIndex, Span};
use crate::html::escape;
use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
use std::fmt::Write;
use std::ops::Range;
use std::path::Path;

pub(super) const PH_OPEN: char = '\u{E000}';
pub(super) const PH_CLOSE: char = '\u{E001}';

/// One inline citation item: `@id` with an optional locator.
#[derive(Debug, Clone, PartialEq)]
pub struct CiteItem {
    /// The source id.
    pub id: SourceId,
    /// `para. 4`, `p. 12`.
    pub locator: Option<String>,
    /// Where the item is.
    pub span: Span,
}

/// A parsed shortcode call.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortcode {
    /// The shortcode's name.
    pub name: String,
    /// Its arguments.
    pub args: serde_json::Map<String, serde_json::Value>,
    /// Where the call starts.
    pub span: Span,
    /// The call did not parse (reported already): it renders as nothing.
    pub malformed: bool,
}

/// A citation or a shortcode found in a page's text.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `[@a; @b, p. 4]`.
    Cite(Vec<CiteItem>),
    /// `{{ name(k="v") }}`.
    Shortcode(Shortcode),
}

/// What a citation or shortcode renders to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Piece {
    /// Its HTML.
    pub html: String,
    /// Its words in the page's text (the search index, the word count).
    pub text: String,
    /// How it sits in the text.
    pub kind: PieceKind,
}

/// How a piece sits in the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PieceKind {
    /// A citation: it hugs the word before it, so "[1]" never starts a line.
    Citation,
    /// Inline HTML (`fig`).
    #[default]
    Inline,
    /// Block HTML: alone in a paragraph it replaces the paragraph.
    Block,
}

// ---------------------------------------------------------------------------------------
// Finding them in the raw text

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
    let e = extract(body, file, body_line, diags);
    (e.text, e.tokens)
}

/// The body with its tokens replaced by placeholders, and where each token was.
pub(super) struct Extracted {
    /// The body, each token a placeholder.
    pub text: String,
    /// The tokens with their raw text, in order.
    pub tokens: Vec<(Token, String)>,
    /// Where each token is: its placeholder in `text`, its raw text in the body.
    pub at: Vec<(Range<usize>, Range<usize>)>,
}

impl Extracted {
    /// The body offset of offset `i` of `text` (a placeholder's offsets are its token's start).
    pub fn body_offset(&self, i: usize) -> usize {
        let k = self.at.partition_point(|(t, _)| t.start <= i);
        match k.checked_sub(1).map(|k| &self.at[k]) {
            None => i,
            Some((t, b)) if i < t.end => b.start,
            Some((t, b)) => b.end + (i - t.end),
        }
    }

    /// Whether token `k + 1` follows token `k` with only spaces (no blank line) between.
    pub fn adjacent(&self, body: &str, k: usize) -> bool {
        match (self.at.get(k), self.at.get(k + 1)) {
            (Some((_, a)), Some((_, b))) => {
                let gap = &body[a.end..b.start];
                gap.trim().is_empty() && gap.matches('\n').count() < 2
            }
            _ => false,
        }
    }
}

pub(super) fn extract(
    body: &str,
    file: &Path,
    body_line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Extracted {
    let skip = code_ranges(body);
    let mut out = String::with_capacity(body.len());
    let mut tokens = Vec::new();
    let mut at = Vec::new();
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
                let t0 = out.len();
                let _ = write!(out, "{PH_OPEN}{}{PH_CLOSE}", tokens.len());
                at.push((t0..out.len(), i..end));
                tokens.push((tok, body[i..end].to_string()));
                i = end;
                last = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&body[last..]);
    Extracted {
        text: out,
        tokens,
        at,
    }
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
            id: id.into(),
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

// ---------------------------------------------------------------------------------------
// Putting what they render to in the event stream

/// Placeholders `PH_OPEN n PH_CLOSE` back to token `n`'s raw text (HTML-escaped if `escape`).
pub(super) fn restore_placeholders(s: &str, raw: &[String], as_html: bool) -> String {
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

pub(super) fn placeholder_index(s: &str) -> Option<usize> {
    s.strip_prefix(PH_OPEN)?
        .strip_suffix(PH_CLOSE)?
        .parse()
        .ok()
}

/// A paragraph that holds nothing but one block shortcode is replaced by the shortcode.
pub(super) fn is_lone_block(
    events: &[(Event, Range<usize>)],
    idx: usize,
    pieces: &[Piece],
) -> bool {
    match (events.get(idx + 1), events.get(idx + 2)) {
        (Some((Event::Text(t), _)), Some((Event::End(TagEnd::Paragraph), _))) => {
            placeholder_index(t.trim())
                .is_some_and(|n| pieces.get(n).is_some_and(|p| p.kind == PieceKind::Block))
        }
        _ => false,
    }
}

/// Heading text without citations and shortcodes, for the table of contents.
pub(super) fn strip_placeholders(t: &str) -> String {
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

/// The text `t`, with each placeholder replaced by its piece's HTML, as events; the page's
/// plain text gets the words in between and each piece's own text.
pub(super) fn push_with_tokens<'a>(
    t: &str,
    pieces: &[Piece],
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
        let piece = after[..j].parse::<usize>().ok().and_then(|n| pieces.get(n));
        let is_cite = piece.is_some_and(|p| p.kind == PieceKind::Citation);
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
        if let Some(p) = piece {
            out.push(Event::InlineHtml(CowStr::from(p.html.clone())));
            plain.push_str(&p.text);
        }
        rest = &after[j + PH_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        plain.push_str(rest);
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}
