//! Zola's template functions that read outside a template's context: `load_data` (CSV,
//! JSON, YAML, plain text, confined to the site's folder, each file read once), `now`
//! (`SOURCE_DATE_EPOCH`), `get_url`, `get_page`, `get_section`, `get_taxonomy` and
//! `get_taxonomy_url`, their errors at the template's line, and `serve`, which must not
//! reuse a render of a template that calls them.

mod common;

use common::Site;
use std::process::Command;

/// The site's page.html: the theme's, with `snippet` at the start of its content between
/// markers that `shown` finds.
fn page_with(site: &Site, snippet: &str) {
    let theme = site.read_src("themes/default/templates/page.html");
    let at = "{% block content %}";
    let page = theme.replacen(at, &format!("{at}<!--tf-->{snippet}<!--/tf-->"), 1);
    assert_ne!(page, theme);
    site.write("templates/page.html", &page);
}

/// What the snippet rendered to in the page `rel` of public/.
fn shown(site: &Site, rel: &str) -> String {
    let html = site.out(rel);
    let start = html.find("<!--tf-->").expect("the snippet's start") + "<!--tf-->".len();
    let end = html.find("<!--/tf-->").expect("the snippet's end");
    html[start..end].to_string()
}

/// The line of templates/page.html the snippet is on.
fn snippet_line(site: &Site) -> usize {
    let page = site.read_src("templates/page.html");
    page[..page.find("<!--tf-->").unwrap()].lines().count()
}

const ONE: &str = "stories/one/index.html";

#[test]
fn load_data_reads_csv_json_yaml_and_text() {
    let site = Site::new();
    site.write("data/t.csv", "name,n\nAlma,1\n\"B, c\",2\n");
    site.write("data/t.json", r#"{"a": [1, 2], "b": {"c": "d"}}"#);
    site.write("data/t.yaml", "a:\n  - x\n  - y\nb: 3\n");
    site.write("data/t.txt", "plain <text>\n");
    site.write("data/t.data", "x,y\n1,2\n");
    page_with(
        &site,
        r#"{% set c = load_data(path="data/t.csv") %}{{ c.headers | join(sep="|") }};{% for r in c.records %}{{ r | join(sep="|") }};{% endfor %}
{% set j = load_data(path="data/t.json") %}{{ j.a | length }}:{{ j.b.c }}
{% set y = load_data(path="data/t.yaml") %}{{ y.a | join(sep="+") }}:{{ y.b }}
{{ load_data(path="data/t.txt") }}
{% set f = load_data(path="data/t.data", format="csv") %}{{ f.records[0][1] }}"#,
    );
    site.build_ok(&[]);
    assert_eq!(
        shown(&site, ONE),
        "name|n;Alma|1;B, c|2;\n2:d\nx+y:3\nplain &lt;text&gt;\n\n2"
    );
}

#[test]
fn load_data_stays_inside_the_site() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            outer.path().join("secret.txt").display().to_string(),
            "is an absolute path",
        ),
        ("../secret.txt".to_string(), "is outside the site's folder"),
        (
            "data/../../secret.txt".to_string(),
            "is outside the site's folder",
        ),
        ("data/link.txt".to_string(), "is outside the site's folder"),
        (
            "data/missing.csv".to_string(),
            "cannot read `data/missing.csv`",
        ),
    ];
    for (path, message) in cases {
        let site = Site::new();
        site.write("data/keep.txt", "kept");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outer.path().join("secret.txt"), site.path("data/link.txt"))
            .unwrap();
        page_with(&site, &format!(r#"{{{{ load_data(path="{path}") }}}}"#));
        let r = site.build(&[]);
        r.assert_fails().err_has(message).err_has("hint:");
        let line = snippet_line(&site);
        r.err_has(&format!("templates/page.html:{line}:"));
        assert!(!r.stderr.contains("secret\n"), "{}", r.stderr);
    }
}

#[test]
fn load_data_reports_a_bad_file_and_an_unknown_format() {
    let site = Site::new();
    site.write("data/t.json", "{\"a\": ");
    page_with(&site, r#"{{ load_data(path="data/t.json") }}"#);
    let r = site.build(&[]);
    r.assert_fails()
        .err_has("load_data(path=\"data/t.json\"): EOF")
        .err_has("hint: the file is read as json");
    r.err_has(&format!("templates/page.html:{}:", snippet_line(&site)));

    page_with(
        &site,
        r#"{{ load_data(path="data/t.json", format="jsn") }}"#,
    );
    site.build(&[])
        .assert_fails()
        .err_has("unknown format `jsn`")
        .err_has("did you mean `json`?");
}

fn build_with_epoch(site: &Site, epoch: Option<&str>) -> common::Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
    cmd.arg("build")
        .current_dir(site.root())
        .env("TZ", "UTC")
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    let out = cmd.output().unwrap();
    common::Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn now_honours_source_date_epoch() {
    let site = Site::new();
    page_with(
        &site,
        r#"{{ now(timestamp=true) }}|{{ now(utc=true) }}|{{ now() }}"#,
    );
    build_with_epoch(&site, Some("1700000000")).assert_ok();
    assert_eq!(
        shown(&site, ONE),
        "1700000000|2023-11-14T22:13:20+00:00|2023-11-14T22:13:20+00:00"
    );
    build_with_epoch(&site, None).assert_ok();
    let unset = shown(&site, ONE);
    let secs: i64 = unset.split('|').next().unwrap().parse().unwrap();
    assert!(secs > 1_700_000_000, "{unset}");

    let r = build_with_epoch(&site, Some("yesterday"));
    r.assert_fails()
        .err_has("SOURCE_DATE_EPOCH is `yesterday`")
        .err_has(&format!("templates/page.html:{}:", snippet_line(&site)));
}

fn bytes(o: &dossier::render::Output) -> Vec<u8> {
    match o {
        dossier::render::Output::Bytes(b) => b.to_vec(),
        dossier::render::Output::Copy(f) => std::fs::read(f).unwrap(),
    }
}

/// `serve` after `edit`: the page that shows another file through `load_data` shows the new
/// text, and the whole site equals a full build, byte for byte.
#[test]
fn serve_renders_again_a_page_that_reads_another_file() {
    use dossier::serve::rebuild::{How, Rebuilder};
    use dossier::site::BuildOptions;
    let site = Site::new();
    page_with(
        &site,
        r#"{% if page.slug == "one" %}{% set t = load_data(path="content/stories/two.md") %}{{ t | length }}:{{ "Edited words" in t }}{% endif %}"#,
    );
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(site.root(), opts.clone());
    rb.build_all().unwrap();
    for (step, extra) in ["\nEdited words.\n", "\nEdited words, again.\n"]
        .iter()
        .enumerate()
    {
        let rel = "content/stories/two.md".to_string();
        let two = site.read_src(&rel);
        site.write(&rel, &format!("{two}{extra}"));
        let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
        assert_ne!(o.how, How::Patched, "{}", o.summary());
        let served = o.result.unwrap();
        let full = common::disk_build(site.root(), &opts).unwrap();
        let key = "stories/one/index.html";
        let html = String::from_utf8(bytes(&served.files[key])).unwrap();
        let len = site.read_src(&rel).chars().count();
        assert!(
            html.contains(&format!("<!--tf-->{len}:true<!--/tf-->")),
            "step {step}: {}",
            &html[html.find("<!--tf-->").unwrap()..][..40]
        );
        let a: Vec<&String> = served.files.keys().collect();
        let b: Vec<&String> = full.files.keys().collect();
        assert_eq!(a, b, "step {step}");
        for (path, out) in &served.files {
            assert!(
                bytes(out) == bytes(&full.files[path]),
                "step {step}: {path} differs from a full build"
            );
        }
    }
}

#[test]
fn get_url_gives_a_page_s_url_and_a_site_path_under_the_base_path() {
    let site = Site::new();
    page_with(
        &site,
        r#"{{ get_url(path="@/stories/two.md") }}|{{ get_url(path="@/_index.md") }}|{{ get_url(path="/style.css") }}|{{ get_url(path="about", trailing_slash=true) }}|{{ get_url(path="about/", trailing_slash=true) }}"#,
    );
    site.build_ok(&[]);
    assert_eq!(
        shown(&site, ONE),
        "/sub/stories/two/|/sub/|/sub/style.css|/sub/about/|/sub/about/"
    );

    page_with(&site, r#"{{ get_url(path="@/stories/tow.md") }}"#);
    let r = site.build(&[]);
    r.assert_fails()
        .err_has("get_url: no page `@/stories/tow.md`")
        .err_has("did you mean `@/stories/two.md`?")
        .err_has(&format!("templates/page.html:{}:", snippet_line(&site)));
}

#[test]
fn get_page_and_get_section_give_the_objects_of_page_and_section_html() {
    let site = Site::new();
    page_with(
        &site,
        r#"{% set p = get_page(path="stories/two.md") %}{{ p.title }}|{{ p.url }}|{{ p.path }}|{% for t in p.tags %}{{ t.name }}={{ t.url }},{% endfor %}|{{ "Cited twice" in p.content }}|{{ p.references | length }}
{% set s = get_section(path="stories/_index.md") %}{{ s.title }}|{{ s.url }}|{% for q in s.pages %}{{ q.title }}@{{ q.url }},{% endfor %}|{{ "All the stories" in s.content }}
{% set home = get_section(path="_index.md") %}{{ home.subsections | length }}"#,
    );
    site.build_ok(&[]);
    assert_eq!(
        shown(&site, ONE),
        "Story two|/sub/stories/two/|stories/two.md|Borders=/sub/tags/borders/,Queues=/sub/tags/queues/,|true|2
Stories|/sub/stories/|Story two@/sub/stories/two/,Story one@/sub/stories/one/,|true
1"
    );
}

#[test]
fn get_taxonomy_gives_its_terms_and_their_pages_and_get_taxonomy_url_a_term_s_url() {
    let site = Site::new();
    page_with(
        &site,
        r#"{% set t = get_taxonomy(kind="tags") %}{{ t.kind.name }}|{{ t.kind.slug }}|{{ t.kind.title }}|{% for i in t.items %}{{ i.name }}={{ i.slug }}@{{ i.url }}:{% for q in i.pages %}{{ q.title }},{% endfor %};{% endfor %}
{{ get_taxonomy_url(kind="tags", name="Queues") }}|{{ get_taxonomy_url(kind="places", name="Kazakhstan") }}"#,
    );
    site.build_ok(&[]);
    assert_eq!(
        shown(&site, ONE),
        "tags|tags|Tags|Borders=borders@/sub/tags/borders/:Story one,Story two,;Queues=queues@/sub/tags/queues/:Story two,;
/sub/tags/queues/|/sub/places/kazakhstan/"
    );
}

#[test]
fn get_page_get_section_and_get_taxonomy_report_what_they_do_not_know() {
    let cases = [
        (
            r#"{% set p = get_page(path="stories/tow.md") %}{{ p.title }}"#,
            "get_page: no page `stories/tow.md`",
            "did you mean `stories/two.md`?",
        ),
        (
            r#"{% set p = get_page(path="stories/_index.md") %}{{ p.title }}"#,
            "get_page: `stories/_index.md` is a section",
            "call get_section(path=\"stories/_index.md\")",
        ),
        (
            r#"{% set s = get_section(path="storie/_index.md") %}{{ s.title }}"#,
            "get_section: no section `storie/_index.md`",
            "did you mean `stories/_index.md`?",
        ),
        (
            r#"{% set t = get_taxonomy(kind="tag") %}{{ t.kind.title }}"#,
            "get_taxonomy: no taxonomy `tag`",
            "did you mean `tags`?",
        ),
        (
            r#"{{ get_taxonomy_url(kind="tags", name="Queue") }}"#,
            "get_taxonomy_url: no term of tags `Queue`",
            "did you mean `Queues`?",
        ),
    ];
    for (snippet, message, hint) in cases {
        let site = Site::new();
        page_with(&site, snippet);
        let r = site.build(&[]);
        r.assert_fails()
            .err_has(message)
            .err_has(&format!("hint: {hint}"))
            .err_has(&format!("templates/page.html:{}:", snippet_line(&site)));
    }
}

/// `serve` after another page's title is edited: the page that shows it through `get_page`
/// shows the new title, and the whole site equals a full build, byte for byte.
#[test]
fn serve_renders_again_a_page_that_shows_another_page_through_get_page() {
    use dossier::serve::rebuild::{How, Rebuilder};
    use dossier::site::BuildOptions;
    let site = Site::new();
    page_with(
        &site,
        r#"{% if page.slug == "one" %}{% set two = get_page(path="stories/two.md") %}{{ two.title }}{% endif %}"#,
    );
    let opts = BuildOptions {
        live_reload: true,
        ..Default::default()
    };
    let mut rb = Rebuilder::new(site.root(), opts.clone());
    rb.build_all().unwrap();
    for (step, title) in ["Story two, edited", "Story two, again"].iter().enumerate() {
        let rel = "content/stories/two.md".to_string();
        let two = site.read_src(&rel);
        let old = two
            .lines()
            .find(|l| l.starts_with("title: "))
            .unwrap()
            .to_string();
        site.write(&rel, &two.replacen(&old, &format!("title: {title}"), 1));
        let o = rb.apply(std::slice::from_ref(&rel)).unwrap();
        assert_ne!(o.how, How::Patched, "{}", o.summary());
        let served = o.result.unwrap();
        let full = common::disk_build(site.root(), &opts).unwrap();
        let html = String::from_utf8(bytes(&served.files[ONE])).unwrap();
        assert!(
            html.contains(&format!("<!--tf-->{title}<!--/tf-->")),
            "step {step}: {}",
            &html[html.find("<!--tf-->").unwrap()..][..40]
        );
        let a: Vec<&String> = served.files.keys().collect();
        let b: Vec<&String> = full.files.keys().collect();
        assert_eq!(a, b, "step {step}");
        for (path, out) in &served.files {
            assert!(
                bytes(out) == bytes(&full.files[path]),
                "step {step}: {path} differs from a full build"
            );
        }
    }
}
