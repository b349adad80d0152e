//! Synthetic sites for the performance benchmark (`benches/compare.sh`).
//!
//! ```sh
//! cargo run --release --example gen_site -- 10000 /tmp/bench-10k          # dossier's workload
//! cargo run --release --example gen_site -- --blog 10000 /tmp/blog-10k    # the plain blog
//! ```
//!
//! Both write N content pages (plus a home page and one section page per 200 pages),
//! deterministically (same N, same bytes).
//!
//! dossier's own workload, for dossier against Hugo:
//!
//! - `OUTDIR/dossier/`: `site.yaml`, `content/` (front matter with tags, places, sources
//!   and figures; Markdown with headings, inline citations `[@id]`, `{{ fig(id="...") }}`,
//!   `@/` internal links, a table, a list and, on most pages, a fenced code block),
//!   `content/sources.yaml`, and a copy of this repository's `themes/default`;
//! - `OUTDIR/hugo/`: the same front matter and text for Hugo (`hugo.yaml`, the sources as
//!   `data/sources.yaml`, citations and figures as the shortcodes `cite` and `fig`, internal
//!   links as plain URLs) and a minimal layout set that renders the same kind of pages:
//!   a page with its places, tags, table of contents, content, figure table, references and
//!   previous/next links; section, taxonomy and term listings; the figures and sources pages.
//!
//! The plain blog (`--blog`), for dossier, Hugo and Zola: the same CommonMark for all three
//! (headings, a list, a table, a footnote and a fenced code block on every page, a link to an
//! earlier page), front matter with a date, a summary and 3 tags (YAML for dossier and Hugo,
//! TOML for Zola), and minimal templates of the same shape for each (`OUTDIR/dossier/themes/plain`,
//! `OUTDIR/hugo/layouts`, `OUTDIR/zola/templates`): a page with its date, tags, table of
//! contents, content and previous/next links; section lists; the tag list and term pages;
//! each tool's built-in feed (one, of 20 entries) and sitemap.
//!
//! It is registered in Cargo.toml as the example `gen_site` (std only, no extra crates).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// xorshift64*: deterministic and good enough for text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "border",
    "crossing",
    "queue",
    "men",
    "families",
    "officials",
    "reported",
    "travel",
    "mobilization",
    "announcement",
    "flights",
    "tickets",
    "prices",
    "rose",
    "sharply",
    "after",
    "week",
    "many",
    "left",
    "by",
    "car",
    "on",
    "foot",
    "bicycle",
    "ministry",
    "said",
    "that",
    "numbers",
    "were",
    "higher",
    "than",
    "expected",
    "local",
    "residents",
    "helped",
    "with",
    "housing",
    "food",
    "and",
    "work",
    "some",
    "returned",
    "later",
    "others",
    "stayed",
    "in",
    "cities",
    "along",
    "the",
    "route",
    "journalists",
    "counted",
    "cars",
    "waiting",
    "for",
    "hours",
    "at",
    "checkpoint",
    "governments",
    "debated",
    "whether",
    "to",
    "welcome",
    "them",
    "economists",
    "warned",
    "of",
    "labour",
    "shortages",
    "rents",
    "doubled",
    "within",
    "days",
    "a",
    "survey",
    "found",
    "most",
    "were",
    "young",
    "educated",
    "professionals",
    "from",
    "large",
    "regions",
    "statistics",
    "differ",
    "between",
    "sources",
    "because",
    "periods",
    "overlap",
    "or",
    "methods",
    "vary",
    "estimates",
    "remain",
    "uncertain",
    "but",
    "trend",
    "is",
    "clear",
    "exodus",
    "continued",
    "through",
    "october",
    "as",
    "authorities",
    "tightened",
    "rules",
    "new",
    "arrivals",
    "registered",
    "with",
    "police",
    "banks",
    "opened",
    "accounts",
];
const TAGS: usize = 200;
const PLACES: &[&str] = &[
    "Georgia",
    "Kazakhstan",
    "Armenia",
    "Turkey",
    "Serbia",
    "Finland",
    "Mongolia",
    "Uzbekistan",
    "Kyrgyzstan",
    "Israel",
    "United Arab Emirates",
    "Latvia",
    "Estonia",
    "Norway",
    "Azerbaijan",
    "Tajikistan",
    "Montenegro",
    "Germany",
    "Poland",
    "Lithuania",
    "Verkhny Lars",
    "Upper Lars",
    "Tbilisi",
    "Almaty",
    "Astana",
    "Yerevan",
    "Istanbul",
    "Belgrade",
    "Helsinki",
    "Ulaanbaatar",
    "Vaalimaa",
    "Narva",
    "Bishkek",
    "Tashkent",
    "Baku",
    "Dubai",
    "Tel Aviv",
    "Riga",
    "Tallinn",
    "Oslo",
    "Berlin",
    "Warsaw",
    "Vilnius",
    "Budva",
    "Antalya",
    "Batumi",
    "Kutaisi",
    "Oral",
    "Semey",
    "Petropavl",
];
const UNITS: &[&str] = &["people", "km", "hours", "rubles", "percent"];
const MEASURES: &[&str] = &["entries", "exits", "queue-length", "price", "wait"];
const QUALIFIERS: &[&str] = &["exact", "over", "about", "nearly", "at least", "up to"];
const PUBLISHERS: &[&str] = &[
    "The Associated Press",
    "Reuters",
    "Al Jazeera",
    "Newsweek",
    "The Guardian",
    "BBC News",
    "Meduza",
    "Novaya Gazeta Europe",
    "Eurasianet",
    "OC Media",
    "Le Monde",
    "Der Spiegel",
];
const LANGS: &[&str] = &["python", "yaml", "rust", "json", "bash"];

fn words(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(r.pick(WORDS));
    }
    s
}

fn sentence(r: &mut Rng) -> String {
    let n = 8 + r.below(12);
    let mut s = words(r, n);
    if let Some(c) = s.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    s
}

fn title(r: &mut Rng) -> String {
    let n = 3 + r.below(4);
    let mut s = words(r, n);
    if let Some(c) = s.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    s
}

/// `12345` -> `12,345`.
fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn date(day: usize) -> String {
    // Days from 2022-09-01, within September-December 2022.
    let months = [(9, 30), (10, 31), (11, 30), (12, 31)];
    let mut d = day % 122;
    for (m, len) in months {
        if d < len {
            return format!("2022-{m:02}-{:02}", d + 1);
        }
        d -= len;
    }
    unreachable!()
}

struct Figure {
    id: String,
    value: u64,
    qualifier: &'static str,
    unit: &'static str,
    measure: &'static str,
    subject: String,
    place: &'static str,
    from: usize,
    to: usize,
    claimed_by: &'static str,
    source: usize,
    quote: String,
}

struct Page {
    section: usize,
    index: usize,
    title: String,
    summary: String,
    date: String,
    weight: Option<usize>,
    tags: Vec<usize>,
    places: Vec<&'static str>,
    sources: Vec<usize>,
    figures: Vec<Figure>,
}

impl Page {
    fn path(&self) -> String {
        format!("section-{:03}/page-{:05}.md", self.section, self.index)
    }
    fn url(&self) -> String {
        format!("/section-{:03}/page-{:05}/", self.section, self.index)
    }
}

fn yaml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn source_id(i: usize) -> String {
    format!("src-{i:05}")
}

fn front_matter(p: &Page) -> String {
    let mut s = String::from("---\n");
    writeln!(s, "title: {}", yaml_str(&p.title)).unwrap();
    writeln!(s, "summary: {}", yaml_str(&p.summary)).unwrap();
    writeln!(s, "date: {}", p.date).unwrap();
    if let Some(w) = p.weight {
        writeln!(s, "weight: {w}").unwrap();
    }
    let tags: Vec<String> = p.tags.iter().map(|t| format!("tag-{t:03}")).collect();
    writeln!(s, "tags: [{}]", tags.join(", ")).unwrap();
    writeln!(s, "places: [{}]", p.places.join(", ")).unwrap();
    let srcs: Vec<String> = p.sources.iter().map(|&i| source_id(i)).collect();
    writeln!(s, "sources: [{}]", srcs.join(", ")).unwrap();
    if !p.figures.is_empty() {
        s.push_str("figures:\n");
        for f in &p.figures {
            writeln!(s, "  - id: {}", f.id).unwrap();
            writeln!(s, "    value: {}", f.value).unwrap();
            if f.qualifier != "exact" {
                writeln!(s, "    qualifier: {}", f.qualifier).unwrap();
            }
            writeln!(s, "    unit: {}", f.unit).unwrap();
            writeln!(s, "    measure: {}", f.measure).unwrap();
            writeln!(s, "    subject: {}", yaml_str(&f.subject)).unwrap();
            writeln!(s, "    place: {}", f.place).unwrap();
            writeln!(
                s,
                "    period: {{ from: {}, to: {} }}",
                date(f.from),
                date(f.to)
            )
            .unwrap();
            writeln!(s, "    as_of: {}", date(f.to)).unwrap();
            writeln!(s, "    claimed_by: {}", yaml_str(f.claimed_by)).unwrap();
            writeln!(s, "    source: {}", source_id(f.source)).unwrap();
            writeln!(s, "    quote: {}", yaml_str(&f.quote)).unwrap();
        }
    }
    s.push_str("---\n");
    s
}

/// The two spellings of the body: dossier's and Hugo's.
enum Flavour {
    Dossier,
    Hugo,
}

fn cite(f: &Flavour, ids: &[(usize, Option<String>)]) -> String {
    match f {
        Flavour::Dossier => {
            let items: Vec<String> = ids
                .iter()
                .map(|(i, loc)| match loc {
                    Some(l) => format!("@{}, {l}", source_id(*i)),
                    None => format!("@{}", source_id(*i)),
                })
                .collect();
            format!("[{}]", items.join("; "))
        }
        Flavour::Hugo => ids
            .iter()
            .map(|(i, _)| format!("{{{{< cite \"{}\" >}}}}", source_id(*i)))
            .collect(),
    }
}

fn fig(f: &Flavour, id: &str) -> String {
    match f {
        Flavour::Dossier => format!("{{{{ fig(id=\"{id}\") }}}}"),
        Flavour::Hugo => format!("{{{{< fig id=\"{id}\" >}}}}"),
    }
}

fn link(f: &Flavour, p: &Page) -> String {
    match f {
        Flavour::Dossier => format!("[{}](@/{})", p.title, p.path()),
        Flavour::Hugo => format!("[{}]({})", p.title, p.url()),
    }
}

/// A table of five rows (the same for every tool).
fn table(r: &mut Rng, s: &mut String) {
    writeln!(s, "| Place | Date | Count | Note |\n|---|---|---:|---|").unwrap();
    for _ in 0..5 {
        writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.pick(PLACES),
            date(r.below(60)),
            thousands(r.below(100_000) as u64),
            words(r, 3)
        )
        .unwrap();
    }
    s.push('\n');
}

/// A fenced code block of 6-11 lines in one of `LANGS`.
fn code_block(r: &mut Rng, s: &mut String) {
    let lang = r.pick(LANGS);
    writeln!(s, "```{lang}").unwrap();
    for j in 0..6 + r.below(6) {
        match lang {
            "python" => writeln!(
                s,
                "total_{j} = sum(x * {} for x in counts)  # {}",
                r.below(100),
                words(r, 3)
            ),
            "yaml" => writeln!(
                s,
                "key_{j}: {{ place: {}, value: {} }}",
                r.pick(PLACES),
                r.below(100_000)
            ),
            "rust" => writeln!(
                s,
                "let total_{j}: u64 = counts.iter().map(|x| x * {}).sum(); // {}",
                r.below(100),
                words(r, 2)
            ),
            "json" => {
                writeln!(s, "{{\"key\": \"k{j}\", \"value\": {}}}", r.below(100_000))
            }
            _ => writeln!(s, "grep -c '{}' counts-{j}.csv | sort -n", r.pick(WORDS)),
        }
        .unwrap();
    }
    s.push_str("```\n\n");
}

/// The Markdown body; `seed` makes the text of both flavours identical.
fn body(flavour: &Flavour, pages: &[Page], i: usize, seed: u64) -> String {
    let mut r = Rng(seed);
    let p = &pages[i];
    let mut s = String::new();
    let src = |r: &mut Rng| p.sources[r.below(p.sources.len())];
    // Intro.
    write!(s, "{} {}", sentence(&mut r), sentence(&mut r)).unwrap();
    let a = src(&mut r);
    writeln!(s, " {}.\n", cite(flavour, &[(a, None)])).unwrap();
    let sections = 3 + r.below(3);
    for k in 0..sections {
        writeln!(s, "## {}\n", title(&mut r)).unwrap();
        for para in 0..2 {
            write!(s, "{}, {}", sentence(&mut r), words(&mut r, 6)).unwrap();
            if let Some(f) = p.figures.get(k + para) {
                write!(s, " {} {}", fig(flavour, &f.id), words(&mut r, 4)).unwrap();
            }
            let (a, b) = (src(&mut r), src(&mut r));
            let ids = if a == b {
                vec![(a, Some(format!("para. {}", 1 + r.below(9))))]
            } else {
                vec![(a, None), (b, None)]
            };
            write!(s, " {}. {}", cite(flavour, &ids), sentence(&mut r)).unwrap();
            if para == 1 && k == 1 && i > 0 {
                let other = &pages[r.below(i)];
                write!(s, " See {}.", link(flavour, other)).unwrap();
            }
            s.push_str("\n\n");
        }
        match k {
            0 => table(&mut r, &mut s),
            1 if !(i + 1).is_multiple_of(4) => code_block(&mut r, &mut s),
            2 => {
                writeln!(s, "### {}\n", title(&mut r)).unwrap();
                for _ in 0..4 {
                    writeln!(s, "- {}", sentence(&mut r)).unwrap();
                }
                s.push('\n');
            }
            _ => {}
        }
    }
    s
}

fn make_pages(n: usize) -> (Vec<Page>, usize) {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let sources = (n / 10).max(20);
    let per_section = 200;
    let mut pages = Vec::with_capacity(n);
    for i in 0..n {
        let section = i / per_section;
        let mut tags: Vec<usize> = (0..3).map(|_| r.below(TAGS)).collect();
        tags.sort();
        tags.dedup();
        let mut places: Vec<&'static str> = (0..2).map(|_| r.pick(PLACES)).collect();
        places.sort();
        places.dedup();
        let mut srcs: Vec<usize> = (0..3).map(|_| r.below(sources)).collect();
        srcs.sort();
        srcs.dedup();
        let nfig = [0, 1, 1, 2][r.below(4)];
        let figures = (0..nfig)
            .map(|k| {
                let value = 10 + r.below(250_000) as u64;
                let unit = r.pick(UNITS);
                let from = r.below(100);
                let to = from + r.below(20);
                let subject = format!("{} {}", title(&mut r), words(&mut r, 3));
                let quote = format!(
                    "{} {} {} {}",
                    words(&mut r, 3),
                    thousands(value),
                    unit,
                    words(&mut r, 4)
                );
                Figure {
                    id: format!("f-{i:05}-{k}"),
                    value,
                    qualifier: r.pick(QUALIFIERS),
                    unit,
                    measure: r.pick(MEASURES),
                    subject,
                    place: r.pick(&places),
                    from,
                    to,
                    claimed_by: r.pick(PUBLISHERS),
                    source: srcs[r.below(srcs.len())],
                    quote,
                }
            })
            .collect();
        pages.push(Page {
            section,
            index: i,
            title: title(&mut r),
            summary: format!("{}. {}.", sentence(&mut r), sentence(&mut r)),
            date: date(r.below(120)),
            weight: (r.below(10) == 0).then(|| 1 + r.below(50)),
            tags,
            places,
            sources: srcs,
            figures,
        });
    }
    (pages, sources)
}

fn sources_yaml(n: usize) -> String {
    let mut r = Rng(42);
    let mut s = String::new();
    for i in 0..n {
        writeln!(s, "- id: {}", source_id(i)).unwrap();
        writeln!(s, "  title: {}", yaml_str(&title(&mut r))).unwrap();
        let publisher = r.pick(PUBLISHERS);
        writeln!(s, "  publisher: {}", yaml_str(publisher)).unwrap();
        writeln!(s, "  authors: [{}]", yaml_str(&title(&mut r))).unwrap();
        writeln!(s, "  published: {}", date(r.below(60))).unwrap();
        writeln!(s, "  url: https://news.example.org/{}/{i}", r.below(1000)).unwrap();
        writeln!(s, "  language: en\n").unwrap();
    }
    s
}

/// The registry as a map by id, for Hugo's O(1) `index site.Data.sources $id`.
fn sources_map(list: &str) -> String {
    let mut s = String::new();
    for line in list.lines() {
        if let Some(id) = line.strip_prefix("- id: ") {
            writeln!(s, "{id}:\n  id: {id}").unwrap();
        } else if !line.is_empty() {
            writeln!(s, "{line}").unwrap();
        }
    }
    s
}

fn write(path: &Path, text: &str) {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

const HUGO_CONFIG: &str = r##"baseURL: https://example.org/
title: Synthetic dossier
languageCode: en
disableKinds: [RSS]
enableRobotsTXT: true
taxonomies:
  tag: tags
  place: places
markup:
  highlight:
    noClasses: false
  tableOfContents:
    startLevel: 2
    endLevel: 4
  goldmark:
    extensions:
      typographer: true
    parser:
      autoHeadingID: true
"##;

const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "_default/baseof.html",
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
{{ with .Summary }}<meta name="description" content="{{ . | plainify }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><a class="site-title" href="/">{{ site.Title }}</a>
<nav><ul>{{ range first 8 site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
<li><a href="/figures/">Figures</a></li><li><a href="/sources/">Sources</a></li><li><a href="/places/">Places</a></li></ul></nav>
</header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer class="site-footer"><p>{{ len site.RegularPages }} pages.</p></footer>
</body>
</html>
"##,
    ),
    (
        "_default/single.html",
        r##"{{ define "main" }}<article class="story">
<header>
<p class="kicker">{{ range $i, $p := .Params.places }}{{ if $i }} · {{ end }}<a href="/places/{{ $p | urlize }}/">{{ $p }}</a>{{ end }}</p>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="lede">{{ . }}</p>{{ end }}
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> <span>{{ .ReadingTime }} min read</span></p>
<p class="tags">{{ range .Params.tags }}<a class="tag" href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
</header>
<nav class="toc">{{ .TableOfContents }}</nav>
<div class="prose">
{{ .Content }}
</div>
{{ with .Params.figures }}<section id="figures"><h2>The numbers on this page</h2>
{{ partial "figure_table.html" (dict "figures" . "page" $) }}
</section>{{ end }}
<section id="references"><h2>References</h2><ol>
{{ range .Params.sources }}{{ with index site.Data.sources . }}<li><cite><a href="/sources/#src-{{ .id }}">{{ .title }}</a></cite>. {{ .publisher }} ({{ delimit .authors ", " }}), {{ .published }}. <a href="{{ .url }}">Read the article</a></li>
{{ end }}{{ end }}</ol></section>
<nav class="pager">{{ with .PrevInSection }}<a href="{{ .RelPermalink }}" rel="prev">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href="{{ .RelPermalink }}" rel="next">{{ .Title }}</a>{{ end }}</nav>
</article>{{ end }}
"##,
    ),
    (
        "_default/list.html",
        r##"{{ define "main" }}<article class="section">
<h1>{{ .Title }}</h1>
{{ with .Content }}<div class="prose">{{ . }}</div>{{ end }}
<ul class="page-list">
{{ range .Pages }}<li class="page-item"><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
{{ with .Params.summary }}<p class="page-item-summary">{{ . }}</p>{{ end }}
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read{{ with .Params.places }} · {{ delimit . ", " }}{{ end }}</p></li>
{{ end }}</ul>
</article>{{ end }}
"##,
    ),
    (
        "_default/terms.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "figures/list.html",
        r##"{{ define "main" }}<h1>Figures</h1>
{{ range site.RegularPages }}{{ with .Params.figures }}{{ partial "figure_table.html" (dict "figures" . "page" $) }}{{ end }}{{ end }}
{{ end }}
"##,
    ),
    (
        "sources/list.html",
        r##"{{ define "main" }}<h1>Sources</h1>
<ol>{{ range site.Data.sources }}<li id="src-{{ .id }}"><cite>{{ .title }}</cite>. {{ .publisher }} ({{ delimit .authors ", " }}), {{ .published }}. <a href="{{ .url }}">{{ .url }}</a></li>
{{ end }}</ol>{{ end }}
"##,
    ),
    (
        "partials/figure_table.html",
        r##"<table class="figure-table"><thead><tr><th>Value</th><th>Subject</th><th>Place</th><th>Measure</th><th>Period</th><th>As of</th><th>Claimed by</th><th>Source</th><th>Quote</th></tr></thead><tbody>
{{ range .figures }}<tr id="fig-{{ .id }}"><td>{{ with .qualifier }}{{ . }} {{ end }}{{ lang.FormatNumber 0 .value }} {{ .unit }}</td><th>{{ .subject }}</th><td><a href="/places/{{ .place | urlize }}/">{{ .place }}</a></td><td>{{ .measure }}</td><td>{{ .period.from }} – {{ .period.to }}</td><td>{{ .as_of }}</td><td>{{ .claimed_by }}</td><td><a href="/sources/#src-{{ .source }}">{{ .source }}</a></td><td><q>{{ .quote }}</q></td></tr>
{{ end }}</tbody></table>
"##,
    ),
    (
        "shortcodes/cite.html",
        r##"<sup class="cite">[<a href="/sources/#src-{{ .Get 0 }}">{{ .Get 0 }}</a>]</sup>"##,
    ),
    (
        "shortcodes/fig.html",
        r##"{{ $id := .Get "id" }}{{ range where .Page.Params.figures "id" $id }}<span class="fig" data-figure="{{ $id }}"><a class="fig-value" href="/figures/#fig-{{ $id }}">{{ with .qualifier }}{{ . }} {{ end }}{{ lang.FormatNumber 0 .value }} {{ .unit }}</a></span>{{ end }}"##,
    ),
];

/// How a plain-blog page links to another: dossier and Zola resolve `@/` paths to files in
/// `content/`, Hugo gets the URL.
enum Linker {
    ContentPath,
    Url,
}

/// A plain-blog page's Markdown, the same for the three tools but for internal links:
/// an intro with a footnote, 4-6 `##` sections (paragraphs, a table, a fenced code block,
/// a `###` subsection with a list), a link to an earlier page, the footnote.
fn blog_body(linker: &Linker, pages: &[Page], i: usize, seed: u64) -> String {
    let mut r = Rng(seed);
    let mut s = String::new();
    writeln!(s, "{} {}.[^1]\n", sentence(&mut r), sentence(&mut r)).unwrap();
    let sections = 4 + r.below(3);
    for k in 0..sections {
        writeln!(s, "## {}\n", title(&mut r)).unwrap();
        for para in 0..2 {
            write!(
                s,
                "{}, {}. {}.",
                sentence(&mut r),
                words(&mut r, 6),
                sentence(&mut r)
            )
            .unwrap();
            if para == 1 && k == 1 && i > 0 {
                let other = &pages[r.below(i)];
                match linker {
                    Linker::ContentPath => write!(s, " See [{}](@/{}).", other.title, other.path()),
                    Linker::Url => write!(s, " See [{}]({}).", other.title, other.url()),
                }
                .unwrap();
            }
            s.push_str("\n\n");
        }
        match k {
            0 => table(&mut r, &mut s),
            1 => code_block(&mut r, &mut s),
            2 => {
                writeln!(s, "### {}\n", title(&mut r)).unwrap();
                for _ in 0..4 {
                    writeln!(s, "- {}", sentence(&mut r)).unwrap();
                }
                s.push('\n');
            }
            _ => {}
        }
    }
    writeln!(s, "[^1]: {}.", sentence(&mut r)).unwrap();
    s
}

const BLOG_CSS: &str = "body { max-width: 42rem; margin: 0 auto; font-family: sans-serif; }\n";

const BLOG_DOSSIER: &[(&str, &str)] = &[
    (
        "base.html",
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock title %} · {{ site.title }}</title>
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">{{ site.title }}</a> <nav><a href="/tags/">Tags</a></nav></header>
<main>{% block main %}{% endblock main %}</main>
<footer><p>A synthetic blog.</p></footer>
</body>
</html>
"##,
    ),
    (
        "page.html",
        r##"{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock title %}
{% block main %}<article>
<h1>{{ page.title }}</h1>
<p class="meta"><time datetime="{{ page.date }}">{{ page.date_display }}</time></p>
<p class="tags">{% for t in page.tags %}<a href="{{ t.url }}">{{ t.name }}</a> {% endfor %}</p>
<nav class="toc"><ul>{% for h in page.toc %}<li><a href="#{{ h.id }}">{{ h.title }}</a>{% if h.children %}<ul>{% for c in h.children %}<li><a href="#{{ c.id }}">{{ c.title }}</a></li>{% endfor %}</ul>{% endif %}</li>{% endfor %}</ul></nav>
{{ page.content | safe }}
<nav class="pager">{% if page.previous %}<a rel="prev" href="{{ page.previous.url }}">{{ page.previous.title }}</a>{% endif %} {% if page.next %}<a rel="next" href="{{ page.next.url }}">{{ page.next.title }}</a>{% endif %}</nav>
</article>{% endblock main %}
"##,
    ),
    (
        "section.html",
        r##"{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock title %}
{% block main %}<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul class="pages">{% for p in section.pages %}<li><a href="{{ p.url }}">{{ p.title }}</a> <time datetime="{{ p.date }}">{{ p.date_display }}</time><p>{{ p.summary }}</p></li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    (
        "index.html",
        r##"{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock title %}
{% block main %}<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul class="sections">{% for s in section.subsections %}<li><a href="{{ s.url }}">{{ s.title }}</a></li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    (
        "taxonomy_list.html",
        r##"{% extends "base.html" %}
{% block title %}{{ kind_title }}{% endblock title %}
{% block main %}<h1>{{ kind_title }}</h1>
<ul class="terms">{% for t in terms %}<li><a href="{{ t.url }}">{{ t.name }}</a> ({{ t.count }})</li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    (
        "taxonomy_term.html",
        r##"{% extends "base.html" %}
{% block title %}{{ term.name }}{% endblock title %}
{% block main %}<h1>{{ term.name }}</h1>
<ul class="pages">{% for p in term.pages %}<li><a href="{{ p.url }}">{{ p.title }}</a> <time datetime="{{ p.date }}">{{ p.date_display }}</time></li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    // dossier always writes these (a blog has no figures or sources): kept minimal.
    (
        "figures.html",
        "{% extends \"base.html\" %}\n{% block title %}Figures{% endblock title %}\n{% block main %}<h1>Figures</h1>{% endblock main %}\n",
    ),
    (
        "sources.html",
        "{% extends \"base.html\" %}\n{% block title %}Sources{% endblock title %}\n{% block main %}<h1>Sources</h1>{% endblock main %}\n",
    ),
    (
        "404.html",
        "{% extends \"base.html\" %}\n{% block title %}Not found{% endblock title %}\n{% block main %}<h1>Not found</h1>{% endblock main %}\n",
    ),
];

const BLOG_HUGO_CONFIG: &str = r##"baseURL: https://example.org/
title: Synthetic blog
languageCode: en
enableRobotsTXT: true
taxonomies:
  tag: tags
# One feed, for the home page (dossier and Zola write one, atom.xml).
outputs:
  home: [HTML, RSS]
  section: [HTML]
  taxonomy: [HTML]
  term: [HTML]
services:
  rss:
    limit: 20
markup:
  highlight:
    noClasses: false
  tableOfContents:
    startLevel: 2
    endLevel: 3
"##;

const BLOG_HUGO: &[(&str, &str)] = &[
    (
        "baseof.html",
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="/index.xml">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">{{ site.Title }}</a> <nav><a href="/tags/">Tags</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>A synthetic blog.</p></footer>
</body>
</html>
"##,
    ),
    (
        "page.html",
        r##"{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p class="tags">{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
<nav class="pager">{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</article>{{ end }}
"##,
    ),
    (
        "section.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="pages">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time><p>{{ .Params.summary }}</p></li>
{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "home.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="sections">{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "taxonomy.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="terms">{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "term.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="pages">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></li>
{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "404.html",
        r##"{{ define "main" }}<h1>Not found</h1>{{ end }}
"##,
    ),
];

const BLOG_ZOLA_CONFIG: &str = r##"base_url = "https://example.org"
title = "Synthetic blog"
default_language = "en"
generate_feeds = true
feed_limit = 20
generate_sitemap = true
generate_robots_txt = true
build_search_index = false
taxonomies = [{ name = "tags" }]

[markdown]
smart_punctuation = true
bottom_footnotes = true

[markdown.highlighting]
theme = "github-light"
style = "class"
error_on_missing_language = true
"##;

const BLOG_ZOLA: &[(&str, &str)] = &[
    (
        "base.html",
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock title %} · {{ config.title }}</title>
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">{{ config.title }}</a> <nav><a href="/tags/">Tags</a></nav></header>
<main>{% block main %}{% endblock main %}</main>
<footer><p>A synthetic blog.</p></footer>
</body>
</html>
"##,
    ),
    (
        "page.html",
        r##"{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock title %}
{% block main %}<article>
<h1>{{ page.title }}</h1>
<p class="meta"><time datetime="{{ page.date }}">{{ page.date | date(format="%-d %B %Y") }}</time></p>
<p class="tags">{% for t in page.taxonomies.tags %}<a href="/tags/{{ t | slugify }}/">{{ t }}</a> {% endfor %}</p>
<nav class="toc"><ul>{% for h in page.toc %}<li><a href="#{{ h.id }}">{{ h.title }}</a>{% if h.children %}<ul>{% for c in h.children %}<li><a href="#{{ c.id }}">{{ c.title }}</a></li>{% endfor %}</ul>{% endif %}</li>{% endfor %}</ul></nav>
{{ page.content | safe }}
<nav class="pager">{% if page.lower %}<a rel="prev" href="{{ page.lower.path }}">{{ page.lower.title }}</a>{% endif %} {% if page.higher %}<a rel="next" href="{{ page.higher.path }}">{{ page.higher.title }}</a>{% endif %}</nav>
</article>{% endblock main %}
"##,
    ),
    (
        "section.html",
        r##"{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock title %}
{% block main %}<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul class="pages">{% for p in section.pages %}<li><a href="{{ p.path }}">{{ p.title }}</a> <time datetime="{{ p.date }}">{{ p.date | date(format="%-d %B %Y") }}</time><p>{{ p.description }}</p></li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    (
        "index.html",
        r##"{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock title %}
{% block main %}<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul class="sections">{% for path in section.subsections %}{% set s = get_section(path=path, metadata_only=true) %}<li><a href="{{ s.path }}">{{ s.title }}</a></li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    (
        "taxonomy_list.html",
        r##"{% extends "base.html" %}
{% block title %}Tags{% endblock title %}
{% block main %}<h1>Tags</h1>
<ul class="terms">{% for t in terms %}<li><a href="{{ t.path }}">{{ t.name }}</a> ({{ t.page_count }})</li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
    (
        "taxonomy_single.html",
        r##"{% extends "base.html" %}
{% block title %}{{ term.name }}{% endblock title %}
{% block main %}<h1>{{ term.name }}</h1>
<ul class="pages">{% for p in term.pages %}<li><a href="{{ p.path }}">{{ p.title }}</a> <time datetime="{{ p.date }}">{{ p.date | date(format="%-d %B %Y") }}</time></li>
{% endfor %}</ul>{% endblock main %}
"##,
    ),
];

/// The plain-blog workload: the same pages for dossier, Hugo and Zola, each with minimal
/// templates of the same shape (page with date, tags, table of contents, content and
/// previous/next; section lists; the tag list and term pages; each tool's own feed and
/// sitemap).
fn write_blog(n: usize, out: &Path) {
    let (pages, _) = make_pages(n);
    let sections = n.div_ceil(200);
    let (d, h, z) = (out.join("dossier"), out.join("hugo"), out.join("zola"));
    for dir in [&d, &h, &z] {
        if dir.exists() {
            fs::remove_dir_all(dir).unwrap();
        }
    }
    // A blog states numbers freely: dossier's check of numbers in prose is off.
    write(
        &d.join("site.yaml"),
        "title: Synthetic blog\nbase_url: https://example.org/\ndescription: A synthetic blog.\nlanguage: en\nauthor: gen_site\ntheme: plain\nprose_numbers: { check: off }\n",
    );
    for (name, text) in BLOG_DOSSIER {
        write(&d.join("themes/plain/templates").join(name), text);
    }
    write(&h.join("hugo.yaml"), BLOG_HUGO_CONFIG);
    for (name, text) in BLOG_HUGO {
        write(&h.join("layouts").join(name), text);
    }
    write(&z.join("config.toml"), BLOG_ZOLA_CONFIG);
    for (name, text) in BLOG_ZOLA {
        write(&z.join("templates").join(name), text);
    }
    for root in [&d, &h, &z] {
        write(&root.join("static/style.css"), BLOG_CSS);
    }
    let yaml = |title: &str, extra: &str, body: &str| {
        format!("---\ntitle: {}\n{extra}---\n\n{body}", yaml_str(title))
    };
    let toml = |title: &str, extra: &str, body: &str| {
        format!("+++\ntitle = {}\n{extra}+++\n\n{body}", yaml_str(title))
    };
    let home = "A blog of many pages.\n";
    write(
        &d.join("content/_index.md"),
        &yaml("Synthetic blog", "", home),
    );
    write(
        &h.join("content/_index.md"),
        &yaml("Synthetic blog", "", home),
    );
    write(
        &z.join("content/_index.md"),
        &toml("Synthetic blog", "", home),
    );
    for s in 0..sections {
        let rel = format!("content/section-{s:03}/_index.md");
        let (t, text) = (format!("Section {s}"), format!("The posts of part {s}.\n"));
        write(&d.join(&rel), &yaml(&t, &format!("weight: {s}\n"), &text));
        write(&h.join(&rel), &yaml(&t, &format!("weight: {s}\n"), &text));
        write(
            &z.join(&rel),
            &toml(&t, &format!("weight = {s}\nsort_by = \"date\"\n"), &text),
        );
    }
    for (i, p) in pages.iter().enumerate() {
        let seed = 0x0B10_6000 ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9);
        let tags: Vec<String> = p.tags.iter().map(|t| format!("\"tag-{t:03}\"")).collect();
        let rel = Path::new("content").join(p.path());
        let fm = format!(
            "date: {}\nsummary: {}\ntags: [{}]\n",
            p.date,
            yaml_str(&p.summary),
            tags.join(", ")
        );
        let linked = blog_body(&Linker::ContentPath, &pages, i, seed);
        write(&d.join(&rel), &yaml(&p.title, &fm, &linked));
        write(
            &h.join(&rel),
            &yaml(&p.title, &fm, &blog_body(&Linker::Url, &pages, i, seed)),
        );
        let fm = format!(
            "date = {}\ndescription = {}\n[taxonomies]\ntags = [{}]\n",
            p.date,
            yaml_str(&p.summary),
            tags.join(", ")
        );
        write(&z.join(&rel), &toml(&p.title, &fm, &linked));
    }
    println!(
        "plain blog: {n} pages, {sections} sections, {} tags -> {}",
        {
            let mut all: Vec<usize> = pages.iter().flat_map(|p| p.tags.clone()).collect();
            all.sort();
            all.dedup();
            all.len()
        },
        out.display()
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let blog = args.first().is_some_and(|a| a == "--blog");
    if blog {
        args.remove(0);
    }
    if args.len() != 2 {
        eprintln!("usage: gen_site [--blog] N OUTDIR");
        std::process::exit(2);
    }
    let n: usize = args[0].parse().expect("N must be a number");
    let out = PathBuf::from(&args[1]);
    if blog {
        write_blog(n, &out);
        return;
    }
    let d = out.join("dossier");
    let h = out.join("hugo");
    for dir in [&d, &h] {
        if dir.exists() {
            fs::remove_dir_all(dir).unwrap();
        }
    }
    let (pages, nsources) = make_pages(n);
    let sections = n.div_ceil(200);

    // dossier
    write(
        &d.join("site.yaml"),
        "title: Synthetic dossier\nbase_url: https://example.org/\ndescription: A synthetic site for benchmarks.\nlanguage: en\nauthor: gen_site\ntheme: default\n",
    );
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &d.join("themes/default"),
    );
    let sources = sources_yaml(nsources);
    write(&d.join("content/sources.yaml"), &sources);
    write(&h.join("data/sources.yaml"), &sources_map(&sources));
    let home = "---\ntitle: Synthetic dossier\nsummary: A synthetic site for benchmarks.\n---\n\nThis site has many pages; every number is sourced.\n";
    write(&d.join("content/_index.md"), home);
    write(&h.join("content/_index.md"), home);
    for s in 0..sections {
        let text = format!(
            "---\ntitle: \"Section {s}\"\nsummary: \"Stories of part {s}.\"\nweight: {s}\n---\n\nThe stories of part {s}.\n"
        );
        write(&d.join(format!("content/section-{s:03}/_index.md")), &text);
        write(&h.join(format!("content/section-{s:03}/_index.md")), &text);
    }
    for (i, p) in pages.iter().enumerate() {
        let fm = front_matter(p);
        let seed = 0x1234_5678 ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9);
        write(
            &d.join("content").join(p.path()),
            &(fm.clone() + "\n" + &body(&Flavour::Dossier, &pages, i, seed)),
        );
        write(
            &h.join("content").join(p.path()),
            &(fm + "\n" + &body(&Flavour::Hugo, &pages, i, seed)),
        );
    }

    // Hugo
    write(&h.join("hugo.yaml"), HUGO_CONFIG);
    for (name, text) in HUGO_LAYOUTS {
        write(&h.join("layouts").join(name), text);
    }
    write(
        &h.join("content/figures/_index.md"),
        "---\ntitle: Figures\n---\n",
    );
    write(
        &h.join("content/sources/_index.md"),
        "---\ntitle: Sources\n---\n",
    );
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static"),
        &h.join("static"),
    );
    println!(
        "{n} pages, {sections} sections, {nsources} sources, {} figures -> {}",
        pages.iter().map(|p| p.figures.len()).sum::<usize>(),
        out.display()
    );
}
