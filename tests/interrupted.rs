//! Issue 7, output safety: a build killed with SIGKILL while it writes leaves the previous
//! output intact, and the next successful build leaves no staging folders behind.

mod common;

use common::{BIN, Site, names, snapshot};
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
    let mut killed_mid_write = false;
    for _attempt in 0..5 {
        let mut child = Command::new(BIN)
            .arg("build")
            .current_dir(s.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            if !staging_dirs(&s).is_empty() {
                child.kill().unwrap(); // SIGKILL on Unix
                break;
            }
            if child.try_wait().unwrap().is_some() || started.elapsed() > Duration::from_secs(60) {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let status = child.wait().unwrap();
        if status.success() {
            // Finished before we saw it writing: the new output is complete. Start over.
            assert!(s.out("stories/two/index.html").contains("edited"));
            s.write(
                "content/stories/two.md",
                &format!("---\ntitle: Story two, edited {_attempt}\n---\n\nNew text.\n"),
            );
            s.build_ok(&[]);
            continue;
        }
        killed_mid_write = true;
        break;
    }
    assert!(
        killed_mid_write,
        "never caught the build while it was writing"
    );
    let after = snapshot(&s.path("public"));
    if after != before {
        // Only acceptable if the last retry rebuilt `before`; compare key sets for a clear message.
        let missing: Vec<_> = before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .take(5)
            .collect();
        panic!(
            "previous output changed after kill -9 ({} files before, {} after, missing e.g. {missing:?})",
            before.len(),
            after.len()
        );
    }
    assert!(
        !staging_dirs(&s).is_empty(),
        "the killed build left its staging dir"
    );

    // The next successful build cleans up.
    s.build_ok(&[]);
    assert!(s.out("stories/two/index.html").contains("edited"));
    assert_eq!(staging_dirs(&s), Vec::<String>::new());
    s.build_ok(&["--out", "fresh"]);
    assert!(snapshot(&s.path("public")) == snapshot(&s.path("fresh")));
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
