//! Output safety: a build killed with SIGKILL while it writes leaves the previous
//! output intact, and the next successful build leaves no staging folders behind.

mod common;

use common::{BIN, Site, comparable, names, snapshot};
use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A site big enough that writing it takes a while: `n` pages with tables, code and citations.
fn big_site(n: usize) -> Site {
    let s = Site::new();
    let body = "## A heading\n\nSome prose that cites [@src-a, para. 3] and [@src-b].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n\n".repeat(20);
    for i in 0..n {
        s.write(
            &format!("content/bulk/p{i:05}.md"),
            &format!(
                "---\ntitle: Page {i}\ndate: 2022-10-01\ntags: [t{}]\n---\n\n{body}",
                i % 50
            ),
        );
    }
    s.write("content/bulk/_index.md", "---\ntitle: Bulk\n---\n");
    s
}

fn staging_dirs(s: &Site) -> Vec<String> {
    names(s.root())
        .into_iter()
        .filter(|n| n.starts_with(".dossier-"))
        .collect()
}

#[test]
fn killed_build_leaves_previous_output_and_no_leftovers() {
    let s = big_site(1000);
    s.build_ok(&[]);
    let before = snapshot(&s.path("public"));
    assert!(before.len() > 1000);

    // A change, so that a completed build would differ from the previous output.
    s.write(
        "content/stories/two.md",
        "---\ntitle: Story two, edited\n---\n\nNew text.\n",
    );
    // The build stops (by the test hook) once it has written 500 files into its staging
    // folder, and says so; then it is killed there, mid-write.
    let mut child = Command::new(BIN)
        .arg("build")
        .env("DOSSIER_TEST_PAUSE_AFTER", "500")
        .current_dir(s.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let paused = || {
        names(s.root())
            .iter()
            .any(|n| n.starts_with(".dossier-staging-") && n.ends_with(".paused"))
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while !paused() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before pausing"
        );
        assert!(Instant::now() < deadline, "the build never paused");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        staging_dirs(&s)
            .iter()
            .any(|n| n.starts_with(".dossier-staging-") && !n.ends_with(".paused")),
        "the staging folder is there, half written"
    );
    // Killed while writing: the previous output is exactly as it was.
    assert!(
        snapshot(&s.path("public")) == before,
        "previous output changed after kill -9"
    );
    for n in staging_dirs(&s).iter().filter(|n| n.ends_with(".paused")) {
        fs::remove_file(s.path(n)).unwrap();
    }

    // The next successful build cleans up.
    s.build_ok(&[]);
    assert!(s.out("stories/two/index.html").contains("edited"));
    assert_eq!(staging_dirs(&s), Vec::<String>::new());
    s.build_ok(&["--out", "fresh"]);
    assert!(comparable(snapshot(&s.path("public"))) == comparable(snapshot(&s.path("fresh"))));
}

#[test]
fn an_unmarked_empty_staging_dir_is_cleaned_too() {
    // A build killed between creating its staging dir and writing the marker into it.
    let s = Site::new();
    s.build_ok(&[]);
    std::fs::create_dir(s.path(".dossier-staging-public-1-2")).unwrap();
    // A folder of the user's that merely looks like one, with files, is never removed.
    s.write(".dossier-staging-public-3-4/mine.txt", "keep");
    s.build_ok(&[]);
    assert_eq!(
        staging_dirs(&s),
        vec![".dossier-staging-public-3-4".to_string()]
    );
}
