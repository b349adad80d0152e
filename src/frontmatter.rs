//! Splitting a Markdown file into its YAML front matter and body, and the front matter's model.

use crate::diagnostics::{Diagnostic, Span};
use crate::sources::FigureDecl;
use crate::yaml;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::Path;

/// A file cut in two. Line numbers are 1-based lines of the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    pub yaml_line: usize,
    pub body: &'a str,
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

/// A date as written in YAML: `2022-09-21` or an RFC 3339 datetime.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub day: jiff::civil::Date,
    /// As written, normalised: `2022-09-21` or `2022-09-21T10:00:00Z`.
    pub iso: String,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        // jiff reads a datetime as a date too (dropping its time): only a bare date here.
        if let Ok(day) = s.parse::<jiff::civil::Date>()
            && !s.contains(['T', 't', ' '])
        {
            return Some(Date {
                day,
                iso: day.to_string(),
            });
        }
        if let Ok(ts) = s.parse::<jiff::Timestamp>() {
            // The offset as written: the day is the author's day, and feeds keep the time.
            let offset = jiff::fmt::temporal::Pieces::parse(s)
                .ok()
                .and_then(|p| match p.offset() {
                    Some(jiff::fmt::temporal::PiecesOffset::Numeric(n)) => Some(n.offset()),
                    _ => None,
                })
                .unwrap_or(jiff::tz::Offset::UTC);
            let local = ts.to_zoned(jiff::tz::TimeZone::fixed(offset));
            let iso = if offset == jiff::tz::Offset::UTC {
                ts.to_string()
            } else {
                local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
            };
            return Some(Date {
                day: local.date(),
                iso,
            });
        }
        if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
            return Some(Date {
                day: dt.date(),
                iso: dt.to_string(),
            });
        }
        None
    }

    /// RFC 3339, for feeds and sitemaps: the datetime as written (a civil one read as UTC),
    /// or a date's midnight UTC.
    pub fn rfc3339(&self) -> String {
        if self.iso.len() <= 10 {
            return format!("{}T00:00:00Z", self.day);
        }
        let tail = &self.iso[self.iso.len().saturating_sub(6)..];
        let has_offset = self.iso.ends_with('Z')
            || (tail.starts_with(['+', '-']) && tail.as_bytes().get(3) == Some(&b':'));
        if has_offset {
            self.iso.clone()
        } else {
            format!("{}Z", self.iso)
        }
    }

    /// "21 September 2022"
    pub fn display(&self) -> String {
        self.day.strftime("%-d %B %Y").to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid date `{s}`, expected YYYY-MM-DD or an RFC 3339 datetime"
            ))
        })
    }
}

/// The keys every page and section understands.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub updated: Option<Date>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub places: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub figures: Vec<FigureDecl>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl FrontMatter {
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

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2022-09-21").unwrap().display(),
            "21 September 2022"
        );
        assert_eq!(
            Date::parse("2022-09-21T10:00:00Z").unwrap().day.to_string(),
            "2022-09-21"
        );
        assert!(Date::parse("2022-13-01").is_none());
        // The offset is kept: the day and the time are the author's.
        let d = Date::parse("2022-10-01T23:30:00-05:00").unwrap();
        assert_eq!(d.day.to_string(), "2022-10-01");
        assert_eq!(d.rfc3339(), "2022-10-01T23:30:00-05:00");
        assert_eq!(
            Date::parse("2022-10-01T10:00:00+05:00").unwrap().rfc3339(),
            "2022-10-01T10:00:00+05:00"
        );
        assert_eq!(
            Date::parse("2022-10-01T10:00:00Z").unwrap().rfc3339(),
            "2022-10-01T10:00:00Z"
        );
        assert_eq!(
            Date::parse("2022-10-01T10:00:00").unwrap().rfc3339(),
            "2022-10-01T10:00:00Z"
        );
        assert_eq!(
            Date::parse("2022-10-01").unwrap().rfc3339(),
            "2022-10-01T00:00:00Z"
        );
    }
}
