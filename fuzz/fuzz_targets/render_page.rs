//! The whole page pipeline (front matter, Markdown, citations, figures, templates) with the
//! input as one more page of a small real site using the default theme.
#![no_main]

use dossier::content::load::Inputs;
use dossier::site::{BuildOptions, Site};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

static INPUTS: LazyLock<Inputs> = LazyLock::new(|| {
    let root: PathBuf =
        std::env::temp_dir().join(format!("dossier-fuzz-site-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let files = [
        (
            "site.yaml",
            "title: Fuzz\nbase_url: https://example.org/sub/\n",
        ),
        (
            "content/_index.md",
            "---\ntitle: Home\n---\n\nSee [one](@/one.md#arrivals).\n",
        ),
        (
            "content/sources.yaml",
            "- id: src-a\n  title: A\n  publisher: P\n  published: 2022-09-27\n  archive: a.txt\n- id: src-b\n  title: B\n  publisher: Q\n  published: 2022-09-28\n",
        ),
        (
            "a.txt",
            "Officials said 200,000 Russian citizens had entered the country.\n",
        ),
        (
            "content/one.md",
            "---\ntitle: One\nplaces: [Kazakhstan]\nfigures:\n  - id: kz\n    value: 200000\n    measure: entries\n    unit: people\n    subject: s\n    place: Kazakhstan\n    source: src-a\n    quote: \"200,000 Russian citizens\"\n---\n\n## Arrivals\n\n{{ fig(id=\"kz\") }} [@src-b]\n",
        ),
    ];
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default"),
        &root.join("themes/default"),
    );
    let inputs = Inputs::load(&root).expect("the fuzz site loads");
    let _ = std::fs::remove_dir_all(&root);
    inputs
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut inputs = INPUTS.clone();
    inputs
        .pages
        .insert("stories/fuzz.md".into(), text.to_string());
    if let Err(diags) = Site::from_inputs(&mut inputs, &BuildOptions::default()) {
        for d in diags {
            assert!(d.span.line >= 1 && d.span.col >= 1 && !d.message.is_empty());
        }
    }
});
