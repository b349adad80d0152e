//! Sources, citations and figures as checked data.

mod common;

use common::{Site, resolve_url, snapshot};

/// A story that declares `figures` (YAML list items, indented by two) and has `body`.
fn story(title: &str, figures: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nfigures:\n{figures}---\n\n{body}\n")
}

fn figure(id: &str, value: &str, source: &str, quote: &str, extra: &str) -> String {
    format!(
        "  - id: {id}\n    value: {value}\n    measure: entries\n    unit: people\n    subject: Russians entering Kazakhstan\n    place: Kazakhstan\n    source: {source}\n    quote: \"{quote}\"\n{extra}"
    )
}

// ---------------------------------------------------------------------------------------
// The source registry

#[test]
fn sources_yaml_missing_field() {
    let s = Site::new();
    s.write(
        "content/sources.yaml",
        "- id: src-a\n  title: A\n  published: 2022-09-27\n- id: src-b\n  title: B\n  publisher: P\n  published: 2022-09-28\n",
    );
    let r = s.build(&[]);
    r.assert_fails()
        .err_has("content/sources.yaml:1:3: error: [0]: missing field `publisher`");
    assert_eq!(r.error_lines().len(), 1, "{}", r.stderr);
}

#[test]
fn sources_yaml_duplicate_id() {
    let s = Site::new();
    s.write(
        "content/sources.yaml",
        &format!(
            "{}- id: src-a\n  title: Again\n  publisher: P\n  published: 2022-09-28\n",
            common::SOURCES
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/sources.yaml:12:7: error: duplicate source id `src-a`")
        .err_has("hint: first defined at line 1");
}

#[test]
fn sources_yaml_bad_date() {
    let s = Site::new();
    s.write(
        "content/sources.yaml",
        &common::SOURCES.replace("published: 2022-09-28", "published: 2022-13-45"),
    );
    let r = s.build(&[]);
    r.assert_fails()
        .err_has("content/sources.yaml:11:14: error: [1]: invalid date `2022-13-45`");
    // One error: the citations of the unreadable registry are not reported as unknown.
    assert_eq!(r.error_lines().len(), 1, "{}", r.stderr);
}

#[test]
fn sources_yaml_bad_url_and_id() {
    let s = Site::new();
    s.write(
        "content/sources.yaml",
        &common::SOURCES
            .replace("https://a.example/article", "a.example/article")
            .replace("id: src-b", "id: Src B"),
    );
    let r = s.build(&[]);
    r.assert_fails()
        .err_has("content/sources.yaml:6:8: error: source `src-a` has a url that is not http(s): `a.example/article`")
        .err_has("hint: write the full address, starting with https://")
        .err_has("content/sources.yaml:8:7: error: source id `Src B` is not a slug");
}

// ---------------------------------------------------------------------------------------
// Citations

#[test]
fn citations_are_numbered_and_linked() {
    let s = Site::new();
    s.write(
        "content/cites.md",
        "---\ntitle: Cites\n---\n\nOne [@src-b]. Two [@src-a; @src-b]. Three [@src-a, para. 4].\n\nIn code: `[@src-x]` and\n\n```\n[@src-y]\n```\n\n<div>\n[@src-z]\n</div>\n",
    );
    s.build_ok(&[]);
    let html = s.out("cites/index.html");
    // src-b is cited first, so it is [1].
    // Citations hug the word before them; numbers in a group are in order.
    assert!(
        html.contains("One<sup class=\"cite\">[<a href=\"#ref-1\""),
        "{html}"
    );
    assert!(html.contains("Two<sup class=\"cite\">[<a href=\"#ref-1\""));
    assert!(html.contains(">1</a>, <a href=\"#ref-2\""), "{html}");
    assert!(html.contains("para. 4"));
    // The reference list: numbered entries linking to the source index.
    let refs = &html[html.find("class=\"references\"").expect("reference list")..];
    let r1 = refs.find("id=\"ref-1\"").unwrap();
    let r2 = refs.find("id=\"ref-2\"").unwrap();
    assert!(r1 < r2);
    assert!(refs[r1..r2].contains("href=\"/sub/sources/#src-src-b\""));
    assert!(refs[r2..].contains("href=\"/sub/sources/#src-src-a\""));
    assert!(refs.contains("para. 4"), "locator in the list");
    assert!(refs.starts_with("class=\"references\" id=\"references\" aria-label=\"References\""));
    // Not parsed in code or HTML.
    assert!(html.contains("<code>[@src-x]</code>"));
    assert!(html.contains("[@src-y]"));
    assert!(html.contains("<div>\n[@src-z]\n</div>"));
    // The anchors the citations link to exist on /sources/.
    let sources = s.out("sources/index.html");
    assert!(sources.contains("id=\"src-src-a\"") && sources.contains("id=\"src-src-b\""));
}

#[test]
fn unknown_citation_is_an_error_at_its_position() {
    let s = Site::new();
    s.write(
        "content/cites.md",
        "---\ntitle: Cites\n---\n\nFine [@src-a].\nNot fine:  [@src-a; @scr-b].\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/cites.md:6:21: error: unknown source `scr-b`")
        .err_has("hint: did you mean `src-b`?");
}

#[test]
fn front_matter_sources_must_exist() {
    let s = Site::new();
    s.write(
        "content/x.md",
        "---\ntitle: X\nsources:\n  - src-a\n  - nope\n---\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:5:5: error: unknown source `nope`");
}

// ---------------------------------------------------------------------------------------
// Figures

#[test]
fn fig_renders_the_number_with_its_citation() {
    let s = Site::new();
    s.build_ok(&[]);
    let html = s.out("stories/one/index.html");
    assert!(
        html.contains("<span class=\"fig\" data-figure=\"kz-entries\"><a class=\"fig-value\" href=\"/sub/figures/#fig-kz-entries\""),
        "{html}"
    );
    assert!(html.contains(">over 200,000</a><sup class=\"cite\">[<a href=\"#ref-1\""));
    // The story ends with the table of its figures.
    let table = &html[html.find("id=\"figures\"").expect("figure table")..];
    assert!(table.contains("id=\"fig-kz-entries\""));
    assert!(table.contains("200,000 Russian citizens had entered his country"));
}

#[test]
fn duplicate_figure_id_is_an_error() {
    let s = Site::new();
    s.write(
        "content/stories/three.md",
        &story(
            "Three",
            &figure("kz-entries", "194000", "src-b", "194,000", ""),
            "x",
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/stories/three.md:4:9: error: duplicate figure id `kz-entries`")
        .err_has("hint: first declared at content/stories/one.md:8");
}

#[test]
fn unknown_figure_is_an_error() {
    let s = Site::new();
    s.write(
        "content/x.md",
        "---\ntitle: X\n---\n\nAbout {{ fig(id=\"kz-entrie\") }} people.\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:5:7: error: unknown figure `kz-entrie`")
        .err_has("hint: did you mean `kz-entries`?");
}

#[test]
fn unknown_figure_source_is_an_error() {
    let s = Site::new();
    s.write(
        "content/x.md",
        &story("X", &figure("x-1", "194000", "src-c", "194,000", ""), "x"),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:10:13: error: unknown source `src-c`")
        .err_has("did you mean");
}

// ---------------------------------------------------------------------------------------
// Quote verification

#[test]
fn quote_not_in_archive_fails_showing_the_nearest_passage() {
    let s = Site::new();
    s.write(
        "content/stories/one.md",
        &common::STORY_ONE.replace(
            "200,000 Russian citizens had entered his country",
            "200,000 Russians had entered the country",
        ),
    );
    let before = snapshot(s.root());
    s.build(&[])
        .assert_fails()
        .err_has("content/stories/one.md:19:12: error: the quote of figure `kz-entries` is not in the archived text of `src-a`")
        .err_has("hint: closest passage in the archive: \"200,000 russian citizens had entered his country\"");
    assert_eq!(snapshot(s.root()), before, "nothing written");
}

#[test]
fn quote_normalisation_accepts_typographic_differences() {
    let s = Site::new();
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure(
                "queue-km",
                "10",
                "src-a",
                "Queues  at the BORDER stretched for 10 kilometres",
                "",
            ),
            "x",
        ),
    );
    s.write(
        "archive/a.txt",
        &common::ARCHIVE_A.replace("Queues at the border", "Queues at the\n   border"),
    );
    s.build_ok(&[]);
}

#[test]
fn number_missing_from_the_quote_fails() {
    let s = Site::new();
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure("x-1", "300000", "src-b", "200,000 Russian citizens", ""),
            "x",
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has(
            "content/x.md:11:12: error: the quote of figure `x-1` does not contain its value 300,000",
        )
        .err_has("hint: quote the words that state the number");
}

#[test]
fn archive_dir_holds_snapshots_by_name_or_id() {
    let s = Site::new();
    let archives = tempfile::tempdir().unwrap();
    // src-a's `archive:` is looked up in --archive-dir too; src-b by `<id>.txt`.
    s.remove("archive/a.txt");
    std::fs::create_dir_all(archives.path().join("archive")).unwrap();
    std::fs::write(archives.path().join("archive/a.txt"), common::ARCHIVE_A).unwrap();
    std::fs::write(
        archives.path().join("src-b.txt"),
        "Officials said 194,000 Russians had left.",
    )
    .unwrap();
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure(
                "x-1",
                "194000",
                "src-b",
                "194,000 Russians had left",
                "    as_of: 2022-09-27\n",
            ),
            "x",
        ),
    );
    let dir = archives.path().to_string_lossy().into_owned();
    s.build_ok(&["--archive-dir", &dir]);
    let json: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    for f in json.as_array().unwrap() {
        assert_eq!(f["verified"], true, "{f}");
    }
    // A wrong quote is caught against the --archive-dir copy.
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure("x-1", "194000", "src-b", "194,000 Russians left", ""),
            "x",
        ),
    );
    s.build(&["--archive-dir", &dir])
        .assert_fails()
        .err_has("content/x.md:11:12: error: the quote of figure `x-1` is not in the archived text of `src-b`")
        .err_has("closest passage in the archive: \"194,000 russians had");
    // Without the archives, src-a's declared archive is missing: an error, never a quietly
    // unverified figure.
    s.build(&[]).assert_fails().err_has(
        "content/sources.yaml:7:12: error: archive `archive/a.txt` of source `src-a` not found",
    );
    // A typo in `archive:` gets a suggestion from the files that exist.
    s.write("archive/a.txt", common::ARCHIVE_A);
    s.write(
        "content/sources.yaml",
        &common::SOURCES.replace("archive/a.txt", "archive/aa.txt"),
    );
    s.build(&[])
        .assert_fails()
        .err_has("archive `archive/aa.txt` of source `src-a` not found")
        .err_has("did you mean `archive/a.txt`?");
    // site.yaml's archive folder absent on this machine: figures are unverified, and a
    // warning says why.
    s.write("content/sources.yaml", common::SOURCES);
    s.write(
        "site.yaml",
        &format!("{}archive_dir: no-such-folder\n", common::SITE_YAML),
    );
    s.remove("archive/a.txt");
    s.build_ok(&[])
        .err_has("archive_dir `no-such-folder` not found");
    let figs = s.out("figures/index.html");
    assert!(figs.contains("unverified"), "{figs}");
}

#[test]
fn source_without_archive_is_shown_unverified() {
    let s = Site::new();
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure("x-1", "194000", "src-b", "over 194,000 Russians", ""),
            "{{ fig(id=\"x-1\") }}",
        ),
    );
    s.build_ok(&[]);
    let json: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    let by_id = |id: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id("x-1")["verified"], false);
    assert_eq!(by_id("kz-entries")["verified"], true);
    let row = |html: &str, id: &str| {
        let i = html
            .find(&format!("id=\"fig-{id}\""))
            .unwrap_or_else(|| panic!("no row {id}"));
        let end = html[i..].find("</tr>").unwrap();
        html[i..i + end].to_string()
    };
    let figs = s.out("figures/index.html");
    assert!(
        row(&figs, "x-1").contains("unverified"),
        "{}",
        row(&figs, "x-1")
    );
    assert!(!row(&figs, "kz-entries").contains("unverified"));
    assert!(row(&figs, "kz-entries").contains("verified"));
    let page = s.out("x/index.html");
    assert!(row(&page, "x-1").contains("unverified"));
}

// ---------------------------------------------------------------------------------------
// Generated pages and data

/// A site with two sources disagreeing about entries into Kazakhstan over the same two
/// weeks: over 200,000 and 98,000.
fn disputed_site() -> Site {
    let s = Site::new();
    s.write(
        "content/stories/two.md",
        &story(
            "Story two",
            &figure(
                "kz-entries-ap",
                "98000",
                "src-b",
                "98,000 Russians, \\\"quoted\\\"",
                "    period: { from: 2022-09-21, to: 2022-10-04 }\n    claimed_by: Kazakhstan's officials\n",
            ),
            "Others say {{ fig(id=\"kz-entries-ap\") }}. [@src-b; @src-a]\n\n{{ chart(measure=\"entries\", unit=\"people\", title=\"Entries, by source\") }}",
        ),
    );
    s.write(
        "content/stories/two.md",
        &s.read_src("content/stories/two.md").replace(
            "---\ntitle: Story two\n",
            "---\ntitle: Story two\ntags: [Borders, Queues]\nplaces: [Georgia]\n",
        ),
    );
    s
}

#[test]
fn disagreeing_figures_appear_side_by_side() {
    let s = disputed_site();
    s.build_ok(&[]);
    let html = s.out("figures/index.html");
    let disputes = &html[html.find("id=\"conflicts\"").expect("a conflicts view")..];
    let disputes = &disputes[..disputes.find("</section>").unwrap()];
    // Both in the same dispute group, as cards.
    let group_start = disputes.find("class=\"dispute\"").unwrap();
    let group = &disputes[group_start..];
    let a = group
        .find(">over 200,000<")
        .expect("first figure in the dispute");
    let b = group
        .find(">98,000<")
        .expect("second figure in the dispute");
    assert!(a != b);
    assert_eq!(
        disputes.matches("class=\"dispute\"").count(),
        1,
        "{disputes}"
    );
    assert!(disputes.contains("Why:</strong> for 21 September – 4 October 2022, over 200,000 people is more than 200,000 and at most 220,000 and 98,000 people is between 97,500 and 98,500: no number is both."), "{disputes}");
    let json: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|f| f["disputed"] == true)
    );
    let relations: serde_json::Value = serde_json::from_str(&s.out("relations.json")).unwrap();
    assert_eq!(relations[0]["kind"], "disagree");
    assert_eq!(
        relations[0]["figures"],
        serde_json::json!(["kz-entries", "kz-entries-ap"])
    );
    assert_eq!(relations[0]["declared"], false);
}

#[test]
fn figures_csv_matches_figures_json() {
    let s = disputed_site();
    s.build_ok(&[]);
    let json: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    let json = json.as_array().unwrap();
    let csv_text = s.out("figures.csv");
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), json.len());
    assert!(rows.len() >= 2);
    for (row, f) in rows.iter().zip(json) {
        for (h, cell) in headers.iter().zip(row.iter()) {
            let value = match h.strip_prefix("interval_") {
                Some(k) => &f["interval"][k],
                None => &f[h.as_str()],
            };
            let expected = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            assert_eq!(cell, expected, "column {h} of {}", f["id"]);
        }
        // Every CSV column is in the JSON.
        for h in &headers {
            let v = match h.strip_prefix("interval_") {
                Some(k) => f["interval"].get(k),
                None => f.get(h),
            };
            assert!(v.is_some(), "{h} not in JSON");
        }
    }
    // Quotes with commas and quote marks survive.
    assert!(
        rows.iter()
            .any(|r| r.iter().any(|c| c == "98,000 Russians, \"quoted\""))
    );
}

#[test]
fn every_back_link_on_sources_resolves() {
    let s = disputed_site();
    s.build_ok(&[]);
    let public = s.path("public");
    let html = s.out("sources/index.html");
    let mut checked = 0;
    for link in common::links(&html) {
        if link.starts_with("http") || link.starts_with('#') {
            continue;
        }
        let path = link
            .strip_prefix("/sub")
            .unwrap_or_else(|| panic!("{link}"));
        let file = resolve_url(&public, path);
        assert!(file.is_file(), "{link} -> {} missing", file.display());
        if let Some((_, anchor)) = path.split_once('#') {
            let target = std::fs::read_to_string(&file).unwrap();
            assert!(
                target.contains(&format!("id=\"{anchor}\"")),
                "{link}: no #{anchor}"
            );
        }
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
    // Each source lists the pages citing it and the figures from it.
    let a = &html[html.find("id=\"src-src-a\"").unwrap()..html.find("id=\"src-src-b\"").unwrap()];
    assert!(a.contains("Story one") && a.contains("Story two"), "{a}");
    assert!(a.contains("href=\"/sub/figures/#fig-kz-entries\""));
    let sources: serde_json::Value = serde_json::from_str(&s.out("sources.json")).unwrap();
    assert_eq!(sources[0]["id"], "src-a");
    assert_eq!(sources[0]["figures"][0], "kz-entries");
    assert_eq!(sources[0]["archived"], true);
    assert_eq!(sources[1]["archived"], false);
}

#[test]
fn every_internal_link_of_the_site_resolves() {
    let s = disputed_site();
    s.build_ok(&[]);
    let public = s.path("public");
    for (path, bytes) in snapshot(&public) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for link in common::links(&html) {
            let Some(p) = link.strip_prefix("/sub") else {
                continue;
            };
            let file = resolve_url(&public, p);
            assert!(
                file.exists(),
                "{path}: {link} -> missing {}",
                file.display()
            );
        }
    }
}

#[test]
fn places_and_tags_pages_exist() {
    let s = disputed_site();
    s.build_ok(&[]);
    let kz = s.out("places/kazakhstan/index.html");
    assert!(kz.contains("Story one"), "{kz}");
    assert!(kz.contains("id=\"fig-kz-entries-ap\"") || kz.contains("98,000"));
    assert!(s.out("places/georgia/index.html").contains("Story two"));
    let places = s.out("places/index.html");
    assert!(places.contains("/sub/places/kazakhstan/") && places.contains("/sub/places/georgia/"));
    assert!(s.out("tags/queues/index.html").contains("Story two"));
}

#[test]
fn chart_shortcode_is_an_accessible_svg() {
    let s = disputed_site();
    s.build_ok(&[]);
    let html = s.out("stories/two/index.html");
    let start = html
        .find("<figure class=\"chart chart-range\"")
        .expect("a chart");
    let chart = &html[start..start + html[start..].find("</figure>").unwrap()];
    // A group, not an image: its marks are links.
    assert!(
        chart.contains("<svg") && chart.contains("role=\"group\""),
        "{chart}"
    );
    assert!(chart.contains("<title id=") && chart.contains(">Entries, by source</title>"));
    assert!(chart.contains("<desc id="));
    assert!(chart.contains("aria-labelledby="));
    let table = &chart[chart.find("<table").expect("table fallback")..];
    assert!(
        table.contains("98,000") && table.contains("over 200,000"),
        "{table}"
    );
    assert!(table.contains("href=\"/sub/sources/#src-src-a\""));
    // Not inside a paragraph: it is a block.
    assert!(!html.contains("<p><figure"));
    // The figures page has a chart too.
    assert!(s.out("figures/index.html").contains("<svg"));
}

#[test]
fn a_chart_draws_a_wire_copy_once_and_other_sources_apart() {
    let s = Site::new();
    // src-b carries src-a's text: its copy of the 200,000 is one claim, one mark; src-c
    // reports the same claimant's count: a repeat too; a daily rate is its own row.
    s.write(
        "content/sources.yaml",
        &format!(
            "{}  republishes: src-a\n- id: src-c\n  title: C\n  publisher: Publisher C\n  published: 2022-09-29\n",
            common::SOURCES
        ),
    );
    let extra = "    qualifier: over\n    period: { from: 2022-09-21, to: 2022-10-04 }\n    claimed_by: the interior minister\n";
    s.write(
        "content/stories/two.md",
        &story(
            "Story two",
            &format!(
                "{}{}{}",
                figure(
                    "kz-copy",
                    "200000",
                    "src-b",
                    "200,000 Russian citizens",
                    extra
                ),
                figure(
                    "kz-other",
                    "200000",
                    "src-c",
                    "200,000 Russian citizens",
                    extra
                ),
                figure(
                    "kz-daily",
                    "10000",
                    "src-c",
                    "10,000 a day",
                    "    per: day\n    claimed_by: the interior minister\n"
                )
            ),
            "{{ chart(measure=\"entries\", unit=\"people\", title=\"Entries\") }}",
        ),
    );
    s.build_ok(&[]);
    let html = s.out("stories/two/index.html");
    let start = html.find("class=\"chart chart-range\"").expect("a chart");
    let chart = &html[start..start + html[start..].find("</figure>").unwrap()];
    let svg = chart;
    // The rows drawn, by the figure each links to.
    let rows: Vec<&str> = svg
        .match_indices("class=\"chart-row\" href=\"")
        .map(|(i, m)| {
            let h = &svg[i + m.len()..];
            let h = &h[..h.find('"').unwrap()];
            &h[h.find("#fig-").unwrap() + 5..]
        })
        .collect();
    // The copy (src-b carries src-a's text) and src-c's report of the same claimant's
    // count are repeats of the site's own 200,000 (kz-entries, from src-a): one row for
    // the three, which names their sources; the daily rate is a row of its own.
    assert_eq!(rows, ["kz-entries", "kz-daily"], "{svg}");
    assert!(svg.contains("Publisher C") || svg.contains(">C<"), "{svg}");
}

#[test]
fn a_figure_without_a_place_has_no_empty_place_link() {
    let s = Site::new();
    s.write(
        "content/stories/two.md",
        &story(
            "Story two",
            "  - id: age\n    value: 26\n    unit: years\n    measure: age\n    subject: A traveller's age\n    source: src-b\n    quote: \"26\"\n",
            "He was {{ fig(id=\"age\") }}.",
        ),
    );
    s.build_ok(&[]);
    for page in ["stories/two/index.html", "figures/index.html"] {
        let html = s.out(page);
        let row = &html[html.find("id=\"fig-age\"").expect("the figure's row")..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(!row.contains("<a href=\"\">"), "{page}: {row}");
        assert!(
            row.contains(
                "class=\"col-place\" data-label=\"Place\"><span class=\"none\">–</span></td>"
            ),
            "{page}: {row}"
        );
    }
}

#[test]
fn chart_that_selects_nothing_is_an_error() {
    let s = Site::new();
    s.write(
        "content/x.md",
        "---\ntitle: X\n---\n\n{{ chart(measure=\"exits\") }}\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:5:1: error: chart selects no figures");
}

#[test]
fn figure_declaration_mistakes_name_the_line_and_suggest() {
    let s = Site::new();
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure("x-1", "194000", "src-b", "194,000", "    qualifer: over\n"),
            "x",
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:12:5: error: figures[0]: unknown field `qualifer`")
        .err_has("hint: did you mean `qualifier`?");
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure("x-1", "194000", "src-b", "194,000", "    qualifier: ovr\n"),
            "x",
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:12:16: error: figures[0].qualifier: unknown variant `ovr`")
        .err_has("hint: did you mean `over`?");
    s.write(
        "content/x.md",
        &story(
            "X",
            &figure(
                "x-1",
                "194000",
                "src-b",
                "194,000",
                "    period: { from: 2022-10-05, to: 2022-10-01 }\n",
            ),
            "x",
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/x.md:12:13: error: figure `x-1`: period ends before it starts")
        .err_has("hint: swap `from` and `to`");
}
