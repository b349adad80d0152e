//! Build-time SVG charts and maps of figures, no JavaScript: a dot and range plot per
//! measure (`plot`), a timeline of figures by date (`timeline`), a map of places (`map`).
//!
//! The charts are fluid without being scaled: an SVG without a viewBox, its horizontal
//! positions in percent of its width and its text in pixels, so text is never smaller
//! than it was set and a label wrapped to fit the narrowest column (320 px screens) fits
//! every wider one. Each chart has a title, a description, a legend in words and shapes,
//! and the same data as a table; each mark is a link to its figure's row on /figures/.

pub mod map;
mod plot;
mod timeline;

use crate::content::figures::RelationKind;
use crate::content::ids::FigureId;
use crate::html::escape;
use crate::sources::{Figure, Period, Registry, Relation, Relations, Vocabulary};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// What charts are drawn from: the checked figures and how they relate.
#[derive(Clone, Copy)]
pub struct Data<'a> {
    /// Every figure, by id.
    pub figures: &'a BTreeMap<FigureId, Figure>,
    /// The sources.
    pub registry: &'a Registry,
    /// How the figures relate.
    pub relations: &'a Relations,
    /// The registries (places' coordinates).
    pub vocab: &'a Vocabulary,
    /// The URL path every URL starts with.
    pub base_path: &'a str,
    /// The slugs of the places that have a page (`/places/<slug>/`).
    pub place_pages: &'a BTreeSet<String>,
}

/// Which chart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Kind {
    /// Each figure's interval on an axis of its measure.
    #[default]
    Range,
    /// Each figure's period on an axis of days.
    Timeline,
}

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
    /// A range plot (the default) or a timeline.
    pub kind: Kind,
}

impl ChartSpec {
    /// The spec of a `chart(...)` shortcode's arguments.
    pub fn from_args(
        args: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<ChartSpec, String> {
        let s = |k: &str| args.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let kind = match s("kind").as_deref() {
            None | Some("range") => Kind::Range,
            Some("timeline") => Kind::Timeline,
            Some(other) => {
                return Err(format!(
                    "unknown chart kind `{other}`: `range` (the default) or `timeline`"
                ));
            }
        };
        Ok(ChartSpec {
            measure: s("measure"),
            unit: s("unit"),
            place: s("place"),
            title: s("title"),
            kind,
        })
    }

    fn matches(&self, f: &Figure) -> bool {
        let eq = |a: &str, b: &str| crate::sources::name_key(a) == crate::sources::name_key(b);
        self.measure.as_ref().is_none_or(|m| eq(m, &f.decl.measure))
            && self
                .unit
                .as_ref()
                .is_none_or(|u| f.decl.unit.as_deref().is_some_and(|x| eq(u, x)))
            && self.place.as_ref().is_none_or(|p| {
                f.decl.place.as_deref().is_some_and(|x| eq(p, x))
                    || f.place_key.as_deref() == Some(crate::sources::name_key(p).as_str())
            })
    }

    fn selection(&self) -> String {
        format!(
            "measure {:?}, unit {:?}, place {:?}",
            self.measure.as_deref().unwrap_or("any"),
            self.unit.as_deref().unwrap_or("any"),
            self.place.as_deref().unwrap_or("any")
        )
    }
}

/// The chart `spec` asks for, as an HTML `<figure>`.
pub fn render(spec: &ChartSpec, data: &Data) -> Result<String, String> {
    match spec.kind {
        Kind::Range => plot::render(spec, data),
        Kind::Timeline => timeline::render(spec, data),
    }
}

/// The map of the places with coordinates and a page, each labelled with its latest
/// figure of the measure (and unit) `spec` selects: `map(measure=..., unit=..., title=...)`.
pub fn map_html(spec: &ChartSpec, data: &Data) -> Result<String, String> {
    let Some(places) = &data.vocab.places else {
        return Err("a map needs content/places.yaml with `lat` and `lon` on its places".into());
    };
    let claims = claims(spec, data);
    let measure = claims.first().map(|c| lower_first(&c.figure.measure_label));
    let mut marks = Vec::new();
    for p in places.entries.values() {
        let (Some(lat), Some(lon)) = (p.lat, p.lon) else {
            continue;
        };
        // A place's page is named by the slug of the name pages and figures write: its
        // registry name or one of its aliases.
        let Some(slug) = std::iter::once(&p.name)
            .chain(&p.aliases)
            .map(slug::slugify)
            .find(|s| data.place_pages.contains(s))
        else {
            continue;
        };
        // The latest of its comparable figures: the last day, then the widest period.
        let latest = claims
            .iter()
            .filter(|c| c.figure.place_key.as_deref() == Some(p.id.as_str()))
            .max_by_key(|c| {
                c.figure
                    .period
                    .as_ref()
                    .map(|q| (q.to.day, std::cmp::Reverse(q.from.day)))
            });
        let (label, detail, flagged) = match latest {
            Some(c) => {
                let f = c.figure;
                let mut detail = vec![format!("allows {}", f.interval.words())];
                if let Some(q) = &f.period {
                    detail.push(short_period(q));
                }
                if let Some(by) = &f.decl.claimed_by {
                    detail.push(by.clone());
                }
                detail.push(c.sources(data.registry));
                (
                    count_of(&f.display(true), measure.as_deref().unwrap_or_default()),
                    detail.join("; "),
                    !c.conflicts.is_empty(),
                )
            }
            None => (String::new(), String::new(), false),
        };
        marks.push(map::Mark {
            id: p.id.clone(),
            name: p.name.clone(),
            lat,
            lon,
            label,
            detail,
            url: format!("{}/places/{slug}/", data.base_path),
            flagged,
        });
    }
    if marks.is_empty() {
        return Err(
            "the map has no places: give places in content/places.yaml `lat:` and `lon:`".into(),
        );
    }
    let title = spec.title.clone().unwrap_or_else(|| match &measure {
        Some(m) => format!("The latest count of {m} in each place"),
        None => "The places".into(),
    });
    let opts = map::MapOptions {
        id: format!("map-{}", slug::slugify(&title)),
        title,
        highlight: Vec::new(),
    };
    // A regional map cannot hold places on opposite sides of the world: those farthest
    // from the others are left off and named under the map.
    let mut left_off: Vec<map::Mark> = Vec::new();
    while marks.len() > 2 {
        let (i, degrees) = map::farthest(&marks);
        if degrees <= FAR_DEGREES {
            break;
        }
        left_off.push(marks.remove(i));
    }
    loop {
        match map::render(&marks, &opts) {
            Ok(html) => {
                if left_off.is_empty() {
                    return Ok(html);
                }
                let names: Vec<String> = left_off
                    .iter()
                    .map(|m| {
                        format!(
                            "<a href=\"{}\">{}</a>{}",
                            escape(&m.url),
                            escape(&m.name),
                            if m.label.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", escape(&m.label))
                            }
                        )
                    })
                    .collect();
                let note = format!(
                    " <span class=\"map-note map-off\">Too far away for this map: {}.</span>",
                    names.join(", ")
                );
                // In the map's caption, under the map.
                let end = html.find("</figcaption>").unwrap_or(html.len());
                return Ok(format!("{}{note}{}", &html[..end], &html[end..]));
            }
            Err(e) if e.contains("too far apart") && marks.len() > 1 => {
                let (i, _) = map::farthest(&marks);
                left_off.push(marks.remove(i));
            }
            Err(e) => return Err(e),
        }
    }
}

/// A place farther than this from the others (about 6,700 km) is left off the map rather
/// than shrink the region of all the others to fit it.
const FAR_DEGREES: f64 = 60.0;

/// How a relation that disputes a figure is named in text.
fn conflict_words(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Inconsistent => "Cannot both be true with",
        _ => "Disagrees with",
    }
}

/// One claim as a chart shows it: a figure with the figures folded under it (the same
/// claim repeated, a wire copy), and the figures it conflicts with.
struct Claim<'a> {
    figure: &'a Figure,
    repeats: Vec<&'a Figure>,
    /// (how, the other claim's figure), originals only, each once.
    conflicts: Vec<(RelationKind, &'a Figure)>,
}

impl<'a> Claim<'a> {
    /// "AP, Al Jazeera, The Washington Post (nearly 100,000)": the sources that state it.
    fn sources(&self, registry: &Registry) -> String {
        let mut out = vec![source_name(registry, self.figure)];
        for r in &self.repeats {
            let name = source_name(registry, r);
            let text = if r.display(true) == self.figure.display(true) {
                name
            } else {
                format!("{name} ({})", r.display(true))
            };
            if !out.contains(&text) {
                out.push(text);
            }
        }
        out.join(", ")
    }

    /// The same, each source a link to its entry on /sources/.
    fn sources_html(&self, data: &Data) -> String {
        let mut seen = BTreeSet::new();
        std::iter::once(self.figure)
            .chain(self.repeats.iter().copied())
            .filter(|f| seen.insert(f.decl.source.as_str()))
            .map(|f| {
                format!(
                    "<a href=\"{}/sources/#src-{}\">{}</a>",
                    escape(data.base_path),
                    escape(&f.decl.source),
                    escape(&source_name(data.registry, f))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The worst conflict: an inconsistency before a disagreement.
    fn shape(&self) -> Shape {
        if self
            .conflicts
            .iter()
            .any(|(k, _)| *k == RelationKind::Inconsistent)
        {
            Shape::Triangle
        } else if self.conflicts.is_empty() {
            Shape::Circle
        } else {
            Shape::Diamond
        }
    }
}

/// "AP" (a source's short name), or its publisher.
fn source_name(registry: &Registry, f: &Figure) -> String {
    registry
        .get(&f.decl.source)
        .map(|s| s.short.clone().unwrap_or_else(|| s.publisher.clone()))
        .unwrap_or_else(|| f.decl.source.to_string())
}

/// The claims among the figures `spec` selects: each repeat folded under its original
/// (which is shown even when only a repeat is selected), each conflict named once.
fn claims<'a>(spec: &ChartSpec, data: &Data<'a>) -> Vec<Claim<'a>> {
    let originals =
        crate::sources::relations::originals(data.figures, data.registry, data.relations);
    let original = |id: &'a str| originals.get(id).map_or(id, |(o, _)| *o);
    let mut by_id: BTreeMap<&str, Claim> = BTreeMap::new();
    for f in data.figures.values().filter(|f| spec.matches(f)) {
        let o = original(f.decl.id.as_str());
        let claim = by_id.entry(o).or_insert_with(|| Claim {
            figure: &data.figures[o],
            repeats: Vec::new(),
            conflicts: Vec::new(),
        });
        if o != f.decl.id.as_str() {
            claim.repeats.push(f);
        }
    }
    for r in data.relations.list.iter().filter(|r| r.kind.disputes()) {
        let ids: Vec<&str> = r.figures.iter().map(|id| original(id.as_str())).collect();
        for (i, &id) in ids.iter().enumerate() {
            let Some(c) = by_id.get_mut(id) else { continue };
            for (j, &other) in ids.iter().enumerate() {
                if i == j || other == id {
                    continue;
                }
                let f = &data.figures[other];
                if !c
                    .conflicts
                    .iter()
                    .any(|(k, g)| *k == r.kind && g.decl.id == f.decl.id)
                {
                    c.conflicts.push((r.kind, f));
                }
            }
        }
    }
    by_id.into_values().collect()
}

/// A running total read more than once: the claims of its readings, in order.
fn series<'c, 'a>(claims: &'c [Claim<'a>], data: &Data<'a>) -> Vec<Vec<&'c Claim<'a>>> {
    let relations = data.relations;
    // A reading repeated by another source is read as its original.
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, c) in claims.iter().enumerate() {
        at.insert(c.figure.decl.id.as_str(), i);
        for r in &c.repeats {
            at.insert(r.decl.id.as_str(), i);
        }
    }
    let mut next: BTreeMap<usize, usize> = BTreeMap::new();
    let mut has_prev: BTreeSet<usize> = BTreeSet::new();
    let updates = relations
        .list
        .iter()
        .filter(|r: &&Relation| r.kind == RelationKind::Update && r.figures.len() == 2);
    for r in updates {
        let (Some(&a), Some(&b)) = (at.get(r.figures[0].as_str()), at.get(r.figures[1].as_str()))
        else {
            continue;
        };
        if a != b && !next.contains_key(&a) && !has_prev.contains(&b) {
            next.insert(a, b);
            has_prev.insert(b);
        }
    }
    let mut out = Vec::new();
    for &start in next.keys() {
        if has_prev.contains(&start) {
            continue;
        }
        let mut run = vec![&claims[start]];
        let mut i = start;
        while let Some(&n) = next.get(&i) {
            if run.len() > claims.len() {
                break;
            }
            run.push(&claims[n]);
            i = n;
        }
        out.push(run);
    }
    out
}

/// A mark's shape: the kind of conflict is shown by shape, not only by colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Circle,
    Diamond,
    Triangle,
}

impl Shape {
    fn class(self) -> &'static str {
        match self {
            Shape::Circle => "mk",
            Shape::Diamond => "mk mk-disputed",
            Shape::Triangle => "mk mk-inconsistent",
        }
    }

    /// The shape centred on (0, 0).
    fn path(self) -> &'static str {
        match self {
            Shape::Circle => "M-5.5 0a5.5 5.5 0 1 0 11 0a5.5 5.5 0 1 0-11 0Z",
            Shape::Diamond => "M0-7L7 0 0 7-7 0Z",
            Shape::Triangle => "M0-7L7 5.5H-7Z",
        }
    }

    /// The shape at `x` percent of the chart's width, `y` pixels down.
    fn at(self, x: f64, y: f64) -> String {
        self.at_x(&format!("{x:.2}%"), y)
    }

    /// The shape at `x` (a length: "12", "50%"), `y` pixels down.
    fn at_x(self, x: &str, y: f64) -> String {
        format!(
            "<svg x=\"{x}\" y=\"{y:.1}\" width=\"1\" height=\"1\" overflow=\"visible\" aria-hidden=\"true\"><path class=\"{}\" d=\"{}\" fill=\"currentColor\"/></svg>",
            self.class(),
            self.path()
        )
    }

    /// The shape as a 16 px icon for legends.
    fn icon(self) -> String {
        format!(
            "<svg class=\"chart-icon\" width=\"16\" height=\"16\" viewBox=\"-8 -8 16 16\" aria-hidden=\"true\"><path class=\"{}\" d=\"{}\" fill=\"currentColor\"/></svg>",
            self.class(),
            self.path()
        )
    }
}

// ---------- Layout in pixels ----------

/// The narrowest a chart is drawn: a 320 px screen less the page's gutters (2 x 16 px).
const NARROWEST: f64 = 288.0;
/// Labels are wrapped to this width, with room to spare for fonts wider than the estimate.
const LABEL_W: f64 = 272.0;
/// Label text, in px (rendered as set: the SVG is never scaled).
const TEXT: f64 = 13.0;
/// Place names over their claims.
const PLACE: f64 = 15.0;
/// Where text starts: a glyph's side bearing may reach left of its origin.
const TEXT_X: f64 = 1.0;
const LINE: f64 = 17.0;
/// Axis tick labels.
const TICK: f64 = 12.0;
/// The plot area in percent of the width: room at the ends for half a mark.
const X0: f64 = 2.5;
const X1: f64 = 97.5;

/// A label's pieces: its text and whether it is bold.
type Segment = (String, bool);

/// `segments` laid out in lines of at most `max` px, joined by " · "; a segment too long
/// for one line is wrapped at spaces.
fn wrap(segments: &[Segment], size: f64, max: f64) -> Vec<Vec<Segment>> {
    let w = |s: &str, bold: bool| map::text_width(s, size, bold);
    let mut lines: Vec<Vec<Segment>> = Vec::new();
    let mut line: Vec<Segment> = Vec::new();
    let mut used = 0.0;
    for (text, bold) in segments.iter().filter(|(t, _)| !t.trim().is_empty()) {
        // A segment that ends in an arrow leads on to the next.
        let sep = match line.last() {
            None => "",
            Some((t, _)) if t.ends_with('→') => " ",
            Some(_) => " · ",
        };
        let need = w(sep, false) + w(text, *bold);
        if used + need <= max {
            if !sep.is_empty() {
                line.push((sep.into(), false));
            }
            line.push((text.clone(), *bold));
            used += need;
            continue;
        }
        // On a line of its own, word by word.
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut cur = String::new();
        for word in text.split(' ') {
            let cand = if cur.is_empty() {
                word.to_string()
            } else {
                format!("{cur} {word}")
            };
            if w(&cand, *bold) <= max || cur.is_empty() {
                cur = cand;
            } else {
                lines.push(vec![(std::mem::take(&mut cur), *bold)]);
                cur = word.to_string();
            }
        }
        used = w(&cur, *bold);
        line.push((cur, *bold));
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lines of text at `y` (the first line's baseline), `x` px from the left edge.
fn write_lines(out: &mut String, lines: &[Vec<Segment>], x: f64, y: f64, class: &str) {
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"{class}\" x=\"{x}\" y=\"{:.1}\" font-size=\"{TEXT}\" fill=\"currentColor\">",
            y + LINE * i as f64
        );
        for (text, bold) in line {
            if *bold {
                let _ = write!(out, "<tspan font-weight=\"700\">{}</tspan>", escape(text));
            } else {
                out.push_str(&escape(text));
            }
        }
        out.push_str("</text>");
    }
}

/// The plain text of lines.
#[cfg(test)]
fn lines_text(lines: &[Vec<Segment>]) -> String {
    lines
        .iter()
        .map(|l| l.iter().map(|(t, _)| t.as_str()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where `v` goes in percent of the width, on an axis from `lo` to `hi`.
fn pct(v: f64, lo: f64, hi: f64) -> f64 {
    if hi <= lo {
        return X0;
    }
    X0 + (v - lo) / (hi - lo) * (X1 - X0)
}

/// An axis: its ends and its ticks (value, label).
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// Tick labels at `y` (their baseline) and grid lines from `y + 6` to `bottom`.
    fn write(&self, out: &mut String, y: f64, bottom: f64) {
        out.push_str("<g class=\"axis\" aria-hidden=\"true\">");
        for (v, _) in &self.ticks {
            let x = pct(*v, self.lo, self.hi);
            let _ = write!(
                out,
                "<line class=\"grid\" x1=\"{x:.2}%\" x2=\"{x:.2}%\" y1=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.25\"/>",
                y + 6.0
            );
        }
        out.push_str("</g>");
        self.write_labels(out, y);
    }

    /// The tick labels alone, their baseline at `y`.
    fn write_labels(&self, out: &mut String, y: f64) {
        out.push_str("<g class=\"axis\" aria-hidden=\"true\">");
        let n = self.ticks.len();
        for (i, (v, label)) in self.ticks.iter().enumerate() {
            let x = pct(*v, self.lo, self.hi);
            // The end labels are anchored inside the chart, so none leaves it.
            let anchor = match i {
                0 => "start",
                _ if i + 1 == n => "end",
                _ => "middle",
            };
            let _ = write!(
                out,
                "<text class=\"tick\" x=\"{x:.2}%\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"{TICK}\" fill=\"currentColor\">{}</text>",
                escape(label)
            );
        }
        out.push_str("</g>");
    }
}

/// A linear axis from 0 (or below, for negative values) to at least `max`, with round
/// steps far enough apart that their labels never meet at the narrowest width.
fn value_axis(min: f64, max: f64, unit: impl Fn(f64) -> String) -> Axis {
    let lo = min.min(0.0);
    let span = (max - lo).max(f64::MIN_POSITIVE);
    let plot_w = NARROWEST * (X1 - X0) / 100.0;
    let mut k = 10f64.powf(span.log10().floor() - 1.0);
    loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = k * m;
            let hi = (max / step).ceil().max(1.0) * step;
            let n = ((hi - lo) / step).round() as usize;
            if n > 6 {
                continue;
            }
            let ticks: Vec<(f64, String)> = (0..=n)
                .map(|i| {
                    let v = lo + step * i as f64;
                    (v, unit(v))
                })
                .collect();
            if ticks_fit(&ticks, plot_w) {
                return Axis { lo, hi, ticks };
            }
        }
        k *= 10.0;
    }
}

/// "27 Sep 2022".
fn short_date(d: &crate::content::dates::Date) -> String {
    d.day.strftime("%-d %b %Y").to_string()
}

/// "21–27 Sep 2022", "21 Sep – 4 Oct 2022", "c. 4 Oct 2022".
fn short_period(p: &Period) -> String {
    let (a, b) = (p.from.day, p.to.day);
    let c = |i: &Option<String>| if i.is_some() { "c. " } else { "" };
    let (ca, cb) = (c(&p.from_inferred), c(&p.to_inferred));
    if a == b {
        format!(
            "{}{}",
            if ca.is_empty() { cb } else { ca },
            short_date(&p.to)
        )
    } else if a.year() == b.year() && a.month() == b.month() && ca.is_empty() && cb.is_empty() {
        format!("{}–{}", a.day(), short_date(&p.to))
    } else if a.year() == b.year() {
        format!("{ca}{} – {cb}{}", a.strftime("%-d %b"), short_date(&p.to))
    } else {
        format!("{ca}{} – {cb}{}", short_date(&p.from), short_date(&p.to))
    }
}

/// "Kazakhstan", or "—" for a figure of no place.
fn place_name(f: &Figure) -> &str {
    f.decl.place.as_deref().unwrap_or("—")
}

/// The legend: what each shape means, only for the shapes the chart uses.
fn legend(shapes: &BTreeSet<u8>, what: &str) -> String {
    let mut out = String::from("<p class=\"chart-key\">");
    let _ = write!(out, "<span>{} {what}</span>", Shape::Circle.icon());
    if shapes.contains(&1) {
        let _ = write!(
            out,
            " <span>{} the sources disagree with another figure</span>",
            Shape::Diamond.icon()
        );
    }
    if shapes.contains(&2) {
        let _ = write!(
            out,
            " <span>{} cannot be true together with another figure</span>",
            Shape::Triangle.icon()
        );
    }
    out.push_str("</p>");
    out
}

fn shape_code(s: Shape) -> u8 {
    match s {
        Shape::Circle => 0,
        Shape::Diamond => 1,
        Shape::Triangle => 2,
    }
}

/// The link of a figure's row on /figures/.
fn figure_url(data: &Data, f: &Figure) -> String {
    format!("{}/figures/#{}", data.base_path, f.anchor())
}

/// A unique id for a chart of `title` on its page.
fn chart_id(prefix: &str, title: &str) -> String {
    format!("{prefix}-{}", slug::slugify(title))
}

/// The conflicts of a claim, in words: "Disagrees with 261,000 people (exits, Russia's
/// security services)".
fn conflict_lines(c: &Claim, data: &Data) -> Vec<(Shape, String)> {
    c.conflicts
        .iter()
        .map(|(kind, g)| {
            let shape = if *kind == RelationKind::Inconsistent {
                Shape::Triangle
            } else {
                Shape::Diamond
            };
            let mut who = Vec::new();
            if g.decl.measure != c.figure.decl.measure {
                who.push(lower_first(&g.measure_label));
            }
            if g.decl.place != c.figure.decl.place {
                who.push(place_name(g).to_string());
            }
            who.push(
                g.decl
                    .claimed_by
                    .clone()
                    .unwrap_or_else(|| source_name(data.registry, g)),
            );
            (
                shape,
                format!(
                    "{} {} ({})",
                    conflict_words(*kind),
                    g.describe(),
                    who.join(", ")
                ),
            )
        })
        .collect()
}

/// A chart drawn, to be written out as a `<figure>`: its caption (title and key), the SVG,
/// and the data table.
struct Drawn<'a> {
    class: &'a str,
    id: &'a str,
    title: &'a str,
    /// The legend and notes, HTML.
    key: String,
    height: f64,
    desc: String,
    svg: &'a str,
    head: &'a [&'a str],
    rows: &'a [Vec<String>],
}

impl Drawn<'_> {
    fn html(&self) -> String {
        let (id, title) = (self.id, escape(self.title));
        let mut out = format!(
            "<figure class=\"chart {}\" id=\"{id}\"><figcaption><p class=\"chart-title\">{title}</p>{}</figcaption>",
            self.class, self.key
        );
        let _ = write!(
            out,
            "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" height=\"{}\" role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" font-family=\"system-ui, sans-serif\"><title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{}</desc>{}</svg>",
            self.height.ceil(),
            escape(&self.desc),
            self.svg
        );
        write_table(&mut out, id, self.title, self.head, self.rows);
        out.push_str("</figure>");
        out
    }
}

/// "A diamond marks ...", when the chart has such marks.
fn shapes_words(shapes: &BTreeSet<u8>) -> &'static str {
    if shapes.len() > 1 {
        "A diamond marks a figure the sources disagree on, a triangle one that cannot be true together with another; each conflict is named under its claim. "
    } else {
        ""
    }
}

/// The data table after a chart, in a disclosure.
fn write_table(out: &mut String, id: &str, caption: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(
        out,
        "<details class=\"chart-data\"><summary>The data as a table</summary><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"{id}-table-caption\"><table id=\"{id}-table\"><caption id=\"{id}-table-caption\">{}</caption><thead><tr>",
        escape(caption)
    );
    for h in head {
        let _ = write!(out, "<th scope=\"col\">{h}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for (i, cell) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{cell}</th>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></details>");
}

#[cfg(test)]
mod tests;

/// A label inside a sentence: its first letter lowercased, the rest as written ("Exits
/// from Russia" -> "exits from Russia"); an acronym ("EU entries") stays as it is.
pub(crate) fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => a
            .to_lowercase()
            .chain(label[a.len_utf8()..].chars())
            .collect(),
        _ => label.to_string(),
    }
}

/// Whether an axis's tick labels fit `plot_w`: the last label is anchored at its end and
/// the first at its start, so between neighbours there must be room for one and a half
/// labels.
pub(crate) fn ticks_fit(ticks: &[(f64, String)], plot_w: f64) -> bool {
    let gaps = ticks.len().saturating_sub(1) as f64;
    let widest = ticks
        .iter()
        .map(|(_, l)| map::text_width(l, TICK, false))
        .fold(0.0, f64::max);
    plot_w / gaps >= widest * 1.5 + 8.0
}

/// A number and what it counts: "66,000 entries", "thousands of entries".
fn count_of(number: &str, what: &str) -> String {
    let vague = crate::sources::numbers::VAGUE
        .iter()
        .any(|(w, ..)| number.ends_with(w));
    match (what.is_empty(), vague) {
        (true, _) => number.to_string(),
        (false, true) => format!("{number} of {what}"),
        (false, false) => format!("{number} {what}"),
    }
}
