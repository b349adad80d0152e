//! A new site from nothing: `dossier init`, the built-in theme, `dossier theme eject`, a
//! site without a home page. The real binary, in temp folders, with HOME set to one too.

mod common;

use common::{BIN, assert_links_resolve, comparable, manifest_dir, snapshot};
use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// `dossier ARGS` in `cwd`, with a temp HOME: (exit code, stderr).
fn dossier(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("HOME", home.path())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

/// `dossier ARGS`, which must succeed; its stderr.
fn ok(cwd: &Path, args: &[&str]) -> String {
    let (code, stderr) = dossier(cwd, args);
    assert_eq!(code, Some(0), "dossier {args:?} failed:\n{stderr}");
    stderr
}

/// A new site made by `dossier init site` in a temp folder; the folder and the site's path.
fn new_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "site"]);
    let site = tmp.path().join("site");
    (tmp, site)
}

/// Every file of dossier's own themes/default/, by path.
fn repository_theme() -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot(&manifest_dir().join("themes/default"))
}

#[test]
fn init_then_build_makes_a_browsable_site_that_passes_the_link_check() {
    let tmp = tempfile::tempdir().unwrap();
    let said = ok(tmp.path(), &["init", "site"]);
    let site = tmp.path().join("site");
    for f in [
        "site.yaml",
        "content/_index.md",
        "content/sources.yaml",
        "content/stories/example.md",
        ".gitignore",
    ] {
        assert!(site.join(f).is_file(), "no {f}");
        assert!(said.contains(&format!("created site/{f}")), "{said}");
    }
    assert!(!site.join("themes").exists(), "the theme is built in");
    assert!(
        fs::read_to_string(site.join(".gitignore"))
            .unwrap()
            .lines()
            .any(|l| l == "/public/")
    );

    let built = ok(tmp.path(), &["build", "--root", "site"]);
    assert!(!built.contains("warning"), "{built}");
    let public = site.join("public");
    assert_links_resolve(&public, "");
    // The example story's figure is verified against the archived article, and cited.
    let story = fs::read_to_string(public.join("stories/example/index.html")).unwrap();
    assert!(story.contains("badge-verified"), "{story}");
    assert!(story.contains("id=\"references\""), "{story}");
    assert!(story.contains(">12,400<"), "{story}");
    let home = fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("href=\"/stories/example/\""), "{home}");
    // The built-in theme's files are the repository's, byte for byte.
    for (path, bytes) in repository_theme() {
        if let Some(name) = path.strip_prefix("static/") {
            assert_eq!(fs::read(public.join(name)).unwrap(), bytes, "{name}");
        }
    }
    ok(tmp.path(), &["check", "--root", "site"]);
}

#[test]
fn init_in_the_current_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init"]);
    ok(tmp.path(), &["build"]);
    assert_links_resolve(&tmp.path().join("public"), "");
}

#[test]
fn init_never_overwrites_and_names_what_is_in_the_way() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    fs::create_dir_all(site.join("content")).unwrap();
    fs::write(site.join("site.yaml"), "title: Mine\n").unwrap();
    fs::write(site.join("content/_index.md"), "my home page").unwrap();
    fs::write(site.join("notes.txt"), "mine too").unwrap();
    let before = snapshot(&site);

    let (code, stderr) = dossier(tmp.path(), &["init", "site"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("site/content/_index.md, site/site.yaml already exist"),
        "{stderr}"
    );
    assert!(stderr.contains("never overwrites"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    // Nothing was written, not even the files that were free.
    assert_eq!(snapshot(&site), before);

    // Only .gitignore in the way: still refused, by name.
    let other = tmp.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join(".gitignore"), "target/\n").unwrap();
    let (code, stderr) = dossier(tmp.path(), &["init", "other"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("other/.gitignore already exists"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(other.join(".gitignore")).unwrap(),
        "target/\n"
    );
    assert!(!other.join("site.yaml").exists());
}

#[test]
fn init_keeps_unrelated_files_of_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("README.md"), "my project").unwrap();
    ok(tmp.path(), &["init"]);
    assert_eq!(
        fs::read_to_string(tmp.path().join("README.md")).unwrap(),
        "my project"
    );
    assert!(tmp.path().join("site.yaml").is_file());
}

#[test]
fn eject_writes_the_built_in_theme_and_builds_the_same_bytes() {
    let (tmp, site) = new_site();
    ok(tmp.path(), &["build", "--root", "site"]);
    let built_in = comparable(snapshot(&site.join("public")));

    let said = ok(tmp.path(), &["theme", "eject", "--root", "site"]);
    assert!(said.contains("site/themes/default"), "{said}");
    assert_eq!(snapshot(&site.join("themes/default")), repository_theme());
    let names: Vec<String> = fs::read_dir(site.join("themes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["default"], "no staging folder is left behind");

    ok(tmp.path(), &["build", "--root", "site"]);
    assert_eq!(comparable(snapshot(&site.join("public"))), built_in);

    // The ejected copy is the theme now: an edit to it shows.
    let css = site.join("themes/default/static/style.css");
    let mut f = fs::OpenOptions::new().append(true).open(&css).unwrap();
    f.write_all(b"\n/* ejected and edited */\n").unwrap();
    ok(tmp.path(), &["build", "--root", "site"]);
    let out = fs::read_to_string(site.join("public/style.css")).unwrap();
    assert!(out.ends_with("/* ejected and edited */\n"));

    // A second eject is refused and changes nothing.
    let before = snapshot(&site.join("themes"));
    let (code, stderr) = dossier(tmp.path(), &["theme", "eject", "--root", "site"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("site/themes/default already exists"),
        "{stderr}"
    );
    assert_eq!(snapshot(&site.join("themes")), before);
}

#[test]
fn eject_needs_a_site() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr) = dossier(tmp.path(), &["theme", "eject"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no site.yaml in ."), "{stderr}");
    assert!(!tmp.path().join("themes").exists());
}

#[test]
fn a_site_s_templates_override_the_built_in_theme_file_by_file() {
    let (tmp, site) = new_site();
    fs::create_dir_all(site.join("templates")).unwrap();
    fs::write(
        site.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Lost, sorry.</p>{% endblock content %}",
    )
    .unwrap();
    ok(tmp.path(), &["build", "--root", "site"]);
    let lost = fs::read_to_string(site.join("public/404.html")).unwrap();
    assert!(lost.contains("<p>Lost, sorry.</p>"), "{lost}");
    // base.html is still the built-in one.
    assert!(lost.contains("class=\"site-header\""), "{lost}");
    assert_links_resolve(&site.join("public"), "");
}

#[test]
fn an_error_in_a_site_template_over_the_built_in_theme_is_placed_in_the_site_s_file() {
    // A site template that extends the built-in base.html, with a typo.
    let (tmp, site) = new_site();
    fs::create_dir_all(site.join("templates")).unwrap();
    fs::write(
        site.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}{{ sitte.title }}{% endblock content %}",
    )
    .unwrap();
    let (code, stderr) = dossier(tmp.path(), &["build", "--root", "site"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("templates/404.html:1:"), "{stderr}");
}

#[test]
fn an_unknown_theme_lists_the_built_in_one() {
    let (tmp, site) = new_site();
    let yaml = fs::read_to_string(site.join("site.yaml")).unwrap();
    fs::write(
        site.join("site.yaml"),
        yaml.replace("theme: default", "theme: fancy"),
    )
    .unwrap();
    let (code, stderr) = dossier(tmp.path(), &["build", "--root", "site"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: theme `fancy` not found in themes/"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: available themes: default (built in)"),
        "{stderr}"
    );
}

#[test]
fn a_themes_default_that_is_not_a_theme_says_it_stands_in_for_the_built_in_one() {
    let (tmp, site) = new_site();
    fs::create_dir_all(site.join("themes")).unwrap();
    // A file (or a dangling link) named themes/default.
    fs::write(site.join("themes/default"), "").unwrap();
    let (code, stderr) = dossier(tmp.path(), &["build", "--root", "site"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("themes/default:1:1: error: `themes/default` is not a folder"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: remove `themes/default` to use the built-in theme"),
        "{stderr}"
    );
    assert!(!stderr.contains("available themes: default"), "{stderr}");

    // A folder with only a stylesheet in it: the whole built-in theme is gone, and the
    // build says why, beside the missing templates.
    fs::remove_file(site.join("themes/default")).unwrap();
    fs::create_dir_all(site.join("themes/default/static")).unwrap();
    fs::write(site.join("themes/default/static/extra.css"), "p {}\n").unwrap();
    let (code, stderr) = dossier(tmp.path(), &["build", "--root", "site"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("themes/default:1:1: warning: `themes/default/` has no templates/"),
        "{stderr}"
    );
    assert!(stderr.contains("dossier theme eject"), "{stderr}");
    assert!(stderr.contains("missing template"), "{stderr}");

    // An ejected theme has templates: no such warning.
    fs::remove_dir_all(site.join("themes")).unwrap();
    ok(tmp.path(), &["theme", "eject", "--root", "site"]);
    let built = ok(tmp.path(), &["build", "--root", "site"]);
    assert!(!built.contains("warning"), "{built}");
}

#[test]
fn a_site_without_a_home_page_builds_with_a_warning_that_says_how_to_add_one() {
    let (tmp, site) = new_site();
    fs::remove_file(site.join("content/_index.md")).unwrap();
    let said = ok(tmp.path(), &["build", "--root", "site"]);
    assert!(
        said.contains("content/_index.md:1:1: warning: the site has no home page"),
        "{said}"
    );
    assert!(said.contains("hint: create content/_index.md"), "{said}");
    let public = site.join("public");
    let home = fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("<h1>My dossier</h1>"), "{home}");
    // The top-level section is still in the menu and on the home page.
    assert!(home.contains("href=\"/stories/\""), "{home}");
    assert_links_resolve(&public, "");
    // `check` says so too.
    let (code, checked) = dossier(tmp.path(), &["check", "--root", "site"]);
    assert_eq!(code, Some(0), "{checked}");
    assert!(checked.contains("has no home page"), "{checked}");
}

fn get(port: u16, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(common::WAIT)).unwrap();
    write!(
        s,
        // HTTP/1.0: the body comes whole, not chunked.
        "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string())
}

#[test]
fn serve_follows_the_theme_from_built_in_to_ejected_and_back_and_the_home_page() {
    let (tmp, site) = new_site();
    let server = common::start_serve(&site, &[]);
    let port = server.port;
    let built_in = String::from_utf8(repository_theme()["static/style.css"].clone()).unwrap();
    assert_eq!(get(port, "/style.css"), built_in);

    ok(tmp.path(), &["theme", "eject", "--root", "site"]);
    let css = site.join("themes/default/static/style.css");
    fs::write(&css, format!("{built_in}\n/* mine */\n")).unwrap();
    common::eventually("the ejected theme's stylesheet", || {
        get(port, "/style.css").ends_with("/* mine */\n")
    });
    fs::remove_dir_all(site.join("themes")).unwrap();
    common::eventually("the built-in stylesheet again", || {
        get(port, "/style.css") == built_in
    });

    fs::remove_file(site.join("content/_index.md")).unwrap();
    common::eventually("the default home page", || {
        let home = get(port, "/");
        home.contains("<h1>My dossier</h1>") && !home.contains("example story</a>: it cites")
    });
    let said = || server.stderr.lock().unwrap().clone();
    common::eventually("the warning", || said().contains("has no home page"));
    // A home page again, with the default one's front matter: the warning goes too.
    let before = said().len();
    fs::write(
        site.join("content/_index.md"),
        "---\ntitle: My dossier\n---\n\nHello again.\n",
    )
    .unwrap();
    common::eventually("the new home page", || {
        get(port, "/").contains("Hello again.")
    });
    common::eventually("the rebuild's report", || {
        said()[before..].contains("content/_index.md changed: rebuilt")
    });
    let report = said()[before..].to_string();
    assert!(!report.contains("has no home page"), "{report}");
}
