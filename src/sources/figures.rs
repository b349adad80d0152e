//! Figures as checked: a declaration with its qualifier, interval, period and names
//! resolved, and how it is written on a page.

use super::intervals::Interval;
use super::numbers::{format_number, vague_phrase};
use crate::content::dates::Date;
use crate::content::figures::{DateDecl, FigureDecl, PeriodDecl, Qualifier, ValueDecl};

/// The days a figure covers, both included, and how certain each end is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
    /// Why the first day is this day, when the source does not give it.
    pub from_inferred: Option<String>,
    /// Why the last day is this day, when the source does not give it.
    pub to_inferred: Option<String>,
    /// It is the figure's `as_of` day (a reading on a day), not a `period:` it covers.
    pub point: bool,
}

impl Period {
    /// From one declared day to another.
    pub fn new(from: &DateDecl, to: &DateDecl, point: bool) -> Period {
        Period {
            from: from.date.clone(),
            to: to.date.clone(),
            from_inferred: from.inferred.clone(),
            to_inferred: to.inferred.clone(),
            point,
        }
    }

    /// Whether the two share a day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.from.day <= other.to.day && other.from.day <= self.to.day
    }

    /// How many days it covers (both ends included).
    pub fn days(&self) -> i64 {
        (self.to.day - self.from.day).get_days() as i64 + 1
    }

    /// Why its dates are what they are, when the source does not give them.
    pub fn inferred(&self) -> Option<String> {
        match (&self.from_inferred, &self.to_inferred) {
            (Some(a), Some(b)) if a == b || self.from.day == self.to.day => Some(a.clone()),
            (Some(a), Some(b)) => Some(format!("first day: {a}; last day: {b}")),
            (Some(a), None) => Some(format!("first day: {a}")),
            (None, Some(b)) if self.from.day == self.to.day => Some(b.clone()),
            (None, Some(b)) => Some(format!("last day: {b}")),
            (None, None) => None,
        }
    }

    /// "21 September 2022", "21–27 September 2022", "21 September – 4 October 2022"; an
    /// inferred day is "c. 4 October 2022".
    pub fn display(&self) -> String {
        let (a, b) = (self.from.day, self.to.day);
        let c = |inferred: &Option<String>| if inferred.is_some() { "c. " } else { "" };
        let (ca, cb) = (c(&self.from_inferred), c(&self.to_inferred));
        if a == b {
            let c = if ca.is_empty() { cb } else { ca };
            format!("{c}{}", self.from.display())
        } else if a.year() == b.year() && a.month() == b.month() && ca.is_empty() && cb.is_empty() {
            format!("{}–{}", a.day(), self.to.display())
        } else if a.year() == b.year() {
            format!("{ca}{} – {cb}{}", a.strftime("%-d %B"), self.to.display())
        } else {
            format!("{ca}{} – {cb}{}", self.from.display(), self.to.display())
        }
    }
}

/// A checked figure, with where it was declared.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The declaration (its place and measure as the registries name them).
    pub decl: FigureDecl,
    /// Its qualifier (`approx` resolved).
    pub qualifier: Qualifier,
    /// The values its number allows.
    pub interval: Interval,
    /// The days it covers (`as_of` as one day when there is no period).
    pub period: Option<Period>,
    /// What relations compare its place by: the registry id, or the name as written.
    pub place_key: Option<String>,
    /// What relations compare its claimant by: the registry id, or the words as written.
    pub claimant_key: Option<String>,
    /// How tables name its measure.
    pub measure_label: String,
    /// Its measure is a running total.
    pub cumulative: bool,
    /// Content-relative path of the declaring page.
    pub page: String,
    /// Its place in that page's `figures:` list (its YAML path is `figures[index]`).
    pub index: usize,
    /// The quote was found in the source's archived text (false: the source has none).
    pub verified: bool,
    /// The quote in its sentence of the archived text, when it was found there.
    pub excerpt: Option<super::quotes::Excerpt>,
}

/// The name relations compare a free-text name by: lowercased, whitespace collapsed.
pub fn name_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl std::hash::Hash for Figure {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // The interval, period and keys follow from the declaration and the registries,
        // which are hashed on their own.
        let Figure {
            decl,
            qualifier,
            interval: _,
            period,
            place_key,
            claimant_key,
            measure_label,
            cumulative,
            page,
            index,
            verified,
            // Follows from the quote and the source's archive.
            excerpt: _,
        } = self;
        (
            decl,
            qualifier,
            period,
            place_key,
            claimant_key,
            measure_label,
        )
            .hash(h);
        (cumulative, page, index, verified).hash(h);
    }
}

impl Figure {
    /// The figure `decl` declares, the `index`-th of the page `page`, with names as written
    /// (`model::build` resolves them against the registries).
    pub fn new(decl: FigureDecl, page: String, index: usize) -> Figure {
        let qualifier = decl.qualifier.unwrap_or(if decl.approx {
            Qualifier::About
        } else {
            Qualifier::Exact
        });
        let period = match (&decl.period, &decl.as_of) {
            (Some(PeriodDecl::Day(d)), _) => Some(Period::new(d, d, false)),
            (Some(PeriodDecl::Range { from, to }), _) => Some(Period::new(from, to, false)),
            (None, Some(d)) => Some(Period::new(d, d, true)),
            (None, None) => None,
        };
        Figure {
            interval: Interval::of(decl.value, qualifier),
            qualifier,
            period,
            place_key: decl.place.as_deref().map(name_key),
            claimant_key: decl.claimed_by.as_deref().map(name_key),
            measure_label: measure_label(&decl.measure),
            cumulative: false,
            decl,
            page,
            index,
            verified: false,
            excerpt: None,
        }
    }

    /// Its value as written on a page ("200,000", "tens of thousands", "10–12").
    pub fn value_display(&self) -> String {
        match self.decl.value {
            ValueDecl::One(v) => format_number(v),
            ValueDecl::Range(a, b) => match vague_phrase(a, b) {
                Some(words) => words.to_string(),
                None => format!("{}–{}", format_number(a), format_number(b)),
            },
        }
    }

    /// "over 200,000", "25,000 rubles", "10 km", "$5 a day": the number with the units
    /// that are printed with it (a counted unit, "people", is left to `count_unit` and the
    /// sentence around the figure).
    pub fn display(&self, with_unit: bool) -> String {
        let mut s = String::new();
        if self.qualifier != Qualifier::Exact {
            s.push_str(self.qualifier.word());
            s.push(' ');
        }
        let n = self.value_display();
        let unit = self.decl.unit.as_deref().unwrap_or("");
        let shown = unit_display(unit);
        let hidden = matches!(shown, UnitDisplay::Hidden) && !unit.is_empty();
        match (with_unit, shown) {
            (true, UnitDisplay::Prefix(p)) => s.push_str(&format!("{p}{n}")),
            (true, UnitDisplay::Suffix(u)) => s.push_str(&format!("{n}{u}")),
            _ => s.push_str(&n),
        }
        if let Some(per) = self.decl.per
            && with_unit
            && !hidden
        {
            s.push_str(" a ");
            s.push_str(per.name());
        }
        s
    }

    /// The counted unit `display` leaves to the sentence ("people", "people a day"), else
    /// None.
    pub fn count_unit(&self) -> Option<String> {
        let unit = self.decl.unit.as_deref().filter(|u| !u.is_empty())?;
        if !matches!(unit_display(unit), UnitDisplay::Hidden) {
            return None;
        }
        Some(match self.decl.per {
            Some(per) => format!("{unit} a {}", per.name()),
            None => unit.to_string(),
        })
    }

    /// The figure in full, for explanations: "at least 10,000 people a day", "$4,200".
    pub fn describe(&self) -> String {
        match self.count_unit() {
            Some(u) => format!("{} {u}", self.display(true)),
            None => self.display(true),
        }
    }

    /// The id of its row on /figures/.
    pub fn anchor(&self) -> String {
        format!("fig-{}", self.decl.id)
    }
}

/// "daily-entries" -> "Daily entries": measures are ids in front matter, words on pages
/// (a measures registry gives them labels of its own).
pub fn measure_label(measure: &str) -> String {
    let words = measure.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str, inferred: Option<&str>) -> DateDecl {
        DateDecl {
            date: Date::parse(s).unwrap(),
            inferred: inferred.map(str::to_string),
        }
    }

    #[test]
    fn inferred_days_are_circa() {
        let p = Period::new(
            &day("2022-09-21", None),
            &day("2022-10-04", Some("the article says 'this week'")),
            false,
        );
        assert_eq!(p.display(), "21 September – c. 4 October 2022");
        assert_eq!(p.days(), 14);
        assert_eq!(
            p.inferred().unwrap(),
            "last day: the article says 'this week'"
        );
        let q = Period::new(
            &day("2022-10-04", Some("this week")),
            &day("2022-10-04", Some("this week")),
            true,
        );
        assert_eq!(q.display(), "c. 4 October 2022");
        assert_eq!(q.inferred().unwrap(), "this week");
    }

    #[test]
    fn compact_periods() {
        let p = |a: &str, b: &str| Period::new(&day(a, None), &day(b, None), false).display();
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
}
