//! How figures relate: computed from their places, measures, units, periods, claimants,
//! sources and intervals, or declared by the author (whose word wins).
//!
//! Figures are compared within one place (or a place and the places within it), measure
//! and unit. Two periods are *comparable* when both are `period:`s (or both `as_of` days)
//! whose first days and last days are each within a day of the other's.
//!
//! - `repeat`: comparable, intervals intersect, and either one source republishes the
//!   other's text (or both carry one text), or both report one claimant: one claim, not
//!   two.
//! - `agree`: comparable, independent claimants, intervals intersect.
//! - `disagree`: comparable and intervals disjoint.
//! - `update`: one claimant's running total (a cumulative measure) read again: the same
//!   first day, a later last day. Readings are chained in order of their last day.
//! - `inconsistent`: cannot both be true: a rate times the days of a comparable period
//!   against a total; a running total that shrinks; a place's figure larger than the
//!   figure of a place it is within; parts (`part_of:`) that add up to more than their
//!   whole.
//!
//! Figures whose periods are not comparable are not related. A figure is *disputed* when
//! it is in a `disagree` or `inconsistent` relation.

use super::figures::{Figure, Period};
use super::intervals::Interval;
use super::names::Vocabulary;
use super::registry::Registry;
use crate::content::figures::{Per, RelationKind};
use crate::content::ids::FigureId;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Two or more figures and how they relate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Relation {
    /// How.
    pub kind: RelationKind,
    /// The figures: an update's readings in order, a part-of relation's whole first.
    pub figures: Vec<FigureId>,
    /// The author declared it (`relates:`).
    pub declared: bool,
    /// The author's note.
    pub note: Option<String>,
    /// Why, in one line a reader can check: the intervals and the periods.
    pub why: String,
}

/// Every relation of a site's figures, and the figures they dispute.
#[derive(Debug, Clone, Default, Hash)]
pub struct Relations {
    /// In order of kind, then of the figures' ids.
    pub list: Vec<Relation>,
    /// The figures in a `disagree` or `inconsistent` relation.
    pub disputed: BTreeSet<FigureId>,
}

impl Relations {
    /// Whether the figure is in a `disagree` or `inconsistent` relation.
    pub fn is_disputed(&self, id: &str) -> bool {
        self.disputed.contains(id)
    }
}

/// A figure's days as numbers, for comparisons.
#[derive(Clone, Copy)]
struct Days {
    from: i64,
    to: i64,
    point: bool,
}

fn day_number(d: jiff::civil::Date) -> i64 {
    i64::from((d - jiff::civil::date(1970, 1, 1)).get_days())
}

fn days(p: &Period) -> Days {
    Days {
        from: day_number(p.from.day),
        to: day_number(p.to.day),
        point: p.point,
    }
}

/// Both `period:`s with the same first day and last days within a day of each other
/// ("since the 21st", read on the 27th and the 28th), or both `as_of` the same day. A
/// day's series of daily counts is never comparable with the next day's.
fn comparable(a: Days, b: Days) -> bool {
    a.point == b.point && a.from == b.from && (a.to - b.to).abs() <= 1
}

/// What relates the figures: their sources' registry (who republishes whom) and places.
struct Ctx<'a> {
    registry: &'a Registry,
    vocab: &'a Vocabulary,
}

impl Ctx<'_> {
    /// The source whose text a figure's source carries (itself when it republishes none).
    fn root_source<'f>(&'f self, f: &'f Figure) -> &'f str {
        let mut id = f.decl.source.as_str();
        for _ in 0..16 {
            match self.registry.get(id).and_then(|s| s.republishes.as_deref()) {
                Some(r) => id = r,
                None => break,
            }
        }
        id
    }

    /// "AP", or the publisher.
    fn source_name(&self, f: &Figure) -> String {
        self.registry
            .get(&f.decl.source)
            .map(|s| s.short.clone().unwrap_or_else(|| s.publisher.clone()))
            .unwrap_or_else(|| f.decl.source.to_string())
    }
}

/// A rate's interval per day (a total's as it is).
fn per_day(f: &Figure) -> Interval {
    match f.decl.per {
        Some(p) => f.interval.scale(p.count_in(1.0)),
        None => f.interval,
    }
}

fn period_words(f: &Figure) -> String {
    f.period.as_ref().map(Period::display).unwrap_or_default()
}

/// How two figures of one place, measure and unit with comparable periods relate.
fn classify(a: &Figure, b: &Figure, ctx: &Ctx) -> Option<(RelationKind, String)> {
    let when = period_words(a);
    match (a.decl.per, b.decl.per) {
        (Some(_), Some(_)) | (None, None) => {
            let (ia, ib) = (per_day(a), per_day(b));
            let one_text = ctx.root_source(a) == ctx.root_source(b);
            let same_claimant = a.claimant_key.is_some() && a.claimant_key == b.claimant_key;
            if ia.intersects(&ib) {
                if one_text && a.decl.source != b.decl.source {
                    let (copy, original) = if ctx.root_source(a) == a.decl.source.as_str() {
                        (b, a)
                    } else {
                        (a, b)
                    };
                    return Some((
                        RelationKind::Repeat,
                        format!(
                            "{} carries {}'s text: one claim, not a second count",
                            ctx.source_name(copy),
                            ctx.source_name(original)
                        ),
                    ));
                }
                if same_claimant || one_text {
                    return Some((
                        RelationKind::Repeat,
                        format!(
                            "one claim{} for {when}, reported {}: {} and {} overlap",
                            a.decl
                                .claimed_by
                                .as_deref()
                                .map(|c| format!(" ({c})"))
                                .unwrap_or_default(),
                            if one_text {
                                "twice in one text"
                            } else {
                                "by two sources"
                            },
                            a.describe(),
                            b.describe()
                        ),
                    ));
                }
                return Some((
                    RelationKind::Agree,
                    format!(
                        "independent claims for {when} that overlap: {} allows {}, {} allows {}",
                        a.describe(),
                        a.interval.display(),
                        b.describe(),
                        b.interval.display()
                    ),
                ));
            }
            Some((
                RelationKind::Disagree,
                format!(
                    "for {when}, {} is {} and {} is {}: no number is both",
                    a.describe(),
                    ia_words(a),
                    b.describe(),
                    ia_words(b)
                ),
            ))
        }
        (Some(per), None) => rate_against_total(a, per, b),
        (None, Some(per)) => rate_against_total(b, per, a),
    }
}

fn ia_words(f: &Figure) -> String {
    f.interval.words()
}

/// A rate over its period against a total over a comparable one.
fn rate_against_total(rate: &Figure, per: Per, total: &Figure) -> Option<(RelationKind, String)> {
    let p = rate.period.as_ref()?;
    if p.point {
        return None;
    }
    let n = p.days();
    let over = rate.interval.scale(per.count_in(n as f64));
    let facts = format!(
        "{} over the {n} days of {} is {}; {} is {}",
        rate.describe(),
        p.display(),
        over.words(),
        total.describe(),
        total.interval.words()
    );
    Some(if over.intersects(&total.interval) {
        (RelationKind::Agree, facts)
    } else {
        (RelationKind::Inconsistent, facts)
    })
}

/// The group figures are compared in: place, measure, unit.
type GroupKey<'a> = (&'a str, &'a str, String);

fn group_key(f: &Figure) -> Option<GroupKey<'_>> {
    Some((
        f.place_key.as_deref().unwrap_or(""),
        f.decl.measure.as_str(),
        f.decl.unit.as_deref().unwrap_or("").to_lowercase(),
    ))
}

/// The figures of one group with periods, bucketed by first day, each bucket sorted by
/// last day.
struct Buckets<'f> {
    by_start: BTreeMap<i64, Vec<(Days, &'f Figure)>>,
}

impl<'f> Buckets<'f> {
    fn new(figs: &[&'f Figure]) -> Buckets<'f> {
        let mut by_start: BTreeMap<i64, Vec<(Days, &Figure)>> = BTreeMap::new();
        for f in figs {
            if let Some(p) = &f.period
                && p.from.day <= p.to.day
            {
                let d = days(p);
                by_start.entry(d.from).or_default().push((d, f));
            }
        }
        for b in by_start.values_mut() {
            b.sort_by(|x, y| (x.0.to, &x.1.decl.id).cmp(&(y.0.to, &y.1.decl.id)));
        }
        Buckets { by_start }
    }

    /// The figures whose periods are comparable with `d`.
    fn comparable_with(&self, d: Days) -> impl Iterator<Item = &'f Figure> + '_ {
        let b: &[(Days, &Figure)] = self.by_start.get(&d.from).map_or(&[], Vec::as_slice);
        let lo = b.partition_point(|x| x.0.to < d.to - 1);
        let hi = b.partition_point(|x| x.0.to <= d.to + 1);
        b[lo..hi]
            .iter()
            .filter(move |x| comparable(x.0, d))
            .map(|x| x.1)
    }
}

/// Every relation of `figures`: computed, then the declared ones in their place.
pub fn relate(
    figures: &BTreeMap<FigureId, Figure>,
    registry: &Registry,
    vocab: &Vocabulary,
) -> Relations {
    let ctx = Ctx { registry, vocab };
    let mut groups: BTreeMap<GroupKey, Vec<&Figure>> = BTreeMap::new();
    for f in figures.values() {
        if let Some(k) = group_key(f) {
            groups.entry(k).or_default().push(f);
        }
    }
    let buckets: HashMap<&GroupKey, Buckets> = groups
        .iter()
        .map(|(k, figs)| (k, Buckets::new(figs)))
        .collect();
    let mut found: Vec<Relation> = Vec::new();
    let computed = |kind, a: &Figure, b: &Figure, why| Relation {
        kind,
        figures: vec![a.decl.id.clone(), b.decl.id.clone()],
        declared: false,
        note: None,
        why,
    };
    for (key, figs) in &groups {
        let b = &buckets[key];
        // Pairs with comparable periods, each once (the smaller id first).
        for a in figs {
            let Some(d) = a
                .period
                .as_ref()
                .filter(|p| p.from.day <= p.to.day)
                .map(days)
            else {
                continue;
            };
            for other in b.comparable_with(d) {
                if other.decl.id <= a.decl.id {
                    continue;
                }
                if let Some((kind, why)) = classify(a, other, &ctx) {
                    found.push(computed(kind, a, other, why));
                }
            }
        }
        found.extend(series(figs, &ctx));
        // A place's figures against those of the places it is within.
        for a in figs {
            let (Some(place), Some(p)) = (&a.place_key, &a.period) else {
                continue;
            };
            for up in ctx.vocab.ancestors(place) {
                let k = (up, key.1, key.2.clone());
                let Some(ub) = buckets.get(&k) else { continue };
                for whole in ub.comparable_with(days(p)) {
                    if a.decl.per != whole.decl.per {
                        continue;
                    }
                    if whole.interval.below(&a.interval) {
                        found.push(Relation {
                            kind: RelationKind::Inconsistent,
                            figures: vec![whole.decl.id.clone(), a.decl.id.clone()],
                            declared: false,
                            note: None,
                            why: format!(
                                "{} is within {}, yet its {} is {} and the whole's {} is {}",
                                a.decl.place.as_deref().unwrap_or_default(),
                                whole.decl.place.as_deref().unwrap_or_default(),
                                a.describe(),
                                a.interval.words(),
                                whole.describe(),
                                whole.interval.words()
                            ),
                        });
                    }
                }
            }
        }
    }
    found.extend(parts(figures));
    let list = with_declared(found, figures);
    let disputed = list
        .iter()
        .filter(|r| r.kind.disputes())
        .flat_map(|r| r.figures.iter().cloned())
        .collect();
    Relations { list, disputed }
}

/// One claimant's readings of a running total: by first day, in order of last day; each
/// reading against the next later one (readings within a day of each other are compared
/// as a pair, not as a series).
fn series(figs: &[&Figure], ctx: &Ctx) -> Vec<Relation> {
    let mut runs: BTreeMap<(&str, i64), Vec<(Days, &Figure)>> = BTreeMap::new();
    for f in figs {
        if !f.cumulative || f.decl.per.is_some() {
            continue;
        }
        let (Some(c), Some(p)) = (&f.claimant_key, &f.period) else {
            continue;
        };
        let d = days(p);
        if d.point || d.from > d.to {
            continue;
        }
        runs.entry((c.as_str(), d.from)).or_default().push((d, f));
    }
    let mut out = Vec::new();
    for run in runs.values_mut() {
        run.sort_by(|x, y| {
            (
                x.0.to,
                ctx.registry
                    .get(&x.1.decl.source)
                    .is_some_and(|s| s.republishes.is_some()),
                &x.1.decl.id,
            )
                .cmp(&(
                    y.0.to,
                    ctx.registry
                        .get(&y.1.decl.source)
                        .is_some_and(|s| s.republishes.is_some()),
                    &y.1.decl.id,
                ))
        });
        // The first reading of each day (copies and rounding sort after it).
        let mut readings: Vec<(Days, &Figure)> = Vec::new();
        for &(d, f) in run.iter() {
            if readings.last().is_none_or(|(l, _)| d.to - l.to > 1) {
                readings.push((d, f));
            }
        }
        for w in readings.windows(2) {
            let ((_, a), (_, b)) = (w[0], w[1]);
            let by = |f: &Figure| {
                f.period
                    .as_ref()
                    .map(|p| p.to.display())
                    .unwrap_or_default()
            };
            let since = a
                .period
                .as_ref()
                .map(|p| p.from.display())
                .unwrap_or_default();
            let who = a.decl.claimed_by.as_deref().unwrap_or("one claimant");
            let (kind, why) = if b.interval.below(&a.interval) {
                (
                    RelationKind::Inconsistent,
                    format!(
                        "a running total cannot shrink: {who} gives {} by {} and then {} by {}",
                        a.describe(),
                        by(a),
                        b.describe(),
                        by(b)
                    ),
                )
            } else {
                (
                    RelationKind::Update,
                    format!(
                        "{who}'s running total since {since}, read again: {} by {}, then {} by {}",
                        a.describe(),
                        by(a),
                        b.describe(),
                        by(b)
                    ),
                )
            };
            out.push(Relation {
                kind,
                figures: vec![a.decl.id.clone(), b.decl.id.clone()],
                declared: false,
                note: None,
                why,
            });
        }
    }
    out
}

/// Wholes whose declared parts (`part_of:`) add up to more than the whole allows.
fn parts(figures: &BTreeMap<FigureId, Figure>) -> Vec<Relation> {
    let mut by_whole: BTreeMap<&FigureId, Vec<&Figure>> = BTreeMap::new();
    for f in figures.values() {
        if let Some(w) = &f.decl.part_of
            && figures.contains_key(w)
            && w != &f.decl.id
        {
            by_whole.entry(w).or_default().push(f);
        }
    }
    let mut out = Vec::new();
    for (w, parts) in by_whole {
        let whole = &figures[w];
        let sum = parts
            .iter()
            .map(|p| p.interval)
            .reduce(|a, b| a.add(&b))
            .expect("at least one part");
        if whole.interval.below(&sum) {
            let names: Vec<String> = parts
                .iter()
                .map(|p| {
                    format!(
                        "{} ({})",
                        p.describe(),
                        p.decl.place.as_deref().unwrap_or(&p.decl.subject)
                    )
                })
                .collect();
            let mut ids = vec![whole.decl.id.clone()];
            ids.extend(parts.iter().map(|p| p.decl.id.clone()));
            out.push(Relation {
                kind: RelationKind::Inconsistent,
                figures: ids,
                declared: false,
                note: None,
                why: format!(
                    "the parts {} add up to {}, more than the whole, {}, allows ({})",
                    names.join(" + "),
                    sum.words(),
                    whole.describe(),
                    whole.interval.words()
                ),
            });
        }
    }
    out
}

/// The computed relations with the author's declared ones in place of any computed
/// relation of the same two figures; sorted, without repeats.
fn with_declared(mut found: Vec<Relation>, figures: &BTreeMap<FigureId, Figure>) -> Vec<Relation> {
    let pair = |a: &FigureId, b: &FigureId| {
        if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        }
    };
    let mut declared: BTreeMap<(FigureId, FigureId), Relation> = BTreeMap::new();
    for f in figures.values() {
        for r in &f.decl.relates {
            let Some(other) = figures.get(&r.figure) else {
                continue;
            };
            if other.decl.id == f.decl.id {
                continue;
            }
            let key = pair(&f.decl.id, &other.decl.id);
            if declared.contains_key(&key) {
                continue;
            }
            // An update reads in order of the days; otherwise the declaring figure first.
            let later = |x: &Figure| x.period.as_ref().map(|p| p.to.day);
            let ids = if r.kind == RelationKind::Update && later(other) < later(f) {
                vec![other.decl.id.clone(), f.decl.id.clone()]
            } else {
                vec![f.decl.id.clone(), other.decl.id.clone()]
            };
            let facts = |x: &Figure| match &x.period {
                Some(p) => format!("{} ({})", x.describe(), p.display()),
                None => x.describe(),
            };
            declared.insert(
                key,
                Relation {
                    kind: r.kind,
                    figures: ids,
                    declared: true,
                    note: r.note.clone(),
                    why: format!("{} and {}", facts(f), facts(other)),
                },
            );
        }
    }
    found.retain(|r| {
        r.figures.len() != 2 || !declared.contains_key(&pair(&r.figures[0], &r.figures[1]))
    });
    found.extend(declared.into_values());
    found.sort_by(|a, b| (a.kind, &a.figures).cmp(&(b.kind, &b.figures)));
    found.dedup_by(|a, b| a.kind == b.kind && a.figures == b.figures);
    found
}

/// Of each group of figures that repeat one claim (within one place and measure), the one
/// the others repeat: a source that republishes none before one that does, then the
/// earliest published, then an exact number before a qualified one, then the smaller id.
/// Copy -> (original, the relation that folds it).
pub fn originals<'a>(
    figures: &'a BTreeMap<FigureId, Figure>,
    registry: &Registry,
    relations: &'a Relations,
) -> HashMap<&'a str, (&'a str, &'a Relation)> {
    let mut parent: HashMap<&str, &str> = HashMap::new();
    fn root<'a>(parent: &HashMap<&'a str, &'a str>, mut x: &'a str) -> &'a str {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            x = p;
        }
        x
    }
    let rank = |id: &str| {
        let f = &figures[id];
        let src = registry.get(&f.decl.source);
        (
            src.is_some_and(|s| s.republishes.is_some()),
            src.map(|s| s.published.day),
            f.qualifier != crate::content::figures::Qualifier::Exact,
            f.decl.id.as_str(),
        )
    };
    let same_group =
        |a: &Figure, b: &Figure| a.decl.place == b.decl.place && a.decl.measure == b.decl.measure;
    let repeats: Vec<&Relation> = relations
        .list
        .iter()
        .filter(|r| r.kind == RelationKind::Repeat && r.figures.len() == 2)
        .filter(|r| same_group(&figures[&r.figures[0]], &figures[&r.figures[1]]))
        .collect();
    for r in &repeats {
        let (a, b) = (root(&parent, &r.figures[0]), root(&parent, &r.figures[1]));
        if a != b {
            let (keep, fold) = if rank(a) <= rank(b) { (a, b) } else { (b, a) };
            parent.insert(fold, keep);
        }
    }
    let mut out = HashMap::new();
    for r in &repeats {
        for (x, y) in [(0, 1), (1, 0)] {
            let copy = r.figures[x].as_str();
            let original = root(&parent, copy);
            // The relation that names the original, else the first that names the copy.
            if copy != original && (r.figures[y] == original || !out.contains_key(copy)) {
                out.insert(copy, (original, *r));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::figures::FigureDecl;

    fn fig(yaml: &str) -> Figure {
        let decl: FigureDecl = serde_yaml::from_str(yaml).expect("a valid figure");
        let mut f = Figure::new(decl, "p.md".into(), 0);
        f.cumulative = true;
        f
    }

    fn figures(list: &[&str]) -> BTreeMap<FigureId, Figure> {
        list.iter()
            .map(|y| {
                let f = fig(y);
                (f.decl.id.clone(), f)
            })
            .collect()
    }

    fn kinds(r: &Relations) -> Vec<(String, Vec<String>)> {
        r.list
            .iter()
            .map(|r| {
                (
                    r.kind.name().to_string(),
                    r.figures.iter().map(|f| f.to_string()).collect(),
                )
            })
            .collect()
    }

    const WEEK: &str = "period: {from: 2022-09-21, to: 2022-09-27}";

    #[test]
    fn the_same_claim_twice_is_a_repeat_and_a_later_reading_an_update() {
        let figs = figures(&[
            &format!(
                "{{id: a, value: 98000, measure: m, subject: s, source: s1, quote: q, place: K, claimed_by: Ministry, {WEEK}}}"
            ),
            &format!(
                "{{id: b, value: 100000, qualifier: nearly, measure: m, subject: s, source: s2, quote: q, place: K, claimed_by: ministry, {WEEK}}}"
            ),
            "{id: c, value: 200000, measure: m, subject: s, source: s3, quote: q, place: K, claimed_by: Ministry, period: {from: 2022-09-21, to: 2022-10-04}}",
        ]);
        let r = relate(&figs, &Registry::default(), &Vocabulary::default());
        assert_eq!(
            kinds(&r),
            vec![
                ("update".into(), vec!["a".into(), "c".into()]),
                ("repeat".into(), vec!["a".into(), "b".into()]),
            ]
        );
        assert!(r.disputed.is_empty());
    }

    #[test]
    fn a_sweep_of_a_long_daily_series_is_linear() {
        // Two sources that disagree every day: each figure relates only to the other one of
        // its day and those of the days beside it.
        let list: Vec<String> = (0..4000)
            .map(|i| {
                let day = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(i / 2);
                format!(
                    "{{id: f{i}, value: {}, measure: m, subject: s, source: s{}, quote: q, place: p, claimed_by: c{}, period: {day}}}",
                    (i % 2) * 1000,
                    i % 2,
                    i % 2
                )
            })
            .collect();
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let r = relate(
            &figures(&refs),
            &Registry::default(),
            &Vocabulary::default(),
        );
        assert_eq!(r.list.len(), 2000);
        assert!(r.list.iter().all(|r| r.kind == RelationKind::Disagree));
        assert_eq!(r.disputed.len(), 4000);
    }
}
