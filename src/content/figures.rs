//! Figures as an author declares them in front matter: the number (or a range), how the
//! source qualifies it, whether it is a rate, the days it covers and how certain those
//! dates are, who claims it, where it is said, and how it relates to other figures.

use super::dates::Date;
use super::ids::{FigureId, SourceId};
use serde::Deserialize;

/// How a source qualifies its number ("over 200,000").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
pub enum Qualifier {
    /// The number as it is.
    #[default]
    #[serde(rename = "exact")]
    Exact,
    /// "over", "more than".
    #[serde(rename = "over", alias = "more than")]
    Over,
    /// "nearly", "almost".
    #[serde(rename = "nearly", alias = "almost")]
    Nearly,
    /// "about", "around", "approximately".
    #[serde(rename = "about", alias = "around", alias = "approximately")]
    About,
    /// "at least".
    #[serde(rename = "at least")]
    AtLeast,
    /// "up to".
    #[serde(rename = "up to")]
    UpTo,
}

impl Qualifier {
    /// The word before the number (none for an exact one).
    pub fn word(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::Over => "over",
            Qualifier::Nearly => "nearly",
            Qualifier::About => "about",
            Qualifier::AtLeast => "at least",
            Qualifier::UpTo => "up to",
        }
    }
    /// Its name in the data files (`exact` for an exact one).
    pub fn name(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            q => q.word(),
        }
    }
}

/// What a rate counts per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
}

impl Per {
    /// Its name in the data files.
    pub fn name(self) -> &'static str {
        match self {
            Per::Day => "day",
            Per::Week => "week",
            Per::Month => "month",
        }
    }

    /// How many of it a span of `days` days holds (a month is 30.44 days).
    pub fn count_in(self, days: f64) -> f64 {
        match self {
            Per::Day => days,
            Per::Week => days / 7.0,
            Per::Month => days / 30.4375,
        }
    }
}

/// The number as declared: one value, or a range (`[10000, 99999]` for "tens of
/// thousands").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueDecl {
    /// One number.
    One(f64),
    /// From one number to another, both included.
    Range(f64, f64),
}

impl ValueDecl {
    /// The number a figure is drawn and sorted by: the value, or the middle of the range.
    pub fn point(self) -> f64 {
        match self {
            ValueDecl::One(v) => v,
            ValueDecl::Range(a, b) => (a + b) / 2.0,
        }
    }

    /// Whether every number of it is finite.
    pub fn is_finite(self) -> bool {
        match self {
            ValueDecl::One(v) => v.is_finite(),
            ValueDecl::Range(a, b) => a.is_finite() && b.is_finite(),
        }
    }
}

impl<'de> Deserialize<'de> for ValueDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(f64),
            Range(Vec<f64>),
        }
        match Raw::deserialize(d) {
            Ok(Raw::One(v)) => Ok(ValueDecl::One(v)),
            Ok(Raw::Range(v)) if v.len() == 2 && v[0] <= v[1] => Ok(ValueDecl::Range(v[0], v[1])),
            Ok(Raw::Range(v)) => Err(serde::de::Error::custom(format!(
                "invalid value `{v:?}`: a range is [low, high] with low <= high, e.g. [10000, 99999]"
            ))),
            Err(_) => Err(serde::de::Error::custom(
                "invalid value: expected a number like 200000 or a range like [10000, 99999]",
            )),
        }
    }
}

/// A date as declared: the day, and when the article does not give it, why it is this day
/// (`{date: 2022-10-04, inferred: "the article says 'this week'"}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateDecl {
    /// The day.
    pub date: Date,
    /// Why this day, when the source does not state it.
    pub inferred: Option<String>,
}

const DATE_HELP: &str = "expected a date like 2022-09-21, or { date: 2022-09-21, inferred: \"why this day\" } when the source does not give it";

impl<'de> Deserialize<'de> for DateDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Plain(String),
            Inferred { date: String, inferred: String },
        }
        let bad = |s: &str| serde::de::Error::custom(format!("invalid date `{s}`, {DATE_HELP}"));
        match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom(format!("invalid date, {DATE_HELP}")))?
        {
            Raw::Plain(s) => Date::parse(&s)
                .map(|date| DateDecl {
                    date,
                    inferred: None,
                })
                .ok_or_else(|| bad(&s)),
            Raw::Inferred { date, inferred } => {
                if inferred.trim().is_empty() {
                    return Err(serde::de::Error::custom(
                        "`inferred:` says why the date is this day; it is empty",
                    ));
                }
                Date::parse(&date)
                    .map(|day| DateDecl {
                        date: day,
                        inferred: Some(inferred),
                    })
                    .ok_or_else(|| bad(&date))
            }
        }
    }
}

/// A figure's `period:` as written: one day, or `{from, to}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeriodDecl {
    /// One day.
    Day(DateDecl),
    /// From one day to another, both included.
    Range {
        /// The first day.
        from: DateDecl,
        /// The last day.
        to: DateDecl,
    },
}

const PERIOD_HELP: &str =
    "expected a date like 2022-09-21 or a range like { from: 2022-09-21, to: 2022-09-27 }";

impl<'de> Deserialize<'de> for PeriodDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PeriodDecl;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(PERIOD_HELP)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PeriodDecl, E> {
                Date::parse(v)
                    .map(|date| {
                        PeriodDecl::Day(DateDecl {
                            date,
                            inferred: None,
                        })
                    })
                    .ok_or_else(|| E::custom(format!("invalid period `{v}`, {PERIOD_HELP}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PeriodDecl, E> {
                Err(E::custom(format!("invalid period `{v}`, {PERIOD_HELP}")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PeriodDecl, E> {
                Err(E::custom(format!("invalid period `{v}`, {PERIOD_HELP}")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<PeriodDecl, E> {
                Err(E::custom(format!("invalid period `{v}`, {PERIOD_HELP}")))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<PeriodDecl, E> {
                Err(E::custom(format!("invalid period `{v}`, {PERIOD_HELP}")))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<PeriodDecl, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Range {
                    from: DateDecl,
                    to: DateDecl,
                }
                let r = Range::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(PeriodDecl::Range {
                    from: r.from,
                    to: r.to,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// How two figures relate (computed, or declared by the author).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationKind {
    /// One claimant's running total read again, later.
    Update,
    /// A republished copy of the same claim.
    Repeat,
    /// Independent claims over comparable periods whose intervals intersect.
    Agree,
    /// Claims over comparable periods whose intervals are disjoint.
    Disagree,
    /// Claims that cannot both be true (a rate against a total, a shrinking running total,
    /// parts larger than their whole).
    Inconsistent,
}

impl RelationKind {
    /// Its name in relations.json.
    pub fn name(self) -> &'static str {
        match self {
            RelationKind::Update => "update",
            RelationKind::Repeat => "repeat",
            RelationKind::Agree => "agree",
            RelationKind::Disagree => "disagree",
            RelationKind::Inconsistent => "inconsistent",
        }
    }

    /// Whether it makes its figures disputed.
    pub fn disputes(self) -> bool {
        matches!(self, RelationKind::Disagree | RelationKind::Inconsistent)
    }
}

/// A relation an author declares on a figure: theirs wins over the computed one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelateDecl {
    /// The other figure.
    pub figure: FigureId,
    /// How they relate.
    pub kind: RelationKind,
    /// Why, for readers.
    #[serde(default)]
    pub note: Option<String>,
}

/// A figure as declared in front matter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureDecl {
    /// Unique across the site (a slug).
    pub id: FigureId,
    /// The number (or range) as the source states it.
    pub value: ValueDecl,
    /// Shorthand for `qualifier: about`.
    #[serde(default)]
    pub approx: bool,
    /// How the source qualifies the number.
    #[serde(default)]
    pub qualifier: Option<Qualifier>,
    /// A rate: the number is per day, week or month.
    #[serde(default)]
    pub per: Option<Per>,
    /// What it counts or measures (`people`, `km`, `USD`).
    #[serde(default)]
    pub unit: Option<String>,
    /// What kind of number it is (`entries`, `exits`, `price`).
    pub measure: String,
    /// What it is the number of, in words.
    pub subject: String,
    /// Where.
    #[serde(default)]
    pub place: Option<String>,
    /// The days it covers.
    #[serde(default)]
    pub period: Option<PeriodDecl>,
    /// The day it refers to or was stated.
    #[serde(default)]
    pub as_of: Option<DateDecl>,
    /// Who says so (a ministry, the article itself).
    #[serde(default)]
    pub claimed_by: Option<String>,
    /// The id of the source (in sources.yaml) that states it.
    pub source: SourceId,
    /// The source's exact words that state it.
    pub quote: String,
    /// Free text: caveats, how a period was read, etc.
    #[serde(default)]
    pub note: Option<String>,
    /// The figure this one is a part of (parts larger than their whole are inconsistent).
    #[serde(default)]
    pub part_of: Option<FigureId>,
    /// How it relates to other figures, in the author's words (overrides the computed
    /// relation).
    #[serde(default)]
    pub relates: Vec<RelateDecl>,
}

/// Every field is hashed (numbers by their bits): `serve` reuses a page's Markdown while the
/// hash of what it sees is the same. The destructuring fails to compile when a field is
/// added and not hashed.
impl std::hash::Hash for FigureDecl {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let FigureDecl {
            id,
            value,
            approx,
            qualifier,
            per,
            unit,
            measure,
            subject,
            place,
            period,
            as_of,
            claimed_by,
            source,
            quote,
            note,
            part_of,
            relates,
        } = self;
        match value {
            ValueDecl::One(v) => (0u8, v.to_bits()).hash(h),
            ValueDecl::Range(a, b) => (1u8, a.to_bits(), b.to_bits()).hash(h),
        }
        (id, approx, qualifier, per, unit, measure, subject).hash(h);
        (
            place, period, as_of, claimed_by, source, quote, note, part_of, relates,
        )
            .hash(h);
    }
}
