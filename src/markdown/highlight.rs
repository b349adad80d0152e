//! Fenced code, highlighted by syntect with CSS classes (`hl-*`), and the stylesheet for
//! those classes.

use crate::html::escape;
use std::fmt::Write;
use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;

/// The grammars, loaded once and shared by every thread.
pub static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
/// The prefix of every highlighting class.
pub const HIGHLIGHT_CLASS_PREFIX: &str = "hl-";

/// A fenced code block as HTML, highlighted if its language is known.
pub fn highlight(src: &str, lang: Option<&str>) -> String {
    let mut html = String::new();
    let syntax = lang.and_then(|l| SYNTAXES.find_syntax_by_token(l));
    let lang_attr = lang
        .map(|l| format!(" data-lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    match syntax {
        Some(syntax) => {
            let mut r#gen = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                &SYNTAXES,
                ClassStyle::SpacedPrefixed {
                    prefix: HIGHLIGHT_CLASS_PREFIX,
                },
            );
            for line in syntect::util::LinesWithEndings::from(src) {
                if r#gen
                    .parse_html_for_line_which_includes_newline(line)
                    .is_err()
                {
                    return plain_code(src, &lang_attr);
                }
            }
            let _ = writeln!(
                html,
                "<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{}</code></pre>",
                r#gen.finalize()
            );
            html
        }
        None => plain_code(src, &lang_attr),
    }
}

fn plain_code(src: &str, lang_attr: &str) -> String {
    format!(
        "<pre class=\"code\"{lang_attr} tabindex=\"0\"><code>{}</code></pre>\n",
        escape(src)
    )
}

/// The stylesheet of the highlighting classes: the site's `highlight_theme` (or
/// InspiredGitHub when it has none of that name) in light mode, base16-ocean.dark in dark mode.
pub fn syntax_css(theme: &str) -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|t| {
                syntect::html::css_for_theme_with_class_style(
                    t,
                    syntect::html::ClassStyle::SpacedPrefixed {
                        prefix: HIGHLIGHT_CLASS_PREFIX,
                    },
                )
                .ok()
            })
            .unwrap_or_default()
    };
    let light = if themes.themes.contains_key(theme) {
        css(theme)
    } else {
        css("InspiredGitHub")
    };
    let dark = css("base16-ocean.dark");
    format!("{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n")
}
