//! Figures that disagree: the same place, measure and unit, overlapping periods, different
//! values from different sources.

use super::figures::Figure;
use crate::content::ids::FigureId;
use std::collections::{BTreeMap, HashMap};

/// Figures that give different values for the same place and measure over overlapping periods:
/// the connected components of "overlaps, differs in value and comes from another source",
/// per place, measure and unit, each in figure id order, in order of their first figure.
///
/// A sweep over the periods in order of their start compares each figure only with those
/// whose period is still open, so a long series of figures over consecutive periods costs
/// linear time (comparing all pairs took 7 s for 50,000 daily figures of one place; this
/// takes 30 ms).
pub fn find_disputes(figures: &BTreeMap<FigureId, Figure>) -> Vec<Vec<FigureId>> {
    let mut groups: BTreeMap<(&str, &str, &str), Vec<&Figure>> = BTreeMap::new();
    for f in figures.values() {
        let key = (
            f.decl.place.as_deref().unwrap_or_default(),
            f.decl.measure.as_str(),
            f.decl.unit.as_deref().unwrap_or_default(),
        );
        groups.entry(key).or_default().push(f);
    }
    let mut out = Vec::new();
    for figs in groups.values() {
        let n = figs.len();
        // A period that ends before it starts is an error reported elsewhere.
        let period = |i: usize| figs[i].period.as_ref().filter(|p| p.from.day <= p.to.day);
        let mut order: Vec<usize> = (0..n).filter(|&i| period(i).is_some()).collect();
        order.sort_by_key(|&i| period(i).map(|p| p.from.day));
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut linked = vec![false; n];
        let mut open: Vec<usize> = Vec::new();
        for &j in &order {
            let from = period(j).map(|p| p.from.day);
            // Sorted by start: an open period overlaps this one unless it ended before it.
            open.retain(|&i| period(i).map(|p| p.to.day) >= from);
            let b = figs[j];
            for &i in &open {
                let a = figs[i];
                if a.decl.value != b.decl.value && a.decl.source != b.decl.source {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    parent[ri.max(rj)] = ri.min(rj);
                    linked[i] = true;
                    linked[j] = true;
                }
            }
            open.push(j);
        }
        let mut component_of: HashMap<usize, usize> = HashMap::new();
        let first = out.len();
        for i in 0..n {
            if linked[i] {
                let r = root(&mut parent, i);
                let k = *component_of.entry(r).or_insert_with(|| {
                    out.push(Vec::new());
                    out.len() - 1
                });
                out[k].push(figs[i].decl.id.clone());
            }
        }
        debug_assert!(out[first..].iter().all(|g| g.len() >= 2));
    }
    out
}

/// `n` figures of one place and measure, two a day from two sources that disagree.
#[cfg(test)]
fn daily_series(n: usize) -> BTreeMap<FigureId, Figure> {
    use super::figures::Period;
    use crate::content::dates::Date;
    use crate::content::frontmatter::FigureDecl;
    (0..n)
        .map(|i| {
            let yaml = format!(
                "{{id: f{i}, value: {}, measure: m, subject: s, source: s{}, quote: q, place: p}}",
                i % 2,
                i % 2
            );
            let decl: FigureDecl = serde_yaml::from_str(&yaml).expect("a valid figure");
            let mut f = Figure::new(decl, "p.md".into(), 0);
            let day = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(i as i64 / 2);
            let date = Date::parse(&day.to_string()).expect("a date");
            f.period = Some(Period {
                from: date.clone(),
                to: date,
            });
            (f.decl.id.clone(), f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The disputes as sets: each group sorted, groups sorted.
    fn normalised(mut groups: Vec<Vec<FigureId>>) -> Vec<Vec<FigureId>> {
        for g in &mut groups {
            g.sort();
        }
        groups.sort();
        groups
    }

    /// What `find_disputes` computes, by comparing every pair.
    fn disputes_by_pairs(figures: &BTreeMap<FigureId, Figure>) -> Vec<Vec<FigureId>> {
        let figs: Vec<&Figure> = figures.values().collect();
        let n = figs.len();
        let key = |f: &Figure| {
            (
                f.decl.place.clone(),
                f.decl.measure.clone(),
                f.decl.unit.clone(),
            )
        };
        let edge = |a: &Figure, b: &Figure| {
            key(a) == key(b)
                && a.decl.value != b.decl.value
                && a.decl.source != b.decl.source
                && matches!((&a.period, &b.period), (Some(p), Some(q)) if p.overlaps(q))
        };
        let mut component: Vec<Option<usize>> = vec![None; n];
        let mut groups: Vec<Vec<FigureId>> = Vec::new();
        for start in 0..n {
            if component[start].is_some() || !(0..n).any(|j| edge(figs[start], figs[j])) {
                continue;
            }
            let k = groups.len();
            groups.push(Vec::new());
            let mut stack = vec![start];
            component[start] = Some(k);
            while let Some(i) = stack.pop() {
                groups[k].push(figs[i].decl.id.clone());
                for j in 0..n {
                    if component[j].is_none() && edge(figs[i], figs[j]) {
                        component[j] = Some(k);
                        stack.push(j);
                    }
                }
            }
        }
        groups
    }

    fn figure(
        id: usize,
        place: u8,
        unit: u8,
        value: u8,
        source: u8,
        period: Option<(u8, u8)>,
    ) -> Figure {
        let mut yaml = format!(
            "{{id: f{id}, value: {value}, measure: m, subject: s, source: s{source}, quote: q, place: p{place}"
        );
        if unit > 0 {
            yaml.push_str(&format!(", unit: u{unit}"));
        }
        if let Some((from, len)) = period {
            let day = |d: u8| format!("2022-09-{:02}", d + 1);
            yaml.push_str(&format!(
                ", period: {{from: {}, to: {}}}",
                day(from),
                day(from + len)
            ));
        }
        yaml.push('}');
        let decl: crate::content::frontmatter::FigureDecl =
            serde_yaml::from_str(&yaml).expect("a valid figure");
        Figure::new(decl, "p.md".into(), 0)
    }

    proptest::proptest! {
        #[test]
        fn disputes_sweep_equals_all_pairs(
            specs in proptest::collection::vec(
                (0u8..2, 0u8..2, 0u8..3, 0u8..3, proptest::option::weighted(0.9, (0u8..20, 0u8..6))),
                0..40,
            )
        ) {
            let figures: BTreeMap<FigureId, Figure> = specs
                .iter()
                .enumerate()
                .map(|(i, &(place, unit, value, source, period))| {
                    let f = figure(i, place, unit, value, source, period);
                    (f.decl.id.clone(), f)
                })
                .collect();
            let swept = find_disputes(&figures);
            for g in &swept {
                // In id order, at least two.
                proptest::prop_assert!(g.len() >= 2 && g.windows(2).all(|w| w[0] < w[1]));
            }
            proptest::prop_assert_eq!(normalised(swept), normalised(disputes_by_pairs(&figures)));
        }
    }

    #[test]
    fn disputes_of_a_long_daily_series() {
        // Days of one place and measure, two sources that disagree every day: each figure
        // overlaps only the other one of its day. (benches/disputes.rs times 50,000.)
        let disputes = find_disputes(&daily_series(4_000));
        assert_eq!(disputes.len(), 2_000);
        assert!(disputes.iter().all(|g| g.len() == 2));
    }
}
