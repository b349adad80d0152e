//! Issue 18, part C on fixture sites: summaries cut at `<!-- more -->` (lists, the feed,
//! the description), alias redirect pages and their collisions, and the sharing and
//! search-engine metadata (Open Graph, Twitter card, JSON-LD).

mod common;

use common::{Site, assert_links_resolve};

/// A page whose summary is its text before `<!-- more -->`: a citation, a footnote and a
/// heading (with an id) before the marker.
const MORE: &str = "\
---
title: Story three
date: 2022-10-03
tags: [Borders]
---

## Opening

The queue was long [@src-b] and slow.[^n]

<!-- more -->

The rest of the story, not in the summary.

[^n]: A footnote.
";

/// The `<div class=\"page-item-summary\">` of a list page, up to its end.
fn list_summary(html: &str) -> &str {
    let start = html
        .find("<div class=\"page-item-summary\">")
        .unwrap_or_else(|| panic!("no summary block in\n{html}"));
    let end = start + html[start..].find("</div>").expect("closed");
    &html[start..end]
}

#[test]
fn the_text_before_more_is_the_summary_in_lists_feed_and_description() {
    let s = Site::new();
    s.write("content/stories/three.md", MORE);
    s.build_ok(&[]);

    // The page itself: the marker is an anchor, the whole text is there.
    let page = s.out("stories/three/index.html");
    assert!(
        page.contains("<span id=\"continue-reading\"></span>"),
        "{page}"
    );
    assert!(page.contains("The rest of the story"));
    // Its description is the summary's plain text.
    let desc = page
        .split("<meta name=\"description\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a description");
    assert!(desc.contains("The queue was long"), "{desc}");
    assert!(!desc.contains("The rest"), "{desc}");

    // The section's list: the summary, its citation and footnote pointing at the page.
    for list in ["stories/index.html", "tags/borders/index.html"] {
        let html = s.out(list);
        let summary = list_summary(&html);
        assert!(summary.contains("The queue was long"), "{summary}");
        assert!(!summary.contains("The rest"), "{summary}");
        assert!(
            !summary.contains("href=\"#"),
            "a fragment of the list page: {summary}"
        );
        assert!(!summary.contains(" id="), "ids repeat on a list: {summary}");
        assert!(
            summary.contains("href=\"/sub/stories/three/#"),
            "the citation links to the page: {summary}"
        );
    }
    // Every link of every page resolves (the summary's fragments are ids of the page),
    // and no page repeats an id.
    assert_links_resolve(&s.path("public"), "/sub");

    // A page with `summary:` keeps it (as text) in lists.
    let stories = s.out("stories/index.html");
    assert!(stories.contains("<p class=\"page-item-summary\">The first story.</p>"));

    // The feed: the summary as HTML, its links absolute.
    let atom = s.out("atom.xml");
    let entry = atom
        .split("<entry>")
        .find(|e| e.contains("Story three"))
        .expect("an entry");
    let summary = entry
        .split("<summary type=\"html\">")
        .nth(1)
        .and_then(|r| r.split("</summary>").next())
        .unwrap_or_else(|| panic!("no html summary in {entry}"));
    assert!(summary.contains("The queue was long"), "{summary}");
    assert!(!summary.contains("The rest"), "{summary}");
    assert!(
        summary.contains("href=&quot;https://example.org/sub/stories/three/#"),
        "{summary}"
    );
    assert!(!summary.contains("href=&quot;#"), "{summary}");
    // The feed is well-formed XML.
    assert_well_formed(&atom);
}

#[test]
fn more_must_be_on_its_own_line() {
    let s = Site::new();
    s.write(
        "content/stories/three.md",
        "---\ntitle: Three\n---\n\nInline <!-- more --> is not a marker.\n\n> <!-- more -->\n\nEnd.\n",
    );
    s.build_ok(&[]);
    assert!(
        !s.out("stories/three/index.html")
            .contains("continue-reading")
    );
    assert!(
        !s.out("stories/index.html")
            .contains("page-item-summary\"><")
    );
}

/// `xml` reads as XML from start to end.
fn assert_well_formed(xml: &str) {
    let mut r = quick_xml::Reader::from_str(xml);
    r.config_mut().check_end_names = true;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML at {}: {e}\n{xml}", r.buffer_position()),
        }
    }
}
