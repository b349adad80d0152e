//! Numbers typed into the text (README, "Every number is a figure"): each form caught at
//! its line and column, what is left alone, exemptions, and the site setting.

mod common;

use common::Site;

/// A site whose page x.md has `body`, with `prose_numbers:` set to `setting` (if any).
fn site(setting: &str, front: &str, body: &str) -> Site {
    let s = Site::new();
    if !setting.is_empty() {
        s.write(
            "site.yaml",
            &format!("{}prose_numbers: {setting}\n", common::SITE_YAML),
        );
    }
    s.write(
        "content/x.md",
        &format!("---\ntitle: X\n{front}---\n\n{body}\n"),
    );
    // The fixture's own stories state no number by hand.
    s.write(
        "content/stories/one.md",
        &common::STORY_ONE.replace("Again.", "Again, nothing."),
    );
    s
}

/// The numbers reported for x.md, as "line:col `number`".
fn reported(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("is typed into the text, not a figure"))
        .filter_map(|l| {
            let rest = l.strip_prefix("content/x.md:")?;
            let (pos, msg) = rest.split_once(": ")?;
            let (line, col) = pos.split_once(':')?;
            let number = msg.split('`').nth(1)?;
            Some(format!("{line}:{col} `{number}`"))
        })
        .collect()
}

#[test]
fn every_form_of_a_number_is_caught_where_it_is() {
    let s = site(
        "",
        "",
        "About 12,345 men left; 37% of them paid $4,200.\n\
         Officials counted 3.5 million and fourteen thousand more,\n\
         tens of thousands in all, two-thirds of them by car, ten a day.",
    );
    let r = s.build(&[]);
    r.assert_ok();
    assert_eq!(
        reported(&r.stderr),
        vec![
            "5:7 `12,345`",
            "5:24 `37%`",
            "5:41 `$4,200`",
            "6:19 `3.5 million`",
            "6:35 `fourteen thousand`",
            "7:1 `tens of thousands`",
            "7:27 `two-thirds`",
            "7:54 `ten`",
        ],
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("warning: the number `12,345` is typed into the text, not a figure")
    );
    assert!(r.stderr.contains("hint: declare it under `figures:`"));
}

#[test]
fn figures_quotes_code_dates_and_source_titles_are_left_alone() {
    let s = site(
        "",
        "",
        "Kazakhstan counted {{ fig(id=\"kz-entries\") }} arrivals [@src-a, para. 2].\n\n\
         The minister said “200,000 had entered” and \"10 kilometres\" of queues.\n\n\
         > 500 people waited at the crossing.\n\n\
         On 21 September 2022, and from 21 to 27 September, at 10:30, in 2022, the 1990s,\n\
         COVID-19 and G7, see para. 19. Code: `x = 42`.\n\n\
         ```\nlet n = 1000;\n```\n\n\
         See [200,000 Russians fled](https://a.example/article) and three men, one woman.",
    );
    let r = s.build(&[]);
    r.assert_ok();
    assert_eq!(reported(&r.stderr), Vec::<String>::new(), "{}", r.stderr);
}

#[test]
fn a_number_after_a_citation_is_placed_exactly() {
    // Citations are replaced before Markdown is read: positions are still the author's.
    let s = site("", "", "Cited [@src-a; @src-b] then 4,000 more.");
    let r = s.build(&[]);
    assert_eq!(reported(&r.stderr), vec!["5:29 `4,000`"], "{}", r.stderr);
}

#[test]
fn exemptions_silence_their_words_and_are_listed() {
    let front = "exemptions:\n  - text: \"about 12,345 men\"\n    why: A rough count of the author's own, no source's claim.\n  - text: \"never here\"\n    why: Unused.\n";
    let s = site(
        "",
        front,
        "Of about 12,345\nmen, 600 stayed.\n\n{{ exemptions() }}",
    );
    let r = s.build(&[]);
    r.assert_ok();
    // The exemption matches across the line break; 600 is still reported.
    assert_eq!(reported(&r.stderr), vec!["11:6 `600`"], "{}", r.stderr);
    r.err_has(
        "content/x.md:6:11: warning: exemption `never here` exempts no number of the page's text",
    );
    let html = s.out("x/index.html");
    let table = &html[html.find("<table class=\"exemptions\"").expect("the list")..];
    assert!(
        table.contains("<q>about 12,345 men</q>") && table.contains("A rough count of the author"),
        "{table}"
    );
    assert!(table.contains("href=\"/sub/x/\""), "{table}");
}

#[test]
fn the_site_chooses_error_warning_or_off_and_small_words() {
    let body = "Three men and 40 women.";
    let r = site("{ check: error }", "", body).build(&[]);
    r.assert_fails()
        .err_has("content/x.md:5:15: error: the number `40` is typed into the text, not a figure");
    let r = site("{ check: off }", "", body).build(&[]);
    r.assert_ok();
    assert!(reported(&r.stderr).is_empty(), "{}", r.stderr);
    let r = site("{ allow_small_words: false }", "", body).build(&[]);
    assert_eq!(
        reported(&r.stderr),
        vec!["5:1 `Three`", "5:15 `40`"],
        "{}",
        r.stderr
    );
    let r = site("{ check: loud }", "", body).build(&[]);
    r.assert_fails().err_has("unknown variant `loud`");
}

#[test]
fn a_figure_and_its_citation_make_one_reference() {
    let s = site(
        "",
        "",
        "Kazakhstan counted {{ fig(id=\"kz-entries\") }} [@src-a, para. 2] arrivals.\n\n\
         Two at once [@src-a] [@src-b].",
    );
    s.build_ok(&[]);
    let html = s.out("x/index.html");
    // One mark after the figure, naming the paragraph.
    let fig = &html[html.find("data-figure=\"kz-entries\"").unwrap()..];
    let after = &fig[fig.find("</span>").unwrap()..];
    assert!(after.starts_with("</span><sup class=\"cite\">[<a href=\"#ref-1\" title=\"Publisher A, “Article A” (27 September 2022), para. 2\" aria-label=\"Reference 1: Publisher A, “Article A” (27 September 2022), para. 2\">1</a>]</sup> arrivals"), "{after}");
    assert!(!html.contains("[1]</a>]</sup><sup"), "{html}");
    // Adjacent citations: one mark.
    assert!(
        html.contains("Two at once<sup class=\"cite\">[<a href=\"#ref-1\""),
        "{html}"
    );
    assert!(html.contains(">1</a>, <a href=\"#ref-2\""), "{html}");
}
