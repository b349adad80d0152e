//! The timeline: each claim's period as a bar on an axis of days (a reading on one day as a
//! mark on that day), in order of the first day, labelled with its place, value, claimant
//! and period; conflicts shaped and named.

use super::*;

/// Days since 1970-01-01.
fn day_number(d: jiff::civil::Date) -> i64 {
    i64::from((d - jiff::civil::date(1970, 1, 1)).get_days())
}

fn day_of(n: i64) -> jiff::civil::Date {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(n))
        .unwrap_or(jiff::civil::date(1970, 1, 1))
}

/// An axis of days from `lo` to at least `hi` (day numbers), its step a whole number of
/// days or weeks, far enough apart that its labels never meet at the narrowest width.
fn day_axis(lo: i64, hi: i64) -> Axis {
    let plot_w = NARROWEST * (X1 - X0) / 100.0;
    let span = (hi - lo).max(1);
    for step in [1, 2, 7, 14, 28, 56, 91, 182, 364, 728, 1820] {
        let n = (span + step - 1) / step;
        if n > 8 {
            continue;
        }
        let ticks: Vec<(f64, String)> = (0..=n)
            .map(|i| {
                let d = day_of(lo + i * step);
                let label = if i == 0 || (step >= 28 && d.month() == 1) {
                    d.strftime("%-d %b %Y").to_string()
                } else {
                    d.strftime("%-d %b").to_string()
                };
                ((lo + i * step) as f64, label)
            })
            .collect();
        if super::ticks_fit(&ticks, plot_w) {
            return Axis {
                lo: lo as f64,
                hi: (lo + n * step) as f64,
                ticks,
            };
        }
    }
    Axis {
        lo: lo as f64,
        hi: hi as f64,
        ticks: vec![(lo as f64, day_of(lo).strftime("%-d %b %Y").to_string())],
    }
}

/// One claim's row from `y` down: its label, its period's bar and mark, its conflicts;
/// returns the y below it.
fn write_claim(
    out: &mut String,
    c: &Claim,
    axis: &Axis,
    mut y: f64,
    several_measures: bool,
    data: &Data,
    shapes: &mut BTreeSet<u8>,
) -> f64 {
    let f = c.figure;
    let p = f.period.as_ref().expect("dated");
    let mut segments: Vec<Segment> = vec![(place_name(f).to_string(), true), (f.describe(), false)];
    if several_measures {
        segments.push((f.measure_label.clone(), false));
    }
    if let Some(by) = &f.decl.claimed_by {
        segments.push((by.clone(), false));
    }
    segments.push((short_period(p), false));
    let lines = wrap(&segments, TEXT, LABEL_W);
    let _ = write!(
        out,
        "<a class=\"chart-row\" href=\"{}\">",
        escape(&figure_url(data, f))
    );
    y += TEXT + 4.0;
    write_lines(out, &lines, TEXT_X, y, "label");
    y += LINE * (lines.len() as f64 - 1.0) + 14.0;
    let (a, b) = (day_number(p.from.day), day_number(p.to.day));
    let x0 = pct(a as f64, axis.lo, axis.hi);
    let x1 = pct((b + 1) as f64, axis.lo, axis.hi);
    let _ = write!(
        out,
        "<line class=\"baseline\" x1=\"{X0}%\" x2=\"{X1}%\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.3\" aria-hidden=\"true\"/>"
    );
    if !p.point {
        let _ = write!(
            out,
            "<rect class=\"period{}\" x=\"{x0:.2}%\" y=\"{:.1}\" width=\"{:.2}%\" height=\"8\" rx=\"2\" fill=\"currentColor\" fill-opacity=\"0.35\" aria-hidden=\"true\"/>",
            if p.to_inferred.is_some() || p.from_inferred.is_some() {
                " period-inferred"
            } else {
                ""
            },
            y - 4.0,
            (x1 - x0).max(0.3)
        );
    }
    // The mark on the last day the count covers.
    let shape = c.shape();
    shapes.insert(shape_code(shape));
    out.push_str(&shape.at(pct(b as f64 + 0.5, axis.lo, axis.hi), y));
    y += 10.0;
    for (shape, text) in conflict_lines(c, data) {
        shapes.insert(shape_code(shape));
        let lines = wrap(&[(text, false)], TEXT, LABEL_W - 18.0);
        y += TEXT + 2.0;
        out.push_str(&shape.at_x("7", y - 4.5));
        write_lines(out, &lines, 18.0, y, "conflict");
        y += LINE * (lines.len() as f64 - 1.0);
    }
    out.push_str("</a>");
    y += 8.0;
    y
}

#[cfg(test)]
pub(super) fn day_axis_for_test(lo: i64, hi: i64) -> Axis {
    day_axis(lo, hi)
}

/// The timeline of the figures `spec` selects that have a period or an `as_of` day.
pub(super) fn render(spec: &ChartSpec, data: &Data) -> Result<String, String> {
    let all = claims(spec, data);
    if all.is_empty() {
        return Err(format!("chart selects no figures ({})", spec.selection()));
    }
    let undated = all.iter().filter(|c| c.figure.period.is_none()).count();
    let mut dated: Vec<&Claim> = all.iter().filter(|c| c.figure.period.is_some()).collect();
    if dated.is_empty() {
        return Err(format!(
            "timeline: none of the figures it selects ({}) has a `period:` or an `as_of:` day",
            spec.selection()
        ));
    }
    let days = |c: &Claim| {
        let p = c.figure.period.as_ref().expect("dated");
        (day_number(p.from.day), day_number(p.to.day))
    };
    dated.sort_by(|a, b| {
        days(a)
            .cmp(&days(b))
            .then(place_name(a.figure).cmp(place_name(b.figure)))
            .then(a.figure.decl.id.cmp(&b.figure.decl.id))
    });
    let lo = dated.iter().map(|c| days(c).0).min().unwrap_or(0);
    let hi = dated.iter().map(|c| days(c).1 + 1).max().unwrap_or(lo + 1);
    let axis = day_axis(lo, hi);
    let measures: BTreeSet<&str> = dated
        .iter()
        .map(|c| c.figure.decl.measure.as_str())
        .collect();
    let first = dated[0].figure;
    let title = spec.title.clone().unwrap_or_else(|| {
        let what = if measures.len() == 1 {
            super::lower_first(&first.measure_label)
        } else {
            "figures".into()
        };
        match &spec.place {
            Some(_) => format!(
                "When each count of {what} in {} was made",
                place_name(first)
            ),
            None => format!("When each count of {what} was made"),
        }
    });
    let id = chart_id("timeline", &title);
    let mut body = String::new();
    let mut shapes = BTreeSet::new();
    let mut table = Vec::new();
    let mut y = 16.0;
    let axis_y = y;
    y += 10.0;
    for c in &dated {
        y = write_claim(
            &mut body,
            c,
            &axis,
            y,
            measures.len() > 1,
            data,
            &mut shapes,
        );
        let f = c.figure;
        table.push(vec![
            escape(&f.period.as_ref().map_or("—".into(), short_period)),
            escape(place_name(f)),
            format!(
                "<a href=\"{}\">{}</a>",
                escape(&figure_url(data, f)),
                escape(&f.describe())
            ),
            escape(&f.measure_label),
            escape(f.decl.claimed_by.as_deref().unwrap_or("—")),
            c.sources_html(data),
        ]);
    }
    let mut svg = String::new();
    axis.write(&mut svg, axis_y, y);
    svg.push_str(&body);
    let n = dated.len();
    let desc = format!(
        "A timeline of {n} claim{}, from {} to {}. Each claim is a bar over the days it counts, in order of its first day, with a mark on its last day; one claim repeated by several sources is one bar. {}Every bar links to its figure in the table of all figures.",
        if n == 1 { "" } else { "s" },
        day_of(lo).strftime("%-d %B %Y"),
        day_of(hi - 1).strftime("%-d %B %Y"),
        shapes_words(&shapes)
    );
    let note = if undated > 0 {
        format!(
            "<p class=\"chart-note\">{undated} figure{} without a date {} not on the timeline.</p>",
            if undated == 1 { "" } else { "s" },
            if undated == 1 { "is" } else { "are" }
        )
    } else {
        String::new()
    };
    Ok(Drawn {
        class: "chart-timeline",
        id: &id,
        title: &title,
        key: legend(
            &shapes,
            "the last day a claim counts; its bar, the days it covers",
        ) + &note,
        height: y + 4.0,
        desc,
        svg: &svg,
        head: &[
            "Period",
            "Place",
            "Value",
            "Measure",
            "Claimed by",
            "Sources",
        ],
        rows: &table,
    }
    .html())
}
