//! The text of an archived article, whatever form the researcher saved it in: a plain-text
//! file, an HTML snapshot (SingleFile, "Save page as", `dossier archive`), whose article is
//! extracted with a port of Mozilla's Readability, or a WARC file (Webrecorder, ArchiveBox,
//! wget), whose response record for the source's URL is read as HTML.

use std::io::{BufReader, Read};
use std::path::Path;

/// Why an archive could not be read: a message and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveError {
    /// What went wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

fn error(message: impl Into<String>, hint: impl Into<String>) -> ArchiveError {
    ArchiveError {
        message: message.into(),
        hint: hint.into(),
    }
}

/// The kinds of archive, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text (`.txt`, and any name not below).
    Text,
    /// An HTML snapshot (`.html`, `.htm`, `.xhtml`).
    Html,
    /// A WARC file (`.warc`, `.warc.gz`).
    Warc,
}

/// The kind of the archive at `path`, by its name.
pub fn kind_of(path: &Path) -> Kind {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".warc") || name.ends_with(".warc.gz") {
        Kind::Warc
    } else if [".html", ".htm", ".xhtml"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        Kind::Html
    } else {
        Kind::Text
    }
}

/// The article text of the archive at `path` (the source's `url` picks a WARC's record).
pub fn text_of(path: &Path, url: Option<&str>) -> Result<String, ArchiveError> {
    let unreadable = |e: std::io::Error| error(e.to_string(), "check the file's permissions");
    match kind_of(path) {
        Kind::Text => {
            let bytes = std::fs::read(path).map_err(unreadable)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        Kind::Html => {
            let bytes = std::fs::read(path).map_err(unreadable)?;
            html_text(&String::from_utf8_lossy(&bytes), url)
        }
        Kind::Warc => {
            let file = std::fs::File::open(path).map_err(unreadable)?;
            let gz = path.to_string_lossy().to_lowercase().ends_with(".gz");
            let reader: Box<dyn Read> = if gz {
                // A .warc.gz is one gzip member per record.
                Box::new(flate2::read::MultiGzDecoder::new(file))
            } else {
                Box::new(file)
            };
            let (content_type, body) = warc_response(BufReader::new(reader), url)?;
            let body = String::from_utf8_lossy(&body).into_owned();
            if content_type.contains("html") || body.trim_start().starts_with('<') {
                html_text(&body, url)
            } else {
                Ok(body)
            }
        }
    }
}

/// The article's text in an HTML page: Readability's main content, its blocks on lines of
/// their own so that words of two paragraphs never run together.
pub fn html_text(html: &str, url: Option<&str>) -> Result<String, ArchiveError> {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let not_found = |e: dom_smoothie::ReadabilityError| {
        error(
            format!("no article text found in the HTML snapshot ({e})"),
            "save the article's page itself (e.g. with SingleFile), or a plain-text copy as a .txt file",
        )
    };
    // A URL that does not parse would only make Readability fail; it resolves links, which
    // the text does not need.
    let url = url.filter(|u| url::Url::parse(u).is_ok());
    let mut r = dom_smoothie::Readability::new(html, url, Some(cfg)).map_err(not_found)?;
    let article = r.parse().map_err(not_found)?;
    Ok(article.text_content.to_string())
}

/// The content type and body of the response record for `url` in a WARC stream (the only
/// response record when there is no `url`), with its HTTP transfer and content encodings
/// undone.
pub fn warc_response(
    reader: impl std::io::BufRead,
    url: Option<&str>,
) -> Result<(String, Vec<u8>), ArchiveError> {
    let want = url.map(same_url_key);
    let mut responses: Vec<String> = Vec::new();
    let mut found: Option<Vec<u8>> = None;
    for record in warc::WarcReader::new(reader).iter_records() {
        let record = record.map_err(|e| {
            error(
                format!("the WARC file is malformed: {e}"),
                "check that the file is a complete WARC (1.0 or 1.1) file, or export it again",
            )
        })?;
        if *record.warc_type() != warc::RecordType::Response {
            continue;
        }
        let target = record
            .header(warc::WarcHeader::TargetURI)
            .map(|t| t.trim_matches(['<', '>']).to_string())
            .unwrap_or_default();
        let matches = want.as_ref().is_some_and(|w| *w == same_url_key(&target));
        responses.push(target);
        if matches {
            found = Some(record.body().to_vec());
            break;
        }
    }
    let body = match (found, url) {
        (Some(b), _) => b,
        (None, None) if responses.len() == 1 => {
            return Err(error(
                "the source has no `url` to find its record in the WARC file",
                format!("give the source its url: {}", responses[0]),
            ));
        }
        (None, _) if responses.is_empty() => {
            return Err(error(
                "the WARC file has no response record",
                "archive the page again (a WARC of a page holds its HTTP response)",
            ));
        }
        (None, None) => {
            return Err(error(
                "the source has no `url` to find its record in the WARC file",
                "give the source its url",
            ));
        }
        (None, Some(u)) => {
            let near = crate::diagnostics::did_you_mean(u, responses.iter().map(String::as_str));
            return Err(error(
                format!("the WARC file has no response for {u}"),
                match near {
                    Some(n) => format!("did you mean {n}? Correct the source's url"),
                    None => format!(
                        "it holds responses for {}",
                        responses
                            .iter()
                            .take(5)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                },
            ));
        }
    };
    http_body(&body)
}

/// Two spellings of one address compare equal: scheme and host case, a default port, a
/// trailing slash and the fragment do not matter.
fn same_url_key(u: &str) -> String {
    match url::Url::parse(u.trim()) {
        Ok(mut p) => {
            p.set_fragment(None);
            p.as_str().trim_end_matches('/').to_string()
        }
        Err(_) => u.trim().trim_end_matches('/').to_string(),
    }
}

/// An HTTP response as a WARC stores it (status line, headers, body as sent): the content
/// type and the decoded body.
fn http_body(raw: &[u8]) -> Result<(String, Vec<u8>), ArchiveError> {
    let malformed = |what: String| {
        error(
            format!("the WARC response record is not an HTTP response: {what}"),
            "archive the page again with a tool that records HTTP responses",
        )
    };
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err(malformed("its headers are cut off".into())),
        Err(e) => return Err(malformed(e.to_string())),
    };
    let header = |name: &str| {
        resp.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_lowercase())
            .unwrap_or_default()
    };
    let content_type = header("content-type");
    let mut body = raw[head_len..].to_vec();
    if header("transfer-encoding").contains("chunked") {
        body = dechunk(&body).ok_or_else(|| malformed("its chunked body is cut off".into()))?;
    }
    let encoding = header("content-encoding");
    let decoded = match encoding.trim() {
        "" | "identity" => body,
        "gzip" | "x-gzip" => read_all(flate2::read::MultiGzDecoder::new(&body[..]))?,
        "deflate" => read_all(flate2::read::ZlibDecoder::new(&body[..]))?,
        other => {
            return Err(error(
                format!(
                    "the archived response is compressed as `{other}`, which dossier cannot read"
                ),
                "archive the page again without that encoding, or save it as HTML",
            ));
        }
    };
    Ok((content_type, decoded))
}

fn read_all(mut r: impl Read) -> Result<Vec<u8>, ArchiveError> {
    let mut out = Vec::new();
    r.read_to_end(&mut out).map_err(|e| {
        error(
            format!("the archived response does not decompress: {e}"),
            "archive the page again",
        )
    })?;
    Ok(out)
}

/// A chunked body's data, or None when it is cut off.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size..)?.strip_prefix(b"\r\n").unwrap_or(&b[size..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        assert_eq!(kind_of(Path::new("a/b.txt")), Kind::Text);
        assert_eq!(kind_of(Path::new("b.HTML")), Kind::Html);
        assert_eq!(kind_of(Path::new("b.warc.gz")), Kind::Warc);
        assert_eq!(kind_of(Path::new("b")), Kind::Text);
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n").as_deref(),
            Some(&b"Wikipedia"[..])
        );
        assert_eq!(dechunk(b"9\r\nWiki"), None);
    }

    #[test]
    fn urls_compare_without_trailing_slash_or_fragment() {
        assert_eq!(
            same_url_key("HTTPS://Example.org:443/a/#x"),
            same_url_key("https://example.org/a")
        );
    }
}
