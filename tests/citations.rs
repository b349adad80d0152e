//! Pandoc's citation forms on a fixture site: prefixes, `-@id`, in-text `@id [p. 4]`, and
//! the warning for `@word` that looks like a citation of no source.

mod common;

use common::Site;

const PAGE: &str = "\
---
title: Forms
---

Many left [see @src-a, p. 4].

Two sources [see @src-a, ch. 2; also @src-b].

Jane Doe wrote so [-@src-a].

@src-a [para. 2] says it, and @src-b agrees.

Mail desk@src-a.org or @AP, not @src-c-2022.
";

fn site() -> Site {
    let s = Site::new();
    s.write("content/stories/forms.md", PAGE);
    s
}

#[test]
fn prefixes_suffixes_and_in_text_render() {
    let s = site();
    let r = s.build_ok(&[]);
    let html = s.out("stories/forms/index.html");
    let body = &html[html.find("Many left").unwrap()..];
    // The prefix stays before the number; the locator is in the reference list and title.
    assert!(
        body.contains("Many left<sup class=\"cite\">[see <a href=\"#ref-1\""),
        "{body}"
    );
    assert!(
        body.contains("Article A” (27 September 2022), p. 4\""),
        "{body}"
    );
    // Each item keeps its own words, in the author's order.
    assert!(body.contains(">1</a>; also <a href=\"#ref-2\""), "{body}");
    // `-@id` in the numeric style: the number, with no name.
    assert!(
        body.contains("Jane Doe wrote so<sup class=\"cite\">[<a href=\"#ref-1\""),
        "{body}"
    );
    // In-text: the source's author (or publisher) is part of the sentence.
    assert!(
        body.contains(
            "<span class=\"cite-author\">Jane Doe</span><sup class=\"cite\">[<a href=\"#ref-1\""
        ),
        "{body}"
    );
    assert!(
        body.contains("and <span class=\"cite-author\">Publisher B</span><sup class=\"cite\">[<a href=\"#ref-2\""),
        "{body}"
    );
    assert!(!body.contains("[see @"), "{body}");
    assert!(!body.contains("@src-b"), "{body}");
    // The e-mail address and the handle are text and not warned about; the slug is.
    assert!(body.contains("desk@src-a.org or @AP"), "{body}");
    assert!(
        r.stderr
            .contains("`@src-c-2022` looks like a citation, but no source has that id"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("looks like a citation").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("content/stories/forms.md:13:"),
        "{}",
        r.stderr
    );
}

#[test]
fn forms_in_a_csl_style() {
    let s = site();
    s.write(
        "site.yaml",
        &format!("{}citation_style: apa\n", common::SITE_YAML),
    );
    s.build_ok(&[]);
    let html = s.out("stories/forms/index.html");
    let body = &html[html.find("Many left").unwrap()..];
    // In-text (prose form): the name outside the brackets; suppressed author: the year only.
    assert!(body.contains(">Jane Doe (2022, para. 2)</a>"), "{body}");
    assert!(
        body.contains("and <span class=\"cite-author\">Publisher B</span> <span"),
        "{body}"
    );
    assert!(
        body.contains("so<span class=\"cite cite-in-text\">(<a"),
        "{body}"
    );
    assert!(body.contains("Many left see <span class=\"cite"), "{body}");
    assert!(body.contains("Jane Doe, 2022, p. 4</a>"), "{body}");
}
