//! Fixture sites for the integration tests: a minimal valid site in a temp dir, built by
//! running the real `dossier` binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_dossier");

/// The project's own folder (for themes/default).
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub const SITE_YAML: &str = "\
title: Test Site
base_url: https://example.org/sub/
description: A site for tests
author: Test Author
";

pub const HOME: &str = "\
---
title: Home
---

Welcome to the test site. See [the first story](@/stories/one.md).
";

pub const SOURCES: &str = "\
- id: src-a
  title: Article A
  publisher: Publisher A
  authors: [Jane Doe]
  published: 2022-09-27
  url: https://a.example/article
  archive: archive/a.txt
- id: src-b
  title: Article B
  publisher: Publisher B
  published: 2022-09-28
";

pub const ARCHIVE_A: &str = "\
The minister said on Tuesday that 200,000 Russian citizens had entered his country
in the two weeks since the announcement. Officials expect “more people” to arrive.
Queues at the border stretched for 10 kilometres.
";

pub const SECTION: &str = "\
---
title: Stories
weight: 1
---

All the stories.
";

pub const STORY_ONE: &str = "\
---
title: Story one
summary: The first story.
date: 2022-10-01
tags: [Borders]
places: [Kazakhstan]
figures:
  - id: kz-entries
    value: 200000
    qualifier: over
    unit: people
    measure: entries
    subject: Russian citizens entering Kazakhstan
    place: Kazakhstan
    period: { from: 2022-09-21, to: 2022-10-04 }
    as_of: 2022-10-04
    claimed_by: the interior minister
    source: src-a
    quote: \"200,000 Russian citizens had entered his country\"
---

## Arrivals

Kazakhstan counted {{ fig(id=\"kz-entries\") }} arrivals [@src-a, para. 2].

## Arrivals

Again.
";

pub const STORY_TWO: &str = "\
---
title: Story two
date: 2022-10-02
tags: [Borders, Queues]
---

Cited twice [@src-b; @src-a].
";

/// A site in a temp dir. Dropping it removes the folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with the output unless the run succeeded.
    pub fn assert_ok(&self) -> &Self {
        assert!(self.ok(), "expected success, got {self:#?}");
        self.assert_no_panic()
    }

    /// Panics unless the run failed with exit code 1 and no panic.
    pub fn assert_fails(&self) -> &Self {
        assert_eq!(self.code, Some(1), "expected exit code 1, got {self:#?}");
        self.assert_no_panic()
    }

    pub fn assert_no_panic(&self) -> &Self {
        for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(!self.stderr.contains(bad), "panic text in {self:#?}");
        }
        self
    }

    /// Panics unless stderr contains `needle`.
    pub fn err_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Lines of stderr that are diagnostics of errors.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect()
    }
}

impl Site {
    /// An empty folder with the default theme.
    pub fn empty() -> Site {
        let dir = tempfile::Builder::new()
            .prefix("dossier-test-")
            .tempdir()
            .expect("temp dir");
        copy_dir(
            &manifest_dir().join("themes/default"),
            &dir.path().join("themes/default"),
        );
        Site { dir }
    }

    /// A minimal valid site: config, home page, sources with an archive, a section with
    /// two pages that cite and declare a figure.
    pub fn new() -> Site {
        let s = Site::empty();
        s.write("site.yaml", SITE_YAML);
        s.write("content/_index.md", HOME);
        s.write("content/sources.yaml", SOURCES);
        s.write("archive/a.txt", ARCHIVE_A);
        s.write("content/stories/_index.md", SECTION);
        s.write("content/stories/one.md", STORY_ONE);
        s.write("content/stories/two.md", STORY_TWO);
        s
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        let p = self.path(rel);
        if p.is_dir() {
            fs::remove_dir_all(p).unwrap();
        } else {
            fs::remove_file(p).unwrap();
        }
        self
    }

    /// Read a file of the site (not of its output).
    pub fn read_src(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Run `dossier <args>` in the site's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.root(), args)
    }

    /// `dossier build <args>`.
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `dossier build <args>`, which must succeed.
    pub fn build_ok(&self, args: &[&str]) -> Run {
        let r = self.build(args);
        r.assert_ok();
        r
    }

    /// A file of the default output folder public/.
    pub fn out(&self, rel: &str) -> String {
        let p = self.path("public").join(rel);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    pub fn has_out(&self, rel: &str) -> bool {
        self.path("public").join(rel).exists()
    }
}

/// Run the binary with `cwd` as the working folder.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run dossier");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` (relative path -> bytes); symlinks are not followed.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// A snapshot of an output folder, comparable between builds: the manifest `.dossier-output`
/// records each file's modification time (which differs from build to build), so its mtime
/// column is blanked; every other byte stays as written.
pub fn comparable(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    if let Some(m) = files.get_mut(".dossier-output") {
        let text = String::from_utf8_lossy(m);
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let mut f: Vec<&str> = line.splitn(4, ' ').collect();
            if i > 0 && f.len() == 4 {
                f[2] = "-";
            }
            out.push_str(&f.join(" "));
            out.push('\n');
        }
        *m = out.into_bytes();
    }
    files
}

/// Names in `dir` (not recursive), sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every `href="..."` and `src="..."` value in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            let after = &rest[i + attr.len()..];
            let end = after.find('"').unwrap_or(after.len());
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

/// The output file a root-relative URL (without base path) resolves to.
pub fn resolve_url(public: &Path, path: &str) -> PathBuf {
    let path = path.split(['#', '?']).next().unwrap_or("");
    let p = public.join(path.trim_start_matches('/'));
    if path.ends_with('/') || path.is_empty() {
        p.join("index.html")
    } else {
        p
    }
}

/// The serve tests' site: the default theme, site.yaml, a home page ("Welcome home.") and a
/// `stories` section; each test adds its pages.
pub fn write_serve_site(root: &Path) {
    copy_dir(
        &manifest_dir().join("themes/default"),
        &root.join("themes/default"),
    );
    fs::write(
        root.join("site.yaml"),
        "title: Fixture\nbase_url: https://example.org/\n",
    )
    .unwrap();
    fs::create_dir_all(root.join("content/stories")).unwrap();
    fs::write(
        root.join("content/_index.md"),
        "---\ntitle: Home\n---\n\nWelcome home.\n",
    )
    .unwrap();
    fs::write(
        root.join("content/stories/_index.md"),
        "---\ntitle: Stories\n---\n\nAll stories.\n",
    )
    .unwrap();
}

/// The longest any single wait of the serve tests may take (generous: a loaded 2-core
/// machine).
pub const WAIT: Duration = Duration::from_secs(20);

/// A running `dossier serve`, killed and reaped when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// Everything it has printed to stderr so far.
    pub stderr: Arc<Mutex<String>>,
    /// The child's HOME: an empty temp dir, never a real home folder.
    _home: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `dossier serve --root ROOT --port 0 EXTRA...`, once it prints the port it serves on.
pub fn start_serve(root: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .arg("--root")
        .arg(root)
        .args(["--port", "0"])
        .args(extra);
    spawn_serve(cmd)
}

/// [`start_serve`] with at most `nofile` open files (`ulimit -n`, set by `sh` before it
/// becomes dossier: the child's pid is dossier's).
pub fn start_serve_limited(root: &Path, extra: &[&str], nofile: usize) -> Server {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -n {nofile} && exec \"$0\" \"$@\""))
        .arg(BIN)
        .arg("serve")
        .arg("--root")
        .arg(root)
        .args(["--port", "0"])
        .args(extra);
    spawn_serve(cmd)
}

/// Runs `cmd` (a `dossier serve`) until it prints the port it serves on.
// On success the child moves into `Server`, whose Drop kills and waits for it.
#[allow(clippy::zombie_processes)]
pub fn spawn_serve(mut cmd: Command) -> Server {
    let home = tempfile::tempdir().unwrap();
    let mut child = cmd
        .env("HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    {
        let stderr = stderr.clone();
        let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            let mut line = String::new();
            while err.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                stderr.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
    }
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve exited early: {}", stderr.lock().unwrap());
        }
        if let Some(url) = line.trim().strip_prefix("serving at ") {
            let port = url
                .trim_end_matches('/')
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            // Keep draining stdout so the child never blocks on a full pipe.
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut out, &mut std::io::sink());
            });
            return Server {
                child,
                port,
                stderr,
                _home: home,
            };
        }
    }
}

/// Poll until `f` holds (rebuilds are asynchronous).
pub fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for: {what}");
}

/// The attributes of every start tag of `html` in order (name -> value, character
/// references decoded), as a browser's tokenizer reads them (html5gum, WHATWG): quoted or
/// unquoted, as minified HTML writes them; the text of `<script>` and `<style>` is not
/// read as tags.
pub fn tag_attributes(html: &str) -> Vec<BTreeMap<String, String>> {
    let mut emitter = html5gum::DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut tags = Vec::new();
    for token in html5gum::Tokenizer::new_with_emitter(html, emitter) {
        let Ok(token) = token;
        if let html5gum::Token::StartTag(tag) = token {
            tags.push(
                tag.attributes
                    .iter()
                    .map(|(k, v)| {
                        (
                            String::from_utf8_lossy(k).into_owned(),
                            String::from_utf8_lossy(&v.value).into_owned(),
                        )
                    })
                    .collect(),
            );
        }
    }
    tags
}

/// Checks a built site with an HTML tokenizer of its own (html5gum, not dossier's scanner):
/// every internal `href`/`src` of every page names a file of `public`, every fragment an id
/// of its page, and no page repeats an id. `base_path` is the site's (`/sub`, or "").
pub fn assert_links_resolve(public: &Path, base_path: &str) {
    let mut pages: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for e in walkdir::WalkDir::new(public).into_iter().flatten() {
        let rel = e
            .path()
            .strip_prefix(public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.ends_with(".html") {
            continue;
        }
        let html = fs::read_to_string(e.path()).unwrap();
        let (mut ids, mut urls) = (Vec::new(), Vec::new());
        for tag in tag_attributes(&html) {
            for (k, v) in tag {
                match k.as_str() {
                    "id" => ids.push(v),
                    "href" | "src" => urls.push(v),
                    _ => {}
                }
            }
        }
        let mut sorted = ids.clone();
        sorted.sort();
        for w in sorted.windows(2) {
            assert_ne!(w[0], w[1], "id `{}` twice on {rel}", w[0]);
        }
        pages.insert(rel, (ids, urls));
    }
    for (rel, (_, urls)) in &pages {
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        for url in urls {
            if url.contains("://")
                || url.starts_with("//")
                || url.starts_with("mailto:")
                || url.starts_with("data:")
            {
                continue;
            }
            let (path, frag) = url.split_once('#').unwrap_or((url, ""));
            let path = path.split('?').next().unwrap();
            let target = if path.is_empty() {
                rel.clone()
            } else if let Some(abs) = path.strip_prefix('/') {
                let rest = abs
                    .strip_prefix(base_path.trim_start_matches('/'))
                    .unwrap_or_else(|| panic!("{url} on {rel} is outside {base_path}"));
                rest.trim_start_matches('/').to_string()
            } else {
                let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
                for p in path.split('/') {
                    match p {
                        "." | "" => {}
                        ".." => {
                            parts
                                .pop()
                                .unwrap_or_else(|| panic!("{url} on {rel} leaves the site"));
                        }
                        p => parts.push(p),
                    }
                }
                parts.join("/") + if path.ends_with('/') { "/" } else { "" }
            };
            let target = percent_encoding::percent_decode_str(&target)
                .decode_utf8_lossy()
                .to_string();
            let file = if target.is_empty() || target.ends_with('/') {
                format!("{target}index.html")
            } else if public.join(&target).is_file() {
                target
            } else {
                format!("{target}/index.html")
            };
            assert!(public.join(&file).is_file(), "{url} on {rel}: no {file}");
            if !frag.is_empty()
                && frag != "top"
                && let Some((ids, _)) = pages.get(&file)
            {
                let frag = percent_encoding::percent_decode_str(frag).decode_utf8_lossy();
                assert!(
                    ids.iter().any(|i| *i == frag),
                    "{url} on {rel}: no id `{frag}` on {file}"
                );
            }
        }
    }
}

/// The site at `root` built through the disk sink (`output::Target`'s staging folder, as
/// `dossier build` writes it) into a fresh folder, read back as a `Site` (every file as
/// bytes; the manifest left out), or its diagnostics.
pub fn disk_build(
    root: &Path,
    opts: &dossier::site::BuildOptions,
) -> Result<dossier::site::Site, Vec<dossier::diagnostics::Diagnostic>> {
    use dossier::site::{self, Cache, PutSink, Relative, Sink};
    let out = tempfile::Builder::new()
        .prefix("dossier-disk-")
        .tempdir()
        .expect("temp dir");
    let dest = out.path().join("public");
    let target = dossier::output::Target::prepare(root, &dest, false).map_err(|d| vec![d])?;
    let mut inputs = dossier::content::load::Inputs::load(root)?;
    let (report, _) = target.write(|put| {
        let disk = PutSink(put);
        let (rel, base);
        let sink: &dyn Sink = if opts.model.relative {
            base = dossier::site::base_path(&inputs, opts);
            rel = Relative(&disk, &base);
            &rel
        } else {
            &disk
        };
        site::render(&mut inputs, opts, &mut Cache::disabled(), sink)
    })?;
    let files = snapshot(&dest)
        .into_iter()
        .filter(|(p, _)| p != ".dossier-output")
        .map(|(p, b)| (p, dossier::render::Output::Bytes(b.into())))
        .collect();
    Ok(dossier::site::Site {
        files,
        warnings: report.warnings,
    })
}

/// A file of a site as bytes (a file to copy read from disk).
pub fn output_bytes(o: &dossier::render::Output) -> Vec<u8> {
    match o {
        dossier::render::Output::Bytes(b) => b.to_vec(),
        dossier::render::Output::Copy(p) => fs::read(p).unwrap_or_default(),
    }
}

/// The search index a build wrote to `public` (search/), decoded.
pub struct SearchFiles {
    /// search/index.json.
    pub manifest: serde_json::Value,
    /// Document n (null: a number no document has), from the bundles search/d/b.dsi.
    pub docs: Vec<serde_json::Value>,
    /// Every word with the documents it is in (from every search/t/k.dsi).
    pub words: BTreeMap<String, Vec<u32>>,
}

impl SearchFiles {
    /// Read the index under `public`.
    pub fn read(public: &Path) -> SearchFiles {
        let dir = public.join("search");
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
        let n = manifest["n"].as_u64().unwrap() as usize;
        let g = manifest["bundle"].as_u64().unwrap() as usize;
        let mut docs = Vec::with_capacity(n);
        for b in 0..n.div_ceil(g) {
            let file = fs::read(dir.join(format!("d/{b}.dsi"))).unwrap();
            let bundle: Vec<serde_json::Value> = serde_json::from_slice(&gunzip(&file)).unwrap();
            assert!(bundle.len() <= g);
            docs.extend(bundle);
        }
        assert_eq!(docs.len(), n, "the bundles hold every number");
        let mut words = BTreeMap::new();
        for k in 0..manifest["chunks"].as_array().unwrap().len() {
            let chunk: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&gunzip(&fs::read(dir.join(format!("t/{k}.dsi"))).unwrap()))
                    .unwrap();
            for (w, ps) in chunk {
                let ps: Vec<u32> = ps
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as u32)
                    .collect();
                let mut d = 0;
                let docs: Vec<u32> = ps
                    .chunks(2)
                    .map(|p| {
                        d += p[0];
                        d
                    })
                    .collect();
                words.insert(w, docs);
            }
        }
        SearchFiles {
            manifest,
            docs,
            words,
        }
    }

    /// The URLs of the documents that have the (normalised) word `w`.
    pub fn urls_of(&self, w: &str) -> Vec<String> {
        self.words.get(w).map_or(Vec::new(), |ds| {
            ds.iter()
                .map(|&d| self.docs[d as usize]["u"].as_str().unwrap().to_string())
                .collect()
        })
    }

    /// Every document's title and text, one string each.
    pub fn texts(&self) -> Vec<String> {
        self.docs
            .iter()
            .map(|d| {
                if d.is_null() {
                    return String::new();
                }
                let mut s = d["t"].as_str().unwrap().to_string();
                for b in d["b"].as_array().unwrap() {
                    s.push(' ');
                    s.push_str(b[1].as_str().unwrap());
                    s.push(' ');
                    s.push_str(b[2].as_str().unwrap());
                }
                s
            })
            .collect()
    }
}

/// The bytes gzip-compressed in `bytes`.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}
