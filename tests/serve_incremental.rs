//! Incremental rebuilds must equal full builds, byte for byte: random sequences of edits
//! (page text, front matter, figures, sources.yaml, templates, static files, new pages,
//! deletions, renames, broken files) go through `Rebuilder::apply`, the code path of
//! `dossier serve`, and after each one the site is compared with a fresh `Site::build`.

use dossier::render::Output;
use dossier::serve::rebuild::Rebuilder;
use dossier::site::{BuildOptions, Site};
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

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

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn bytes(out: &Output) -> Vec<u8> {
    match out {
        Output::Bytes(b) => b.clone(),
        Output::Copy(p) => std::fs::read(p).unwrap_or_default(),
    }
}

fn assert_same(
    step: usize,
    what: &str,
    incremental: &Result<Site, String>,
    full: &Result<Site, String>,
) {
    match (incremental, full) {
        (Ok(a), Ok(b)) => {
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

fn run(seed: u64, steps: usize) {
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
        "title: Random\nbase_url: https://example.org/r\n",
    );
    write(
        root,
        "content/_index.md",
        "---\ntitle: Home\n---\n\nHome page.\n",
    );
    write(
        root,
        "content/s/_index.md",
        "---\ntitle: Section\n---\n\nA section.\n",
    );
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
    let full = Site::build(root, &opts).map_err(|d| {
        d.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_same(0, "initial", &first, &full);

    let page_tpl =
        std::fs::read_to_string(root.join("themes/default/templates/page.html")).unwrap();
    let mut broken: Option<(usize, String)> = None;
    for step in 1..=steps {
        let mut changed: Vec<String> = Vec::new();
        let kind = rng.below(11);
        let what;
        if let Some((n, rel)) = broken.take() {
            // Fix the broken page first.
            write(root, &rel, &page_text(n, rng.next() % 1000, &mut rng));
            changed.push(rel);
            what = "fix a broken page";
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
                        write(root, &rel, &format!("{page_tpl}{marker}\n"));
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
        let incremental = text(outcome.result);
        let full = Site::build(root, &opts).map_err(|d| {
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        });
        assert_same(step, what, &incremental, &full);
    }
}

#[test]
fn random_edits_equal_full_builds() {
    for seed in [0x9e37_79b9_7f4a_7c15, 42, 7, 2026] {
        run(seed, 40);
    }
}
