//! Property tests. Whatever a user writes, dossier's parsers return a value or a
//! diagnostic: never a panic, never a hang. Arbitrary strings and bytes, BOMs, CRLF, huge
//! inputs, deeply nested YAML and Markdown, YAML alias bombs.

mod common;

use dossier::content::frontmatter::{self, FrontMatter};
use dossier::content::load::Inputs;
use dossier::diagnostics::Diagnostic;
use dossier::markdown::{self, CiteItem, Env, Piece, PieceKind, References, Shortcode};
use dossier::site::{BuildOptions, Site as Built};
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

/// Strings rich in the characters the parsers care about.
fn markup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("---".to_string()),
        Just("---\r\n".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("[@".to_string()),
        Just("@".to_string()),
        Just("]".to_string()),
        Just("[".to_string()),
        Just(";".to_string()),
        Just(", ".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("{%".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("=".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        Just("`".to_string()),
        Just("```".to_string()),
        Just("    ".to_string()),
        Just("#".to_string()),
        Just("> ".to_string()),
        Just("- ".to_string()),
        Just("|".to_string()),
        Just("<".to_string()),
        Just("](@/".to_string()),
        Just("fig(id=".to_string()),
        Just("chart(".to_string()),
        Just("title: ".to_string()),
        Just("é".to_string()),
        Just("\u{E000}".to_string()),
        Just("\u{E001}".to_string()),
        Just("0".to_string()),
        "[a-z]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

struct NullEnv;

impl Env for NullEnv {
    fn resolve(&self, path: &str) -> Option<String> {
        path.len().is_multiple_of(2).then(|| format!("/{path}/"))
    }
    fn known_paths(&self) -> Vec<&str> {
        vec!["a.md", "b/_index.md"]
    }
    fn cite(&self, items: &[CiteItem], refs: &mut References, _: &mut Vec<Diagnostic>) -> Piece {
        let n: Vec<String> = items
            .iter()
            .map(|i| refs.number(&i.id, i.locator.as_deref()).to_string())
            .collect();
        Piece {
            html: format!("<sup>{}</sup>", n.join(",")),
            text: String::new(),
            kind: PieceKind::Citation,
        }
    }
    fn shortcode(&self, sc: &Shortcode, _: &mut References, _: &mut Vec<Diagnostic>) -> Piece {
        Piece {
            html: format!("<span>{}</span>", sc.name),
            text: sc.name.clone(),
            kind: PieceKind::Block,
        }
    }
}

/// A real site's inputs (default theme, sources, figures), loaded once.
static INPUTS: LazyLock<(tempfile::TempDir, Inputs)> = LazyLock::new(|| {
    let s = common::Site::new();
    let inputs = Inputs::load(s.root()).expect("fixture loads");
    (s.dir, inputs)
});

/// The whole pipeline with `text` as one more page of the fixture site.
fn build_with_page(text: String) -> Result<usize, Vec<Diagnostic>> {
    let mut inputs = INPUTS.1.clone();
    inputs.pages.insert("stories/fuzz.md".into(), text);
    Built::from_inputs(&mut inputs, &BuildOptions::default()).map(|s| s.files.len())
}

fn check_diagnostics(ds: &[Diagnostic]) {
    for d in ds {
        assert!(d.span.line >= 1 && d.span.col >= 1, "{d}");
        assert!(!d.message.is_empty(), "{d:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn split_never_panics(text in markup()) {
        if let Ok(s) = frontmatter::split(&text, Path::new("p.md")) {
            // The parts are pieces of the input, in order.
            prop_assert!(text.contains(s.yaml));
            prop_assert!(text.ends_with(s.body));
            prop_assert!(s.body_line > s.yaml_line);
            let _ = FrontMatter::parse(&s, Path::new("p.md"));
        }
    }

    #[test]
    fn split_of_arbitrary_strings(text in any::<String>()) {
        let _ = frontmatter::split(&text, Path::new("p.md"));
    }

    #[test]
    fn split_accepts_any_yaml_between_fences(yaml in markup(), body in markup(), crlf in any::<bool>(), bom in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        // No line of the YAML may itself be a fence: "----" -> "---" needs another pass.
        let mut yaml = yaml;
        while yaml.contains("---") {
            yaml = yaml.replace("---", "--");
        }
        let text = format!("{}---{nl}{yaml}{nl}---{nl}{body}", if bom { "\u{feff}" } else { "" });
        let s = frontmatter::split(&text, Path::new("p.md"));
        prop_assert!(s.is_ok(), "{text:?}");
        let s = s.unwrap();
        prop_assert_eq!(s.body, body.as_str());
        match FrontMatter::parse(&s, Path::new("p.md")) {
            Ok(fm) => prop_assert!(!fm.title.trim().is_empty()),
            Err(d) => check_diagnostics(&[d]),
        }
    }

    #[test]
    fn front_matter_model_on_near_valid_yaml(
        title in "[a-zA-Z \"':#-]{0,12}",
        key in prop_oneof![Just("date"), Just("weight"), Just("tags"), Just("figures"), Just("draft"), Just("extra"), Just("titel"), Just("sources")],
        value in prop_oneof![Just("2022-09-21"), Just("2022-13-01"), Just("[a, b]"), Just("{a: 1}"), Just("yes"), Just("-1"), Just("~"), Just("[{id: x, value: 1}]"), Just("&a [*a]"), Just("!!binary aGVsbG8=")],
    ) {
        let text = format!("---\ntitle: {title}\n{key}: {value}\n---\nbody\n");
        let s = frontmatter::split(&text, Path::new("p.md")).unwrap();
        if let Err(d) = FrontMatter::parse(&s, Path::new("p.md")) {
            check_diagnostics(std::slice::from_ref(&d));
            prop_assert!(d.span.line <= 4, "{d}");
        }
    }

    #[test]
    fn extract_tokens_never_panics(body in markup(), line in 1usize..1000) {
        let mut diags = Vec::new();
        let (out, tokens) = markdown::extract_tokens(&body, Path::new("p.md"), line, &mut diags);
        check_diagnostics(&diags);
        for d in &diags {
            prop_assert!(d.span.line >= line);
        }
        // Every token is cut from the input.
        for (_, raw) in &tokens {
            prop_assert!(body.contains(raw.as_str()));
        }
        if tokens.is_empty() {
            prop_assert_eq!(out, body);
        }
    }

    #[test]
    fn markdown_render_never_panics(body in markup()) {
        let mut diags = Vec::new();
        let r = markdown::render(&body, markdown::Source { path: "p.md", file: Path::new("p.md"), body_line: 3, exemptions: &[] }, &NullEnv, &mut diags);
        check_diagnostics(&diags);
        if !body.contains('\u{E000}') {
            prop_assert!(!r.html.contains('\u{E000}'), "placeholder leaked: {:?}", r.html);
        }
    }

    #[test]
    fn markdown_render_on_arbitrary_strings(body in any::<String>()) {
        let mut diags = Vec::new();
        markdown::render(&body, markdown::Source { path: "p.md", file: Path::new("p.md"), body_line: 1, exemptions: &[] }, &NullEnv, &mut diags);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn whole_page_pipeline_never_panics(body in markup(), fm in markup()) {
        let text = format!("---\ntitle: Fuzz\n{}\n---\n{body}", fm.replace("---", "--"));
        if let Err(ds) = build_with_page(text) {
            check_diagnostics(&ds);
        }
        if let Err(ds) = build_with_page(body) {
            check_diagnostics(&ds);
        }
    }

    #[test]
    fn whole_pipeline_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.md");
        std::fs::write(&file, &bytes).unwrap();
        match dossier::content::load::read_text(&file, "content/p.md") {
            Ok(text) => {
                if let Err(ds) = build_with_page(text) {
                    check_diagnostics(&ds);
                }
            }
            Err(d) => {
                prop_assert!(std::str::from_utf8(&bytes).is_err());
                check_diagnostics(&[d]);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Hostile inputs, one by one

#[test]
fn alias_bombs_are_refused() {
    let mut y = String::from(
        "---\ntitle: Bomb\nextra:\n  a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..12u8 {
        let (p, n) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        y.push_str(&format!(
            "  {n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    y.push_str("---\n");
    let s = frontmatter::split(&y, Path::new("p.md")).unwrap();
    let e = FrontMatter::parse(&s, Path::new("p.md")).unwrap_err();
    assert!(e.message.contains("repetition limit"), "{e}");
    let ds = build_with_page(y).unwrap_err();
    assert!(ds.iter().any(|d| d.message.contains("repetition limit")));
    // In sources.yaml too.
    let mut inputs = INPUTS.1.clone();
    let mut src = String::from("- &a {id: a, title: t, publisher: p, published: 2022-01-01}\n");
    src.push_str("- &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n");
    for (p, n) in [
        ('b', 'c'),
        ('c', 'd'),
        ('d', 'e'),
        ('e', 'f'),
        ('f', 'g'),
        ('g', 'h'),
    ] {
        src.push_str(&format!(
            "- &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    inputs.sources = Some(src);
    assert!(Built::from_inputs(&mut inputs, &BuildOptions::default()).is_err());
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_stack_overflow() {
    for (open, close) in [("[", "]"), ("{a: ", "}"), ("- ", "")] {
        let depth = 50_000;
        let nested = if open == "- " {
            (0..depth)
                .map(|i| format!("{}- ", "  ".repeat(i.min(200))))
                .collect::<String>()
        } else {
            format!("{}1{}", open.repeat(depth), close.repeat(depth))
        };
        let text = format!("---\ntitle: Deep\nextra:\n  x: {nested}\n---\n");
        let r = build_with_page(text);
        assert!(r.is_err(), "{open}");
    }
}

#[test]
fn deeply_nested_markdown_renders() {
    // All of these are valid Markdown (unclosed `{{` and `[@` are text): each page builds.
    for piece in ["> ", "- ", "1. ", "*", "[", "{{", "[@", "<div>", "`"] {
        let body = format!("{}text\n", piece.repeat(20_000));
        let text = format!("---\ntitle: Deep\n---\n{body}");
        let r = build_with_page(text);
        assert!(r.is_ok(), "{piece:?}: {:?}", r.err().map(|d| d.len()));
    }
}

#[test]
fn huge_inputs_finish() {
    // A 4 MB page of prose, citations, headings, code and tables.
    let block = "## Heading\n\nSome text with a citation [@src-a, para. 2] and [@src-b]. More *text*.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n";
    let body = block.repeat(4_000_000 / block.len());
    let text = format!("---\ntitle: Huge\n---\n{body}");
    assert!(build_with_page(text).is_ok());
    // One line of 2 MB without a newline, and a million unmatched openers (text).
    let r = build_with_page(format!(
        "---\ntitle: Line\n---\n{}",
        "word ".repeat(400_000)
    ));
    assert!(r.is_ok());
    let r = build_with_page(format!("---\ntitle: Open\n---\n{}", "[@a ".repeat(250_000)));
    assert!(r.is_ok());
    // 200,000 unclosed shortcodes: one error, at the first, and no more.
    let r = build_with_page(format!(
        "---\ntitle: Open\n---\n{}",
        "{{ x(".repeat(200_000)
    ));
    let errors = r.expect_err("an unclosed shortcode is an error");
    check_diagnostics(&errors);
    assert_eq!(
        errors.iter().filter(|d| d.is_error()).count(),
        1,
        "{:?}",
        errors.first()
    );
    // A front matter of 100,000 lines.
    let fm: String = (0..100_000).map(|i| format!("# comment {i}\n")).collect();
    assert!(build_with_page(format!("---\ntitle: Long\n{fm}---\nx\n")).is_ok());
}

#[test]
fn boms_and_crlf_are_accepted_everywhere() {
    let text = "\u{feff}---\r\ntitle: Windows\r\ntags: [a]\r\n---\r\n\r\n## Heading\r\n\r\nText [@src-a].\r\n";
    assert!(build_with_page(text.to_string()).is_ok());
    let s = frontmatter::split(text, Path::new("p.md")).unwrap();
    assert_eq!(s.body_line, 5);
}
