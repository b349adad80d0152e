//! `dossier serve`'s incremental rebuild time after editing one page, on synthetic sites of
//! 1k and 10k pages (a benchmark, not a test).
//!
//! ```sh
//! cargo bench --bench incremental                      # generates 1k and 10k-page sites
//! cargo bench --bench incremental -- /tmp/bench-10k/dossier   # or any site (e.g. gen_site's)
//! ```
//!
//! For each site: the initial in-memory build, then the median and max of several rebuilds
//! through `Rebuilder::apply` (the code path of `serve`) after editing one page's text, one
//! page's title (front matter seen by listings), and the stylesheet.

// The allocator of the `dossier` binary, so that the times are those `dossier serve` gives.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use dossier::serve::rebuild::Rebuilder;
use dossier::site::BuildOptions;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

fn pick_page(root: &Path) -> String {
    let mut pages: Vec<PathBuf> = walk(&root.join("content"));
    pages.retain(|p| {
        p.extension().is_some_and(|e| e == "md") && p.file_name().is_none_or(|n| n != "_index.md")
    });
    pages.sort();
    let p = &pages[pages.len() / 2];
    p.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
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

fn bench(label: &str, root: &Path) {
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(root, opts);
    let t = Instant::now();
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
    let file = root.join(&page);
    let original = std::fs::read_to_string(&file).unwrap();
    let runs = 7;
    let mut body = Vec::new();
    let mut title = Vec::new();
    for i in 0..runs {
        std::fs::write(&file, format!("{original}\nAn added sentence, edit {i}.\n")).unwrap();
        let o = rb.apply(std::slice::from_ref(&page)).unwrap();
        assert!(o.result.is_ok());
        body.push(o.elapsed);
        if i == runs - 1 {
            println!("{label}:   last text edit: {}", o.summary());
        }
    }
    for i in 0..runs {
        let text = original.replacen("title: ", &format!("title: Retitled {i} "), 1);
        std::fs::write(&file, text).unwrap();
        let o = rb.apply(std::slice::from_ref(&page)).unwrap();
        assert!(o.result.is_ok());
        title.push(o.elapsed);
        if i == runs - 1 {
            println!("{label}:   last title edit: {}", o.summary());
        }
    }
    std::fs::write(&file, &original).unwrap();
    rb.apply(std::slice::from_ref(&page)).unwrap();
    let report = |what: &str, mut v: Vec<Duration>| {
        v.sort();
        println!(
            "{label}: {what}: median {}, max {} ({runs} runs)",
            ms(v[v.len() / 2]),
            ms(v[v.len() - 1])
        );
    };
    report("one page's text edited", body);
    report("one page's title edited", title);
}

fn main() {
    dossier::allocator::tune();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !args.is_empty() {
        for a in args {
            bench(&a, Path::new(&a));
        }
        return;
    }
    let tmp = std::env::temp_dir().join("dossier-bench-incremental");
    for n in [1000, 10_000] {
        let root = tmp.join(format!("site-{n}"));
        generate(n, &root);
        bench(&format!("{n} pages"), &root);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
