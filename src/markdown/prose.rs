//! Numbers in prose: every number a page's text states must come from a figure (`fig()`),
//! so none is typed in by hand unchecked. This finds the numbers in a run of raw Markdown
//! text: digits ("12,345", "37%", "$4,200", "3.5 million") and number words ("fourteen
//! thousand", "tens of thousands", "two-thirds"), leaving out dates ("21 September", "2022",
//! "2022-09-21"), times, ordinals ("21st", "1990s"), codes ("COVID-19", "G7"), locators
//! ("para. 19"), character references, words inside quotation marks, and, when the site
//! allows them, the small counting words one to nine.

use super::tokens::{PH_CLOSE, PH_OPEN};
use std::ops::Range;

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// The number words zero to nineteen, at their values.
pub const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
/// The number words of the tens, twenty to ninety.
pub const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: &[&str] = &[
    "hundred", "thousand", "million", "billion", "trillion", "dozen",
];
const VAGUE: &[&str] = &[
    "dozens",
    "hundreds",
    "thousands",
    "millions",
    "billions",
    "tens",
    "scores",
];
const FRACTIONS: &[&str] = &[
    "halves", "thirds", "third", "quarters", "quarter", "fourths", "fifths", "fifth", "sixths",
    "tenths",
];
/// Words after a number that make it a scaled number or a percentage.
const AFTER: &[&str] = &[
    "thousand", "million", "billion", "trillion", "percent", "mln", "bn",
];
/// Words before a number that make it a locator, not a quantity.
const LOCATORS: &[&str] = &[
    "para.",
    "paras.",
    "p.",
    "pp.",
    "paragraph",
    "page",
    "no.",
    "section",
    "chapter",
    "article",
    "figure",
    "table",
    "#",
];
/// Letters right after digits that make it a unit ("10km") rather than a code or ordinal.
const UNIT_SUFFIXES: &[&str] = &["k", "m", "bn", "mln", "km", "kg", "mi", "mph", "kmh"];

/// What a number in prose is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProseNumber {
    /// Where it is in the scanned text (bytes).
    pub range: Range<usize>,
    /// Written in digits (else in words).
    pub digits: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The word (letters, a trailing '.' kept for abbreviations) that ends right before `i`,
/// lowercased, skipping spaces.
fn word_before(s: &str, i: usize) -> String {
    let head = s[..i].trim_end();
    let start = head
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '[')
        .map_or(0, |j| {
            j + head[j..].chars().next().map_or(1, char::len_utf8)
        });
    head[start..].to_lowercase()
}

/// The word starting at `i` (letters only), lowercased.
fn word_at(s: &str, i: usize) -> (String, usize) {
    let rest = &s[i..];
    let len = rest
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(rest.len());
    (rest[..len].to_lowercase(), i + len)
}

/// The next word after spaces from `i`: (word, its start, its end).
fn next_word(s: &str, i: usize) -> Option<(String, usize, usize)> {
    let rest = &s[i..];
    let ws = rest.len() - rest.trim_start().len();
    if ws == 0 || rest[..ws].contains("\n\n") {
        return None;
    }
    let start = i + ws;
    let (w, end) = word_at(s, start);
    (!w.is_empty()).then_some((w, start, end))
}

fn is_month(w: &str) -> bool {
    MONTHS.contains(&w.trim_end_matches('.'))
}

fn unit_value(w: &str) -> Option<usize> {
    UNITS.iter().position(|u| *u == w)
}

fn is_number_word(w: &str) -> bool {
    unit_value(w).is_some() || TENS.contains(&w) || SCALES.contains(&w) || VAGUE.contains(&w)
}

/// The numbers of `s`, a run of raw Markdown text. `in_quote` carries whether the text is
/// inside quotation marks from one run to the next of a block.
pub fn numbers(s: &str, in_quote: &mut bool, allow_small_words: bool) -> Vec<ProseNumber> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().expect("in bounds");
        let next = i + c.len_utf8();
        match c {
            PH_OPEN => {
                i = s[i..]
                    .find(PH_CLOSE)
                    .map_or(s.len(), |j| i + j + PH_CLOSE.len_utf8());
                continue;
            }
            '“' | '«' | '„' => *in_quote = true,
            '”' | '»' => *in_quote = false,
            '"' => *in_quote = !*in_quote,
            '&' if s[next..].starts_with('#') => {
                i = s[i..].find(';').map_or(next, |j| i + j + 1);
                continue;
            }
            _ if *in_quote => {}
            c if c.is_ascii_digit() => {
                let prev = s[..i].chars().next_back();
                let code = prev.is_some_and(is_word_char)
                    || (prev == Some('-')
                        && s[..i - 1]
                            .chars()
                            .next_back()
                            .is_some_and(char::is_alphabetic));
                let mut end = digits_end(s, i);
                match digit_number(s, i, end).filter(|_| !code) {
                    Some(n) => {
                        end = end.max(n.range.end);
                        out.push(n);
                    }
                    // A time, a date or a code goes on: "10:30", "2022-09-21", "9/21".
                    None => {
                        while s[end..].starts_with([':', '/', '-'])
                            && s[end + 1..].starts_with(|c: char| c.is_ascii_digit())
                        {
                            end = digits_end(s, end + 1);
                        }
                    }
                }
                i = end.max(next);
                continue;
            }
            c if c.is_alphabetic() && !s[..i].chars().next_back().is_some_and(is_word_char) => {
                let (w, end) = word_at(s, i);
                if (is_number_word(&w) || w == "a" || w == "an")
                    && let Some((n, e)) = word_number(s, i, allow_small_words)
                {
                    out.push(n);
                    i = e;
                    continue;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i = next;
    }
    out
}

/// Where the digits starting at `i` end: digits, and `,` or `.` between digits.
fn digits_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    let mut j = i;
    while j < b.len() {
        if b[j].is_ascii_digit()
            || ((b[j] == b',' || b[j] == b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit))
        {
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// The number whose digits are `s[i..end]`, with its currency sign, `%` and scale word;
/// None for a date, a year, a time, an ordinal, a code or a locator.
fn digit_number(s: &str, i: usize, end: usize) -> Option<ProseNumber> {
    let digits = &s[i..end];
    let rest = &s[end..];
    // Times, dates and fractions written with ':' or '/', ISO dates.
    if rest.starts_with(':') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
        || rest.starts_with('/') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
        || s[..i].ends_with('/')
    {
        return None;
    }
    if digits.len() == 4
        && rest.starts_with('-')
        && rest.len() >= 6
        && rest.as_bytes()[1..3].iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut start = i;
    if let Some(sign) = s[..i].chars().next_back()
        && matches!(sign, '$' | '€' | '£' | '₽' | '¥')
    {
        start -= sign.len_utf8();
    }
    let currency = start < i;
    let mut stop = end;
    let (suffix, suffix_end) = word_at(s, end);
    if !suffix.is_empty() {
        if !UNIT_SUFFIXES.contains(&suffix.as_str()) {
            // "21st", "1990s", "3D", "5pm".
            return None;
        }
        stop = suffix_end;
    }
    let mut percent = false;
    if s[stop..].starts_with('%') {
        stop += 1;
        percent = true;
    }
    let mut scaled = false;
    if let Some((w, _, e)) = next_word(s, stop)
        && (AFTER.contains(&w.as_str()) || w == "per" && s[e..].trim_start().starts_with("cent"))
    {
        stop = if w == "per" {
            let after = &s[e..];
            e + (after.len() - after.trim_start().len()) + "cent".len()
        } else {
            e
        };
        scaled = true;
    }
    let plain = !currency && !percent && !scaled && suffix.is_empty();
    let value: Option<u64> = digits.parse().ok();
    // A year.
    if plain && digits.len() == 4 && value.is_some_and(|v| (1000..=2999).contains(&v)) {
        return None;
    }
    // A day of a month: "21 September", "September 21", "Sept. 21".
    if plain
        && value.is_some_and(|v| (1..=31).contains(&v))
        && (next_word(s, end).is_some_and(|(w, ..)| is_month(&w))
            || month_after_range(s, end)
            || is_month(&word_before(s, i)))
    {
        return None;
    }
    let before = word_before(s, start);
    if LOCATORS.contains(&before.as_str()) || s[..start].ends_with('#') {
        return None;
    }
    Some(ProseNumber {
        range: start..stop,
        digits: true,
    })
}

/// "21–27 September", "21 to 25 September", "21 and 22 September": the first day of a
/// range of days.
fn month_after_range(s: &str, end: usize) -> bool {
    let rest = &s[end..];
    let from = if rest.starts_with(['-', '–']) {
        end + rest.chars().next().map_or(1, char::len_utf8)
    } else {
        match next_word(s, end) {
            Some((w, _, e)) if w == "to" || w == "and" || w == "through" => {
                e + (s[e..].len() - s[e..].trim_start().len())
            }
            _ => return false,
        }
    };
    let stop = digits_end(s, from);
    stop > from && next_word(s, stop).is_some_and(|(w, ..)| is_month(&w))
}

/// A number in words starting at `i`: "fourteen thousand", "a million", "tens of
/// thousands", "twenty-one", "two-thirds". None for a lone small word (one to nine) when
/// they are allowed, and for "a"/"an" not followed by a scale.
fn word_number(s: &str, i: usize, allow_small_words: bool) -> Option<(ProseNumber, usize)> {
    let (first, mut end) = word_at(s, i);
    let mut words = vec![first.clone()];
    if first == "a" || first == "an" {
        let (w, _, e) = next_word(s, end)?;
        if !SCALES.contains(&w.as_str()) {
            return None;
        }
        words.push(w);
        end = e;
    }
    let mut fraction = false;
    loop {
        // "twenty-one", "two-thirds".
        if s[end..].starts_with('-') {
            let (w, e) = word_at(s, end + 1);
            if is_number_word(&w) {
                words.push(w);
                end = e;
                continue;
            }
            if FRACTIONS.contains(&w.as_str()) && unit_value(words.last()?).is_some() {
                fraction = true;
                end = e;
            }
            break;
        }
        let Some((w, _, e)) = next_word(s, end) else {
            break;
        };
        if is_number_word(&w) && !VAGUE.contains(&w.as_str()) || SCALES.contains(&w.as_str()) {
            words.push(w);
            end = e;
        } else if w == "and"
            && next_word(s, e)
                .is_some_and(|(n, ..)| unit_value(&n).is_some() || TENS.contains(&n.as_str()))
            && words.iter().any(|w| SCALES.contains(&w.as_str()))
        {
            end = e;
        } else if w == "of"
            && words.len() == 1
            && VAGUE.contains(&first.as_str())
            && next_word(s, e).is_some_and(|(n, ..)| VAGUE.contains(&n.as_str()))
        {
            // "tens of thousands", "hundreds of millions".
            let (n, _, e2) = next_word(s, e).expect("just seen");
            words.push(n);
            end = e2;
        } else {
            break;
        }
    }
    // "tens" and "scores" alone are not quantities ("tens of" is, above).
    if words.len() == 1 && (first == "tens" || first == "scores") {
        return None;
    }
    let small = words.len() == 1 && !fraction && unit_value(&first).is_some_and(|v| v < 10);
    if small && allow_small_words {
        return None;
    }
    // A day of a month in words is rare; "one" alone as a pronoun is a small word.
    Some((
        ProseNumber {
            range: i..end,
            digits: false,
        },
        end,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<&str> {
        found_with(s, true)
    }

    fn found_with(s: &str, small: bool) -> Vec<&str> {
        let mut q = false;
        numbers(s, &mut q, small)
            .into_iter()
            .map(|n| &s[n.range])
            .collect()
    }

    #[test]
    fn digits_of_every_form() {
        assert_eq!(
            found("About 12,345 men, 37% of them, paid $4,200 or 3.5 million rubles."),
            vec!["12,345", "37%", "$4,200", "3.5 million"]
        );
        assert_eq!(
            found("a 10km queue, 5 percent, 7 per cent"),
            vec!["10km", "5 percent", "7 per cent"]
        );
        assert_eq!(found("It fell by 200."), vec!["200"]);
    }

    #[test]
    fn dates_times_ordinals_codes_and_locators_are_not_numbers() {
        let s = "On 21 September 2022, September 21, Sept. 21 and 21–27 September, 21 to 25 \
                 September; at 10:30, \
                 2022-09-21, 9/21, the 21st, the 1990s, COVID-19, a G7 summit, para. 19, &#8212;.";
        assert_eq!(found(s), Vec::<&str>::new());
    }

    #[test]
    fn number_words() {
        assert_eq!(
            found("fourteen thousand men, tens of thousands more, a million, twenty-one days"),
            vec![
                "fourteen thousand",
                "tens of thousands",
                "a million",
                "twenty-one"
            ]
        );
        assert_eq!(
            found("two-thirds of them, hundreds of thousands"),
            vec!["two-thirds", "hundreds of thousands"]
        );
        assert_eq!(found("one hundred and five"), vec!["one hundred and five"]);
        assert_eq!(found("ten men and dozens of cars"), vec!["ten", "dozens"]);
    }

    #[test]
    fn small_words_as_the_site_chooses() {
        assert_eq!(found("three men and one woman"), Vec::<&str>::new());
        assert_eq!(
            found_with("three men and one woman", false),
            vec!["three", "one"]
        );
        assert_eq!(
            found("a man, an hour, someone, often, tense"),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn quotations_are_the_source_s_words() {
        assert_eq!(
            found("He said “12,000 crossed” and 500 waited."),
            vec!["500"]
        );
        assert_eq!(
            found("He said \"12,000 crossed\" and 500 waited."),
            vec!["500"]
        );
        let mut q = false;
        assert!(numbers("“It was 5,000", &mut q, true).is_empty());
        assert!(q);
        assert!(numbers("and more", &mut q, true).is_empty());
        assert_eq!(numbers("” then 7,000", &mut q, true).len(), 1);
    }

    #[test]
    fn placeholders_are_skipped() {
        let s = format!("over {PH_OPEN}12{PH_CLOSE} people");
        assert_eq!(found(&s), Vec::<&str>::new());
    }
}
