//! Figures as checked: a declaration with its qualifier and period resolved, and how it is
//! written on a page.

use super::numbers::format_number;
use crate::content::dates::Date;
use crate::content::frontmatter::{FigureDecl, PeriodDecl, Qualifier};

/// The days a figure covers, both included.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
}

impl Period {
    /// Whether the two share a day.
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
#[derive(Debug, Clone, Hash)]
pub struct Figure {
    /// The declaration.
    pub decl: FigureDecl,
    /// Its qualifier (`approx` resolved).
    pub qualifier: Qualifier,
    /// The days it covers (`as_of` as one day when there is no period).
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
    /// The figure `decl` declares, the `index`-th of the page `page`.
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

    /// Its value as written on a page ("200,000").
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

    /// The id of its row on /figures/.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
