//! The search index as written: its files, what each document holds (pages cut at their
//! headings, places, figures, sources), whole words and numbers, `serve`'s patch of it, and
//! the theme's tokenizer against the build's.

mod common;

use common::{SearchFiles, Site};
use dossier::render::search::tokens;
use dossier::serve::rebuild::{How, Rebuilder};
use dossier::site::BuildOptions;
use std::fs;
use std::path::Path;

/// The flagship, built into a temp folder: (site, its search files).
fn flagship() -> (Site, SearchFiles) {
    let s = Site::empty();
    let repo = common::manifest_dir();
    fs::copy(repo.join("site.yaml"), s.path("site.yaml")).unwrap();
    common::copy_dir(&repo.join("content"), &s.path("content"));
    s.build_ok(&[]);
    let search = SearchFiles::read(&s.path("public"));
    (s, search)
}

#[test]
fn the_manifest_names_every_chunk_and_each_word_is_where_the_client_looks() {
    let (s, idx) = flagship();
    let chunks: Vec<&str> = idx.manifest["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(chunks.windows(2).all(|w| w[0] < w[1]), "{chunks:?}");
    assert_eq!(idx.manifest["v"].as_str().unwrap().len(), 16);
    // The client looks a word up in the last chunk whose first word is <= it.
    for k in 0..chunks.len() {
        let bytes = common::gunzip(&fs::read(s.path(&format!("public/search/t/{k}.dsi"))).unwrap());
        let chunk: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).unwrap();
        assert_eq!(chunk.keys().next().map(String::as_str), Some(chunks[k]));
        for w in chunk.keys() {
            let at = chunks.partition_point(|c| *c <= w.as_str()) - 1;
            assert_eq!(at, k, "{w} is in chunk {k}, the client looks in {at}");
        }
    }
    // Every result's URL is a file of the site, and its anchor an id on that page.
    for d in idx.docs.iter().filter(|d| !d.is_null()) {
        let url = d["u"].as_str().unwrap();
        let (path, anchor) = url.split_once('#').unwrap_or((url, ""));
        let html = s.out(&format!("{path}index.html"));
        for b in d["b"].as_array().unwrap() {
            let a = b[0].as_str().unwrap();
            if !a.is_empty() {
                assert!(html.contains(&format!("id=\"{a}\"")), "{url}: no id {a}");
            }
        }
        if !anchor.is_empty() {
            assert!(html.contains(&format!("id=\"{anchor}\"")), "{url}");
        }
    }
}

#[test]
fn places_figures_and_sources_are_results() {
    let (_s, idx) = flagship();
    let kinds = |w: &str| -> Vec<(String, String)> {
        idx.words[w]
            .iter()
            .map(|&d| {
                let doc = &idx.docs[d as usize];
                (
                    doc["k"].as_str().unwrap().to_string(),
                    doc["u"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let kz = kinds("kazakhstan");
    assert!(
        kz.contains(&("place".into(), "places/kazakhstan/".into())),
        "{kz:?}"
    );
    assert!(
        kz.iter()
            .any(|(k, u)| k == "figure" && u.starts_with("figures/#fig-")),
        "{kz:?}"
    );
    assert!(kz.iter().any(|(k, _)| k == "page"), "{kz:?}");
    let lars: Vec<String> = idx.urls_of("lars");
    assert!(
        lars.contains(&"places/verkhny-lars/".to_string()),
        "{lars:?}"
    );
    assert!(
        idx.urls_of("verkhny")
            .contains(&"places/verkhny-lars/".to_string())
    );
    // Sources: by publisher and by title.
    assert!(
        idx.docs.iter().any(|d| d["k"] == "source"
            && d["u"]
                .as_str()
                .is_some_and(|u| u.starts_with("sources/#src-"))),
        "no source documents"
    );
}

#[test]
fn numbers_are_whole_words_however_they_are_grouped() {
    let (_s, idx) = flagship();
    // The flagship states 98,000 (Kazakhstan's entries): its figure is found as 98000.
    let n = idx.urls_of("98000");
    assert!(n.iter().any(|u| u.starts_with("figures/#fig-kz")), "{n:?}");
    assert!(n.iter().any(|u| u.starts_with("stories/")), "{n:?}");
    // A part of a number is not a word of the document that states the number.
    let texts = idx.texts();
    for w in ["980", "98", "000"] {
        for &d in idx.words.get(w).into_iter().flatten() {
            assert!(
                tokens(&texts[d as usize]).any(|x| x == w),
                "{w}: {}",
                idx.docs[d as usize]["u"]
            );
        }
    }
    // Words are whole: a document with "dollars" has no word "lars" unless it says it.
    for (d, t) in texts.iter().enumerate() {
        let toks: Vec<String> = tokens(t).collect();
        if toks.iter().any(|x| x == "dollars") && !toks.iter().any(|x| x == "lars") {
            assert!(
                !idx.words["lars"].contains(&(d as u32)),
                "{}",
                idx.docs[d]["u"]
            );
        }
    }
}

#[test]
fn pages_are_cut_at_their_headings() {
    let s = Site::new();
    s.write(
        "content/stories/cut.md",
        "---\ntitle: Cut\nsummary: The summary.\n---\n\nIntro words.\n\n## Arrivals {#arr}\n\nOn Monday 98\u{a0}000 came.\n\n## Departures\n\nMore left.\n",
    );
    s.build_ok(&[]);
    let idx = SearchFiles::read(&s.path("public"));
    let d = idx
        .docs
        .iter()
        .find(|d| d["u"] == "stories/cut/")
        .expect("the page");
    assert_eq!(d["k"], "page");
    assert_eq!(d["t"], "Cut");
    let blocks: Vec<[&str; 3]> = d["b"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            [
                b[0].as_str().unwrap(),
                b[1].as_str().unwrap(),
                b[2].as_str().unwrap(),
            ]
        })
        .collect();
    assert_eq!(
        blocks,
        [
            ["", "", "The summary."],
            ["", "", "Intro words."],
            ["arr", "Arrivals", "On Monday 98\u{a0}000 came."],
            ["departures", "Departures", "More left."],
        ]
    );
    assert!(idx.urls_of("98000").contains(&"stories/cut/".to_string()));
    // The heading is its own words, not run into the paragraph.
    assert!(!idx.words.contains_key("arrivalson"));
}

#[test]
fn the_client_tokenizes_as_the_build_does() {
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        eprintln!("node is not installed: the theme's tokenizer is not compared");
        return;
    }
    let (_s, idx) = flagship();
    let mut strings: Vec<String> = [
        "98,000 people",
        "98\u{202F}000 and 98\u{a0}000",
        "1,00 and 12,3456",
        "in 2022, 300 men",
        "1.5 m, 0.25; end. 5",
        "Verkhny Lars, dollars",
        "Kazakhstan's Türkiye two-thirds",
        "ВЕРХНИЙ Ларс",
        "Ελληνικά ΣΟΦΟΣ",
        "a 5 b",
        "x1,000y 1,000,000 1.2.3",
        "日本語のテキスト",
        "e\u{301}te\u{301} ﬁne Å",
        "\u{1F600} emoji 𝔘𝔫𝔦",
        "٣٤٥ arabic-indic",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    strings.extend(idx.texts());
    let input: String = strings
        .iter()
        .map(|s| serde_json::to_string(s).unwrap() + "\n")
        .collect();
    let script = format!(
        "const t = require({:?}); const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);\
         for (const l of lines) console.log(JSON.stringify(t.tokens(JSON.parse(l))));",
        common::manifest_dir().join("themes/default/static/dossier.js")
    );
    let dir = tempfile::tempdir().unwrap();
    let input_file = dir.path().join("strings.jsonl");
    fs::write(&input_file, &input).unwrap();
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(&script)
        .stdin(fs::File::open(&input_file).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let js: Vec<Vec<String>> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(js.len(), strings.len());
    for (s, j) in strings.iter().zip(&js) {
        let rust: Vec<String> = tokens(s).collect();
        assert_eq!(
            &rust, j,
            "the tokens of {s:?} differ (left: Rust, right: JS)"
        );
    }
}

#[test]
fn a_text_edit_in_serve_patches_the_index() {
    let s = Site::new();
    let opts = BuildOptions::default();
    let mut rb = Rebuilder::new(s.root(), opts.clone());
    rb.build_all().unwrap();
    let rel = "content/stories/one.md";
    let old = s.read_src(rel);
    s.write(
        rel,
        &format!("{old}\n## Zanzibar\n\nA new word: quixotic.\n"),
    );
    let o = rb.apply(&[rel.to_string()]).unwrap();
    assert_eq!(o.how, How::Patched, "{}", o.summary());
    let site = o.result.unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (path, out) in &site.files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, common::output_bytes(out)).unwrap();
    }
    let idx = SearchFiles::read(dir.path());
    let url = idx.urls_of("quixotic");
    assert_eq!(url, ["stories/one/"]);
    assert_eq!(idx.urls_of("zanzibar"), ["stories/one/"]);
    // And it is what a full build writes.
    let full = common::disk_build(s.root(), &opts).unwrap();
    for (path, out) in &full.files {
        if path.starts_with("search/") {
            assert!(
                common::output_bytes(out) == common::output_bytes(&site.files[path]),
                "{path} differs from a full build"
            );
        }
    }
    assert!(Path::new(dir.path()).join("search/index.json").exists());
}
