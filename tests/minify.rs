//! `dossier build --minify`: HTML, CSS and JS minified after the link check; the output
//! still passes an independent link check.

mod common;

use common::{Site, assert_links_resolve, snapshot};
use std::collections::BTreeMap;

/// Each page's ids and URLs in document order, as a browser's tokenizer reads them.
fn ids_and_urls(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        let found: Vec<(String, String)> = common::tag_attributes(&html)
            .into_iter()
            .flatten()
            .filter(|(k, _)| matches!(k.as_str(), "id" | "href" | "src"))
            .collect();
        assert!(!found.is_empty(), "{path}");
        out.insert(path.clone(), found);
    }
    out
}

/// The WHATWG parse errors a browser's tokenizer (html5gum) meets in a page, by name
/// (`missing-whitespace-between-attributes`), sorted and without repeats.
fn parse_errors(html: &str) -> Vec<&'static str> {
    let mut emitter = html5gum::DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut errors: Vec<&'static str> = html5gum::Tokenizer::new_with_emitter(html, emitter)
        .filter_map(|token| match token {
            Ok(html5gum::Token::Error(e)) => Some(e.value.as_str()),
            _ => None,
        })
        .collect();
    errors.sort_unstable();
    errors.dedup();
    errors
}

/// A site with a page of every kind, built with and without --minify: (plain, minified).
fn both(s: &Site, extra: &[&str]) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) {
    let mut plain = vec!["--out", "plain"];
    plain.extend_from_slice(extra);
    s.build_ok(&plain);
    let mut min = vec!["--out", "min", "--minify"];
    min.extend_from_slice(extra);
    let r = s.build_ok(&min);
    assert!(r.stderr.contains("(minified: "), "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let read = |d: &str| {
        let mut files = snapshot(&s.path(d));
        files.remove(".dossier-output");
        files
    };
    (read("plain"), read("min"))
}

#[test]
fn minified_output_is_smaller_links_the_same_urls_and_passes_the_link_check() {
    let s = Site::new();
    let (plain, min) = both(&s, &[]);
    assert_eq!(
        plain.keys().collect::<Vec<_>>(),
        min.keys().collect::<Vec<_>>()
    );
    let mut smaller = BTreeMap::new();
    for (path, bytes) in &plain {
        let ext = path.rsplit('.').next().unwrap();
        let minified = &min[path];
        if ["html", "css", "js"].contains(&ext) && !path.ends_with(".min.js") {
            assert!(minified.len() <= bytes.len(), "{path} grew");
            if minified.len() < bytes.len() {
                *smaller.entry(ext).or_insert(0) += 1;
            }
        } else {
            assert_eq!(minified, bytes, "{path} is not for the minifier");
        }
    }
    assert_eq!(
        smaller.get("html"),
        Some(&plain.keys().filter(|p| p.ends_with(".html")).count()),
        "every page is smaller: {smaller:?}"
    );
    // Every stylesheet and script, under its plain and its hashed name, but `.min.js`.
    let count = |ext: &str| {
        plain
            .keys()
            .filter(|p| p.ends_with(ext) && !p.ends_with(".min.js"))
            .count()
    };
    assert!(count(".css") >= 2 && count(".js") >= 1);
    assert_eq!(smaller.get("css"), Some(&count(".css")), "{smaller:?}");
    assert_eq!(smaller.get("js"), Some(&count(".js")), "{smaller:?}");
    let total = |f: &BTreeMap<String, Vec<u8>>| f.values().map(Vec::len).sum::<usize>();
    assert!(total(&min) < total(&plain));

    assert_eq!(ids_and_urls(&min), ids_and_urls(&plain));
    // Minified pages are still valid HTML: no parse error the page did not have before
    // (minify-html-onepass wrote `title="a"href=/b`, without the space between attributes).
    for (path, bytes) in plain.iter().filter(|(p, _)| p.ends_with(".html")) {
        let before = parse_errors(&String::from_utf8_lossy(bytes));
        let after = parse_errors(&String::from_utf8_lossy(&min[path]));
        let new: Vec<_> = after.iter().filter(|e| !before.contains(e)).collect();
        assert!(new.is_empty(), "{path}: {new:?}");
    }
    assert_links_resolve(&s.path("min"), "/sub");
    // The script that marks pages `js` survives, minified.
    let home = String::from_utf8(min["index.html"].clone()).unwrap();
    assert!(
        home.contains("document.documentElement.classList.replace(`no-js`,`js`)")
            || home.contains("document.documentElement.classList.replace(\"no-js\",\"js\")"),
        "{home}"
    );
}

#[test]
fn minify_after_relative_links() {
    let s = Site::new();
    let (plain, min) = both(&s, &["--relative"]);
    assert_eq!(ids_and_urls(&min), ids_and_urls(&plain));
    // 404.html keeps root-relative links (a host serves it at any depth): checked by
    // tests/build.rs; every other page's relative links must resolve here.
    std::fs::remove_file(s.path("min/404.html")).unwrap();
    assert_links_resolve(&s.path("min"), "");
}

#[test]
fn the_link_check_reads_the_pages_as_rendered() {
    // Diagnostics point into the Markdown and templates as they are, --minify or not.
    let s = Site::new();
    s.write(
        "content/stories/three.md",
        "---\ntitle: Three\n---\n\nSee [nothing](@/stories/none.md) and [a heading](#nowhere).\n",
    );
    let plain = s.build(&["--out", "plain"]);
    plain.assert_fails();
    let min = s.build(&["--out", "min", "--minify"]);
    min.assert_fails();
    assert_eq!(min.stderr, plain.stderr);
    assert!(
        min.stderr.contains("content/stories/three.md:5:"),
        "{}",
        min.stderr
    );
    assert!(!s.path("min").exists());
}

#[test]
fn a_stylesheet_that_does_not_parse_is_copied_as_it_is_with_a_warning() {
    let s = Site::new();
    let broken = "a { color: red }\n}}} b {\n";
    s.write("static/broken.css", broken);
    s.write("static/ok.css", "p {\n  margin: 0px;\n}\n");
    let r = s.build_ok(&["--minify"]);
    assert!(
        r.stderr.contains("warning: ") && r.stderr.contains("broken.css could not be minified"),
        "{}",
        r.stderr
    );
    assert_eq!(s.out("broken.css"), broken);
    assert_eq!(s.out("ok.css"), "p{margin:0}");
    // Already minified: left alone.
    let min = "function a( x ){ return x }\n";
    s.write("static/vendor/lib.min.js", min);
    s.build_ok(&["--minify"]);
    assert_eq!(s.out("vendor/lib.min.js"), min);
}

#[test]
fn the_independent_link_check_reads_unquoted_attributes() {
    // What minify-html writes (`href=/sub/x/`, `id=a` after a boolean attribute) is read as
    // a browser reads it: a broken one is caught, not skipped.
    let dir = tempfile::tempdir().unwrap();
    let write = |body: &str| {
        std::fs::write(
            dir.path().join("index.html"),
            format!("<!doctype html><ul hidden id=list><li><a href={body}>x</a></ul>"),
        )
        .unwrap()
    };
    write("/sub/#list");
    assert_links_resolve(dir.path(), "/sub");
    for broken in ["/sub/missing/", "/sub/#nowhere"] {
        write(broken);
        let caught = std::panic::catch_unwind(|| assert_links_resolve(dir.path(), "/sub"));
        assert!(caught.is_err(), "{broken} passed");
    }
}
