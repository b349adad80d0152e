//! What a build will write, checked before anything is rendered: no two inputs may write
//! the same output file, a page may not take the URL of a page dossier generates, and
//! taxonomy terms that are different words may not share one URL.

use crate::content::ids::FigureId;
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Document;
use crate::model::taxonomies::Taxonomy;
use crate::sources::Figure;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The data files every build writes, and what each is.
pub const DATA_FILES: &[(&str, &str)] = &[
    ("atom.xml", "the Atom feed"),
    ("sitemap.xml", "the sitemap"),
    ("robots.txt", "robots.txt"),
    ("search/index.json", "the search index"),
    ("figures.json", "the figure table as JSON"),
    ("figures.csv", "the figure table as CSV"),
    ("relations.json", "how the figures relate, as JSON"),
    ("sources.json", "the source registry as JSON"),
    ("sources.bib", "the source registry as BibLaTeX"),
    ("sources.csl.json", "the source registry as CSL-JSON"),
    ("sources.ris", "the source registry as RIS"),
    ("syntax.css", "the code highlighting stylesheet"),
];

/// Folders whose every file the build writes, and what they hold: the search index's
/// chunks of words (`search/t/<k>.dsi`) and its documents (`search/d/<n>.dsi`).
pub const DATA_FOLDERS: &[(&str, &str)] = &[
    ("search/t/", "the search index's words"),
    ("search/d/", "the search index's documents"),
];

/// What a build writes at the output path `out`, if it is in a folder of `DATA_FOLDERS`.
pub fn data_folder_of(out: &str) -> Option<&'static str> {
    DATA_FOLDERS
        .iter()
        .find(|(folder, _)| out.starts_with(folder))
        .map(|(_, what)| *what)
}

/// Generated files that a file in the site's own `static/` may replace: the site's file is
/// published instead (a custom robots.txt, a hand-made 404 page).
pub const OVERRIDABLE: &[&str] = &["robots.txt", "404.html", "syntax.css"];

/// The static stylesheets and scripts (theme and site `static/`, not content assets) and
/// `syntax.css` (`syntax_css`, unless the site's static replaces it): output path -> the
/// same path with a hash of the content before the extension (`style.css` ->
/// `style.3f9a0c1d5e.css`), which a host may cache for good. A file that cannot be read
/// has none (its copy reports the error).
pub fn hashed_names(inputs: &Inputs, syntax_css: &str) -> BTreeMap<String, String> {
    let content: BTreeSet<&String> = inputs.content_assets.values().collect();
    let hashed = |path: &str, bytes: &[u8]| {
        let (stem, ext) = path.rsplit_once('.').unwrap_or((path, ""));
        format!(
            "{stem}.{:010x}.{ext}",
            xxhash_rust::xxh3::xxh3_64(bytes) >> 24
        )
    };
    let mut out: BTreeMap<String, String> = inputs
        .assets
        .iter()
        .filter(|(path, _)| {
            (path.ends_with(".css") || path.ends_with(".js")) && !content.contains(path)
        })
        .filter_map(|(path, file)| {
            let bytes = match file {
                crate::content::load::Asset::File(f) => {
                    std::borrow::Cow::Owned(std::fs::read(f).ok()?)
                }
                crate::content::load::Asset::Builtin(_, b) => std::borrow::Cow::Borrowed(*b),
            };
            Some((path.clone(), hashed(path, &bytes)))
        })
        .collect();
    if !inputs.assets.contains_key("syntax.css") {
        out.insert(
            "syntax.css".into(),
            hashed("syntax.css", syntax_css.as_bytes()),
        );
    }
    out
}

/// A term's URL segment: its name slugified.
pub fn term_slug(name: &str) -> String {
    slug::slugify(name)
}

/// Check what the build will write; returns the generated files that the site's static
/// files replace.
pub fn check(
    docs: &[Document],
    figures: &BTreeMap<FigureId, Figure>,
    taxonomies: &[Taxonomy],
    config: &crate::config::Config,
    inputs: &Inputs,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let at = |d: &Document, path: &str| d.span_of(path);
    let mut generated = generated(docs, figures, taxonomies, config, &at, diags);
    let mut pages: HashMap<String, &Document> = HashMap::new();
    for d in docs {
        let out = super::output_path(&d.url_path);
        let what = generated
            .get(&out)
            .map(String::as_str)
            .or(data_folder_of(&out));
        if let Some(what) = what {
            let span = if d.fm.slug.is_some() {
                at(d, "slug")
            } else {
                Span::file(&d.file)
            };
            diags.push(
                Diagnostic::error(
                    span,
                    format!(
                        "{} would be published at {}, which is {what}",
                        d.file.display(),
                        d.url_path
                    ),
                )
                .with_hint("give the page another `slug`, or move or rename its file"),
            );
        }
        pages.insert(out, d);
    }
    check_aliases(docs, &pages, &mut generated, inputs, diags);
    // Static files and content assets.
    let mut by_out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (rel, out) in &inputs.content_assets {
        by_out.entry(out).or_default().push(rel);
    }
    for (out, rels) in &by_out {
        for rel in rels.iter().skip(1) {
            diags.push(
                Diagnostic::error(
                    Span::file(format!("content/{rel}")),
                    format!(
                        "content/{rel} and content/{} would both be published as /{out}",
                        rels[0]
                    ),
                )
                .with_hint("folder names are slugified as page URLs are; rename one of them"),
            );
        }
        if inputs.site_static.contains(*out) {
            diags.push(
                Diagnostic::error(
                    Span::file(format!("content/{}", rels[0])),
                    format!(
                        "content/{} and static/{out} would both be published as /{out}",
                        rels[0]
                    ),
                )
                .with_hint("keep one of them"),
            );
        }
    }
    let mut overridden = BTreeSet::new();
    for (out, file) in &inputs.assets {
        let file_shown = file.shown(&inputs.root);
        if let Some(d) = pages.get(out.as_str()) {
            diags.push(
                Diagnostic::error(
                    Span::file(&file_shown),
                    format!(
                        "{file_shown} would overwrite the page {} (published as /{out})",
                        d.file.display()
                    ),
                )
                .with_hint("rename or remove the file"),
            );
        } else if let Some(what) = generated
            .get(out.as_str())
            .map(String::as_str)
            .or(data_folder_of(out))
        {
            if inputs.site_static.contains(out) && OVERRIDABLE.contains(&out.as_str()) {
                overridden.insert(out.clone());
            } else {
                let can = if OVERRIDABLE.contains(&out.as_str()) {
                    format!(" (put it in static/ to replace {what})")
                } else {
                    String::new()
                };
                diags.push(
                    Diagnostic::error(
                        Span::file(&file_shown),
                        format!(
                            "{file_shown} would overwrite {what}, which dossier writes to /{out}"
                        ),
                    )
                    .with_hint(format!("rename or remove the file{can}")),
                );
            }
        }
    }
    overridden
}

/// The files dossier generates (but the pages of documents), each with what it is: data
/// files, generated pages, taxonomy lists, term pages and their pagers and feeds, the
/// further pagers of sections, sections' feeds. A section's feed at a generated file's
/// path is an error.
fn generated(
    docs: &[Document],
    figures: &BTreeMap<FigureId, Figure>,
    taxonomies: &[Taxonomy],
    config: &crate::config::Config,
    at: &dyn Fn(&Document, &str) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    // Generated files, with what they are.
    let mut generated: BTreeMap<String, String> = DATA_FILES
        .iter()
        .map(|(p, what)| (p.to_string(), what.to_string()))
        .collect();
    for (p, what) in [
        ("figures/index.html", "the figure table /figures/"),
        ("sources/index.html", "the source index /sources/"),
        ("404.html", "the 404 page"),
    ] {
        generated.insert(p.into(), what.into());
    }
    for t in taxonomies {
        generated.insert(
            format!("{}/index.html", t.slug),
            format!("the list of {} /{}/", t.name, t.slug),
        );
    }
    for (t, slug, name, count) in terms(docs, figures, taxonomies, at, diags) {
        let noun = t.noun();
        let page = t.term_path(&slug);
        generated.insert(
            super::output_path(&page),
            format!("the page of the {noun} `{name}`"),
        );
        for k in 2..=pager_count(count, t.paginate_by) {
            generated.insert(
                super::output_path(&pager_path(&page, k)),
                format!("page {k} of the list of the {noun} `{name}`"),
            );
        }
        if t.feed {
            generated.insert(
                format!("{}atom.xml", page.trim_start_matches('/')),
                format!("the feed of the {noun} `{name}`"),
            );
        }
    }
    let mut section_sizes: HashMap<&str, usize> = HashMap::new();
    for d in docs.iter().filter(|d| !d.is_section()) {
        if let Some(p) = d.parent.as_deref() {
            *section_sizes.entry(p).or_default() += 1;
        }
    }
    for d in docs.iter().filter(|d| d.is_section()) {
        let by = d.fm.paginate_by.unwrap_or(config.paginate_by);
        let count = section_sizes.get(d.path.as_str()).copied().unwrap_or(0);
        for k in 2..=pager_count(count, by) {
            generated.insert(
                super::output_path(&pager_path(&d.url_path, k)),
                format!("page {k} of the list of {}", d.file.display()),
            );
        }
    }
    // A section's feed after the rest: taking a generated file's place is an error.
    for d in docs.iter().filter(|d| d.is_section() && d.fm.feed) {
        let out = format!("{}atom.xml", d.url_path.trim_start_matches('/'));
        if let Some(what) = generated.get(&out) {
            diags.push(
                Diagnostic::error(
                    d.span_of("feed"),
                    format!(
                        "the feed of {} would be /{out}, which is {what}",
                        d.file.display()
                    ),
                )
                .with_hint(if d.path == "_index.md" {
                    "the home page's feed is the site's feed, atom.xml: remove `feed: true`"
                        .to_string()
                } else {
                    "give the section another `slug`, or remove `feed: true`".to_string()
                }),
            );
            continue;
        }
        generated.insert(out, format!("the feed of {}", d.file.display()));
    }
    generated
}

/// Every term of every taxonomy: (kind, slug, first name). Different words that share a
/// slug (`C++` and `c`) are an error; spellings that differ only in case are one term and
/// a warning; a term without letters or digits is an error.
fn terms<'t>(
    docs: &[Document],
    figures: &BTreeMap<FigureId, Figure>,
    taxonomies: &'t [Taxonomy],
    at: &dyn Fn(&Document, &str) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'t Taxonomy, String, String, usize)> {
    let by_path: HashMap<&str, &Document> = docs.iter().map(|d| (d.path.as_str(), d)).collect();
    let mut out = Vec::new();
    for t in taxonomies {
        let kind = t.slug.as_str();
        let noun = t.noun();
        let noun = noun.as_str();
        let nouns = t.nouns();
        let key = t.yaml_path();
        // Each use of a term: its name, document and YAML path. Positions are looked up
        // only for a mistake (each costs a parse of the front matter).
        let mut uses: Vec<(&str, &Document, String)> = Vec::new();
        for d in docs {
            for (i, n) in t.names_of(d).iter().enumerate() {
                uses.push((n, d, format!("{key}[{i}]")));
            }
        }
        if t.is_places() {
            for f in figures.values() {
                if let (Some(p), Some(d)) = (&f.decl.place, by_path.get(f.page.as_str())) {
                    uses.push((p, d, format!("figures[{}].place", f.index)));
                }
            }
        }
        // slug -> the first use.
        let mut seen: BTreeMap<String, (&str, &Document, &str)> = BTreeMap::new();
        // slug -> its documents (pages and sections, each once), which its list shows.
        let mut counts: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for (name, d, path) in &uses {
            if !path.starts_with("figures[") {
                counts.entry(term_slug(name)).or_default().insert(&d.path);
            }
            let slug = term_slug(name);
            if slug.is_empty() {
                diags.push(
                    Diagnostic::error(
                        at(d, path),
                        format!("{noun} `{name}` has no letters or digits for its URL"),
                    )
                    .with_hint(format!("give the {noun} a name, or remove it")),
                );
                continue;
            }
            let Some(&(first, first_doc, first_path)) = seen.get(&slug) else {
                seen.insert(slug, (name, d, path));
                continue;
            };
            if first == *name {
                continue;
            }
            let same_word = first
                .to_lowercase()
                .split_whitespace()
                .eq(name.to_lowercase().split_whitespace());
            let first_at = at(first_doc, first_path);
            let first_seen = format!("{}:{}", first_at.file.display(), first_at.line);
            let d = if same_word {
                Diagnostic::warning(
                    at(d, path),
                    format!("{noun} `{name}` is also spelled `{first}`: one page, /{kind}/{slug}/, named `{first}`"),
                )
                .with_hint(format!("spell the {noun} the same way everywhere (first seen at {first_seen})"))
            } else {
                Diagnostic::error(
                    at(d, path),
                    format!("{nouns} `{name}` and `{first}` would share one page, /{kind}/{slug}/"),
                )
                .with_hint(format!(
                    "rename one of them so their URLs differ (`{first}` is at {first_seen})"
                ))
            };
            diags.push(d);
        }
        out.extend(seen.into_iter().map(|(slug, (name, ..))| {
            let count = counts.get(&slug).map_or(0, BTreeSet::len);
            (t, slug, name.to_string(), count)
        }));
    }
    out
}

/// How many pagers a list of `count` pages has at `by` per pager (0: not paginated): at
/// least one, which an empty list has too.
pub fn pager_count(count: usize, by: usize) -> usize {
    if by == 0 {
        1
    } else {
        count.div_ceil(by).max(1)
    }
}

/// The URL path of pager `k` (1-based) of the list at `list_path` (`/stories/`): the list
/// itself for the first, `/stories/page/2/` on.
pub fn pager_path(list_path: &str, k: usize) -> String {
    if k <= 1 {
        list_path.to_string()
    } else {
        format!("{list_path}page/{k}/")
    }
}

/// The pictures for sharing (`image:`): site.yaml's and each page's, each an absolute URL
/// or the URL path of a file the build copies.
#[derive(Debug, Clone, Default)]
pub struct ShareImages {
    /// site.yaml's `image`.
    pub site: Option<String>,
    /// Content path of a page -> its `image`.
    pub pages: HashMap<String, String>,
}

/// Where an `image:` as written is published: an absolute http(s) URL as is, else the URL
/// path (`/stories/a/pic.png`) of a file the build copies: from the site root when it starts
/// with `/` (or is site.yaml's, `page` None), else beside the page `page` (content-relative)
/// like the page's other assets (`@/` from `content/`).
pub fn image_path(written: &str, page: Option<&str>, inputs: &Inputs) -> Option<String> {
    let w = written.trim();
    if w.starts_with("https://") || w.starts_with("http://") {
        return Some(w.to_string());
    }
    let out = match (w.strip_prefix("@/"), page) {
        (Some(rel), _) => inputs.content_assets.get(rel)?.clone(),
        (None, Some(page)) if !w.starts_with('/') => {
            let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
            let rel = crate::markdown::join(dir, w)?;
            inputs.content_assets.get(&rel)?.clone()
        }
        _ => w.trim_start_matches('/').to_string(),
    };
    inputs.assets.contains_key(&out).then(|| format!("/{out}"))
}

/// Resolve and check site.yaml's and every page's `image:`: one that names no file is an
/// error at its key.
pub fn share_images(
    docs: &[Document],
    inputs: &Inputs,
    diags: &mut Vec<Diagnostic>,
) -> ShareImages {
    let mut images = ShareImages::default();
    let hint = |page: bool| {
        if page {
            "name a file beside the page (`image: photo.jpg`), one from the site root \
             (`/share.png`, in static/ or content/) or an absolute URL"
        } else {
            "name a file from the site root (`/share.png`, in static/ or content/) or an absolute URL"
        }
    };
    if let Some(w) = &inputs.config.image {
        match image_path(w, None, inputs) {
            Some(p) => images.site = Some(p),
            None => diags.push(
                Diagnostic::error(
                    crate::yaml::span_of(
                        Path::new(crate::config::CONFIG_FILE),
                        &inputs.config_text,
                        1,
                        "image",
                        false,
                    ),
                    format!("the image `{w}` is not a file of the site"),
                )
                .with_hint(hint(false)),
            ),
        }
    }
    for d in docs {
        let Some(w) = &d.fm.image else { continue };
        match image_path(w, Some(&d.path), inputs) {
            Some(p) => {
                images.pages.insert(d.path.clone(), p);
            }
            None => diags.push(
                Diagnostic::error(
                    d.span_of("image"),
                    format!("the image `{w}` is not a file of the site"),
                )
                .with_hint(hint(true)),
            ),
        }
    }
    images
}

/// The list of redirects of `redirects_file: true`.
pub const REDIRECTS_FILE: &str = "_redirects";

/// The output path of a page alias as written (`/old/path/` -> `old/path/index.html`,
/// `old.html` as is; paths are from the site root, as Zola's), or why it is none.
pub fn alias_output(alias: &str) -> Result<String, &'static str> {
    let a = alias.trim();
    if a.contains("://") || a.starts_with("//") {
        return Err("an alias is an old path of this site (`/old/path/`), not a URL");
    }
    if a.contains(['?', '#', '\\']) || a.contains(char::is_whitespace) {
        return Err("write the old path from the site root, without spaces, `?` or `#`");
    }
    if a.split('/').any(|p| p == ".." || p == ".") {
        return Err("write the old path from the site root, without `.` or `..`");
    }
    let p = a.trim_start_matches('/');
    if p.is_empty() {
        return Err("the site root is the home page: an alias cannot take it");
    }
    let last = p.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if !p.ends_with('/') && last.contains('.') && !(p.ends_with(".html") || p.ends_with(".htm")) {
        return Err(
            "an alias is an old page: end it with `/` or `.html` (a host serves another file as what its extension says)",
        );
    }
    Ok(if p.ends_with('/') {
        format!("{p}index.html")
    } else if p.ends_with(".html") || p.ends_with(".htm") {
        p.to_string()
    } else {
        format!("{p}/index.html")
    })
}

/// Every page's `aliases`: each must be a path of the site that nothing else writes (a
/// page, a generated file, a static file or content asset, another alias). `_redirects`
/// joins the generated files when site.yaml asks for it.
fn check_aliases(
    docs: &[Document],
    pages: &HashMap<String, &Document>,
    generated: &mut BTreeMap<String, String>,
    inputs: &Inputs,
    diags: &mut Vec<Diagnostic>,
) {
    if inputs.config.redirects_file {
        generated.insert(
            REDIRECTS_FILE.into(),
            "the redirects file (`redirects_file: true`)".into(),
        );
    }
    let mut seen: HashMap<String, (&Document, usize)> = HashMap::new();
    for d in docs {
        for (i, alias) in d.fm.aliases.iter().enumerate() {
            let span = d.span_of(&format!("aliases[{i}]"));
            let out = match alias_output(alias) {
                Ok(out) => out,
                Err(hint) => {
                    diags.push(
                        Diagnostic::error(
                            span,
                            format!("alias `{alias}` is not a path of the site"),
                        )
                        .with_hint(hint),
                    );
                    continue;
                }
            };
            let clash = if let Some(p) = pages.get(&out) {
                Some(format!("the page {}", p.file.display()))
            } else if let Some(what) = generated
                .get(&out)
                .map(String::as_str)
                .or(data_folder_of(&out))
            {
                Some(what.to_string())
            } else if let Some(file) = inputs.assets.get(&out) {
                Some(format!("the file {}", file.shown(&inputs.root)))
            } else if let Some(file) = out
                .match_indices('/')
                .map(|(k, _)| &out[..k])
                .find(|p| generated.contains_key(*p) || inputs.assets.contains_key(*p))
            {
                Some(format!("inside /{file}, a file the build writes"))
            } else if let Some((other, j)) = seen.get(&out) {
                let at = other.span_of(&format!("aliases[{j}]"));
                Some(format!(
                    "an alias of {} too ({}:{}:{})",
                    other.file.display(),
                    at.file.display(),
                    at.line,
                    at.col
                ))
            } else {
                None
            };
            if let Some(what) = clash {
                diags.push(
                    Diagnostic::error(
                        span,
                        format!(
                            "the alias `{alias}` of {} would be published as /{out}, which is {what}",
                            d.file.display()
                        ),
                    )
                    .with_hint("remove the alias, or give it a path nothing else has"),
                );
                continue;
            }
            seen.insert(out, (d, i));
        }
    }
}
