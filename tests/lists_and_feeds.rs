//! Issue 18, part B: paginated section and term lists (`paginate_by`, `paginator`,
//! `/page/N/`), custom taxonomies (`taxonomies:` in site.yaml and in front matter), and
//! Atom feeds per section and per term, each listed in `<link rel="alternate">`.

mod common;

use common::{Site, assert_links_resolve, tag_attributes};
use std::collections::BTreeSet;

/// A page of `section` with a title and a distinct date (day `day` of October 2022).
fn story(s: &Site, section: &str, n: usize, extra: &str) {
    s.write(
        &format!("content/{section}/p{n:02}.md"),
        &format!(
            "---\ntitle: {section} story {n:02}\ndate: 2022-10-{:02}\n{extra}---\n\nText {n}.\n",
            n + 1
        ),
    );
}

/// A site whose sections hold 0, 2, 3, 4 and 6 pages, three to a pager.
fn paginated_site() -> Site {
    let s = Site::new();
    s.write(
        "site.yaml",
        "title: Test Site\nbase_url: https://example.org/sub/\npaginate_by: 3\n",
    );
    for (section, count) in [
        ("empty", 0),
        ("fewer", 2),
        ("exact", 3),
        ("over", 4),
        ("twice", 6),
    ] {
        s.write(
            &format!("content/{section}/_index.md"),
            &format!("---\ntitle: {section}\n---\n\nThe {section} section.\n"),
        );
        for n in 0..count {
            story(&s, section, n, "");
        }
    }
    s
}

/// The titles of a pager's listed pages, in order.
fn listed(html: &str, section: &str) -> Vec<String> {
    let needle = format!(">{section} story ");
    html.match_indices(&needle)
        .map(|(i, _)| html[i + 1..i + 1 + needle.len() + 1].to_string())
        .collect()
}

fn rel_links(html: &str, rel: &str) -> Vec<String> {
    tag_attributes(html)
        .into_iter()
        .filter(|a| a.get("rel").map(String::as_str) == Some(rel))
        .filter_map(|a| a.get("href").cloned())
        .collect()
}

#[test]
fn pagination_boundaries_and_urls() {
    let s = paginated_site();
    s.build_ok(&[]);
    // (section, pages) -> pagers: at least one, the first at the section's own URL.
    for (section, count, pagers) in [
        ("empty", 0, 1),
        ("fewer", 2, 1),
        ("exact", 3, 1),
        ("over", 4, 2),
        ("twice", 6, 2),
    ] {
        assert!(s.has_out(&format!("{section}/index.html")));
        assert!(
            !s.has_out(&format!("{section}/page/1/index.html")),
            "{section}: /page/1/ is not written (the first pager is the section's URL)"
        );
        assert!(!s.has_out(&format!("{section}/page/{}/index.html", pagers + 1)));
        let mut seen = Vec::new();
        for k in 1..=pagers {
            let file = if k == 1 {
                format!("{section}/index.html")
            } else {
                format!("{section}/page/{k}/index.html")
            };
            let html = s.out(&file);
            let titles = listed(&html, section);
            assert!(titles.len() <= 3, "{file}: {titles:?}");
            seen.extend(titles);
            let url = |k: usize| {
                if k == 1 {
                    format!("/sub/{section}/")
                } else {
                    format!("/sub/{section}/page/{k}/")
                }
            };
            let prev: Vec<String> = (k > 1).then(|| url(k - 1)).into_iter().collect();
            let next: Vec<String> = (k < pagers).then(|| url(k + 1)).into_iter().collect();
            assert_eq!(rel_links(&html, "prev"), prev, "{file}");
            assert_eq!(rel_links(&html, "next"), next, "{file}");
            if count > 0 {
                assert!(html.contains(&format!("{count} stor")), "{file}: the total");
            } else {
                assert!(html.contains("Nothing here yet."));
            }
        }
        // Every page exactly once, newest first.
        let want: Vec<String> = (0..count)
            .rev()
            .map(|n| format!("{section} story {n:02}"))
            .collect();
        assert_eq!(seen, want, "{section}");
    }
    // The second pager has its own canonical URL and title.
    let html = s.out("twice/page/2/index.html");
    assert!(
        html.contains(r#"<link rel="canonical" href="https://example.org/sub/twice/page/2/">"#)
    );
    assert!(html.contains("<title>twice (page 2) · Test Site</title>"));
    // Every pager is in the sitemap; /page/1/ is not.
    let sitemap = s.out("sitemap.xml");
    for u in ["over/page/2/", "twice/page/2/", "twice/"] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/sub/{u}</loc>")),
            "{u}"
        );
    }
    assert!(!sitemap.contains("/page/1/"));
    assert!(!sitemap.contains("exact/page/2/"));
    assert_links_resolve(&s.path("public"), "/sub");
}

#[test]
fn paginator_variables_and_overrides() {
    let s = paginated_site();
    // A section's own `paginate_by` wins over site.yaml's; 0 turns it off.
    s.write(
        "content/twice/_index.md",
        "---\ntitle: twice\npaginate_by: 4\ntemplate: paged.html\n---\n",
    );
    s.write(
        "content/over/_index.md",
        "---\ntitle: over\npaginate_by: 0\n---\n",
    );
    s.write(
        "templates/paged.html",
        "{{ paginator.current_index }}/{{ paginator.number_pagers }} by {{ paginator.paginate_by }} of {{ paginator.total_pages }}: \
first={{ paginator.first }} last={{ paginator.last }} prev={{ paginator.previous }} next={{ paginator.next }} base={{ paginator.base_url }} \
[{% for p in paginator.pages %}{{ p.title }};{% endfor %}] section=[{% for p in section.pages %}{{ p.title }};{% endfor %}]",
    );
    s.build_ok(&[]);
    assert_eq!(
        s.out("twice/index.html"),
        "1/2 by 4 of 6: first=/sub/twice/ last=/sub/twice/page/2/ prev= next=/sub/twice/page/2/ base=/sub/twice/ \
[twice story 05;twice story 04;twice story 03;twice story 02;] section=[twice story 05;twice story 04;twice story 03;twice story 02;]"
    );
    assert_eq!(
        s.out("twice/page/2/index.html"),
        "2/2 by 4 of 6: first=/sub/twice/ last=/sub/twice/page/2/ prev=/sub/twice/ next= base=/sub/twice/ \
[twice story 01;twice story 00;] section=[twice story 01;twice story 00;]"
    );
    assert!(!s.has_out("over/page/2/index.html"));
    assert_eq!(listed(&s.out("over/index.html"), "over").len(), 4);
}

#[test]
fn a_page_at_a_pager_url_is_an_error() {
    let s = paginated_site();
    s.write("content/over/page/2.md", "---\ntitle: In the way\n---\n");
    s.build(&[])
        .assert_fails()
        .err_has("content/over/page/2.md would be published at /over/page/2/, which is page 2 of the list of content/over/_index.md");
}

/// A site with a custom taxonomy `authors` at /by/, with feeds and two terms a pager.
fn authors_site() -> Site {
    let s = Site::new();
    s.write(
        "site.yaml",
        "title: Test Site\nbase_url: https://example.org/sub/\nfeed_limit: 2\ntaxonomies:\n  - name: authors\n    slug: by\n    feed: true\n    paginate_by: 2\n",
    );
    s.write(
        "content/stories/_index.md",
        "---\ntitle: Stories\nfeed: true\n---\n\nAll.\n",
    );
    for n in 0..3 {
        story(&s, "stories", n, "taxonomies:\n  authors: [Jane Doe]\n");
    }
    story(
        &s,
        "stories",
        3,
        "taxonomies:\n  authors: [Jane Doe, Ann Lee]\ntags: [Borders]\n",
    );
    s
}

#[test]
fn custom_taxonomy_pages() {
    let s = authors_site();
    s.build_ok(&[]);
    let list = s.out("by/index.html");
    assert!(list.contains("<h1>Authors</h1>"), "{list}");
    assert!(list.contains(r#"href="/sub/by/jane-doe/""#));
    assert!(list.contains(r#"href="/sub/by/ann-lee/""#));
    let jane = s.out("by/jane-doe/index.html");
    assert!(jane.contains("<h1>Jane Doe</h1>"));
    assert!(
        jane.contains(r#"<a href="/sub/by/">Authors</a>"#),
        "the kicker links the list"
    );
    assert!(jane.contains("4 pages"));
    assert_eq!(
        listed(&jane, "stories"),
        ["stories story 03", "stories story 02"]
    );
    assert_eq!(
        listed(&s.out("by/jane-doe/page/2/index.html"), "stories"),
        ["stories story 01", "stories story 00"]
    );
    assert!(!s.has_out("by/ann-lee/page/2/index.html"));
    // A page links its terms.
    let page = s.out("stories/p03/index.html");
    assert!(
        page.contains(
            r#"<a href="/sub/by/jane-doe/">Jane Doe</a>, <a href="/sub/by/ann-lee/">Ann Lee</a>"#
        ),
        "{page}"
    );
    // The built-in taxonomies are still there.
    assert!(
        s.out("tags/borders/index.html")
            .contains("stories story 03")
    );
    assert!(s.has_out("places/kazakhstan/index.html"));
    assert_links_resolve(&s.path("public"), "/sub");
}

#[test]
fn taxonomy_variable_and_list_template() {
    let s = authors_site();
    s.write(
        "templates/taxonomy_list.html",
        "{{ kind }} {{ taxonomy.name }} {{ taxonomy.slug }} {{ taxonomy.title }} {{ taxonomy.url }} {{ taxonomy.feed }} {{ taxonomy.paginate_by }}:{% for t in terms %} {{ t.name }}={{ t.count }}@{{ t.feed_url }}{% endfor %}",
    );
    s.build_ok(&[]);
    assert_eq!(
        s.out("by/index.html"),
        "authors authors by Authors /sub/by/ true 2: Ann Lee=1@/sub/by/ann-lee/atom.xml Jane Doe=4@/sub/by/jane-doe/atom.xml"
    );
    assert_eq!(
        s.out("tags/index.html"),
        "tags tags tags Tags /sub/tags/ false 0: Borders=3@ Queues=1@"
    );
}

#[test]
fn unknown_taxonomy_is_an_error_with_a_suggestion() {
    let s = authors_site();
    s.write(
        "content/stories/bad.md",
        "---\ntitle: Bad\ntaxonomies:\n  autors: [X]\n---\n",
    );
    let r = s.build(&[]);
    r.assert_fails()
        .err_has("content/stories/bad.md:4:3: error: unknown taxonomy `autors`")
        .err_has("did you mean `authors`?");
}

#[test]
fn taxonomy_config_mistakes() {
    for (yaml, want) in [
        (
            "  - name: figures\n",
            "site.yaml:4:11: error: taxonomy `figures` would be published at /figures/, which is taken",
        ),
        (
            "  - name: tags\n    slug: labels\n",
            "site.yaml:5:11: error: the built-in taxonomy `tags` cannot move to /labels/",
        ),
        (
            "  - name: a\n  - name: a\n",
            "site.yaml:5:11: error: taxonomy `a` is declared twice",
        ),
        (
            "  - name: authors\n    fed: true\n",
            "site.yaml:5:5: error: taxonomies[0]: unknown field `fed`",
        ),
    ] {
        let s = Site::new();
        s.write(
            "site.yaml",
            &format!("title: T\nbase_url: https://example.org/\ntaxonomies:\n{yaml}"),
        );
        s.build(&[]).assert_fails().err_has(want);
    }
}

/// Checks that `xml` is an Atom feed with what RFC 4287 requires: the namespace; the feed's
/// id, title, updated and author (or every entry's); each entry's id, title, updated and
/// alternate link; dates in RFC 3339. Returns the entries' alternate links.
fn assert_atom(name: &str, xml: &str) -> Vec<String> {
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed", "{name}");
    assert_eq!(feed.tag_name().namespace(), Some(ATOM), "{name}");
    fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Vec<roxmltree::Node<'a, 'i>> {
        n.children()
            .filter(|c| {
                c.is_element()
                    && c.tag_name().namespace() == Some(ATOM)
                    && c.tag_name().name() == tag
            })
            .collect()
    }
    let one_text = |n: roxmltree::Node<'_, '_>, tag: &str| {
        let c = child(n, tag);
        assert_eq!(c.len(), 1, "{name}: one <{tag}>");
        let t = c[0].text().unwrap_or("").trim().to_string();
        assert!(!t.is_empty(), "{name}: empty <{tag}>");
        t
    };
    let date = |t: &str| {
        assert!(
            t.parse::<jiff::Timestamp>().is_ok(),
            "{name}: `{t}` is not an RFC 3339 date"
        );
    };
    one_text(feed, "id");
    one_text(feed, "title");
    date(&one_text(feed, "updated"));
    let feed_author = !child(feed, "author").is_empty();
    let links = |n: roxmltree::Node<'_, '_>| {
        child(n, "link")
            .into_iter()
            .map(|l| {
                (
                    l.attribute("rel").unwrap_or("alternate").to_string(),
                    l.attribute("href").unwrap_or("").to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        links(feed)
            .iter()
            .any(|(r, h)| r == "self" && h.ends_with(".xml")),
        "{name}: rel=self"
    );
    let mut out = Vec::new();
    let mut ids = BTreeSet::new();
    for e in child(feed, "entry") {
        assert!(ids.insert(one_text(e, "id")), "{name}: an entry id twice");
        one_text(e, "title");
        date(&one_text(e, "updated"));
        assert!(
            feed_author || !child(e, "author").is_empty(),
            "{name}: no author"
        );
        let alt: Vec<String> = links(e)
            .into_iter()
            .filter(|(r, _)| r == "alternate")
            .map(|(_, h)| h)
            .collect();
        assert_eq!(alt.len(), 1, "{name}: one rel=alternate link");
        out.push(alt[0].clone());
    }
    out
}

#[test]
fn feeds_per_section_and_term() {
    let s = authors_site();
    // The site has no `author`: feeds name the site instead (Atom requires an author).
    s.build_ok(&[]);
    let entries = |f: &str| assert_atom(f, &s.out(f));
    let p = |n: usize| format!("https://example.org/sub/stories/p{n:02}/");
    // The feed limit applies to each feed; newest first.
    assert_eq!(entries("stories/atom.xml"), [p(3), p(2)]);
    assert_eq!(entries("by/jane-doe/atom.xml"), [p(3), p(2)]);
    assert_eq!(entries("by/ann-lee/atom.xml"), [p(3)]);
    assert_eq!(entries("atom.xml"), [p(3), p(2)]);
    // No feed for taxonomies without `feed: true` or sections without it.
    assert!(!s.has_out("tags/borders/atom.xml"));
    let stories = s.out("stories/atom.xml");
    assert!(stories.contains("<title>Test Site · Stories</title>"));
    assert!(
        stories.contains(r#"<link href="https://example.org/sub/stories/atom.xml" rel="self""#)
    );
    assert!(stories.contains("<author><name>Test Site</name></author>"));
    // Every page lists its feeds: the site's, its section's, its terms'.
    let alternates = |f: &str| -> Vec<(String, String)> {
        tag_attributes(&s.out(f))
            .into_iter()
            .filter(|a| a.get("rel").map(String::as_str) == Some("alternate"))
            .map(|a| {
                assert_eq!(
                    a.get("type").map(String::as_str),
                    Some("application/atom+xml")
                );
                (a["title"].clone(), a["href"].clone())
            })
            .collect()
    };
    let site = ("Test Site".to_string(), "/sub/atom.xml".to_string());
    let section = (
        "Test Site · Stories".to_string(),
        "/sub/stories/atom.xml".to_string(),
    );
    let jane = (
        "Test Site · Authors: Jane Doe".to_string(),
        "/sub/by/jane-doe/atom.xml".to_string(),
    );
    let ann = (
        "Test Site · Authors: Ann Lee".to_string(),
        "/sub/by/ann-lee/atom.xml".to_string(),
    );
    assert_eq!(
        alternates("stories/p03/index.html"),
        [site.clone(), section.clone(), ann.clone(), jane.clone()]
    );
    assert_eq!(
        alternates("stories/index.html"),
        [site.clone(), section.clone()]
    );
    assert_eq!(
        alternates("by/jane-doe/index.html"),
        [site.clone(), jane.clone()]
    );
    assert_eq!(
        alternates("by/jane-doe/page/2/index.html"),
        [site.clone(), jane]
    );
    assert_eq!(alternates("index.html"), std::slice::from_ref(&site));
    assert_eq!(alternates("figures/index.html"), [site]);
    // Every feed file of the build is valid Atom.
    let mut feeds = 0;
    for e in walkdir::WalkDir::new(s.path("public"))
        .into_iter()
        .flatten()
    {
        if e.file_name() == "atom.xml" {
            assert_atom(
                &e.path().display().to_string(),
                &std::fs::read_to_string(e.path()).unwrap(),
            );
            feeds += 1;
        }
    }
    assert_eq!(feeds, 4);
    assert_links_resolve(&s.path("public"), "/sub");
}

#[test]
fn the_home_page_feed_is_the_site_feed() {
    let s = Site::new();
    s.write("content/_index.md", "---\ntitle: Home\nfeed: true\n---\n");
    s.build(&[])
        .assert_fails()
        .err_has("content/_index.md:3:7: error: the feed of content/_index.md would be /atom.xml, which is the Atom feed");
}

#[test]
fn section_keys_on_a_page_are_a_warning() {
    let s = Site::new();
    s.write(
        "content/stories/two.md",
        &common::STORY_TWO.replace("title: Story two\n", "title: Story two\nfeed: true\n"),
    );
    s.build_ok(&[])
        .err_has("content/stories/two.md:3:1: warning: `feed` does nothing on a page");
}
