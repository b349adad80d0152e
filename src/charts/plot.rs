//! The dot and range plot: per measure, an axis of its values; per place, each claim as a
//! dot at the number stated and a bar over the values its words allow, labelled with its
//! value, claimant, period and sources; a running total read again as one row of readings
//! joined by arrows; conflicts shaped and named.

use super::*;
use crate::content::figures::Per;
use crate::sources::Interval;

/// What one panel's axis is of: a measure, a unit, and for a rate that cannot be counted
/// over its period (it has none), the rate's period.
type PanelKey = (String, String, Option<&'static str>);

/// A claim's values on its panel's axis: a rate over a period of days counts as the total
/// of those days.
fn plotted(f: &Figure) -> (Interval, f64, Option<String>) {
    let point = f.decl.value.point();
    match (f.decl.per, &f.period) {
        (Some(per), Some(p)) if !p.point => {
            let k = per.count_in(p.days() as f64);
            let iv = f.interval.scale(k);
            let note = format!("over its {} days: {}", p.days(), iv.words());
            (iv, point * k, Some(note))
        }
        _ => (f.interval, point, None),
    }
}

fn panel_key(f: &Figure) -> PanelKey {
    let rate = match (f.decl.per, &f.period) {
        (Some(_), Some(p)) if !p.point => None,
        (Some(per), _) => Some(Per::name(per)),
        (None, _) => None,
    };
    (
        f.decl.measure.clone(),
        f.decl.unit.clone().unwrap_or_default().to_lowercase(),
        rate,
    )
}

/// One row of a panel: a claim, or the readings of a running total.
enum Row<'c, 'a> {
    One(&'c Claim<'a>),
    Series(Vec<&'c Claim<'a>>),
}

impl<'c, 'a> Row<'c, 'a> {
    fn claims(&self) -> Vec<&'c Claim<'a>> {
        match self {
            Row::One(c) => vec![*c],
            Row::Series(v) => v.clone(),
        }
    }

    /// The figure of its first claim.
    fn figure(&self) -> &'a Figure {
        match self {
            Row::One(c) => c.figure,
            Row::Series(v) => v[0].figure,
        }
    }
}

/// A panel's places, each with its rows.
type Places<'c, 'a> = BTreeMap<&'a str, Vec<Row<'c, 'a>>>;

/// What the panels write into as they are drawn.
#[derive(Default)]
struct Canvas {
    svg: String,
    y: f64,
    shapes: BTreeSet<u8>,
    table: Vec<Vec<String>>,
    places: BTreeSet<String>,
}

/// The plot of the figures `spec` selects.
pub(super) fn render(spec: &ChartSpec, data: &Data) -> Result<String, String> {
    let claims = claims(spec, data);
    if claims.is_empty() {
        return Err(format!("chart selects no figures ({})", spec.selection()));
    }
    let runs = series(&claims, data);
    let in_series: BTreeSet<&str> = runs
        .iter()
        .flatten()
        .map(|c| c.figure.decl.id.as_str())
        .collect();
    let mut panels: BTreeMap<PanelKey, Places> = BTreeMap::new();
    let rows = runs.iter().map(|run| Row::Series(run.clone())).chain(
        claims
            .iter()
            .filter(|c| !in_series.contains(c.figure.decl.id.as_str()))
            .map(Row::One),
    );
    for row in rows {
        let f = row.figure();
        panels
            .entry(panel_key(f))
            .or_default()
            .entry(place_name(f))
            .or_default()
            .push(row);
    }
    let first = claims[0].figure;
    let title = spec.title.clone().unwrap_or_else(|| {
        let what = if panels.len() == 1 {
            super::lower_first(&first.measure_label)
        } else {
            "figures".into()
        };
        match &spec.place {
            Some(_) => format!("Reported {what} in {}, by claim", place_name(first)),
            None => format!("Reported {what}, by place and claim"),
        }
    });
    let id = chart_id("chart", &title);
    let mut canvas = Canvas::default();
    let several = panels.len() > 1;
    for (key, by_place) in panels {
        write_panel(&mut canvas, &key, by_place, several, data);
    }
    let n = canvas.table.len();
    let places = canvas.places.len();
    let desc = format!(
        "A dot and range plot of {n} claim{} in {places} place{}. Each claim is a dot at the number stated and a bar over the values its words allow (an open end is a hollow circle, an unbounded one an arrow); one claim repeated by several sources, such as a wire copy, is one mark. A running total read more than once is one row, its readings joined by arrows. {}Every mark links to its figure in the table of all figures.",
        if n == 1 { "" } else { "s" },
        if places == 1 { "" } else { "s" },
        shapes_words(&canvas.shapes)
    );
    Ok(Drawn {
        class: "chart-range",
        id: &id,
        title: &title,
        key: legend(
            &canvas.shapes,
            "one claim, at the number stated, over the values its words allow",
        ),
        height: canvas.y,
        desc,
        svg: &canvas.svg,
        head: &[
            "Place",
            "Value",
            "Allows",
            "Period",
            "Claimed by",
            "Sources",
        ],
        rows: &canvas.table,
    }
    .html())
}

/// One measure's panel: its axis, then its places, the largest first.
fn write_panel(
    canvas: &mut Canvas,
    key: &PanelKey,
    mut by_place: Places,
    several: bool,
    data: &Data,
) {
    let (_, unit, rate) = key;
    let Some(any) = by_place
        .values()
        .flatten()
        .next()
        .map(|r| r.claims()[0].figure)
    else {
        return;
    };
    if several {
        let mut h = any.measure_label.clone();
        if !unit.is_empty() {
            let _ = write!(h, ", {unit}");
        }
        if let Some(r) = rate {
            let _ = write!(h, " a {r}");
        }
        canvas.y += 18.0;
        let _ = write!(
            canvas.svg,
            "<text class=\"panel-title\" x=\"{TEXT_X}\" y=\"{:.1}\" font-size=\"15\" font-weight=\"700\" fill=\"currentColor\">{}</text>",
            canvas.y,
            escape(&h)
        );
        canvas.y += 8.0;
    }
    // Each panel's axis covers its own values: a count of days and a count of people are
    // never on one scale.
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for c in by_place.values().flatten().flat_map(Row::claims) {
        let (iv, point, _) = plotted(c.figure);
        let top = if iv.hi.is_finite() {
            iv.hi
        } else {
            iv.lo * 1.15
        };
        lo = lo.min(iv.lo).min(point);
        hi = hi.max(top).max(point);
    }
    let axis = value_axis(lo, hi, crate::sources::format_grouped);
    // Largest first: the place whose largest claim is largest.
    let mut order: Vec<(&str, f64)> = by_place
        .iter()
        .map(|(p, rows)| {
            let top = rows
                .iter()
                .flat_map(Row::claims)
                .map(|c| plotted(c.figure).1)
                .fold(f64::MIN, f64::max);
            (*p, top)
        })
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    canvas.y += 16.0;
    let axis_y = canvas.y;
    let mut body = String::new();
    let mut y = canvas.y + 14.0;
    for (place, _) in order {
        canvas.places.insert(place.to_string());
        let mut rows = by_place.remove(place).unwrap_or_default();
        rows.sort_by_key(|r| {
            let f = r.claims()[0].figure;
            (
                f.period.as_ref().map(|p| (p.to.day, p.from.day)),
                f.decl.id.clone(),
            )
        });
        for line in wrap(&[(place.to_string(), true)], PLACE, LABEL_W) {
            y += PLACE + 3.0;
            let _ = write!(
                body,
                "<text class=\"place\" x=\"{TEXT_X}\" y=\"{y:.1}\" font-size=\"{PLACE}\" font-weight=\"700\" fill=\"currentColor\">{}</text>",
                escape(&line[0].0)
            );
        }
        y += 8.0;
        for row in &rows {
            y = write_row(&mut body, row, &axis, y, data, &mut canvas.shapes);
            for c in row.claims() {
                canvas.table.push(table_row(c, data));
            }
        }
    }
    axis.write(&mut canvas.svg, axis_y, y);
    canvas.svg.push_str(&body);
    // A tall plot repeats its scale at the bottom.
    if y - axis_y > 600.0 {
        y += 14.0;
        axis.write_labels(&mut canvas.svg, y);
    }
    canvas.y = y + 4.0;
}

/// One claim, or a series, from `y` down; returns the y below it.
fn write_row(
    out: &mut String,
    row: &Row,
    axis: &Axis,
    mut y: f64,
    data: &Data,
    shapes: &mut BTreeSet<u8>,
) -> f64 {
    let claims = row.claims();
    let segments = row_segments(row, data);
    let lines = wrap(&segments, TEXT, LABEL_W);
    let conflicts: Vec<(Shape, String)> = claims
        .iter()
        .flat_map(|c| conflict_lines(c, data))
        .collect();
    let single = matches!(row, Row::One(_));
    if let Row::One(c) = row {
        let _ = write!(
            out,
            "<a class=\"chart-row\" href=\"{}\">",
            escape(&figure_url(data, c.figure))
        );
    } else {
        out.push_str("<g class=\"chart-row chart-series\">");
    }
    y += TEXT;
    write_lines(out, &lines, TEXT_X, y, "label");
    y += LINE * (lines.len() as f64 - 1.0) + 16.0;
    let strip = y;
    // The axis under the marks.
    let _ = write!(
        out,
        "<line class=\"baseline\" x1=\"{X0}%\" x2=\"{X1}%\" y1=\"{strip:.1}\" y2=\"{strip:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.3\" aria-hidden=\"true\"/>"
    );
    let points: Vec<f64> = claims
        .iter()
        .map(|c| pct(plotted(c.figure).1, axis.lo, axis.hi))
        .collect();
    if let Row::Series(_) = row {
        for w in points.windows(2) {
            let _ = write!(
                out,
                "<line class=\"series-line\" x1=\"{:.2}%\" x2=\"{:.2}%\" y1=\"{strip:.1}\" y2=\"{strip:.1}\" stroke=\"currentColor\" stroke-width=\"2\" aria-hidden=\"true\"/><svg x=\"{:.2}%\" y=\"{strip:.1}\" width=\"1\" height=\"1\" overflow=\"visible\" aria-hidden=\"true\"><path class=\"series-arrow\" d=\"M-16-5L-8 0-16 5Z\" fill=\"currentColor\"/></svg>",
                w[0], w[1], w[1]
            );
        }
    }
    for (i, c) in claims.iter().enumerate() {
        if !single {
            let label = format!(
                "{}{}, {}{}",
                c.figure.describe(),
                c.figure
                    .period
                    .as_ref()
                    .map(|p| format!(" by {}", short_date(&p.to)))
                    .unwrap_or_default(),
                c.figure
                    .decl
                    .claimed_by
                    .as_deref()
                    .map(|by| format!("{by}; "))
                    .unwrap_or_default(),
                c.sources(data.registry)
            );
            let _ = write!(
                out,
                "<a class=\"chart-mark\" href=\"{}\" aria-label=\"{}\">",
                escape(&figure_url(data, c.figure)),
                escape(&label)
            );
        }
        write_interval(out, plotted(c.figure).0, axis, strip);
        let shape = c.shape();
        shapes.insert(shape_code(shape));
        out.push_str(&shape.at(points[i], strip));
        if !single {
            out.push_str("</a>");
        }
    }
    y += 12.0;
    for (shape, text) in &conflicts {
        shapes.insert(shape_code(*shape));
        let lines = wrap(&[(text.clone(), false)], TEXT, LABEL_W - 18.0);
        y += TEXT + 2.0;
        out.push_str(&shape.at_x("7", y - 4.5));
        write_lines(out, &lines, 18.0, y, "conflict");
        y += LINE * (lines.len() as f64 - 1.0);
    }
    out.push_str(if single { "</a>" } else { "</g>" });
    y + 14.0
}

/// A row's label: value, claimant, period, sources (a series: its readings in order).
fn row_segments(row: &Row, data: &Data) -> Vec<Segment> {
    let f = row.figure();
    let mut segments: Vec<Segment> = Vec::new();
    match row {
        Row::One(c) => {
            segments.push((f.describe(), true));
            if let Some(by) = &f.decl.claimed_by {
                segments.push((by.clone(), false));
            }
            segments.push((
                f.period
                    .as_ref()
                    .map_or("no date given".to_string(), short_period),
                false,
            ));
            if let Some(note) = plotted(f).2 {
                segments.push((note, false));
            }
            segments.push((c.sources(data.registry), false));
        }
        Row::Series(run) => {
            // "98,000 people by 27 Sep →", "200,000 by 4 Oct": one segment a reading, so
            // a line breaks between readings.
            let n = run.len();
            for (i, c) in run.iter().enumerate() {
                let by = c
                    .figure
                    .period
                    .as_ref()
                    .map(|p| {
                        let c = if p.to_inferred.is_some() { "c. " } else { "" };
                        format!(" by {c}{}", p.to.day.strftime("%-d %b"))
                    })
                    .unwrap_or_default();
                let value = if i == 0 {
                    c.figure.describe()
                } else {
                    c.figure.display(true)
                };
                let arrow = if i + 1 < n { " →" } else { "" };
                segments.push((format!("{value}{by}{arrow}"), true));
            }
            if let Some(by) = &f.decl.claimed_by {
                segments.push((by.clone(), false));
            }
            if let Some(p) = &f.period {
                segments.push((
                    format!("a running total since {}", short_date(&p.from)),
                    false,
                ));
            }
            let mut sources: Vec<String> = Vec::new();
            for c in run {
                for s in c.sources(data.registry).split(", ") {
                    if !sources.iter().any(|x| x == s) {
                        sources.push(s.to_string());
                    }
                }
            }
            segments.push((sources.join(", "), false));
        }
    }
    segments
}

/// The bar over the values an interval allows, its ends: a tick for an end included, a
/// hollow circle for one left out, an arrow for none.
fn write_interval(out: &mut String, iv: Interval, axis: &Axis, y: f64) {
    let a = pct(iv.lo.max(axis.lo), axis.lo, axis.hi);
    let b = if iv.hi.is_finite() {
        pct(iv.hi.min(axis.hi), axis.lo, axis.hi)
    } else {
        X1
    };
    let _ = write!(
        out,
        "<rect class=\"iv\" x=\"{a:.2}%\" y=\"{:.1}\" width=\"{:.2}%\" height=\"6\" rx=\"3\" fill=\"currentColor\" fill-opacity=\"0.35\" aria-hidden=\"true\"/>",
        y - 3.0,
        (b - a).max(0.0)
    );
    // Ends only where the bar is wide enough to show them apart from the dot (about 6 px
    // at the narrowest).
    if b - a < 2.0 {
        return;
    }
    let end = |out: &mut String, x: f64, open: bool| {
        if open {
            let _ = write!(
                out,
                "<circle class=\"iv-open\" cx=\"{x:.2}%\" cy=\"{y:.1}\" r=\"3.5\" stroke=\"currentColor\" stroke-width=\"1.5\" fill=\"none\" aria-hidden=\"true\"/>"
            );
        } else {
            let _ = write!(
                out,
                "<line class=\"iv-end\" x1=\"{x:.2}%\" x2=\"{x:.2}%\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"currentColor\" stroke-width=\"1.5\" aria-hidden=\"true\"/>",
                y - 6.0,
                y + 6.0
            );
        }
    };
    end(out, a, iv.lo_open);
    if iv.hi.is_finite() {
        end(out, b, iv.hi_open);
    } else {
        let _ = write!(
            out,
            "<svg x=\"{X1}%\" y=\"{y:.1}\" width=\"1\" height=\"1\" overflow=\"visible\" aria-hidden=\"true\"><path class=\"iv-arrow\" d=\"M-8-6L0 0-8 6Z\" fill=\"currentColor\"/></svg>"
        );
    }
}

/// The claim's row of the data table.
fn table_row(c: &Claim, data: &Data) -> Vec<String> {
    let f = c.figure;
    let mut value = format!(
        "<a href=\"{}\">{}</a>",
        escape(&figure_url(data, f)),
        escape(&f.describe())
    );
    for (shape, text) in conflict_lines(c, data) {
        let _ = write!(value, "<br>{} {}", shape.icon(), escape(&text));
    }
    let allows = match plotted(f).2 {
        Some(note) => format!("{}; {}", f.interval.words(), note),
        None => f.interval.words(),
    };
    vec![
        escape(place_name(f)),
        value,
        escape(&allows),
        escape(&f.period.as_ref().map_or("—".into(), short_period)),
        escape(f.decl.claimed_by.as_deref().unwrap_or("—")),
        c.sources_html(data),
    ]
}
