//! Block shortcodes (`{% name() %}` Markdown `{% end %}`) and shortcodes on lines of their
//! own: the body rendered as Markdown and checked, and no `<p>` around a block.

mod common;

use common::Site;

const NOTE: &str = "<aside class=\"note {{ kind }}\">{{ body | safe }}</aside>";
const BOX: &str = "<blockquote class=\"box\">{{ text }}</blockquote>";

fn site(page: &str) -> Site {
    let s = Site::new();
    s.write("templates/shortcodes/note.html", NOTE);
    s.write("templates/shortcodes/box.html", BOX);
    s.write("content/stories/notes.md", page);
    s
}

/// Block elements that `<p>` must never contain.
const BLOCKS: &[&str] = &[
    "<aside",
    "<blockquote",
    "<div",
    "<figure",
    "<table",
    "<ul",
    "<ol",
    "<p>",
    "<p ",
    "<h2",
    "<pre",
];

/// Every `<p>...</p>` of `html` holds no block element.
fn assert_no_block_in_p(html: &str) {
    let mut rest = html;
    while let Some(i) = rest.find("<p>").or_else(|| rest.find("<p ")) {
        let inner = &rest[i + 2..];
        let end = inner.find("</p>").expect("unclosed <p>");
        let para = &inner[..end];
        for b in BLOCKS {
            assert!(!para.contains(b), "<p> holds {b}: <p{para}</p>\nin {html}");
        }
        rest = &inner[end..];
    }
}

fn main_text(html: &str) -> &str {
    let a = html.find("Before").unwrap();
    let b = html[a..]
        .find("<section class=\"references\"")
        .map_or(html.len(), |b| a + b);
    &html[a..b]
}

#[test]
fn block_body_is_markdown_with_citations_figures_and_links() {
    let s = site(
        "---\ntitle: Notes\n---\n\nBefore.\n\n{% note(kind=\"warning\") %}\nThis is *important*: {{ fig(id=\"kz-entries\") }} came [@src-b], see [two](@/stories/two.md).\n\n- a list item\n{% end %}\n\nAfter [@src-a].\n",
    );
    s.build_ok(&[]);
    let html = s.out("stories/notes/index.html");
    let text = main_text(&html);
    assert!(
        text.contains("<aside class=\"note warning\"><p>This is <em>important</em>:"),
        "{text}"
    );
    assert!(text.contains("data-figure=\"kz-entries\""), "{text}");
    // The body's citations are numbered with the page's: the fig's source first, then src-b.
    assert!(
        text.contains("came<sup class=\"cite\">[<a href=\"#ref-2\""),
        "{text}"
    );
    assert!(
        text.contains("After<sup class=\"cite\">[<a href=\"#ref-1\""),
        "{text}"
    );
    assert!(text.contains("href=\"/sub/stories/two/\""), "{text}");
    assert!(text.contains("<li>a list item</li>"), "{text}");
    assert!(!text.contains("{%"), "{text}");
    assert!(!text.contains("{% end %}"), "{text}");
    assert!(
        html.contains("Article B"),
        "the body's source is in the reference list"
    );
    assert_no_block_in_p(text);
}

#[test]
fn a_broken_link_in_the_body_is_reported_at_its_line() {
    let s = site(
        "---\ntitle: Notes\n---\n\nBefore.\n\n{% note(kind=\"info\") %}\nSee [x](@/stories/tow.md).\n{% end %}\n",
    );
    let r = s.build(&[]);
    r.assert_fails();
    assert!(
        r.stderr.contains("content/stories/notes.md:8:5:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("@/stories/two.md"), "{}", r.stderr);
}

#[test]
fn an_unclosed_block_is_an_error_at_its_opening_line() {
    let s = site("---\ntitle: Notes\n---\n\nBefore.\n\n{% note(kind=\"info\") %}\nNo end.\n");
    let r = s.build(&[]);
    r.assert_fails();
    assert!(
        r.stderr
            .contains("content/stories/notes.md:7:1: error: block shortcode `note` is not closed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("{% end %}"), "{}", r.stderr);
}

#[test]
fn a_shortcode_on_its_own_line_is_a_block_not_inside_p() {
    let s = site(
        "---\ntitle: Notes\n---\n\nBefore.\n\n{{ box(text=\"quoted\") }}\nText right after it.\n\nText right before\n{{ box(text=\"again\") }}\n\n{% note(kind=\"a\") %}\nBody.\n{% end %}\nAnd after the block.\n\nInline {{ fig(id=\"kz-entries\") }} stays inline.\n",
    );
    s.build_ok(&[]);
    let html = s.out("stories/notes/index.html");
    let text = main_text(&html);
    assert_no_block_in_p(text);
    assert!(
        text.contains("<blockquote class=\"box\">quoted</blockquote>\n<p>Text right after it.</p>"),
        "{text}"
    );
    assert!(
        text.contains("<p>Text right before</p>\n<blockquote class=\"box\">again</blockquote>"),
        "{text}"
    );
    assert!(
        text.contains("</aside>\n<p>And after the block.</p>"),
        "{text}"
    );
    assert!(text.contains("<p>Inline <span class=\"fig\""), "{text}");
}
