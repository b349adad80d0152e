//! Every user error is a `Diagnostic`: where (file:line:col), what, and a hint.
//! A build collects all of them and reports them once, at the edge.

use std::fmt;
use std::path::PathBuf;

/// A position in a user's file. Lines and columns are 1-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file, relative to the site's folder.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl Span {
    /// A position (a line or column of 0 counts as 1).
    pub fn new(file: impl Into<PathBuf>, line: usize, col: usize) -> Self {
        Span {
            file: file.into(),
            line: line.max(1),
            col: col.max(1),
        }
    }

    /// The start of a file, for errors that concern the file as a whole.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Span::new(file, 1, 1)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Line starts of a text, for many `line_col` look-ups in one text without rescanning it
/// from the start each time (which is quadratic on big pages).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Whether each line is ASCII, where a column is a byte count (long lines stay cheap).
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    /// The line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &s)| text[s..starts.get(i + 1).copied().unwrap_or(text.len())].is_ascii())
            .collect();
        LineIndex {
            text,
            starts,
            ascii,
        }
    }

    /// The same as `line_col(text, offset)`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = if self.ascii[line - 1] {
            offset - start
        } else {
            self.text[start..offset].chars().count()
        };
        (line, col + 1)
    }
}

/// Whether a diagnostic fails the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; the author is told.
    Warning,
}

/// One mistake: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where.
    pub span: Span,
    /// Whether the build fails.
    pub severity: Severity,
    /// What is wrong, in the author's words.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            severity: Severity::Error,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// With a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {kind}: {}",
            self.span.file.display(),
            self.span.line,
            self.span.col,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            for (i, line) in hint.lines().enumerate() {
                let lead = if i == 0 { "  hint: " } else { "        " };
                write!(f, "\n{lead}{line}")?;
            }
        }
        Ok(())
    }
}

/// Diagnostics in the order they are read, in the terminal and in `serve`'s overlay alike:
/// warnings, then errors (last, beside the summary line); each kind by where root causes are
/// (site.yaml, then content/sources.yaml, then every other file), then by file and position;
/// repeats once.
pub fn in_order(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let rank = |d: &Diagnostic| match d.span.file.to_str() {
        Some("site.yaml") => 0,
        Some("content/sources.yaml") => 1,
        _ => 2,
    };
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| {
        (a.is_error(), rank(a), &a.span, &a.message).cmp(&(
            b.is_error(),
            rank(b),
            &b.span,
            &b.message,
        ))
    });
    sorted.dedup();
    sorted
}

/// The diagnostics as text, one after another, in [`in_order`].
pub fn report(diags: &[Diagnostic]) -> String {
    in_order(diags)
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// "did you mean" for a misspelt key.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    // A candidate that contains the word (or is contained in it) is close too:
    // `#border` for `#the-borders`.
    let contains =
        |c: &str| word.len() >= 4 && c.len() >= 4 && (c.contains(word) || word.contains(c));
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::jaro_winkler(word, c);
            (if contains(c) { score.max(0.8) } else { score }, c)
        })
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nçd\nef";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 7), (3, 1));
    }

    #[test]
    fn line_index_agrees_with_line_col() {
        let text = "ab\nçd\n\nef\n";
        let idx = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(idx.line_col(offset), line_col(text, offset), "{offset}");
        }
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(
            did_you_mean("titel", ["title", "tags"]).as_deref(),
            Some("title")
        );
        assert_eq!(did_you_mean("zzz", ["title", "tags"]), None);
    }
}
