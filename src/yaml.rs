//! All YAML goes through this one function, so the parser can be swapped in one place.
//! serde_yaml is used through its maintained drop-in fork, serde_yaml_ng.

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Parse `text`, which starts at line `first_line` of `file`, into a `T`.
/// Errors carry the file, line and column, and a hint where one helps.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, Diagnostic> {
    if let Some(offset) = too_deep(text) {
        let (line, col) = crate::diagnostics::line_col(text, offset);
        return Err(Diagnostic::error(
            Span::new(file, line + first_line - 1, col),
            format!("YAML nested more than {MAX_FLOW_DEPTH} levels deep"),
        )
        .with_hint("flatten the structure"));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = strip_location(&e.to_string());
        // serde_yaml_ng names list items `.[1]`; `[1]` reads better.
        let message = match message.strip_prefix('.') {
            Some(m) if m.starts_with('[') => m.to_string(),
            _ => message,
        };
        // Errors raised by our own types (an invalid date, say) are placed at the start of
        // the mapping (after a path like `[1]: `); the offending value, quoted in the
        // message, says where it really is: its first occurrence from the mapping on.
        let from = offset_of(text, line, col);
        let found = quoted_value(&message).and_then(|v| {
            text[from..]
                .find(v)
                .map(|i| from + i)
                .or_else(|| text.find(v))
        });
        let (line, col) = match found {
            Some(offset) if (line, col) == (1, 1) || message.contains("invalid date") => {
                crate::diagnostics::line_col(text, offset)
            }
            _ => (line, col),
        };
        let mut d = Diagnostic::error(Span::new(file, line + first_line - 1, col), message.clone());
        if let Some(hint) = hint_for(&message) {
            d = d.with_hint(hint);
        }
        d
    })
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

/// Byte offset of 1-based `line` and `col` (in characters) in `text`, clamped to the text.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    text[start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i)
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
    if message.starts_with("missing field") {
        return Some("add the key; see README.md for the required keys".into());
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
        return Some(
            "check the value's type (quote text that YAML reads as a number or date)".into(),
        );
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
        date: crate::frontmatter::Date,
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
        let started = std::time::Instant::now();
        let e = parse::<serde_yaml::Value>(&deep, Path::new("d.yaml"), 1).unwrap_err();
        assert!(started.elapsed().as_secs() < 2);
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
}
