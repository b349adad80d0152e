//! Dates as authors write them: a day, or a datetime with its offset.

use serde::{Deserialize, Deserializer};
use std::fmt;

/// A date as written in YAML: `2022-09-21` or an RFC 3339 datetime.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The day (in the date's own offset).
    pub day: jiff::civil::Date,
    /// As written, normalised: `2022-09-21` or `2022-09-21T10:00:00Z`.
    pub iso: String,
}

impl Date {
    /// A date or RFC 3339 datetime as written, or None.
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

#[cfg(test)]
mod tests {
    use super::*;

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
