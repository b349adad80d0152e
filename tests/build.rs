//! `dossier build` renders content/ through Tera themes into public/.
//! Every test builds a fixture site in a temp dir with the real binary.

mod common;

use common::{Site, comparable, names, snapshot};
use std::fs;

fn main_html(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    &html[start..end]
}

// ---------------------------------------------------------------------------------------
// site.yaml and front matter

#[test]
fn minimal_site_builds_with_pretty_urls() {
    let s = Site::new();
    let r = s.build_ok(&[]);
    assert!(r.stderr.contains("built "), "{}", r.stderr);
    for f in [
        "index.html",
        "stories/index.html",
        "stories/one/index.html",
        "stories/two/index.html",
        "figures/index.html",
        "sources/index.html",
        "404.html",
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        "style.css",
        "syntax.css",
        ".dossier-output",
    ] {
        assert!(s.has_out(f), "missing {f}");
    }
    let home = s.out("index.html");
    assert!(home.contains("<title>Test Site</title>"), "{home}");
    assert!(home.contains("<html lang=\"en\""));
    assert!(
        home.contains("href=\"/sub/stories/one/\""),
        "internal link resolved: {home}"
    );
}

#[test]
fn site_yaml_unknown_key_is_an_error_with_a_hint() {
    let s = Site::new();
    s.write(
        "site.yaml",
        "title: T\nbase_url: https://example.org/\ntheem: default\n",
    );
    let r = s.build(&[]);
    r.assert_fails()
        .err_has("site.yaml:3:1: error: unknown field `theem`")
        .err_has("hint: did you mean `theme`?");
    assert!(!s.has_out("index.html"));
}

#[test]
fn site_yaml_settings_reach_the_pages() {
    let s = Site::new();
    s.write(
        "site.yaml",
        "title: Réglages\nbase_url: https://example.org\nlanguage: fr\nextra:\n  motto: Chiffres sourcés\n",
    );
    s.write(
        "templates/404.html",
        "{{ site.title }}|{{ site.language }}|{{ site.extra.motto }}|{{ site.base_path }}|{{ site.page_count }}",
    );
    s.build_ok(&[]);
    assert_eq!(s.out("404.html"), "Réglages|fr|Chiffres sourcés||2");
    assert!(s.out("index.html").contains("<html lang=\"fr\""));
}

#[test]
fn drafts_are_excluded_unless_asked_for() {
    let s = Site::new();
    s.write(
        "content/stories/wip.md",
        "---\ntitle: Work in progress\ndraft: true\n---\n\nNot yet.\n",
    );
    s.build_ok(&[]);
    assert!(!s.has_out("stories/wip/index.html"));
    assert!(!s.out("stories/index.html").contains("Work in progress"));
    assert!(!s.out("sitemap.xml").contains("/wip/"));
    let search = common::SearchFiles::read(&s.path("public"));
    assert!(
        search
            .texts()
            .iter()
            .all(|t| !t.contains("Work in progress"))
    );
    assert!(!search.words.contains_key("progress"));

    s.build_ok(&["--drafts"]);
    assert!(s.out("stories/wip/index.html").contains("Work in progress"));
    assert!(s.out("stories/index.html").contains("Work in progress"));
}

#[test]
fn slug_replaces_the_file_name() {
    let s = Site::new();
    s.write(
        "content/stories/Long File Name.md",
        "---\ntitle: Slugged\nslug: short\n---\n\nx\n",
    );
    s.write(
        "content/stories/Other Name.md",
        "---\ntitle: Unslugged\n---\n\nx\n",
    );
    s.build_ok(&[]);
    assert!(s.out("stories/short/index.html").contains("Slugged"));
    assert!(s.has_out("stories/other-name/index.html"));
}

#[test]
fn pages_sort_by_weight_then_newest_date() {
    let s = Site::new();
    s.remove("content/stories/one.md");
    s.remove("content/stories/two.md");
    s.write("content/_index.md", "---\ntitle: Home\n---\n");
    for (name, fm) in [
        ("old", "date: 2020-01-01"),
        ("new", "date: 2023-05-05"),
        ("mid", "date: 2021-06-06T10:00:00Z"),
        ("heavy", "weight: 5"),
        ("light", "weight: 1\ndate: 1999-01-01"),
    ] {
        s.write(
            &format!("content/stories/{name}.md"),
            &format!("---\ntitle: Page {name}\n{fm}\n---\n\nx\n"),
        );
    }
    s.build_ok(&[]);
    let html = s.out("stories/index.html");
    let order: Vec<usize> = ["light", "heavy", "new", "mid", "old"]
        .iter()
        .map(|n| {
            html.find(&format!(">Page {n}<"))
                .unwrap_or_else(|| panic!("{n} missing"))
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "wrong order in {html}");
}

/// The title a page's pager links to with `rel` ("prev" or "next"), if any.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let nav = &html[html.find("class=\"pager\"")?..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let a = &nav[nav.find(&format!("rel=\"{rel}\""))?..];
    let title = &a[a.find("pager-title\">").unwrap() + "pager-title\">".len()..];
    Some(title[..title.find('<').unwrap()].to_string())
}

#[test]
fn previous_and_next_follow_reading_order() {
    // Reading order: weighted pages by weight, then dated ones oldest first, then undated
    // ones by title; the section lists the dated ones newest first all the same.
    let s = Site::new();
    s.remove("content/stories/one.md");
    s.remove("content/stories/two.md");
    s.write("content/_index.md", "---\ntitle: Home\n---\n");
    for (name, fm) in [
        ("old", "date: 2020-01-01"),
        ("new", "date: 2023-05-05"),
        ("mid", "date: 2021-06-06T10:00:00Z"),
        ("heavy", "weight: 5"),
        ("light", "weight: 1\ndate: 1999-01-01"),
        ("zed", "tags: [x]"),
        ("abc", "tags: [x]"),
    ] {
        s.write(
            &format!("content/stories/{name}.md"),
            &format!("---\ntitle: Page {name}\n{fm}\n---\n\nx\n"),
        );
    }
    s.build_ok(&[]);
    let reading = ["light", "heavy", "old", "mid", "new", "abc", "zed"];
    for (k, name) in reading.iter().enumerate() {
        let html = s.out(&format!("stories/{name}/index.html"));
        let title = |i: usize| format!("Page {}", reading[i]);
        assert_eq!(
            pager_link(&html, "prev"),
            k.checked_sub(1).map(title),
            "previous of {name}"
        );
        assert_eq!(
            pager_link(&html, "next"),
            (k + 1 < reading.len()).then(|| title(k + 1)),
            "next of {name}"
        );
    }
    let list = s.out("stories/index.html");
    let at = |n: &str| list.find(&format!(">Page {n}<")).unwrap();
    assert!(at("new") < at("mid") && at("mid") < at("old"), "{list}");
}

#[test]
fn tags_and_places_make_taxonomy_pages() {
    let s = Site::new();
    s.build_ok(&[]);
    let borders = s.out("tags/borders/index.html");
    assert!(borders.contains("Story one") && borders.contains("Story two"));
    let queues = s.out("tags/queues/index.html");
    assert!(queues.contains("Story two") && !queues.contains("Story one"));
    assert!(s.out("tags/index.html").contains("/sub/tags/queues/"));
    assert!(s.out("places/kazakhstan/index.html").contains("Story one"));
    assert!(
        s.out("stories/one/index.html")
            .contains("href=\"/sub/tags/borders/\"")
    );
}

#[test]
fn template_key_picks_another_template() {
    let s = Site::new();
    s.write(
        "templates/special.html",
        "SPECIAL {{ page.title }} {{ page.content | safe }}",
    );
    s.write(
        "content/stories/odd.md",
        "---\ntitle: Odd one\ntemplate: special.html\n---\n\nBody *here*.\n",
    );
    s.build_ok(&[]);
    assert_eq!(
        s.out("stories/odd/index.html"),
        "SPECIAL Odd one <p>Body <em>here</em>.</p>\n"
    );
}

#[test]
fn unknown_front_matter_key_says_did_you_mean() {
    let s = Site::new();
    s.write(
        "content/stories/typo.md",
        "---\ntitle: Typo\nsumary: oops\n---\n\nx\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/stories/typo.md:3:1: error: unknown field `sumary`")
        .err_has("hint: did you mean `summary`?");
}

// ---------------------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_extensions_are_enabled() {
    let s = Site::new();
    s.write(
        "content/md.md",
        r#"---
title: Markdown
---

| a | b |
|---|---|
| 1 | 2 |

Text with a note.[^n]

[^n]: The note.

~~gone~~

- [x] done
- [ ] todo

"Quoted" -- and it's ... done.
"#,
    );
    s.build_ok(&[]);
    let html = main_html(&s.out("md/index.html")).to_string();
    assert!(
        html.contains("<table>") && html.contains("<td>2</td>"),
        "{html}"
    );
    assert!(html.contains("footnote-definition"), "{html}");
    assert!(html.contains("<del>gone</del>"), "{html}");
    assert!(
        html.contains("type=\"checkbox\"") && html.contains("checked"),
        "{html}"
    );
    assert!(html.contains("“Quoted” – and it’s … done."), "{html}");
}

#[test]
fn headings_get_unique_anchors_and_a_toc() {
    let s = Site::new();
    s.write(
        "content/toc.md",
        "---\ntitle: Toc\n---\n\n# Intro\n\n## Details\n\n## Details\n\n### Deep\n\n## Custom {#mine}\n",
    );
    s.write(
        "templates/special.html",
        "{% for h in page.toc %}[{{ h.level }} {{ h.id }} {{ h.title }}{% for c in h.children %} ({{ c.id }}{% for g in c.children %} <{{ g.id }}>{% endfor %}){% endfor %}]{% endfor %}",
    );
    s.write(
        "content/toc2.md",
        "---\ntitle: Toc2\ntemplate: special.html\n---\n\n# Intro\n\n## Details\n\n## Details\n\n### Deep\n\n## Custom {#mine}\n",
    );
    s.build_ok(&[]);
    let html = s.out("toc/index.html");
    for id in ["intro", "details", "details-1", "deep", "mine"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id} in {html}");
        assert!(
            html.contains(&format!("href=\"#{id}\"")),
            "no link to #{id}"
        );
    }
    assert!(html.contains("class=\"toc\""), "toc shown: {html}");
    assert_eq!(
        s.out("toc2/index.html"),
        "[1 intro Intro (details) (details-1 <deep>) (mine)]"
    );
}

#[test]
fn code_is_highlighted_with_classes_and_a_stylesheet() {
    let s = Site::new();
    s.write(
        "content/code.md",
        "---\ntitle: Code\n---\n\n```rust\nfn main() { let x = \"[@src-a]\"; }\n```\n\n```nosuchlang\n<b>raw</b>\n```\n",
    );
    s.build_ok(&[]);
    let html = s.out("code/index.html");
    assert!(html.contains("data-lang=\"rust\""), "{html}");
    assert!(html.contains("class=\"hl-"), "{html}");
    assert!(!html.contains("style=\"color"), "inline styles: {html}");
    // Citations inside code are left alone; unknown languages are escaped.
    assert!(html.contains("[@src-a]"));
    assert!(html.contains("&lt;b&gt;raw&lt;/b&gt;"));
    let css = s.out("syntax.css");
    assert!(css.contains(".hl-"), "{css}");
    // Linked, under its hashed name, from the page with code only.
    let hashed = s.out("code/index.html");
    let at = hashed.find("/sub/syntax.").expect("stylesheet linked");
    let name = &hashed[at + 5..at + hashed[at..].find('"').unwrap()];
    assert!(
        name.starts_with("syntax.")
            && name.ends_with(".css")
            && name.len() == "syntax..css".len() + 10,
        "{name}"
    );
    assert_eq!(s.out(name), css, "the hashed copy is syntax.css");
    assert!(
        !s.out("index.html").contains("syntax."),
        "no code, no code stylesheet"
    );
}

#[test]
fn internal_links_resolve_with_anchors() {
    let s = Site::new();
    s.write(
        "content/links.md",
        "---\ntitle: Links\n---\n\n[one](@/stories/one.md#arrivals-1), [section](@/stories/_index.md), [home](@/_index.md), [ext](https://x.org/@/a.md)\n",
    );
    s.build_ok(&[]);
    let html = s.out("links/index.html");
    assert!(
        html.contains("href=\"/sub/stories/one/#arrivals-1\""),
        "{html}"
    );
    assert!(html.contains("href=\"/sub/stories/\""));
    assert!(html.contains("href=\"/sub/\""));
    assert!(html.contains("href=\"https://x.org/@/a.md\""));
}

#[test]
fn broken_internal_link_is_an_error_at_its_position() {
    let s = Site::new();
    s.write(
        "content/links.md",
        "---\ntitle: Links\n---\n\nFirst line.\nSee [it](@/stories/onee.md).\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has(
            "content/links.md:6:5: error: broken internal link `@/stories/onee.md`: no such page",
        )
        .err_has("did you mean `@/stories/one.md`?");
}

#[test]
fn broken_anchor_is_an_error() {
    let s = Site::new();
    s.write(
        "content/links.md",
        "---\ntitle: Links\n---\n\nSee [it](@/stories/one.md#arival).\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has(
            "content/links.md:5:5: error: broken anchor `#arival` in link `/sub/stories/one/#arival` on /sub/links/",
        )
        .err_has("did you mean `#arrivals`?");
}

// ---------------------------------------------------------------------------------------
// Templates, URLs, static files, generated files

#[test]
fn site_templates_override_the_theme_file_by_file() {
    let s = Site::new();
    s.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}MY OWN 404{% endblock content %}",
    );
    s.build_ok(&[]);
    let nf = s.out("404.html");
    assert!(nf.contains("MY OWN 404"), "{nf}");
    assert!(
        nf.contains("class=\"site-header\""),
        "theme base kept: {nf}"
    );
    assert!(!nf.contains("Page not found"));
    // The theme files themselves are untouched.
    assert!(
        s.read_src("themes/default/templates/404.html")
            .contains("Page not found")
    );
}

#[test]
fn theme_shortcodes_render() {
    let s = Site::new();
    s.write(
        "content/sc.md",
        "---\ntitle: Sc\n---\n\n{{ note(title=\"Heads up\", text=\"Numbers change.\") }}\n",
    );
    s.build_ok(&[]);
    let html = s.out("sc/index.html");
    assert!(html.contains("<aside class=\"note\""), "{html}");
    assert!(html.contains("Heads up") && html.contains("Numbers change."));
}

#[test]
fn base_url_can_be_overridden() {
    let s = Site::new();
    s.build_ok(&["--base-url", "https://preview.example.net/pr-7/"]);
    let home = s.out("index.html");
    assert!(home.contains("href=\"/pr-7/stories/one/\""), "{home}");
    assert!(home.contains("href=\"/pr-7/style."));
    assert!(!home.contains("/sub/"), "{home}");
    assert!(
        s.out("sitemap.xml")
            .contains("<loc>https://preview.example.net/pr-7/stories/one/</loc>")
    );
    assert!(
        s.out("atom.xml")
            .contains("https://preview.example.net/pr-7/stories/two/")
    );
}

#[test]
fn relative_links_work_from_any_folder() {
    let s = Site::new();
    s.write("static/img/logo.svg", "<svg/>");
    s.write(
        "content/stories/three.md",
        "---\ntitle: Three\n---\n\n![logo](/img/logo.svg) [one](@/stories/one.md#arrivals)\n",
    );
    s.build_ok(&["--relative"]);
    let public = s.path("public");
    for (path, bytes) in snapshot(&public) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        if path == "404.html" {
            // Served at any missing URL, however deep: its links start from the site's path.
            for link in common::links(&html) {
                assert!(
                    !link.starts_with('/') || link.starts_with("/sub/") || link.starts_with("//"),
                    "404.html: {link} is not under /sub/"
                );
            }
            assert!(html.contains("data-root=\"/sub\""), "{html}");
            continue;
        }
        let dir = public.join(&path).parent().unwrap().to_path_buf();
        for link in common::links(&html) {
            assert!(
                !link.starts_with('/') || link.starts_with("//"),
                "{path}: absolute link {link}"
            );
            if link.contains(':') || link.starts_with('#') {
                continue;
            }
            let file = link.split(['#', '?']).next().unwrap();
            assert!(
                !file.ends_with('/') && !file.is_empty() || link.starts_with('#'),
                "{path}: directory link {link} must end in index.html"
            );
            assert!(dir.join(file).exists(), "{path}: {link} does not resolve");
        }
    }
    let three = s.out("stories/three/index.html");
    assert!(three.contains("src=\"../../img/logo.svg\""), "{three}");
    assert!(three.contains("href=\"../../stories/one/index.html#arrivals\""));
    assert!(
        s.out("index.html")
            .contains("href=\"stories/one/index.html\"")
    );
}

#[test]
fn static_files_and_content_assets_are_copied() {
    let s = Site::new();
    s.write_bytes(
        "static/img/photo.png",
        &[0x89, b'P', b'N', b'G', 0, 1, 2, 255],
    );
    s.write("static/.well-known/security.txt", "Contact: x\n");
    s.write("static/notes.swp", "editor junk");
    s.write("content/stories/map.svg", "<svg>map</svg>");
    s.write("static/style.css", "/* site wins over theme */");
    s.build_ok(&[]);
    assert_eq!(
        fs::read(s.path("public/img/photo.png")).unwrap(),
        [0x89, b'P', b'N', b'G', 0, 1, 2, 255]
    );
    assert!(s.has_out(".well-known/security.txt"));
    assert!(!s.has_out("notes.swp"));
    assert_eq!(s.out("stories/map.svg"), "<svg>map</svg>");
    assert_eq!(s.out("style.css"), "/* site wins over theme */");
    assert!(s.has_out("dossier.js"), "theme static copied");
}

#[test]
fn sitemap_feed_robots_and_404() {
    let s = Site::new();
    s.build_ok(&[]);
    let sitemap = s.out("sitemap.xml");
    assert!(sitemap.starts_with("<?xml"));
    for u in [
        "",
        "stories/",
        "stories/one/",
        "stories/two/",
        "figures/",
        "sources/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/sub/{u}</loc>")),
            "{u} missing: {sitemap}"
        );
    }
    assert!(sitemap.contains("<lastmod>2022-10-01</lastmod>"));
    let atom = s.out("atom.xml");
    assert!(atom.contains("<title>Test Site</title>"));
    assert!(atom.contains("<author><name>Test Author</name></author>"));
    let two = atom.find("<title>Story two</title>").unwrap();
    let one = atom.find("<title>Story one</title>").unwrap();
    assert!(two < one, "newest first");
    assert!(
        atom.contains("href=&quot;https://example.org/sub/figures/"),
        "absolute links in feed content: {atom}"
    );
    assert_eq!(
        s.out("robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://example.org/sub/sitemap.xml\n"
    );
    assert!(s.out("404.html").contains("Page not found"));
}

// ---------------------------------------------------------------------------------------
// Output safety

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let s = Site::new();
    s.build_ok(&[]);
    let before = snapshot(&s.path("public"));
    s.write("content/stories/one.md", "---\ntitle: [unclosed\n---\n");
    s.build(&[])
        .assert_fails()
        .err_has("build failed; the previous output is untouched");
    assert_eq!(snapshot(&s.path("public")), before);
    assert_eq!(
        names(s.root())
            .iter()
            .filter(|n| n.starts_with(".dossier"))
            .count(),
        0
    );
}

#[test]
fn rebuild_replaces_output_and_leaves_no_staging_dirs() {
    let s = Site::new();
    s.build_ok(&[]);
    s.remove("content/stories/two.md");
    s.build_ok(&[]);
    assert!(!s.has_out("stories/two/index.html"), "stale file removed");
    assert!(s.has_out(".dossier-output"));
    let leftovers: Vec<String> = names(s.root())
        .into_iter()
        .filter(|n| n.starts_with(".dossier"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn output_dir_refusals() {
    let s = Site::new();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("precious.txt"), "mine").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--out".into(), ".".into()],
            "is the site folder or one of its ancestors",
        ),
        (
            vec!["--out".into(), "..".into()],
            "is the site folder or one of its ancestors",
        ),
        (
            vec!["--out".into(), ".".into(), "--force".into()],
            "is the site folder or one of its ancestors",
        ),
        (
            vec!["--out".into(), "..".into(), "--force".into()],
            "is the site folder or one of its ancestors",
        ),
        (
            vec!["--out".into(), "content/out".into()],
            "is inside content/",
        ),
        (
            vec!["--out".into(), "content/out".into(), "--force".into()],
            "is inside content/",
        ),
        (
            vec!["--out".into(), "themes/default/out".into()],
            "is inside themes/",
        ),
        (
            vec![
                "--out".into(),
                outside.path().to_string_lossy().into_owned(),
            ],
            "was not created by dossier",
        ),
    ];
    for (args, msg) in cases {
        let mut all = vec!["build"];
        all.extend(args.iter().map(String::as_str));
        let r = s.run(&all);
        r.assert_fails();
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    }
    assert_eq!(
        fs::read_to_string(outside.path().join("precious.txt")).unwrap(),
        "mine"
    );
    assert!(!s.path("content/out").exists());
    assert!(!s.path("themes/default/out").exists());

    // A symlink, even with --force.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path(), s.path("public")).unwrap();
        for force in [false, true] {
            let mut args = vec!["build"];
            if force {
                args.push("--force");
            }
            s.run(&args).assert_fails().err_has("is a symlink");
        }
        assert_eq!(names(outside.path()), ["precious.txt"]);
        fs::remove_file(s.path("public")).unwrap();
    }

    // --force builds into a non-empty folder without the marker, after moving its contents
    // to a backup beside it (tests/output_safety.rs checks more).
    let r = s.run(&[
        "build",
        "--out",
        &outside.path().to_string_lossy(),
        "--force",
    ]);
    r.assert_ok().err_has(".dossier-backup-");
    assert!(outside.path().join("index.html").exists());
    assert!(outside.path().join(".dossier-output").exists());
    assert!(!outside.path().join("precious.txt").exists());
    let parent = outside.path().parent().unwrap();
    let backup = names(parent)
        .into_iter()
        .find(|n| {
            n.starts_with(&*outside.path().file_name().unwrap().to_string_lossy())
                && n.contains(".dossier-backup-")
        })
        .expect("a backup folder");
    let backup = parent.join(backup);
    assert_eq!(
        fs::read_to_string(backup.join("precious.txt")).unwrap(),
        "mine"
    );
    fs::remove_dir_all(backup).unwrap();
}

#[test]
fn an_empty_output_folder_is_used() {
    let s = Site::new();
    fs::create_dir(s.path("public")).unwrap();
    s.build_ok(&[]);
    assert!(s.has_out("index.html"));
    // And a nested new one is created.
    s.build_ok(&["--out", "build/site"]);
    assert!(s.path("build/site/index.html").exists());
}

// ---------------------------------------------------------------------------------------
// Diagnostics

#[test]
fn all_errors_of_a_build_are_reported() {
    let s = Site::new();
    s.write("content/a.md", "---\ntitle: A\nweight: heavy\n---\n");
    s.write(
        "content/b.md",
        "---\ntitle: B\n---\n\nSee [x](@/nowhere.md).\n",
    );
    s.write("content/c.md", "no front matter\n");
    let r = s.build(&[]);
    r.assert_fails();
    let errors = r.error_lines();
    assert_eq!(errors.len(), 3, "{}", r.stderr);
    assert!(
        errors[0].starts_with(
            "content/a.md:3:9: error: weight: invalid type: string \"heavy\", expected a whole number"
        ),
        "{errors:?}"
    );
    assert!(errors[1].starts_with("content/b.md:5:5: error: broken internal link"));
    assert!(errors[2].starts_with("content/c.md:1:1: error: missing front matter"));
    r.err_has("build failed; the previous output is untouched: 3 errors");
}

#[test]
fn bad_command_line_exits_2() {
    let s = Site::new();
    let r = s.run(&["build", "--no-such-flag"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    r.assert_no_panic();
}

#[test]
fn missing_site_yaml_is_a_diagnostic() {
    let s = Site::empty();
    s.build(&[])
        .assert_fails()
        .err_has("site.yaml:1:1: error: no site.yaml in the site folder");
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let s = Site::new();
    s.write_bytes(
        "content/bad.md",
        b"---\ntitle: ok\n---\n\nline\nab\xff\xfe\n",
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/bad.md:6:3: error: file is not valid UTF-8");
}

#[test]
fn check_writes_nothing() {
    let s = Site::new();
    let before = snapshot(s.root());
    let r = s.run(&["check"]);
    r.assert_ok().err_has("check passed");
    assert_eq!(snapshot(s.root()), before);
    assert!(!s.path("public").exists());

    s.write(
        "content/stories/two.md",
        "---\ntitle: Two\n---\n\n[@nope]\n",
    );
    let before = snapshot(s.root());
    s.run(&["check"])
        .assert_fails()
        .err_has("content/stories/two.md:5:2: error: unknown source `nope`")
        .err_has("check failed: 1 error");
    assert_eq!(snapshot(s.root()), before);
}

#[test]
fn new_scaffolds_a_page_and_never_overwrites() {
    let s = Site::new();
    let r = s.run(&["new", "content/stories/new-route.md"]);
    r.assert_ok();
    let text = s.read_src("content/stories/new-route.md");
    assert!(text.starts_with("---\ntitle: New route\n"), "{text}");
    assert!(text.contains("draft: true"));
    // The scaffold builds (as a draft).
    s.build_ok(&["--drafts"]);
    assert!(s.out("stories/new-route/index.html").contains("New route"));
    s.build_ok(&[]);
    assert!(!s.has_out("stories/new-route/index.html"));

    // Never overwrites.
    s.write("content/stories/new-route.md", "---\ntitle: Mine\n---\n");
    let r = s.run(&["new", "content/stories/new-route.md"]);
    r.assert_fails().err_has("already exists");
    assert_eq!(
        s.read_src("content/stories/new-route.md"),
        "---\ntitle: Mine\n---\n"
    );
    // A path outside content/ is refused, never quietly put under content/.
    let r = s.run(&["new", "stories/one.md"]);
    r.assert_fails()
        .err_has("is not inside the site's content/ folder")
        .err_has("`dossier new content/stories/one.md`");
    assert_eq!(s.read_src("content/stories/one.md"), common::STORY_ONE);
    // Any title is written as valid YAML.
    for name in ["back\\zslash", "quo\"te: x", "it's #1"] {
        let p = format!("content/odd/{name}.md");
        s.run(&["new", &p]).assert_ok();
        s.build_ok(&["--drafts"]);
    }
    // Only Markdown.
    s.run(&["new", "content/x.txt"]).assert_fails();
    assert!(!s.path("content/x.txt").exists());
    // Only inside content/.
    let outside = s.root().join("outside.md");
    for p in [
        "../outside.md".to_string(),
        "content/../../outside.md".to_string(),
        outside.to_string_lossy().into_owned(),
    ] {
        s.run(&["new", &p])
            .assert_fails()
            .err_has("is not inside the site's content/ folder");
    }
    assert!(!outside.exists());
    assert!(!s.root().parent().unwrap().join("outside.md").exists());
    // Other spellings of a path inside content/ are fine.
    let inside = s.path("content/stories/abs.md");
    s.run(&["new", &inside.to_string_lossy()]).assert_ok();
    s.run(&["new", "./content/stories/dot.md"]).assert_ok();
    for f in ["abs", "dot"] {
        assert!(s.path(&format!("content/stories/{f}.md")).is_file(), "{f}");
    }
}

// ---------------------------------------------------------------------------------------
// Determinism

#[test]
fn builds_are_deterministic() {
    let s = Site::new();
    // More of everything, so parallel rendering has a chance to reorder things.
    for i in 0..40 {
        s.write(
            &format!("content/more/p{i:02}.md"),
            &format!(
                "---\ntitle: Page {i}\ndate: 2022-10-{:02}\ntags: [t{}, common]\nplaces: [Place {}]\nfigures:\n  - id: f{i}\n    value: {}\n    measure: entries\n    unit: people\n    subject: s{i}\n    place: Place {}\n    as_of: 2022-10-01\n    source: src-b\n    quote: \"{} people\"\n---\n\n# H\n\n## H\n\nText [@src-a; @src-b] {{{{ fig(id=\"f{i}\") }}}}.\n\n```rust\nlet x = {i};\n```\n",
                i % 28 + 1,
                i % 5,
                i % 3,
                1000 + i,
                i % 3,
                1000 + i
            ),
        );
    }
    s.write("content/more/_index.md", "---\ntitle: More\n---\n");
    s.build_ok(&["--out", "out1"]);
    s.build_ok(&["--out", "out2"]);
    let a = comparable(snapshot(&s.path("out1")));
    let b = comparable(snapshot(&s.path("out2")));
    assert!(a.len() > 60, "{}", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between builds");
    }
}

// ---------------------------------------------------------------------------------------
// The flagship site

#[test]
fn flagship_site_builds_and_every_internal_link_resolves() {
    let s = Site::empty();
    let repo = common::manifest_dir();
    fs::copy(repo.join("site.yaml"), s.path("site.yaml")).unwrap();
    common::copy_dir(&repo.join("content"), &s.path("content"));
    if repo.join("static").is_dir() {
        common::copy_dir(&repo.join("static"), &s.path("static"));
    }
    s.build_ok(&[]);
    let public = s.path("public");
    let base = "/exodus";
    let files = snapshot(&public);
    assert!(files.len() > 30, "{}", files.len());
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in common::links(&html) {
            if let Some(anchor) = link.strip_prefix('#')
                && !anchor.is_empty()
            {
                assert!(
                    html.contains(&format!("id=\"{anchor}\"")),
                    "{path}: {link}: no such id on the page"
                );
            }
            let Some(p) = link.strip_prefix(base) else {
                assert!(
                    !link.starts_with('/') || link.starts_with("//"),
                    "{path}: {link}"
                );
                continue;
            };
            let file = common::resolve_url(&public, p);
            assert!(
                file.is_file(),
                "{path}: {link} -> {} missing",
                file.display()
            );
            if let Some((_, anchor)) = p.split_once('#')
                && !anchor.is_empty()
            {
                let target = fs::read_to_string(&file).unwrap();
                assert!(
                    target.contains(&format!("id=\"{anchor}\"")),
                    "{path}: {link}: no #{anchor}"
                );
            }
        }
    }
}
