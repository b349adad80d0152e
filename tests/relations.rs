//! How figures relate (README, "The figure model"): fixture sites for each relation and
//! each non-relation, asserted on relations.json, figures.json and /figures/.

mod common;

use common::Site;
use serde_json::Value;

const SOURCES: &str = "\
- id: ap
  title: Wire story
  publisher: The Associated Press
  short: AP
  published: 2022-09-27
- id: wire-copy
  title: Wire story, again
  publisher: Al Jazeera
  published: 2022-09-28
  republishes: ap
- id: paper
  title: Own reporting
  publisher: The Paper
  published: 2022-09-28
- id: weekly
  title: Later reporting
  publisher: The Weekly
  published: 2022-10-05
";

const PLACES: &str = "\
- { id: kazakhstan, name: Kazakhstan, aliases: [Kazakstan], iso: KZ, lat: 48, lon: 67 }
- { id: uralsk, name: Uralsk, aliases: [Oral], within: kazakhstan }
- { id: georgia, name: Georgia, iso: GE }
";

const MEASURES: &str = "\
- { id: entries, label: Entries, unit: people, cumulative: true }
- { id: cost, label: Cost, unit: USD }
";

const CLAIMANTS: &str = "\
- { id: kz-ministry, name: Kazakhstan's interior ministry, aliases: [Interior Ministry officials in Kazakhstan, The Interior Ministry of Kazakhstan] }
- { id: ge-ministry, name: Georgia's interior ministry, aliases: [The Interior Ministry of Georgia] }
- { id: ge-authorities, name: Georgian authorities }
- { id: media, name: Media reports }
";

/// A site whose one story declares `figures` (YAML list items indented by two) and has
/// `body`, with the registries above.
fn site(figures: &str, body: &str) -> Site {
    let s = Site::new();
    s.write("content/sources.yaml", SOURCES);
    s.write("content/places.yaml", PLACES);
    s.write("content/measures.yaml", MEASURES);
    s.write("content/claimants.yaml", CLAIMANTS);
    s.write(
        "content/stories/one.md",
        &format!("---\ntitle: Story one\nfigures:\n{figures}---\n\n{body}\n"),
    );
    s.write(
        "content/stories/two.md",
        "---\ntitle: Story two\n---\n\nNothing.\n",
    );
    s
}

/// One figure: `value`, `source`, `claimed_by`, then any other keys.
fn fig(id: &str, value: &str, source: &str, claimant: &str, extra: &str) -> String {
    let number = value
        .rsplit(' ')
        .next()
        .unwrap_or(value)
        .trim_matches(['[', ']']);
    let quote = number.split(',').next().unwrap_or(number);
    format!(
        "  - id: {id}\n    value: {number_yaml}\n{q}    measure: entries\n    subject: entries\n    place: Kazakhstan\n    source: {source}\n    claimed_by: {claimant}\n    quote: \"{quote}\"\n{extra}",
        number_yaml = if value.starts_with('[') {
            value.to_string()
        } else {
            number.to_string()
        },
        q = match value.rsplit_once(' ') {
            Some((q, _)) if !value.starts_with('[') => format!("    qualifier: {q}\n"),
            _ => String::new(),
        },
    )
}

const WEEK: &str = "    period: { from: 2022-09-21, to: 2022-09-27 }\n";
const TWO_WEEKS: &str = "    period: { from: 2022-09-21, to: 2022-10-04 }\n";

/// relations.json as (kind, figures) pairs.
fn relations(s: &Site) -> Vec<(String, Vec<String>)> {
    let v: Value = serde_json::from_str(&s.out("relations.json")).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["figures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn rel(kind: &str, ids: &[&str]) -> (String, Vec<String>) {
    (
        kind.to_string(),
        ids.iter().map(|s| s.to_string()).collect(),
    )
}

/// figures.json by id.
fn figures(s: &Site) -> std::collections::BTreeMap<String, Value> {
    let v: Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

fn disputed(s: &Site) -> Vec<String> {
    figures(s)
        .into_iter()
        .filter(|(_, f)| f["disputed"] == true)
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn a_wire_copy_repeats_and_is_folded_under_the_original() {
    let s = site(
        &[
            fig(
                "kz-ap",
                "98000",
                "ap",
                "Interior Ministry officials in Kazakhstan",
                WEEK,
            ),
            fig(
                "kz-aj",
                "98000",
                "wire-copy",
                "Kazakhstan's interior ministry",
                WEEK,
            ),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(relations(&s), vec![rel("repeat", &["kz-aj", "kz-ap"])]);
    assert!(disputed(&s).is_empty());
    let html = s.out("figures/index.html");
    let row = &html[html
        .find("id=\"fig-kz-aj\"")
        .expect("the copy keeps its anchor")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("class=\"repeat-row\""), "{row}");
    assert!(row.contains("Also carried by"), "{row}");
    assert!(
        row.contains("Al Jazeera carries AP&#39;s text")
            || row.contains("Al Jazeera carries AP's text"),
        "{row}"
    );
    // Folded: the original's row comes first.
    assert!(html.find("id=\"fig-kz-ap\"").unwrap() < html.find("id=\"fig-kz-aj\"").unwrap());
}

#[test]
fn one_claimant_read_twice_is_a_series_and_a_rounding_is_a_repeat() {
    let s = site(
        &[
            fig(
                "kz-ap",
                "98000",
                "ap",
                "Interior Ministry officials in Kazakhstan",
                WEEK,
            ),
            fig(
                "kz-paper",
                "nearly 100000",
                "paper",
                "The Interior Ministry of Kazakhstan",
                WEEK,
            ),
            fig("kz-weekly", "200000", "weekly", "kz-ministry", TWO_WEEKS),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(
        relations(&s),
        vec![
            rel("update", &["kz-ap", "kz-weekly"]),
            rel("repeat", &["kz-ap", "kz-paper"]),
        ]
    );
    assert!(disputed(&s).is_empty());
    let html = s.out("figures/index.html");
    let series = &html[html.find("class=\"series-row\"").expect("a series")..];
    let series = &series[..series.find("</tr>").unwrap()];
    assert!(
        series.contains("Running total, Kazakhstan&#39;s interior ministry")
            || series.contains("Running total, Kazakhstan's interior ministry"),
        "{series}"
    );
    assert!(
        series.contains(">98,000</span></a> by 27 September 2022"),
        "{series}"
    );
    assert!(
        series.contains(">200,000</span></a> by 4 October 2022"),
        "{series}"
    );
    // Names are the registries': the claimant's alias became its name.
    assert_eq!(
        figures(&s)["kz-paper"]["claimed_by"],
        "Kazakhstan's interior ministry"
    );
}

#[test]
fn a_running_total_that_shrinks_is_inconsistent() {
    let s = site(
        &[
            fig("kz-1", "200000", "ap", "kz-ministry", WEEK),
            fig("kz-2", "98000", "weekly", "kz-ministry", TWO_WEEKS),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(relations(&s), vec![rel("inconsistent", &["kz-1", "kz-2"])]);
    assert_eq!(disputed(&s), vec!["kz-1", "kz-2"]);
    let html = s.out("figures/index.html");
    assert!(html.contains("a running total cannot shrink"), "{html}");
}

#[test]
fn independent_claims_agree_or_disagree_by_their_intervals() {
    let s = site(
        &[
            fig("a", "98000", "ap", "kz-ministry", WEEK),
            fig("b", "about 100000", "paper", "media", WEEK),
            fig("c", "over 120000", "weekly", "Georgian authorities", WEEK),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    // 98,000 is [97,500, 98,500]; about 100,000 is [90,000, 110,000]; over 120,000 is
    // (120,000, 132,000].
    assert_eq!(
        relations(&s),
        vec![
            rel("agree", &["a", "b"]),
            rel("disagree", &["a", "c"]),
            rel("disagree", &["b", "c"])
        ]
    );
    assert_eq!(disputed(&s), vec!["a", "b", "c"]);
    let html = s.out("figures/index.html");
    let conflicts = &html[html.find("id=\"conflicts\"").unwrap()..];
    assert!(
        conflicts.contains("over 120,000 people is more than 120,000 and at most 132,000"),
        "{conflicts}"
    );
}

#[test]
fn figures_of_different_periods_or_places_are_not_related() {
    let s = site(
        &[
            // Mongolia-like: one week against about twelve days, other claimants.
            fig("week", "3000", "ap", "media", WEEK),
            fig(
                "twelve-days",
                "12000",
                "paper",
                "Georgian authorities",
                "    period: { from: 2022-09-21, to: 2022-10-02 }\n",
            ),
            // A different start.
            fig(
                "later-start",
                "50",
                "weekly",
                "kz-ministry",
                "    period: { from: 2022-09-25, to: 2022-09-27 }\n",
            ),
            // Another place.
            fig(
                "georgia",
                "99999",
                "paper",
                "ge-ministry",
                &format!("{WEEK}    place: Georgia\n"),
            ),
        ]
        .concat()
        .replace(
            "    place: Kazakhstan\n    source: paper\n    claimed_by: ge-ministry",
            "    source: paper\n    claimed_by: ge-ministry",
        ),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(relations(&s), Vec::<(String, Vec<String>)>::new());
    assert!(disputed(&s).is_empty());
}

#[test]
fn a_rate_against_a_total_both_ways() {
    let rate = |id: &str, value: &str| {
        fig(
            id,
            value,
            "paper",
            "Georgian authorities",
            &format!("{WEEK}    per: day\n"),
        )
    };
    // At least 10,000 a day for 7 days is at least 70,000: over 53,000 (at most 58,300)
    // cannot be the week's total.
    let s = site(
        &[
            fig("total", "over 53000", "ap", "ge-ministry", WEEK),
            rate("daily", "at least 10000"),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(
        relations(&s),
        vec![rel("inconsistent", &["daily", "total"])]
    );
    assert_eq!(disputed(&s), vec!["daily", "total"]);
    let html = s.out("figures/index.html");
    assert!(
        html.contains("at least 10,000 people a day over the 7 days of 21–27 September 2022 is at least 70,000; over 53,000 people is more than 53,000 and at most 58,300"),
        "{html}"
    );
    // About 8,000 a day is 50,400 to 61,600 over the week: consistent.
    let s = site(
        &[
            fig("total", "over 53000", "ap", "ge-ministry", WEEK),
            rate("daily", "about 8000"),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(relations(&s), vec![rel("agree", &["daily", "total"])]);
    assert!(disputed(&s).is_empty());
    assert_eq!(figures(&s)["daily"]["per"], "day");
}

#[test]
fn a_place_within_another_cannot_count_more() {
    let s = site(
        &[
            fig("kz", "50000", "ap", "kz-ministry", WEEK),
            fig(
                "oral",
                "over 60000",
                "paper",
                "media",
                &format!("{WEEK}    place: Oral\n"),
            ),
        ]
        .concat()
        .replace(
            "    place: Kazakhstan\n    source: paper",
            "    source: paper",
        ),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(relations(&s), vec![rel("inconsistent", &["kz", "oral"])]);
    // Aliases are the place's name everywhere.
    assert_eq!(figures(&s)["oral"]["place"], "Uralsk");
    assert!(
        s.out("figures/index.html")
            .contains("Uralsk is within Kazakhstan")
    );
}

#[test]
fn parts_larger_than_their_whole_are_inconsistent() {
    let s = site(
        &[
            fig("whole", "over 100000", "ap", "media", WEEK),
            fig(
                "part-a",
                "98000",
                "paper",
                "kz-ministry",
                &format!("{WEEK}    part_of: whole\n"),
            ),
            fig(
                "part-b",
                "53000",
                "weekly",
                "ge-ministry",
                &format!("{WEEK}    part_of: whole\n"),
            ),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    let r = relations(&s);
    assert!(
        r.contains(&rel("inconsistent", &["whole", "part-a", "part-b"])),
        "{r:?}"
    );
    // An unknown whole is an error at its line.
    let s = site(
        &fig(
            "part",
            "5",
            "ap",
            "media",
            &format!("{WEEK}    part_of: wholly\n"),
        ),
        "",
    );
    s.build(&[])
        .assert_fails()
        .err_has("figure `part` names an unknown figure `wholly`");
}

#[test]
fn the_author_s_word_overrides_the_computed_relation() {
    let s = site(
        &[
            fig(
                "a",
                "98000",
                "ap",
                "kz-ministry",
                &format!("{WEEK}    relates:\n      - {{ figure: b, kind: disagree, note: \"The ministry later said the first count missed rail crossings.\" }}\n"),
            ),
            fig("b", "about 100000", "paper", "media", WEEK),
            fig("c", "over 120000", "weekly", "Georgian authorities", &format!("{WEEK}    relates: [{{ figure: a, kind: agree }}]\n")),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    let v: Value = serde_json::from_str(&s.out("relations.json")).unwrap();
    let kinds: Vec<(String, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string() + ":" + &r["figures"].to_string(),
                r["declared"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("agree:[\"c\",\"a\"]".to_string(), true),
            ("disagree:[\"a\",\"b\"]".to_string(), true),
            ("disagree:[\"b\",\"c\"]".to_string(), false),
        ]
    );
    let html = s.out("figures/index.html");
    assert!(
        html.contains("Why, in the author's words:</strong> The ministry later said the first count missed rail crossings."),
        "{html}"
    );
    // Two different declarations of one pair are an error.
    let s = site(
        &[
            fig(
                "a",
                "98000",
                "ap",
                "kz-ministry",
                &format!("{WEEK}    relates: [{{ figure: b, kind: agree }}]\n"),
            ),
            fig(
                "b",
                "98000",
                "paper",
                "media",
                &format!("{WEEK}    relates: [{{ figure: a, kind: disagree }}]\n"),
            ),
        ]
        .concat(),
        "",
    );
    s.build(&[])
        .assert_fails()
        .err_has("figures `a` and `b` are declared both `agree` and `disagree`");
}

#[test]
fn points_in_time_compare_on_the_same_day() {
    let cost = |id: &str, value: &str, day: &str, source: &str| {
        fig(id, value, source, "media", &format!("    as_of: {day}\n"))
            .replace("measure: entries", "measure: cost")
    };
    let s = site(
        &[
            cost("fare-a", "5000", "2022-09-22", "ap"),
            cost("fare-b", "9000", "2022-09-22", "paper"),
            cost("fare-c", "9000", "2022-09-30", "weekly"),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    assert_eq!(relations(&s), vec![rel("disagree", &["fare-a", "fare-b"])]);
    // The measure's unit is the figure's.
    assert_eq!(figures(&s)["fare-a"]["unit"], "USD");
}

#[test]
fn inferred_dates_are_circa_with_their_reason() {
    let s = site(
        &fig(
            "kz",
            "200000",
            "weekly",
            "kz-ministry",
            "    period: { from: 2022-09-21, to: { date: 2022-10-04, inferred: \"the article says 'this week'\" } }\n    as_of: { date: 2022-10-04, inferred: \"the article says 'this week'\" }\n",
        ),
        "Text.",
    );
    s.build_ok(&[]);
    let f = &figures(&s)["kz"];
    assert_eq!(f["as_of"], "2022-10-04");
    assert_eq!(f["as_of_inferred"], "the article says 'this week'");
    assert_eq!(
        f["period_inferred"],
        "last day: the article says 'this week'"
    );
    let html = s.out("figures/index.html");
    assert!(html.contains("21 September – c. 4 October 2022"), "{html}");
    assert!(
        html.contains("title=\"Date inferred: the article says &#39;this week&#39;\"")
            || html.contains("title=\"Date inferred: the article says 'this week'\""),
        "{html}"
    );
    assert!(html.contains(">c. 4 October 2022</time>"), "{html}");
}

#[test]
fn intervals_and_ranges_in_the_data_files() {
    let s = site(
        &[
            fig("exact", "98000", "ap", "kz-ministry", WEEK),
            fig("vague", "[10000, 99999]", "paper", "media", WEEK)
                .replace("quote: \"99999\"", "quote: \"tens of thousands\""),
        ]
        .concat(),
        "Text.",
    );
    s.build_ok(&[]);
    let f = figures(&s);
    assert_eq!(f["exact"]["interval"]["low"], 97500);
    assert_eq!(f["exact"]["interval"]["high"], 98500);
    assert_eq!(f["exact"]["value"], 98000);
    assert_eq!(f["vague"]["value"], serde_json::json!([10000, 99999]));
    assert_eq!(f["vague"]["display"], "tens of thousands");
    // Intersecting intervals of independent claimants agree.
    assert_eq!(relations(&s), vec![rel("agree", &["exact", "vague"])]);
    let csv = s.out("figures.csv");
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("interval_low,interval_high,interval_low_open,interval_high_open,per"),
        "{csv}"
    );
    assert!(
        csv.contains("exact,98000,exact,97500,98500,false,false,"),
        "{csv}"
    );
}

#[test]
fn unknown_names_are_errors_with_did_you_mean() {
    let s = site(
        &fig("kz", "98000", "ap", "kz-ministry", WEEK)
            .replace("place: Kazakhstan", "place: Kazahkstan"),
        "",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/stories/one.md:8:12: error: unknown place `Kazahkstan`")
        .err_has("did you mean `Kazakhstan`? places are listed in content/places.yaml");
    let s = site(
        &fig("kz", "98000", "ap", "Interior Ministry of Kazakhstan", WEEK)
            .replace("measure: entries", "measure: entry"),
        "",
    );
    let r = s.build(&[]);
    r.assert_fails()
        .err_has("unknown measure `entry`")
        .err_has("unknown claimant `Interior Ministry of Kazakhstan`")
        .err_has("did you mean `Kazakhstan's interior ministry`?");
    // A rate written as a unit.
    let s = site(
        &fig(
            "kz",
            "98000",
            "ap",
            "kz-ministry",
            &format!("{WEEK}    unit: people per day\n"),
        ),
        "",
    );
    s.build(&[])
        .assert_fails()
        .err_has("figure `kz` counts `people per day`, but measure `entries` counts `people`")
        .err_has("a rate counts `unit: people` with `per: day`");
    // A page's places are the registry's too.
    let s = site(&fig("kz", "98000", "ap", "kz-ministry", WEEK), "");
    s.write(
        "content/stories/two.md",
        "---\ntitle: Two\nplaces: [Kazakstan, Gorgia]\n---\n\nText.\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/stories/two.md:3:21: error: unknown place `Gorgia`");
}

#[test]
fn without_registries_names_are_used_as_written() {
    let s = Site::new();
    s.write("content/sources.yaml", SOURCES);
    s.write(
        "content/stories/one.md",
        &format!(
            "---\ntitle: One\nfigures:\n{}{}---\n\nText.\n",
            fig("a", "98000", "ap", "The ministry", WEEK)
                .replace("place: Kazakhstan", "place: Anywhere"),
            fig("b", "98000", "paper", "the  Ministry", WEEK)
                .replace("place: Kazakhstan", "place: anywhere"),
        ),
    );
    s.write("content/stories/two.md", "---\ntitle: Two\n---\n\nText.\n");
    s.build_ok(&[]);
    // One claimant (case and spaces aside), one place: the same claim reported twice.
    assert_eq!(relations(&s), vec![rel("repeat", &["a", "b"])]);
}
