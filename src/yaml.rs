//! All YAML goes through this one function, so the parser can be swapped in one place.
//! serde_yaml is used through its maintained drop-in fork, serde_yaml_ng.

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Parse `text`, which starts at line `first_line` of `file`, into a `T`.
/// Errors carry the file, line and column (from the parser's own positions, see
/// [`Positions`]), and a hint where one helps.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, Diagnostic> {
    // A BOM is legal at the start of a YAML stream; the parser would read it as text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(offset) = too_deep(text) {
        let (line, col) = crate::diagnostics::line_col(text, offset);
        return Err(Diagnostic::error(
            Span::new(file, line + first_line - 1, col),
            format!("YAML nested more than {MAX_FLOW_DEPTH} levels deep"),
        )
        .with_hint("flatten the structure"));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let at = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let (message, (line, col)) = explain(&e.to_string(), text, at);
        let mut d = Diagnostic::error(Span::new(file, line + first_line - 1, col), message.clone());
        if let Some(hint) = hint_for(&message) {
            d = d.with_hint(hint);
        }
        d
    })
}

/// The span of the node at `path` (`figures[1].source`, `[0].id`, `title`: the paths
/// serde_yaml's messages use) in `text`, which starts at line `first_line` of `file`: its key
/// if `key` and it has one, else its value. The start of the text when there is no such node.
pub fn span_of(file: &Path, text: &str, first_line: usize, path: &str, key: bool) -> Span {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Positions::of(text).span(file, first_line, path, key)
}

/// Where one node of a YAML document is: 1-based line and column (in characters) of the key
/// that names it (none for list items and the root) and of its value, and the byte range of
/// the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Line and column of its key.
    pub key: Option<(usize, usize)>,
    /// Line and column of its value.
    pub value: (usize, usize),
    /// Byte range of its value.
    pub range: std::ops::Range<usize>,
}

/// Every node of a YAML document by path, from the events of a parser that keeps positions
/// (saphyr-parser; serde_yaml only knows the position of its own errors).
#[derive(Debug, Default)]
pub struct Positions(std::collections::HashMap<String, Node>);

impl Positions {
    /// The positions of `text`'s first document; as far as it parses.
    pub fn of(text: &str) -> Positions {
        use saphyr_parser::{Event, Parser};
        /// A collection being read: its path, and for a mapping the key of the next value.
        enum Open {
            Seq {
                path: String,
                next: usize,
            },
            Map {
                path: String,
                key: Option<(String, (usize, usize))>,
            },
        }
        let bytes = ByteOffsets::new(text);
        let mut nodes = std::collections::HashMap::new();
        let mut stack: Vec<Open> = Vec::new();
        // The path and key of the node an event starts, or None when it is a mapping's key.
        fn place(stack: &mut [Open]) -> Option<(String, Option<(usize, usize)>)> {
            match stack.last_mut() {
                None => Some((String::new(), None)),
                Some(Open::Seq { path, next }) => {
                    *next += 1;
                    Some((format!("{path}[{}]", *next - 1), None))
                }
                Some(Open::Map { path, key }) => {
                    let (k, at) = key.take()?;
                    let p = if path.is_empty() {
                        k
                    } else {
                        format!("{path}.{k}")
                    };
                    Some((p, Some(at)))
                }
            }
        }
        // Each open collection's path, key position, start position and start offset.
        type Start = (String, Option<(usize, usize)>, (usize, usize), usize);
        let mut starts: Vec<Start> = Vec::new();
        let mut parser = Parser::new_from_str(text);
        while let Some(Ok((event, span))) = parser.next_event() {
            let at = (span.start.line(), span.start.col() + 1);
            let from = bytes.of(span.start.index());
            match event {
                Event::Scalar(v, ..) => match place(&mut stack) {
                    Some((path, key)) => {
                        nodes.insert(
                            path,
                            Node {
                                key,
                                value: at,
                                range: from..bytes.of(span.end.index()),
                            },
                        );
                    }
                    None => {
                        if let Some(Open::Map { key, .. }) = stack.last_mut() {
                            *key = Some((v.to_string(), at));
                        }
                    }
                },
                Event::Alias(_) => {
                    if let Some((path, key)) = place(&mut stack) {
                        nodes.insert(
                            path,
                            Node {
                                key,
                                value: at,
                                range: from..from,
                            },
                        );
                    }
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    // A collection as a mapping key is not something our files have.
                    let (path, key) = place(&mut stack).unwrap_or_default();
                    starts.push((path.clone(), key, at, from));
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Open::Seq { path, next: 0 }
                    } else {
                        Open::Map { path, key: None }
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    stack.pop();
                    if let Some((path, key, value, from)) = starts.pop() {
                        let to = bytes.of(span.end.index()).max(from);
                        nodes.insert(
                            path,
                            Node {
                                key,
                                value,
                                range: from..to,
                            },
                        );
                    }
                }
                Event::DocumentEnd => break,
                _ => {}
            }
        }
        Positions(nodes)
    }

    /// The node at `path`.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.0.get(path)
    }

    /// See [`span_of`], for many look-ups in one text.
    pub fn span(&self, file: &Path, first_line: usize, path: &str, key: bool) -> Span {
        let (line, col) = self.get(path).map_or((1, 1), |n| match (key, n.key) {
            (true, Some(k)) => k,
            _ => n.value,
        });
        Span::new(file, line + first_line - 1, col)
    }

    /// The nodes under `path` (not itself), in document order.
    pub fn within<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        let mut under: Vec<&Node> = self
            .0
            .iter()
            .filter(|(p, _)| {
                p.len() > path.len()
                    && p.starts_with(path)
                    && (path.is_empty() || matches!(p.as_bytes()[path.len()], b'.' | b'['))
            })
            .map(|(_, n)| n)
            .collect();
        under.sort_by_key(|n| n.range.start);
        under.into_iter()
    }
}

/// Byte offsets of character indices (the parser counts characters).
struct ByteOffsets<'a> {
    text: &'a str,
    ascii: bool,
}

impl<'a> ByteOffsets<'a> {
    fn new(text: &'a str) -> Self {
        ByteOffsets {
            text,
            ascii: text.is_ascii(),
        }
    }

    fn of(&self, chars: usize) -> usize {
        if self.ascii {
            chars.min(self.text.len())
        } else {
            self.text
                .char_indices()
                .nth(chars)
                .map_or(self.text.len(), |(i, _)| i)
        }
    }
}

/// serde_yaml's message in the author's words, and where it really is (`at` is where
/// serde_yaml put it).
fn explain(raw: &str, text: &str, at: (usize, usize)) -> (String, (usize, usize)) {
    // "…, while scanning a simple key at line 2 column 1": the key without its ':' is where
    // the mistake is, not the line after it where the scanner gave up.
    if let Some(i) = raw.find(", while scanning a simple key at line ") {
        let rest = &raw[i + ", while scanning a simple key at line ".len()..];
        if let Some((l, c)) = parse_line_col(rest) {
            return (
                "this line is not a `key: value` pair (no `:` after the key)".to_string(),
                (l, c),
            );
        }
    }
    if raw.contains("found a tab character")
        || (raw.contains("found character that cannot start any token") && text.contains('\t'))
    {
        let line = raw
            .find(" at line ")
            .and_then(|i| parse_line_col(&raw[i + " at line ".len()..]))
            .unwrap_or(at);
        return ("YAML does not allow tabs for indentation".to_string(), line);
    }
    let message = strip_location(raw);
    // serde_yaml_ng names list items `.[1]`; `[1]` reads better.
    let message = match message.strip_prefix('.') {
        Some(m) if m.starts_with('[') => m.to_string(),
        _ => message,
    };
    let message = readable_types(&message);
    // Errors raised by our own types (an invalid date, say) are placed at the start of the
    // mapping named by the message's path; the offending value, quoted in the message, says
    // where in it the mistake really is.
    let path = message.split_once(": ").map(|(p, _)| p).filter(|p| {
        !p.contains(' ')
            && (p.starts_with('[') || p.chars().next().is_some_and(char::is_alphanumeric))
    });
    let positions = Positions::of(text);
    let node = path.and_then(|p| positions.get(p));
    let found = quoted_value(&message).and_then(|v| {
        // The value is one of the node's scalars, whole: a key's value, not a word in a quote.
        if let Some(p) = path {
            let whole = positions.within(p).find(|n| {
                text.get(n.range.clone())
                    .is_some_and(|t| t.trim_matches(['"', '\'']) == v)
            });
            if let Some(n) = whole {
                return Some(n.range.start);
            }
        }
        let range = node.map_or(0..text.len(), |n| n.range.clone());
        let hay = text.get(range.clone())?;
        hay.find(v).map(|i| range.start + i)
    });
    let at = match (found, node) {
        (Some(offset), _) if !message.contains("unknown field") => {
            crate::diagnostics::line_col(text, offset)
        }
        (_, Some(n)) if message.contains("invalid type") || message.contains("invalid value") => {
            n.value
        }
        _ => at,
    };
    (message, at)
}

/// "5 column 3…" -> (5, 3).
fn parse_line_col(s: &str) -> Option<(usize, usize)> {
    let (line, rest) = s.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

/// Rust's type names in serde's messages, in words: "expected i64" -> "expected an integer".
fn readable_types(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, words) in [
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a boolean", "expected true or false"),
    ] {
        if let Some(i) = m.find(rust)
            && !m[i + rust.len()..].starts_with(|c: char| c.is_alphanumeric())
        {
            m.replace_range(i..i + rust.len(), words);
        }
    }
    m
}

/// Flow collections nested deeper than this are refused before parsing: the parser's time
/// grows with the square of the depth (50,000 `[` take seconds), and serde's recursion
/// limit refuses far less anyway. Brackets in strings count too; no real text has 1,000.
const MAX_FLOW_DEPTH: usize = 1000;

/// Offset of the bracket that nests deeper than `MAX_FLOW_DEPTH`, if one does.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The first `backticked` value of a message.
fn quoted_value(message: &str) -> Option<&str> {
    let rest = &message[message.find('`')? + 1..];
    let v = &rest[..rest.find('`')?];
    (!v.is_empty()).then_some(v)
}

/// serde_yaml appends " at line L column C"; we print the position ourselves.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn hint_for(message: &str) -> Option<String> {
    // Nested values carry a path first: "figures[0]: unknown field `qoute`, ...".
    for (what, known) in [
        ("unknown field `", "known keys"),
        ("unknown variant `", "values"),
    ] {
        if let Some(i) = message.find(what) {
            let (word, rest) = message[i + what.len()..].split_once('`')?;
            let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
            return Some(match did_you_mean(word, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? ({known}: {})", expected.join(", ")),
                None => format!("{known}: {}", expected.join(", ")),
            });
        }
    }
    if let Some(i) = message.find("missing field `") {
        let field = message[i + "missing field `".len()..].split('`').next()?;
        return Some(match field {
            "title" => "every page needs `title: ...`".into(),
            "source" => "a figure needs `source:`, the id of the source (in content/sources.yaml) that states it".into(),
            "quote" => "a figure needs `quote:`, the source's exact words that state the number".into(),
            "value" => "a figure needs `value:`, the number as the source states it".into(),
            "base_url" => "site.yaml needs `base_url:`, where the site is published, e.g. https://example.org/".into(),
            f => format!("add `{f}:`; see README.md for the required keys"),
        });
    }
    if message.starts_with("YAML does not allow tabs") {
        return Some("indent with spaces".into());
    }
    if message.starts_with("this line is not a `key: value` pair") {
        return Some("write `key: value`; quote values that contain ': ' or ' #'".into());
    }
    if message.contains("invalid period") {
        return Some(
            "`period:` is the days the number covers: one date, or `{ from: ..., to: ... }`".into(),
        );
    }
    if message.contains("invalid date") {
        return Some(
            "write a date like 2022-09-21, or a datetime like 2022-09-21T10:00:00Z".into(),
        );
    }
    if message.contains("recursion limit") {
        return Some("the YAML is nested too deeply; flatten the structure".into());
    }
    if message.contains("repetition limit") {
        return Some("YAML anchors/aliases expand too far; write the values out".into());
    }
    if message.contains("invalid type") {
        let key = message
            .split(": invalid type")
            .next()
            .and_then(|p| p.rsplit(['.', ']']).next())
            .filter(|k| !k.is_empty() && !k.contains(' '))
            .unwrap_or("key");
        let example = [
            (
                "expected a whole number",
                format!("write a whole number, e.g. `{key}: 3`"),
            ),
            (
                "expected a number",
                format!("write a number, e.g. `{key}: 200000`"),
            ),
            (
                "expected a list",
                format!("write a list, e.g. `{key}: [a, b]`"),
            ),
            (
                "expected true or false",
                format!("write `{key}: true` or `{key}: false`"),
            ),
            (
                "expected a string",
                format!("quote the text, e.g. `{key}: \"...\"`"),
            ),
        ]
        .into_iter()
        .find(|(e, _)| message.contains(e))
        .map(|(_, h)| h);
        return Some(example.unwrap_or_else(|| {
            "check the value's type (quote text that YAML reads as a number or date)".into()
        }));
    }
    if message.contains("mapping values are not allowed")
        || message.contains("did not find expected")
    {
        return Some("check indentation and quote values that contain ': ' or '#'".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let e = parse::<T>("title: a\ntitel: b\n", Path::new("x.md"), 2).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (3, 1));
        assert!(e.hint.unwrap().contains("did you mean `title`"));
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct D {
        title: String,
        date: Day,
    }

    /// A type that refuses some values, as `Date` does.
    #[derive(Debug)]
    struct Day;

    impl<'de> Deserialize<'de> for Day {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = String::deserialize(d)?;
            if s.len() == 10 && !s.contains("-13-") {
                Ok(Day)
            } else {
                Err(serde::de::Error::custom(format!("invalid date `{s}`")))
            }
        }
    }

    #[test]
    fn invalid_value_points_at_the_value() {
        let e = parse::<D>("title: a\ndate: 2022-13-01\n", Path::new("x.md"), 2).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (3, 7), "{e}");
    }

    #[test]
    fn invalid_value_in_a_list_points_at_that_item() {
        let y = "- title: a\n  date: 2022-13-01\n- title: b\n  date: 2022-13-01\n";
        let e = parse::<Vec<D>>(y, Path::new("s.yaml"), 1).unwrap_err();
        assert!(e.message.starts_with("[0]: invalid date"), "{e}");
        assert_eq!((e.span.line, e.span.col), (2, 9), "{e}");
    }

    #[test]
    fn nested_unknown_keys_and_values_get_hints() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            quote: String,
            #[serde(default)]
            kind: Option<Kind>,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        enum Kind {
            #[serde(rename = "over")]
            Over,
            #[serde(rename = "nearly")]
            Nearly,
        }
        let e = parse::<Outer>("items:\n  - qoute: x\n", Path::new("x"), 1).unwrap_err();
        assert!(
            e.hint.unwrap().starts_with("did you mean `quote`?"),
            "{}",
            e.message
        );
        let e =
            parse::<Outer>("items:\n  - quote: x\n    kind: ovr\n", Path::new("x"), 1).unwrap_err();
        assert!(
            e.hint.unwrap().starts_with("did you mean `over`?"),
            "{}",
            e.message
        );
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let deep = format!("a: {}1{}\n", "[".repeat(200_000), "]".repeat(200_000));
        let e = parse::<serde_yaml::Value>(&deep, Path::new("d.yaml"), 1).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (1, 1004), "{e}");
        let e = parse::<serde_yaml::Value>("a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", Path::new("d.yaml"), 1).unwrap_err();
        assert!(e.hint.unwrap().contains("nested too deeply"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut y = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let p = (b'a' + i) as char;
            let n = (b'a' + i + 1) as char;
            y.push_str(&format!(
                "{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            ));
        }
        let r = parse::<serde_yaml::Value>(&y, Path::new("bomb.yaml"), 1);
        assert!(r.is_err());
    }

    #[test]
    fn positions_of_keys_values_and_items() {
        let y = "title: a\nfigures:\n  - id: x\n    value: 3\n  - value: 4\n    id: \"é y\"\nsources: [a, b]\n";
        let p = Positions::of(y);
        assert_eq!(p.get("title").unwrap().key, Some((1, 1)));
        assert_eq!(p.get("title").unwrap().value, (1, 8));
        assert_eq!(p.get("figures[0].id").unwrap().value, (3, 9));
        assert_eq!(p.get("figures[1].id").unwrap().key, Some((6, 5)));
        assert_eq!(p.get("figures[1]").unwrap().value, (5, 5));
        assert_eq!(p.get("sources[1]").unwrap().value, (7, 14));
        let r = p.get("figures[1].id").unwrap().range.clone();
        assert_eq!(&y[r], "\"é y\"");
    }

    #[test]
    fn author_words_for_parser_messages() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct W {
            title: String,
            #[serde(default)]
            weight: Option<i64>,
        }
        let e = parse::<W>("title: a\nweight: five\n", Path::new("x.md"), 2).unwrap_err();
        assert!(e.message.contains("expected a whole number"), "{e}");
        assert_eq!((e.span.line, e.span.col), (3, 9));
        let e = parse::<W>("title: a\n\tweight: 3\n", Path::new("x.md"), 2).unwrap_err();
        assert_eq!(e.message, "YAML does not allow tabs for indentation", "{e}");
        assert_eq!(e.span.line, 3);
        let e = parse::<W>("title: a\nfoo bar\nweight: 3\n", Path::new("x.md"), 2).unwrap_err();
        assert!(e.message.contains("not a `key: value` pair"), "{e}");
        assert_eq!((e.span.line, e.span.col), (3, 1));
        let e = parse::<W>("\u{feff}title: a\nweight: 3\n", Path::new("x.md"), 1);
        assert!(e.is_ok(), "a BOM is legal: {e:?}");
    }
}
