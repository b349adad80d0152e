//! Numbers as articles write them: grouped, in words, in thousands and millions; and
//! whether a quote states a given number.

use super::quotes::normalise;

/// 200000 -> "200,000"; 1.5 -> "1.5"; 19000000 -> "19 million"; 1250000 -> "1,250,000".
pub fn format_number(v: f64) -> String {
    if v.abs() >= 1e6 && v.fract() == 0.0 && (v.abs() as u64).is_multiple_of(100_000) {
        return format!("{} million", v / 1e6);
    }
    format_grouped(v)
}

/// The number with thousands separators, never in words: "19,000,000".
pub fn format_grouped(v: f64) -> String {
    let s = format!("{}", v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let grouped = group_thousands(int, v < 0.0, ",");
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    }
}

fn group_thousands(digits: &str, negative: bool, sep: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if negative { format!("-{out}") } else { out }
}

/// The ways a number may be written in an article. A negative number's spellings all carry
/// its sign ("-5", "minus 5"): "5 people" does not state -5.
pub fn spellings(v: f64) -> Vec<String> {
    if v < 0.0 {
        let mut out: Vec<String> = spellings(-v)
            .into_iter()
            .flat_map(|s| [format!("-{s}"), format!("minus {s}")])
            .collect();
        out.sort();
        out.dedup();
        return out;
    }
    let mut out = vec![format_number(v).to_lowercase(), format_grouped(v)];
    if v.fract() != 0.0 {
        out.push(format!("{v}"));
        return out;
    }
    let n = v.abs() as u64;
    let digits = n.to_string();
    out.push(digits.clone());
    out.push(group_thousands(&digits, false, " "));
    out.push(group_thousands(&digits, false, "."));
    if n >= 1000 && n.is_multiple_of(1000) {
        let k = format_grouped((n / 1000) as f64);
        out.push(format!("{k}k"));
        out.push(format!("{k} thousand"));
        out.push(format!("{k},000"));
    }
    if n >= 100_000 && n.is_multiple_of(100_000) {
        let m = n as f64 / 1e6;
        out.push(format!("{m} million"));
        out.push(format!("{m}m"));
        out.push(format!("{m} mln"));
    }
    if n >= 100_000_000 && n.is_multiple_of(100_000_000) {
        out.push(format!("{} billion", n as f64 / 1e9));
    }
    use crate::markdown::prose::{TENS, UNITS};
    match n {
        0..=19 => out.push(UNITS[n as usize].to_string()),
        20 => out.push(TENS[0].to_string()),
        _ => {}
    }
    match n {
        100 => out.push("a hundred".into()),
        1000 => out.push("a thousand".into()),
        1_000_000 => out.push("a million".into()),
        _ => {}
    }
    out.sort();
    out.dedup();
    out
}

/// The spellings of `v` in figures first ("200000", "200 000", "200,000"), then in words.
pub(super) fn spellings_in_figures(v: f64) -> Vec<String> {
    let mut all = spellings(v);
    all.sort_by_key(|s| {
        (
            s.contains(char::is_alphabetic) || s.starts_with("0."),
            s.len(),
        )
    });
    all
}

/// Vague quantities and the ranges they stand for: a figure `value: [10000, 99999]` is
/// written "tens of thousands", and its quote may say so.
pub const VAGUE: &[(&str, f64, f64)] = &[
    ("dozens", 24.0, 99.0),
    ("hundreds", 100.0, 999.0),
    ("thousands", 1_000.0, 9_999.0),
    ("tens of thousands", 10_000.0, 99_999.0),
    ("hundreds of thousands", 100_000.0, 999_999.0),
    ("millions", 1_000_000.0, 9_999_999.0),
    ("tens of millions", 10_000_000.0, 99_999_999.0),
    ("hundreds of millions", 100_000_000.0, 999_999_999.0),
];

/// The vague phrase of exactly the range `[a, b]`, if there is one.
pub fn vague_phrase(a: f64, b: f64) -> Option<&'static str> {
    VAGUE
        .iter()
        .find(|(_, lo, hi)| *lo == a && *hi == b)
        .map(|(w, ..)| *w)
}

/// A number for JSON: an integer as `9`, not `9.0`; null for one that is not finite.
pub fn json_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Whether `text` states the declared value: the number, or for a range both its ends or
/// its vague phrase ("tens of thousands").
pub fn contains_value(text: &str, v: crate::content::figures::ValueDecl) -> bool {
    use crate::content::figures::ValueDecl;
    match v {
        ValueDecl::One(x) => contains_number(text, x),
        ValueDecl::Range(a, b) => {
            (contains_number(text, a) && contains_number(text, b))
                || vague_phrase(a, b).is_some_and(|w| {
                    let t = normalise(text);
                    t.match_indices(w).any(|(i, _)| {
                        // "tens of thousands" is not "hundreds of thousands"' tail.
                        !t[..i].ends_with(|c: char| c.is_alphanumeric())
                            && !t[..i].ends_with("hundreds of ")
                            && !t[..i].ends_with("tens of ")
                            && !t[i + w.len()..].starts_with(|c: char| c.is_alphanumeric())
                            && !t[i + w.len()..].starts_with(" of thousands")
                            && !t[i + w.len()..].starts_with(" of millions")
                    })
                })
        }
    }
}

/// Whether `text` (normalised) spells `v` somewhere, not as part of a longer number or word.
pub fn contains_number(text: &str, v: f64) -> bool {
    let text = normalise(text);
    spellings(v).iter().any(|sp| {
        text.match_indices(sp.as_str()).any(|(i, m)| {
            let before = text[..i].chars().next_back();
            let after_rest = &text[i + m.len()..];
            let mut after = after_rest.chars();
            let a = after.next();
            let a2 = after.next();
            let word = sp.chars().next().is_some_and(char::is_alphabetic);
            let ok_before = match before {
                None => true,
                Some(c) if word => !c.is_alphanumeric(),
                Some(c) => {
                    let digit_before_sep = text[..i]
                        .chars()
                        .rev()
                        .nth(1)
                        .is_some_and(|p| p.is_ascii_digit());
                    !c.is_ascii_digit() && !((c == ',' || c == '.') && digit_before_sep)
                }
            };
            let ok_after = match a {
                None => true,
                Some(c) if word => !c.is_alphanumeric(),
                Some(c) if c.is_ascii_digit() => false,
                Some(',') | Some('.') => !a2.is_some_and(|c| c.is_ascii_digit()),
                Some(_) => true,
            };
            ok_before && ok_after
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(format_number(200000.0), "200,000");
        assert_eq!(format_number(1234567.0), "1,234,567");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(999.0), "999");
        assert_eq!(format_number(19000000.0), "19 million");
        assert_eq!(format_number(1200000.0), "1.2 million");
        assert_eq!(format_number(1250000.0), "1,250,000");
        assert_eq!(format_grouped(1e15), "1,000,000,000,000,000");
        assert_eq!(format_grouped(-1234.5), "-1,234.5");
    }

    #[test]
    fn a_negative_value_needs_its_sign() {
        assert!(!contains_number("5 people", -5.0));
        assert!(contains_number("a change of -5 people", -5.0));
        assert!(contains_number("minus five", -5.0));
        assert!(contains_number("fell by −1,200", -1200.0));
    }

    #[test]
    fn finds_numbers_in_their_spellings() {
        assert!(contains_number("200,000 Russian citizens", 200000.0));
        assert!(contains_number("some 200 000 people", 200000.0));
        assert!(contains_number("about 200k men", 200000.0));
        assert!(contains_number("1.2 million", 1200000.0));
        assert!(contains_number("19 million people", 19000000.0));
        assert!(contains_number("19,000,000 people", 19000000.0));
        assert!(contains_number("a 10-mile-long line", 10.0));
        assert!(contains_number("ten hours", 10.0));
        assert!(!contains_number("100 hours", 10.0));
        assert!(!contains_number("2,000 people", 200000.0));
        assert!(!contains_number("1,200,000", 200000.0));
        assert!(contains_number("the 300,000.", 300000.0));
        assert!(!contains_number("oftentimes", 10.0));
    }

    #[test]
    fn ranges_in_their_words() {
        use crate::content::figures::ValueDecl::{One, Range};
        assert!(contains_value(
            "tens of thousands of men",
            Range(10_000.0, 99_999.0)
        ));
        assert!(!contains_value(
            "hundreds of thousands of men",
            Range(10_000.0, 99_999.0)
        ));
        assert!(contains_value(
            "hundreds of thousands of men",
            Range(100_000.0, 999_999.0)
        ));
        assert!(!contains_value(
            "thousands of millions",
            Range(1_000.0, 9_999.0)
        ));
        assert!(contains_value(
            "between 10,000 and 12,000",
            Range(10_000.0, 12_000.0)
        ));
        assert!(!contains_value("10,000 people", Range(10_000.0, 12_000.0)));
        assert!(contains_value("10,000 people", One(10_000.0)));
        assert_eq!(json_number(9.0).to_string(), "9");
        assert_eq!(json_number(2.5).to_string(), "2.5");
    }
}
