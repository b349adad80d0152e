//! One pipeline, whatever it writes into: the same fixture sites rendered through the disk
//! sink (`dossier build`'s staging folder) and the in-memory sink (`check`, `serve`) give
//! the same files, byte for byte, and the same warnings; and so does the binary.

mod common;

use common::{Site, disk_build, output_bytes, snapshot};
use dossier::site::{BuildOptions, Site as Built};
use std::collections::BTreeMap;
use std::path::Path;

fn files(site: &Built) -> BTreeMap<String, Vec<u8>> {
    site.files
        .iter()
        .map(|(p, o)| (p.clone(), output_bytes(o)))
        .collect()
}

fn assert_equivalent(root: &Path, opts: &BuildOptions) {
    let memory = Built::build(root, opts).expect("builds in memory");
    let disk = disk_build(root, opts).expect("builds on disk");
    let (m, d) = (files(&memory), files(&disk));
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        d.keys().collect::<Vec<_>>(),
        "the file lists differ"
    );
    for (path, bytes) in &m {
        assert!(*bytes == d[path], "{path} differs between the sinks");
    }
    let w = |s: &Built| s.warnings.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    assert_eq!(w(&memory), w(&disk));
}

fn options(relative: bool, drafts: bool) -> Vec<BuildOptions> {
    let mut o = BuildOptions::default();
    o.model.relative = relative;
    o.model.drafts = drafts;
    vec![o]
}

#[test]
fn the_fixture_site_is_the_same_through_both_sinks() {
    let s = Site::new();
    s.write("static/extra.css", "body {}\n");
    s.write_bytes("content/stories/map.png", b"\x89PNG");
    s.write(
        "content/stories/three.md",
        "---\ntitle: Three\ndraft: true\n---\n\n![a map](map.png)\n",
    );
    for relative in [false, true] {
        for drafts in [false, true] {
            for o in options(relative, drafts) {
                assert_equivalent(s.root(), &o);
            }
        }
    }
}

#[test]
fn the_flagship_is_the_same_through_both_sinks_and_the_binary() {
    let s = Site::empty();
    common::copy_dir(&common::manifest_dir().join("content"), &s.path("content"));
    std::fs::copy(
        common::manifest_dir().join("site.yaml"),
        s.path("site.yaml"),
    )
    .unwrap();
    let seeds = common::manifest_dir().join("../shared/seeds");
    let mut o = BuildOptions::default();
    if seeds.is_dir() {
        o.model.archive_dir = Some(seeds.clone());
    }
    assert_equivalent(s.root(), &o);
    // The binary writes what the disk sink writes.
    let mut args = vec!["build".to_string()];
    if seeds.is_dir() {
        args.extend([
            "--archive-dir".to_string(),
            seeds.to_string_lossy().into_owned(),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::run_in(s.root(), &args).assert_ok();
    let mut built = snapshot(&s.path("public"));
    built.remove(".dossier-output");
    assert!(
        built == files(&disk_build(s.root(), &o).unwrap()),
        "the binary's output differs"
    );
}

#[test]
fn a_generated_site_is_the_same_through_both_sinks() {
    let dir = tempfile::tempdir().unwrap();
    // `cargo test` builds the examples beside the binary.
    let gen_site = Path::new(common::BIN)
        .parent()
        .unwrap()
        .join("examples/gen_site");
    let status = std::process::Command::new(&gen_site)
        .arg("300")
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}", gen_site.display()));
    assert!(status.success());
    let root = dir.path().join("dossier");
    assert_equivalent(&root, &BuildOptions::default());
    let mut o = BuildOptions::default();
    o.model.relative = true;
    assert_equivalent(&root, &o);
}
