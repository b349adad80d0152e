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
    /// Words before the `@` (`see` of `[see @id]`).
    pub prefix: Option<String>,
    /// How the citation names the source.
    pub mode: CiteMode,
}

/// How a citation item names its source (Pandoc's three forms).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CiteMode {
    /// `[@id]`.
    #[default]
    Normal,
    /// `[-@id]`: without the author, who the sentence already names.
    SuppressAuthor,
    /// `@id` or `@id [p. 4]` in the sentence: the author's name is part of it.
    InText,
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
    /// A block shortcode's Markdown (between `{% name() %}` and `{% end %}`) and the file
    /// line it starts at.
    pub body: Option<(String, usize)>,
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
    let e = extract(body, file, body_line, None, diags);
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
    env: Option<&dyn super::Env>,
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
        let found = if bytes[i] == b'[' {
            parse_citation(body, i, env, &span_at, diags)
                .map(|(items, end)| (Token::Cite(items), end))
        } else if bytes[i] == b'@' && at_word_start(bytes, i) {
            in_text_citation(body, i, env, &span_at, diags)
                .map(|(items, end)| (Token::Cite(items), end))
        } else if bytes[i] == b'{' && bytes[i + 1] == b'{' {
            parse_shortcode(body, i, &span_at, diags).map(|(sc, end)| (Token::Shortcode(sc), end))
        } else if bytes[i] == b'{' && bytes[i + 1] == b'%' {
            parse_block(body, i, &span_at, diags).map(|(sc, end)| (Token::Shortcode(sc), end))
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

/// Whether the `@` at `i` starts a word: an e-mail address (`a@b.org`), a path or an
/// escaped `\@` is no citation.
fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'(')
}

/// The length of the citation key at the start of `s`: Pandoc's rule, a letter, digit or
/// `_` and then those and internal `-_.:/`; a trailing `.` or `:` ends the sentence.
fn key_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return 0;
    }
    let mut n = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || b"_-.:/".contains(c)))
        .unwrap_or(b.len());
    while n > 0 && b"-.:/".contains(&b[n - 1]) {
        n -= 1;
    }
    n
}

/// Whether `@word` that is no source looks enough like a citation to warn: a lowercase slug
/// with a `-` and a digit, the shape of source ids (`ap-2022-09-27`). A handle (`@AP`,
/// `@jdoe`) does not.
fn looks_like_source_id(word: &str) -> bool {
    word.contains('-')
        && word.bytes().any(|c| c.is_ascii_digit())
        && word
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// In-text `@id` or `@id [p. 4]` at `start`, when `id` is a source; otherwise None (and a
/// warning when it looks like one).
fn in_text_citation(
    body: &str,
    start: usize,
    env: Option<&dyn super::Env>,
    span_at: &dyn Fn(usize) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Vec<CiteItem>, usize)> {
    let env = env?;
    let rest = &body[start + 1..];
    let n = key_len(rest);
    if n == 0 {
        return None;
    }
    let id = &rest[..n];
    if !env.is_source(id) {
        if looks_like_source_id(id) {
            let hint = match crate::diagnostics::did_you_mean(id, env.source_ids()) {
                Some(s) => format!(
                    "did you mean `@{s}`? To write an @ that cites nothing, escape it: `\\@{id}`"
                ),
                None => format!(
                    "no source has the id `{id}`; to write an @ that cites nothing, escape it: `\\@{id}`"
                ),
            };
            diags.push(
                Diagnostic::warning(
                    span_at(start),
                    format!("`@{id}` looks like a citation, but no source has that id"),
                )
                .with_hint(hint),
            );
        }
        return None;
    }
    let mut end = start + 1 + n;
    let mut locator = None;
    // `@id [p. 4]`: a bracket right after it (one space at most) is its locator.
    let after = &body[end..];
    let gap = usize::from(after.starts_with(' '));
    if after[gap..].starts_with('[')
        && let Some(close) = after[gap..].find(']')
    {
        let inner = &after[gap + 1..gap + close];
        let past = end + gap + close + 1;
        if !inner.contains(['@', '[', '\n']) && !body[past..].starts_with(['(', '[']) {
            locator = Some(inner.trim().to_string()).filter(|l| !l.is_empty());
            end = past;
        }
    }
    Some((
        vec![CiteItem {
            id: id.into(),
            locator,
            span: span_at(start),
            prefix: None,
            mode: CiteMode::InText,
        }],
        end,
    ))
}

/// `[@a; @b, p. 4]`, `[see @a, ch. 2; also -@b]` starting at `start`; returns the items
/// and the end offset. A bracket that starts `[@` or `[-@` is a citation or an error; one
/// with words before its first `@` is a citation only when every id is a source (so that
/// `[cc @jdoe]` stays text).
fn parse_citation(
    body: &str,
    start: usize,
    env: Option<&dyn super::Env>,
    span_at: &dyn Fn(usize) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Vec<CiteItem>, usize)> {
    let rest = &body[start + 1..];
    let strict = rest.starts_with('@') || rest.starts_with("-@");
    // A citation may wrap onto the next line, but not across a paragraph.
    let close = rest.find([']', '['])?;
    if rest.as_bytes()[close] != b']' || rest[..close].contains("\n\n") {
        return None;
    }
    let inner = &rest[..close];
    if !strict && (env.is_none() || !inner.contains('@')) {
        return None;
    }
    let end = start + 1 + close + 1;
    // `[@x](url)` is a link, not a citation.
    if body[end..].starts_with('(') {
        return None;
    }
    let mut items = Vec::new();
    let mut offset = start + 1;
    let malformed = |at: usize| {
        Diagnostic::error(
            span_at(at),
            format!("malformed citation `{}`", &body[start..end]),
        )
        .with_hint("write citations as [@id], [@a; @b], [@id, para. 4] or [see @id, p. 4]")
    };
    for part in inner.split(';') {
        let lead = part.len() - part.trim_start().len();
        let p = part.trim();
        let at = offset + lead;
        offset += part.len() + 1;
        // The `@` that starts the key: the first at the start of a word.
        let key_at = p
            .char_indices()
            .find(|&(k, c)| {
                c == '@' && (k == 0 || matches!(p.as_bytes()[k - 1], b' ' | b'-' | b'\n'))
            })
            .map(|(k, _)| k);
        let Some(k) = key_at else {
            if !strict {
                return None;
            }
            diags.push(malformed(at));
            return Some((items, end));
        };
        let (mut prefix, mut mode) = (p[..k].trim_end(), CiteMode::Normal);
        if let Some(pre) = prefix.strip_suffix('-')
            && p[..k].ends_with('-')
        {
            prefix = pre.trim_end();
            mode = CiteMode::SuppressAuthor;
        }
        let p = &p[k + 1..];
        let (id, locator) = match p.split_once(',') {
            Some((id, loc)) => (
                id.trim(),
                Some(loc.trim().to_string()).filter(|l| !l.is_empty()),
            ),
            None => (p.trim(), None),
        };
        let bad_id = id.is_empty() || id.contains(char::is_whitespace);
        if !strict && (bad_id || !env.is_some_and(|e| e.is_source(id))) {
            return None;
        }
        if bad_id {
            diags.push(malformed(at));
            return Some((items, end));
        }
        items.push(CiteItem {
            id: id.into(),
            locator,
            span: span_at(at + k),
            prefix: Some(prefix.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty()),
            mode,
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
    parse_call(body, start, "}}", span_at, diags)
}

/// `{% name(k="v") %}` + Markdown + `{% end %}` starting at `start`: a shortcode whose
/// template gets the Markdown rendered as `body`. Blocks do not nest: the first `{% end %}`
/// closes it.
fn parse_block(
    body: &str,
    start: usize,
    span_at: &dyn Fn(usize) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Shortcode, usize)> {
    let (mut sc, open_end) = parse_call(body, start, "%}", span_at, diags)?;
    if sc.malformed {
        return Some((sc, open_end));
    }
    let Some((end_start, end_end)) = find_end(body, open_end) else {
        diags.push(
            Diagnostic::error(
                sc.span.clone(),
                format!("block shortcode `{}` is not closed", sc.name),
            )
            .with_hint(
                "end its Markdown with {% end %} (block shortcodes do not nest: the first {% end %} closes the block)",
            ),
        );
        sc.malformed = true;
        return Some((sc, open_end));
    };
    let mut b = open_end;
    for nl in ["\r\n", "\n"] {
        if body[b..end_start].starts_with(nl) {
            b += nl.len();
            break;
        }
    }
    sc.body = Some((body[b..end_start].to_string(), span_at(b).line));
    Some((sc, end_end))
}

/// The next `{% end %}` from `from`: its start and end.
fn find_end(body: &str, from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(k) = body[i..].find("{%") {
        let at = i + k;
        let mut c = Cursor {
            s: &body[at + 2..],
            i: 0,
        };
        c.ws();
        if c.ident() == Some("end") {
            c.ws();
            if c.s[c.i..].starts_with("%}") {
                return Some((at, at + 2 + c.i + 2));
            }
        }
        i = at + 2;
    }
    None
}

/// A call `name(k="v", n=1)` after the two characters at `start`, closed by `close`.
fn parse_call(
    body: &str,
    start: usize,
    close: &str,
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
            Diagnostic::error(span.clone(), msg).with_hint(if close == "}}" {
                "shortcodes look like {{ name(key=\"value\", n=3) }}"
            } else {
                "block shortcodes look like {% name(key=\"value\") %} Markdown {% end %}"
            }),
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
            return skip_shortcode(body, start, close, name, span);
        };
        p.ws();
        if !p.eat('=') {
            fail(
                format!("malformed shortcode `{name}`: expected `=` after `{key}`"),
                diags,
            );
            return skip_shortcode(body, start, close, name, span);
        }
        p.ws();
        let Some(value) = p.value() else {
            fail(
                format!("malformed shortcode `{name}`: bad value for `{key}`"),
                diags,
            );
            return skip_shortcode(body, start, close, name, span);
        };
        args.insert(key.to_string(), value);
        p.ws();
        p.eat(',');
    }
    p.ws();
    if !p.s[p.i..].starts_with(close) {
        fail(
            format!("shortcode `{name}` is not closed with `{close}`"),
            diags,
        );
        return skip_shortcode(body, start, close, name, span);
    }
    let end = start + 2 + p.i + 2;
    Some((
        Shortcode {
            name: name.to_string(),
            args,
            span,
            malformed: false,
            body: None,
        },
        end,
    ))
}

/// After a reported error, swallow the rest of the call so it does not print as text.
fn skip_shortcode(
    body: &str,
    start: usize,
    close: &str,
    name: &str,
    span: Span,
) -> Option<(Shortcode, usize)> {
    let end = body[start..]
        .find(close)
        .map_or(body.len(), |i| start + i + close.len());
    Some((
        Shortcode {
            name: name.to_string(),
            args: Default::default(),
            span,
            malformed: true,
            body: None,
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
///
/// With `split` (the text is a paragraph's, outside any inline markup), a block piece
/// closes the paragraph and the text after it opens a new one: `<p>` holds no block.
/// Returns whether it split (the empty paragraphs left are dropped by `drop_empty_paragraphs`).
pub(super) fn push_with_tokens<'a>(
    t: &str,
    pieces: &[Piece],
    out: &mut Vec<Event<'a>>,
    plain: &mut String,
    split: bool,
) -> bool {
    let mut did_split = false;
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
        match piece {
            Some(p) if split && p.kind == PieceKind::Block => {
                out.push(Event::End(TagEnd::Paragraph));
                out.push(Event::Html(CowStr::from(format!("{}\n", p.html))));
                out.push(Event::Start(Tag::Paragraph));
                plain.push('\n');
                plain.push_str(&p.text);
                plain.push('\n');
                did_split = true;
            }
            Some(p) => {
                out.push(Event::InlineHtml(CowStr::from(p.html.clone())));
                plain.push_str(&p.text);
            }
            None => {}
        }
        rest = &after[j + PH_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        plain.push_str(rest);
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
    did_split
}

/// After paragraphs were split at block pieces: the paragraphs left with nothing but
/// spaces and line breaks are dropped, and the line breaks at a paragraph's edges.
pub(super) fn drop_empty_paragraphs(out: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let blank = |e: &Event| match e {
        Event::SoftBreak | Event::HardBreak => true,
        Event::Text(t) => t.trim().is_empty(),
        _ => false,
    };
    let mut kept: Vec<Event> = Vec::with_capacity(out.len());
    for ev in out {
        match ev {
            Event::End(TagEnd::Paragraph) => {
                while kept.last().is_some_and(blank) {
                    kept.pop();
                }
                if matches!(kept.last(), Some(Event::Start(Tag::Paragraph))) {
                    kept.pop();
                } else {
                    kept.push(ev);
                }
            }
            ev if blank(&ev) && matches!(kept.last(), Some(Event::Start(Tag::Paragraph))) => {}
            ev => kept.push(ev),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{Env, References};

    /// Sources `ap-2022` and `doe`.
    struct Sources;
    impl Env for Sources {
        fn resolve(&self, _: &str) -> Option<String> {
            None
        }
        fn known_paths(&self) -> Vec<&str> {
            Vec::new()
        }
        fn cite(&self, _: &[CiteItem], _: &mut References, _: &mut Vec<Diagnostic>) -> Piece {
            Piece::default()
        }
        fn shortcode(&self, _: &Shortcode, _: &mut References, _: &mut Vec<Diagnostic>) -> Piece {
            Piece::default()
        }
        fn is_source(&self, id: &str) -> bool {
            matches!(id, "ap-2022" | "doe")
        }
        fn source_ids(&self) -> Vec<&str> {
            vec!["ap-2022", "doe"]
        }
    }

    fn cites(body: &str) -> (Vec<Vec<CiteItem>>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let e = extract(body, Path::new("p.md"), 1, Some(&Sources), &mut d);
        let items = e
            .tokens
            .into_iter()
            .filter_map(|(t, _)| match t {
                Token::Cite(items) => Some(items),
                Token::Shortcode(_) => None,
            })
            .collect();
        (items, d)
    }

    fn brief(items: &[CiteItem]) -> Vec<(String, Option<String>, Option<String>, CiteMode)> {
        items
            .iter()
            .map(|i| {
                (
                    i.id.to_string(),
                    i.prefix.clone(),
                    i.locator.clone(),
                    i.mode,
                )
            })
            .collect()
    }

    #[test]
    fn prefixes_and_locators() {
        let (c, d) =
            cites("As reported [see @ap-2022, p. 4] and [see @ap-2022, ch. 2; also @doe].");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.len(), 2);
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            brief(&c[0]),
            vec![("ap-2022".into(), s("see"), s("p. 4"), CiteMode::Normal)]
        );
        assert_eq!(
            brief(&c[1]),
            vec![
                ("ap-2022".into(), s("see"), s("ch. 2"), CiteMode::Normal),
                ("doe".into(), s("also"), None, CiteMode::Normal)
            ]
        );
        // The item's position is its `@`.
        assert_eq!(c[0][0].span.col, 18);
    }

    #[test]
    fn suppress_author() {
        let (c, d) = cites("Doe says [-@doe, p. 3] and [see -@ap-2022].");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c[0][0].mode, CiteMode::SuppressAuthor);
        assert_eq!(c[0][0].locator.as_deref(), Some("p. 3"));
        assert_eq!(c[1][0].mode, CiteMode::SuppressAuthor);
        assert_eq!(c[1][0].prefix.as_deref(), Some("see"));
    }

    #[test]
    fn in_text_with_and_without_locator() {
        let (c, d) = cites("@doe [p. 4] says so, and (@ap-2022) agrees. Also @doe.");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.len(), 3);
        assert_eq!(
            brief(&c[0]),
            vec![("doe".into(), None, Some("p. 4".into()), CiteMode::InText)]
        );
        assert_eq!(c[1][0].id.as_str(), "ap-2022");
        assert_eq!(c[1][0].locator, None);
        // A sentence's full stop is not part of the id.
        assert_eq!(c[2][0].id.as_str(), "doe");
    }

    #[test]
    fn words_with_an_at_are_not_citations() {
        // An e-mail address, a handle, an escaped @, brackets with a handle: text, no warning.
        let (c, d) =
            cites("Write to desk@doe.org or @AP or @jdoe, \\@ap-2023 and [cc @jdoe] or [see @AP].");
        assert!(c.is_empty(), "{c:?}");
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn unknown_id_that_looks_like_a_source_warns() {
        let (c, d) = cites("As @ap-2021 said, [see @ap-2023].");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d.iter()
                .all(|d| d.severity == crate::diagnostics::Severity::Warning)
        );
        assert!(d[0].message.contains("`@ap-2021` looks like a citation"));
        assert!(
            d[0].hint
                .as_deref()
                .unwrap()
                .contains("did you mean `@ap-2022`?")
        );
        assert_eq!((d[0].span.line, d[0].span.col), (1, 4));
    }

    #[test]
    fn bracket_starting_with_at_is_still_strict() {
        let (_, d) = cites("[@doe; see it]");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("malformed citation"));
    }
}
