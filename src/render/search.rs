//! The search index: every page (cut at its headings), place, figure and source as a search
//! document, indexed by whole words and written as many small files, so that a query
//! fetches only the words it asks for and the results it shows:
//!
//! - `search/index.json`: `{"v": version, "n": documents, "chunks": [first word of each]}`;
//! - `search/t/<k>.dsi`: chunk `k` of the sorted words, `{"word": [doc, score, doc gap,
//!   score, ...]}` (about `CHUNK_BYTES` of JSON each);
//! - `search/d/<b>.dsi`: documents `b * BUNDLE` to `b * BUNDLE + BUNDLE - 1`, each
//!   `{"u": URL from the site root, "t": title, "k": kind, "b": [[anchor, heading, text],
//!   ...]}` or null (a number no document has: the pages' numbers are padded to a whole
//!   bundle, so that a page's bundle holds only pages).
//!
//! The `.dsi` files are gzip-compressed JSON (the client decompresses them), so they are
//! small on any host; the version changes with any file, and the client adds it to each
//! request so that a browser never mixes two builds' files. Words are those of `tokens`
//! (the client has the same rules); a score is BM25 with the title counted three times and
//! headings twice, summed by the client over the words of a query.
//!
//! `serve` keeps the `SearchIndex` of its last build: a page's text edited replaces that
//! document's words (`SearchIndex::replace`) and rewrites what changed, byte for byte what
//! a full build writes.

mod tokens;

pub use tokens::{normalise, spans, tokens};

use super::{Bytes, Output, Renderer};
use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::model::Document;
use flate2::Compression;
use flate2::write::GzEncoder;
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::Write;

/// The folder of the index, in the output.
pub const FOLDER: &str = "search";

/// Size of a chunk of words, in bytes of JSON (about a quarter of that gzip-compressed).
const CHUNK_BYTES: usize = 40_000;

/// Documents per file: a site of 10,000 pages writes 2,700 files of documents, not 21,000
/// (hosts limit the number of files, and writing each costs), and a result costs about
/// 5 KB (neighbours are alike: a section's pages, a place's figures, so they compress well
/// together and are often shown together).
pub const BUNDLE: usize = 8;

/// Characters of a document's text kept in its file (the index has every word): what a
/// result shows is an excerpt, so a result costs a few kilobytes at most.
const DOC_CHARS: usize = 12_000;

/// The longest block in a document file: a long section is cut into several, so that the
/// client can show the part that matched.
const BLOCK_CHARS: usize = 1_000;

/// Weights of a title's and a heading's words against the text's.
const TITLE_WEIGHT: u32 = 3;
const HEADING_WEIGHT: u32 = 2;

/// One part of a search document: a result links to the block that matched best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'a> {
    /// The id of the element it starts at ("" for the top of the page).
    pub anchor: Cow<'a, str>,
    /// Its heading ("" for none).
    pub heading: Cow<'a, str>,
    /// Its text.
    pub text: Cow<'a, str>,
}

/// What a result is: a page, a place, a figure or a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc<'a> {
    /// Its URL relative to the site root (`stories/routes/`, `figures/#fig-kz`).
    pub url: String,
    /// Its title.
    pub title: Cow<'a, str>,
    /// `page`, `place`, `figure` or `source`.
    pub kind: &'static str,
    /// Its text, in parts.
    pub blocks: Vec<Block<'a>>,
    /// Words that are indexed but not shown (a figure's value as a plain number).
    pub extra: String,
}

impl<'a> Block<'a> {
    fn new(
        anchor: impl Into<Cow<'a, str>>,
        heading: impl Into<Cow<'a, str>>,
        text: impl Into<Cow<'a, str>>,
    ) -> Self {
        Block {
            anchor: anchor.into(),
            heading: heading.into(),
            text: text.into(),
        }
    }
}

impl<'m> Renderer<'m> {
    /// Every search document by its number: the documents (as in `Model::docs`, padded to
    /// a whole bundle), then the places, the figures and the sources.
    pub fn search_docs(&self) -> Vec<Option<SearchDoc<'m>>> {
        let m = self.m;
        let mut docs: Vec<Option<SearchDoc<'m>>> = m
            .docs
            .par_iter()
            .map(|d| Some(page_doc(d, &d.rendered)))
            .collect();
        docs.resize_with(docs.len().div_ceil(BUNDLE) * BUNDLE, || None);
        docs.extend(self.place_docs().into_iter().map(Some));
        let figures: Vec<Option<SearchDoc<'m>>> = self
            .all_figures()
            .par_iter()
            .map(|f| Some(self.figure_doc(f)))
            .collect();
        docs.extend(figures);
        docs.extend(m.registry.sources.values().map(|s| Some(source_doc(s))));
        docs
    }

    /// The search documents numbered `range` (as `search_docs` numbers them), made one by
    /// one: the pages', or the places' (all made, then picked), figures' and sources'.
    pub fn search_docs_in(&self, range: std::ops::Range<usize>) -> Vec<Option<SearchDoc<'m>>> {
        let m = self.m;
        let pages = m.docs.len().div_ceil(BUNDLE) * BUNDLE;
        if range.end <= pages {
            return range
                .map(|n| m.docs.get(n).map(|d| page_doc(d, &d.rendered)))
                .collect();
        }
        let places = self.place_docs();
        let figures = self.all_figures();
        // The last bundle is as long as what it holds.
        let total = pages + places.len() + figures.len() + m.registry.sources.len();
        (range.start..range.end.min(total))
            .map(|n| {
                if n < pages {
                    return m.docs.get(n).map(|d| page_doc(d, &d.rendered));
                }
                let k = n - pages;
                if let Some(p) = places.get(k) {
                    return Some(p.clone());
                }
                let k = k - places.len();
                if let Some(f) = figures.get(k) {
                    return Some(self.figure_doc(f));
                }
                m.registry
                    .sources
                    .values()
                    .nth(k - figures.len())
                    .map(source_doc)
            })
            .collect()
    }

    /// The search documents of the places named `names`, with their numbers.
    pub fn place_docs_named(&self, names: &[String]) -> Vec<(usize, SearchDoc<'m>)> {
        let pages = self.m.docs.len().div_ceil(BUNDLE) * BUNDLE;
        let urls: Vec<String> = names
            .iter()
            .map(|n| format!("places/{}/", crate::model::outputs::term_slug(n)))
            .collect();
        self.place_docs()
            .into_iter()
            .enumerate()
            .filter(|(_, d)| urls.contains(&d.url))
            .map(|(k, d)| (pages + k, d))
            .collect()
    }

    /// A place's page: its other names, what it lies within, its pages and figures.
    fn place_docs(&self) -> Vec<SearchDoc<'m>> {
        let m = self.m;
        let places = m.vocab.places.as_ref();
        let Some(t) = m.taxonomy("places") else {
            return Vec::new();
        };
        self.term_groups(t, None)
            .into_iter()
            .map(|(slug, (name, pages, figs))| {
                let mut about = Vec::new();
                if let Some(p) = places.and_then(|ps| ps.get(&name)) {
                    about.extend(p.aliases.iter().cloned());
                    let within = p
                        .within
                        .as_deref()
                        .and_then(|w| places.and_then(|ps| ps.get(w)));
                    if let Some(w) = within {
                        about.push(format!("in {}", w.name));
                    }
                }
                let mut blocks = vec![];
                if !about.is_empty() {
                    blocks.push(Block::new("", "", about.join(", ")));
                }
                if !pages.is_empty() {
                    let titles: Vec<&str> = pages.iter().map(|d| d.fm.title.as_str()).collect();
                    blocks.push(Block::new("term-pages-title", "Pages", titles.join("; ")));
                }
                if !figs.is_empty() {
                    let lines: Vec<String> = figs
                        .iter()
                        .map(|f| {
                            format!(
                                "{} {}, {}",
                                f.display(true),
                                f.decl.subject,
                                f.measure_label
                            )
                        })
                        .collect();
                    blocks.push(Block::new(
                        "term-figures-title",
                        "Figures",
                        lines.join("; "),
                    ));
                }
                SearchDoc {
                    url: format!("places/{slug}/"),
                    title: Cow::Owned(name),
                    kind: "place",
                    blocks,
                    extra: String::new(),
                }
            })
            .collect()
    }

    /// A figure's row on /figures/: its value (also as a plain number), what it counts,
    /// where, when, who claims it and the quote.
    fn figure_doc(&self, f: &'m crate::sources::Figure) -> SearchDoc<'m> {
        let c = self.figure(f);
        let mut text = c.display.clone();
        text.push_str(&format!(". {}", c.subject));
        if let Some(p) = c.place {
            text.push_str(&format!(" ({p})"));
        }
        text.push_str(&format!(", {}", c.measure_label));
        if let Some(p) = &c.period_display {
            text.push_str(&format!(", {p}"));
        }
        if let Some(a) = &c.as_of_display {
            text.push_str(&format!(", as of {a}"));
        }
        if let Some(by) = c.claimed_by {
            text.push_str(&format!(", claimed by {by}"));
        }
        text.push_str(&format!(": “{}”", c.quote));
        if let Some(s) = self.m.registry.get(&f.decl.source) {
            text.push_str(&format!(" ({}, {})", s.publisher, s.published.display()));
        }
        let number = |v: f64| crate::sources::numbers::json_number(v).to_string();
        let extra = match c.value_range {
            Some([a, b]) => format!("{} {}", number(a), number(b)),
            None => number(c.value),
        };
        let mut title = c.display.clone();
        title.push_str(" — ");
        title.push_str(c.subject);
        SearchDoc {
            url: format!("figures/#{}", c.anchor),
            title: Cow::Owned(title),
            kind: "figure",
            blocks: vec![Block::new("", "", text)],
            extra,
        }
    }

    /// Write the search index through `put`; the index (for `serve` to patch) and the
    /// number of files.
    pub fn write_search(
        &self,
        put: &(dyn Fn(&str, Output) -> Result<(), Diagnostic> + Sync),
    ) -> Result<(SearchIndex, usize), Diagnostic> {
        let docs = self.search_docs();
        let mut index = SearchIndex::new(&docs);
        let bundles: Vec<(usize, &[Option<SearchDoc>])> = docs.chunks(BUNDLE).enumerate().collect();
        let files = index.files_of(&bundles);
        drop(docs);
        let count = files.len();
        files
            .into_par_iter()
            .try_for_each(|(path, bytes)| put(&path, Output::Bytes(bytes)))?;
        Ok((index, count))
    }
}

/// A source's search document (on `/sources/`).
fn source_doc(s: &crate::sources::Source) -> SearchDoc<'static> {
    let mut text = vec![s.title.as_str(), s.publisher.as_str()];
    text.extend(s.short.as_deref());
    text.extend(s.authors.iter().map(String::as_str));
    let published = s.published.display();
    text.push(&published);
    text.extend(s.note.as_deref());
    SearchDoc {
        url: format!("sources/#src-{}", s.id),
        title: Cow::Owned(format!("{}: {}", s.publisher, s.title)),
        kind: "source",
        blocks: vec![Block::new("", "", text.join(". "))],
        extra: String::new(),
    }
}

impl SearchDoc<'_> {
    /// The same document, owning its text.
    pub fn into_owned(self) -> SearchDoc<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        SearchDoc {
            url: self.url,
            title: own(self.title),
            kind: self.kind,
            blocks: self
                .blocks
                .into_iter()
                .map(|b| Block {
                    anchor: own(b.anchor),
                    heading: own(b.heading),
                    text: own(b.text),
                })
                .collect(),
            extra: self.extra,
        }
    }
}

/// A page's search document, from its text as rendered (`rendered`: the document's own, or
/// a newer one `serve` has not put into the model yet).
pub fn page_doc<'a>(d: &'a Document, rendered: &'a Rendered) -> SearchDoc<'a> {
    let text = rendered.text.as_str();
    let mut blocks = Vec::with_capacity(rendered.blocks.len() + 1);
    if let Some(s) = d.fm.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        blocks.push(Block::new("", "", s));
    }
    for b in &rendered.blocks {
        blocks.push(Block::new(
            b.id.as_str(),
            &text[b.heading.clone()],
            &text[b.body.clone()],
        ));
    }
    SearchDoc {
        url: d.url_path.trim_start_matches('/').to_string(),
        title: Cow::Borrowed(d.fm.title.as_str()),
        kind: "page",
        blocks,
        extra: String::new(),
    }
}

/// A document's words with their weighted counts, sorted; and its weighted length.
fn counts(d: &SearchDoc) -> (Vec<(String, u32)>, u32) {
    let mut map: foldhash::HashMap<String, u32> = foldhash::HashMap::default();
    let mut len = 0;
    let mut add = |text: &str, w: u32| {
        for t in tokens(text) {
            *map.entry(t).or_default() += w;
            len += w;
        }
    };
    add(&d.title, TITLE_WEIGHT);
    for b in &d.blocks {
        add(&b.heading, HEADING_WEIGHT);
        add(&b.text, 1);
    }
    add(&d.extra, 1);
    let mut v: Vec<(String, u32)> = map.into_iter().collect();
    v.sort_unstable();
    (v, len)
}

/// Word -> (document, weighted count) of each document that has it, by document.
type Postings = foldhash::HashMap<String, Vec<(u32, u32)>>;

/// The words of every search document, and what was written of it last.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Every word, sorted.
    words: Vec<Word>,
    /// Each document's weighted length (0 for a number no document has).
    lens: Vec<u32>,
    /// How many documents there are.
    count: usize,
    /// The average length the words' JSON was scored with (its bits).
    avg_bits: u32,
    /// A hash of each bundle's file.
    bundle_hashes: Vec<u64>,
    /// The chunks last written: their first words and a hash of each one's JSON.
    chunks: Vec<(String, u64)>,
}

/// A word of the index.
#[derive(Debug, Default)]
struct Word {
    text: String,
    /// (document, weighted count) of each document that has it, by document.
    postings: Vec<(u32, u32)>,
    /// `"word":[doc, score, ...]` as its chunk has it; empty when it must be made again.
    json: String,
}

impl SearchIndex {
    /// The index of `docs` (numbered in order).
    pub fn new(docs: &[Option<SearchDoc>]) -> SearchIndex {
        // Documents in batches: each batch's postings are in document order, and so is the
        // merge, without holding every document's word list at once.
        let batches: Vec<(Postings, Vec<u32>)> = docs
            .par_chunks(256)
            .enumerate()
            .map(|(k, batch)| {
                let mut map: Postings = Postings::default();
                let mut lens = Vec::with_capacity(batch.len());
                for (j, d) in batch.iter().enumerate() {
                    let n = (k * 256 + j) as u32;
                    let Some(d) = d else {
                        lens.push(0);
                        continue;
                    };
                    let (words, len) = counts(d);
                    lens.push(len);
                    for (w, c) in words {
                        map.entry(w).or_default().push((n, c));
                    }
                }
                (map, lens)
            })
            .collect();
        let mut all: Postings = Postings::default();
        let mut lens = Vec::with_capacity(docs.len());
        for (map, l) in batches {
            lens.extend(l);
            for (w, ps) in map {
                match all.get_mut(&w) {
                    Some(v) => v.extend(ps),
                    None => {
                        all.insert(w, ps);
                    }
                }
            }
        }
        let mut words: Vec<Word> = all
            .into_iter()
            .map(|(text, postings)| Word {
                text,
                postings,
                json: String::new(),
            })
            .collect();
        words.par_sort_unstable_by(|a, b| a.text.cmp(&b.text));
        SearchIndex {
            words,
            lens,
            count: docs.iter().flatten().count(),
            avg_bits: 0,
            bundle_hashes: vec![0; docs.len().div_ceil(BUNDLE)],
            chunks: Vec::new(),
        }
    }

    /// The numbers of the documents of page `i`'s bundle (whose documents `replace` needs).
    pub fn bundle_of(i: usize) -> std::ops::Range<usize> {
        let b = i / BUNDLE * BUNDLE;
        b..b + BUNDLE
    }

    /// Document `i`, which was `old`, is now `bundle[i % BUNDLE]` (`bundle`: the documents of
    /// `bundle_of(i)`): its words are replaced. The files that changed: the bundle's, the
    /// chunks whose words or scores changed, the manifest.
    pub fn replace(
        &mut self,
        i: usize,
        old: &SearchDoc,
        bundle: &[Option<SearchDoc>],
    ) -> Vec<(String, Bytes)> {
        let n = i as u32;
        let (was, _) = counts(old);
        let (is, len) = bundle[i % BUNDLE]
            .as_ref()
            .map_or_else(Default::default, counts);
        // Only the words the document had or has change (their postings, and so their
        // scores); the others keep their JSON unless the average length moved.
        for (w, _) in &was {
            if let Ok(k) = self.words.binary_search_by(|e| e.text.as_str().cmp(w)) {
                let word = &mut self.words[k];
                if let Ok(p) = word.postings.binary_search_by_key(&n, |p| p.0) {
                    word.postings.remove(p);
                }
                word.json.clear();
                if word.postings.is_empty() {
                    self.words.remove(k);
                }
            }
        }
        for (w, c) in is {
            match self.words.binary_search_by(|e| e.text.as_str().cmp(&w)) {
                Ok(k) => {
                    let word = &mut self.words[k];
                    let at = word.postings.partition_point(|p| p.0 < n);
                    word.postings.insert(at, (n, c));
                    word.json.clear();
                }
                Err(k) => self.words.insert(
                    k,
                    Word {
                        text: w,
                        postings: vec![(n, c)],
                        json: String::new(),
                    },
                ),
            }
        }
        self.lens[i] = len;
        self.files_of(&[(i / BUNDLE, bundle)])
    }

    /// The files of the bundles given (number, documents), the chunks that changed since
    /// the last call, and the manifest.
    fn files_of(&mut self, bundles: &[(usize, &[Option<SearchDoc>])]) -> Vec<(String, Bytes)> {
        let doc_files: Vec<(usize, Vec<u8>)> = bundles
            .par_iter()
            .map(|(b, docs)| (*b, bundle_file(docs)))
            .collect();
        let mut files = Vec::with_capacity(doc_files.len() + 64);
        for (b, bytes) in doc_files {
            self.bundle_hashes[b] = xxhash_rust::xxh3::xxh3_64(&bytes);
            files.push((format!("{FOLDER}/d/{b}.dsi"), Bytes::from(bytes)));
        }
        self.encode();
        let chunks = self.chunks();
        let hashes: Vec<u64> = chunks.iter().map(|c| c.1).collect();
        let firsts: Vec<String> = chunks.iter().map(|c| c.0.clone()).collect();
        for (k, (_, _, gz)) in chunks.into_iter().enumerate() {
            if let Some(bytes) = gz {
                files.push((format!("{FOLDER}/t/{k}.dsi"), Bytes::from(bytes)));
            }
        }
        self.chunks = firsts.iter().cloned().zip(hashes.iter().copied()).collect();
        // The version: every file's hash, in order.
        let mut all = Vec::with_capacity((hashes.len() + self.bundle_hashes.len()) * 8);
        for h in hashes.iter().chain(&self.bundle_hashes) {
            all.extend_from_slice(&h.to_le_bytes());
        }
        let version = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&all));
        let manifest = serde_json::json!({
            "v": version, "n": self.lens.len(), "bundle": BUNDLE, "chunks": firsts
        });
        files.push((
            format!("{FOLDER}/index.json"),
            Bytes::from(manifest.to_string().into_bytes()),
        ));
        files
    }

    /// The average document length scores are made with, quantised (steps of 2^(1/8),
    /// about 9%): one page's edit seldom moves it, so `serve` scores only that page's words
    /// again.
    fn avg_len(&self) -> f32 {
        let avg = self.lens.iter().map(|&l| l as f64).sum::<f64>() / (self.count.max(1) as f64);
        if avg < 1.0 {
            return 1.0;
        }
        2f64.powf((avg.log2() * 8.0).round() / 8.0) as f32
    }

    /// The JSON of every word that has none: BM25 (k1 1.2, b 0.75) of each posting, in
    /// tenths (at least 1: the client only adds them up), documents as gaps.
    fn encode(&mut self) {
        let avg = self.avg_len();
        if avg.to_bits() != self.avg_bits {
            self.avg_bits = avg.to_bits();
            self.words.par_iter_mut().for_each(|w| w.json.clear());
        }
        let n = self.count as f32;
        let (k1, b) = (1.2f32, 0.75f32);
        let lens = &self.lens;
        self.words
            .par_iter_mut()
            .filter(|w| w.json.is_empty())
            .for_each(|w| {
                use std::fmt::Write as _;
                let df = w.postings.len() as f32;
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                let s = &mut w.json;
                s.reserve(w.postings.len() * 6 + w.text.len() + 6);
                s.push_str(&serde_json::Value::from(w.text.as_str()).to_string());
                s.push_str(":[");
                let mut prev = 0u32;
                for (j, &(d, c)) in w.postings.iter().enumerate() {
                    let f = c as f32;
                    let norm = 1.0 - b + b * lens[d as usize] as f32 / avg;
                    let score = idf * f * (k1 + 1.0) / (f + k1 * norm);
                    let q = ((score * 10.0).round() as u32).max(1);
                    let sep = if j > 0 { "," } else { "" };
                    // Writing to a String cannot fail.
                    let _ = write!(s, "{sep}{},{q}", d - prev);
                    prev = d;
                }
                s.push(']');
            });
    }

    /// The chunks of words: (first word, hash of its JSON, its gzip-compressed JSON when
    /// that differs from the last call's chunk of the same number).
    fn chunks(&self) -> Vec<(String, u64, Option<Vec<u8>>)> {
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        let (mut start, mut size) = (0, 0);
        for (k, w) in self.words.iter().enumerate() {
            size += w.json.len() + 1;
            if size >= CHUNK_BYTES {
                cuts.push((start, k + 1));
                (start, size) = (k + 1, 0);
            }
        }
        if start < self.words.len() || cuts.is_empty() {
            cuts.push((start, self.words.len()));
        }
        cuts.par_iter()
            .enumerate()
            .map(|(k, &(a, z))| {
                let mut json = String::with_capacity(CHUNK_BYTES + 1024);
                json.push('{');
                for (j, w) in self.words[a..z].iter().enumerate() {
                    if j > 0 {
                        json.push(',');
                    }
                    json.push_str(&w.json);
                }
                json.push('}');
                let first = self.words.get(a).map_or(String::new(), |w| w.text.clone());
                let h = xxhash_rust::xxh3::xxh3_64(json.as_bytes());
                let same = self.chunks.get(k).is_some_and(|c| c.0 == first && c.1 == h);
                (first, h, (!same).then(|| gzip(json.as_bytes(), 6)))
            })
            .collect()
    }
}

/// A bundle's file: each document's JSON, or null.
fn bundle_file(docs: &[Option<SearchDoc>]) -> Vec<u8> {
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| d.as_ref().map_or(serde_json::Value::Null, doc_json))
        .collect();
    gzip(serde_json::Value::Array(json).to_string().as_bytes(), 6)
}

/// A document as its bundle has it: its URL, title, kind and blocks, the text cut to
/// `DOC_CHARS` in blocks of at most `BLOCK_CHARS`.
fn doc_json(d: &SearchDoc) -> serde_json::Value {
    let mut blocks: Vec<serde_json::Value> = Vec::with_capacity(d.blocks.len());
    let mut left = DOC_CHARS;
    for b in &d.blocks {
        let mut rest: &str = &b.text;
        loop {
            let piece = cut(rest, BLOCK_CHARS.min(left));
            left -= piece.chars().count().min(left);
            blocks.push(serde_json::json!([b.anchor, b.heading, piece]));
            rest = rest[piece.len()..].trim_start();
            if rest.is_empty() || left == 0 {
                break;
            }
        }
    }
    serde_json::json!({"u": d.url, "t": d.title, "k": d.kind, "b": blocks})
}

/// The start of `s` up to `max` characters, cut after a word.
fn cut(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        None => s,
        Some((b, _)) => match s[..b].rfind(' ') {
            Some(sp) if sp > 0 => &s[..sp],
            _ => &s[..b],
        },
    }
}

fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut e = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 64),
        Compression::new(level),
    );
    // Writing to a Vec cannot fail.
    e.write_all(bytes).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}
