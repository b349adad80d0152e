//! Fenced code, highlighted by syntect into a few short token classes (`hl-k` keyword,
//! `hl-s` string, ... as Pygments and Chroma name them), one flat span per run of one
//! class, and the stylesheet that colours those classes from the site's highlight theme.
//!
//! syntect's own class output nests a span per scope with a class per scope atom
//! (`<span class="hl-punctuation hl-definition hl-string hl-begin hl-json">`): about four
//! times the bytes for the same colours.

use crate::html::escape;
use std::fmt::Write;
use std::sync::LazyLock;
use syntect::highlighting::{FontStyle, Highlighter, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};

/// The grammars, loaded once and shared by every thread.
pub static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
/// The prefix of every highlighting class.
pub const HIGHLIGHT_CLASS_PREFIX: &str = "hl-";

/// The token classes, most specific first: a token takes the first class one of whose
/// scopes is a prefix of a scope on its stack; each class is coloured as the theme colours
/// its first scope. A token of no class (punctuation, plain names) is left plain.
const CLASSES: &[(&str, &[&str])] = &[
    ("c", &["comment"]),
    ("s", &["string", "markup.raw"]),
    ("m", &["constant.numeric"]),
    ("kc", &["constant.language"]),
    ("bp", &["variable.language"]),
    ("o", &["keyword.operator"]),
    ("k", &["keyword", "storage.modifier"]),
    ("kt", &["storage.type", "storage"]),
    (
        "nf",
        &[
            "entity.name.function",
            "support.function",
            "meta.function-call",
        ],
    ),
    ("nt", &["entity.name.tag"]),
    ("na", &["entity.other.attribute-name"]),
    (
        "nc",
        &[
            "entity.name",
            "support.type",
            "support.class",
            "entity.other.inherited-class",
        ],
    ),
    ("nb", &["support", "constant.other", "constant.character"]),
    (
        "nv",
        &["variable.parameter", "variable.other.member", "variable"],
    ),
    ("gh", &["markup.heading"]),
    ("gs", &["markup.bold"]),
    ("ge", &["markup.italic"]),
    ("gu", &["markup.underline.link", "markup.underline"]),
    ("gd", &["markup.deleted"]),
    ("gi", &["markup.inserted"]),
    ("l", &["constant"]),
];

static SCOPES: LazyLock<Vec<(&'static str, Vec<Scope>)>> = LazyLock::new(|| {
    CLASSES
        .iter()
        .map(|(class, scopes)| {
            let scopes = scopes
                .iter()
                .map(|s| Scope::new(s).expect("a valid scope"))
                .collect();
            (*class, scopes)
        })
        .collect()
});

/// The class of a token whose scopes are `stack`.
fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    SCOPES.iter().find_map(|(class, prefixes)| {
        stack
            .as_slice()
            .iter()
            .any(|s| prefixes.iter().any(|p| p.is_prefix_of(*s)))
            .then_some(*class)
    })
}

/// A fenced code block as HTML, highlighted if its language is known.
pub fn highlight(src: &str, lang: Option<&str>) -> String {
    let syntax = lang.and_then(|l| SYNTAXES.find_syntax_by_token(l));
    let lang_attr = lang
        .map(|l| format!(" data-lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    let body = match syntax {
        Some(syntax) => spans(src, ParseState::new(syntax)).unwrap_or_else(|| escape(src)),
        None => escape(src),
    };
    format!("<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{body}</code></pre>\n")
}

/// The code as flat spans of one class each (None if the grammar fails on it).
fn spans(src: &str, mut state: ParseState) -> Option<String> {
    let mut out = String::with_capacity(src.len() + src.len() / 2);
    let mut stack = ScopeStack::new();
    // The class of the span being written, and its text, escaped.
    let mut open: Option<&'static str> = None;
    let mut run = String::new();
    let flush = |out: &mut String, open: Option<&str>, run: &mut String| {
        match open {
            Some(c) if !run.is_empty() => {
                let _ = write!(
                    out,
                    "<span class=\"{HIGHLIGHT_CLASS_PREFIX}{c}\">{run}</span>"
                );
            }
            _ => out.push_str(run),
        }
        run.clear();
    };
    for line in syntect::util::LinesWithEndings::from(src) {
        let ops = state.parse_line(line, &SYNTAXES).ok()?;
        let mut at = 0;
        let piece = |text: &str,
                     stack: &ScopeStack,
                     out: &mut String,
                     open: &mut Option<&'static str>,
                     run: &mut String| {
            if text.is_empty() {
                return;
            }
            // Whitespace joins the span it is in; a new line ends it (one span per line,
            // so a line can be read on its own).
            let blank = text.trim().is_empty() && !text.contains('\n');
            let class = class_of(stack);
            if !blank && class != *open {
                flush(out, *open, run);
                *open = class;
            }
            let (body, newline) = match text.strip_suffix('\n') {
                Some(b) => (b, true),
                None => (text, false),
            };
            run.push_str(&escape(body));
            if newline {
                flush(out, *open, run);
                *open = None;
                out.push('\n');
            }
        };
        for (i, op) in ops {
            piece(&line[at..i], &stack, &mut out, &mut open, &mut run);
            at = i;
            stack.apply(&op).ok()?;
        }
        piece(&line[at..], &stack, &mut out, &mut open, &mut run);
    }
    flush(&mut out, open, &mut run);
    Some(out)
}

/// The stylesheet of the highlighting classes: the site's `highlight_theme` (or
/// InspiredGitHub when it has none of that name) in light mode, base16-ocean.dark in dark
/// mode; each class coloured as the theme colours its first scope.
pub fn syntax_css(theme: &str) -> String {
    let themes = ThemeSet::load_defaults();
    let light = themes
        .themes
        .get(theme)
        .or_else(|| themes.themes.get("InspiredGitHub"));
    let dark = themes.themes.get("base16-ocean.dark");
    let mut css = String::from(
        "/* Code highlighting: dossier's token classes, coloured by syntect's themes. */\n",
    );
    if let Some(t) = light {
        css.push_str(&rules(t, ""));
    }
    if let Some(t) = dark {
        let _ = write!(
            css,
            "@media (prefers-color-scheme: dark) {{\n{}}}\n",
            rules(t, "  ")
        );
    }
    css
}

/// One rule per class that the theme styles differently from its plain text.
fn rules(theme: &Theme, indent: &str) -> String {
    let h = Highlighter::new(theme);
    let plain = h.get_default();
    let mut css = String::new();
    for (class, scopes) in SCOPES.iter() {
        let style = h.style_for_stack(&scopes[..1]);
        let mut decls = Vec::new();
        if style.foreground != plain.foreground {
            let c = style.foreground;
            decls.push(format!("color: #{:02x}{:02x}{:02x}", c.r, c.g, c.b));
        }
        if style.font_style.contains(FontStyle::BOLD) {
            decls.push("font-weight: bold".to_string());
        }
        if style.font_style.contains(FontStyle::ITALIC) {
            decls.push("font-style: italic".to_string());
        }
        if style.font_style.contains(FontStyle::UNDERLINE) {
            decls.push("text-decoration: underline".to_string());
        }
        if !decls.is_empty() {
            let _ = writeln!(
                css,
                "{indent}.{HIGHLIGHT_CLASS_PREFIX}{class} {{ {}; }}",
                decls.join("; ")
            );
        }
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_get_one_short_class_each_and_runs_merge() {
        let html = highlight(
            "fn main() {\n    // hi\n    let x = \"a b\";\n}\n",
            Some("rust"),
        );
        assert!(
            html.contains("<span class=\"hl-kt\">fn </span><span class=\"hl-nf\">main</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-c\">// hi</span>"), "{html}");
        // The quotes and the words between them are one string span.
        assert!(
            html.contains("<span class=\"hl-s\">&quot;a b&quot;</span>"),
            "{html}"
        );
        assert!(!html.contains("hl-source"), "{html}");
        // The text is all there, in order.
        assert_eq!(
            crate::html::decode(&strip_tags(&html)),
            "fn main() {\n    // hi\n    let x = \"a b\";\n}\n"
        );
    }

    #[test]
    fn an_unknown_language_is_plain_escaped_code() {
        let html = highlight("<b> & c", Some("no-such-language"));
        assert_eq!(
            html,
            "<pre class=\"code\" data-lang=\"no-such-language\" tabindex=\"0\"><code>&lt;b&gt; &amp; c</code></pre>\n"
        );
    }

    #[test]
    fn the_stylesheet_colours_every_class_the_code_uses() {
        let css = syntax_css("InspiredGitHub");
        for class in ["hl-c", "hl-s", "hl-k", "hl-m"] {
            assert!(css.contains(&format!(".{class} {{")), "{class}: {css}");
        }
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(css.len() < 3000, "{}", css.len());
    }

    fn strip_tags(html: &str) -> String {
        let inner = &html[html.find("<code>").unwrap() + 6..html.find("</code>").unwrap()];
        let mut out = String::new();
        let mut tag = false;
        for c in inner.chars() {
            match c {
                '<' => tag = true,
                '>' if tag => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out
    }
}
