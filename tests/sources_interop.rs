//! Sources from and to the tools researchers use: bibliographies imported from BibTeX,
//! CSL-JSON and Hayagriva YAML; citation styles (snapshots of two); the exports and their
//! round trip; archives as HTML and WARC; the external link check against a local server.

mod common;

use common::Site;
use std::fs;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Fixtures

/// A story citing the imported key with a locator, and a figure quoting the archive.
const STORY: &str = "\
---
title: Routes out
date: 2022-10-01
figures:
  - id: ge-crossings
    value: 53000
    unit: people
    measure: entries
    subject: Russians entering Georgia
    source: megrelidze_over_2022
    quote: \"53,000 Russians had crossed into Georgia\"
---

Georgia counted {{ fig(id=\"ge-crossings\") }} arrivals [@megrelidze_over_2022, para. 3].
The queue was long [@doe-2022].
";

const BIB: &str = "\
@article{megrelidze_over_2022,
  title = {Over 194,000 Russians flee call-up to neighboring countries},
  author = {Megrelidze, Sophiko and {News Agencies}},
  journaltitle = {The Associated Press},
  date = {2022-09-27},
  url = {https://apnews.com/article/russia-ukraine-194000},
  urldate = {2022-10-02},
  langid = {english},
}
";

const CSL_JSON: &str = r#"[
  {
    "id": "http://zotero.org/users/local/abc/items/XYZ",
    "citation-key": "megrelidze_over_2022",
    "type": "article-newspaper",
    "title": "Over 194,000 Russians flee call-up to neighboring countries",
    "container-title": "The Associated Press",
    "author": [{"family": "Megrelidze", "given": "Sophiko"}, {"literal": "News Agencies"}],
    "issued": {"date-parts": [[2022, 9, 27]]},
    "URL": "https://apnews.com/article/russia-ukraine-194000",
    "accessed": {"date-parts": [[2022, 10, 2]]},
    "language": "en-US"
  }
]
"#;

const HAYAGRIVA: &str = "\
megrelidze_over_2022:
  type: Article
  title: Over 194,000 Russians flee call-up to neighboring countries
  author: [\"Megrelidze, Sophiko\", News Agencies]
  date: 2022-09-27
  url:
    value: https://apnews.com/article/russia-ukraine-194000
    date: 2022-10-02
  language: en-US
  parent:
    type: Newspaper
    title: The Associated Press
";

/// sources.yaml adds dossier's own fields to the imported entry, and has a source of its own.
const OVERLAY: &str = "\
- id: megrelidze_over_2022
  archive: archive/ap.txt
  short: AP
  archive_url: https://web.archive.org/web/2022/https://apnews.com/article/russia-ukraine-194000
- id: doe-2022
  title: Queues at Verkhny Lars
  publisher: Border Gazette
  authors: [\"Doe, Jane\"]
  published: 2022-09-29
";

const ARCHIVE: &str =
    "Officials said 53,000 Russians had crossed into Georgia since the announcement.\n";

/// A site that imports `file` (named `name`) and completes it with sources.yaml.
fn imported_site(name: &str, text: &str) -> Site {
    let s = Site::empty();
    s.write(
        "site.yaml",
        &format!("title: Imports\nbase_url: https://example.org/\nauthor: Test Author\nsources: [{name}]\n"),
    );
    s.write(name, text);
    s.write("content/_index.md", "---\ntitle: Home\n---\n\nHome.\n");
    s.write("content/sources.yaml", OVERLAY);
    s.write("archive/ap.txt", ARCHIVE);
    s.write("content/stories/_index.md", "---\ntitle: Stories\n---\n");
    s.write("content/stories/routes.md", STORY);
    s
}

fn sources_json(s: &Site) -> Vec<serde_json::Value> {
    serde_json::from_str(&s.out("sources.json")).unwrap()
}

fn source<'a>(all: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    all.iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no source {id} in {all:?}"))
}

/// The imported entry, whatever the format: its fields, sources.yaml's additions, the
/// quote verified against its archive, and the file kept out of the output.
fn assert_imported(s: &Site, file: &str, language: &str) {
    let all = sources_json(s);
    assert_eq!(all.len(), 2, "{all:?}");
    let ap = source(&all, "megrelidze_over_2022");
    assert_eq!(
        ap["title"],
        "Over 194,000 Russians flee call-up to neighboring countries"
    );
    assert_eq!(ap["publisher"], "The Associated Press");
    assert_eq!(
        ap["authors"],
        serde_json::json!(["Megrelidze, Sophiko", "News Agencies"])
    );
    assert_eq!(ap["published"], "2022-09-27");
    assert_eq!(ap["accessed"], "2022-10-02");
    assert_eq!(
        ap["url"],
        "https://apnews.com/article/russia-ukraine-194000"
    );
    assert_eq!(ap["language"], language);
    assert_eq!(ap["archived"], true);
    assert_eq!(ap["figures"], serde_json::json!(["ge-crossings"]));
    assert!(
        ap["archive_url"]
            .as_str()
            .unwrap()
            .starts_with("https://web.archive.org/")
    );
    let figures: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    assert_eq!(figures[0]["verified"], true, "{figures}");
    let page = s.out("stories/routes/index.html");
    assert!(page.contains("href=\"#ref-1\""), "{page}");
    assert!(
        page.contains("Over 194,000 Russians flee call-up"),
        "{page}"
    );
    assert!(!s.has_out(file), "{file} was published");
}

// ---------------------------------------------------------------------------------------
// Import

#[test]
fn a_bibtex_file_is_imported_and_completed_by_sources_yaml() {
    let s = imported_site("refs.bib", BIB);
    s.build_ok(&[]);
    assert_imported(&s, "refs.bib", "en-US");
}

#[test]
fn a_csl_json_file_from_zotero_is_imported_by_citation_key() {
    let s = imported_site("zotero.json", CSL_JSON);
    s.build_ok(&[]);
    assert_imported(&s, "zotero.json", "en-US");
}

#[test]
fn a_hayagriva_file_is_imported() {
    let s = imported_site("refs.yaml", HAYAGRIVA);
    s.build_ok(&[]);
    assert_imported(&s, "refs.yaml", "en-US");
}

#[test]
fn a_bibliography_in_content_is_an_input_not_an_asset() {
    let s = imported_site("content/refs.bib", BIB);
    s.build_ok(&[]);
    assert_imported(&s, "refs.bib", "en-US");
}

#[test]
fn a_key_in_two_bibliographies_is_an_error_at_the_second() {
    let s = imported_site("refs.bib", BIB);
    s.write(
        "site.yaml",
        "title: Imports\nbase_url: https://example.org/\nsources: [refs.bib, zotero.json]\n",
    );
    s.write("zotero.json", CSL_JSON);
    s.build(&[])
        .assert_fails()
        .err_has("zotero.json:2:3: error: duplicate source id `megrelidze_over_2022`")
        .err_has("hint: first defined at refs.bib:1");
}

#[test]
fn an_imported_entry_without_a_publisher_can_get_one_from_sources_yaml() {
    let s = imported_site(
        "refs.bib",
        "@online{kwan, title = {Crazy Rich Asians}, date = {2014-06-10}}\n",
    );
    s.write(
        "content/stories/routes.md",
        "---\ntitle: R\n---\n\nText [@kwan].\n",
    );
    s.write("content/sources.yaml", "- id: kwan\n  title: Again\n");
    // Without a publisher from either file: one error, at the entry, naming the file.
    s.write("content/sources.yaml", "");
    s.build(&[])
        .assert_fails()
        .err_has("refs.bib:1:1: error: source `kwan` (imported from refs.bib) has no publisher");
    s.write(
        "content/sources.yaml",
        "- id: kwan\n  publisher: Anchor Books\n",
    );
    s.build_ok(&[]);
    assert_eq!(
        source(&sources_json(&s), "kwan")["publisher"],
        "Anchor Books"
    );
}

// ---------------------------------------------------------------------------------------
// Citation styles

/// The page's reference list, as rendered.
fn references(html: &str) -> &str {
    let start = html
        .find("<section class=\"references\"")
        .expect("a reference list");
    let end = start + html[start..].find("</section>").unwrap() + "</section>".len();
    &html[start..end]
}

/// Compare with tests/snapshots/<name> (`DOSSIER_BLESS=1` rewrites it).
fn snapshot(name: &str, actual: &str) {
    let file = common::manifest_dir().join("tests/snapshots").join(name);
    if std::env::var_os("DOSSIER_BLESS").is_some() {
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, actual).unwrap();
    }
    let expected = fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e} (DOSSIER_BLESS=1 writes it)", file.display()));
    assert_eq!(
        actual, expected,
        "{name} differs (DOSSIER_BLESS=1 rewrites it)"
    );
}

fn styled_site(style: &str) -> Site {
    let s = imported_site("refs.bib", BIB);
    let yaml = fs::read_to_string(s.path("site.yaml")).unwrap();
    s.write("site.yaml", &format!("{yaml}citation_style: {style}\n"));
    s
}

#[test]
fn apa_reference_list_and_author_date_citations() {
    let s = styled_site("apa");
    // First by id, last by author: /sources/ lists in the style's order.
    s.write(
        "content/sources.yaml",
        &format!("{OVERLAY}- id: aaa-zed\n  title: Last\n  publisher: P\n  authors: [\"Zed, Zoe\"]\n  published: 2022-09-30\n"),
    );
    s.build_ok(&[]);
    let page = s.out("stories/routes/index.html");
    snapshot("references-apa.html", references(&page));
    // In the text: author and year, with the locator, linked to the entry.
    assert!(
        page.contains(">Megrelidze &amp; News Agencies, 2022, para. 3</a>)"),
        "{page}"
    );
    assert!(page.contains(">Doe, 2022</a>)"), "{page}");
    // /sources/ shows each source's entry in the style.
    let index = s.out("sources/index.html");
    assert!(
        index.contains("<p class=\"source-reference\">Doe, J. (2022, September 29)."),
        "{index}"
    );
    let (doe, zed) = (
        index.find("Doe, J.").unwrap(),
        index.find("Zed, Z.").unwrap(),
    );
    assert!(doe < zed, "{index}");
}

#[test]
fn ieee_reference_list_and_numbers_in_page_order() {
    let s = styled_site("ieee");
    s.build_ok(&[]);
    let page = s.out("stories/routes/index.html");
    snapshot("references-ieee.html", references(&page));
    assert!(
        page.contains("<a href=\"#ref-1\" title=\"The Associated Press, "),
        "{page}"
    );
    assert!(page.contains(">[1, Para. 3]</a>"), "{page}");
    assert!(page.contains(">[2]</a>"), "{page}");
}

#[test]
fn a_csl_file_of_the_site_is_a_style() {
    let s = styled_site("styles/house.csl");
    s.write(
        "styles/house.csl",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>House</title><id>house</id><updated>2024-01-01T00:00:00+00:00</updated>
    <category citation-format="author-date"/></info>
  <citation><layout prefix="(" suffix=")" delimiter="; "><text variable="title"/></layout></citation>
  <bibliography><layout><text variable="title" font-style="italic"/><text value=" — house style"/></layout></bibliography>
</style>
"#,
    );
    s.build_ok(&[]);
    let page = s.out("stories/routes/index.html");
    assert!(
        page.contains("<i>Queues at Verkhny Lars</i> — house style"),
        "{page}"
    );
    assert!(page.contains(">Queues at Verkhny Lars</a>)"), "{page}");
}

// ---------------------------------------------------------------------------------------
// Exports

/// The flagship site (its five sources), built.
fn flagship() -> Site {
    let s = Site::empty();
    let repo = common::manifest_dir();
    fs::copy(repo.join("site.yaml"), s.path("site.yaml")).unwrap();
    common::copy_dir(&repo.join("content"), &s.path("content"));
    s.build_ok(&[]);
    s
}

/// The fields a source round-trips with (what sources.json says of it, less what the
/// build adds).
fn comparable(v: &serde_json::Value) -> serde_json::Value {
    let mut v = v.clone();
    for k in ["archived", "cited_by", "figures"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

#[test]
fn exported_bib_and_csl_json_parse_and_round_trip_the_flagship_sources() {
    let s = flagship();
    let original = sources_json(&s);
    assert!(original.len() >= 5, "{original:?}");
    let bib = s.out("sources.bib");
    let csl = s.out("sources.csl.json");

    // Each parses with the crates that read them.
    let parsed = biblatex::Bibliography::parse(&bib).unwrap();
    assert_eq!(parsed.len(), original.len());
    let library = hayagriva::io::from_biblatex_str(&bib).unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_str(&csl).unwrap();
    assert_eq!(items.len(), original.len());
    for o in &original {
        let id = o["id"].as_str().unwrap();
        let e = library
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in sources.bib"));
        assert_eq!(e.title().unwrap().to_string(), o["title"].as_str().unwrap());
        let item = items.iter().find(|i| i["id"] == id).unwrap();
        assert_eq!(item["title"], o["title"]);
        assert_eq!(item["container-title"], o["publisher"]);
    }

    // Imported again, each gives the same sources.
    for file in ["sources.bib", "sources.csl.json"] {
        let again = Site::empty();
        let yaml = fs::read_to_string(s.path("site.yaml")).unwrap();
        again.write("site.yaml", &format!("{yaml}\nsources: [{file}]\n"));
        common::copy_dir(&s.path("content"), &again.path("content"));
        fs::remove_file(again.path("content/sources.yaml")).unwrap();
        again.write(file, &s.out(file));
        again.build_ok(&[]);
        let back = sources_json(&again);
        assert_eq!(back.len(), original.len());
        for (o, b) in original.iter().zip(&back) {
            let (mut o, b) = (comparable(o), comparable(b));
            if file == "sources.bib" {
                // BibLaTeX names languages as babel does: `english` is American English.
                assert_eq!(o["language"], "en");
                assert_eq!(b["language"], "en-US");
                o["language"] = b["language"].clone();
            }
            assert_eq!(o, b, "{file}");
        }
    }
}

#[test]
fn ris_export_has_one_record_per_source() {
    let s = imported_site("refs.bib", BIB);
    s.build_ok(&[]);
    let ris = s.out("sources.ris");
    assert_eq!(ris.matches("TY  - ").count(), 2, "{ris}");
    // A source of sources.yaml is a newspaper article; the imported @article a journal one.
    assert!(ris.contains("TY  - NEWS\r\nID  - doe-2022\r\n"), "{ris}");
    assert_eq!(ris.matches("ER  - \r\n").count(), 2, "{ris}");
    assert!(ris.contains("TY  - JOUR\r\nID  - megrelidze_over_2022\r\nTI  - Over 194,000 Russians flee call-up to neighboring countries\r\nAU  - Megrelidze, Sophiko\r\nAU  - News Agencies\r\nT2  - The Associated Press\r\nPY  - 2022\r\nDA  - 2022/09/27\r\nUR  - https://apnews.com/article/russia-ukraine-194000\r\nY2  - 2022/10/02\r\n"), "{ris}");
}

#[test]
fn each_story_has_a_cite_this_page_block_in_the_site_style() {
    let s = imported_site("refs.bib", BIB);
    s.build_ok(&[]);
    let page = s.out("stories/routes/index.html");
    assert!(
        page.contains("<h2 id=\"cite-title\">Cite this page</h2>"),
        "{page}"
    );
    assert!(page.contains("Test Author, “Routes out”, <i>Imports</i>, 1 October 2022. <a href=\"https://example.org/stories/routes/\">"), "{page}");
    // Its BibTeX parses.
    let start = page.find("<pre><code>").unwrap() + "<pre><code>".len();
    let end = page[start..].find("</code></pre>").unwrap() + start;
    let bib = page[start..end]
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let parsed = biblatex::Bibliography::parse(&bib).unwrap();
    let e = parsed
        .get("imports-stories-routes")
        .unwrap_or_else(|| panic!("{bib}"));
    assert_eq!(e.url().unwrap(), "https://example.org/stories/routes/");
    // A section is no story: no block.
    assert!(!s.out("stories/index.html").contains("Cite this page"));

    let s = styled_site("apa");
    s.build_ok(&[]);
    let page = s.out("stories/routes/index.html");
    assert!(
        page.contains("Test Author. (2022, October 1). <i>Routes out</i>. Imports."),
        "{page}"
    );
}

// ---------------------------------------------------------------------------------------
// Archives

/// An article page as SingleFile would save it: navigation, the article, a footer.
fn article_html() -> String {
    let para = "The border crossing at Verkhny Lars saw queues of cars and people on foot for days, as men of fighting age tried to leave before the borders closed. Volunteers handed out water and food to those waiting in the heat.";
    format!(
        "<!DOCTYPE html><html><head><title>Over 194,000 Russians flee</title></head><body>\
<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> Subscribe now: only 2 dollars a week</nav>\
<article><h1>Over 194,000 Russians flee call-up</h1>\
<p>{para}</p><p>Officials in Tbilisi said 53,000 Russians had crossed into Georgia since the announcement, \
a number that rose by thousands a day.</p><p>{para}</p><p>{para}</p></article>\
<footer>Copyright 2022. All 12 rights reserved.</footer></body></html>"
    )
}

fn archive_site(archive_name: &str, bytes: &[u8], url: &str) -> Site {
    let s = imported_site(
        "refs.bib",
        &BIB.replace("https://apnews.com/article/russia-ukraine-194000", url),
    );
    s.write(
        "content/sources.yaml",
        &OVERLAY
            .replace("archive/ap.txt", &format!("archive/{archive_name}"))
            .replace("https://apnews.com/article/russia-ukraine-194000", url),
    );
    s.write_bytes(&format!("archive/{archive_name}"), bytes);
    s
}

#[test]
fn an_html_snapshot_is_read_as_its_article_text() {
    let s = archive_site("ap.html", article_html().as_bytes(), "https://apnews.com/a");
    s.build_ok(&[]);
    let figures: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    assert_eq!(figures[0]["verified"], true);
    // A quote from the page's navigation is not in the article.
    s.write(
        "content/stories/routes.md",
        &STORY.replace("53000", "2").replace(
            "53,000 Russians had crossed into Georgia",
            "only 2 dollars a week",
        ),
    );
    s.build(&[])
        .assert_fails()
        .err_has("error: the quote of figure `ge-crossings` is not in the archived text of `megrelidze_over_2022`")
        .err_has("closest passage in the archive: ");
}

/// The records of a WARC file: a warcinfo record, then a request and a response for each
/// of `pages` (URL, HTTP response bytes).
fn warc_records(pages: &[(&str, Vec<u8>)]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut record = |kind: &str, uri: Option<&str>, ctype: &str, body: &[u8]| {
        let mut head = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\nWARC-Date: 2022-10-02T10:00:00Z\r\n",
            out.len()
        );
        if let Some(u) = uri {
            head.push_str(&format!("WARC-Target-URI: {u}\r\n"));
        }
        head.push_str(&format!(
            "Content-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        ));
        let mut r = head.into_bytes();
        r.extend_from_slice(body);
        r.extend_from_slice(b"\r\n\r\n");
        out.push(r);
    };
    record(
        "warcinfo",
        None,
        "application/warc-fields",
        b"software: test\r\n",
    );
    for (url, response) in pages {
        record(
            "request",
            Some(url),
            "application/http; msgtype=request",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        record(
            "response",
            Some(url),
            "application/http; msgtype=response",
            response,
        );
    }
    out
}

fn warc(pages: &[(&str, Vec<u8>)]) -> Vec<u8> {
    warc_records(pages).concat()
}

fn http_response(html: &str, chunked_gzip: bool) -> Vec<u8> {
    if !chunked_gzip {
        return format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}", html.len()).into_bytes();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(html.as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in body.chunks(100) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[test]
fn a_warc_file_is_read_at_the_response_for_the_source_url() {
    let url = "https://apnews.com/article/a";
    let other = "<html><body><article><p>Nothing about Georgia here, but 53,000 words of something else entirely.</p></article></body></html>";
    let bytes = warc(&[
        ("https://apnews.com/other", http_response(other, false)),
        (url, http_response(&article_html(), true)),
    ]);
    let s = archive_site("ap.warc", &bytes, url);
    s.build_ok(&[]);
    let figures: serde_json::Value = serde_json::from_str(&s.out("figures.json")).unwrap();
    assert_eq!(figures[0]["verified"], true);

    // Gzipped record by record, as Webrecorder and ArchiveBox write them.
    let mut gz = Vec::new();
    let pages = [
        ("https://apnews.com/other", http_response(other, false)),
        (url, http_response(&article_html(), true)),
    ];
    for part in warc_records(&pages) {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&part).unwrap();
        gz.extend(e.finish().unwrap());
    }
    let s = archive_site("ap.warc.gz", &gz, url);
    s.build_ok(&[]);

    // A source whose URL has no record: an error naming the URLs the file has.
    let s = archive_site("ap.warc", &bytes, "https://apnews.com/article/b");
    s.build(&[])
        .assert_fails()
        .err_has("error: cannot read archive")
        .err_has("the WARC file has no response for https://apnews.com/article/b")
        .err_has("hint: did you mean https://apnews.com/article/a?");

    // The quote of another record is not taken for this source's.
    let bytes = warc(&[(url, http_response(other, false))]);
    let s = archive_site("ap.warc", &bytes, url);
    s.build(&[])
        .assert_fails()
        .err_has("is not in the archived text of `megrelidze_over_2022`");
}

// ---------------------------------------------------------------------------------------
// Link rot

/// A site whose every external link is on the local server at `base` (the source's URL is
/// `base{source_path}`, its archived copy `base/archived`): nothing else is ever requested.
fn local_site(base: &str, source_path: &str) -> Site {
    let url = format!("{base}{source_path}");
    let s = imported_site(
        "refs.bib",
        &BIB.replace("https://apnews.com/article/russia-ukraine-194000", &url),
    );
    s.write(
        "content/sources.yaml",
        &OVERLAY
            .replace("https://apnews.com/article/russia-ukraine-194000", &url)
            .replace(
                "https://web.archive.org/web/2022/",
                &format!("{base}/archived?of="),
            ),
    );
    s
}

/// A local server: /ok 200, /moved 301 -> /ok, /gone 404, /broken 500, /slow answers
/// after 3 s. It records the user agents it saw, and stops when dropped.
struct Server {
    port: u16,
    agents: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let agents = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (a, st) = (agents.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok(Some(rq)) = server.recv_timeout(Duration::from_millis(50)) else {
                    continue;
                };
                if let Some(h) = rq.headers().iter().find(|h| h.field.equiv("User-Agent")) {
                    a.lock().unwrap().push(h.value.to_string());
                }
                std::thread::spawn(move || {
                    let (code, location) = match rq.url() {
                        "/ok" => (200, None),
                        u if u.starts_with("/archived") => (200, None),
                        "/moved" => (301, Some("/ok")),
                        "/gone" => (404, None),
                        "/broken" => (500, None),
                        "/slow" => {
                            std::thread::sleep(Duration::from_secs(3));
                            (200, None)
                        }
                        _ => (404, None),
                    };
                    let mut r = tiny_http::Response::from_string("body").with_status_code(code);
                    if let Some(l) = location {
                        r.add_header(tiny_http::Header::from_bytes("Location", l).unwrap());
                    }
                    let _ = rq.respond(r);
                });
            }
        });
        Server {
            port,
            agents,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Before any `check --external`: the site links nowhere but the local server (and its own
/// base URL), so that a test never reaches the internet.
fn assert_only_local_links(s: &Site, base: &str) {
    s.build_ok(&[]);
    for (path, bytes) in common::snapshot(&s.path("public")) {
        if !path.ends_with(".html") {
            continue;
        }
        for link in common::links(&String::from_utf8_lossy(&bytes)) {
            let external = link.starts_with("http://") || link.starts_with("https://");
            assert!(
                !external || link.starts_with(base) || link.starts_with("https://example.org/"),
                "{path} links to {link}"
            );
        }
    }
}

#[test]
fn check_external_reports_dead_links_redirects_and_archived_copies() {
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let s = local_site(&base, "/gone");
    s.write(
        "content/stories/links.md",
        &format!("---\ntitle: Links\n---\n\n[ok]({base}/ok), [moved]({base}/moved), [broken]({base}/broken), [slow]({base}/slow), [again]({base}/ok#part), [own](https://example.org/stories/routes/).\n"),
    );
    assert_only_local_links(&s, &base);
    let r = s.run(&[
        "check",
        "--external",
        "--timeout",
        "1",
        "--user-agent",
        "dossier-test/1",
    ]);
    r.assert_fails();
    r.err_has("checking 6 external links on 1 domain");
    let out = &r.stdout;
    let domain = format!("127.0.0.1:{}", server.port);
    assert!(out.starts_with(&format!("{domain}\n")), "{out}");
    // The source's URL first; its archived copy is suggested.
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with(&format!(
            "  broken      {base}/gone (404; source `megrelidze_over_2022`"
        )),
        "{out}"
    );
    assert_eq!(
        lines[2],
        format!(
            "    hint: source `megrelidze_over_2022` has an archived copy: {base}/archived?of={base}/gone"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  broken      {base}/broken (500; on /stories/links/)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  broken      {base}/slow (timed out; on /stories/links/)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  redirected  {base}/moved -> 301 {base}/ok -> 200 (on /stories/links/)"
        )),
        "{out}"
    );
    assert!(!out.contains("example.org"), "{out}");
    // The summary table.
    let w = domain.len();
    assert!(
        out.contains(&format!(
            "{:<w$}  links     ok  redirected  broken\n",
            "domain"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{domain}      6      2           1       3\n")),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "{:<w$}      6      2           1       3\n",
            "total"
        )),
        "{out}"
    );
    r.err_has("external check failed: 3 dead links");
    assert!(
        server
            .agents
            .lock()
            .unwrap()
            .iter()
            .all(|a| a == "dossier-test/1")
    );
    assert!(server.agents.lock().unwrap().len() >= 6);

    // Without --external nothing is requested.
    let before = server.agents.lock().unwrap().len();
    s.run(&["check"]).assert_ok();
    assert_eq!(server.agents.lock().unwrap().len(), before);
}

#[test]
fn check_external_passes_when_every_link_works() {
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let s = local_site(&base, "/ok");
    assert_only_local_links(&s, &base);
    let r = s.run(&["check", "--external"]);
    r.assert_ok().err_has("external check passed");
    assert!(
        r.stdout.contains("      2      2           0       0\n"),
        "{}",
        r.stdout
    );
}
