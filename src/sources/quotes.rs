//! Quotes checked against the archived article: normalised comparison, the closest
//! passage for a hint, and the checks of one figure's quote.

use super::figures::Figure;
use super::numbers::{VAGUE, contains_value, spellings_in_figures};
use super::registry::Source;
use crate::content::figures::ValueDecl;

/// Lowercase, straight quotes, plain hyphens, single spaces: how quotes are compared.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => '-',
            '\u{2026}' => {
                out.push_str("...");
                space = false;
                continue;
            }
            c if c.is_whitespace() => {
                if !space && !out.is_empty() {
                    out.push(' ');
                }
                space = true;
                continue;
            }
            c => c,
        };
        space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
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
        Some(archive) if archive.contains(&quote) => fig.verified = true,
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
    fn closest_passage_finds_the_near_miss() {
        let a = normalise(
            "The minister said 200,000 Russian citizens had entered his country in two weeks.",
        );
        let p = closest_passage(&a, &normalise("200,000 Russians had entered his country"));
        assert!(p.starts_with("200,000 russian"), "{p}");
    }
}
