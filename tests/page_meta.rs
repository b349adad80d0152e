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

/// Every `<script type="application/ld+json">` of `html`, parsed.
fn json_ld(html: &str) -> Vec<serde_json::Value> {
    html.split("<script type=\"application/ld+json\">")
        .skip(1)
        .map(|rest| {
            let text = rest.split("</script>").next().unwrap();
            serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON-LD: {e}\n{text}"))
        })
        .collect()
}

/// The `content` of `<meta property|name="key">` in `html`.
fn meta(html: &str, key: &str) -> Option<String> {
    common::tag_attributes(html)
        .into_iter()
        .find(|a| {
            a.get("property").map(String::as_str) == Some(key)
                || a.get("name").map(String::as_str) == Some(key)
        })
        .and_then(|a| a.get("content").cloned())
}

#[test]
fn pages_carry_open_graph_and_json_ld_that_parses() {
    let s = Site::new();
    s.write_bytes("static/share.png", b"\x89PNG\r\n\x1a\n");
    s.write(
        "site.yaml",
        &format!(
            "{}image: /share.png\njson_ld: {{type: NewsArticle}}\n",
            common::SITE_YAML
        ),
    );
    // A page of its own picture, beside it, and a title that would close a script.
    s.write("content/stories/three/index.md", "---\ntitle: \"Three </script><!--\"\ndate: 2022-10-03\nupdated: 2022-10-05\nimage: photo.jpg\nauthors: [Ann Writer]\n---\n\nText [@src-b].\n");
    s.write_bytes("content/stories/three/photo.jpg", b"\xff\xd8\xff");
    s.build_ok(&[]);
    let public = s.path("public");

    let mut articles = 0;
    let mut datasets = 0;
    for e in walkdir::WalkDir::new(&public).into_iter().flatten() {
        let rel = e
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if !rel.ends_with(".html") {
            continue;
        }
        let html = std::fs::read_to_string(e.path()).unwrap();
        // Open Graph on every page, its URLs absolute.
        for key in ["og:title", "og:url", "og:type", "og:site_name", "og:image"] {
            assert!(meta(&html, key).is_some(), "{rel}: no {key}");
        }
        for key in ["og:url", "og:image"] {
            let v = meta(&html, key).unwrap();
            assert!(
                v.starts_with("https://example.org/sub/"),
                "{rel}: {key} {v}"
            );
        }
        assert_eq!(
            meta(&html, "twitter:card").as_deref(),
            Some("summary_large_image"),
            "{rel}"
        );
        for ld in json_ld(&html) {
            assert_eq!(ld["@context"], "https://schema.org", "{rel}");
            match ld["@type"].as_str() {
                Some("NewsArticle") => {
                    articles += 1;
                    assert_eq!(meta(&html, "og:type").as_deref(), Some("article"), "{rel}");
                    for key in [
                        "headline",
                        "url",
                        "author",
                        "publisher",
                        "image",
                        "datePublished",
                        "dateModified",
                    ] {
                        assert!(!ld[key].is_null(), "{rel}: Article without {key}: {ld}");
                    }
                    assert!(ld["url"].as_str().unwrap().starts_with("https://"), "{rel}");
                    for c in ld["citation"].as_array().expect("citations") {
                        assert!(
                            c["name"].is_string() && c["datePublished"].is_string(),
                            "{c}"
                        );
                        assert!(c["publisher"]["name"].is_string(), "{c}");
                    }
                }
                Some("Dataset") => {
                    datasets += 1;
                    assert_eq!(rel, "figures/index.html");
                    assert!(ld["name"].is_string());
                    let d = ld["description"].as_str().unwrap();
                    assert!((50..=5000).contains(&d.len()), "{d}");
                    let dist = ld["distribution"].as_array().unwrap();
                    let urls: Vec<&str> = dist
                        .iter()
                        .map(|x| x["contentUrl"].as_str().unwrap())
                        .collect();
                    assert_eq!(
                        urls,
                        [
                            "https://example.org/sub/figures.csv",
                            "https://example.org/sub/figures.json"
                        ]
                    );
                    assert!(
                        dist.iter().all(
                            |x| x["@type"] == "DataDownload" && x["encodingFormat"].is_string()
                        )
                    );
                    assert!(ld["creator"]["name"].is_string());
                    let based: Vec<&str> = ld["isBasedOn"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x["name"].as_str().unwrap())
                        .collect();
                    assert_eq!(based, ["Article A"]);
                }
                other => panic!("{rel}: JSON-LD of type {other:?}"),
            }
        }
    }
    // Three pages (not sections) and the figure table.
    assert_eq!((articles, datasets), (3, 1));

    // A page: its own picture, authors, dates, sources.
    let three = s.out("stories/three/index.html");
    assert_eq!(
        meta(&three, "og:image").as_deref(),
        Some("https://example.org/sub/stories/three/photo.jpg")
    );
    assert_eq!(
        meta(&three, "og:title").as_deref(),
        Some("Three </script><!--")
    );
    assert!(
        meta(&three, "article:published_time")
            .unwrap()
            .starts_with("2022-10-03")
    );
    assert!(
        meta(&three, "article:modified_time")
            .unwrap()
            .starts_with("2022-10-05")
    );
    let ld = &json_ld(&three)[0];
    assert_eq!(ld["headline"], "Three </script><!--");
    assert_eq!(ld["author"][0]["name"], "Ann Writer");
    assert_eq!(
        ld["image"][0],
        "https://example.org/sub/stories/three/photo.jpg"
    );
    assert_eq!(ld["citation"][0]["name"], "Article B");
    // One with none of its own: the site's picture and site.yaml's author.
    let two = s.out("stories/two/index.html");
    let ld = &json_ld(&two)[0];
    assert_eq!(ld["image"][0], "https://example.org/sub/share.png");
    assert_eq!(ld["author"][0]["name"], "Test Author");
    let cited: Vec<&str> = ld["citation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cited, ["Article B", "Article A"]);
    // A section is a website.
    assert_eq!(
        meta(&s.out("stories/index.html"), "og:type").as_deref(),
        Some("website")
    );
    assert_links_resolve(&public, "/sub");
}

#[test]
fn without_an_image_the_card_is_a_summary_and_articles_are_articles() {
    let s = Site::new();
    s.build_ok(&[]);
    let one = s.out("stories/one/index.html");
    assert_eq!(meta(&one, "twitter:card").as_deref(), Some("summary"));
    assert!(meta(&one, "og:image").is_none());
    assert_eq!(
        meta(&one, "og:description").as_deref(),
        Some("The first story.")
    );
    let ld = &json_ld(&one)[0];
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["description"], "The first story.");
    assert!(ld.get("image").is_none());
}

#[test]
fn aliases_write_redirect_pages_and_the_redirects_file() {
    let s = Site::new();
    s.write(
        "site.yaml",
        &format!("{}redirects_file: true\n", common::SITE_YAML),
    );
    s.write(
        "content/stories/two.md",
        &common::STORY_TWO.replace(
            "date:",
            "aliases: [/old/two/, two.html, /2022/queues]\ndate:",
        ),
    );
    s.build_ok(&[]);
    for out in ["old/two/index.html", "two.html", "2022/queues/index.html"] {
        let html = s.out(out);
        assert!(
            html.contains("<meta http-equiv=\"refresh\" content=\"0; url=https://example.org/sub/stories/two/\">"),
            "{out}: {html}"
        );
        assert!(
            html.contains("<link rel=\"canonical\" href=\"https://example.org/sub/stories/two/\">")
        );
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(html.contains("<a href=\"/sub/stories/two/\">Story two</a>"));
    }
    assert!(!s.out("sitemap.xml").contains("old/two"));
    assert_eq!(
        s.out("_redirects"),
        "/sub/old/two/ /sub/stories/two/ 301\n/sub/two.html /sub/stories/two/ 301\n/sub/2022/queues/ /sub/stories/two/ 301\n"
    );
    assert_links_resolve(&s.path("public"), "/sub");
    // Without the option, no list.
    s.write("site.yaml", common::SITE_YAML);
    s.build_ok(&[]);
    assert!(!s.has_out("_redirects"));
    assert!(s.has_out("old/two/index.html"));
}

#[test]
fn an_alias_that_takes_another_output_is_an_error_naming_both() {
    for (aliases, message) in [
        (
            "[/stories/one/]",
            "which is the page content/stories/one.md",
        ),
        ("[/tags/]", "which is the list of tags /tags/"),
        ("[/figures/]", "which is the figure table /figures/"),
        (
            "[/atom.xml/old/]",
            "inside /atom.xml, a file the build writes",
        ),
        ("[atom.xml]", "is not a path of the site"),
        ("[/old.html]", "which is the file static/old.html"),
        (
            "[/a/, /a]",
            "which is an alias of content/stories/two.md too (content/stories/two.md:3:",
        ),
        ("[\"https://x.org/a/\"]", "is not a path of the site"),
        ("[/../up/]", "is not a path of the site"),
    ] {
        let s = Site::new();
        s.write("static/old.html", "<p>old</p>");
        s.write(
            "content/stories/two.md",
            &common::STORY_TWO.replace("date:", &format!("aliases: {aliases}\ndate:")),
        );
        let r = s.build(&[]);
        r.assert_fails();
        let line = r
            .error_lines()
            .into_iter()
            .find(|l| l.contains("alias"))
            .unwrap_or_else(|| panic!("{aliases}: {}", r.stderr))
            .to_string();
        assert!(line.starts_with("content/stories/two.md:3:"), "{line}");
        assert!(line.contains(message), "{aliases}: {line}");
    }
}
