//! Build-time SVG maps of places: a regional map in a Lambert azimuthal equal-area
//! projection centred on the marks, drawn from a vendored Natural Earth base map
//! (`world.json`, see its LICENSE.md), with each place a focusable link, labels placed so
//! they never overlap, and the same data as a table after the map. No JavaScript; colours
//! come from CSS classes (`map.css`) with `currentColor` as the fallback, so light and dark
//! mode both work.

use crate::html::escape;
use serde::Deserialize;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

/// The base map: world-atlas 2.0.2's 1:50m countries, simplified by convert.py.
const WORLD_JSON: &str = include_str!("../../themes/default/map/world.json");

/// One place on the map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mark {
    /// Unique within the map; becomes part of element ids (`A-Z a-z 0-9 - _`).
    pub id: String,
    /// The place's name, the first line of its label.
    pub name: String,
    /// Latitude in degrees, -90 to 90.
    pub lat: f64,
    /// Longitude in degrees, -180 to 180.
    pub lon: f64,
    /// The value shown under the name, e.g. "over 200,000 entries"; may be empty.
    pub label: String,
    /// Read out and tabulated, not drawn: e.g. "21 Sep – 4 Oct 2022, Kazakhstan's interior ministry".
    pub detail: String,
    /// The place's page.
    pub url: String,
    /// A dispute or inconsistency: drawn as a diamond with an asterisk, and named in text.
    pub flagged: bool,
}

/// What the map is called and which countries it shades.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapOptions {
    /// The map's accessible name (the SVG's `<title>`, and the table's caption).
    pub title: String,
    /// Prefix of the element ids of this map (`A-Z a-z 0-9 - _`), unique on its page.
    pub id: String,
    /// ISO 3166-1 numeric ids of countries to shade (643 is Russia).
    pub highlight: Vec<u16>,
}

/// Width of the viewBox. The SVG's natural width is 600 px (scale 1.5), so the 13.5-unit
/// value text is 20 px there and still 12 px when the map is shrunk to the 358 px of a
/// 390 px screen.
const W: f64 = 400.0;
const NATURAL_WIDTH: f64 = 600.0;
const EARTH_KM: f64 = 6371.0;
/// The smallest frame, so one place or a tight cluster still shows its region.
const MIN_SPAN_KM: f64 = 2400.0;
/// Room between the marks' bounding box and the frame, for the labels.
const MARGIN_X: f64 = 40.0;
const MARGIN_Y: f64 = 36.0;
const MIN_ASPECT: f64 = 0.75;
const MAX_ASPECT: f64 = 1.0;
/// Polygons are clipped this far outside the viewBox, so clipped edges never show.
const CLIP_PAD: f64 = 2.0;
/// Farthest a mark may be from the map's centre; beyond it a regional map makes no sense.
const MAX_REACH_DEG: f64 = 110.0;

const NAME_SIZE: f64 = 14.0;
const VALUE_SIZE: f64 = 13.5;
const LINE_STEP: f64 = 15.5;
/// Half the width of the halo drawn behind label text (map.css: stroke-width 3).
const HALO: f64 = 1.5;
const MARK_R: f64 = 4.5;
const DIAMOND_R: f64 = 6.0;

/// Renders the map of `marks` as an HTML fragment: a `<div class="map-block">` holding a
/// `<figure>` (the SVG and its legend), then a `<table>` with the same data.
pub fn render(marks: &[Mark], opts: &MapOptions) -> Result<String, String> {
    validate(marks, opts)?;
    let world = world();
    for &id in &opts.highlight {
        if !world.iter().any(|c| c.id == Some(id)) {
            return Err(format!(
                "map `{}`: highlight: no country has ISO 3166-1 numeric id {id} (the base map has 241 countries; Russia is 643, Georgia 268)",
                opts.id
            ));
        }
    }
    let points: Vec<V3> = marks.iter().map(|m| to_vec(m.lat, m.lon)).collect();
    let frame = Frame::fit(&points)?;
    let xy: Vec<(f64, f64)> = points.iter().map(|&p| frame.xy(p)).collect();
    let specs: Vec<LabelSpec> = marks.iter().map(LabelSpec::of).collect();
    let placed = place_labels(&xy, &specs, frame.w, frame.h);

    let mut out = String::new();
    let id = &opts.id;
    let (w, h) = (frame.w, frame.h);
    let _ = write!(
        out,
        "<div class=\"map-block\">\n<figure class=\"map\" id=\"{id}\">\n<svg class=\"map-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" font-family=\"system-ui, sans-serif\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        N(w),
        N(h),
        N(NATURAL_WIDTH),
        N(NATURAL_WIDTH * h / w),
        escape(&opts.title),
        escape(&description(marks, opts, world))
    );
    let _ = writeln!(
        out,
        "<rect class=\"map-sea\" width=\"{}\" height=\"{}\" fill=\"currentColor\" fill-opacity=\"0.04\"/>",
        N(w),
        N(h)
    );
    // The countries are decoration for assistive technology (the marks and the table carry
    // the data), but their names stay as tooltips.
    out.push_str("<g class=\"map-countries\" aria-hidden=\"true\" fill=\"currentColor\" fill-opacity=\"0.1\" stroke=\"currentColor\" stroke-opacity=\"0.4\" stroke-width=\"0.5\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n");
    for country in world {
        let d = frame.country_path(country);
        if d.is_empty() {
            continue;
        }
        let class = if country.id.is_some_and(|i| opts.highlight.contains(&i)) {
            "map-land map-highlight"
        } else {
            "map-land"
        };
        let _ = writeln!(
            out,
            "<path class=\"{class}\" d=\"{d}\"><title>{}</title></path>",
            escape(&country.name)
        );
    }
    out.push_str("</g>\n<g class=\"map-marks\">\n");
    for (i, m) in marks.iter().enumerate() {
        let (x, y) = xy[i];
        let _ = write!(
            out,
            "<a id=\"{id}-{}\" href=\"{}\" aria-label=\"{}\">",
            m.id,
            escape(&m.url),
            escape(&accessible_name(m))
        );
        if let Some((x1, y1, x2, y2)) = placed[i].as_ref().and_then(|p| p.leader) {
            let _ = write!(
                out,
                "<line class=\"map-leader\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"currentColor\" stroke-width=\"0.75\"/>",
                N(x1),
                N(y1),
                N(x2),
                N(y2)
            );
        }
        if m.flagged {
            let r = DIAMOND_R;
            let _ = write!(
                out,
                "<path class=\"map-mark map-mark-flagged\" d=\"M{} {}L{} {} {} {} {} {}Z\" fill=\"currentColor\"/>",
                N(x),
                N(y - r),
                N(x + r),
                N(y),
                N(x),
                N(y + r),
                N(x - r),
                N(y)
            );
        } else {
            let _ = write!(
                out,
                "<circle class=\"map-mark\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"currentColor\"/>",
                N(x),
                N(y),
                N(MARK_R)
            );
        }
        if let Some(p) = &placed[i] {
            write_label(&mut out, p, &specs[i].name, &m.label);
        }
        out.push_str("</a>\n");
    }
    out.push_str("</g>\n</svg>\n");
    write_caption(&mut out, marks, &placed);
    out.push_str("</figure>\n");
    write_table(&mut out, marks, opts);
    out.push_str("</div>\n");
    Ok(out)
}

/// The mark farthest from the centre of the others, and how far it is from it in degrees:
/// the one to leave off a regional map.
pub(super) fn farthest(marks: &[Mark]) -> (usize, f64) {
    let points: Vec<V3> = marks.iter().map(|m| to_vec(m.lat, m.lon)).collect();
    let away = |i: usize| {
        let rest = points
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .fold([0.0; 3], |a, (_, &p)| add(a, p));
        angle(points[i], normalize(rest)).to_degrees()
    };
    (0..points.len())
        .map(|i| (i, away(i)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0))
}

/// A placed label: the name, and under it the value where there was room.
fn write_label(out: &mut String, p: &Placed, name: &str, value: &str) {
    let (anchor, tx) = match p.align {
        Align::Start => ("start", p.rect.x0 + HALO),
        Align::Middle => ("middle", (p.rect.x0 + p.rect.x1) / 2.0),
        Align::End => ("end", p.rect.x1 - HALO),
    };
    let base = p.rect.y0 + HALO + ASCENT * NAME_SIZE;
    // The space keeps name and value apart in the text's content (its accessible
    // text); the box reserved for the label allows for it.
    let sep = if p.with_value { " " } else { "" };
    let _ = write!(
        out,
        "<text class=\"map-label\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"currentColor\"><tspan class=\"map-label-name\" font-size=\"{}\" font-weight=\"700\">{}{sep}</tspan>",
        N(tx),
        N(base),
        N(NAME_SIZE),
        escape(name),
    );
    if p.with_value {
        let _ = write!(
            out,
            "<tspan class=\"map-label-value\" x=\"{}\" dy=\"{}\" font-size=\"{}\">{}</tspan>",
            N(tx),
            N(LINE_STEP),
            N(VALUE_SIZE),
            escape(value)
        );
    }
    out.push_str("</text>");
}

fn validate(marks: &[Mark], opts: &MapOptions) -> Result<(), String> {
    let ok_id = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !ok_id(&opts.id) {
        return Err(format!(
            "map id {:?} must be non-empty and use only A-Z a-z 0-9 - _ (it prefixes element ids)",
            opts.id
        ));
    }
    if opts.title.trim().is_empty() {
        return Err(format!(
            "map `{}` needs a title: it is the map's accessible name",
            opts.id
        ));
    }
    if marks.is_empty() {
        return Err(format!(
            "map `{}` has no places: give at least one place with coordinates",
            opts.id
        ));
    }
    for (i, m) in marks.iter().enumerate() {
        let what = format!("map `{}`, place {} ({:?})", opts.id, i + 1, m.name);
        if !ok_id(&m.id) {
            return Err(format!(
                "{what}: id {:?} must be non-empty and use only A-Z a-z 0-9 - _",
                m.id
            ));
        }
        if marks[..i].iter().any(|o| o.id == m.id) {
            return Err(format!("{what}: id {:?} is used twice", m.id));
        }
        if m.name.trim().is_empty() {
            return Err(format!("{what}: the name is empty"));
        }
        if !m.lat.is_finite() || !(-90.0..=90.0).contains(&m.lat) {
            return Err(format!(
                "{what}: latitude {} is not a number from -90 to 90 (north is positive)",
                m.lat
            ));
        }
        if !m.lon.is_finite() || !(-180.0..=180.0).contains(&m.lon) {
            return Err(format!(
                "{what}: longitude {} is not a number from -180 to 180 (east is positive)",
                m.lon
            ));
        }
        if m.url.trim().is_empty() {
            return Err(format!(
                "{what}: the url is empty: each place links to its page"
            ));
        }
    }
    Ok(())
}

/// Name, value, flag, detail: it begins with the label's visible text (WCAG 2.5.3, Label
/// in Name), so a speech user can say what they see.
fn accessible_name(m: &Mark) -> String {
    let mut s = m.name.trim().to_string();
    if !m.label.trim().is_empty() {
        s.push_str(": ");
        s.push_str(m.label.trim());
    }
    if m.flagged {
        s.push_str(" (disputed or inconsistent)");
    }
    if !m.detail.trim().is_empty() {
        s.push_str("; ");
        s.push_str(m.detail.trim());
    }
    s
}

fn description(marks: &[Mark], opts: &MapOptions, world: &[Country]) -> String {
    let n = marks.len();
    let names: Vec<&str> = marks.iter().map(|m| m.name.as_str()).collect();
    let mut s = format!(
        "Map of {n} place{}: {}. A circle marks each place",
        if n == 1 { "" } else { "s" },
        names.join(", ")
    );
    if marks.iter().any(|m| m.flagged) {
        s.push_str("; a diamond and an asterisk mark a disputed or inconsistent figure");
    }
    s.push_str(". Each place links to its page; the table after the map gives the same data.");
    let shaded: Vec<&str> = opts
        .highlight
        .iter()
        .filter_map(|&id| world.iter().find(|c| c.id == Some(id)))
        .map(|c| c.name.as_str())
        .collect();
    if !shaded.is_empty() {
        let _ = write!(s, " Shaded: {}.", shaded.join(", "));
    }
    s
}

fn write_caption(out: &mut String, marks: &[Mark], placed: &[Option<Placed>]) {
    out.push_str("<figcaption class=\"map-legend\">");
    out.push_str("<span class=\"map-key\"><svg aria-hidden=\"true\" width=\"14\" height=\"14\" viewBox=\"-7 -7 14 14\"><circle class=\"map-mark\" r=\"4.5\" fill=\"currentColor\"/></svg> a place, linked to its page</span>");
    if marks.iter().any(|m| m.flagged) {
        out.push_str(" <span class=\"map-key\"><svg aria-hidden=\"true\" width=\"14\" height=\"14\" viewBox=\"-7 -7 14 14\"><path class=\"map-mark map-mark-flagged\" d=\"M0 -6L6 0 0 6 -6 0Z\" fill=\"currentColor\"/></svg> * disputed or inconsistent figure</span>");
    }
    let missing: Vec<String> = marks
        .iter()
        .zip(placed)
        .filter(|(_, p)| p.is_none())
        .map(|(m, _)| escape(&m.name))
        .collect();
    let short: Vec<String> = marks
        .iter()
        .zip(placed)
        .filter(|(m, p)| !m.label.trim().is_empty() && p.as_ref().is_some_and(|p| !p.with_value))
        .map(|(m, _)| escape(&m.name))
        .collect();
    if !short.is_empty() {
        let _ = write!(
            out,
            " <span class=\"map-note\">No room on the map for the value{} of {}: see the table.</span>",
            if short.len() == 1 { "" } else { "s" },
            join_and(&short)
        );
    }
    if !missing.is_empty() {
        let _ = write!(
            out,
            " <span class=\"map-note\">No room on the map for the name{} of {}: see the table.</span>",
            if missing.len() == 1 { "" } else { "s" },
            join_and(&missing)
        );
    }
    out.push_str("</figcaption>\n");
}

/// "A", "A and B", "A, B and C".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn write_table(out: &mut String, marks: &[Mark], opts: &MapOptions) {
    // The place's name is the link to its page: a separate column repeating the name would
    // not fit at 320 px.
    let _ = write!(
        out,
        "<div class=\"map-table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"{0}-table-caption\">\n<table class=\"map-table\" id=\"{0}-table\">\n<caption id=\"{0}-table-caption\">{1}</caption>\n<thead><tr><th scope=\"col\">Place (its page)</th><th scope=\"col\">Value</th><th scope=\"col\">Detail</th></tr></thead>\n<tbody>\n",
        opts.id,
        escape(&opts.title)
    );
    for m in marks {
        let value = match (m.label.trim(), m.flagged) {
            ("", false) => "—".to_string(),
            ("", true) => "disputed or inconsistent".to_string(),
            (v, false) => escape(v),
            (v, true) => format!("{} (disputed or inconsistent)", escape(v)),
        };
        let detail = if m.detail.trim().is_empty() {
            "—".to_string()
        } else {
            escape(&m.detail)
        };
        let _ = writeln!(
            out,
            "<tr id=\"{}-row-{}\"><th scope=\"row\"><a href=\"{}\">{}</a>{}</th><td>{value}</td><td>{detail}</td></tr>",
            opts.id,
            m.id,
            escape(&m.url),
            escape(&m.name),
            if m.flagged { "*" } else { "" },
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// A number rounded to 0.1 in its shortest form (`12`, `12.3`, `-0.5`), so output is
/// deterministic and compact.
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = (self.0 * 10.0).round() as i64;
        let sign = if t < 0 { "-" } else { "" };
        let a = t.unsigned_abs();
        if a.is_multiple_of(10) {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

// ---------- Geometry on the sphere ----------

type V3 = [f64; 3];

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn mul(a: V3, k: f64) -> V3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}

fn normalize(a: V3) -> V3 {
    let n = norm(a);
    if n == 0.0 { a } else { mul(a, 1.0 / n) }
}

fn to_vec(lat: f64, lon: f64) -> V3 {
    let (sf, cf) = lat.to_radians().sin_cos();
    let (sl, cl) = lon.to_radians().sin_cos();
    [cf * cl, cf * sl, sf]
}

fn angle(a: V3, b: V3) -> f64 {
    dot(a, b).clamp(-1.0, 1.0).acos()
}

/// The oblique Lambert azimuthal equal-area projection centred on `c`, on the unit sphere:
/// areas stay true (a fair picture of how big countries are) and distortion grows only
/// slowly away from the centre, which suits a region; being defined on vectors, it has no
/// seam at 180 degrees.
#[derive(Debug, Clone, Copy)]
struct Projection {
    c: V3,
    east: V3,
    north: V3,
}

impl Projection {
    fn new(c: V3) -> Projection {
        let lat = c[2].clamp(-1.0, 1.0).asin();
        let lon = c[1].atan2(c[0]);
        let (sf, cf) = lat.sin_cos();
        let (sl, cl) = lon.sin_cos();
        Projection {
            c,
            east: [-sl, cl, 0.0],
            north: [-sf * cl, -sf * sl, cf],
        }
    }

    /// (x east, y north) in Earth radii; the antipode is the circle of radius 2.
    fn project(&self, p: V3) -> (f64, f64) {
        let cosc = dot(p, self.c).clamp(-1.0, 1.0);
        let k = (2.0 / (1.0 + cosc).max(1e-12)).sqrt();
        (k * dot(p, self.east), k * dot(p, self.north))
    }

    fn unproject(&self, x: f64, y: f64) -> V3 {
        let rho = x.hypot(y);
        if rho < 1e-15 {
            return self.c;
        }
        let c = 2.0 * (rho / 2.0).min(1.0).asin();
        let dir = mul(add(mul(self.east, x), mul(self.north, y)), 1.0 / rho);
        normalize(add(mul(self.c, c.cos()), mul(dir, c.sin())))
    }

    /// The point at angular distance `c` from the centre in the direction `azimuth`
    /// (radians counter-clockwise from east).
    fn at(&self, c: f64, azimuth: f64) -> V3 {
        let dir = add(
            mul(self.east, azimuth.cos()),
            mul(self.north, azimuth.sin()),
        );
        add(mul(self.c, c.cos()), mul(dir, c.sin()))
    }

    fn azimuth(&self, p: V3) -> f64 {
        dot(p, self.north).atan2(dot(p, self.east))
    }
}

/// The projection fitted to the marks, with the viewBox it fills.
#[derive(Debug, Clone, Copy)]
struct Frame {
    proj: Projection,
    /// viewBox units per Earth radius.
    k: f64,
    w: f64,
    h: f64,
    /// Angular radius of the cap drawn: everything beyond it lies outside the viewBox.
    clip: f64,
}

impl Frame {
    fn fit(points: &[V3]) -> Result<Frame, String> {
        let sum = points.iter().fold([0.0; 3], |s, &p| add(s, p));
        let start = if norm(sum) < 1e-9 {
            points[0]
        } else {
            normalize(sum)
        };
        // Points near the antipode of the start have no stable projection to recentre on;
        // they are too far for a regional map from any centre near the start.
        let too_far = |c: V3| {
            let reach = angle_max(points, c);
            (reach > MAX_REACH_DEG.to_radians()).then(|| {
                format!(
                    "the places are too far apart for a regional map: one lies {:.0} degrees ({:.0} km) from the map's centre (at most {MAX_REACH_DEG} degrees); split them into several maps",
                    reach.to_degrees(),
                    reach * EARTH_KM
                )
            })
        };
        if angle_max(points, start) > 150f64.to_radians() {
            return Err(too_far(start).expect("beyond 150 degrees"));
        }
        let mut proj = Projection::new(start);
        // Recentre on the middle of the projected bounding box, so distortion is shared
        // equally by both sides of the frame.
        for _ in 0..4 {
            let (x0, x1, y0, y1) = bbox(points.iter().map(|&p| proj.project(p)));
            proj = Projection::new(proj.unproject((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        }
        if let Some(e) = too_far(proj.c) {
            return Err(e);
        }
        let (x0, x1, y0, y1) = bbox(points.iter().map(|&p| proj.project(p)));
        let min_span = MIN_SPAN_KM / EARTH_KM;
        let sx = (x1 - x0).max(min_span);
        let sy = (y1 - y0).max(min_span * MIN_ASPECT);
        let k = ((W - 2.0 * MARGIN_X) / sx).min((W * MAX_ASPECT - 2.0 * MARGIN_Y) / sy);
        let h = (sy * k + 2.0 * MARGIN_Y)
            .clamp(W * MIN_ASPECT, W * MAX_ASPECT)
            .round();
        let corner = (W / 2.0 + CLIP_PAD).hypot(h / 2.0 + CLIP_PAD) / k;
        let corner_angle = 2.0 * (corner / 2.0).min(1.0).asin();
        Ok(Frame {
            proj,
            k,
            w: W,
            h,
            clip: (corner_angle + 3f64.to_radians()).min(175f64.to_radians()),
        })
    }

    fn xy(&self, p: V3) -> (f64, f64) {
        let (x, y) = self.proj.project(p);
        (self.w / 2.0 + self.k * x, self.h / 2.0 - self.k * y)
    }

    /// The SVG path of the part of `country` inside the viewBox, or "" if none shows.
    fn country_path(&self, country: &Country) -> String {
        let mut d = String::new();
        for polygon in &country.polygons {
            for ring in polygon {
                if angle(ring.centre, self.proj.c) - ring.radius > self.clip {
                    continue;
                }
                let on_sphere = if angle(ring.centre, self.proj.c) + ring.radius <= self.clip {
                    std::borrow::Cow::Borrowed(&ring.points[..])
                } else {
                    std::borrow::Cow::Owned(self.clip_to_cap(&ring.points))
                };
                if on_sphere.len() < 3 {
                    continue;
                }
                let flat: Vec<(f64, f64)> = on_sphere.iter().map(|&p| self.xy(p)).collect();
                let (x0, x1, y0, y1) = bbox(flat.iter().copied());
                if x1 < 0.0 || y1 < 0.0 || x0 > self.w || y0 > self.h {
                    continue;
                }
                let clipped = clip_to_rect(
                    flat,
                    -CLIP_PAD,
                    -CLIP_PAD,
                    self.w + CLIP_PAD,
                    self.h + CLIP_PAD,
                );
                write_ring(&mut d, &clipped);
            }
        }
        d
    }

    /// Sutherland-Hodgman against the cap of radius `clip` round the centre, the boundary
    /// followed along the small circle where the ring leaves and re-enters.
    fn clip_to_cap(&self, ring: &[V3]) -> Vec<V3> {
        let cos_clip = self.clip.cos();
        let inside = |p: V3| dot(p, self.proj.c) >= cos_clip;
        let Some(start) = ring.iter().position(|&p| inside(p)) else {
            return Vec::new();
        };
        let n = ring.len();
        let crossing = |a: V3, b: V3| {
            let (da, db) = (
                dot(a, self.proj.c) - cos_clip,
                dot(b, self.proj.c) - cos_clip,
            );
            let t = da / (da - db);
            let p = normalize(add(a, mul(add(b, mul(a, -1.0)), t)));
            self.proj.at(self.clip, self.proj.azimuth(p))
        };
        let mut out = vec![ring[start]];
        let mut exit: Option<V3> = None;
        for step in 1..=n {
            let a = ring[(start + step - 1) % n];
            let b = ring[(start + step) % n];
            match (inside(a), inside(b)) {
                (true, true) => out.push(b),
                (true, false) => {
                    let x = crossing(a, b);
                    out.push(x);
                    exit = Some(x);
                }
                (false, true) => {
                    let x = crossing(a, b);
                    if let Some(e) = exit.take() {
                        let (from, to) = (self.proj.azimuth(e), self.proj.azimuth(x));
                        let mut delta = to - from;
                        while delta > std::f64::consts::PI {
                            delta -= std::f64::consts::TAU;
                        }
                        while delta < -std::f64::consts::PI {
                            delta += std::f64::consts::TAU;
                        }
                        let steps = (delta.abs() / 3f64.to_radians()).ceil() as usize;
                        for i in 1..steps {
                            let az = from + delta * i as f64 / steps as f64;
                            out.push(self.proj.at(self.clip, az));
                        }
                    }
                    out.push(x);
                    out.push(b);
                }
                (false, false) => {}
            }
        }
        out.pop(); // the start again
        out
    }
}

fn angle_max(points: &[V3], c: V3) -> f64 {
    points.iter().map(|&p| angle(p, c)).fold(0.0, f64::max)
}

fn bbox(points: impl Iterator<Item = (f64, f64)>) -> (f64, f64, f64, f64) {
    points.fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(x0, x1, y0, y1), (x, y)| (x0.min(x), x1.max(x), y0.min(y), y1.max(y)),
    )
}

/// Sutherland-Hodgman against an axis-aligned rectangle: exact for the filled area of any
/// ring (the rectangle is convex); edges it adds run outside the viewBox.
fn clip_to_rect(ring: Vec<(f64, f64)>, x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    let mut pts = ring;
    // (axis, bound, keep the side >= bound?)
    for (axis, bound, keep_ge) in [(0, x0, true), (0, x1, false), (1, y0, true), (1, y1, false)] {
        if pts.is_empty() {
            break;
        }
        let coord = |p: (f64, f64)| if axis == 0 { p.0 } else { p.1 };
        let inside = |p: (f64, f64)| {
            if keep_ge {
                coord(p) >= bound
            } else {
                coord(p) <= bound
            }
        };
        let cut = |a: (f64, f64), b: (f64, f64)| {
            let t = (bound - coord(a)) / (coord(b) - coord(a));
            let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if axis == 0 {
                (bound, p.1)
            } else {
                (p.0, bound)
            }
        };
        let mut out = Vec::with_capacity(pts.len());
        let mut prev = *pts.last().expect("not empty");
        for &cur in &pts {
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cut(prev, cur)),
                (false, true) => {
                    out.push(cut(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
            prev = cur;
        }
        pts = out;
    }
    pts
}

/// Appends one closed ring as `M x,y x,y ... Z`, dropping points closer than 0.4 units (a
/// quarter pixel at the natural width) to the last one kept, and rings too small to see.
fn write_ring(d: &mut String, ring: &[(f64, f64)]) {
    let mut kept: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
    let mut last = (f64::NAN, f64::NAN);
    for (i, &(x, y)) in ring.iter().enumerate() {
        let far = (x - last.0).hypot(y - last.1) >= 0.4 || last.0.is_nan();
        if far || i + 1 == ring.len() {
            let q = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            if kept.last() != Some(&q) {
                kept.push(q);
                last = (x, y);
            }
        }
    }
    while kept.len() > 1 && kept.first() == kept.last() {
        kept.pop();
    }
    if kept.len() < 3 {
        return;
    }
    // Twice the area in (0.1 unit)^2; below 0.5 square units the ring is not visible.
    let mut a2 = 0i64;
    for (i, &(x0, y0)) in kept.iter().enumerate() {
        let (x1, y1) = kept[(i + 1) % kept.len()];
        a2 += x0 * y1 - x1 * y0;
    }
    if a2.abs() < 100 {
        return;
    }
    // Absolute start, then relative steps on the 0.1 grid (exact, no drift): the deltas
    // are short, and a minus sign separates numbers by itself.
    let _ = write!(
        d,
        "M{},{}l",
        N(kept[0].0 as f64 / 10.0),
        N(kept[0].1 as f64 / 10.0)
    );
    let mut prev = kept[0];
    let mut first = true;
    for &q in &kept[1..] {
        for v in [q.0 - prev.0, q.1 - prev.1] {
            if !first && v >= 0 {
                d.push(',');
            }
            first = false;
            push_tenths(d, v);
        }
        prev = q;
    }
    d.push('z');
}

/// `t` tenths as the shortest SVG number: `12`, `1.5`, `.5`, `-.5`.
fn push_tenths(d: &mut String, t: i64) {
    if t < 0 {
        d.push('-');
    }
    let a = t.unsigned_abs();
    let (int, frac) = (a / 10, a % 10);
    if int > 0 || frac == 0 {
        let _ = write!(d, "{int}");
    }
    if frac > 0 {
        let _ = write!(d, ".{frac}");
    }
}

// ---------- The base map ----------

#[derive(Deserialize)]
struct WorldFile {
    countries: Vec<CountryFile>,
}

#[derive(Deserialize)]
struct CountryFile {
    id: Option<u16>,
    name: String,
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// A country of the base map, ready to project.
struct Country {
    id: Option<u16>,
    name: String,
    polygons: Vec<Vec<Ring>>,
}

struct Ring {
    /// Unit vectors, edges at most a degree long.
    points: Vec<V3>,
    /// A cap containing the ring, for culling.
    centre: V3,
    radius: f64,
}

fn world() -> &'static [Country] {
    static WORLD: OnceLock<Vec<Country>> = OnceLock::new();
    WORLD.get_or_init(|| {
        let file: WorldFile =
            serde_json::from_str(WORLD_JSON).expect("world.json is valid (checked by the tests)");
        file.countries
            .into_iter()
            .map(|c| Country {
                id: c.id,
                name: c.name,
                polygons: c
                    .polygons
                    .iter()
                    .map(|p| p.iter().map(|r| prepare_ring(r)).collect())
                    .collect(),
            })
            .collect()
    })
}

/// The ring as unit vectors, with long edges (the 49th parallel, the edges of Natural
/// Earth's cuts) subdivided, so they curve as they should once projected.
fn prepare_ring(ring: &[[f64; 2]]) -> Ring {
    let mut points = Vec::with_capacity(ring.len());
    for (i, &[lon0, lat0]) in ring.iter().enumerate() {
        let [lon1, lat1] = ring[(i + 1) % ring.len()];
        // The shorter way round: Antarctica's ring closes from 180 back to -180.
        let mut dlon = lon1 - lon0;
        while dlon > 180.0 {
            dlon -= 360.0;
        }
        while dlon < -180.0 {
            dlon += 360.0;
        }
        let dlat = lat1 - lat0;
        let steps = dlon.abs().max(dlat.abs()).ceil().max(1.0) as usize;
        for s in 0..steps {
            let t = s as f64 / steps as f64;
            points.push(to_vec(lat0 + dlat * t, lon0 + dlon * t));
        }
    }
    let sum = points.iter().fold([0.0; 3], |s, &p| add(s, p));
    let (centre, radius) = if norm(sum) < 1e-9 {
        (points[0], std::f64::consts::PI)
    } else {
        let c = normalize(sum);
        (c, points.iter().map(|&p| angle(p, c)).fold(0.0, f64::max))
    };
    Ring {
        points,
        centre,
        radius,
    }
}

// ---------- Labels ----------

/// Font ascent and descent as a share of the size (DejaVu Sans, the tallest common face).
const ASCENT: f64 = 0.93;
const DESCENT: f64 = 0.24;

/// Advance widths in hundredths of an em of ASCII 32-126, the wider of DejaVu Sans and
/// Liberation Sans (Arial's metrics), measured in Chromium: system-ui falls back to one of
/// them on Linux, and Segoe UI, San Francisco and Roboto are narrower, so a label's box is
/// never too small.
const REGULAR: [u8; 95] = [
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 34, 34, 84, 84, 84, 56, 102, 68, 69, 72, 77, 67, 61, 78, 75, 29, 50, 67, 56, 86, 75,
    79, 67, 79, 72, 67, 61, 73, 68, 99, 69, 67, 69, 39, 34, 39, 84, 56, 50, 61, 63, 55, 63, 62, 35,
    63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84,
];
const BOLD: [u8; 95] = [
    35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70, 70,
    70, 70, 70, 40, 40, 84, 84, 84, 61, 100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 56, 77, 64, 100,
    84, 85, 73, 85, 77, 72, 68, 81, 77, 110, 77, 72, 73, 46, 37, 46, 84, 56, 50, 67, 72, 59, 72,
    68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69, 72, 72, 49, 60, 48, 71, 65, 92, 65, 65, 58, 71,
    37, 71, 84,
];

/// Estimated width of `s` in viewBox units (in px for text of `size` px).
pub(super) fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let table = if bold { &BOLD } else { &REGULAR };
    let hundredths: u32 = s
        .chars()
        .map(|c| match c as u32 {
            32..=126 => u32::from(table[c as usize - 32]),
            // Dashes, quotes and the like.
            0x2010..=0x2027 => 100,
            // Accented Latin, Greek, Cyrillic: as wide as a wide lowercase letter or a
            // capital; anything else (CJK) a full em.
            0xC0..=0x52F if c.is_uppercase() => 86,
            0xC0..=0x52F => 72,
            _ => 100,
        })
        .sum();
    f64::from(hundredths) / 100.0 * size
}

/// What a mark's label says and how big it is.
#[derive(Debug, Clone)]
struct LabelSpec {
    name: String,
    has_value: bool,
    name_w: f64,
    value_w: f64,
    radius: f64,
}

impl LabelSpec {
    fn of(m: &Mark) -> LabelSpec {
        let name = if m.flagged {
            format!("{}*", m.name.trim())
        } else {
            m.name.trim().to_string()
        };
        LabelSpec {
            name_w: text_width(&name, NAME_SIZE, true),
            value_w: text_width(m.label.trim(), VALUE_SIZE, false),
            has_value: !m.label.trim().is_empty(),
            name,
            radius: if m.flagged { DIAMOND_R } else { MARK_R },
        }
    }

    fn size(&self, with_value: bool) -> (f64, f64) {
        let one = HALO + ASCENT * NAME_SIZE;
        if with_value {
            (
                (self.name_w + text_width(" ", NAME_SIZE, true)).max(self.value_w) + 2.0 * HALO,
                one + LINE_STEP + DESCENT * VALUE_SIZE + HALO,
            )
        } else {
            (self.name_w + 2.0 * HALO, one + DESCENT * NAME_SIZE + HALO)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn overlaps(&self, o: &Rect, gap: f64) -> bool {
        self.x0 < o.x1 + gap && o.x0 < self.x1 + gap && self.y0 < o.y1 + gap && o.y0 < self.y1 + gap
    }

    fn distance_to(&self, x: f64, y: f64) -> f64 {
        let dx = (self.x0 - x).max(0.0).max(x - self.x1);
        let dy = (self.y0 - y).max(0.0).max(y - self.y1);
        dx.hypot(dy)
    }

    fn nearest(&self, x: f64, y: f64) -> (f64, f64) {
        (x.clamp(self.x0, self.x1), y.clamp(self.y0, self.y1))
    }

    /// Whether the segment crosses the rectangle grown by `gap` (Liang-Barsky).
    fn hit_by(&self, (ax, ay, bx, by): (f64, f64, f64, f64), gap: f64) -> bool {
        let (dx, dy) = (bx - ax, by - ay);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, ax - (self.x0 - gap)),
            (dx, (self.x1 + gap) - ax),
            (-dy, ay - (self.y0 - gap)),
            (dy, (self.y1 + gap) - ay),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 <= t1
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Start,
    Middle,
    End,
}

/// A label put on the map.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    rect: Rect,
    align: Align,
    with_value: bool,
    leader: Option<(f64, f64, f64, f64)>,
    /// Lower is better: distance ring, direction, crossings.
    score: f64,
}

fn seg_point_distance((ax, ay, bx, by): (f64, f64, f64, f64), x: f64, y: f64) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let d2 = dx * dx + dy * dy;
    let t = if d2 == 0.0 {
        0.0
    } else {
        (((x - ax) * dx + (y - ay) * dy) / d2).clamp(0.0, 1.0)
    };
    (ax + t * dx - x).hypot(ay + t * dy - y)
}

fn segments_cross(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    let orient = |px: f64, py: f64, qx: f64, qy: f64, rx: f64, ry: f64| {
        (qx - px) * (ry - py) - (qy - py) * (rx - px)
    };
    let d1 = orient(b.0, b.1, b.2, b.3, a.0, a.1);
    let d2 = orient(b.0, b.1, b.2, b.3, a.2, a.3);
    let d3 = orient(a.0, a.1, a.2, a.3, b.0, b.1);
    let d4 = orient(a.0, a.1, a.2, a.3, b.2, b.3);
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

/// The candidate directions, in order of preference: the eight of the compass, right of
/// the mark first (the text then starts next to it), then left, then above and below; then,
/// for labels on leader lines, the eight between them, which reach gaps the others miss.
const S2: f64 = std::f64::consts::FRAC_1_SQRT_2;
const DIRECTIONS: [(f64, f64); 16] = [
    (1.0, 0.0),
    (S2, -S2),
    (S2, S2),
    (-1.0, 0.0),
    (-S2, -S2),
    (-S2, S2),
    (0.0, -1.0),
    (0.0, 1.0),
    (0.9239, -0.3827),
    (0.9239, 0.3827),
    (-0.9239, -0.3827),
    (-0.9239, 0.3827),
    (0.3827, -0.9239),
    (-0.3827, -0.9239),
    (0.3827, 0.9239),
    (-0.3827, 0.9239),
];
/// What one ring farther out costs: more than any direction's rank.
const RING_COST: f64 = 16.0;
/// Distances of the candidate rings beyond the mark's edge; beyond the first a leader line
/// joins label and mark.
const RINGS: [f64; 5] = [2.5, 16.0, 30.0, 46.0, 64.0];
/// Space kept free between a label and other labels, marks and leaders.
const GAP: f64 = 2.0;
/// Space kept free between a label and the edge of the map, so text never touches it.
const EDGE: f64 = 4.0;

/// What leaving a label's value off costs, in the units of `Placed::score`: a label two
/// rings farther out is worse than a label without its value (the value is in the table).
const VALUE_DROPPED: f64 = 2.5 * RING_COST;
/// What leaving a label out costs: worse than anything else.
const LEFT_OUT: f64 = 1000.0;

/// Places each mark's label: greedily over several orders (most crowded mark first, sweeps
/// across the map, fixed-seed shuffles), each label at the best of 8 directions at the mark
/// or 16 on leader lines at 4 distances, inside the `w` x `h` viewBox and clear of every
/// other label, mark and leader line; then swaps pairs of labels where that lowers the
/// cost. A label may go without its value, or (`None`, named in the caption) altogether.
fn place_labels(xy: &[(f64, f64)], specs: &[LabelSpec], w: f64, h: f64) -> Vec<Option<Placed>> {
    let n = xy.len();
    let crowd = |i: usize| {
        xy.iter()
            .enumerate()
            .filter(|&(j, &(x, y))| j != i && (x - xy[i].0).hypot(y - xy[i].1) < 60.0)
            .count()
    };
    let mut crowded: Vec<usize> = (0..n).collect();
    crowded.sort_by_key(|&i| (std::cmp::Reverse(crowd(i)), i));
    let by = |key: &dyn Fn(usize) -> f64| {
        let mut o: Vec<usize> = (0..n).collect();
        o.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        o
    };
    let mut orders = vec![
        crowded.clone(),
        by(&|i| xy[i].0),
        by(&|i| -xy[i].0),
        by(&|i| xy[i].1),
        by(&|i| -xy[i].1),
    ];
    // A fixed seed, so the output is deterministic.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15 ^ n as u64;
    for _ in 0..SHUFFLES {
        let mut o = crowded.clone();
        for k in (1..o.len()).rev() {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            o.swap(k, ((seed >> 33) % (k as u64 + 1)) as usize);
        }
        orders.push(o);
    }
    let mut best: Option<(f64, Vec<usize>, Vec<Option<Placed>>)> = None;
    for order in orders {
        let placed = place_in_order(&order, xy, specs, w, h);
        let c = total_cost(&placed);
        if best.as_ref().is_none_or(|(b, _, _)| c < *b) {
            best = Some((c, order, placed));
        }
    }
    let Some((_, order, mut placed)) = best else {
        return Vec::new();
    };
    repair(&order, &mut placed, xy, specs, w, h);
    placed
}

/// Extra random orders tried by `place_labels`.
const SHUFFLES: usize = 12;

fn label_cost(p: &Option<Placed>) -> f64 {
    p.as_ref().map_or(LEFT_OUT, |p| p.score)
}

fn total_cost(placed: &[Option<Placed>]) -> f64 {
    placed.iter().map(label_cost).sum()
}

/// The cheaper of the label with its value and without, given the labels already placed.
fn best_label(
    i: usize,
    xy: &[(f64, f64)],
    specs: &[LabelSpec],
    placed: &[Option<Placed>],
    w: f64,
    h: f64,
) -> Option<Placed> {
    let full = specs[i]
        .has_value
        .then(|| best_position(i, true, xy, specs, placed, w, h))
        .flatten();
    let short = best_position(i, false, xy, specs, placed, w, h).map(|mut p| {
        if specs[i].has_value {
            p.score += VALUE_DROPPED;
        }
        p
    });
    match (full, short) {
        (Some(f), Some(s)) => Some(if s.score < f.score { s } else { f }),
        (f, s) => f.or(s),
    }
}

fn place_in_order(
    order: &[usize],
    xy: &[(f64, f64)],
    specs: &[LabelSpec],
    w: f64,
    h: f64,
) -> Vec<Option<Placed>> {
    let mut placed: Vec<Option<Placed>> = vec![None; xy.len()];
    for &i in order {
        placed[i] = best_label(i, xy, specs, &placed, w, h);
    }
    placed
}

/// Swaps: lift two labels, place the first again, then the second, and keep the result if
/// it costs less; repeated while that helps (a few rounds at most).
fn repair(
    order: &[usize],
    placed: &mut [Option<Placed>],
    xy: &[(f64, f64)],
    specs: &[LabelSpec],
    w: f64,
    h: f64,
) {
    for _ in 0..3 {
        let mut improved = false;
        for &i in order {
            let lacking = match &placed[i] {
                None => true,
                Some(p) => p.score > RING_COST,
            };
            if !lacking {
                continue;
            }
            for &j in order {
                if j == i {
                    continue;
                }
                let before = label_cost(&placed[i]) + label_cost(&placed[j]);
                let (old_i, old_j) = (placed[i].take(), placed[j].take());
                placed[i] = best_label(i, xy, specs, placed, w, h);
                placed[j] = best_label(j, xy, specs, placed, w, h);
                if label_cost(&placed[i]) + label_cost(&placed[j]) < before - 0.5 {
                    improved = true;
                    continue;
                }
                placed[i] = old_i;
                placed[j] = old_j;
            }
        }
        if !improved {
            break;
        }
    }
}

fn best_position(
    i: usize,
    with_value: bool,
    xy: &[(f64, f64)],
    specs: &[LabelSpec],
    placed: &[Option<Placed>],
    w: f64,
    h: f64,
) -> Option<Placed> {
    let (mx, my) = xy[i];
    let spec = &specs[i];
    let (bw, bh) = spec.size(with_value);
    let mut best: Option<(f64, Placed)> = None;
    for (ring, &dist) in RINGS.iter().enumerate() {
        let directions = if ring == 0 {
            &DIRECTIONS[..8]
        } else {
            &DIRECTIONS[..]
        };
        for (rank, &(dx, dy)) in directions.iter().enumerate() {
            let d = spec.radius + dist;
            let (ax, ay) = (mx + dx * d, my + dy * d);
            let (x0, align) = if dx > 0.1 {
                (ax, Align::Start)
            } else if dx < -0.1 {
                (ax - bw, Align::End)
            } else {
                (ax - bw / 2.0, Align::Middle)
            };
            let mut y0 = if dy < -0.1 {
                ay - bh
            } else if dy > 0.1 {
                ay
            } else {
                ay - bh / 2.0
            };
            let mut x0 = x0;
            // A label above or below (beside) its mark may slide sideways (up or down) to
            // stay in the frame, as long as it still faces the mark.
            if align == Align::Middle {
                x0 = x0.min(w - EDGE - bw).max(EDGE).clamp(mx - bw, mx);
            } else if dy.abs() < 0.1 {
                y0 = y0.min(h - EDGE - bh).max(EDGE).clamp(my - bh, my);
            }
            let rect = Rect {
                x0,
                y0,
                x1: x0 + bw,
                y1: y0 + bh,
            };
            if rect.x0 < EDGE || rect.y0 < EDGE || rect.x1 > w - EDGE || rect.y1 > h - EDGE {
                continue;
            }
            let leader = if ring == 0 {
                None
            } else {
                let (nx, ny) = rect.nearest(mx, my);
                let len = (nx - mx).hypot(ny - my);
                let from = spec.radius + 1.0;
                if len <= from + 1.0 {
                    None
                } else {
                    let (ux, uy) = ((nx - mx) / len, (ny - my) / len);
                    Some((mx + ux * from, my + uy * from, nx - ux, ny - uy))
                }
            };
            if !clear(i, &rect, leader, xy, specs, placed) {
                continue;
            }
            // Crossing leader lines are hard to follow.
            if leader.is_some_and(|l| {
                placed
                    .iter()
                    .flatten()
                    .filter_map(|p| p.leader)
                    .any(|o| segments_cross(l, o))
            }) {
                continue;
            }
            // A label nearer another mark than its own reads as that mark's label: never
            // right next to the other mark, and only as a last resort farther off.
            let own = rect.distance_to(mx, my);
            let nearest_other = xy
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &(x, y))| rect.distance_to(x, y))
                .fold(f64::INFINITY, f64::min);
            // (Marks within a unit of each other cannot be told apart anyway.)
            let misleading = nearest_other < own - 1.0;
            if misleading && nearest_other < 16.0 {
                continue;
            }
            let score = ring as f64 * RING_COST + rank as f64 + if misleading { 40.0 } else { 0.0 };
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((
                    score,
                    Placed {
                        rect,
                        align,
                        with_value,
                        leader,
                        score,
                    },
                ));
            }
        }
        // A clear spot without crossings in a nearer ring beats anything farther out.
        if best
            .as_ref()
            .is_some_and(|(s, _)| *s < (ring as f64 + 1.0) * RING_COST)
        {
            break;
        }
    }
    best.map(|(_, p)| p)
}

/// Whether `rect` (and its leader) for mark `i` keep clear of every mark, placed label and
/// placed leader.
fn clear(
    i: usize,
    rect: &Rect,
    leader: Option<(f64, f64, f64, f64)>,
    xy: &[(f64, f64)],
    specs: &[LabelSpec],
    placed: &[Option<Placed>],
) -> bool {
    let (mx, my) = xy[i];
    for (j, &(x, y)) in xy.iter().enumerate() {
        if rect.distance_to(x, y) < specs[j].radius + GAP {
            return false;
        }
        // A leader leaves its own mark, and so any mark on top of it.
        let beside = j != i && (x - mx).hypot(y - my) > specs[i].radius;
        if beside && leader.is_some_and(|l| seg_point_distance(l, x, y) < specs[j].radius + GAP) {
            return false;
        }
    }
    for p in placed.iter().flatten() {
        if rect.overlaps(&p.rect, GAP)
            || leader.is_some_and(|l| p.rect.hit_by(l, GAP))
            || p.leader.is_some_and(|l| rect.hit_by(l, GAP))
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mark(id: &str, name: &str, lat: f64, lon: f64) -> Mark {
        Mark {
            id: id.into(),
            name: name.into(),
            lat,
            lon,
            label: format!("{name} value"),
            detail: format!("{name} detail"),
            url: format!("/places/{id}/"),
            flagged: false,
        }
    }

    fn opts() -> MapOptions {
        MapOptions {
            title: "Test map".into(),
            id: "m".into(),
            highlight: vec![],
        }
    }

    /// The eleven places of the brief's demo.
    fn demo() -> Vec<Mark> {
        let mut v = vec![
            mark("upper-lars", "Upper Lars", 42.74, 44.63),
            mark("tbilisi", "Tbilisi", 41.72, 44.79),
            mark("kazakhstan", "Kazakhstan", 48.0, 67.0),
            mark("uralsk", "Uralsk", 51.23, 51.37),
            mark("finland", "Finland", 62.0, 26.0),
            mark("vaalimaa", "Vaalimaa", 60.57, 27.84),
            mark("mongolia", "Mongolia", 46.9, 103.8),
            mark("istanbul", "Istanbul", 41.01, 28.98),
            mark("belgrade", "Belgrade", 44.79, 20.45),
            mark("yerevan", "Yerevan", 40.18, 44.51),
            mark("moscow", "Moscow", 55.76, 37.62),
        ];
        v[2].flagged = true;
        v[2].label = "200,000 entries".into();
        v
    }

    /// The value of attribute `name` in `tag` (the text of one start tag).
    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(&tag[at..at + tag[at..].find('"')?])
    }

    /// Every start tag `<name ...>` of `html`, in order.
    fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
        let open = format!("<{name} ");
        html.match_indices(&open)
            .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap() + 1])
            .collect()
    }

    fn num(tag: &str, name: &str) -> f64 {
        attr(tag, name).unwrap().parse().unwrap()
    }

    fn view_box(html: &str) -> (f64, f64) {
        let svg = tags(html, "svg")[0];
        let v: Vec<f64> = attr(svg, "viewBox")
            .unwrap()
            .split(' ')
            .map(|s| s.parse().unwrap())
            .collect();
        (v[2], v[3])
    }

    /// The points of an SVG path written by `write_ring` (M x,y l dx,dy ... z), per ring.
    fn path_rings(d: &str) -> Vec<Vec<(f64, f64)>> {
        let mut rings = Vec::new();
        for part in d.split('M').filter(|s| !s.is_empty()) {
            let part = part.trim_end_matches('z');
            let (start, rel) = part.split_once('l').unwrap();
            let (x, y) = start.split_once(',').unwrap();
            let mut p = (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap());
            let mut ring = vec![p];
            // Numbers are separated by ',' or begin with '-'.
            let mut nums = Vec::new();
            let mut cur = String::new();
            for c in rel.chars() {
                if (c == ',' || c == '-') && !cur.is_empty() {
                    nums.push(cur.parse::<f64>().unwrap());
                    cur.clear();
                }
                if c != ',' {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                nums.push(cur.parse::<f64>().unwrap());
            }
            assert!(nums.len() % 2 == 0, "odd number count in {part}");
            for pair in nums.chunks(2) {
                p = (p.0 + pair[0], p.1 + pair[1]);
                ring.push(p);
            }
            rings.push(ring);
        }
        rings
    }

    fn svg_part(html: &str) -> &str {
        &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()]
    }

    // ---------- The projection ----------

    #[test]
    fn projection_matches_snyders_worked_example() {
        // Snyder, Map Projections: A Working Manual (USGS 1987), the numerical example of
        // the Lambert azimuthal equal-area projection for the sphere: R = 3, centre 40 N
        // 100 W, point 20 S 100 E gives x = -4.2339303, y = 4.0257775.
        let proj = Projection::new(to_vec(40.0, -100.0));
        let (x, y) = proj.project(to_vec(-20.0, 100.0));
        assert!((3.0 * x - -4.2339303).abs() < 1e-6, "x = {}", 3.0 * x);
        assert!((3.0 * y - 4.0257775).abs() < 1e-6, "y = {}", 3.0 * y);
    }

    #[test]
    fn projection_of_simple_points() {
        let proj = Projection::new(to_vec(0.0, 0.0));
        let close = |(x, y): (f64, f64), (ex, ey): (f64, f64)| {
            assert!(
                (x - ex).abs() < 1e-12 && (y - ey).abs() < 1e-12,
                "({x}, {y}) != ({ex}, {ey})"
            );
        };
        close(proj.project(to_vec(0.0, 0.0)), (0.0, 0.0));
        // A quarter of the way round lies at radius sqrt(2), east and north as expected.
        close(proj.project(to_vec(0.0, 90.0)), (2f64.sqrt(), 0.0));
        close(proj.project(to_vec(90.0, 0.0)), (0.0, 2f64.sqrt()));
        close(proj.project(to_vec(0.0, -90.0)), (-2f64.sqrt(), 0.0));
        // Centred beside the antimeridian, the far side of 180 degrees is simply further east.
        let bering = Projection::new(to_vec(60.0, 179.0));
        let (xw, _) = bering.project(to_vec(60.0, 178.0));
        let (xe, _) = bering.project(to_vec(60.0, -178.0));
        assert!(
            xw < 0.0 && xe > 0.0 && (xe / -xw - 3.0).abs() < 0.01,
            "{xw} {xe}"
        );
    }

    #[test]
    fn projection_keeps_areas_and_inverts() {
        // Equal area: a one-degree circle keeps its area (pi (1 degree)^2 on the unit
        // sphere, to first order) wherever it lies, unlike in plain lon/lat.
        let proj = Projection::new(to_vec(48.0, 60.0));
        let cap = (1f64.to_radians() / 2.0).sin().powi(2) * 4.0 * std::f64::consts::PI;
        for (lat, lon) in [
            (48.0, 60.0),
            (62.0, 26.0),
            (41.0, 29.0),
            (47.0, 104.0),
            (10.0, 120.0),
        ] {
            let centre = to_vec(lat, lon);
            let local = Projection::new(centre);
            let ring: Vec<(f64, f64)> = (0..720)
                .map(|i| {
                    proj.project(
                        local.at(1f64.to_radians(), i as f64 / 720.0 * std::f64::consts::TAU),
                    )
                })
                .collect();
            let mut a = 0.0;
            for (i, &(x0, y0)) in ring.iter().enumerate() {
                let (x1, y1) = ring[(i + 1) % ring.len()];
                a += x0 * y1 - x1 * y0;
            }
            let a = a.abs() / 2.0;
            assert!(
                (a / cap - 1.0).abs() < 1e-4,
                "{lat},{lon}: area ratio {}",
                a / cap
            );
            let (x, y) = proj.project(centre);
            let back = proj.unproject(x, y);
            assert!(
                norm(add(back, mul(centre, -1.0))) < 1e-12,
                "{lat},{lon} does not invert"
            );
        }
    }

    // ---------- The base map ----------

    #[test]
    fn world_json_is_compact_rounded_and_antimeridian_safe() {
        assert!(
            WORLD_JSON.len() < 300_000,
            "world.json is {} bytes",
            WORLD_JSON.len()
        );
        let file: WorldFile = serde_json::from_str(WORLD_JSON).unwrap();
        assert_eq!(file.countries.len(), 241);
        // Ids as world-atlas has them: unique but for Australia's Ashmore and Cartier
        // Islands, which share its 036; five places have none (Kosovo, N. Cyprus, ...).
        let mut ids: Vec<u16> = file.countries.iter().filter_map(|c| c.id).collect();
        ids.sort_unstable();
        let twice: Vec<u16> = ids
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        assert_eq!(twice, [36]);
        assert_eq!(file.countries.iter().filter(|c| c.id.is_none()).count(), 5);
        for c in &file.countries {
            assert!(!c.polygons.is_empty(), "{} has no outline", c.name);
            for ring in c.polygons.iter().flatten() {
                assert!(
                    ring.len() >= 3,
                    "{}: a ring of {} points",
                    c.name,
                    ring.len()
                );
                for &[lon, lat] in ring {
                    for v in [lon, lat] {
                        assert!(
                            ((v * 100.0).round() - v * 100.0).abs() < 1e-6,
                            "{}: {v} is not rounded to 0.01",
                            c.name
                        );
                    }
                    assert!((-90.0..=90.0).contains(&lat) && (-180.0..=360.0).contains(&lon));
                }
                for w in ring.windows(2) {
                    assert!(
                        (w[1][0] - w[0][0]).abs() < 180.0,
                        "{}: a ring jumps across 180 degrees",
                        c.name
                    );
                }
                // Closing a ring never jumps either, except Antarctica's, which runs round
                // the pole from -180 to 180.
                let close = (ring[0][0] - ring[ring.len() - 1][0]).abs();
                assert!(
                    close < 180.0 || (c.name == "Antarctica" && close == 360.0),
                    "{}",
                    c.name
                );
            }
        }
        let russia = file.countries.iter().find(|c| c.id == Some(643)).unwrap();
        let east = russia
            .polygons
            .iter()
            .flatten()
            .flatten()
            .map(|p| p[0])
            .fold(f64::MIN, f64::max);
        assert!(
            east > 185.0,
            "Chukotka should continue past 180 (max lon {east})"
        );
    }

    // ---------- Rendering ----------

    #[test]
    fn every_mark_is_a_link_inside_the_view_box() {
        let marks = demo();
        let html = render(&marks, &opts()).unwrap();
        let (w, h) = view_box(&html);
        let svg = svg_part(&html);
        let links = tags(svg, "a");
        assert_eq!(links.len(), marks.len());
        for (m, a) in marks.iter().zip(&links) {
            assert_eq!(attr(a, "href"), Some(m.url.as_str()));
            let label = attr(a, "aria-label").unwrap();
            assert!(
                label.contains(&m.name) && label.contains(&m.detail),
                "{label}"
            );
        }
        // Label in name (WCAG 2.5.3): each link's visible text, as words, begins its
        // accessible name.
        let words = |s: &str| -> Vec<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect()
        };
        for (chunk, a) in svg.split("<a ").skip(1).zip(&links) {
            let text = &chunk[chunk.find("<text").unwrap()..chunk.find("</text>").unwrap()];
            let mut visible = String::new();
            let mut in_tag = false;
            for c in text.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => visible.push(c),
                    _ => {}
                }
            }
            let (v, n) = (words(&visible), words(attr(a, "aria-label").unwrap()));
            assert!(!v.is_empty() && n.starts_with(&v), "{visible:?} vs {n:?}");
        }
        let circles = tags(svg, "circle");
        assert_eq!(circles.len(), marks.len() - 1);
        for c in circles {
            let (x, y, r) = (num(c, "cx"), num(c, "cy"), num(c, "r"));
            assert!(
                x - r >= 0.0 && x + r <= w && y - r >= 0.0 && y + r <= h,
                "({x}, {y}) outside {w}x{h}"
            );
        }
        let flagged: Vec<&str> = tags(svg, "path")
            .into_iter()
            .filter(|p| attr(p, "class") == Some("map-mark map-mark-flagged"))
            .collect();
        assert_eq!(flagged.len(), 1);
        // The flagged place says so in text too, not by shape and colour alone.
        assert!(svg.contains(">Kazakhstan* </tspan>"));
        assert!(
            attr(links[2], "aria-label")
                .unwrap()
                .contains("disputed or inconsistent")
        );
        // And the table has a row per place, linked to its page.
        let table = &html[html.find("<table").unwrap()..];
        assert_eq!(table.matches("<tr id=").count(), marks.len());
        for m in &marks {
            assert!(table.contains(&format!("<a href=\"{}\">{}</a>", m.url, m.name)));
        }
    }

    #[test]
    fn the_demo_is_labelled_in_full_where_room_allows() {
        let marks = demo();
        let points: Vec<V3> = marks.iter().map(|m| to_vec(m.lat, m.lon)).collect();
        let frame = Frame::fit(&points).unwrap();
        let xy: Vec<(f64, f64)> = points.iter().map(|&p| frame.xy(p)).collect();
        let specs: Vec<LabelSpec> = marks.iter().map(LabelSpec::of).collect();
        let placed = place_labels(&xy, &specs, frame.w, frame.h);
        assert!(
            placed.iter().all(Option::is_some),
            "a name is left off the demo map"
        );
        check_layout(&xy, &specs, &placed, frame.w, frame.h);
    }

    #[test]
    fn text_is_readable_from_600_down_to_358_px() {
        let html = render(&demo(), &opts()).unwrap();
        let (w, _) = view_box(&html);
        let svg = tags(&html, "svg")[0];
        assert_eq!(attr(svg, "width"), Some("600"));
        let sizes: Vec<f64> = tags(svg_part(&html), "tspan")
            .iter()
            .map(|t| num(t, "font-size"))
            .collect();
        assert!(!sizes.is_empty());
        for s in sizes {
            assert!(
                s * 600.0 / w >= 12.0,
                "{s} units is {} px at 600",
                s * 600.0 / w
            );
            // A 390 px screen less its gutters.
            assert!(
                s * 358.0 / w >= 12.0,
                "{s} units is {} px at 358",
                s * 358.0 / w
            );
        }
    }

    #[test]
    fn accessible_structure_and_no_hard_coded_colours() {
        let mut o = opts();
        o.highlight = vec![268, 398];
        let html = render(&demo(), &o).unwrap();
        let svg = tags(&html, "svg")[0];
        assert_eq!(attr(svg, "role"), Some("group"));
        assert_eq!(attr(svg, "aria-labelledby"), Some("m-title"));
        assert_eq!(attr(svg, "aria-describedby"), Some("m-desc"));
        assert!(html.contains("<title id=\"m-title\">Test map</title>"));
        let desc = &html[html.find("<desc").unwrap()..html.find("</desc>").unwrap()];
        assert!(
            desc.contains("Map of 11 places: Upper Lars, Tbilisi"),
            "{desc}"
        );
        assert!(
            desc.contains("diamond") && desc.contains("Shaded: Georgia, Kazakhstan."),
            "{desc}"
        );
        assert!(html.contains("class=\"map-land map-highlight\" d=\""));
        assert!(html.contains("<title>Georgia</title>") && !html.contains("<title>Brazil</title>"));
        assert!(
            !html.contains('#') || !html.contains("=\"#"),
            "a colour is hard-coded"
        );
        assert!(!html.contains("rgb(") && html.contains("currentColor"));
        assert!(!html.contains("<script"));
        for class in [
            "map-land",
            "map-highlight",
            "map-mark",
            "map-mark-flagged",
            "map-label",
        ] {
            assert!(html.contains(class), "{class} missing");
        }
    }

    #[test]
    fn countries_are_clipped_to_the_view_box() {
        let html = render(&demo(), &opts()).unwrap();
        let (w, h) = view_box(&html);
        let svg = svg_part(&html);
        let mut n = 0;
        for p in tags(svg, "path")
            .into_iter()
            .filter(|p| attr(p, "class").unwrap().starts_with("map-land"))
        {
            for ring in path_rings(attr(p, "d").unwrap()) {
                for (x, y) in ring {
                    n += 1;
                    let pad = CLIP_PAD + 0.05;
                    assert!(
                        x >= -pad && x <= w + pad && y >= -pad && y <= h + pad,
                        "({x}, {y})"
                    );
                }
            }
        }
        assert!(n > 1000, "only {n} points drawn");
    }

    #[test]
    fn output_is_deterministic() {
        let mut o = opts();
        o.highlight = vec![268];
        let a = render(&demo(), &o).unwrap();
        // Another map in between must not change anything (no hidden state).
        render(&[mark("x", "X", -33.9, 18.4)], &opts()).unwrap();
        let b = render(&demo(), &o).unwrap();
        assert_eq!(a, b);
        // Coordinates carry at most one decimal.
        for t in tags(svg_part(&a), "circle") {
            for k in ["cx", "cy"] {
                let v = attr(t, k).unwrap();
                assert!(v.split('.').nth(1).is_none_or(|f| f.len() == 1), "{v}");
            }
        }
    }

    #[test]
    fn a_single_mark_gets_a_regional_frame() {
        let marks = [mark("tbilisi", "Tbilisi", 41.72, 44.79)];
        let html = render(&marks, &opts()).unwrap();
        let frame = Frame::fit(&[to_vec(41.72, 44.79)]).unwrap();
        let width_km = frame.w / frame.k * EARTH_KM;
        assert!((2400.0..4000.0).contains(&width_km), "{width_km} km");
        let (x, y) = frame.xy(to_vec(41.72, 44.79));
        assert!((x - frame.w / 2.0).abs() < 0.01 && (y - frame.h / 2.0).abs() < 0.01);
        // Its neighbours show, labelled by name in their tooltips.
        for c in ["Georgia", "Armenia", "Azerbaijan", "Turkey", "Russia"] {
            assert!(html.contains(&format!("<title>{c}</title>")), "{c} missing");
        }
        assert!(html.contains(">Tbilisi </tspan>"));
    }

    #[test]
    fn marks_across_the_antimeridian() {
        let marks = [
            mark("vladivostok", "Vladivostok", 43.12, 131.89),
            mark("anchorage", "Anchorage", 61.22, -149.9),
        ];
        let html = render(&marks, &opts()).unwrap();
        let points: Vec<V3> = marks.iter().map(|m| to_vec(m.lat, m.lon)).collect();
        let frame = Frame::fit(&points).unwrap();
        // Centred over the Bering Sea side of the Pacific, not over Europe.
        let lon = frame.proj.c[1].atan2(frame.proj.c[0]).to_degrees();
        assert!(!(-170.0..=150.0).contains(&lon), "centre at {lon}");
        let width_km = frame.w / frame.k * EARTH_KM;
        assert!(width_km < 9000.0, "{width_km} km wide");
        let (w, h) = view_box(&html);
        for &(x, y) in &points.iter().map(|&p| frame.xy(p)).collect::<Vec<_>>() {
            assert!(x > 0.0 && x < w && y > 0.0 && y < h);
        }
        // Russia and the USA are drawn without a seam or a line across the map: no edge
        // longer than a quarter of the width except along the clipping frame.
        for name in ["Russia", "United States of America"] {
            let start = html.find(&format!("<title>{name}</title>")).unwrap();
            let tag_at = html[..start].rfind("<path ").unwrap();
            let d = attr(&html[tag_at..start], "d").unwrap();
            for ring in path_rings(d) {
                for s in ring.windows(2) {
                    let ((x0, y0), (x1, y1)) = (s[0], s[1]);
                    let on_frame = |a: f64, b: f64, lim: f64| {
                        (a - b).abs() < 0.2
                            && ((a + CLIP_PAD).abs() < 0.2 || (a - lim - CLIP_PAD).abs() < 0.2)
                    };
                    if on_frame(x0, x1, w) || on_frame(y0, y1, h) {
                        continue;
                    }
                    assert!(
                        (x1 - x0).hypot(y1 - y0) < w / 4.0,
                        "{name}: an edge from ({x0}, {y0}) to ({x1}, {y1})"
                    );
                }
            }
        }
    }

    #[test]
    fn invalid_input_is_an_error() {
        let ok = demo();
        let mut bad = ok.clone();
        bad[3].lat = f64::NAN;
        let e = render(&bad, &opts()).unwrap_err();
        assert!(e.contains("Uralsk") && e.contains("latitude NaN"), "{e}");
        let mut bad = ok.clone();
        bad[0].lat = 91.0;
        assert!(render(&bad, &opts()).unwrap_err().contains("latitude 91"));
        let mut bad = ok.clone();
        bad[0].lon = f64::INFINITY;
        assert!(render(&bad, &opts()).unwrap_err().contains("longitude inf"));
        let mut bad = ok.clone();
        bad[1].id = bad[0].id.clone();
        assert!(render(&bad, &opts()).unwrap_err().contains("used twice"));
        let mut bad = ok.clone();
        bad[1].id = "a b".into();
        assert!(render(&bad, &opts()).unwrap_err().contains("A-Z a-z 0-9"));
        let mut bad = ok.clone();
        bad[1].url.clear();
        assert!(render(&bad, &opts()).unwrap_err().contains("url"));
        assert!(render(&[], &opts()).unwrap_err().contains("no places"));
        let mut o = opts();
        o.id = String::new();
        assert!(render(&ok, &o).unwrap_err().contains("map id"));
        let mut o = opts();
        o.title = " ".into();
        assert!(render(&ok, &o).unwrap_err().contains("title"));
        let mut o = opts();
        o.highlight = vec![999];
        assert!(render(&ok, &o).unwrap_err().contains("999"));
        // Places all round the globe (an octahedron's corners) have no regional map.
        let far: Vec<Mark> = [
            (0.0, 0.0),
            (0.0, 90.0),
            (0.0, 180.0),
            (0.0, -90.0),
            (90.0, 0.0),
            (-90.0, 0.0),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(lat, lon))| mark(&format!("p{i}"), "P", lat, lon))
        .collect();
        assert!(render(&far, &opts()).unwrap_err().contains("too far apart"));
    }

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(escape(r#"a<b>&"c""#), "a&lt;b&gt;&amp;&quot;c&quot;");
        let mut m = mark("x", "<Tom & \"Jerry\">", 50.0, 30.0);
        m.url = "/p/?a=1&b=\"2\"".into();
        let html = render(&[m], &opts()).unwrap();
        assert!(!html.contains("<Tom") && html.contains("&lt;Tom &amp; &quot;Jerry&quot;&gt;"));
        assert!(html.contains("href=\"/p/?a=1&amp;b=&quot;2&quot;\""));
    }

    #[test]
    fn a_crowd_is_labelled_without_overlaps_and_the_rest_named_in_the_caption() {
        let marks: Vec<Mark> = (0..30)
            .map(|i| {
                mark(
                    &format!("p{i}"),
                    &format!("Place number {i}"),
                    50.0 + (i % 3) as f64 * 0.01,
                    30.0,
                )
            })
            .collect();
        let html = render(&marks, &opts()).unwrap();
        assert!(
            html.contains("No room on the map for the names of"),
            "every label fitted?"
        );
        let points: Vec<V3> = marks.iter().map(|m| to_vec(m.lat, m.lon)).collect();
        let frame = Frame::fit(&points).unwrap();
        let xy: Vec<(f64, f64)> = points.iter().map(|&p| frame.xy(p)).collect();
        let specs: Vec<LabelSpec> = marks.iter().map(LabelSpec::of).collect();
        let placed = place_labels(&xy, &specs, frame.w, frame.h);
        check_layout(&xy, &specs, &placed, frame.w, frame.h);
        let n = placed.iter().filter(|p| p.is_some()).count();
        assert!((4..30).contains(&n), "{n} labels: {placed:?}");
    }

    #[test]
    fn clipping_to_the_cap_keeps_points_inside_it() {
        let frame = Frame::fit(&[to_vec(50.0, 30.0)]).unwrap();
        // A long thin ring from inside the cap to far beyond it and back.
        let ring: Vec<V3> = (0..=80)
            .map(|i| to_vec(50.0, 30.0 + i as f64))
            .chain((0..=80).rev().map(|i| to_vec(52.0, 30.0 + i as f64)))
            .collect();
        let out = frame.clip_to_cap(&ring);
        assert!(out.len() > 10);
        for p in &out {
            assert!(dot(*p, frame.proj.c) >= frame.clip.cos() - 1e-9);
        }
        assert!(
            frame
                .clip_to_cap(&[
                    to_vec(-50.0, -150.0),
                    to_vec(-51.0, -150.0),
                    to_vec(-51.0, -149.0)
                ])
                .is_empty()
        );
    }

    /// The layout's promises: labels inside the view box, apart from each other, off every
    /// mark, leaders clear of other labels and never crossing.
    fn check_layout(
        xy: &[(f64, f64)],
        specs: &[LabelSpec],
        placed: &[Option<Placed>],
        w: f64,
        h: f64,
    ) {
        for (i, p) in placed.iter().enumerate() {
            let Some(p) = p else { continue };
            let r = p.rect;
            assert!(
                r.x0 >= 0.0 && r.y0 >= 0.0 && r.x1 <= w && r.y1 <= h,
                "label {i} at {r:?} leaves {w}x{h}"
            );
            let (bw, bh) = specs[i].size(p.with_value);
            assert!((r.x1 - r.x0 - bw).abs() < 1e-9 && (r.y1 - r.y0 - bh).abs() < 1e-9);
            for (j, &(x, y)) in xy.iter().enumerate() {
                assert!(
                    r.distance_to(x, y) >= specs[j].radius,
                    "label {i} covers mark {j}"
                );
            }
            for (j, q) in placed.iter().enumerate().skip(i + 1) {
                let Some(q) = q else { continue };
                assert!(
                    !r.overlaps(&q.rect, 0.0),
                    "labels {i} and {j} overlap: {r:?} {:?}",
                    q.rect
                );
                if let Some(l) = p.leader {
                    assert!(!q.rect.hit_by(l, 0.0), "leader {i} crosses label {j}");
                    if let Some(m) = q.leader {
                        assert!(!segments_cross(l, m), "leaders {i} and {j} cross");
                    }
                }
                if let Some(m) = q.leader {
                    assert!(!r.hit_by(m, 0.0), "leader {j} crosses label {i}");
                }
            }
        }
    }

    fn marks_strategy() -> impl Strategy<Value = Vec<Mark>> {
        let one = (
            -25.0..25.0f64,
            -35.0..35.0f64,
            "[A-Z][a-z]{1,9}( [A-Z][a-z]{1,7})?",
            "([0-9]{1,3},[0-9]{3} [a-z]{3,9})?",
            any::<bool>(),
        );
        (
            -50.0..65.0f64,
            -180.0..180.0f64,
            0.05..1.0f64,
            prop::collection::vec(one, 1..18),
        )
            .prop_map(|(lat0, lon0, spread, v)| {
                v.into_iter()
                    .enumerate()
                    .map(|(i, (dlat, dlon, name, label, flagged))| {
                        let mut lon = lon0 + dlon * spread;
                        if lon > 180.0 {
                            lon -= 360.0;
                        } else if lon < -180.0 {
                            lon += 360.0;
                        }
                        Mark {
                            id: format!("m{i}"),
                            name,
                            lat: (lat0 + dlat * spread).clamp(-89.0, 89.0),
                            lon,
                            label,
                            detail: String::new(),
                            url: format!("/p/{i}/"),
                            flagged,
                        }
                    })
                    .collect()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn labels_never_overlap(marks in marks_strategy()) {
            let html = render(&marks, &opts()).unwrap();
            let points: Vec<V3> = marks.iter().map(|m| to_vec(m.lat, m.lon)).collect();
            let frame = Frame::fit(&points).unwrap();
            let xy: Vec<(f64, f64)> = points.iter().map(|&p| frame.xy(p)).collect();
            for &(x, y) in &xy {
                prop_assert!(x >= MARK_R && x <= frame.w - MARK_R && y >= MARK_R && y <= frame.h - MARK_R, "mark at ({}, {})", x, y);
            }
            let specs: Vec<LabelSpec> = marks.iter().map(LabelSpec::of).collect();
            let placed = place_labels(&xy, &specs, frame.w, frame.h);
            check_layout(&xy, &specs, &placed, frame.w, frame.h);
            // The SVG shows what the layout decided: one link per mark, one label per
            // placed label, and the others named in the caption.
            let svg = svg_part(&html);
            prop_assert_eq!(tags(svg, "a").len(), marks.len());
            prop_assert_eq!(tags(svg, "text").len(), placed.iter().flatten().count());
            for (m, p) in marks.iter().zip(&placed) {
                if p.is_none() {
                    let caption = &html[html.find("<figcaption").unwrap()..html.find("</figcaption>").unwrap()];
                    prop_assert!(caption.contains(&escape(&m.name)));
                }
            }
        }
    }
}
