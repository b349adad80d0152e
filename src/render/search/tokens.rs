//! The one tokenizer of the search index. The theme's `search.js` has the same rules as one
//! regular expression (`TOKEN_RE` there); `tests/search.rs` runs both on the same strings.
//!
//! A token is a run of letters, digits and marks. Between two ASCII digits, `,` or a
//! no-break, narrow no-break or thin space followed by exactly three digits is a thousands
//! separator and joins ("98,000" is one token, normalised `98000`); `.` followed by a digit
//! is a decimal point and stays (`1.5`). Everything else splits, so "dollars" is one word
//! and never contains "lars".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_group_separator(c: char) -> bool {
    matches!(c, ',' | '\u{00A0}' | '\u{202F}' | '\u{2009}')
}

/// The byte ranges of the tokens of `text`, in order.
pub fn spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i].1) {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let mut j = i;
        loop {
            while j < chars.len() && is_word(chars[j].1) {
                j += 1;
            }
            // A separator joins only after an ASCII digit ("Lars, 300" stays two words).
            if j < chars.len() && chars[j - 1].1.is_ascii_digit() {
                let c = chars[j].1;
                let digits = chars[j + 1..]
                    .iter()
                    .take_while(|(_, d)| d.is_ascii_digit())
                    .count();
                let joins = if is_group_separator(c) {
                    digits == 3
                } else {
                    c == '.' && digits >= 1
                };
                if joins {
                    j += 1;
                    continue;
                }
            }
            break;
        }
        out.push((start, chars.get(j).map_or(text.len(), |(b, _)| *b)));
        i = j;
    }
    out
}

/// A token as it is indexed: thousands separators dropped, accents folded, lower case.
pub fn normalise(token: &str) -> String {
    if token.is_ascii() {
        return token
            .bytes()
            .filter(|&b| b != b',')
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
    }
    let bare: String = token.chars().filter(|&c| !is_group_separator(c)).collect();
    let folded: String = bare.nfkd().filter(|&c| !is_combining_mark(c)).collect();
    folded.to_lowercase()
}

/// Whether a normalised token is indexed: single letters are not, single digits are.
pub fn indexable(token: &str) -> bool {
    let mut cs = token.chars();
    match (cs.next(), cs.next()) {
        (None, _) => false,
        (Some(c), None) => c.is_numeric(),
        _ => true,
    }
}

/// The indexed tokens of `text`, normalised, in order.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    spans(text)
        .into_iter()
        .map(|(a, b)| normalise(&text[a..b]))
        .filter(|t| indexable(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        tokens(s).collect()
    }

    #[test]
    fn thousands_separators_join_digits() {
        assert_eq!(toks("98,000 people"), ["98000", "people"]);
        assert_eq!(
            toks("98\u{202F}000 and 98\u{a0}000"),
            ["98000", "and", "98000"]
        );
        assert_eq!(toks("47,368%. 1,234,567!"), ["47368", "1234567"]);
        // Not three digits after the comma: two numbers.
        assert_eq!(toks("1,00 and 12,3456"), ["1", "00", "and", "12", "3456"]);
        // A comma after a word, or an ordinary space, separates.
        assert_eq!(toks("in 2022, 300 men"), ["in", "2022", "300", "men"]);
        assert_eq!(toks("98 000"), ["98", "000"]);
    }

    #[test]
    fn decimals_stay_and_sentences_end() {
        assert_eq!(toks("1.5 m and 0.25"), ["1.5", "and", "0.25"]);
        assert_eq!(toks("end. 5"), ["end", "5"]);
        assert_eq!(toks("in 2022."), ["in", "2022"]);
    }

    #[test]
    fn words_are_whole_folded_and_lower_case() {
        assert_eq!(
            toks("Verkhny Lars, dollars"),
            ["verkhny", "lars", "dollars"]
        );
        assert_eq!(
            toks("Kazakhstan's Türkiye two-thirds"),
            ["kazakhstan", "turkiye", "two", "thirds"]
        );
        assert_eq!(toks("ВЕРХНИЙ Ларс"), ["верхнии", "ларс"]);
        // Single letters are not indexed, single digits are.
        assert_eq!(toks("a 5 b"), ["5"]);
        assert!(toks(" , . — ").is_empty());
    }

    #[test]
    fn spans_are_byte_ranges_of_the_text() {
        let s = "Öl, 98,000 ok";
        let got: Vec<&str> = spans(s).into_iter().map(|(a, b)| &s[a..b]).collect();
        assert_eq!(got, ["Öl", "98,000", "ok"]);
    }
}
