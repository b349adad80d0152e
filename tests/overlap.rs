//! The flagship in its own words: no run of 8 or more words of its text, outside quotation
//! marks, is shared with one of the archived articles it is built from (`../shared/seeds`
//! beside the repository). Words are compared lowercased, apostrophes dropped and other
//! punctuation read as a space. The text is each page's Markdown outside code, shortcodes,
//! citations, link targets and quotations ("…", “…”, '…', block quotes), and the
//! author's words in its front matter: `title`, `summary`, and the `subject`, `note`,
//! `inferred` and `why` of its figures and exemptions (a figure's `quote` and
//! `claimed_by` are the source's words and names by design).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

const RUN: usize = 8;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lowercase words: apostrophes dropped, any other non-alphanumeric character a break.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut w = String::new();
    for c in s.chars() {
        if c == '\'' || c == '’' || c == '‘' {
            continue;
        }
        if c.is_alphanumeric() {
            w.extend(c.to_lowercase());
        } else if !w.is_empty() {
            out.push(std::mem::take(&mut w));
        }
    }
    if !w.is_empty() {
        out.push(w);
    }
    out
}

/// A stretch of the site's own text, with the line it starts on.
struct Piece {
    line: usize,
    text: String,
}

/// Splits `s` at quotations, keeping what is outside them: double quotes toggle (straight)
/// or open and close (curly); a single quote opens after a non-letter and closes before
/// one (otherwise it is an apostrophe). `open` carries the state across the pieces of one
/// block.
fn outside_quotes(s: &str, open: &mut Option<char>) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut parts = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let opens = match c {
            '"' => open.is_none(),
            '“' => true,
            '\'' | '‘' => open.is_none() && !alnum(prev) && alnum(next),
            _ => false,
        };
        let closes = match (c, *open) {
            ('"', Some('"')) | ('”', Some(_)) => true,
            ('\'' | '’', Some('\'')) => !alnum(next),
            _ => false,
        };
        if open.is_none() && opens {
            *open = Some(if c == '“' || c == '"' { '"' } else { '\'' });
            parts.push(String::new());
        } else if open.is_some() && closes {
            *open = None;
        } else if open.is_none() {
            parts.last_mut().expect("one part at least").push(c);
        }
    }
    parts
}

/// Shortcodes (`{{ … }}`) and citations (`[@…]`) break a run, like quotations.
fn without_markup(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut rest = s;
    loop {
        let next = [rest.find("{{"), rest.find("[@")]
            .into_iter()
            .flatten()
            .min();
        let Some(i) = next else {
            out.last_mut().expect("one").push_str(rest);
            return out;
        };
        out.last_mut().expect("one").push_str(&rest[..i]);
        let close = if rest[i..].starts_with("{{") {
            "}}"
        } else {
            "]"
        };
        match rest[i..].find(close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => return out,
        }
        out.push(String::new());
    }
}

/// The prose of a Markdown body outside code, quotations and block quotes: each block's
/// text, split where a quotation, inline code or markup interrupts it (emphasis and line
/// breaks do not, so a run across them is found).
fn body_pieces(body: &str, first_line: usize) -> Vec<Piece> {
    // Inline code and raw HTML are not prose: they break a run.
    const BREAK: char = '\u{1}';
    let line_of = |offset: usize| first_line + body[..offset].matches('\n').count();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut block: Option<Piece> = None;
    let (mut in_code, mut in_blockquote) = (0usize, 0usize);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let line = line_of(range.start);
        let text = match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code += 1;
                None
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code -= 1;
                None
            }
            Event::Start(Tag::BlockQuote(_)) => {
                in_blockquote += 1;
                None
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                in_blockquote -= 1;
                None
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => {
                pieces.extend(block.take());
                None
            }
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => Some(BREAK.to_string()),
            Event::Text(t) if in_code == 0 && in_blockquote == 0 => Some(t.to_string()),
            Event::SoftBreak | Event::HardBreak => Some(" ".to_string()),
            _ => None,
        };
        if let Some(t) = text {
            block
                .get_or_insert_with(|| Piece {
                    line,
                    text: String::new(),
                })
                .text
                .push_str(&t);
        }
    }
    pieces.extend(block);
    let mut out = Vec::new();
    for b in pieces {
        let mut quote = None;
        for chunk in b.text.split(BREAK) {
            for part in without_markup(chunk) {
                for outside in outside_quotes(&part, &mut quote) {
                    out.push(Piece {
                        line: b.line,
                        text: outside,
                    });
                }
            }
        }
    }
    out
}

/// The author's words in the front matter, outside quotations, by key path.
fn front_pieces(yaml: &str) -> Vec<(String, String)> {
    const OWN: &[&str] = &["title", "summary", "subject", "note", "inferred", "why"];
    fn walk(v: &serde_yaml::Value, path: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    let key = k.as_str().unwrap_or_default();
                    let p = format!("{path}.{key}");
                    match v {
                        serde_yaml::Value::String(s) if OWN.contains(&key) => {
                            let mut open = None;
                            for part in outside_quotes(s, &mut open) {
                                out.push((p.clone(), part));
                            }
                        }
                        _ => walk(v, &p, out),
                    }
                }
            }
            serde_yaml::Value::Sequence(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).expect("front matter is YAML");
    let mut out = Vec::new();
    walk(&value, "", &mut out);
    out
}

/// Every run of `RUN` words of the seeds, and which seed has it.
fn seed_runs(dir: &Path) -> HashMap<Vec<String>, String> {
    let mut runs = HashMap::new();
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("the seeds folder reads")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in files {
        let text = fs::read_to_string(&f).expect("a seed is text");
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for w in words(&text).windows(RUN) {
            runs.entry(w.to_vec()).or_insert_with(|| name.clone());
        }
    }
    runs
}

/// The shared runs of one stretch of text, each as its longest run of words.
fn shared(text: &str, runs: &HashMap<Vec<String>, String>) -> Vec<(String, String)> {
    let w = words(text);
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i + RUN <= w.len() {
        let Some(seed) = runs.get(&w[i..i + RUN]) else {
            i += 1;
            continue;
        };
        let mut end = i + RUN;
        while end < w.len() && runs.contains_key(&w[end + 1 - RUN..=end]) {
            end += 1;
        }
        out.push((w[i..end].join(" "), seed.clone()));
        i = end;
    }
    out
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("content/ reads")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

/// Every shared run of the site at `root` with the seeds at `seeds`, as "file:line: words
/// (seed)", the line being the one its paragraph (or heading, list item) starts on.
fn copied(root: &Path, seeds: &Path) -> Vec<String> {
    let runs = seed_runs(seeds);
    let mut files = Vec::new();
    markdown_files(&root.join("content"), &mut files);
    assert!(!files.is_empty(), "no Markdown under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("a page reads");
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let (yaml, body, body_line) = match text.strip_prefix("---\n") {
            Some(rest) => {
                let end = rest.find("\n---\n").expect("front matter ends");
                let yaml = &rest[..end];
                (yaml, &rest[end + 5..], yaml.matches('\n').count() + 4)
            }
            None => ("", text.as_str(), 1),
        };
        if !yaml.is_empty() {
            for (path, part) in front_pieces(yaml) {
                for (run, seed) in shared(&part, &runs) {
                    found.push(format!("{rel} (front matter {path}): \"{run}\" ({seed})"));
                }
            }
        }
        // Pieces of one line and block are compared as one text, so a run that spans
        // emphasis or a line break is still found; pieces split at a quotation are not.
        let mut seen = HashSet::new();
        for p in body_pieces(body, body_line) {
            for (run, seed) in shared(&p.text, &runs) {
                let line = format!("{rel}:{}: \"{run}\" ({seed})", p.line);
                if seen.insert(line.clone()) {
                    found.push(line);
                }
            }
        }
    }
    found
}

#[test]
fn the_flagship_shares_no_run_of_eight_words_with_its_sources() {
    let seeds = repo().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!(
            "SKIPPED: the archived articles are not at {} (the check needs ../shared/seeds beside the repository)",
            seeds.display()
        );
        return;
    }
    let found = copied(&repo(), &seeds);
    assert!(
        found.is_empty(),
        "{} run(s) of {RUN} or more words shared with the archived articles, outside quotation marks (rewrite them, or quote and attribute):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_copied_run_and_leaves_quotations_alone() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seeds = dir.path().join("seeds");
    fs::create_dir_all(&seeds).unwrap();
    fs::write(
        seeds.join("a.txt"),
        "Russian men desperate to avoid deployment to the front lines are seeking haven abroad.",
    )
    .unwrap();
    let site = dir.path().join("site");
    fs::create_dir_all(site.join("content")).unwrap();
    let page = |body: &str, subject: &str| {
        format!(
            "---\ntitle: T\nfigures:\n  - id: f\n    subject: {subject}\n    quote: \"Russian men desperate to avoid deployment to the front lines\"\n---\n\n{body}\n"
        )
    };
    // Quoted (straight, curly, single), in code, in a block quote, split by a citation or
    // a shortcode, or in a figure's quote: none of it counts.
    fs::write(
        site.join("content/a.md"),
        page(
            "They were \"Russian men desperate to avoid deployment to the front lines\", and “Russian men desperate to avoid deployment to the front lines”, or 'Russian men desperate to avoid deployment to the front lines'.\n\n`Russian men desperate to avoid deployment to the front lines`\n\n> Russian men desperate to avoid deployment to the front lines\n\nRussian men desperate [@a] to avoid deployment to the front lines. Russian men desperate to {{ fig(id=\"f\") }} avoid deployment to the front lines.",
            "Men leaving",
        ),
    )
    .unwrap();
    assert_eq!(copied(&site, &seeds), Vec::<String>::new());
    // In prose, across emphasis and a line break, and in a figure's subject: found.
    fs::write(
        site.join("content/a.md"),
        page(
            "Some were *Russian men* desperate to avoid\ndeployment to the front lines, it seemed.",
            "Russian men desperate to avoid deployment to the front lines",
        ),
    )
    .unwrap();
    let found = copied(&site, &seeds);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("front matter .figures[0].subject"),
        "{}",
        found[0]
    );
    assert!(
        found[1].starts_with(
            "content/a.md:9: \"russian men desperate to avoid deployment to the front lines\""
        ),
        "{}",
        found[1]
    );
}
