use super::*;
use proptest::prelude::*;

fn seg(s: &str) -> Segment {
    (s.to_string(), false)
}

#[test]
fn labels_wrap_to_the_narrowest_column_and_keep_every_word() {
    let segments = vec![
        ("over 194,000 people".to_string(), true),
        seg("Kazakhstan's interior ministry"),
        seg("21 Sep – 4 Oct 2022"),
        seg("AP, Al Jazeera, The Washington Post (nearly 100,000)"),
    ];
    let lines = wrap(&segments, TEXT, LABEL_W);
    assert!(lines.len() >= 2, "{lines:?}");
    for l in &lines {
        let w: f64 = l.iter().map(|(t, b)| map::text_width(t, TEXT, *b)).sum();
        assert!(w <= LABEL_W, "{w} px: {l:?}");
    }
    let text = lines_text(&lines);
    for (s, _) in &segments {
        for word in s.split(' ') {
            assert!(text.contains(word), "{word} lost from {text}");
        }
    }
    assert!(!text.contains('…'));
}

#[test]
fn axes_have_round_steps_whose_labels_never_meet() {
    let a = value_axis(0.0, 261_000.0, crate::sources::format_grouped);
    assert_eq!(a.lo, 0.0);
    assert!(a.hi >= 261_000.0 && a.hi <= 400_000.0, "{}", a.hi);
    let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels.first(), Some(&"0"));
    assert!(labels.contains(&"100,000"), "{labels:?}");
    let plot = NARROWEST * (X1 - X0) / 100.0;
    let step = plot / (a.ticks.len() - 1) as f64;
    for (_, l) in &a.ticks {
        assert!(
            map::text_width(l, TICK, false) * 1.5 + 8.0 <= step,
            "{l} in {step} px"
        );
    }
    let small = value_axis(0.0, 9.0, crate::sources::format_grouped);
    assert!(small.hi >= 9.0 && small.hi <= 10.0, "{}", small.hi);
}

#[test]
fn short_periods() {
    let p = |a: &str, b: &str, inferred: bool| {
        let d = |s: &str, i: bool| crate::content::figures::DateDecl {
            date: crate::content::dates::Date::parse(s).unwrap(),
            inferred: i.then(|| "this week".to_string()),
        };
        short_period(&Period::new(&d(a, false), &d(b, inferred), false))
    };
    assert_eq!(p("2022-09-21", "2022-09-27", false), "21–27 Sep 2022");
    assert_eq!(p("2022-09-21", "2022-10-04", false), "21 Sep – 4 Oct 2022");
    assert_eq!(
        p("2022-09-21", "2022-10-02", true),
        "21 Sep – c. 2 Oct 2022"
    );
    assert_eq!(p("2022-10-05", "2022-10-05", false), "5 Oct 2022");
}

#[test]
fn a_timeline_axis_of_weeks() {
    let d = |y, m, dd| timeline_day(jiff::civil::date(y, m, dd));
    let a = timeline::day_axis_for_test(d(2022, 9, 21), d(2022, 10, 5));
    assert_eq!(a.ticks[0].1, "21 Sep 2022");
    assert_eq!(a.ticks[1].1, "28 Sep");
    assert!(a.hi >= d(2022, 10, 5) as f64);
}

fn timeline_day(d: jiff::civil::Date) -> i64 {
    i64::from((d - jiff::civil::date(1970, 1, 1)).get_days())
}

#[test]
fn shapes_differ_not_only_in_colour() {
    let paths: BTreeSet<&str> = [Shape::Circle, Shape::Diamond, Shape::Triangle]
        .iter()
        .map(|s| s.path())
        .collect();
    assert_eq!(paths.len(), 3);
    assert!(Shape::Diamond.at(50.0, 10.0).contains("x=\"50.00%\""));
}

proptest! {
    #[test]
    fn wrapped_lines_never_exceed_the_column(words in prop::collection::vec("[A-Za-z',()0-9]{1,12}", 1..30), cut in 1usize..5) {
        let text = words.join(" ");
        let mut segments: Vec<Segment> = Vec::new();
        for (i, chunk) in words.chunks(cut).enumerate() {
            segments.push((chunk.join(" "), i == 0));
        }
        let lines = wrap(&segments, TEXT, LABEL_W);
        for l in &lines {
            let w: f64 = l.iter().map(|(t, b)| map::text_width(t, TEXT, *b)).sum();
            // A single word wider than the column is left whole (never cut).
            prop_assert!(w <= LABEL_W || l.len() == 1 && !l[0].0.contains(' '), "{} px: {:?}", w, l);
        }
        let joined = lines_text(&lines).replace(" · ", " ");
        let got: Vec<&str> = joined.split_whitespace().collect();
        let want: Vec<&str> = text.split_whitespace().collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn a_vague_count_reads_as_a_count_of_something() {
    assert_eq!(
        super::count_of("thousands", "entries"),
        "thousands of entries"
    );
    assert_eq!(
        super::count_of("over 43,000", "entries"),
        "over 43,000 entries"
    );
    assert_eq!(super::count_of("66,000", ""), "66,000");
}
