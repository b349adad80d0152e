//! Author mistakes whose effect is in the built files: each fixture is built and its output
//! read (every `href`/`src` resolves, ids are unique, the right file wins). The mistakes
//! that fail a build are in tests/bad_sites/, with their exact diagnostics.

mod common;

use common::{Site, assert_links_resolve};

fn page(title: &str, body: &str, fm: &str) -> String {
    format!("---\ntitle: {title}\n{fm}---\n\n{body}\n")
}

#[test]
fn assets_beside_a_page_and_in_bundles_are_linked_where_they_are_published() {
    let s = Site::new();
    s.write(
        "content/water/bacteria.md",
        &page(
            "Bacteria",
            "![a bottle](bottle.png) and [the same](@/water/bottle.png), ![again](@/water/bottle.png), a [sibling](../water/bottle.png#x).",
            "",
        ),
    );
    s.write_bytes("content/water/bottle.png", b"\x89PNG");
    s.write(
        "content/My Stories/Day One.md",
        &page("Day one", "![a picture](pic.png)", ""),
    );
    s.write_bytes("content/My Stories/pic.png", b"\x89PNG");
    s.write(
        "content/bundle/index.md",
        &page(
            "Bundle",
            "![inside](inside.png) and [a page](../water/bacteria.md).",
            "",
        ),
    );
    s.write_bytes("content/bundle/inside.png", b"\x89PNG");
    s.build_ok(&[]);
    let bacteria = s.out("water/bacteria/index.html");
    for src in [
        "src=\"/sub/water/bottle.png\"",
        "href=\"/sub/water/bottle.png\"",
        "href=\"/sub/water/bottle.png#x\"",
    ] {
        assert!(bacteria.contains(src), "{src} in {bacteria}");
    }
    assert!(s.has_out("water/bottle.png"));
    // Folders are slugified as the pages' URLs are: the picture sits beside its page.
    assert!(
        s.out("my-stories/day-one/index.html")
            .contains("src=\"/sub/my-stories/pic.png\"")
    );
    assert!(s.has_out("my-stories/pic.png"));
    let bundle = s.out("bundle/index.html");
    assert!(
        bundle.contains("src=\"/sub/bundle/inside.png\""),
        "{bundle}"
    );
    assert!(bundle.contains("href=\"/sub/water/bacteria/\""), "{bundle}");
    assert_links_resolve(&s.path("public"), "/sub");
}

#[test]
fn a_relative_link_to_a_missing_page_names_the_page_file() {
    let s = Site::new();
    s.write(
        "content/bundle/index.md",
        &page("Bundle", "[gone](bacteria.md)", ""),
    );
    s.build(&[])
        .assert_fails()
        .err_has("content/bundle/index.md:5:1: error: broken internal link `bacteria.md`: no such page or file content/bundle/bacteria.md");
}

#[test]
fn headings_named_like_the_themes_ids_get_ids_of_their_own() {
    let s = Site::new();
    s.write(
        "content/notes.md",
        &page(
            "Notes",
            "A claim [@src-b].\n\n## References\n\n## Ref 1\n\n## Main\n\n## Toc title\n\n## Fig kz entries\n\nSee [the first](#references) and a footnote.[^n]\n\n[^n]: The note.",
            "",
        ),
    );
    s.build_ok(&[]);
    let html = s.out("notes/index.html");
    for id in [
        "references-1",
        "h-ref-1",
        "main-1",
        "toc-title-1",
        "h-fig-kz-entries",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} in {html}");
    }
    // The citation still goes to the reference list, which keeps its own ids.
    assert!(html.contains("href=\"#ref-1\""));
    assert!(html.contains("id=\"ref-1\""));
    assert_links_resolve(&s.path("public"), "/sub");
}

#[test]
fn the_sites_own_robots_txt_and_404_page_replace_the_generated_ones() {
    let s = Site::new();
    s.write("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
    s.write(
        "static/404.html",
        "<!doctype html><title>Lost</title><p>Lost at sea.</p>\n",
    );
    s.build_ok(&[]);
    assert_eq!(s.out("robots.txt"), "User-agent: *\nDisallow: /drafts/\n");
    assert!(s.out("404.html").contains("Lost at sea."));
    // Others collide: see tests/bad_sites/static_collides_with_search_index.
}

#[test]
fn a_draft_section_hides_its_pages_too() {
    let s = Site::new();
    s.write(
        "content/stories/_index.md",
        &page("Stories", "All.", "draft: true\n"),
    );
    s.write("content/_index.md", &page("Home", "Welcome.", ""));
    s.build_ok(&[]);
    assert!(!s.has_out("stories/index.html"));
    assert!(
        !s.has_out("stories/one/index.html"),
        "a page of a draft section was published"
    );
    assert!(!s.out("sitemap.xml").contains("/stories/"));
    let search = common::SearchFiles::read(&s.path("public"));
    assert!(search.texts().iter().all(|t| !t.contains("Story one")));
    s.build_ok(&["--drafts"]);
    assert!(s.has_out("stories/one/index.html"));
}

#[test]
fn tags_spelled_two_ways_are_one_tag_with_a_warning() {
    let s = Site::new();
    s.write("content/a.md", &page("A", "A.", "tags: [borders]\n"));
    let r = s.build_ok(&[]);
    r.err_has("content/stories/one.md:5:8: warning: tag `Borders` is also spelled `borders`: one page, /tags/borders/");
    assert!(s.out("tags/borders/index.html").contains("Story one"));
}

#[test]
fn base_urls_are_checked_and_escaped() {
    let s = Site::new();
    for bad in [
        "not a url",
        "ftp//x",
        "javascript:alert(1)",
        "preview.example.org/pr-12",
    ] {
        let r = s.build(&["--base-url", bad]);
        assert_eq!(r.code, Some(2), "{bad}: {r:?}");
        r.err_has("base_url");
    }
    s.build(&["--base-url", "preview.example.org/pr-12"])
        .err_has("write `https://preview.example.org/pr-12`");
    // A branch name with markup in it stays a path.
    s.build_ok(&[
        "--base-url",
        "https://x.example/y\"><img src=x onerror=alert(1)>/",
    ]);
    for f in ["stories/one/index.html", "figures/index.html", "index.html"] {
        let html = s.out(f);
        assert!(!html.contains("<img src=x"), "{f}: {html}");
        assert!(!html.contains("onerror=alert(1)>"), "{f}");
    }
    assert!(
        s.out("stories/one/index.html")
            .contains("/y%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E/figures/#fig-kz-entries")
    );
}

#[test]
fn a_datetime_keeps_its_offset_in_the_feed() {
    let s = Site::new();
    s.write(
        "content/late.md",
        &page("Late", "Text.", "date: 2022-10-01T23:30:00-05:00\n"),
    );
    s.build_ok(&[]);
    let feed = s.out("atom.xml");
    assert!(
        feed.contains("<published>2022-10-01T23:30:00-05:00</published>"),
        "{feed}"
    );
}

#[test]
fn boms_are_legal_everywhere() {
    let s = Site::new();
    let bom = |t: &str| format!("\u{feff}{t}");
    s.write("site.yaml", &bom(common::SITE_YAML));
    s.write("content/sources.yaml", &bom(common::SOURCES));
    s.write("templates/404.html", &bom("{% extends \"base.html\" %}\n{% block content %}<h1>Not here</h1>{% endblock content %}\n"));
    s.build_ok(&[]);
    assert!(s.out("404.html").contains("Not here"));
}

#[test]
fn what_cannot_be_read_is_warned_about() {
    let s = Site::new();
    std::os::unix::fs::symlink("..", s.path("content/loop")).unwrap();
    s.write_bytes("content/a\u{fffd}.png", b"one");
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"a\xff.png");
        std::fs::write(s.path("content").join(name), b"two").unwrap();
    }
    let r = s.build_ok(&[]);
    r.err_has("warning: `content/loop` is a symlink loop (back to the site folder): skipped")
        .err_has("is not valid UTF-8")
        .err_has("both read as `content/a\u{fffd}.png`: only one is used");
}

#[test]
fn an_unreadable_folder_is_warned_about() {
    // Root reads every folder whatever its mode: run dossier as nobody then.
    let s = Site::new();
    s.write("content/secret/x.md", &page("X", "x", ""));
    let secret = s.path("content/secret");
    use std::os::unix::fs::PermissionsExt;
    let as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = std::process::Command::new(if as_root { "setpriv" } else { common::BIN });
    if as_root {
        // nobody must be able to reach and write the site.
        for p in [s.root().to_path_buf()].into_iter().chain(
            walkdir::WalkDir::new(s.root())
                .into_iter()
                .flatten()
                .map(|e| e.into_path()),
        ) {
            let mode = if p.is_dir() { 0o777 } else { 0o666 };
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            common::BIN,
        ]);
    }
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = cmd
        .arg("build")
        .current_dir(s.root())
        .output()
        .expect("run dossier");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if as_root && stderr.contains("setpriv") {
        eprintln!("skipped: setpriv cannot change user here: {stderr}");
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: cannot read `content/secret` (Permission denied"),
        "{stderr}"
    );
}

#[test]
fn the_flagship_links_resolve_by_an_independent_parser() {
    let s = Site::empty();
    common::copy_dir(&common::manifest_dir().join("content"), &s.path("content"));
    std::fs::copy(
        common::manifest_dir().join("site.yaml"),
        s.path("site.yaml"),
    )
    .unwrap();
    let seeds = common::manifest_dir().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!("skipped: no ../shared/seeds");
        return;
    }
    s.build_ok(&["--archive-dir", &seeds.to_string_lossy()]);
    assert_links_resolve(&s.path("public"), "/exodus");
}
