//! Stage 2: from `Inputs` to a checked `Model`: documents with URLs and rendered Markdown,
//! the source registry, figures with verified quotes, back-links and disputes.

use crate::cache::BuildCache;
use crate::content::frontmatter::{self, FrontMatter};
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::markdown::{self, CiteItem, Env, Piece, PieceKind, References, Rendered, Shortcode};
use crate::sources::{self, Figure, Registry};
use crate::templates::Theme;
use crate::yaml;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub drafts: bool,
    pub base_url: Option<String>,
    pub archive_dir: Option<PathBuf>,
    /// Links are made relative after rendering, so they are rendered from the root.
    pub relative: bool,
    /// Leave every page's HTML empty; `deferred_html` renders it when it is needed.
    pub defer_html: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    Section,
}

#[derive(Debug, Clone)]
pub struct Document {
    /// Content-relative path: `stories/routes.md`, `stories/_index.md`, `_index.md`.
    pub path: String,
    /// Root-relative path for diagnostics: `content/stories/routes.md`.
    pub file: PathBuf,
    pub kind: Kind,
    pub fm: FrontMatter,
    pub body_line: usize,
    /// URL path without the base path: `/stories/routes/`.
    pub url_path: String,
    /// Path of the section this document belongs to (`stories/_index.md`); None for the home page.
    pub parent: Option<String>,
    pub rendered: Rendered,
}

impl Document {
    pub fn is_section(&self) -> bool {
        self.kind == Kind::Section
    }
}

pub struct Model {
    pub config: crate::config::Config,
    pub base_path: String,
    pub registry: Registry,
    /// Sorted by path.
    pub docs: Vec<Document>,
    pub by_path: HashMap<String, usize>,
    /// What `@/` links may name (`stories/routes.md`, and `stories/` for a section) -> URL.
    pub links: HashMap<String, String>,
    pub figures: BTreeMap<String, Figure>,
    /// Source id -> indices of documents that cite it (inline, in `sources:` or by figure).
    pub cited_by: BTreeMap<String, BTreeSet<usize>>,
    /// Groups of figure ids that share place and measure with overlapping periods and differ.
    pub disputes: Vec<Vec<String>>,
    pub theme: Theme,
    /// Output path -> file to copy: theme and site static files, content assets.
    pub theme_assets: BTreeMap<String, PathBuf>,
    /// Content paths of the pages left out as drafts, and of those whose front matter has
    /// an error: links to them are explained (or, for the broken ones, not reported again).
    pub drafts: BTreeSet<String>,
    pub broken: BTreeSet<String>,
    /// Generated files that a file of the site's `static/` replaces (`robots.txt`).
    pub overridden: BTreeSet<String>,
    pub warnings: Vec<Diagnostic>,
}

/// The URL path of a content file, or None for files that are not pages.
pub fn url_path(path: &str, slug: Option<&str>) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or("");
    let mut out: Vec<String> = parts.iter().map(slug::slugify).collect();
    let stem = file.trim_end_matches(".md");
    match stem {
        "_index" | "index" => {}
        s => out.push(slug.map(slug::slugify).unwrap_or_else(|| slug::slugify(s))),
    }
    out.retain(|s| !s.is_empty());
    if out.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", out.join("/"))
    }
}

/// The section a content file belongs to: the nearest `_index.md` above it.
fn parent_section(path: &str, sections: &BTreeSet<String>) -> Option<String> {
    if path == "_index.md" {
        return None;
    }
    let mut dir = Path::new(path).parent();
    if path.ends_with("/_index.md") {
        dir = dir.and_then(Path::parent);
    }
    while let Some(d) = dir {
        let candidate = if d.as_os_str().is_empty() {
            "_index.md".to_string()
        } else {
            format!("{}/_index.md", d.to_string_lossy())
        };
        if sections.contains(&candidate) {
            return Some(candidate);
        }
        if d.as_os_str().is_empty() {
            break;
        }
        dir = d.parent();
    }
    None
}

impl Model {
    pub fn build(inputs: &Inputs, opts: &Options) -> Result<Model, Vec<Diagnostic>> {
        Model::build_cached(inputs, opts, &mut BuildCache::disabled())
    }

    /// `build`, reusing the front matter and Markdown of unchanged pages (`dossier serve`).
    pub fn build_cached(
        inputs: &Inputs,
        opts: &Options,
        cache: &mut BuildCache,
    ) -> Result<Model, Vec<Diagnostic>> {
        let mut diags: Vec<Diagnostic> = inputs.warnings.clone();
        let mut config = inputs.config.clone();
        if let Some(url) = &opts.base_url {
            config.base_url = url.trim_end_matches('/').to_string();
        }
        let base_path = if opts.relative {
            String::new()
        } else {
            config.base_path()
        };

        // Sources. A command-line archive dir must exist; site.yaml's may be absent on a
        // machine without the archives, which leaves quotes unverified (and says so).
        let mut archive_dir = opts.archive_dir.clone();
        let mut dir_missing = false;
        if let Some(dir) = &archive_dir
            && !dir.is_dir()
        {
            return Err(vec![
                Diagnostic::error(
                    Span::file(dir),
                    format!("archive folder {} does not exist", dir.display()),
                )
                .with_hint("pass --archive-dir a folder of plain-text article snapshots"),
            ]);
        }
        if archive_dir.is_none()
            && let Some(dir) = &config.archive_dir
        {
            let full = inputs.root.join(dir);
            if full.is_dir() {
                archive_dir = Some(full);
            } else {
                dir_missing = true;
                diags.push(
                    Diagnostic::warning(
                        yaml::span_of(
                            Path::new(crate::config::CONFIG_FILE),
                            &inputs.config_text,
                            1,
                            "archive_dir",
                            false,
                        ),
                        format!("archive_dir `{dir}` not found: figure quotes are not verified"),
                    )
                    .with_hint(
                        "figures are marked unverified; pass --archive-dir or fix archive_dir",
                    ),
                );
            }
        }
        let sources_file = PathBuf::from(format!("content/{}", sources::SOURCES_FILE));
        let registry = match &inputs.sources {
            Some(text) => Registry::parse(
                text,
                &sources_file,
                &sources::Archives {
                    root: inputs.root.clone(),
                    dir: archive_dir,
                    dir_missing,
                },
                &mut diags,
            ),
            None => Registry {
                file: sources_file,
                ..Default::default()
            },
        };

        // Front matter, in parallel.
        let parsed: Vec<crate::cache::FmResult> = inputs
            .pages
            .par_iter()
            .map(|(path, text)| {
                if let Some(hit) = cache.frontmatter(path, text) {
                    return hit;
                }
                let file = PathBuf::from(format!("content/{path}"));
                let split = frontmatter::split(text, &file)?;
                let fm = FrontMatter::parse(&split, &file)?;
                Ok((
                    path.clone(),
                    fm,
                    split.body_line,
                    split.yaml.to_string(),
                    split.yaml_line,
                ))
            })
            .collect();
        cache.record_frontmatter(inputs.pages.iter(), &parsed);
        // A draft section's pages are drafts too.
        let draft_dirs: Vec<String> = parsed
            .iter()
            .flatten()
            .filter(|(path, fm, ..)| fm.draft && path.ends_with("/_index.md"))
            .map(|(path, ..)| path.trim_end_matches("_index.md").to_string())
            .collect();
        let mut docs = Vec::new();
        let mut yamls = HashMap::new();
        let mut drafts = BTreeSet::new();
        let mut broken = BTreeSet::new();
        for (p, path) in parsed.into_iter().zip(inputs.pages.keys()) {
            match p {
                Ok((path, fm, body_line, yaml, yaml_line)) => {
                    let in_draft_section = draft_dirs
                        .iter()
                        .any(|d| path.starts_with(d.as_str()) && path != format!("{d}_index.md"));
                    if (fm.draft || in_draft_section) && !opts.drafts {
                        drafts.insert(path);
                        continue;
                    }
                    let kind = if path.ends_with("_index.md") {
                        Kind::Section
                    } else {
                        Kind::Page
                    };
                    let url = url_path(
                        &path,
                        if kind == Kind::Page {
                            fm.slug.as_deref()
                        } else {
                            None
                        },
                    );
                    yamls.insert(path.clone(), (yaml, yaml_line));
                    docs.push(Document {
                        file: PathBuf::from(format!("content/{path}")),
                        path,
                        kind,
                        fm,
                        body_line,
                        url_path: url,
                        parent: None,
                        rendered: Rendered::default(),
                    });
                }
                Err(d) => {
                    broken.insert(path.clone());
                    diags.push(d);
                }
            }
        }
        let sections: BTreeSet<String> = docs
            .iter()
            .filter(|d| d.is_section())
            .map(|d| d.path.clone())
            .collect();
        let mut seen_urls: HashMap<String, String> = HashMap::new();
        for doc in &mut docs {
            doc.parent = parent_section(&doc.path, &sections);
            if let Some(other) = seen_urls.insert(doc.url_path.clone(), doc.path.clone()) {
                diags.push(
                    Diagnostic::error(
                        Span::file(&doc.file),
                        format!(
                            "`{}` has the same URL {} as content/{other}",
                            doc.path, doc.url_path
                        ),
                    )
                    .with_hint("give one of them a different `slug`"),
                );
            }
        }
        let by_path: HashMap<String, usize> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i))
            .collect();

        // Figures: unique ids, known sources, quotes checked against archives.
        let mut figures: BTreeMap<String, Figure> = BTreeMap::new();
        for doc in &docs {
            let (yaml, yaml_line) = &yamls[&doc.path];
            // Positions come from the parser, read again only for a page with a mistake.
            let at = |path: String| yaml::span_of(&doc.file, yaml, *yaml_line, &path, false);
            for (index, decl) in doc.fm.figures.iter().enumerate() {
                let key = |k: &str| at(format!("figures[{index}].{k}"));
                if !sources::is_valid_id(&decl.id) {
                    diags.push(
                        Diagnostic::error(
                            key("id"),
                            format!("figure id `{}` is not a slug", decl.id),
                        )
                        .with_hint("use lowercase letters, digits and '-'"),
                    );
                }
                if let Some(prev) = figures.get(&decl.id) {
                    let (prev_yaml, prev_line) = &yamls[&prev.page];
                    let first = yaml::span_of(
                        Path::new(&format!("content/{}", prev.page)),
                        prev_yaml,
                        *prev_line,
                        &format!("figures[{}].id", prev.index),
                        false,
                    );
                    diags.push(
                        Diagnostic::error(key("id"), format!("duplicate figure id `{}`", decl.id))
                            .with_hint(format!(
                                "first declared at {}:{}",
                                first.file.display(),
                                first.line
                            )),
                    );
                    continue;
                }
                let finite = decl.value.is_finite();
                if !finite {
                    diags.push(
                        Diagnostic::error(
                            key("value"),
                            format!("figure `{}`: `value` must be a finite number", decl.id),
                        )
                        .with_hint("write the number the source states, e.g. `value: 200000`"),
                    );
                }
                let mut fig = Figure::new(decl.clone(), doc.path.clone(), index);
                match registry.get(&decl.source) {
                    // No quote states an infinite number: that error says it all.
                    Some(_) if !finite => {}
                    Some(src) => {
                        for f in sources::check_quote(&mut fig, src) {
                            let mut d = Diagnostic::error(key(f.key), f.message);
                            d.hint = f.hint;
                            diags.push(d);
                        }
                    }
                    None => diags.extend(registry.unknown(&decl.source, key("source"))),
                }
                if let Some(p) = &fig.period
                    && p.from.day > p.to.day
                {
                    diags.push(
                        Diagnostic::error(
                            key("period"),
                            format!("figure `{}`: period ends before it starts", decl.id),
                        )
                        .with_hint("swap `from` and `to`"),
                    );
                }
                figures.insert(decl.id.clone(), fig);
            }
            for (j, id) in doc.fm.sources.iter().enumerate() {
                if registry.get(id).is_none() {
                    diags.extend(registry.unknown(id, at(format!("sources[{j}]"))));
                }
            }
        }

        let overridden = crate::outputs::check(&docs, &yamls, &figures, inputs, &mut diags);

        // Templates.
        let theme = match Theme::new(inputs, &config) {
            Ok(t) => t,
            Err(mut ds) => {
                diags.append(&mut ds);
                return Err(diags);
            }
        };
        for doc in &docs {
            if let Some(name) = &doc.fm.template
                && !theme.has(name)
            {
                let (yaml, yaml_line) = &yamls[&doc.path];
                diags.push(
                    Diagnostic::error(
                        yaml::span_of(&doc.file, yaml, *yaml_line, "template", false),
                        format!("template `{name}` does not exist"),
                    )
                    .with_hint(theme.template_hint(name)),
                );
            }
        }

        // Markdown, in parallel.
        let links: HashMap<String, String> = docs
            .iter()
            .flat_map(|d| {
                let url = format!("{base_path}{}", d.url_path);
                let mut keys = vec![(d.path.clone(), url.clone())];
                if let Some(dir) = d.path.strip_suffix("_index.md") {
                    keys.push((dir.to_string(), url.clone()));
                    keys.push((dir.trim_end_matches('/').to_string(), url));
                }
                keys
            })
            .chain(
                inputs
                    .content_assets
                    .iter()
                    .map(|(rel, out)| (rel.clone(), format!("{base_path}/{out}"))),
            )
            .collect();
        let disputes = sources::disputes::find_disputes(&figures);
        let env = PageEnv {
            disputes: &disputes,
            links: &links,
            known: known_paths(inputs),
            registry: &registry,
            figures: &figures,
            base_path: &base_path,
            theme: &theme,
            drafts: &drafts,
            broken: &broken,
        };
        let env_key = if cache.is_enabled() {
            env.fingerprint(inputs)
        } else {
            0
        };
        let results: Vec<(Rendered, Vec<Diagnostic>)> = docs
            .par_iter()
            .map(|doc| {
                let text = &inputs.pages[&doc.path];
                if let Some(hit) = cache.markdown(&doc.path, text, env_key) {
                    return hit;
                }
                render_markdown_with(doc, text, &env, !opts.defer_html)
            })
            .collect();
        cache.record_markdown(
            env_key,
            docs.iter()
                .zip(&results)
                .map(|(doc, r)| (&doc.path, &inputs.pages[&doc.path], r)),
        );
        for (doc, (r, d)) in docs.iter_mut().zip(results) {
            doc.rendered = r;
            diags.extend(d);
        }

        // Back-links.
        let mut cited_by: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (i, doc) in docs.iter().enumerate() {
            for id in cites(&registry, doc) {
                cited_by.entry(id.clone()).or_default().insert(i);
            }
        }

        let (errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(Diagnostic::is_error);
        if !errors.is_empty() {
            let mut all = errors;
            all.extend(warnings);
            return Err(all);
        }
        Ok(Model {
            config,
            base_path,
            registry,
            docs,
            by_path,
            links,
            figures,
            cited_by,
            disputes,
            theme,
            theme_assets: inputs.assets.clone(),
            drafts,
            broken,
            overridden,
            warnings,
        })
    }

    /// What a page's Markdown sees of this model and of `inputs`' content files.
    fn page_env<'a>(&'a self, inputs: &'a Inputs) -> PageEnv<'a> {
        PageEnv {
            disputes: &self.disputes,
            links: &self.links,
            known: known_paths(inputs),
            registry: &self.registry,
            figures: &self.figures,
            base_path: &self.base_path,
            theme: &self.theme,
            drafts: &self.drafts,
            broken: &self.broken,
        }
    }

    /// The Markdown of `self.docs[i]` rendered from `text` (its whole file) in this model's
    /// environment with `inputs`' content files, as a build renders it.
    pub fn render_markdown(
        &self,
        i: usize,
        text: &str,
        inputs: &Inputs,
    ) -> (Rendered, Vec<Diagnostic>) {
        render_markdown(&self.docs[i], text, &self.page_env(inputs))
    }

    /// For a model built with `defer_html`: the HTML of `docs[i]`, rendered from its file in
    /// `inputs` exactly as a build without `defer_html` renders it.
    pub fn deferred_html<'a>(&'a self, inputs: &'a Inputs) -> impl Fn(usize) -> String + Sync + 'a {
        let env = self.page_env(inputs);
        move |i| {
            let doc = &self.docs[i];
            render_markdown_with(doc, &inputs.pages[&doc.path], &env, true)
                .0
                .html
        }
    }

    /// The sources `doc` cites (inline, in `sources:` or by a figure), repeats included.
    pub fn cites<'a>(&'a self, doc: &'a Document) -> impl Iterator<Item = &'a String> {
        cites(&self.registry, doc)
    }

    pub fn doc(&self, path: &str) -> Option<&Document> {
        self.by_path.get(path).map(|&i| &self.docs[i])
    }

    pub fn url(&self, url_path: &str) -> String {
        format!("{}{url_path}", self.base_path)
    }

    pub fn permalink(&self, url_path: &str) -> String {
        format!("{}{url_path}", self.config.origin_and_path())
    }
}

impl crate::config::Config {
    /// base_url without a trailing slash, for joining with URL paths.
    pub fn origin_and_path(&self) -> String {
        self.base_url.trim_end_matches('/').to_string()
    }
}

/// A document's Markdown: the body of `text`, its whole file.
fn render_markdown(doc: &Document, text: &str, env: &PageEnv) -> (Rendered, Vec<Diagnostic>) {
    render_markdown_with(doc, text, env, true)
}

fn render_markdown_with(
    doc: &Document,
    text: &str,
    env: &PageEnv,
    html: bool,
) -> (Rendered, Vec<Diagnostic>) {
    let mut d = Vec::new();
    let body = frontmatter::split(text, &doc.file)
        .map(|s| s.body)
        .unwrap_or("");
    let src = markdown::Source {
        path: &doc.path,
        file: &doc.file,
        body_line: doc.body_line,
    };
    let r = markdown::render_with(body, src, env, &mut d, html);
    (r, d)
}

/// The sources `doc` cites that the registry knows.
fn cites<'a>(registry: &'a Registry, doc: &'a Document) -> impl Iterator<Item = &'a String> {
    doc.rendered
        .references
        .entries
        .iter()
        .map(|e| &e.0)
        .chain(doc.fm.sources.iter())
        .chain(doc.fm.figures.iter().map(|f| &f.source))
        .filter(|id| registry.get(id).is_some())
}

/// Every content file's path, sorted (what `PageEnv::known` holds).
fn known_paths(inputs: &Inputs) -> Vec<&str> {
    // Both are BTreeMaps: their keys come sorted.
    let mut all: Vec<&str> = inputs.pages.keys().map(String::as_str).collect();
    all.extend(inputs.content_assets.keys().map(String::as_str));
    all.sort_unstable();
    all
}

/// What a page's Markdown can see of the rest of the site. Every field must be part of
/// `fingerprint`: `serve` reuses a page's Markdown while the fingerprint stays the same.
struct PageEnv<'a> {
    disputes: &'a [Vec<String>],
    links: &'a HashMap<String, String>,
    known: Vec<&'a str>,
    registry: &'a Registry,
    figures: &'a BTreeMap<String, Figure>,
    base_path: &'a str,
    theme: &'a Theme,
    drafts: &'a BTreeSet<String>,
    broken: &'a BTreeSet<String>,
}

impl PageEnv<'_> {
    /// A hash of everything above (the theme through its template texts).
    fn fingerprint(&self, inputs: &Inputs) -> u64 {
        let mut links: Vec<_> = self.links.iter().collect();
        links.sort();
        crate::cache::fingerprint(&[
            &self.disputes,
            &links,
            &self.known,
            self.registry,
            self.figures,
            &self.base_path,
            &inputs.templates,
            self.drafts,
            self.broken,
        ])
    }

    fn cite_numbers(
        &self,
        items: &[CiteItem],
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for item in items {
            match self.registry.get(&item.id) {
                Some(src) => {
                    let n = refs.number(&item.id, item.locator.as_deref());
                    let mut title = format!(
                        "{}, “{}” ({})",
                        src.publisher,
                        src.title,
                        src.published.display()
                    );
                    if let Some(l) = &item.locator {
                        title.push_str(&format!(", {l}"));
                    }
                    out.push((n, title));
                }
                None => diags.extend(self.registry.unknown(&item.id, item.span.clone())),
            }
        }
        // "[1, 2]", never "[2, 1]" or "[1, 1]".
        out.sort_by_key(|(n, _)| *n);
        out.dedup_by_key(|(n, _)| *n);
        out
    }
}

fn cite_html(numbers: &[(usize, String)]) -> String {
    if numbers.is_empty() {
        return String::new();
    }
    let links: Vec<String> = numbers
        .iter()
        .map(|(n, title)| {
            format!(
                "<a href=\"#ref-{n}\" title=\"{}\">{n}</a>",
                crate::html::escape(title)
            )
        })
        .collect();
    format!("<sup class=\"cite\">[{}]</sup>", links.join(", "))
}

impl Env for PageEnv<'_> {
    fn resolve(&self, path: &str) -> Option<String> {
        self.links.get(path).cloned()
    }

    fn known_paths(&self) -> Vec<&str> {
        self.known.clone()
    }

    fn missing(&self, path: &str) -> markdown::Missing {
        let page = |p: &str| {
            if self.drafts.contains(p) {
                Some(markdown::Missing::Draft)
            } else if self.broken.contains(p) {
                Some(markdown::Missing::Broken)
            } else {
                None
            }
        };
        let dir = path.trim_end_matches('/');
        page(path)
            .or_else(|| page(&format!("{dir}/_index.md")))
            .unwrap_or(markdown::Missing::Unknown)
    }

    fn reserved_ids(&self) -> Option<&markdown::ReservedIds> {
        Some(self.theme.reserved_ids())
    }

    fn cite(
        &self,
        items: &[CiteItem],
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> Piece {
        Piece {
            html: cite_html(&self.cite_numbers(items, refs, diags)),
            text: String::new(),
            kind: PieceKind::Citation,
        }
    }

    fn shortcode(
        &self,
        sc: &Shortcode,
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> Piece {
        let html = self.shortcode_html(sc, refs, diags);
        Piece {
            // Its visible words (a figure's number, a chart's labels), not its markup.
            text: crate::html::text(&html),
            html,
            kind: if sc.name == "fig" && !sc.malformed {
                PieceKind::Inline
            } else {
                PieceKind::Block
            },
        }
    }
}

impl PageEnv<'_> {
    /// The HTML of a shortcode: `fig`, `chart` or the theme's.
    fn shortcode_html(
        &self,
        sc: &Shortcode,
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> String {
        if sc.malformed {
            return String::new();
        }
        let known: &[&str] = match sc.name.as_str() {
            "fig" => &["id", "unit", "cite"],
            "chart" => &["measure", "unit", "place", "title"],
            _ => &[],
        };
        if !known.is_empty()
            && let Some(bad) = sc.args.keys().find(|k| !known.contains(&k.as_str()))
        {
            let hint = match did_you_mean(bad, known.iter().copied()) {
                Some(s) => format!(
                    "did you mean `{s}`? (`{}` takes {})",
                    sc.name,
                    known.join(", ")
                ),
                None => format!("`{}` takes {}", sc.name, known.join(", ")),
            };
            diags.push(
                Diagnostic::error(
                    sc.span.clone(),
                    format!("unknown argument `{bad}` of `{}`", sc.name),
                )
                .with_hint(hint),
            );
            return String::new();
        }
        match sc.name.as_str() {
            "fig" => {
                let Some(id) = sc.args.get("id").and_then(|v| v.as_str()) else {
                    diags.push(
                        Diagnostic::error(sc.span.clone(), "`fig` needs an `id`")
                            .with_hint("{{ fig(id=\"kz-entries-2wk\") }}"),
                    );
                    return String::new();
                };
                let Some(fig) = self.figures.get(id) else {
                    let hint = match did_you_mean(id, self.figures.keys().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "declare it under `figures:` in a page's front matter".into(),
                    };
                    diags.push(
                        Diagnostic::error(sc.span.clone(), format!("unknown figure `{id}`"))
                            .with_hint(hint),
                    );
                    return String::new();
                };
                refs.figures_used.push(id.to_string());
                let with_unit = sc
                    .args
                    .get("unit")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true);
                let cite = if sc
                    .args
                    .get("cite")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true)
                {
                    let item = CiteItem {
                        id: fig.decl.source.clone(),
                        locator: None,
                        span: sc.span.clone(),
                    };
                    cite_html(&self.cite_numbers(std::slice::from_ref(&item), refs, diags))
                } else {
                    String::new()
                };
                let mut title = fig.decl.subject.clone();
                if let Some(by) = &fig.decl.claimed_by {
                    title.push_str(&format!(", according to {by}"));
                }
                if let Some(p) = &fig.period {
                    title.push_str(&format!(" ({})", p.display()));
                }
                format!(
                    "<span class=\"fig\" data-figure=\"{id}\"><a class=\"fig-value\" href=\"{}/figures/#{}\" title=\"{}\">{}</a>{cite}</span>",
                    crate::html::escape(self.base_path),
                    fig.anchor(),
                    crate::html::escape(&title),
                    crate::html::escape(&fig.display(with_unit))
                )
            }
            "chart" => {
                let spec = crate::charts::ChartSpec::from_args(&sc.args);
                match crate::charts::render(
                    &spec,
                    self.figures.values(),
                    self.registry,
                    self.base_path,
                    self.disputes,
                ) {
                    Ok(svg) => svg,
                    Err(msg) => {
                        diags.push(Diagnostic::error(sc.span.clone(), msg).with_hint("chart(measure=\"entries\", unit=\"people\") charts figures with that measure"));
                        String::new()
                    }
                }
            }
            name => match self.theme.shortcode(name, &sc.args) {
                Ok(html) => html,
                Err(e) => {
                    diags.push(Diagnostic::error(sc.span.clone(), e.message).with_hint(e.hint));
                    String::new()
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(url_path("_index.md", None), "/");
        assert_eq!(url_path("stories/_index.md", None), "/stories/");
        assert_eq!(url_path("stories/Who Left.md", None), "/stories/who-left/");
        assert_eq!(url_path("stories/a.md", Some("b")), "/stories/b/");
        assert_eq!(url_path("stories/a/index.md", None), "/stories/a/");
    }

    #[test]
    fn parents() {
        let s: BTreeSet<String> = ["_index.md", "a/_index.md"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(parent_section("a/x.md", &s).as_deref(), Some("a/_index.md"));
        assert_eq!(
            parent_section("a/_index.md", &s).as_deref(),
            Some("_index.md")
        );
        assert_eq!(parent_section("b/y.md", &s).as_deref(), Some("_index.md"));
        assert_eq!(parent_section("_index.md", &s), None);
    }
}
