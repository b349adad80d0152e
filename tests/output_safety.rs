//! dossier deletes only files it wrote itself. Each test plants a user's files where
//! a careless `--out` (or a second build, or a hand-dropped file) could reach them, and checks
//! that every one survives: in place, or in the backup folder the build printed. Every child
//! gets a fake HOME in a temp folder.

mod common;

use common::{BIN, Run, Site, names, snapshot};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A user's files: relative path -> bytes.
type Files = BTreeMap<String, Vec<u8>>;

/// Write `files` under `dir`.
fn plant(dir: &Path, files: &[(&str, &str)]) -> Files {
    let mut planted = Files::new();
    for (rel, text) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        planted.insert(rel.to_string(), text.as_bytes().to_vec());
    }
    planted
}

/// A fake home folder that looks lived in.
fn fake_home() -> (tempfile::TempDir, Files) {
    let home = tempfile::Builder::new()
        .prefix("dossier-home-")
        .tempdir()
        .unwrap();
    let files = plant(
        home.path(),
        &[
            (".bashrc", "export PATH=$HOME/.cargo/bin:$PATH\n"),
            (".cargo/bin/cargo", "#!/bin/sh\n"),
            (".local/lib/python3.12/site.py", "import os\n"),
            ("notes/todo.md", "- back up everything\n"),
        ],
    );
    (home, files)
}

/// `dossier <args>` in `cwd`, with HOME set to `home`.
fn run(cwd: &Path, home: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run dossier");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The backup folders a run printed.
fn printed_backups(stderr: &str) -> Vec<PathBuf> {
    stderr
        .split_whitespace()
        .map(|w| w.trim_matches(|c| matches!(c, ':' | ',' | '(' | ')')))
        .filter(|w| w.contains(".dossier-backup-"))
        .map(PathBuf::from)
        .collect()
}

/// Every planted file is still in `dir`, or in a backup folder the run printed.
fn assert_kept(r: &Run, dir: &Path, planted: &Files) {
    let backups = printed_backups(&r.stderr);
    for (rel, bytes) in planted {
        if fs::read(dir.join(rel)).ok().as_ref() == Some(bytes) {
            continue;
        }
        let backed_up = backups
            .iter()
            .any(|b| fs::read(b.join(rel)).ok().as_ref() == Some(bytes));
        assert!(
            backed_up,
            "{rel} is neither in {} nor in a printed backup {backups:?}:\n{}",
            dir.display(),
            r.stderr
        );
    }
}

/// Every file of `dir` is as planted, nothing was added, and no backup was made.
fn assert_untouched(r: &Run, dir: &Path, before: &Files) {
    assert_eq!(
        &snapshot(dir),
        before,
        "{} changed:\n{}",
        dir.display(),
        r.stderr
    );
    assert!(printed_backups(&r.stderr).is_empty(), "{}", r.stderr);
}

/// A refused build: exit code 1, the message, a hint that never suggests --force, and no
/// trace beside `dir` (no lock file, staging folder or backup).
fn assert_refused(r: &Run, msg: &str, dir: &Path) {
    r.assert_fails().err_has(msg).err_has("hint: ");
    assert!(
        !r.stderr.contains("--force"),
        "suggests --force:\n{}",
        r.stderr
    );
    if let (Some(parent), Some(name)) = (dir.parent().filter(|p| p.is_dir()), dir.file_name()) {
        let name = name.to_string_lossy();
        let traces: Vec<String> = names(parent)
            .into_iter()
            .filter(|n| n.contains("dossier-") && n.contains(name.as_ref()) && *n != name)
            .collect();
        assert!(traces.is_empty(), "{traces:?} beside {}", dir.display());
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn the_home_folder_is_refused_with_and_without_force() {
    let s = Site::new();
    let (home, files) = fake_home();
    let h = path_str(home.path());
    for spelling in [
        h.clone(),
        format!("{h}/"),
        format!("{h}/."),
        format!("{h}/notes/.."),
    ] {
        for force in [false, true] {
            let mut args = vec!["build", "--out", &spelling];
            if force {
                args.push("--force");
            }
            let r = run(s.root(), home.path(), &args);
            assert_refused(&r, "is your home folder", home.path());
            assert_untouched(&r, home.path(), &files);
        }
    }
}

#[test]
fn an_ancestor_of_home_is_refused() {
    let s = Site::new();
    let top = tempfile::tempdir().unwrap();
    let planted = plant(
        top.path(),
        &[("other-user/.profile", "x"), ("shared.txt", "y")],
    );
    let home = top.path().join("users/me");
    plant(&home, &[(".bashrc", "z")]);
    let before = snapshot(top.path());
    for out in [top.path().to_path_buf(), top.path().join("users")] {
        for force in [false, true] {
            let o = path_str(&out);
            let mut args = vec!["build", "--out", &o];
            if force {
                args.push("--force");
            }
            let r = run(s.root(), &home, &args);
            assert_refused(&r, "is an ancestor of your home folder", &out);
            assert_untouched(&r, top.path(), &before);
        }
    }
    assert_eq!(
        snapshot(top.path()).get("shared.txt"),
        planted.get("shared.txt")
    );
}

#[test]
fn the_current_folder_and_its_ancestors_are_refused() {
    let s = Site::new();
    let (home, _) = fake_home();
    s.write("notes/keep.txt", "mine");
    let before = snapshot(s.root());
    for (out, force) in [(".", false), (".", true), ("..", true)] {
        let mut args = vec!["build", "--root", "..", "--out", out];
        if force {
            args.push("--force");
        }
        let r = run(&s.path("notes"), home.path(), &args);
        r.assert_fails().err_has("hint: ");
        assert!(
            r.stderr.contains("is the current folder") || r.stderr.contains("site folder"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("--force"), "{}", r.stderr);
        assert_eq!(snapshot(s.root()), before);
    }
}

#[test]
fn a_version_controlled_folder_is_refused_with_and_without_force() {
    let s = Site::new();
    let (home, _) = fake_home();
    let repo = tempfile::tempdir().unwrap();
    let planted = plant(
        repo.path(),
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            ("src/main.rs", "fn main() {}\n"),
        ],
    );
    for force in [false, true] {
        let o = path_str(repo.path());
        let mut args = vec!["build", "--out", &o];
        if force {
            args.push("--force");
        }
        let r = run(s.root(), home.path(), &args);
        assert_refused(&r, "holds .git", repo.path());
        assert_untouched(&r, repo.path(), &planted);
    }
}

/// A deploy folder: a git checkout with a CNAME, into which a previous output (manifest
/// included) was copied.
#[test]
fn a_deploy_checkout_with_a_copied_output_is_refused() {
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    let deploy = tempfile::tempdir().unwrap();
    common::copy_dir(&s.path("public"), deploy.path());
    plant(
        deploy.path(),
        &[
            (".git/HEAD", "ref: refs/heads/gh-pages\n"),
            ("CNAME", "dossier.example.org\n"),
        ],
    );
    let before = snapshot(deploy.path());
    assert!(before.contains_key(".dossier-output"));
    for force in [false, true] {
        let o = path_str(deploy.path());
        let mut args = vec!["build", "--out", &o];
        if force {
            args.push("--force");
        }
        let r = run(s.root(), home.path(), &args);
        assert_refused(&r, "holds .git", deploy.path());
        assert_untouched(&r, deploy.path(), &before);
    }
}

/// The same copy without `.git`: the copied files are recognised as dossier's by their
/// content (a copy changes their mtimes) and replaced; the CNAME is carried over.
#[test]
fn a_copied_output_is_replaced_and_a_foreign_file_in_it_kept() {
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    let deploy = tempfile::tempdir().unwrap();
    let out = deploy.path().join("site");
    std::thread::sleep(Duration::from_millis(20));
    common::copy_dir(&s.path("public"), &out);
    let planted = plant(&out, &[("CNAME", "dossier.example.org\n")]);
    let r = run(s.root(), home.path(), &["build", "--out", &path_str(&out)]);
    r.assert_ok().err_has("CNAME").err_has("static/");
    assert!(printed_backups(&r.stderr).is_empty(), "{}", r.stderr);
    assert_kept(&r, &out, &planted);
    let mut fresh = snapshot(&out);
    fresh.remove("CNAME");
    fresh.remove(".dossier-output");
    let mut public = snapshot(&s.path("public"));
    public.remove(".dossier-output");
    assert!(
        fresh == public,
        "the copy was not replaced by the new build"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_outputs_are_refused_in_every_spelling() {
    use std::os::unix::fs::symlink;
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("precious");
    let mut planted = plant(
        &target,
        &[("thesis.tex", "\\begin{document}"), ("data/a.csv", "1,2")],
    );
    symlink(&target, s.path("link")).unwrap();
    fs::create_dir(s.path("a")).unwrap();
    for with_marker in [false, true] {
        if with_marker {
            // A marker copied from a real output does not make the folder dossier's to replace.
            fs::copy(
                s.path("public/.dossier-output"),
                target.join(".dossier-output"),
            )
            .unwrap();
            planted = snapshot(&target);
        }
        for spelling in ["link", "link/", "link/.", "a/../link", "./link//"] {
            for force in [false, true] {
                let mut args = vec!["build", "--out", spelling];
                if force {
                    args.push("--force");
                }
                let r = run(s.root(), home.path(), &args);
                r.assert_fails().err_has("is a symlink");
                assert!(!r.stderr.contains("--force"), "{}", r.stderr);
                assert_untouched(&r, &target, &planted);
                assert!(fs::symlink_metadata(s.path("link")).unwrap().is_symlink());
            }
        }
    }
    // The public/ folder itself a symlink.
    fs::rename(s.path("public"), s.path("real-public")).unwrap();
    symlink(s.path("real-public"), s.path("public")).unwrap();
    let before = snapshot(&s.path("real-public"));
    for args in [
        &["build"][..],
        &["build", "--force"],
        &["build", "--out", "public/"],
    ] {
        let r = run(s.root(), home.path(), args);
        r.assert_fails().err_has("is a symlink");
        assert_untouched(&r, &s.path("real-public"), &before);
    }
}

#[cfg(unix)]
#[test]
fn a_path_through_a_symlink_into_the_sources_is_refused() {
    let s = Site::new();
    let (home, _) = fake_home();
    std::os::unix::fs::symlink(s.path("content"), s.path("cl")).unwrap();
    std::os::unix::fs::symlink(s.path("themes"), s.path("tl")).unwrap();
    let before = snapshot(s.root());
    for (out, msg) in [
        ("cl/out", "is inside content/"),
        ("cl/stories/", "is inside content/"),
        ("cl/.", "is a symlink"),
        ("tl/default/x", "is inside themes/"),
        ("static/x", "is inside static/"),
    ] {
        for force in [false, true] {
            let mut args = vec!["build", "--out", out];
            if force {
                args.push("--force");
            }
            let r = run(s.root(), home.path(), &args);
            r.assert_fails().err_has(msg);
            assert!(!r.stderr.contains("--force"), "{}", r.stderr);
            assert_eq!(snapshot(s.root()), before, "{out}");
        }
    }
    assert!(!s.path("content/out").exists());
    assert!(!s.path("static").exists());
}

#[test]
fn force_moves_a_foreign_folder_aside_and_never_deletes() {
    let s = Site::new();
    let (home, _) = fake_home();
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("photos");
    let planted = plant(
        &out,
        &[
            ("2024/beach.jpg", "jpeg bytes"),
            ("index.html", "my own page"),
        ],
    );
    let o = path_str(&out);
    let r = run(s.root(), home.path(), &["build", "--out", &o]);
    r.assert_fails()
        .err_has("was not created by dossier")
        .err_has("--force");
    assert_untouched(&r, &out, &planted);

    let r = run(s.root(), home.path(), &["build", "--out", &o, "--force"]);
    r.assert_ok().err_has("were moved to");
    let backups = printed_backups(&r.stderr);
    assert_eq!(backups.len(), 1, "{}", r.stderr);
    assert_eq!(
        snapshot(&backups[0]),
        planted,
        "the backup is the folder as it was"
    );
    assert!(out.join(".dossier-output").is_file());
    assert!(
        fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("<html")
    );
    assert_kept(&r, &out, &planted);
}

#[test]
fn hand_dropped_files_survive_and_hand_edits_go_to_the_backup() {
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    let public = s.path("public");
    let planted = plant(
        &public,
        &[
            ("CNAME", "dossier.example.org\n"),
            ("google123.html", "google-site-verification: google123.html"),
            (
                ".well-known/security.txt",
                "Contact: mailto:me@example.org\n",
            ),
            ("stories/one/notes.txt", "a note beside a page"),
        ],
    );
    let edited = "<html>fixed a typo by hand</html>";
    fs::write(public.join("stories/two/index.html"), edited).unwrap();

    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok();
    for name in [
        "CNAME",
        "google123.html",
        ".well-known",
        "notes.txt",
        "static/",
    ] {
        r.err_has(name);
    }
    // Dropped files stay in place; the edited page is the new build's, the edit in the backup.
    for (rel, bytes) in &planted {
        assert_eq!(&fs::read(public.join(rel)).unwrap(), bytes, "{rel}");
    }
    assert!(s.out("stories/two/index.html").contains("Story two"));
    let backups = printed_backups(&r.stderr);
    assert_eq!(backups.len(), 1, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(backups[0].join("stories/two/index.html")).unwrap(),
        edited
    );

    // A later build keeps them too, and has nothing more to back up.
    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok().err_has("CNAME");
    assert!(printed_backups(&r.stderr).is_empty(), "{}", r.stderr);
    assert_kept(&r, &public, &planted);

    // A dropped file where the next build writes a page goes to the backup, not over it.
    s.write(
        "content/google123.md",
        "---\ntitle: Google\n---\n\nA page.\n",
    );
    fs::remove_file(public.join("google123.html")).unwrap();
    let mine = plant(&public, &[("google123/index.html", "mine, not dossier's")]);
    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok();
    assert!(s.out("google123/index.html").contains("A page."));
    assert_kept(&r, &public, &mine);
}

#[test]
fn leftovers_of_another_output_or_without_a_marker_are_left_alone() {
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    // A live build into public-2 (its staging folder starts like public's would).
    let theirs = plant(
        &s.path(".dossier-staging-public-2-11-22"),
        &[
            (".dossier-output", "dossier-staging 1\n"),
            ("index.html", "being written"),
        ],
    );
    let unmarked = plant(
        &s.path(".dossier-old-public-33-44"),
        &[("mine.txt", "keep")],
    );
    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok();
    assert_kept(&r, &s.path(".dossier-staging-public-2-11-22"), &theirs);
    assert_kept(&r, &s.path(".dossier-old-public-33-44"), &unmarked);
    r.err_has(".dossier-old-public-33-44");
}

/// A big site: `n` pages of prose, tables and code.
fn big_site(n: usize) -> Site {
    let s = Site::new();
    let body = "## A heading\n\nSome prose that cites [@src-a, para. 3] and [@src-b].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n\n".repeat(8);
    for i in 0..n {
        s.write(
            &format!("content/bulk/p{i:05}.md"),
            &format!(
                "---\ntitle: Page {i}\ndate: 2022-10-01\ntags: [t{}]\n---\n\n{body}",
                i % 40
            ),
        );
    }
    s.write("content/bulk/_index.md", "---\ntitle: Bulk\n---\n");
    s
}

#[test]
fn concurrent_builds_into_one_output_leave_it_complete() {
    const PAGES: usize = 3000;
    let s = big_site(PAGES);
    let (home, _) = fake_home();
    let spawn = || {
        Command::new(BIN)
            .arg("build")
            .current_dir(s.root())
            .env("HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn();
    // The second starts while the first is at work (it holds the lock or writes its staging).
    let started = Instant::now();
    while !names(s.root()).iter().any(|n| n.contains("dossier-")) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first build never started"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let second = spawn();
    let outs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let errs: Vec<String> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    for (o, e) in outs.iter().zip(&errs) {
        assert!(o.status.success(), "a build failed: {e}");
        assert!(!e.contains("panicked"), "{e}");
    }

    let check = |s: &Site| {
        assert!(s.has_out("index.html"));
        for i in 0..PAGES {
            assert!(
                s.has_out(&format!("bulk/p{i:05}/index.html")),
                "page {i} missing"
            );
        }
        let manifest = s.out(".dossier-output");
        let files = snapshot(&s.path("public"));
        assert_eq!(
            manifest.lines().count(),
            files.len(),
            "the manifest lists every file"
        );
        let leftovers: Vec<String> = names(s.root())
            .into_iter()
            .filter(|n| n.contains("dossier-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    };
    check(&s);
    assert!(
        errs.iter()
            .any(|e| e.contains("waiting for another build into ./public ...")),
        "the builds did not overlap: {errs:?}"
    );
    run(s.root(), home.path(), &["build"]).assert_ok();
    check(&s);
}

/// Run `script` as root of a new user and mount namespace (`unshare -rm`), with `$BIN` the
/// dossier binary and `$ROOT` the site; `None` when this machine cannot make one.
fn in_namespace(root: &Path, home: &Path, script: &str) -> Option<String> {
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .current_dir(root)
        .env("BIN", BIN)
        .env("ROOT", root)
        .env("HOME", home)
        .output()
        .ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if text.contains("NO-NAMESPACE") || !text.contains("IN-NAMESPACE") {
        println!("skipped: cannot mount in a user namespace here: {text}");
        return None;
    }
    Some(text)
}

#[test]
fn a_mount_point_as_output_fails_clearly_and_keeps_its_files() {
    let s = Site::new();
    let (home, _) = fake_home();
    fs::create_dir(s.path("public")).unwrap();
    let script = r#"
        mount -t tmpfs tmpfs "$ROOT/public" || { echo NO-NAMESPACE; exit 0; }
        echo IN-NAMESPACE
        "$BIN" build; echo "empty-volume rc=$?"
        echo mine > "$ROOT/public/mine.txt"
        "$BIN" build --force; echo "full-volume rc=$?"
        echo "kept: $(cat "$ROOT/public/mine.txt")"
        umount "$ROOT/public"
        "$BIN" build; echo "built rc=$?"
        mount --bind "$ROOT/public" "$ROOT/public" && mount -o remount,bind,ro "$ROOT/public"
        "$BIN" build; echo "read-only-bind rc=$?"
        ls -a "$ROOT" | grep dossier- || echo "no leftovers"
    "#;
    let Some(out) = in_namespace(s.root(), home.path(), script) else {
        return;
    };
    assert!(out.contains("empty-volume rc=1"), "{out}");
    assert!(out.contains("full-volume rc=1"), "{out}");
    assert!(out.contains("built rc=0"), "{out}");
    assert!(out.contains("read-only-bind rc=1"), "{out}");
    assert_eq!(out.matches("is a mount point").count(), 3, "{out}");
    assert!(out.contains("is a mount point"), "{out}");
    assert!(out.contains("mount the folder above it"), "{out}");
    assert!(out.contains("kept: mine"), "{out}");
    assert!(out.contains("no leftovers"), "{out}");
}

/// Make `dir` impossible to change for this process: `chattr +i` as root (root ignores
/// permissions), else `chmod 555`. Returns how, or `None` (with the reason printed).
fn make_read_only(dir: &Path) -> Option<&'static str> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some("chattr");
        }
        println!("skipped: running as root and chattr +i does not work on this file system");
        return None;
    }
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).ok()?;
    Some("chmod")
}

fn make_writable(dir: &Path, how: &str) {
    if how == "chattr" {
        Command::new("chattr").arg("-i").arg(dir).status().unwrap();
    } else {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_output_fails_and_removes_its_staging_copy() {
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    // First the swap itself fails, then (with a foreign file to carry over) the move out of
    // the old output; as a user without root, only the second can be made to fail.
    for foreign in [false, true] {
        if foreign {
            plant(&s.path("public"), &[("CNAME", "dossier.example.org\n")]);
        }
        s.write(
            "content/stories/two.md",
            "---\ntitle: Story two, edited\n---\n\nNew.\n",
        );
        let before = snapshot(&s.path("public"));
        let Some(how) = make_read_only(&s.path("public")) else {
            return;
        };
        if how == "chmod" && !foreign {
            make_writable(&s.path("public"), how);
            continue;
        }
        let r = run(s.root(), home.path(), &["build"]);
        let after = snapshot(&s.path("public"));
        let leftovers: Vec<String> = names(s.root())
            .into_iter()
            .filter(|n| n.contains("dossier-"))
            .collect();
        make_writable(&s.path("public"), how);
        r.assert_fails()
            .err_has("read-only or immutable")
            .err_has("the new build was removed");
        assert!(after == before, "the output changed:\n{}", r.stderr);
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    // Writable again, the next build works and still keeps the CNAME.
    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok();
    assert!(s.out("stories/two/index.html").contains("edited"));
    assert_eq!(s.out("CNAME"), "dossier.example.org\n");
}

#[test]
fn a_failed_build_leaves_no_trace() {
    let s = Site::new();
    let (home, _) = fake_home();
    s.write("content/stories/two.md", "---\ntitle: [unclosed\n---\n");
    let before = names(s.root());
    for args in [
        &["build"][..],
        &["build", "--out", "new/deep/out"],
        &["build", "--root", "no-such-site"],
    ] {
        run(s.root(), home.path(), args).assert_fails();
        assert_eq!(names(s.root()), before, "{args:?}");
    }
}

#[test]
fn an_output_from_before_manifests_is_moved_to_a_backup() {
    let s = Site::new();
    let (home, _) = fake_home();
    let planted = plant(
        &s.path("public"),
        &[
            (
                ".dossier-output",
                "This folder is written by dossier and replaced on every build.\n",
            ),
            ("index.html", "the old home page"),
            ("CNAME", "dossier.example.org\n"),
        ],
    );
    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok().err_has("from before manifests");
    assert_kept(&r, &s.path("public"), &planted);
    assert!(s.out("index.html").contains("Test Site"));
}

/// A build killed between carrying a foreign file into its staging folder and the swap: the
/// next build removes the leftover's own files but keeps the foreign one.
#[test]
fn a_leftover_holding_a_carried_file_keeps_it() {
    let s = Site::new();
    let (home, _) = fake_home();
    run(s.root(), home.path(), &["build"]).assert_ok();
    let leftover = s.path(".dossier-staging-public-12-34");
    common::copy_dir(&s.path("public"), &leftover);
    let planted = plant(&leftover, &[("CNAME", "dossier.example.org\n")]);
    let r = run(s.root(), home.path(), &["build"]);
    r.assert_ok();
    assert!(!leftover.exists(), "{}", r.stderr);
    let backups = printed_backups(&r.stderr);
    assert_eq!(backups.len(), 1, "{}", r.stderr);
    assert_eq!(
        names(&backups[0]),
        ["CNAME"],
        "only the foreign file is kept"
    );
    assert_kept(&r, &leftover, &planted);
}
