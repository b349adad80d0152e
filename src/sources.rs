//! Sources, figures and the checks that tie them together: the data that makes every
//! number on a dossier site traceable to an article.

use crate::content::dates::Date;
use crate::content::frontmatter::{FigureDecl, PeriodDecl, Qualifier};
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::yaml;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One article in `content/sources.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    #[serde(default)]
    pub authors: Vec<String>,
    pub published: Date,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub accessed: Option<Date>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub archive: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Its place in sources.yaml's list (its YAML path is `[index]`), for diagnostics.
    #[serde(skip)]
    pub index: usize,
    /// The archived text, normalised, when one was found.
    #[serde(skip)]
    pub archive_text: Option<String>,
}

pub use crate::content::load::SOURCES_FILE;

/// The source registry, by id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub sources: BTreeMap<String, Source>,
    pub file: PathBuf,
    /// sources.yaml did not parse: its error is reported once, not again at every citation.
    pub unreadable: bool,
    /// Ids that are not slugs: reported once at the source; citations of them (or of their
    /// slug) are not reported again.
    pub invalid_ids: Vec<String>,
}

pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

/// Where the archived article texts are.
#[derive(Debug, Clone, Default)]
pub struct Archives {
    /// The site folder: `archive:` paths are relative to it.
    pub root: PathBuf,
    /// The archive folder (`--archive-dir` or site.yaml's `archive_dir`), when it exists.
    pub dir: Option<PathBuf>,
    /// site.yaml names an archive folder that is not on this machine (a warning says so):
    /// declared archives are then not looked for, and their figures are unverified.
    pub dir_missing: bool,
}

impl Registry {
    /// Parse and validate the registry. `archive` paths are looked up relative to the site
    /// folder, then inside the archive folder (by the listed name, then as `<id>.txt`).
    pub fn parse(
        text: &str,
        file: &Path,
        archives: &Archives,
        diags: &mut Vec<Diagnostic>,
    ) -> Registry {
        let mut registry = Registry {
            file: file.to_path_buf(),
            ..Default::default()
        };
        if text.trim().is_empty() {
            return registry;
        }
        let list: Vec<Source> = match yaml::parse(text, file, 1) {
            Ok(l) => l,
            Err(e) => {
                diags.push(e);
                registry.unreadable = true;
                return registry;
            }
        };
        // Positions cost a parse of the file: made once, and only for a mistake.
        let positions = std::cell::OnceCell::new();
        let at = |path: String| {
            positions
                .get_or_init(|| yaml::Positions::of(text.strip_prefix('\u{feff}').unwrap_or(text)))
                .span(file, 1, &path, false)
        };
        for (i, mut s) in list.into_iter().enumerate() {
            s.index = i;
            let id_span = || at(format!("[{i}].id"));
            if !is_valid_id(&s.id) {
                let suggestion = slug::slugify(&s.id);
                diags.push(
                    Diagnostic::error(id_span(), format!("source id `{}` is not a slug", s.id))
                        .with_hint(if suggestion.is_empty() {
                            "use lowercase letters, digits and '-', e.g. `ap-2022-09-27`".to_string()
                        } else {
                            format!("use lowercase letters, digits and '-': `{suggestion}` (and cite it as [@{suggestion}])")
                        }),
                );
                registry.invalid_ids.push(s.id.clone());
            }
            if let Some(url) = &s.url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                diags.push(
                    Diagnostic::error(
                        at(format!("[{i}].url")),
                        format!("source `{}` has a url that is not http(s): `{url}`", s.id),
                    )
                    .with_hint("write the full address, starting with https://"),
                );
            }
            for (name, value) in [("title", &s.title), ("publisher", &s.publisher)] {
                if value.trim().is_empty() {
                    diags.push(
                        Diagnostic::error(
                            at(format!("[{i}].{name}")),
                            format!("source `{}` has an empty `{name}`", s.id),
                        )
                        .with_hint(format!("give the source's {name}")),
                    );
                }
            }
            match find_archive(&s, archives) {
                Ok(Some(path)) => match std::fs::read(&path) {
                    Ok(bytes) => s.archive_text = Some(normalise(&String::from_utf8_lossy(&bytes))),
                    Err(e) => diags.push(
                        Diagnostic::error(
                            at(format!("[{i}].archive")),
                            format!("cannot read archive {}: {e}", path.display()),
                        )
                        .with_hint("check the file's permissions"),
                    ),
                },
                Ok(None) => {}
                Err(missing) => diags.push(missing.with_span(at(format!("[{i}].archive")))),
            }
            if let Some(prev) = registry.sources.get(&s.id) {
                diags.push(
                    Diagnostic::error(id_span(), format!("duplicate source id `{}`", s.id))
                        .with_hint(format!(
                            "first defined at line {}",
                            at(format!("[{}].id", prev.index)).line
                        )),
                );
                continue;
            }
            registry.sources.insert(s.id.clone(), s);
        }
        registry
    }

    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    /// The error for a reference to an id that is not in the registry; none when the
    /// registry itself could not be read, or when the reference names (the slug of) an
    /// invalid id, whose own error says how to fix both.
    pub fn unknown(&self, id: &str, span: Span) -> Option<Diagnostic> {
        if self.unreadable
            || self
                .invalid_ids
                .iter()
                .any(|bad| bad == id || slug::slugify(bad) == id)
        {
            return None;
        }
        let hint = match did_you_mean(id, self.sources.keys().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`? Sources are listed in content/{SOURCES_FILE}"),
            None if self.sources.is_empty() => {
                format!("add it to content/{SOURCES_FILE} (there are no sources yet)")
            }
            None => format!("add it to content/{SOURCES_FILE}"),
        };
        Some(Diagnostic::error(span, format!("unknown source `{id}`")).with_hint(hint))
    }
}

/// What went wrong when looking for an archive; positioned by the caller.
struct MissingArchive(String, String);

impl MissingArchive {
    fn with_span(self, span: Span) -> Diagnostic {
        Diagnostic::error(span, self.0).with_hint(self.1)
    }
}

fn find_archive(s: &Source, archives: &Archives) -> Result<Option<PathBuf>, MissingArchive> {
    let mut candidates = Vec::new();
    if let Some(a) = &s.archive {
        candidates.push(archives.root.join(a));
        if let Some(dir) = &archives.dir {
            candidates.push(dir.join(a));
        }
    }
    if let Some(dir) = &archives.dir {
        candidates.push(dir.join(format!("{}.txt", s.id)));
    }
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(Some(found.clone()));
    }
    let Some(a) = &s.archive else {
        return Ok(None);
    };
    if archives.dir_missing {
        // The archives are elsewhere; the warning about the folder says what that means.
        return Ok(None);
    }
    // A typo in `archive:` must not quietly leave the figures unverified.
    let mut near: Vec<String> = Vec::new();
    let name = Path::new(a);
    let dirs = [
        archives.root.join(name.parent().unwrap_or(Path::new(""))),
        archives.dir.clone().unwrap_or_default(),
    ];
    for (dir, prefix) in dirs.iter().zip([
        name.parent()
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_default(),
        String::new(),
    ]) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_file() {
                let f = e.file_name().to_string_lossy().to_string();
                near.push(if prefix.is_empty() {
                    f
                } else {
                    format!("{prefix}/{f}")
                });
            }
        }
    }
    let looked = match &archives.dir {
        Some(dir) => format!("looked in the site folder and in {}", dir.display()),
        None => "looked in the site folder; pass --archive-dir or set archive_dir for a folder of archives".to_string(),
    };
    let hint = match did_you_mean(a, near.iter().map(String::as_str)) {
        Some(s) => format!(
            "did you mean `{s}`? {}{}",
            looked[..1].to_uppercase(),
            &looked[1..]
        ),
        None => looked,
    };
    Err(MissingArchive(
        format!("archive `{a}` of source `{}` not found", s.id),
        hint,
    ))
}

// ---------------------------------------------------------------------------------------
// Figures

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn overlaps(&self, other: &Period) -> bool {
        self.from.day <= other.to.day && other.from.day <= self.to.day
    }

    /// "21 September 2022", "21–27 September 2022", "21 September – 4 October 2022".
    pub fn display(&self) -> String {
        let (a, b) = (self.from.day, self.to.day);
        if a == b {
            self.from.display()
        } else if a.year() == b.year() && a.month() == b.month() {
            format!("{}–{}", a.day(), self.to.display())
        } else if a.year() == b.year() {
            format!("{} – {}", a.strftime("%-d %B"), self.to.display())
        } else {
            format!("{} – {}", self.from.display(), self.to.display())
        }
    }
}

/// A checked figure, with where it was declared.
#[derive(Debug, Clone)]
pub struct Figure {
    pub decl: FigureDecl,
    pub qualifier: Qualifier,
    pub period: Option<Period>,
    /// Content-relative path of the declaring page.
    pub page: String,
    /// Its place in that page's `figures:` list (its YAML path is `figures[index]`).
    pub index: usize,
    /// Some(true): quote found in the archive; Some(false) never survives checking;
    /// None: the source has no archive.
    pub verified: bool,
}

impl Figure {
    pub fn new(decl: FigureDecl, page: String, index: usize) -> Figure {
        let qualifier = decl.qualifier.unwrap_or(if decl.approx {
            Qualifier::About
        } else {
            Qualifier::Exact
        });
        let period = match &decl.period {
            Some(PeriodDecl::Day(d)) => Some(Period {
                from: d.clone(),
                to: d.clone(),
            }),
            Some(PeriodDecl::Range { from, to }) => Some(Period {
                from: from.clone(),
                to: to.clone(),
            }),
            None => decl.as_of.clone().map(|d| Period {
                from: d.clone(),
                to: d,
            }),
        };
        Figure {
            decl,
            qualifier,
            period,
            page,
            index,
            verified: false,
        }
    }

    pub fn value_display(&self) -> String {
        format_number(self.decl.value)
    }

    /// "over 200,000", "25,000 rubles", "10 km".
    pub fn display(&self, with_unit: bool) -> String {
        let mut s = String::new();
        if self.qualifier != Qualifier::Exact {
            s.push_str(self.qualifier.word());
            s.push(' ');
        }
        let n = self.value_display();
        let unit = self.decl.unit.as_deref().unwrap_or("");
        match (with_unit, unit_display(unit)) {
            (true, UnitDisplay::Prefix(p)) => s.push_str(&format!("{p}{n}")),
            (true, UnitDisplay::Suffix(u)) => s.push_str(&format!("{n}{u}")),
            _ => s.push_str(&n),
        }
        s
    }

    /// The unit when `display` leaves it to the sentence ("people"), else None.
    pub fn count_unit(&self) -> Option<&str> {
        let unit = self.decl.unit.as_deref()?;
        matches!(unit_display(unit), UnitDisplay::Hidden).then_some(unit)
    }

    pub fn anchor(&self) -> String {
        format!("fig-{}", self.decl.id)
    }
}

enum UnitDisplay {
    Prefix(&'static str),
    Suffix(String),
    Hidden,
}

/// Units of measure are printed with the number; counted things ("people") are left to
/// the sentence around the figure.
fn unit_display(unit: &str) -> UnitDisplay {
    match unit {
        "USD" | "usd" | "dollars" => UnitDisplay::Prefix("$"),
        "EUR" | "eur" | "euros" => UnitDisplay::Prefix("€"),
        "GBP" => UnitDisplay::Prefix("£"),
        "percent" | "%" => UnitDisplay::Suffix("%".into()),
        "km" | "kilometres" | "kilometers" | "miles" | "mi" | "m" | "hours" | "days"
        | "minutes" | "weeks" | "rubles" | "roubles" | "tenge" | "lari" | "lira" => {
            UnitDisplay::Suffix(format!(" {unit}"))
        }
        _ => UnitDisplay::Hidden,
    }
}

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
    const WORDS: [&str; 21] = [
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
        "twenty",
    ];
    if n <= 20 {
        out.push(WORDS[n as usize].to_string());
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
fn spellings_in_figures(v: f64) -> Vec<String> {
    let mut all = spellings(v);
    all.sort_by_key(|s| {
        (
            s.contains(char::is_alphabetic) || s.starts_with("0."),
            s.len(),
        )
    });
    all
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
    pub key: &'static str,
    pub message: String,
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
    if !contains_number(&quote, fig.decl.value) {
        out.push(Finding {
            key: "quote",
            message: format!(
                "the quote of figure `{id}` does not contain its value {}",
                fig.value_display()
            ),
            hint: Some(format!(
                "quote the words that state the number (e.g. {}), or correct `value`",
                spellings_in_figures(fig.decl.value)
                    .into_iter()
                    .take(3)
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
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
    fn compact_periods() {
        let p = |a: &str, b: &str| {
            Period {
                from: Date::parse(a).unwrap(),
                to: Date::parse(b).unwrap(),
            }
            .display()
        };
        assert_eq!(p("2022-09-21", "2022-09-21"), "21 September 2022");
        assert_eq!(p("2022-09-21", "2022-09-27"), "21–27 September 2022");
        assert_eq!(
            p("2022-09-21", "2022-10-04"),
            "21 September – 4 October 2022"
        );
        assert_eq!(
            p("2021-12-30", "2022-01-02"),
            "30 December 2021 – 2 January 2022"
        );
    }

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
