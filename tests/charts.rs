//! Charts and maps on the built HTML: the flagship's /figures/, /places/ and the numbers
//! story, and the `chart()` and `map()` shortcodes' arguments and mistakes.

mod common;

use common::Site;
use std::fs;

fn flagship() -> Site {
    let s = Site::empty();
    let repo = common::manifest_dir();
    fs::copy(repo.join("site.yaml"), s.path("site.yaml")).unwrap();
    common::copy_dir(&repo.join("content"), &s.path("content"));
    s.build_ok(&[]);
    s
}

/// The element that starts at `start` in `html` up to its closing `</tag>` (not nested).
fn element<'a>(html: &'a str, start: &str, tag: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the page"));
    let close = format!("</{tag}>");
    let end = html[i..].find(&close).expect("closed");
    &html[i..i + end + close.len()]
}

/// The chart (a `<figure>` holding one `<svg>`) whose id starts with `prefix`.
fn chart<'a>(html: &'a str, prefix: &str) -> &'a str {
    let i = html
        .find(&format!("id=\"{prefix}"))
        .unwrap_or_else(|| panic!("no chart {prefix}"));
    let start = html[..i].rfind("<figure").unwrap();
    let end = html[start..].find("</details></figure>").unwrap();
    &html[start..start + end]
}

/// The chart's SVG (it holds nested `<svg>`s, the marks: it ends where its table begins).
fn svg(chart: &str) -> &str {
    let i = chart.find("<svg class=\"chart-svg\"").expect("an svg");
    &chart[i..chart.find("<details").expect("a table")]
}

/// The text of an SVG fragment, a space between its `<text>` lines.
fn text(svg: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for (i, c) in svg.char_indices() {
        match c {
            '<' => {
                in_tag = true;
                if svg[i..].starts_with("</text>") {
                    out.push(' ');
                }
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The figure ids the marks of `svg` link to.
fn marked(svg: &str) -> Vec<String> {
    svg.match_indices("/figures/#fig-")
        .map(|(i, m)| {
            let rest = &svg[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn the_range_plot_folds_repeats_draws_series_and_shapes_conflicts() {
    let s = flagship();
    let html = s.out("figures/index.html");
    let c = chart(&html, "chart-reported-entries");
    let svg = svg(c);
    assert!(
        svg.contains("role=\"group\"") && svg.contains("<title id=") && svg.contains("<desc id=")
    );
    let marks = marked(svg);
    // AP and its wire copy (Al Jazeera) are one mark; so are Newsweek and the LA Times.
    for (original, copy) in [
        ("fi-entries-43k-ap", "fi-entries-43k-aj"),
        ("kz-entries-ap", "kz-entries-aj"),
        ("ge-entries-ap", "ge-entries-aj"),
        ("kz-entries-newsweek", "kz-entries-latimes"),
    ] {
        assert!(
            marks.iter().any(|m| m == original),
            "{original} not drawn: {marks:?}"
        );
        assert!(
            !marks.iter().any(|m| m == copy),
            "{copy} drawn beside {original}"
        );
    }
    assert!(
        text(svg).contains("AP, Al Jazeera"),
        "the folded sources are named"
    );
    // Kazakhstan's running total read twice: one row, two marks joined by an arrow.
    let series = element(svg, "<g class=\"chart-row chart-series\">", "g");
    assert_eq!(marked(series), ["kz-entries-ap", "kz-entries-newsweek"]);
    assert!(
        text(series).contains("98,000 people by c. 27 Sep → 200,000 by c. 4 Oct"),
        "{series}"
    );
    assert!(series.contains("series-arrow"));
    // A rate against a total: triangles, and the conflict in words.
    let georgia = element(
        svg,
        "<a class=\"chart-row\" href=\"/exodus/figures/#fig-ge-daily-wapo\">",
        "a",
    );
    assert!(georgia.contains("mk mk-inconsistent"), "{georgia}");
    assert!(text(georgia).contains("over its 7 days: at least 70,000"));
    assert!(
        text(georgia).contains("Cannot both be true with over 53,000 people"),
        "{}",
        text(georgia)
    );
    assert!(
        georgia.contains("iv-arrow"),
        "an unbounded interval ends in an arrow"
    );
    let ap = element(
        svg,
        "<a class=\"chart-row\" href=\"/exodus/figures/#fig-neighbours-ap\">",
        "a",
    );
    assert!(
        ap.contains("mk mk-disputed")
            && text(ap).contains("Disagrees with 261,000 people (exits from Russia, Russia"),
        "{ap}"
    );
    // A real axis, and nothing cut short.
    assert!(svg.contains(">100,000</text>") && svg.contains(">0</text>"));
    assert!(!svg.contains('…'));
    for (i, _) in svg.match_indices("font-size=\"") {
        let v: f64 = svg[i + 11..i + 11 + svg[i + 11..].find('"').unwrap()]
            .parse()
            .unwrap();
        assert!(v >= 12.0, "text of {v} px");
    }
    // The legend names each shape in words; the data follow as a table.
    assert!(
        c.contains("the sources disagree with another figure")
            && c.contains("cannot be true together")
    );
    let table = element(c, "<table", "table");
    assert!(
        table.contains("between 97,500 and 98,500")
            && table.contains("Kazakhstan&#39;s interior ministry")
    );
    // The same chart in the story, from its shortcode.
    assert!(
        s.out("stories/numbers/index.html")
            .contains("class=\"chart chart-range\"")
    );
}

#[test]
fn the_timeline_puts_each_claim_on_its_days() {
    let s = flagship();
    let html = s.out("figures/index.html");
    let c = chart(&html, "timeline-");
    let svg = svg(c);
    assert!(
        svg.contains(">21 Sep 2022</text>") && svg.contains(">28 Sep</text>"),
        "{svg}"
    );
    let marks = marked(svg);
    assert!(
        marks.contains(&"kz-entries-newsweek".to_string())
            && !marks.contains(&"kz-entries-latimes".to_string())
    );
    // Every entry count of the flagship has a period (Turkey's and Serbia's inferred).
    assert!(!c.contains("not on the timeline"), "{c}");
    assert!(
        svg.contains("period period-inferred"),
        "an inferred day is drawn differently"
    );
}

#[test]
fn the_map_marks_each_place_with_coordinates_and_a_page() {
    let s = flagship();
    for page in ["figures/index.html", "places/index.html"] {
        let html = s.out(page);
        let block = element(&html, "<div class=\"map-block\">", "table");
        let marks: Vec<&str> = block
            .match_indices("<a id=\"map-")
            .map(|(i, _)| {
                let tag = &block[i..i + block[i..].find('>').unwrap()];
                let h = tag.find("href=\"").unwrap() + 6;
                &tag[h..h + tag[h..].find('"').unwrap()]
            })
            .collect();
        // Every place of places.yaml with coordinates and a page, but Alaska,
        // too far from the others, which the caption names instead.
        let mut want = vec![
            "armenia",
            "crimea",
            "dagestan",
            "european-union",
            "finland",
            "georgia",
            "kazakhstan",
            "kazbegi-border-crossing",
            "liberty-square",
            "mariinsky-border-crossing",
            "mongolia",
            "russia",
            "serbia",
            "tbilisi",
            "turkey",
            "ukraine",
            "uralsk",
            "verkhny-lars",
            "vladikavkaz",
        ];
        want.sort();
        let mut got: Vec<&str> = marks
            .iter()
            .map(|h| {
                h.trim_start_matches("/exodus/places/")
                    .trim_end_matches('/')
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{page}");
        for h in &marks {
            assert!(
                s.has_out(&format!("{}index.html", h.trim_start_matches("/exodus/"))),
                "{h}"
            );
        }
        assert!(
            block.contains(
                "Too far away for this map: <a href=\"/exodus/places/alaska/\">Alaska</a>"
            )
        );
        // The latest comparable count, with what it allows.
        assert!(block.contains("aria-label=\"Kazakhstan: 200,000 entries; allows between 150,000 and 250,000; c. 21 Sep – c. 4 Oct 2022"), "{page}");
        assert!(block.contains("Georgia: over 53,000 entries (disputed or inconsistent)"));
    }
}

#[test]
fn chart_and_map_shortcodes_take_their_arguments_and_explain_mistakes() {
    let s = Site::new();
    s.write(
        "content/places.yaml",
        "- { id: kazakhstan, name: Kazakhstan, lat: 51.18, lon: 71.45 }\n- { id: georgia, name: Georgia, lat: 41.69, lon: 44.83 }\n",
    );
    s.write(
        "content/x.md",
        "---\ntitle: X\nplaces: [Kazakhstan, Georgia]\n---\n\n{{ chart(measure=\"entries\", kind=\"timeline\", title=\"When\") }}\n\n{{ map(measure=\"entries\", title=\"Where\") }}\n",
    );
    s.build_ok(&[]);
    let html = s.out("x/index.html");
    assert!(
        html.contains("class=\"chart chart-timeline\" id=\"timeline-when\""),
        "{html}"
    );
    let map = element(&html, "<div class=\"map-block\">", "table");
    assert!(map.contains("<title id=\"map-where-title\">Where</title>"));
    assert_eq!(map.matches("<a id=\"map-where-").count(), 2, "{map}");
    assert!(map.contains("href=\"/sub/places/georgia/\""));

    s.write(
        "content/x.md",
        "---\ntitle: X\n---\n\n{{ chart(measure=\"entries\", kind=\"pie\") }}\n",
    );
    s.build(&[]).assert_fails().err_has(
        "content/x.md:5:1: error: unknown chart kind `pie`: `range` (the default) or `timeline`",
    );
    s.write(
        "content/x.md",
        "---\ntitle: X\n---\n\n{{ map(place=\"Georgia\") }}\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:5:1: error: unknown argument `place` of `map`");
    s.remove("content/places.yaml");
    s.write("content/x.md", "---\ntitle: X\n---\n\n{{ map() }}\n");
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:5:1: error: a map needs content/places.yaml with `lat` and `lon`");
}
