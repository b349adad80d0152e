//! Quotes checked against the archived article: normalised comparison, the closest
//! passage for a hint, and the checks of one figure's quote.

use super::figures::Figure;
use super::numbers::{VAGUE, contains_value, spellings_in_figures};
use super::registry::Source;
use crate::content::figures::ValueDecl;

/// Lowercase, straight quotes, plain hyphens, single spaces: how quotes are compared.
pub fn normalise(s: &str) -> String {
    normalise_mapped(s, None)
}

/// `normalise`, and with `map`, for each byte of the result the offset in `s` of the
/// character it comes from.
fn normalise_mapped(s: &str, mut map: Option<&mut Vec<usize>>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for (at, c) in s.char_indices() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => '-',
            '\u{2026}' => {
                out.push_str("...");
                space = false;
                if let Some(m) = map.as_deref_mut() {
                    m.resize(out.len(), at);
                }
                continue;
            }
            c if c.is_whitespace() => {
                if !space && !out.is_empty() {
                    out.push(' ');
                }
                space = true;
                if let Some(m) = map.as_deref_mut() {
                    m.resize(out.len(), at);
                }
                continue;
            }
            c => c,
        };
        space = false;
        out.extend(c.to_lowercase());
        if let Some(m) = map.as_deref_mut() {
            m.resize(out.len(), at);
        }
    }
    if out.ends_with(' ') {
        out.pop();
        if let Some(m) = map {
            m.truncate(out.len());
        }
    }
    out
}

/// A quote in its sentence, as the archived text writes it (whitespace collapsed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Excerpt {
    /// The sentence up to the quote ("…" first when it was cut).
    pub before: String,
    /// The quoted words.
    pub quote: String,
    /// The sentence after the quote ("…" last when it was cut).
    pub after: String,
}

/// How much of the sentence an excerpt keeps on each side of the quote, in characters:
/// a short excerpt, never the whole article.
const EXCERPT_SIDE: usize = 240;

/// The sentence of `raw` (an archived text as written) that holds `quote` (normalised),
/// or none when the quote is not in it.
pub fn excerpt(raw: &str, quote: &str) -> Option<Excerpt> {
    if quote.is_empty() {
        return None;
    }
    let mut map = Vec::new();
    let norm = normalise_mapped(raw, Some(&mut map));
    let at = norm.find(quote)?;
    let start = map[at];
    let last = map[at + quote.len() - 1];
    let end = last + raw[last..].chars().next().map_or(0, char::len_utf8);
    let head = &raw[..start];
    let tail = &raw[end..];
    let before = collapse(&head[sentence_start(head)..]);
    let after = collapse(&tail[..sentence_end(tail)]);
    Some(Excerpt {
        before: cut_start(before.trim_start(), EXCERPT_SIDE),
        quote: collapse(&raw[start..end]),
        after: cut_end(after.trim_end(), EXCERPT_SIDE),
    })
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    // One space kept at either end (the loop keeps a leading one): it separates the part
    // from the quote.
    if space && !out.is_empty() {
        out.push(' ');
    }
    out
}

/// Whether the `.`, `!` or `?` at `pos` of `text` ends a sentence: followed (after closing
/// quotes or brackets) by a line break, or by a space and something that is not a digit
/// or a lowercase word ("Sept. 27", "e.g. the"), and not after an initial or a short
/// capitalised abbreviation ("Mr.", "Sept.").
fn ends_sentence(text: &str, pos: usize) -> bool {
    let rest = text[pos + 1..].trim_start_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']']);
    let Some(first) = rest.chars().next() else {
        return true;
    };
    if !first.is_whitespace() {
        return false;
    }
    if rest
        .trim_start_matches([' ', '\t'])
        .starts_with(['\n', '\r'])
    {
        return true;
    }
    let next = rest.trim_start().chars().next();
    if next.is_some_and(|c| c.is_lowercase() || c.is_ascii_digit()) {
        return false;
    }
    if text.as_bytes()[pos] == b'.' {
        let word: &str = text[..pos]
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        if word.chars().count() <= 4 && word.starts_with(char::is_uppercase) {
            return false;
        }
    }
    true
}

/// Where the sentence that `head` ends in begins.
fn sentence_start(head: &str) -> usize {
    for (pos, c) in head.char_indices().rev() {
        if c == '\n' {
            return pos + 1;
        }
        if matches!(c, '.' | '!' | '?') && ends_sentence(head, pos) {
            return pos + 1;
        }
    }
    0
}

/// Where the sentence that `tail` continues ends (after its full stop and closing quotes).
fn sentence_end(tail: &str) -> usize {
    for (pos, c) in tail.char_indices() {
        if c == '\n' {
            return pos;
        }
        if matches!(c, '.' | '!' | '?') && ends_sentence(tail, pos) {
            let rest = &tail[pos + 1..];
            let closing = rest.len()
                - rest
                    .trim_start_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']'])
                    .len();
            return pos + 1 + closing;
        }
    }
    tail.len()
}

/// The last `max` characters of `s`, from a word's start, after "…".
fn cut_start(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let from = s.char_indices().nth(n - max).map_or(0, |(i, _)| i);
    let from = s[from..].find(' ').map_or(from, |i| from + i + 1);
    format!("\u{2026}{}", &s[from..])
}

/// The first `max` characters of `s`, to a word's end, then "…".
fn cut_end(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let to = s.char_indices().nth(max).map_or(s.len(), |(i, _)| i);
    let to = s[..to].rfind(' ').unwrap_or(to);
    format!("{}\u{2026}", s[..to].trim_end_matches([',', ';', ':']))
}

/// The passage of `archive` (normalised) that looks most like `quote` (normalised):
/// word-aligned windows of about the quote's length, scored by edit distance.
pub fn closest_passage(archive: &str, quote: &str) -> String {
    let qlen = quote.len();
    if qlen == 0 || archive.is_empty() {
        return String::new();
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(archive.match_indices(' ').map(|(i, _)| i + 1))
        .collect();
    let ends: Vec<usize> = archive
        .match_indices(' ')
        .map(|(i, _)| i)
        .chain(std::iter::once(archive.len()))
        .collect();
    let (lo, hi) = (qlen * 3 / 4, qlen * 5 / 4 + 1);
    let mut best = (f64::MIN, 0, archive.len().min(qlen));
    for &s in &starts {
        let from = ends.partition_point(|&e| e < s + lo);
        for &e in ends[from..].iter().take_while(|&&e| e <= s + hi) {
            if e <= s {
                continue;
            }
            let score = strsim::normalized_levenshtein(&archive[s..e], quote);
            if score > best.0 {
                best = (score, s, e);
            }
        }
    }
    archive[best.1..best.2].to_string()
}

/// A problem with one key of a figure's declaration; the model places it (the figure's
/// YAML path is `figures[index].<key>` in its page's front matter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The key at fault.
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// Check one figure's quote against its source: the quote states the value, and it is in
/// the source's archived text (when there is one; `verified` says whether it was checked).
pub fn check_quote(fig: &mut Figure, source: &Source) -> Vec<Finding> {
    let quote = normalise(&fig.decl.quote);
    let id = &fig.decl.id;
    let mut out = Vec::new();
    if quote.is_empty() {
        out.push(Finding {
            key: "quote",
            message: format!("figure `{id}` has an empty quote"),
            hint: Some("quote the source's words that state the number".into()),
        });
        return out;
    }
    if !contains_value(&quote, fig.decl.value) {
        let hint = match fig.decl.value {
            ValueDecl::One(v) => format!(
                "quote the words that state the number (e.g. {}), or correct `value`",
                spellings_in_figures(v)
                    .into_iter()
                    .take(3)
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ValueDecl::Range(..) => format!(
                "a range's quote states both ends (\"10,000 to 12,000\") or a vague quantity: {}",
                VAGUE
                    .iter()
                    .map(|(w, lo, hi)| format!("\"{w}\" is [{lo}, {hi}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(Finding {
            key: "quote",
            message: format!(
                "the quote of figure `{id}` does not contain its value {}",
                fig.value_display()
            ),
            hint: Some(hint),
        });
    }
    match &source.archive_text {
        Some(archive) if archive.contains(&quote) => {
            fig.verified = true;
            fig.excerpt = source
                .archive_raw
                .as_deref()
                .and_then(|raw| excerpt(raw, &quote));
        }
        Some(archive) => out.push(Finding {
            key: "quote",
            message: format!(
                "the quote of figure `{id}` is not in the archived text of `{}`",
                source.id
            ),
            hint: Some(format!(
                "closest passage in the archive: \"{}\"\nquote exactly (case, whitespace, quote marks and dashes may differ)",
                closest_passage(archive, &quote)
            )),
        }),
        None => fig.verified = false,
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_quotes_and_dashes() {
        assert_eq!(normalise("“It’s  —\n here”"), "\"it's - here\"");
    }

    #[test]
    fn an_excerpt_is_the_quote_in_its_sentence_as_written() {
        let raw = "Headline\n\nPeople queue at the border, Tuesday, Sept. 27, 2022. Officials say \
                   about 98,000 Russians have crossed into Kazakhstan in the week since. \
                   Another sentence.";
        let e = excerpt(raw, &normalise("about 98,000 Russians have crossed")).unwrap();
        assert_eq!(e.before, "Officials say ");
        assert_eq!(e.quote, "about 98,000 Russians have crossed");
        assert_eq!(e.after, " into Kazakhstan in the week since.");
        // Typographic quotes and line breaks in the archive; the quote normalised.
        let raw = "He said: \u{201c}It\u{2019}s over\u{201d}, and\nleft. Then more.";
        let e = excerpt(raw, &normalise("\"It's over\", and left")).unwrap();
        assert_eq!(e.before, "He said: ");
        assert_eq!(e.quote, "\u{201c}It\u{2019}s over\u{201d}, and left");
        assert_eq!(e.after, ".");
        assert_eq!(excerpt(raw, "not there"), None);
    }

    #[test]
    fn a_long_sentence_is_cut_at_words() {
        let long = "word ".repeat(200);
        let raw = format!("{long}the quote here {long}end.");
        let e = excerpt(&raw, "the quote here").unwrap();
        assert!(e.before.starts_with('\u{2026}') && e.before.chars().count() <= EXCERPT_SIDE + 2);
        assert!(e.after.ends_with('\u{2026}') && e.after.chars().count() <= EXCERPT_SIDE + 2);
        assert!(e.before.ends_with("word ") && e.after.starts_with(" word"));
    }

    #[test]
    fn closest_passage_finds_the_near_miss() {
        let a = normalise(
            "The minister said 200,000 Russian citizens had entered his country in two weeks.",
        );
        let p = closest_passage(&a, &normalise("200,000 Russians had entered his country"));
        assert!(p.starts_with("200,000 russian"), "{p}");
    }
}
