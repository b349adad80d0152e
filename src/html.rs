//! HTML as dossier writes and reads it: escaping (pulldown-cmark's escaper, the one every
//! part of dossier uses), and a scanner for the attributes of rendered pages, which the link
//! check reads.
//!
//! The scanner is a tokenizer for the start tags of well-formed HTML: it skips comments,
//! doctypes, end tags and the text of raw-text elements (`script`, `style`, ...), and yields
//! each attribute with its value (entities decoded) and offset. It is not a full HTML5
//! parser: listing the attributes of the 1,261 pages of a 1,000-page gen_site build (32 MB)
//! took tl 86-114 ms, lol_html 137 ms and this scanner 33-48 ms (same counts); the link
//! check reads every page of every build. Its output is compared with tl's in the tests.

use std::borrow::Cow;

/// `s` escaped for HTML text and double-quoted attribute values (`& < > "`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// One attribute of a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    /// The element's name, lowercase.
    pub tag: Cow<'a, str>,
    /// The attribute's name, lowercase.
    pub name: Cow<'a, str>,
    /// Its value with character references decoded (`""` for a bare attribute).
    pub value: Cow<'a, str>,
    /// Byte offset of the value (of the name, for a bare attribute) in the document.
    pub at: usize,
    /// Byte offset just past the value as written (before decoding).
    pub end: usize,
}

/// Every attribute of every start tag of `html`, in document order.
pub fn attributes(html: &str) -> Attributes<'_> {
    Attributes {
        html,
        pos: 0,
        tag: None,
    }
}

/// The iterator of [`attributes`].
pub struct Attributes<'a> {
    html: &'a str,
    pos: usize,
    /// The start tag being read: its name, and whether it opens a raw-text element.
    tag: Option<(Cow<'a, str>, bool)>,
}

const RAW_TEXT: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

impl<'a> Attributes<'a> {
    /// Move past the text after a start tag: to the next `<`, or past a raw-text element.
    fn after_tag(&mut self, name: &str, raw: bool) {
        if raw {
            let close = format!("</{name}");
            let rest = &self.html.as_bytes()[self.pos..];
            self.pos += memchr::memmem::find_iter(rest, b"</")
                .find(|&i| {
                    rest[i..]
                        .get(..close.len())
                        .is_some_and(|t| t.eq_ignore_ascii_case(close.as_bytes()))
                })
                .unwrap_or(rest.len());
        }
    }

    /// Inside a start tag: the next attribute, or None at its end (`>`).
    fn next_attr(&mut self) -> Option<Attr<'a>> {
        let b = self.html.as_bytes();
        loop {
            while self.pos < b.len() && (is_space(b[self.pos]) || b[self.pos] == b'/') {
                self.pos += 1;
            }
            if self.pos >= b.len() || b[self.pos] == b'>' {
                self.pos = (self.pos + 1).min(b.len());
                return None;
            }
            let start = self.pos;
            while self.pos < b.len()
                && !is_space(b[self.pos])
                && !matches!(b[self.pos], b'=' | b'>' | b'/')
            {
                self.pos += 1;
            }
            let name = &self.html[start..self.pos];
            while self.pos < b.len() && is_space(b[self.pos]) {
                self.pos += 1;
            }
            let tag = self.tag.as_ref().map(|t| t.0.clone()).unwrap_or_default();
            if self.pos >= b.len() || b[self.pos] != b'=' {
                if name.is_empty() {
                    self.pos += 1;
                    continue;
                }
                return Some(Attr {
                    tag,
                    name: lower(name),
                    value: Cow::Borrowed(""),
                    at: start,
                    end: start,
                });
            }
            self.pos += 1;
            while self.pos < b.len() && is_space(b[self.pos]) {
                self.pos += 1;
            }
            let (from, to, next) = match b.get(self.pos) {
                Some(&q @ (b'"' | b'\'')) => {
                    let from = self.pos + 1;
                    let to = memchr::memchr(q, &b[from..]).map_or(b.len(), |i| from + i);
                    (from, to, (to + 1).min(b.len()))
                }
                _ => {
                    let from = self.pos;
                    let mut to = from;
                    while to < b.len() && !is_space(b[to]) && b[to] != b'>' {
                        to += 1;
                    }
                    (from, to, to)
                }
            };
            self.pos = next;
            return Some(Attr {
                tag,
                name: lower(name),
                value: decode(&self.html[from..to]),
                at: from,
                end: to,
            });
        }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let b = self.html.as_bytes();
        loop {
            if self.tag.is_some() {
                if let Some(a) = self.next_attr() {
                    return Some(a);
                }
                let (name, raw) = self.tag.take().expect("in a tag");
                self.after_tag(&name, raw);
                continue;
            }
            let lt = self.pos + memchr::memchr(b'<', &b[self.pos..])?;
            let rest = &self.html[lt..];
            if rest.starts_with("<!--") {
                self.pos =
                    memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |i| lt + 4 + i + 3);
            } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
                self.pos = memchr::memchr(b'>', &b[lt..]).map_or(b.len(), |i| lt + i + 1);
            } else if rest.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic) {
                let end = rest[1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
                    .map_or(rest.len(), |i| i + 1);
                let name = lower(&rest[1..end]);
                let raw = RAW_TEXT.contains(&name.as_ref());
                self.tag = Some((name, raw));
                self.pos = lt + end;
            } else {
                self.pos = lt + 1;
            }
        }
    }
}

/// Whether an attribute holds URLs that a browser follows or loads.
pub fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "href" | "src" | "srcset" | "poster" | "action" | "data" | "cite"
    )
}

/// The URLs of a URL attribute's value: one, or each candidate of a `srcset`.
pub fn urls<'v>(name: &str, value: &'v str) -> Vec<&'v str> {
    if name == "srcset" {
        value
            .split(',')
            .filter_map(|c| c.split_whitespace().next())
            .collect()
    } else {
        vec![value.trim()]
    }
}

/// The visible text of an HTML fragment, as the page's plain text (search, word count)
/// takes it: the text between tags, character references decoded, without the contents of
/// `<sup>` (citation numbers) and of raw-text elements (`<script>`, `<style>`).
pub fn text(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::new();
    let mut sup = 0usize;
    let mut pos = 0;
    while pos < b.len() {
        let lt = memchr::memchr(b'<', &b[pos..]).map_or(b.len(), |i| pos + i);
        if sup == 0 {
            out.push_str(&decode(&html[pos..lt]));
        }
        if lt >= b.len() {
            break;
        }
        // The end of the tag, past quoted attribute values.
        let mut end = lt + 1;
        let mut quote = None;
        while end < b.len() {
            match (quote, b[end]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            end += 1;
        }
        let tag = &html[lt + 1..end.min(b.len())];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "sup" {
            if tag.starts_with('/') {
                sup = sup.saturating_sub(1);
            } else {
                sup += 1;
            }
        }
        pos = (end + 1).min(b.len());
        if !tag.starts_with('/') && RAW_TEXT.contains(&name.as_str()) && name != "title" {
            let close = format!("</{name}");
            pos = memchr::memmem::find_iter(&b[pos..], b"</")
                .map(|i| pos + i)
                .find(|&i| {
                    b[i..]
                        .get(..close.len())
                        .is_some_and(|t| t.eq_ignore_ascii_case(close.as_bytes()))
                })
                .unwrap_or(b.len());
        }
    }
    out
}

/// The page at `file_path` (`stories/routes/index.html`) with its root-relative URLs made
/// relative (`--relative`): `href`, `src`, `srcset`, `poster` and `action` values starting
/// with `/` (after `base_path`) become `../...`, directory URLs get `index.html`; the root
/// element's `data-root` becomes the site root relative to the page, without a trailing slash.
pub fn relativize(html: &str, file_path: &str, base_path: &str) -> String {
    let up = "../".repeat(file_path.matches('/').count());
    let rewrite = |url: &str| -> Option<String> {
        if !url.starts_with('/') || url.starts_with("//") {
            return None;
        }
        let path = url
            .strip_prefix(base_path)
            .filter(|p| p.starts_with('/') || p.is_empty())
            .unwrap_or(url);
        let (p, frag) = path.split_at(path.find(['#', '?']).unwrap_or(path.len()));
        let mut rel = format!("{up}{}", p.trim_start_matches('/'));
        if rel.is_empty() || rel.ends_with('/') {
            rel.push_str("index.html");
        }
        Some(rel + frag)
    };
    let mut out = String::with_capacity(html.len() + 256);
    let mut last = 0;
    for a in attributes(html) {
        let raw = &html[a.at..a.end];
        let new = match a.name.as_ref() {
            "data-root" => Some(if up.is_empty() {
                ".".to_string()
            } else {
                up.trim_end_matches('/').to_string()
            }),
            "srcset" => {
                let parts: Vec<String> = raw
                    .split(',')
                    .map(|c| {
                        let c = c.trim_start();
                        let (u, rest) = c.split_at(c.find(char::is_whitespace).unwrap_or(c.len()));
                        rewrite(u).map_or_else(|| c.to_string(), |r| r + rest)
                    })
                    .collect();
                Some(parts.join(", ")).filter(|s| s != raw)
            }
            "href" | "src" | "poster" | "action" => rewrite(raw),
            _ => None,
        };
        if let Some(new) = new {
            out.push_str(&html[last..a.at]);
            out.push_str(&new);
            last = a.end;
        }
    }
    out.push_str(&html[last..]);
    out
}

/// `html`, rendered from the site root (a `--relative` build renders with base path ""),
/// with its root-relative URLs put under `base_path` (`/exodus`) and `data-root` set to it:
/// the 404 page of a relative build, which a host serves at any depth.
pub fn rebase(html: &str, base_path: &str) -> String {
    let html = absolutize(html, base_path);
    let mut out = String::with_capacity(html.len() + 64);
    let mut last = 0;
    for a in attributes(&html) {
        let raw = &html[a.at..a.end];
        let new = match a.name.as_ref() {
            "data-root" => base_path.to_string(),
            "action" if raw.starts_with('/') && !raw.starts_with("//") => {
                format!("{base_path}{raw}")
            }
            _ => continue,
        };
        out.push_str(&html[last..a.at]);
        out.push_str(&new);
        last = a.end;
    }
    out.push_str(&html[last..]);
    out
}

/// `html` with its root-relative URLs (`href`, `src`, `srcset`, `poster`) made absolute
/// under `origin` (`https://example.org`), for feed readers.
pub fn absolutize(html: &str, origin: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut last = 0;
    for a in attributes(html) {
        if !matches!(a.name.as_ref(), "href" | "src" | "srcset" | "poster") {
            continue;
        }
        let raw = &html[a.at..a.end];
        let new = if a.name == "srcset" {
            raw.split(',')
                .map(|c| match c.trim_start().strip_prefix('/') {
                    Some(rest) if !rest.starts_with('/') => format!("{origin}/{rest}"),
                    _ => c.trim_start().to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        } else if raw.starts_with('/') && !raw.starts_with("//") {
            format!("{origin}{raw}")
        } else {
            continue;
        };
        out.push_str(&html[last..a.at]);
        out.push_str(&new);
        last = a.end;
    }
    out.push_str(&html[last..]);
    out
}

/// `html`, a part of the page at `page_url`, made fit to show on another page (a summary in
/// a list or a feed): its fragment-only links (`#ref-1`, a citation's number) point at the
/// page, and its `id`s are dropped (another page has ids of its own, and lists repeat).
pub fn detach(html: &str, page_url: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut last = 0;
    for a in attributes(html) {
        match a.name.as_ref() {
            "href" if html[a.at..a.end].starts_with('#') => {
                out.push_str(&html[last..a.at]);
                out.push_str(page_url);
                last = a.at;
            }
            "id" => {
                // From the space before the name to past the closing quote.
                let before = html[..a.at].trim_end_matches(['"', '\'']).trim_end();
                let before = before.strip_suffix('=').unwrap_or(before).trim_end();
                let Some(name) = before.len().checked_sub(2) else {
                    continue;
                };
                let start = html[..name].trim_end().len();
                let quoted = matches!(html.as_bytes().get(a.end), Some(b'"' | b'\''))
                    && a.at > 0
                    && matches!(html.as_bytes()[a.at - 1], b'"' | b'\'');
                if start < last || !before[name..].eq_ignore_ascii_case("id") {
                    continue;
                }
                out.push_str(&html[last..start]);
                last = a.end + usize::from(quoted);
            }
            _ => {}
        }
    }
    out.push_str(&html[last..]);
    out
}

/// Character references in an attribute value, decoded: the named ones dossier and
/// Markdown write (`&amp; &lt; &gt; &quot; &apos; &nbsp;`) and every numeric one.
pub fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                n if n.starts_with("#x") || n.starts_with("#X") => {
                    char::from_u32(u32::from_str_radix(&n[2..], 16).ok()?)?
                }
                n if n.starts_with('#') => char::from_u32(n[1..].parse().ok()?)?,
                _ => return None,
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn detach_points_fragments_at_the_page_and_drops_ids() {
        let html = "<h2 id=\"why\">Why</h2><p>Text<sup id='cite-1'><a href=\"#ref-1\">1</a></sup> <a href=\"/x/#y\">x</a> <a href=\"https://e.org/#z\">e</a></p>";
        assert_eq!(
            super::detach(html, "/s/a/"),
            "<h2>Why</h2><p>Text<sup><a href=\"/s/a/#ref-1\">1</a></sup> <a href=\"/x/#y\">x</a> <a href=\"https://e.org/#z\">e</a></p>"
        );
    }

    use super::*;

    #[test]
    fn rebase_puts_root_relative_urls_under_the_site_path() {
        let html = r#"<html data-root=""><link href="/style.css"><a href="/figures/#x">f</a><a href="https://e.org/">e</a><form action="/"><img src="/a.png" srcset="/a.png 1x, /b.png 2x"></html>"#;
        assert_eq!(
            rebase(html, "/exodus"),
            r#"<html data-root="/exodus"><link href="/exodus/style.css"><a href="/exodus/figures/#x">f</a><a href="https://e.org/">e</a><form action="/exodus/"><img src="/exodus/a.png" srcset="/exodus/a.png 1x, /exodus/b.png 2x"></html>"#
        );
    }

    fn attrs(html: &str) -> Vec<(String, String, String)> {
        attributes(html)
            .map(|a| (a.tag.to_string(), a.name.to_string(), a.value.to_string()))
            .collect()
    }

    #[test]
    fn reads_quoted_unquoted_and_bare_attributes() {
        let h = r#"<a href="/x/?a=1&amp;b=2" class=c data-x='y "z"' hidden>t</a><IMG SRC=/i.png>"#;
        assert_eq!(
            attrs(h),
            vec![
                ("a".into(), "href".into(), "/x/?a=1&b=2".into()),
                ("a".into(), "class".into(), "c".into()),
                ("a".into(), "data-x".into(), "y \"z\"".into()),
                ("a".into(), "hidden".into(), "".into()),
                ("img".into(), "src".into(), "/i.png".into()),
            ]
        );
        let a = attributes(h).next().unwrap();
        assert_eq!(&h[a.at..a.at + 4], "/x/?");
    }

    #[test]
    fn skips_comments_scripts_and_text() {
        let h = "<!-- <a href=\"/c\"> --><script>var s = '<a href=\"/s\">';</script>\
                 <p>a &lt;a href=\"/t\"&gt; b</p><style>a[href=\"/y\"]{}</style><a id=k>";
        assert_eq!(attrs(h), vec![("a".into(), "id".into(), "k".into())]);
    }

    #[test]
    fn visible_text() {
        assert_eq!(
            text(
                "<span class=\"fig\" title=\"a &gt; b\"><a href=\"/x\">over 200,000</a><sup class=\"cite\">[<a href=\"#ref-1\">1</a>]</sup></span> &amp; more"
            ),
            "over 200,000 & more"
        );
        assert_eq!(
            text("<svg><title>T</title><style>.a{}</style><text>L</text></svg>"),
            "TL"
        );
    }

    #[test]
    fn relative_links() {
        let h = r#"<a href="/stories/x/#a">x</a><img src="/img.png"><a href="https://e.org/">e</a><html data-root="">"#;
        let r = relativize(h, "stories/index.html", "");
        assert_eq!(
            r,
            r#"<a href="../stories/x/index.html#a">x</a><img src="../img.png"><a href="https://e.org/">e</a><html data-root="..">"#
        );
        assert_eq!(
            relativize(r#"<a href="/sub/">h</a>"#, "index.html", "/sub"),
            r#"<a href="index.html">h</a>"#
        );
        assert_eq!(
            relativize(r#"<img srcset="/a.png 1x, /b.png 2x">"#, "x/index.html", ""),
            r#"<img srcset="../a.png 1x, ../b.png 2x">"#
        );
    }

    #[test]
    fn relative_links_in_a_big_page() {
        let page: String = (0..20_000)
            .map(|i| format!("<a href=\"/p{i}/\" title=\"t\">x</a> "))
            .collect();
        let r = relativize(&page, "a/index.html", "");
        assert_eq!(r.matches("href=\"../p").count(), 20_000);
        assert!(r.contains("href=\"../p19999/index.html\" title=\"t\""));
    }

    #[test]
    fn decodes_references() {
        assert_eq!(decode("a&amp;b&#39;c&#x2F;d&bogus;"), "a&b'c/d&bogus;");
    }

    #[test]
    fn escapes() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }

    proptest::proptest! {
        /// On the kind of HTML dossier writes, the scanner lists what an HTML parser (tl) does.
        #[test]
        fn agrees_with_an_html_parser(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<a href=\"/a/b/\">x</a>", "<img src='/i.png' alt=\"i\">", "<p class=k id=p1>t</p>",
                    "<!-- <a href=\"/no\"> -->", "<script>if (a<b) x='<a href=\"/no\">';</script>",
                    "text &amp; more", "<br/>", "<input type=search hidden>", "<div\n  data-a=\"1\"\n  id=\"d\">",
                    "</div>", "<style>a>b{}</style>", "<h2 id=\"a-b\">T <a class=\"anchor\" href=\"#a-b\">#</a></h2>",
                ]),
                0..30,
            )
        ) {
            let html: String = parts.concat();
            let mut ours: Vec<(String, String)> = attributes(&html)
                .map(|a| (a.name.to_string(), a.value.to_string()))
                .collect();
            let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
            let mut theirs = Vec::new();
            for node in dom.nodes() {
                if let Some(tag) = node.as_tag() {
                    for (k, v) in tag.attributes().iter() {
                        theirs.push((k.to_string(), decode(&v.unwrap_or_default()).to_string()));
                    }
                }
            }
            ours.sort();
            theirs.sort();
            proptest::prop_assert_eq!(ours, theirs, "{}", html);
        }
    }
}
