//! Splitting a Markdown file into its YAML front matter and body, and the front matter's
//! model: the keys of a page (its figures are in `figures`).

use super::dates::Date;
use super::figures::FigureDecl;
use super::ids::SourceId;
use crate::diagnostics::{Diagnostic, Span};
use crate::yaml;
use serde::Deserialize;
use std::path::Path;

/// A file cut in two. Line numbers are 1-based lines of the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// The file's line of the YAML's first line.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// The file's line of the body's first line.
    pub body_line: usize,
}

/// Cut `text` at its `---` fences. A leading BOM is skipped; CRLF is accepted.
pub fn split<'a>(text: &'a str, file: &Path) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_fence = |line: &str| line.trim_end_matches(['\r', ' ', '\t']) == "---";
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_fence(text[..first_end].trim_end_matches('\n')) {
        return Err(Diagnostic::error(Span::file(file), "missing front matter")
            .with_hint("start the file with a line `---`, the YAML keys (at least `title:`), and another `---`"));
    }
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if is_fence(text[offset..end].trim_end_matches('\n')) {
            return Ok(Split {
                yaml: &text[first_end..offset],
                yaml_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(
        Diagnostic::error(Span::file(file), "front matter is not closed")
            .with_hint("end the YAML block with a line containing only `---`"),
    )
}

/// A page's front matter, parsed, with where it is in its file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The front matter.
    pub fm: FrontMatter,
    /// The YAML text between the fences (positions of mistakes are found in it on demand).
    pub yaml: String,
    /// The file's line of the YAML's first line, and of the body's.
    pub yaml_line: usize,
    /// The file's line of the body's first line.
    pub body_line: usize,
}

impl Parsed {
    /// Split and parse one Markdown file (`file` names it in diagnostics).
    pub fn of(text: &str, file: &Path) -> Result<Parsed, Diagnostic> {
        let split = split(text, file)?;
        let fm = FrontMatter::parse(&split, file)?;
        Ok(Parsed {
            fm,
            yaml: split.yaml.to_string(),
            yaml_line: split.yaml_line,
            body_line: split.body_line,
        })
    }

    /// The span of the front matter's node at `path` (`figures[2].source`): its value.
    pub fn span_of(&self, file: &Path, path: &str) -> Span {
        yaml::span_of(file, &self.yaml, self.yaml_line, path, false)
    }
}

/// Words of a page's text whose numbers are not figures, and why (`exemptions:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// The words, as the text has them (whitespace and quote marks may differ).
    pub text: String,
    /// Why their numbers are not figures, for the methodology page.
    pub why: String,
}

/// The keys every page and section understands.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The page's title (required).
    pub title: String,
    /// One paragraph: lists, feeds, `<meta name="description">`.
    #[serde(default)]
    pub summary: Option<String>,
    /// Publication date.
    #[serde(default)]
    pub date: Option<Date>,
    /// Last update.
    #[serde(default)]
    pub updated: Option<Date>,
    /// Pages with a weight sort by it before dated ones.
    #[serde(default)]
    pub weight: Option<i64>,
    /// Left out unless `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Replaces the file name in the URL.
    #[serde(default)]
    pub slug: Option<String>,
    /// A template instead of `page.html` / `section.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// Its tags (`/tags/<tag>/`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Its places (`/places/<place>/`).
    #[serde(default)]
    pub places: Vec<String>,
    /// Its terms of site.yaml's other taxonomies: taxonomy name -> term names.
    #[serde(default)]
    pub taxonomies: std::collections::BTreeMap<String, Vec<String>>,
    /// A section's pages per pager of its list (0: not paginated); none: site.yaml's.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// A section's own Atom feed (`<section>/atom.xml`).
    #[serde(default)]
    pub feed: bool,
    /// Sources it relies on beyond its inline citations.
    #[serde(default)]
    pub sources: Vec<SourceId>,
    /// The numbers it quotes.
    #[serde(default)]
    pub figures: Vec<FigureDecl>,
    /// Numbers in its text that are not figures, each with the reason: the check of
    /// numbers in prose leaves them alone, and `{{ exemptions() }}` lists them.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Its picture for sharing (`og:image`, JSON-LD `image`): a file beside the page, a
    /// path from the site root or an absolute URL.
    #[serde(default)]
    pub image: Option<String>,
    /// Its authors (JSON-LD `author`; site.yaml's `author` otherwise).
    #[serde(default)]
    pub authors: Vec<String>,
    /// Old paths of the page (`/old/path/`, `old.html`), each written as a redirect to it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Free data for templates (`page.extra`).
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl FrontMatter {
    /// Parse the front matter of `split` (`file` names it in diagnostics).
    pub fn parse(split: &Split<'_>, file: &Path) -> Result<FrontMatter, Diagnostic> {
        if split.yaml.trim().is_empty() {
            return Err(Diagnostic::error(
                Span::new(file, split.yaml_line, 1),
                "missing field `title`",
            )
            .with_hint("every page needs at least `title: ...` in its front matter"));
        }
        let fm: FrontMatter = yaml::parse(split.yaml, file, split.yaml_line)?;
        if fm.title.trim().is_empty() {
            return Err(Diagnostic::error(
                yaml::span_of(file, split.yaml, split.yaml_line, "title", false),
                "`title` is empty",
            )
            .with_hint("give the page a title"));
        }
        Ok(fm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_bom_and_crlf() {
        let s = split(
            "\u{feff}---\r\ntitle: a\r\n---\r\nbody\r\n",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(s.yaml, "title: a\r\n");
        assert_eq!(s.body, "body\r\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("---\ntitle: a\n", Path::new("a.md")).unwrap_err();
        assert!(e.message.contains("not closed"));
    }

    #[test]
    fn empty_body() {
        let s = split("---\ntitle: a\n---", Path::new("a.md")).unwrap();
        assert_eq!(s.body, "");
    }

    proptest::proptest! {
        /// For generated front matter with one mistake planted at a known key, the reported
        /// line and column are that key's (or its value's).
        #[test]
        fn planted_mistakes_are_reported_where_they_are(
            figures in proptest::collection::vec(
                (
                    proptest::strategy::Strategy::prop_shuffle(proptest::strategy::Just(
                        vec!["value", "unit", "place", "quote", "measure", "subject", "source"],
                    )),
                    0usize..3,
                    0usize..3,
                ),
                1..5,
            ),
            target in 0usize..5,
            typo in proptest::bool::ANY,
            lead in proptest::sample::subsequence(vec!["summary", "date", "draft"], 0..=3),
        ) {
            let target = target % figures.len();
            let mut y = String::from("title: T\n");
            for k in &lead {
                y.push_str(match *k { "summary" => "summary: \"s: t\"\n", "date" => "date: 2022-01-02\n", _ => "draft: false\n" });
            }
            y.push_str("figures:\n");
            let mut planted = (0, 0);
            for (i, (keys, id_at, drop)) in figures.iter().enumerate() {
                // `unit` and `place` are optional: leave some out.
                let mut lines: Vec<String> = keys.iter().filter(|k| !(*drop == 1 && **k == "unit" || *drop == 2 && **k == "place")).map(|k| match *k {
                    "value" => "value: 5".to_string(),
                    "unit" => "unit: people".to_string(),
                    "place" => "place: \"Upper Lars\"".to_string(),
                    "measure" => "measure: entries".to_string(),
                    "subject" => "subject: \"people: crossing\"".to_string(),
                    "source" => "source: src-a".to_string(),
                    // The bad date's text, earlier in the same figure, must not be taken for it.
                    _ => "quote: \"5 people on 2022-13-40, id: x\"".to_string(),
                }).collect();
                let at = (*id_at).min(lines.len());
                lines.insert(at, format!("id: f{i}"));
                if i == target {
                    let k = lines.len() / 2;
                    lines.insert(k, if typo { "qoute: x".to_string() } else { "as_of: 2022-13-40".to_string() });
                    let line_no = y.lines().count() + 1 + k;
                    planted = (line_no, if typo { 5 } else { 12 });
                }
                for (j, l) in lines.iter().enumerate() {
                    y.push_str(if j == 0 { "  - " } else { "    " });
                    y.push_str(l);
                    y.push('\n');
                }
            }
            let e = crate::yaml::parse::<FrontMatter>(&y, Path::new("p.md"), 1).unwrap_err();
            proptest::prop_assert_eq!((e.span.line, e.span.col), planted, "{}\n{}", e, y);
        }
    }
}
