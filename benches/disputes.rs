//! How long finding disputes takes on a long daily series: 50,000 figures of one place and
//! measure, two a day from two sources that disagree (`cargo bench --bench disputes`).
//! Comparing all pairs took 7 s here; the sweep in src/sources/disputes.rs, about 30 ms.

use dossier::content::dates::Date;
use dossier::content::frontmatter::FigureDecl;
use dossier::content::ids::FigureId;
use dossier::sources::disputes::find_disputes;
use dossier::sources::{Figure, Period};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let n = 50_000;
    let figures: BTreeMap<FigureId, Figure> = (0..n)
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
        .collect();
    let mut times = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let d = find_disputes(&figures);
        times.push(started.elapsed());
        assert_eq!(d.len(), n / 2);
    }
    times.sort();
    println!(
        "find_disputes, {n} daily figures: median {:?} (min {:?}, max {:?}, 7 runs)",
        times[3], times[0], times[6]
    );
}
