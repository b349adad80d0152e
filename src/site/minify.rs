//! What `--minify` does to one file (see [`super::Minify`], the sink): minify-html for pages
//! (with the CSS and JS inside them), lightningcss for stylesheets, oxc for scripts.

use crate::diagnostics::{Diagnostic, Span, line_col};

/// The kinds of file `--minify` minifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Html,
    Css,
    /// A classic script.
    Js,
    /// An ES module (`.mjs`).
    Module,
}

/// What `path` is to the minifier, or None: not HTML, CSS or JS, or already minified
/// (`.min.css`, `.min.js`: a vendored library is shipped as its authors minified it).
pub(super) fn kind(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".min.js") || name.ends_with(".min.css") {
        return None;
    }
    match name.rsplit_once('.')?.1 {
        "html" | "htm" => Some(Kind::Html),
        "css" => Some(Kind::Css),
        "js" => Some(Kind::Js),
        "mjs" => Some(Kind::Module),
        _ => None,
    }
}

/// `bytes` minified, or a warning (at `shown`, the file as diagnostics name it) why they
/// are passed on as they are. Never longer than `bytes`.
pub(super) fn minify(kind: Kind, bytes: &[u8], shown: &str) -> Result<Vec<u8>, Diagnostic> {
    let small = match kind {
        Kind::Html => html(bytes),
        Kind::Css | Kind::Js | Kind::Module => {
            let text = std::str::from_utf8(bytes).map_err(|_| {
                Diagnostic::warning(
                    Span::file(shown),
                    format!("{shown} is not UTF-8: copied without minifying it"),
                )
                .with_hint("save the file as UTF-8")
            })?;
            match kind {
                Kind::Css => css(text, shown)?,
                _ => js(text, kind == Kind::Module, shown)?,
            }
            .into_bytes()
        }
    };
    Ok(if small.len() < bytes.len() {
        small
    } else {
        bytes.to_vec()
    })
}

/// A page minified: closing tags, quotes and whitespace left out where HTML allows it,
/// comments dropped, the CSS and JS inside minified. minify-html rather than its faster
/// minify-html-onepass (a third of the time, the same size): onepass writes attributes
/// without the space HTML requires between them (`"a"role=img`) and refuses pages whose
/// tags do not match; minify-html's output is valid HTML and it takes any page.
fn html(page: &[u8]) -> Vec<u8> {
    let cfg = minify_html::Cfg {
        minify_css: true,
        minify_js: true,
        // A `<!--#include -->` is for the server to see.
        keep_ssi_comments: true,
        ..minify_html::Cfg::default()
    };
    minify_html::minify(page, &cfg)
}

fn not_minified(shown: &str, line: usize, col: usize, why: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::warning(
        Span::new(shown, line, col),
        format!("{shown} could not be minified ({why}): copied as it is"),
    )
    .with_hint("fix the syntax there, or name the file `.min.css` / `.min.js` to leave it alone")
}

fn css(text: &str, shown: &str) -> Result<String, Diagnostic> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    let at = |loc: Option<lightningcss::error::ErrorLocation>| {
        loc.map_or((1, 1), |l| (l.line as usize + 1, l.column as usize))
    };
    // No error recovery: lightningcss would drop the rules it cannot read.
    let mut sheet = StyleSheet::parse(text, ParserOptions::default()).map_err(|e| {
        let (line, col) = at(e.loc.clone());
        not_minified(shown, line, col, &e.kind)
    })?;
    sheet
        .minify(MinifyOptions::default())
        .map_err(|e| not_minified(shown, 1, 1, e))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .map_err(|e| not_minified(shown, 1, 1, e))?;
    Ok(printed.code)
}

fn js(text: &str, module: bool, shown: &str) -> Result<String, Diagnostic> {
    use oxc_codegen::{Codegen, CodegenOptions, CommentOptions};
    use oxc_minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
    let allocator = oxc_allocator::Allocator::default();
    // Top-level names are never renamed (`MangleOptions::top_level` is off): a classic
    // script's are globals that other scripts and the page may use.
    let source_type = if module {
        oxc_span::SourceType::mjs()
    } else {
        oxc_span::SourceType::cjs()
    };
    let parsed = oxc_parser::Parser::new(&allocator, text, source_type).parse();
    if let Some(e) = parsed.errors.first() {
        let offset = e
            .labels
            .as_ref()
            .and_then(|l| l.first())
            .map_or(0, |l| l.offset());
        let (line, col) = line_col(text, offset);
        return Err(not_minified(shown, line, col, &e.message));
    }
    let mut program = parsed.program;
    // The safest compression: scripts of a theme may rely on anything a page does.
    let minified = Minifier::new(MinifierOptions {
        mangle: Some(MangleOptions::default()),
        compress: Some(CompressOptions::safest()),
    })
    .minify(&allocator, &mut program);
    let options = CodegenOptions {
        minify: true,
        // Licence comments (`/*! ... */`, `@license`) stay.
        comments: CommentOptions {
            normal: false,
            jsdoc: false,
            annotation: false,
            ..CommentOptions::default()
        },
        ..CodegenOptions::default()
    };
    Ok(Codegen::new()
        .with_options(options)
        .with_scoping(minified.scoping)
        .with_private_member_mappings(minified.class_private_mappings)
        .build(&program)
        .code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind("a/index.html"), Some(Kind::Html));
        assert_eq!(kind("style.css"), Some(Kind::Css));
        assert_eq!(kind("dossier.js"), Some(Kind::Js));
        assert_eq!(kind("vendor/minisearch.min.js"), None);
        assert_eq!(kind("search-index.json"), None);
        assert_eq!(kind("README"), None);
    }

    #[test]
    fn css_and_js_get_smaller_and_keep_their_meaning() {
        let css = minify(Kind::Css, b"a {\n  color: #ff0000;\n}\n", "s.css").unwrap();
        assert_eq!(String::from_utf8(css).unwrap(), "a{color:red}");
        let js = minify(
            Kind::Js,
            b"/*! keep me */\nfunction add(first, second) {\n  // a comment\n  return first + second;\n}\nwindow.add = add;\n",
            "a.js",
        )
        .unwrap();
        let js = String::from_utf8(js).unwrap();
        assert!(js.contains("/*! keep me */"), "{js}");
        assert!(!js.contains("a comment") && !js.contains("second"), "{js}");
        assert!(js.contains("window.add"), "{js}");
    }

    #[test]
    fn what_cannot_be_parsed_is_a_warning_at_its_place() {
        // Pages always minify: minify-html keeps what it cannot parse.
        let page = minify(Kind::Html, b"<main>\n<p>a</div>\n</main>", "a/index.html").unwrap();
        assert!(page.starts_with(b"<main><p>a"), "{page:?}");
        let w = minify(Kind::Css, b"a { color: red }\n}}} b {", "s.css").unwrap_err();
        assert!(!w.is_error());
        assert!(w.message.contains("s.css could not be minified"), "{w:?}");
        let w = minify(Kind::Js, b"let a = 1;\nlet = = 2;\n", "a.js").unwrap_err();
        assert_eq!(
            (w.span.line, w.span.file.to_str()),
            (2, Some("a.js")),
            "{w:?}"
        );
    }
}
