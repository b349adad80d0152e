//! What a figure's number allows: the interval of true values its words are consistent
//! with. Two figures conflict only when their intervals are disjoint.
//!
//! The convention (README, "The figure model"):
//!
//! | written            | interval                                                    |
//! |--------------------|-------------------------------------------------------------|
//! | exact `98000`      | [97,500, 98,500]: half a unit of its last non-zero digit    |
//! | `about` X          | [0.9X, 1.1X]                                                |
//! | `over` X           | (X, 1.1X]                                                   |
//! | `nearly` X         | [0.9X, X)                                                   |
//! | `at least` X       | [X, ∞)                                                      |
//! | `up to` X          | [0, X]                                                      |
//! | range `[a, b]`     | [a, b], its ends read as the qualifier reads one number     |

use super::numbers::format_grouped;
use crate::content::figures::{Qualifier, ValueDecl};

/// An interval of the real line; an end may be open, the upper one infinite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The lower end.
    pub lo: f64,
    /// The upper end (`f64::INFINITY` for "at least").
    pub hi: f64,
    /// Whether `lo` itself is left out.
    pub lo_open: bool,
    /// Whether `hi` itself is left out.
    pub hi_open: bool,
}

impl Interval {
    /// `[lo, hi]`.
    pub fn closed(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }

    /// The values a declared number allows, by the convention above.
    pub fn of(value: ValueDecl, q: Qualifier) -> Interval {
        match value {
            ValueDecl::One(x) => one(x, q),
            ValueDecl::Range(a, b) if q == Qualifier::Exact => Interval::closed(a, b),
            ValueDecl::Range(a, b) => {
                let (lo, hi) = (one(a, q), one(b, q));
                Interval {
                    lo: lo.lo,
                    lo_open: lo.lo_open,
                    hi: hi.hi,
                    hi_open: hi.hi_open,
                }
            }
        }
    }

    /// Whether some value lies in both.
    pub fn intersects(&self, o: &Interval) -> bool {
        let (lo, lo_open) = if self.lo > o.lo || (self.lo == o.lo && self.lo_open) {
            (self.lo, self.lo_open)
        } else {
            (o.lo, o.lo_open)
        };
        let (hi, hi_open) = if self.hi < o.hi || (self.hi == o.hi && self.hi_open) {
            (self.hi, self.hi_open)
        } else {
            (o.hi, o.hi_open)
        };
        lo < hi || (lo == hi && !lo_open && !hi_open)
    }

    /// Whether every value of it is below every value of `o`.
    pub fn below(&self, o: &Interval) -> bool {
        !self.intersects(o) && self.hi <= o.lo
    }

    /// Every value times `k` (k > 0): a rate over a number of days.
    pub fn scale(&self, k: f64) -> Interval {
        Interval {
            lo: self.lo * k,
            hi: self.hi * k,
            ..*self
        }
    }

    /// The sum of a value of each: `[a, b] + [c, d] = [a + c, b + d]`.
    pub fn add(&self, o: &Interval) -> Interval {
        Interval {
            lo: self.lo + o.lo,
            hi: self.hi + o.hi,
            lo_open: self.lo_open || o.lo_open,
            hi_open: self.hi_open || o.hi_open,
        }
    }

    /// "[97,500, 98,500]", "(53,000, 58,300]", "[10,000, ∞)", "98,000" for one value.
    pub fn display(&self) -> String {
        if self.lo == self.hi && !self.lo_open && !self.hi_open {
            return num(self.lo);
        }
        format!(
            "{}{}, {}{}",
            if self.lo_open { '(' } else { '[' },
            num(self.lo),
            if self.hi.is_infinite() {
                "∞".to_string()
            } else {
                num(self.hi)
            },
            if self.hi_open || self.hi.is_infinite() {
                ')'
            } else {
                ']'
            }
        )
    }

    /// In words: "between 97,500 and 98,500", "more than 53,000 and at most 58,300",
    /// "at least 70,000".
    pub fn words(&self) -> String {
        let lo = format!(
            "{} {}",
            if self.lo_open {
                "more than"
            } else {
                "at least"
            },
            num(self.lo)
        );
        if self.hi.is_infinite() {
            return lo;
        }
        if self.lo == self.hi {
            return num(self.lo);
        }
        let hi = format!(
            "{} {}",
            if self.hi_open { "less than" } else { "at most" },
            num(self.hi)
        );
        if self.lo == 0.0 && !self.lo_open {
            hi
        } else if !self.lo_open && !self.hi_open {
            format!("between {} and {}", num(self.lo), num(self.hi))
        } else {
            format!("{lo} and {hi}")
        }
    }

    /// For the data files: `[lo, hi]` with null for infinity, and whether each end is open.
    pub fn json(&self) -> serde_json::Value {
        let n = |v: f64| {
            if v.is_finite() {
                crate::sources::numbers::json_number(v)
            } else {
                serde_json::Value::Null
            }
        };
        serde_json::json!({
            "low": n(self.lo),
            "high": n(self.hi),
            "low_open": self.lo_open,
            "high_open": self.hi_open || self.hi.is_infinite(),
        })
    }
}

/// A number for an interval's end: grouped, at most two decimals.
fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    format_grouped(r)
}

fn one(x: f64, q: Qualifier) -> Interval {
    // 0.9X and 1.1X, in order also for a negative X.
    let (a, b) = ((0.9 * x).min(1.1 * x), (0.9 * x).max(1.1 * x));
    match q {
        Qualifier::Exact => {
            let h = half_unit(x);
            Interval::closed(x - h, x + h)
        }
        Qualifier::About => Interval::closed(a, b),
        Qualifier::Over => Interval {
            lo: x,
            hi: b.max(x),
            lo_open: true,
            hi_open: false,
        },
        Qualifier::Nearly => Interval {
            lo: a.min(x),
            hi: x,
            lo_open: false,
            hi_open: true,
        },
        Qualifier::AtLeast => Interval {
            lo: x,
            hi: f64::INFINITY,
            lo_open: false,
            hi_open: true,
        },
        Qualifier::UpTo => Interval::closed(0.0_f64.min(x), x),
    }
}

/// Half a unit of the last non-zero digit of `x` as written in the shortest decimal that
/// reads back as it: 98000 -> 500, 147000 -> 500, 3.5 -> 0.05, 12 -> 0.5, 0 -> 0.
pub fn half_unit(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.0;
    }
    let s = format!("{}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let unit = if !frac.is_empty() {
        10f64.powi(-(frac.len() as i32))
    } else {
        let zeros = int.len() - int.trim_end_matches('0').len();
        10f64.powi(zeros as i32)
    };
    unit / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(x: f64, q: Qualifier) -> Interval {
        Interval::of(ValueDecl::One(x), q)
    }

    #[test]
    fn the_convention() {
        assert_eq!(iv(98_000.0, Qualifier::Exact).display(), "[97,500, 98,500]");
        assert_eq!(
            iv(147_000.0, Qualifier::Exact).display(),
            "[146,500, 147,500]"
        );
        assert_eq!(iv(3.5, Qualifier::Exact).display(), "[3.45, 3.55]");
        assert_eq!(iv(12.0, Qualifier::Exact).display(), "[11.5, 12.5]");
        assert_eq!(
            iv(100_000.0, Qualifier::About).display(),
            "[90,000, 110,000]"
        );
        assert_eq!(iv(53_000.0, Qualifier::Over).display(), "(53,000, 58,300]");
        assert_eq!(
            iv(100_000.0, Qualifier::Nearly).display(),
            "[90,000, 100,000)"
        );
        assert_eq!(iv(10_000.0, Qualifier::AtLeast).display(), "[10,000, ∞)");
        assert_eq!(iv(500.0, Qualifier::UpTo).display(), "[0, 500]");
        assert_eq!(
            Interval::of(ValueDecl::Range(10_000.0, 99_999.0), Qualifier::Exact).display(),
            "[10,000, 99,999]"
        );
        assert_eq!(iv(0.0, Qualifier::Exact).display(), "0");
    }

    #[test]
    fn rounding_is_not_a_conflict_but_a_gap_is() {
        let ap = iv(98_000.0, Qualifier::Exact);
        let wapo = iv(100_000.0, Qualifier::Nearly);
        assert!(ap.intersects(&wapo) && wapo.intersects(&ap));
        let later = iv(200_000.0, Qualifier::Exact);
        assert!(!ap.intersects(&later) && ap.below(&later) && !later.below(&ap));
    }

    #[test]
    fn open_ends_touch_but_do_not_meet() {
        let over = iv(100.0, Qualifier::Over); // (100, 110]
        let nearly = iv(100.0, Qualifier::Nearly); // [90, 100)
        assert!(!over.intersects(&nearly) && !nearly.intersects(&over));
        assert!(nearly.below(&over));
        let exact = Interval::closed(100.0, 100.0);
        assert!(!exact.intersects(&over) && !exact.intersects(&nearly));
        assert!(exact.intersects(&Interval::closed(90.0, 100.0)));
    }

    #[test]
    fn a_rate_over_a_week_against_a_total() {
        // Georgia: at least 10,000 a day for 7 days, against over 53,000 in that week.
        let rate = iv(10_000.0, Qualifier::AtLeast).scale(7.0);
        assert_eq!(rate.display(), "[70,000, ∞)");
        assert!(!rate.intersects(&iv(53_000.0, Qualifier::Over)));
        assert!(rate.intersects(&iv(75_000.0, Qualifier::About)));
    }

    #[test]
    fn in_words() {
        assert_eq!(
            iv(53_000.0, Qualifier::Over).words(),
            "more than 53,000 and at most 58,300"
        );
        assert_eq!(
            iv(10_000.0, Qualifier::AtLeast).scale(7.0).words(),
            "at least 70,000"
        );
        assert_eq!(
            iv(98_000.0, Qualifier::Exact).words(),
            "between 97,500 and 98,500"
        );
        assert_eq!(iv(500.0, Qualifier::UpTo).words(), "at most 500");
    }

    #[test]
    fn sums() {
        let s = iv(53_000.0, Qualifier::Over).add(&iv(98_000.0, Qualifier::Exact));
        assert_eq!(s.display(), "(150,500, 156,800]");
    }
}
