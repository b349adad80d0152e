//! `dossier serve`'s rebuild time after one edit, on synthetic sites of 1k and 10k pages (a
//! benchmark, not a test), each edit checked against a full build.
//!
//! ```sh
//! cargo bench --bench incremental                             # generates 1k and 10k-page sites
//! cargo bench --bench incremental -- /tmp/bench-10k/dossier   # or any sites (e.g. gen_site's)
//! REPS=3 cargo bench --bench incremental                      # repetitions per edit (default 5)
//! ```
//!
//! For each site: the initial in-memory build, then REPS edits of each kind to one page with
//! figures (in the middle of the sorted page list) and to `content/sources.yaml`: the page's
//! text (a sentence added), its title, date and tags, its first figure's value (and the
//! number in its quote), and the title of that figure's source. What is timed is what
//! `dossier serve` logs as its rebuild time, `Outcome::elapsed` of `Rebuilder::apply`: from
//! reading the changed file to the new site, ready to be served, in memory. Not included:
//! the 30 ms debounce (`serve::watch::DEBOUNCE`), the file watcher's own delay, and the HTTP
//! response. After every edit the served site is compared, file by file and byte for byte
//! (and its warnings), with a fresh build through the disk sink (`tests/common`'s
//! `disk_build`, the staging folder of `dossier build`); a difference stops the benchmark.
//! Prints a table: median, min and max over the REPS edits of each kind.

// The allocator of the `dossier` binary, so that the times are those `dossier serve` gives.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The test helpers: `disk_build`, `output_bytes`, `copy_dir`.
#[path = "../tests/common/mod.rs"]
mod common;

use common::copy_dir;
use dossier::serve::rebuild::{How, Rebuilder};
use dossier::site::{BuildOptions, Site};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// N pages in 10 sections, each with a figure, a citation, a table and a code block.
fn generate(n: usize, root: &Path) {
    let _ = std::fs::remove_dir_all(root);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &root.join("themes/default"),
    );
    std::fs::write(
        root.join("site.yaml"),
        "title: Synthetic\nbase_url: https://example.org/\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("content/_index.md"),
        "---\ntitle: Home\n---\nHello.\n",
    )
    .unwrap();
    let sources: String = (0..20)
        .map(|s| {
            format!(
                "- id: src-{s}\n  title: Source {s}\n  publisher: Pub {s}\n  published: 2022-10-{:02}\n",
                s % 28 + 1
            )
        })
        .collect();
    std::fs::write(root.join("content/sources.yaml"), sources).unwrap();
    for s in 0..10 {
        let dir = root.join(format!("content/sec{s}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("_index.md"),
            format!("---\ntitle: Section {s}\nweight: {s}\n---\nSection {s}.\n"),
        )
        .unwrap();
    }
    for i in 0..n {
        let text = format!(
            "---\ntitle: Page {i}\ndate: 2022-{:02}-{:02}\ntags: [t{}]\nplaces: [P{}]\nfigures:\n  - id: fig-{i}\n    value: {}\n    unit: people\n    measure: entries\n    subject: Entries {i}\n    place: P{}\n    source: src-{}\n    quote: \"{} people\"\n---\n# Heading {i}\n\nSome text for page {i} citing [@src-{}] and {{{{ fig(id=\"fig-{i}\") }}}}.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {{ println!(\"{i}\"); }}\n```\n\nMore text *emphasis* and **strong** with a [link](https://example.com/{i}).\n",
            i % 12 + 1,
            i % 28 + 1,
            i % 50,
            i % 30,
            1000 + i,
            i % 30,
            i % 20,
            1000 + i,
            i % 20
        );
        std::fs::write(
            root.join(format!("content/sec{}/page-{i}.md", i % 10)),
            text,
        )
        .unwrap();
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The front matter of a page's text (without its `---` lines), or None.
fn front_matter(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    Some(&rest[..rest.find("\n---\n")? + 1])
}

/// The page to edit: the first page from the middle of the sorted list whose front matter
/// has a date, tags and figures; root-relative.
fn pick_page(root: &Path) -> String {
    let mut pages: Vec<PathBuf> = walk(&root.join("content"));
    pages.retain(|p| {
        p.extension().is_some_and(|e| e == "md") && p.file_name().is_none_or(|n| n != "_index.md")
    });
    pages.sort();
    let mid = pages.len() / 2;
    let p = pages[mid..]
        .iter()
        .chain(&pages[..mid])
        .find(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            front_matter(&text).is_some_and(|fm| {
                ["\ndate: ", "\ntags: [", "\nfigures:\n"]
                    .iter()
                    .all(|k| format!("\n{fm}").contains(k))
            })
        })
        .expect("a page with a date, tags and figures");
    p.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// `text` with its first line that starts with `prefix` (inside the front matter for a page)
/// replaced by `f(rest of the line)`.
fn replace_line(text: &str, prefix: &str, f: impl FnOnce(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut f = Some(f);
    for line in text.split_inclusive('\n') {
        let (body, nl) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        match (body.strip_prefix(prefix), f.take()) {
            (Some(rest), Some(g)) => {
                out.push_str(prefix);
                out.push_str(&g(rest));
                out.push_str(nl);
            }
            (_, g) => {
                f = g;
                out.push_str(line);
            }
        }
    }
    assert!(f.is_none(), "no line starts with {prefix:?}");
    out
}

/// `12345` -> `12,345`.
fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first figure's value changed to `value + 1 + i`, and the number in its quote with it
/// (in the spelling the quote uses), so that the quote still states the value.
fn edit_value(text: &str, i: usize) -> String {
    let mut old = 0;
    let text = replace_line(text, "    value: ", |v| {
        old = v
            .trim()
            .parse()
            .expect("the figure's value is a whole number");
        (old + 1 + i as u64).to_string()
    });
    let new = old + 1 + i as u64;
    replace_line(&text, "    quote: ", |q| {
        for (a, b) in [
            (thousands(old), thousands(new)),
            (old.to_string(), new.to_string()),
        ] {
            if q.contains(&a) {
                return q.replacen(&a, &b, 1);
            }
        }
        panic!("the quote {q} does not state {old}")
    })
}

/// The id of the source of the page's first figure.
fn figure_source(text: &str) -> String {
    let fm = front_matter(text).unwrap();
    let line = fm
        .lines()
        .find_map(|l| l.strip_prefix("    source: "))
        .expect("the figure names its source");
    line.trim().to_string()
}

/// A line of one entry of `sources.yaml` (the entry of `id`) changed by `f`.
fn edit_source_title(sources: &str, id: &str, i: usize) -> String {
    let start = sources
        .find(&format!("- id: {id}\n"))
        .expect("the source is in sources.yaml");
    let (before, entry) = sources.split_at(start);
    let entry = replace_line(entry, "  title: ", |t| format!("Retitled {i} {t}"));
    format!("{before}{entry}")
}

/// The kinds of edit, in the order of the table.
const EDITS: &[&str] = &[
    "text",
    "title",
    "date",
    "tags",
    "figure value",
    "source title",
];

/// The file an edit of `kind` changes and its new text, for the `i`th repetition.
fn edit(kind: &str, page: &str, original: &str, sources: &str, i: usize) -> (String, String) {
    let page_edit = |text: String| (page.to_string(), text);
    match kind {
        "text" => page_edit(format!("{original}\nAn added sentence, edit {i}.\n")),
        "title" => page_edit(replace_line(original, "title: ", |t| {
            format!("Retitled {i} {t}")
        })),
        "date" => page_edit(replace_line(original, "date: ", |_| {
            format!("2021-06-{:02}", 1 + i % 28)
        })),
        "tags" => page_edit(replace_line(original, "tags: [", |t| {
            format!("edited-{i}, {t}")
        })),
        "figure value" => page_edit(edit_value(original, i)),
        "source title" => (
            "content/sources.yaml".into(),
            edit_source_title(sources, &figure_source(original), i),
        ),
        _ => unreachable!("{kind}"),
    }
}

/// Panics unless the served site is the one a full build writes: the same files, bytes and
/// warnings.
fn assert_same(what: &str, served: &Site, full: &Site) {
    let wa: Vec<String> = served.warnings.iter().map(|d| d.to_string()).collect();
    let wb: Vec<String> = full.warnings.iter().map(|d| d.to_string()).collect();
    assert_eq!(wa, wb, "{what}: the warnings differ from a full build");
    let ka: Vec<&String> = served.files.keys().collect();
    let kb: Vec<&String> = full.files.keys().collect();
    assert_eq!(ka, kb, "{what}: the file list differs from a full build");
    for (path, out) in &served.files {
        assert!(
            common::output_bytes(out) == common::output_bytes(&full.files[path]),
            "{what}: {path} differs from a full build"
        );
    }
}

/// Puts the edited files back when the benchmark stops (a failed check panics), so that a
/// site given on the command line is left as it was.
struct Restore(Vec<(PathBuf, String)>);

impl Drop for Restore {
    fn drop(&mut self) {
        for (path, text) in &self.0 {
            let _ = std::fs::write(path, text);
        }
    }
}

struct Row {
    kind: &'static str,
    how: How,
    times: Vec<Duration>,
    last: String,
}

fn bench(label: &str, root: &Path, reps: usize) {
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(root, opts.clone());
    let t = std::time::Instant::now();
    let site = rb.build_all().unwrap_or_else(|d| {
        dossier::cli::report(&d);
        panic!("the site does not build")
    });
    println!(
        "{label}: initial build {} ({} files)",
        ms(t.elapsed()),
        site.files.len()
    );
    let page = pick_page(root);
    let original = std::fs::read_to_string(root.join(&page)).unwrap();
    let sources_rel = "content/sources.yaml";
    let sources = std::fs::read_to_string(root.join(sources_rel)).unwrap_or_default();
    let mut restore = vec![(root.join(&page), original.clone())];
    if root.join(sources_rel).exists() {
        restore.push((root.join(sources_rel), sources.clone()));
    }
    let _restore = Restore(restore);
    println!("{label}: editing {page} and the source of its first figure");
    let mut rows = Vec::new();
    let mut checked = 0;
    for &kind in EDITS {
        let mut row = Row {
            kind,
            how: How::Full,
            times: Vec::new(),
            last: String::new(),
        };
        let mut file = String::new();
        for i in 0..reps {
            let (rel, text) = edit(kind, &page, &original, &sources, i);
            std::fs::write(root.join(&rel), text).unwrap();
            let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
            let served = o.result.as_ref().unwrap_or_else(|d| {
                dossier::cli::report(d);
                panic!("{label}: the {kind} edit does not build")
            });
            row.times.push(o.elapsed);
            row.how = o.how;
            row.last = o.summary();
            let full = common::disk_build(root, &opts).unwrap_or_else(|d| {
                dossier::cli::report(&d);
                panic!("{label}: the full build fails after the {kind} edit")
            });
            assert_same(&format!("{label}, {kind} edit {i}"), served, &full);
            checked += 1;
            file = rel;
        }
        // Put the file back (untimed) before the next kind of edit.
        let back = if file == sources_rel {
            &sources
        } else {
            &original
        };
        std::fs::write(root.join(&file), back).unwrap();
        rb.apply(std::slice::from_ref(&file)).unwrap();
        rows.push(row);
    }
    println!(
        "{label}: {checked} edits, each equal to a full build through the disk sink (files, bytes, warnings)"
    );
    println!("\n| {label} | edit | rebuilt as | median | min | max | edits |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for r in &rows {
        let mut v = r.times.clone();
        v.sort();
        println!(
            "| | {} | {:?} | {} | {} | {} | {} |",
            r.kind,
            r.how,
            ms(v[v.len() / 2]),
            ms(v[0]),
            ms(v[v.len() - 1]),
            v.len()
        );
    }
    println!();
    for r in &rows {
        println!("{label}: last {} edit: {}", r.kind, r.last);
    }
    println!();
}

fn main() {
    dossier::allocator::tune();
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(5);
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !args.is_empty() {
        for a in args {
            bench(&a, Path::new(&a), reps);
        }
        return;
    }
    let tmp = std::env::temp_dir().join("dossier-bench-incremental");
    for n in [1000, 10_000] {
        let root = tmp.join(format!("site-{n}"));
        generate(n, &root);
        bench(&format!("{n} pages"), &root, reps);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
