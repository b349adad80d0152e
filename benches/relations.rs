//! How long relating figures takes on long series (`cargo bench --bench relations`):
//! 50,000 daily figures of one place and measure, two a day from two sources that
//! disagree; and one claimant's running total read 50,000 times. Comparing all pairs took
//! 7 s for the first; bucketing by first day and sweeping by last day keeps both linear.

use dossier::content::figures::FigureDecl;
use dossier::content::ids::FigureId;
use dossier::sources::{Figure, Registry, Vocabulary, relate};
use std::collections::BTreeMap;
use std::time::Instant;

fn figures(
    n: usize,
    yaml: impl Fn(usize, jiff::civil::Date) -> String,
) -> BTreeMap<FigureId, Figure> {
    (0..n)
        .map(|i| {
            let day = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(i as i64 / 2);
            let decl: FigureDecl = serde_yaml::from_str(&yaml(i, day)).expect("a valid figure");
            let mut f = Figure::new(decl, "p.md".into(), 0);
            f.cumulative = true;
            (f.decl.id.clone(), f)
        })
        .collect()
}

fn time(name: &str, figures: &BTreeMap<FigureId, Figure>, expect: usize) {
    let mut times = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let r = relate(figures, &Registry::default(), &Vocabulary::default());
        times.push(started.elapsed());
        assert_eq!(r.list.len(), expect);
    }
    times.sort();
    println!(
        "relate, {name}: median {:?} (min {:?}, max {:?}, 7 runs)",
        times[3], times[0], times[6]
    );
}

fn main() {
    let n = 50_000;
    let daily = figures(n, |i, day| {
        format!(
            "{{id: f{i}, value: {}, measure: m, subject: s, source: s{}, quote: q, place: p, claimed_by: c{}, period: {day}}}",
            (i % 2) * 1000,
            i % 2,
            i % 2
        )
    });
    time(
        "50,000 daily figures, two sources that disagree",
        &daily,
        n / 2,
    );
    let total = figures(n, |i, _| {
        let to = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(i as i64 * 2);
        format!(
            "{{id: f{i}, value: {}, measure: m, subject: s, source: s, quote: q, place: p, claimed_by: c, period: {{from: 2022-01-01, to: {to}}}}}",
            1000 + i * 10
        )
    });
    time("one running total read 50,000 times", &total, n - 1);
}
