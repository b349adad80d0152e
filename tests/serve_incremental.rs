//! Incremental rebuilds must equal full builds, byte for byte: random sequences of edits
//! (page text, front matter, figures, sources.yaml, templates, static files, new pages,
//! deletions, renames, broken files) go through `Rebuilder::apply`, the code path of
//! `dossier serve`, and after each one the site is compared with a fresh build through the disk
//! sink (the staging folder of `dossier build`).
//! Half of the edits change only a page's text below its front matter (headings, citations,
//! figures, links and anchors, images without alt text, word counts), which `serve` patches
//! into the previous build (`How::Patched`) instead of rebuilding.

mod common;

use common::copy_dir;
use dossier::render::Output;
use dossier::serve::rebuild::{How, Rebuilder};
use dossier::site::{BuildOptions, Site};
use std::path::Path;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SOURCES: &[&str] = &["ap", "nw", "rt"];
/// The home page and the section, written at the start and again when the pages start over.
const HOME: (&str, &str) = ("content/_index.md", "---\ntitle: Home\n---\n\nHome page.\n");
const SECTION: (&str, &str) = (
    "content/s/_index.md",
    "---\ntitle: Section\ntags: [a]\nfeed: true\n---\n\nA section.\n",
);

fn sources_yaml(titles: &[String]) -> String {
    SOURCES
        .iter()
        .zip(titles)
        .map(|(id, t)| {
            format!("- id: {id}\n  title: {t}\n  publisher: Pub {id}\n  published: 2022-10-01\n")
        })
        .collect()
}

/// A page with a figure, citations, a link and tags; `v` varies everything visible.
fn page_text(n: usize, v: u64, rng: &mut Rng) -> String {
    let src = SOURCES[rng.below(SOURCES.len())];
    let value = 100 + v % 7;
    let tag = ["a", "b", "c"][rng.below(3)];
    let place = ["Georgia", "Finland"][rng.below(2)];
    let weight = if rng.below(3) == 0 {
        format!("weight: {}\n", rng.below(5))
    } else {
        String::new()
    };
    let fig_use = if rng.below(2) == 0 {
        format!(" It quotes {{{{ fig(id=\"fig-{n}\") }}}}.")
    } else {
        String::new()
    };
    format!(
        "---\ntitle: Page {n} v{v}\ndate: 2022-10-{:02}\n{weight}tags: [{tag}]\nplaces: [{place}]\nfigures:\n  - id: fig-{n}\n    value: {value}\n    unit: people\n    measure: entries\n    subject: People {n}\n    place: {place}\n    period: {{ from: 2022-09-21, to: 2022-10-0{} }}\n    source: {src}\n    quote: \"{value} people crossed\"\n---\n\n## Part {v}\n\nText of page {n}, version {v} [@{src}].{fig_use}\n\n```rust\nfn f() -> u32 {{ {v} }}\n```\n",
        1 + v % 28,
        1 + v % 9,
    )
}

/// A page without figures whose front matter varies only in what lists show of it (title,
/// summary, dates, weight, tags; now and then a tag spelled as no other page spells it),
/// with a body that depends only on `n`.
fn plain_text(n: usize, v: u64, rng: &mut Rng) -> String {
    let mut fm = format!("title: Plain {n} v{v}\n");
    if rng.below(4) != 0 {
        fm.push_str(&format!("date: 2022-11-{:02}\n", 1 + rng.below(3)));
    }
    if rng.below(3) == 0 {
        fm.push_str(&format!("updated: 2022-12-{:02}\n", 1 + rng.below(3)));
    }
    if rng.below(3) == 0 {
        fm.push_str(&format!("weight: {}\n", rng.below(3)));
    }
    if rng.below(2) == 0 {
        fm.push_str(&format!("summary: Summary {v}\n"));
    }
    let tags: Vec<&str> = ["a", "b", "c", "d", "A"]
        .into_iter()
        .filter(|_| rng.below(3) == 0)
        .collect();
    fm.push_str(&format!("tags: [{}]\n", tags.join(", ")));
    if n != 1 {
        // A place's search document lists its pages' titles.
        fm.push_str(&format!("places: [{}]\n", ["Georgia", "Finland"][n % 2]));
    }
    let src = SOURCES[n % SOURCES.len()];
    format!("---\n{fm}---\n\nPlain text of page {n} [@{src}].\n")
}

/// The plain pages (`plain_text`).
const PLAIN: [&str; 3] = [
    "content/s/plain0.md",
    "content/s/plain1.md",
    "content/plain2.md",
];

const HEADINGS: &[&str] = &["Alpha", "Beta", "Gamma"];

/// A new body for a page: sections with headings, citations, figures of any page, links to
/// pages and to their headings, images without alt text (a warning), code; with `broken`,
/// one error too (an unknown source or figure, a missing heading).
fn body_text(rng: &mut Rng, root: &Path, pages: &[(usize, String)], broken: bool) -> String {
    let mut out = String::from("\n");
    let sections = 1 + rng.below(4);
    let error_at = broken.then(|| rng.below(sections));
    for k in 0..sections {
        out.push_str(&format!("## {}\n\n", HEADINGS[rng.below(HEADINGS.len())]));
        // Now and then a long paragraph: lists show reading minutes (220 words each).
        let words = if rng.below(4) == 0 {
            150 + rng.below(300)
        } else {
            1 + rng.below(12)
        };
        for w in 0..words {
            out.push_str(&format!("word{} ", (w + rng.below(3)) % 7));
        }
        match rng.below(8) {
            0..=3 => out.push_str(&format!("[@{}] ", SOURCES[rng.below(SOURCES.len())])),
            4 => out.push_str(&format!(
                "[@{}; @{}, p. 2] ",
                SOURCES[rng.below(SOURCES.len())],
                SOURCES[rng.below(SOURCES.len())]
            )),
            _ => {}
        }
        if rng.below(3) == 0 {
            let (n, _) = &pages[rng.below(pages.len())];
            out.push_str(&format!("{{{{ fig(id=\"fig-{n}\") }}}} "));
        }
        if rng.below(3) == 0 {
            // A link to a page, or to one of its headings as they are now.
            let (_, rel) = &pages[rng.below(pages.len())];
            let target = std::fs::read_to_string(root.join(rel)).unwrap_or_default();
            let ids: Vec<String> = target
                .lines()
                .filter_map(|l| l.strip_prefix("## "))
                .map(|h| h.to_lowercase().replace(' ', "-"))
                .collect();
            let anchor = match rng.below(3) {
                0 if !ids.is_empty() => format!("#{}", ids[rng.below(ids.len())]),
                _ => String::new(),
            };
            let target = rel.trim_start_matches("content/");
            out.push_str(&format!("[see](@/{target}{anchor}) "));
        }
        if rng.below(8) == 0 {
            out.push_str("![](map.png) ");
        }
        if error_at == Some(k) {
            let (_, rel) = &pages[rng.below(pages.len())];
            let target = rel.trim_start_matches("content/");
            out.push_str(
                [
                    "[@nope] ".to_string(),
                    "{{ fig(id=\"fig-999\") }} ".to_string(),
                    format!("[see](@/{target}#delta) "),
                ][rng.below(3)]
                .as_str(),
            );
        }
        out.push_str("\n\n");
        if rng.below(4) == 0 {
            out.push_str(&format!(
                "```rust\nfn g() -> u32 {{ {} }}\n```\n\n",
                rng.below(99)
            ));
        }
        // A summary cut (the first counts): lists and the feed show the text above it.
        if rng.below(5) == 0 {
            out.push_str("<!-- more -->\n\n");
        }
    }
    out
}

/// `text` with its body (below the front matter) replaced.
fn with_body(text: &str, body: &str) -> Option<String> {
    let end = text[4..].find("\n---\n")? + 4 + 5;
    Some(format!("{}{body}", &text[..end]))
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn bytes(out: &Output) -> Vec<u8> {
    common::output_bytes(out)
}

fn assert_same(
    step: usize,
    what: &str,
    incremental: &Result<Site, String>,
    full: &Result<Site, String>,
) {
    match (incremental, full) {
        (Ok(a), Ok(b)) => {
            let wa: Vec<String> = a.warnings.iter().map(|d| d.to_string()).collect();
            let wb: Vec<String> = b.warnings.iter().map(|d| d.to_string()).collect();
            assert_eq!(wa, wb, "step {step} ({what}): the warnings differ");
            let ka: Vec<&String> = a.files.keys().collect();
            let kb: Vec<&String> = b.files.keys().collect();
            assert_eq!(ka, kb, "step {step} ({what}): the file lists differ");
            for (path, out) in &a.files {
                assert!(
                    bytes(out) == bytes(&b.files[path]),
                    "step {step} ({what}): {path} differs from a full build"
                );
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "step {step} ({what}): the diagnostics differ"),
        (a, b) => panic!(
            "step {step} ({what}): incremental ok={} but full ok={}: {:?} / {:?}",
            a.is_ok(),
            b.is_ok(),
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
}

/// Returns how many of the steps were patched.
fn run(seed: u64, steps: usize) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &root.join("themes/default"),
    );
    let mut rng = Rng(seed);
    write(
        root,
        "site.yaml",
        // Lists of two a pager and a feed per section and per tag: a patch must write them too.
        "title: Random\nbase_url: https://example.org/r\nfeed_limit: 3\npaginate_by: 2\ntaxonomies: [{name: tags, feed: true}]\n",
    );
    for (rel, text) in [HOME, SECTION] {
        write(root, rel, text);
    }
    let mut titles: Vec<String> = SOURCES.iter().map(|s| format!("Source {s}")).collect();
    write(root, "content/sources.yaml", &sources_yaml(&titles));
    let mut pages: Vec<(usize, String)> = Vec::new();
    for n in 0..6 {
        let rel = if n % 2 == 0 {
            format!("content/s/p{n}.md")
        } else {
            format!("content/q{n}.md")
        };
        write(root, &rel, &page_text(n, 0, &mut rng));
        pages.push((n, rel));
    }
    for (n, rel) in PLAIN.iter().enumerate() {
        write(root, rel, &plain_text(n, 0, &mut rng));
    }
    write(root, "static/extra.css", "body { color: black }\n");
    let mut next_page = 6;

    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(root, opts.clone());
    let text = |r: Result<std::sync::Arc<Site>, Vec<dossier::diagnostics::Diagnostic>>| {
        r.map(|s| (*s).clone()).map_err(|d| {
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    let first = text(rb.build_all());
    let full = common::disk_build(root, &opts).map_err(|d| {
        d.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_same(0, "initial", &first, &full);

    let page_tpl =
        std::fs::read_to_string(root.join("themes/default/templates/page.html")).unwrap();
    let mut broken: Option<(usize, String)> = None;
    // A page whose text has an error, fixed by the next step.
    let mut broken_text: Option<String> = None;
    let mut failed = false;
    let mut patched = 0;
    for step in 1..=steps {
        let mut changed: Vec<String> = Vec::new();
        let kind = if rng.below(2) == 0 { 11 } else { rng.below(13) };
        let what;
        if let Some((n, rel)) = broken.take() {
            // Fix the broken page first.
            write(root, &rel, &page_text(n, rng.next() % 1000, &mut rng));
            changed.push(rel);
            what = "fix a broken page";
        } else if let Some(rel) = broken_text.take() {
            let old = std::fs::read_to_string(root.join(&rel)).unwrap();
            let text = with_body(&old, &body_text(&mut rng, root, &pages, false)).unwrap();
            write(root, &rel, &text);
            changed.push(rel);
            what = "fix a page's text";
        } else if failed {
            // An edit broke another page's link (a heading went away, a page was renamed):
            // start over from pages without links.
            for (n, rel) in &pages {
                write(root, rel, &page_text(*n, rng.next() % 1000, &mut rng));
                changed.push(rel.clone());
            }
            for (rel, text) in [HOME, SECTION] {
                write(root, rel, text);
                changed.push(rel.into());
            }
            what = "rewrite every page";
        } else {
            match kind {
                0..=2 => {
                    // Page text and front matter.
                    let (n, rel) = pages[rng.below(pages.len())].clone();
                    write(root, &rel, &page_text(n, rng.next() % 1000, &mut rng));
                    changed.push(rel);
                    what = "edit a page";
                }
                3 => {
                    let i = rng.below(SOURCES.len());
                    titles[i] = format!("Source {} v{}", SOURCES[i], rng.next() % 100);
                    write(root, "content/sources.yaml", &sources_yaml(&titles));
                    changed.push("content/sources.yaml".into());
                    what = "edit sources.yaml";
                }
                4 => {
                    let rel = "templates/page.html".to_string();
                    if root.join(&rel).exists() {
                        std::fs::remove_file(root.join(&rel)).unwrap();
                        what = "remove a template override";
                    } else {
                        let marker = format!("<!-- override {} -->", rng.next() % 100);
                        // Inside the last block: a child template has nothing outside blocks.
                        let at = page_tpl.rfind("{% endblock").unwrap();
                        let text = format!("{}{marker}{}", &page_tpl[..at], &page_tpl[at..]);
                        write(root, &rel, &text);
                        what = "add a template override";
                    }
                    changed.push(rel);
                }
                5 if pages.len() > 2 => {
                    let (_, rel) = pages.remove(rng.below(pages.len()));
                    std::fs::remove_file(root.join(&rel)).unwrap();
                    changed.push(rel);
                    what = "delete a page";
                }
                6 => {
                    let i = rng.below(pages.len());
                    let (n, old) = pages[i].clone();
                    let new = if old.starts_with("content/s/") {
                        format!("content/renamed-{n}-{}.md", rng.next() % 100)
                    } else {
                        format!("content/s/renamed-{n}-{}.md", rng.next() % 100)
                    };
                    std::fs::rename(root.join(&old), root.join(&new)).unwrap();
                    pages[i].1 = new.clone();
                    changed.push(old);
                    changed.push(new);
                    what = "rename a page";
                }
                7 => {
                    let n = next_page;
                    next_page += 1;
                    let rel = format!("content/s/new{n}.md");
                    write(root, &rel, &page_text(n, 1, &mut rng));
                    pages.push((n, rel.clone()));
                    changed.push(rel);
                    what = "add a page";
                }
                8 => {
                    let (n, rel) = pages[rng.below(pages.len())].clone();
                    write(root, &rel, "---\ntitle: [unclosed\n---\n\nBroken.\n");
                    broken = Some((n, rel.clone()));
                    changed.push(rel);
                    what = "break a page's YAML";
                }
                11 => {
                    // Only the text below the front matter, of a page or a section.
                    let rel = match rng.below(8) {
                        0 => "content/_index.md".to_string(),
                        1 => "content/s/_index.md".to_string(),
                        _ => pages[rng.below(pages.len())].1.clone(),
                    };
                    let old = std::fs::read_to_string(root.join(&rel)).unwrap();
                    let broken = rng.below(10) == 0;
                    let text = with_body(&old, &body_text(&mut rng, root, &pages, broken));
                    write(root, &rel, &text.unwrap());
                    changed.push(rel.clone());
                    if broken {
                        broken_text = Some(rel);
                        what = "break a page's text";
                    } else {
                        what = "edit a page's text";
                    }
                }
                10 | 12 => {
                    // What lists show of a page without figures: its title, summary, dates,
                    // weight, tags.
                    let n = rng.below(PLAIN.len());
                    write(root, PLAIN[n], &plain_text(n, rng.next() % 1000, &mut rng));
                    changed.push(PLAIN[n].into());
                    what = "edit a plain page's front matter";
                }
                9 => {
                    let rel = "static/extra.css";
                    if root.join(rel).exists() && rng.below(2) == 0 {
                        std::fs::remove_file(root.join(rel)).unwrap();
                        what = "delete a static file";
                    } else {
                        write(
                            root,
                            rel,
                            &format!("body {{ margin: {}px }}\n", rng.below(9)),
                        );
                        what = "write a static file";
                    }
                    changed.push(rel.into());
                }
                _ => {
                    // Two pages at once, and an editor's swap file that must be ignored.
                    for _ in 0..2 {
                        let (n, rel) = pages[rng.below(pages.len())].clone();
                        write(root, &rel, &page_text(n, rng.next() % 1000, &mut rng));
                        changed.push(rel);
                    }
                    write(root, "content/s/.p0.md.swp", "junk");
                    changed.push("content/s/.p0.md.swp".into());
                    what = "edit two pages";
                }
            }
        }
        let outcome = rb.apply(&changed).expect("the changes belong to the site");
        if outcome.how == How::Patched {
            patched += 1;
        }
        if std::env::var("DEBUG_STEPS").is_ok() {
            eprintln!(
                "{step} {what}: {:?} {:?}",
                outcome.how,
                outcome.result.as_ref().err()
            );
        }
        failed = outcome.result.is_err() && broken.is_none() && broken_text.is_none();
        let incremental = text(outcome.result);
        let full = common::disk_build(root, &opts).map_err(|d| {
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        });
        assert_same(step, what, &incremental, &full);
    }
    patched
}

#[test]
fn random_edits_equal_full_builds() {
    for seed in [0x9e37_79b9_7f4a_7c15, 42, 7, 2026, 99, 31337] {
        let patched = run(seed, 60);
        assert!(
            patched >= 10,
            "seed {seed}: only {patched} of 60 steps were patched"
        );
    }
}

/// A body-only edit takes the fast path (the last build patched), whose result is a full
/// build's; an edit of a figure in the front matter does not.
#[test]
fn body_only_edit_is_patched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &root.join("themes/default"),
    );
    write(
        root,
        "site.yaml",
        "title: T\nbase_url: https://example.org/\n",
    );
    write(
        root,
        "content/_index.md",
        "---\ntitle: Home\n---\n\nHome.\n",
    );
    write(
        root,
        "content/sources.yaml",
        &sources_yaml(&["A".into(), "B".into(), "C".into()]),
    );
    let mut rng = Rng(1);
    write(root, "content/s/p0.md", &page_text(0, 0, &mut rng));
    write(root, "content/s/p1.md", &page_text(1, 0, &mut rng));
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(root, opts.clone());
    rb.build_all().unwrap();
    let rel = "content/s/p0.md".to_string();
    let old = std::fs::read_to_string(root.join(&rel)).unwrap();
    write(
        root,
        &rel,
        &with_body(&old, "\n## New heading\n\nMore words than before [@nw].\n").unwrap(),
    );
    let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
    assert_eq!(o.how, How::Patched, "{}", o.summary());
    assert!(
        o.summary().contains("files rendered again"),
        "{}",
        o.summary()
    );
    let patched = o.result.unwrap();
    let full = common::disk_build(root, &opts).unwrap();
    assert_same(1, "body edit", &Ok((*patched).clone()), &Ok(full));

    write(
        root,
        &rel,
        &old.replacen("    unit: people", "    unit: persons", 1),
    );
    let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
    assert_eq!(o.how, How::Incremental, "{}", o.summary());
}

/// A folder of pages moved away and replaced by a file of its name (the watcher then
/// reports only the folder's own name), a page's folder `one.md/` replaced by a page
/// `one.md`, and the reverse: each rebuild equals a full build, byte for byte. Before, the
/// moved folder's pages stayed in the site (issue 12).
#[test]
fn a_folder_replaced_by_a_file_equals_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &root.join("themes/default"),
    );
    let root = root.as_path();
    write(
        root,
        "site.yaml",
        "title: T\nbase_url: https://example.org/\n",
    );
    write(
        root,
        "content/_index.md",
        "---\ntitle: Home\n---\n\nHome.\n",
    );
    let page = |t: &str| format!("---\ntitle: {t}\ndate: 2022-10-01\n---\n\n{t} text.\n");
    write(root, "content/s/_index.md", &page("Section"));
    write(root, "content/s/a.md", &page("A"));
    write(root, "content/n/one.md/inner.md", &page("Inner"));
    write(root, "content/n/two.md", &page("Two"));
    write(root, "static/img/x.png", "png");
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(root, opts.clone());
    rb.build_all().unwrap();
    let away = dir.path().join("away");
    std::fs::create_dir_all(&away).unwrap();
    /// The path the watcher reports, and the change.
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        (
            "content/s",
            Box::new(|| {
                std::fs::rename(root.join("content/s"), away.join("s")).unwrap();
                write(root, "content/s", "a file now");
            }),
        ),
        (
            "content/n/one.md",
            Box::new(|| {
                std::fs::rename(root.join("content/n/one.md"), away.join("one.md")).unwrap();
                write(root, "content/n/one.md", &page("One"));
            }),
        ),
        (
            "content/n/two.md",
            Box::new(|| {
                std::fs::remove_file(root.join("content/n/two.md")).unwrap();
                write(root, "content/n/two.md/deep.md", &page("Deep"));
            }),
        ),
        (
            "static/img",
            Box::new(|| {
                std::fs::rename(root.join("static/img"), away.join("img")).unwrap();
                write(root, "static/img", "not a folder");
            }),
        ),
        (
            "content",
            Box::new(|| {
                std::fs::rename(root.join("content"), away.join("content")).unwrap();
                write(root, "content/_index.md", "---\ntitle: New\n---\n\nAnew.\n");
            }),
        ),
    ];
    for (step, (path, change)) in steps.iter().enumerate() {
        change();
        let o = rb.apply(&[path.to_string()]).expect("a change");
        let incremental = o.result.map(|s| (*s).clone()).map_err(|d| format!("{d:?}"));
        let full = common::disk_build(root, &opts).map_err(|d| format!("{d:?}"));
        assert_same(step, path, &incremental, &full);
    }
}

/// Edits of what lists show of a page (title, date, summary, weight, tags) take the fast
/// path and equal a full build; a tag spelled as no other page spells it, or a page's last
/// use of a tag removed, takes the full render (the build warns of one, drops a page for the
/// other).
#[test]
fn listing_edits_are_patched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &root.join("themes/default"),
    );
    write(
        root,
        "site.yaml",
        "title: T\nbase_url: https://example.org/\nfeed_limit: 2\n",
    );
    write(
        root,
        "content/_index.md",
        "---\ntitle: Home\n---\n\nHome.\n",
    );
    write(root, "content/s/_index.md", "---\ntitle: S\n---\n\nS.\n");
    write(
        root,
        "content/sources.yaml",
        &sources_yaml(&["A".into(), "B".into(), "C".into()]),
    );
    let page = |title: &str, date: &str, tags: &str| {
        format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n\nText [@nw].\n")
    };
    for (i, date) in ["2022-10-01", "2022-10-02", "2022-10-03", "2022-10-04"]
        .iter()
        .enumerate()
    {
        write(
            root,
            &format!("content/s/p{i}.md"),
            &page(&format!("P{i}"), date, "a, b"),
        );
    }
    // A page with a figure: `/figures/` and its place's page say where it is quoted.
    let mut rng = Rng(3);
    let with_figure = page_text(9, 0, &mut rng);
    write(root, "content/s/p9.md", &with_figure);
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(root, opts.clone());
    rb.build_all().unwrap();
    let rel = "content/s/p9.md".to_string();
    write(
        root,
        &rel,
        &with_figure.replacen("title: ", "title: Retitled ", 1),
    );
    let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
    assert_eq!(o.how, How::Patched, "{}", o.summary());
    let served = o.result.map(|s| (*s).clone()).map_err(|d| format!("{d:?}"));
    let full = common::disk_build(root, &opts).map_err(|d| format!("{d:?}"));
    assert_same(0, "a figure page's title", &served, &full);
    let rel = "content/s/p1.md".to_string();
    let edits = [
        (page("Retitled", "2022-10-02", "a, b"), How::Patched, "title"),
        // Moves it from second-oldest to newest: neighbours, feed and lists change.
        (page("Retitled", "2022-10-09", "a, b"), How::Patched, "date"),
        (page("Retitled", "2022-10-09", "a, b, c"), How::Patched, "a new tag"),
        (page("Retitled", "2022-10-09", "b, c"), How::Patched, "a tag removed"),
        (
            "---\ntitle: Retitled\ndate: 2022-10-09\nweight: 1\nsummary: Now with one.\ntags: [b, c]\n---\n\nText [@nw].\n".into(),
            How::Patched,
            "weight and summary",
        ),
        (page("Retitled", "2022-10-09", "B, c"), How::Incremental, "a variant spelling"),
        (page("Retitled", "2022-10-09", "b"), How::Incremental, "the last use of a tag"),
    ];
    for (step, (text, how, what)) in edits.into_iter().enumerate() {
        write(root, &rel, &text);
        let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
        assert_eq!(o.how, how, "{what}: {}", o.summary());
        let served = o.result.map(|s| (*s).clone()).map_err(|d| format!("{d:?}"));
        let full = common::disk_build(root, &opts).map_err(|d| format!("{d:?}"));
        assert_same(step + 1, what, &served, &full);
    }
}
