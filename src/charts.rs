//! Build-time SVG bar charts of figures: accessible (title, desc, a data table), no JS.

use crate::content::ids::FigureId;
use crate::html::escape as escape_html;
use crate::sources::{Figure, Registry};
use std::fmt::Write;

/// Which figures a chart shows, and its title.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartSpec {
    /// Only figures of this measure.
    pub measure: Option<String>,
    /// Only figures of this unit.
    pub unit: Option<String>,
    /// Only figures of this place.
    pub place: Option<String>,
    /// The chart's title (one is made up otherwise).
    pub title: Option<String>,
}

impl ChartSpec {
    /// The spec of a `chart(...)` shortcode's arguments.
    pub fn from_args(args: &serde_json::Map<String, serde_json::Value>) -> ChartSpec {
        let s = |k: &str| args.get(k).and_then(|v| v.as_str()).map(str::to_string);
        ChartSpec {
            measure: s("measure"),
            unit: s("unit"),
            place: s("place"),
            title: s("title"),
        }
    }

    fn matches(&self, f: &Figure) -> bool {
        self.measure.as_ref().is_none_or(|m| *m == f.decl.measure)
            && self
                .unit
                .as_ref()
                .is_none_or(|u| Some(u) == f.decl.unit.as_ref())
            && self
                .place
                .as_ref()
                .is_none_or(|p| Some(p) == f.decl.place.as_ref())
    }
}

const WIDTH: f64 = 360.0;
/// Room right of the longest bar for its value.
const VALUE_W: f64 = 100.0;
const ROW_H: f64 = 44.0;
const TOP: f64 = 8.0;

/// An SVG bar chart of the figures `spec` selects, one bar per figure, labelled with place,
/// date and source, followed by the same data as a table.
pub fn render<'a>(
    spec: &ChartSpec,
    figures: impl Iterator<Item = &'a Figure>,
    registry: &Registry,
    base_path: &str,
    disputed: &std::collections::BTreeSet<FigureId>,
) -> Result<String, String> {
    let mut rows = one_bar_per_text(figures.filter(|f| spec.matches(f)).collect(), registry);
    // A bar's length compares totals: a rate (per day) beside them would read as a total.
    if rows.iter().any(|f| f.decl.per.is_none()) {
        rows.retain(|f| f.decl.per.is_none());
    }
    if rows.is_empty() {
        return Err(format!(
            "chart selects no figures (measure {:?}, unit {:?}, place {:?})",
            spec.measure.as_deref().unwrap_or("any"),
            spec.unit.as_deref().unwrap_or("any"),
            spec.place.as_deref().unwrap_or("any")
        ));
    }
    rows.sort_by(|a, b| {
        a.decl
            .place
            .cmp(&b.decl.place)
            .then(
                a.period
                    .as_ref()
                    .map(|p| &p.to.day)
                    .cmp(&b.period.as_ref().map(|p| &p.to.day)),
            )
            .then(a.decl.id.cmp(&b.decl.id))
    });
    let max = rows
        .iter()
        .map(|f| f.decl.value.point())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let title = spec.title.clone().unwrap_or_else(|| {
        let what = spec.measure.clone().unwrap_or_else(|| "figures".into());
        match &spec.place {
            Some(p) => format!("Reported {what} in {p}, by source and date"),
            None => format!("Reported {what} by place, source and date"),
        }
    });
    let id = format!("chart-{}", slug::slugify(&title));
    let height = TOP * 2.0 + ROW_H * rows.len() as f64;
    let mut svg = String::new();
    let desc = format!(
        "{} bars. Each bar is one figure as reported by one source (a copy of another source's text is drawn once, as the original); longer bars are larger numbers. The largest is {}.",
        rows.len(),
        rows.iter()
            .max_by(|a, b| a.decl.value.point().total_cmp(&b.decl.value.point()))
            .map(|f| describe(f, registry))
            .unwrap_or_default()
    );
    let _ = write!(
        svg,
        "<figure class=\"chart\" id=\"{id}\"><svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"14\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape_html(&title),
        escape_html(&desc)
    );
    // Each row: a label line (place · date · source), then the bar and its value, so the
    // chart reads at phone width without a label column.
    for (i, f) in rows.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let w = ((WIDTH - VALUE_W) * f.decl.value.point() / max).max(2.0);
        let place = f.decl.place.as_deref().unwrap_or("—");
        let when = f
            .period
            .as_ref()
            .map(|p| p.to.display())
            .unwrap_or_default();
        let src = registry
            .get(&f.decl.source)
            .map_or(f.decl.source.as_str(), |s| s.publisher.as_str());
        let sub = [when.as_str(), src]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        let label = format!("{place} · {sub}");
        let disputed = if disputed.contains(f.decl.id.as_str()) {
            " disputed"
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<g class=\"bar{disputed}\"><text x=\"0\" y=\"{ty:.1}\" class=\"label\" fill=\"currentColor\" font-size=\"12\"><title>{label_full}</title><tspan font-weight=\"600\">{place}</tspan> · {sub}</text>\
<rect x=\"0\" y=\"{ry:.1}\" width=\"{w:.1}\" height=\"16\" rx=\"2\" class=\"bar-rect{disputed}\"/>\
<text x=\"{tx:.1}\" y=\"{vy:.1}\" class=\"value\" fill=\"currentColor\">{value}</text></g>",
            ty = y + 13.0,
            ry = y + 19.0,
            vy = y + 32.0,
            tx = w + 6.0,
            label_full = escape_html(&label),
            place = escape_html(&ellipsize(place, 24)),
            sub = escape_html(&ellipsize(
                &sub,
                46usize.saturating_sub(place.chars().count().min(24))
            )),
            value = escape_html(&f.display(true)),
        );
    }
    svg.push_str("</svg>");
    let _ = write!(
        svg,
        "<figcaption>{}</figcaption><details class=\"chart-data\"><summary>Data table</summary><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Chart data\"><table><thead><tr><th scope=\"col\">Place</th><th scope=\"col\">Value</th><th scope=\"col\">Subject</th><th scope=\"col\">Date</th><th scope=\"col\">Source</th></tr></thead><tbody>",
        escape_html(&title)
    );
    for f in &rows {
        let src = registry
            .get(&f.decl.source)
            .map_or(f.decl.source.to_string(), |s| s.publisher.clone());
        let _ = write!(
            svg,
            "<tr><td>{}</td><td data-sort=\"{}\">{}</td><td>{}</td><td>{}</td><td><a href=\"{}/sources/#src-{}\">{}</a></td></tr>",
            escape_html(f.decl.place.as_deref().unwrap_or("—")),
            f.decl.value.point(),
            escape_html(&f.display(true)),
            escape_html(&f.decl.subject),
            escape_html(&f.period.as_ref().map(|p| p.display()).unwrap_or_default()),
            escape_html(base_path),
            escape_html(&f.decl.source),
            escape_html(&src)
        );
    }
    svg.push_str("</tbody></table></div></details></figure>");
    Ok(svg)
}

/// At most `max` characters, with an ellipsis when cut (the full text is in a tooltip).
/// The figures with each claim drawn once: of the figures one text states for one place,
/// claimant and period (a wire copy of another source carries that source's text; a
/// story's caption repeats its body), the one the others repeat is kept: a source that
/// republishes none, then an exact number before a qualified one, then the smaller id.
fn one_bar_per_text<'a>(rows: Vec<&'a Figure>, registry: &Registry) -> Vec<&'a Figure> {
    let root = |f: &Figure| {
        let mut id = f.decl.source.as_str();
        for _ in 0..16 {
            match registry.get(id).and_then(|s| s.republishes.as_deref()) {
                Some(r) => id = r,
                None => break,
            }
        }
        id.to_string()
    };
    let key = |f: &'a Figure| {
        f.period.as_ref().map(|p| {
            (
                root(f),
                f.place_key.clone(),
                f.claimant_key.clone(),
                (p.from.day, p.to.day, p.point),
            )
        })
    };
    let rank = |f: &'a Figure| {
        (
            registry
                .get(&f.decl.source)
                .is_some_and(|s| s.republishes.is_some()),
            f.qualifier != crate::content::figures::Qualifier::Exact,
            f.decl.id.as_str(),
        )
    };
    let mut kept: std::collections::HashMap<_, &'a Figure> = std::collections::HashMap::new();
    for &f in &rows {
        if let Some(k) = key(f) {
            kept.entry(k)
                .and_modify(|g| {
                    if rank(f) < rank(g) {
                        *g = f;
                    }
                })
                .or_insert(f);
        }
    }
    rows.into_iter()
        .filter(|&f| key(f).is_none_or(|k| std::ptr::eq(kept[&k], f)))
        .collect()
}

fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn describe(f: &Figure, registry: &Registry) -> String {
    let src = registry
        .get(&f.decl.source)
        .map_or(f.decl.source.as_str(), |s| s.publisher.as_str());
    format!("{} ({}, {})", f.display(true), f.decl.subject, src)
}
