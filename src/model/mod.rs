//! Stage 2: from `Inputs` to a checked `Model`: documents with URLs and rendered Markdown,
//! the source registry, figures with verified quotes, back-links and disputes.

mod build;
mod env;
pub mod outputs;
pub mod taxonomies;

use crate::cache::BuildCache;
use crate::content::frontmatter::FrontMatter;
use crate::content::ids::{FigureId, SourceId};
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, Span};
use crate::markdown::Rendered;
use crate::sources::styles::CitationStyle;
use crate::sources::{self, Figure, Registry};
use crate::templates::Theme;
use crate::yaml;
pub use env::ListedExemption;
use env::PageEnv;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Include pages with `draft: true`.
    pub drafts: bool,
    /// Replaces site.yaml's `base_url` (`--base-url`).
    pub base_url: Option<String>,
    /// The folder of archived articles (`--archive-dir`).
    pub archive_dir: Option<PathBuf>,
    /// Links are made relative after rendering, so they are rendered from the root.
    pub relative: bool,
    /// Leave every page's HTML empty; `deferred_html` renders it when it is needed.
    pub defer_html: bool,
}

/// A document's place in `Model::docs` (documents sorted by path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub usize);

impl<T> std::ops::Index<DocId> for Vec<T> {
    type Output = T;
    fn index(&self, id: DocId) -> &T {
        &self[id.0]
    }
}

impl<T> std::ops::IndexMut<DocId> for Vec<T> {
    fn index_mut(&mut self, id: DocId) -> &mut T {
        &mut self[id.0]
    }
}

/// A page, or a section's `_index.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A page.
    Page,
    /// A section (or the home page).
    Section,
}

/// One Markdown file of content/, checked and rendered.
#[derive(Debug, Clone)]
pub struct Document {
    /// Content-relative path: `stories/routes.md`, `stories/_index.md`, `_index.md`.
    pub path: String,
    /// Root-relative path for diagnostics: `content/stories/routes.md`.
    pub file: PathBuf,
    /// Page or section.
    pub kind: Kind,
    /// Its front matter.
    pub fm: FrontMatter,
    /// Its front matter's YAML and first line, where the positions of mistakes are found
    /// (every front-matter check is made by `Model::build`: a one-off build, which has no
    /// cache, empties it then; a big site's YAML is megabytes).
    pub yaml: String,
    /// The file's line of the YAML's first line.
    pub yaml_line: usize,
    /// The file's line of the body's first line.
    pub body_line: usize,
    /// URL path without the base path: `/stories/routes/`.
    pub url_path: String,
    /// Path of the section this document belongs to (`stories/_index.md`); None for the home page.
    pub parent: Option<String>,
    /// Its rendered Markdown.
    pub rendered: Rendered,
}

impl Document {
    /// Whether it is a section's `_index.md` (or the home page).
    pub fn is_section(&self) -> bool {
        self.kind == Kind::Section
    }

    /// The span of its front matter's node at `path` (`figures[2].source`, `tags[0]`).
    pub fn span_of(&self, path: &str) -> Span {
        yaml::span_of(&self.file, &self.yaml, self.yaml_line, path, false)
    }
}

/// The checked site: everything a render needs.
pub struct Model {
    /// site.yaml (with `--base-url` applied).
    pub config: crate::config::Config,
    /// The URL path every URL starts with ("" at a domain root or with `--relative`).
    pub base_path: String,
    /// The sources.
    pub registry: Registry,
    /// The citation style (site.yaml's `citation_style`).
    pub style: CitationStyle,
    /// Sorted by path.
    pub docs: Vec<Document>,
    /// Content path -> index in `docs`.
    pub by_path: HashMap<String, DocId>,
    /// What `@/` links may name (`stories/routes.md`, and `stories/` for a section) -> URL.
    pub links: HashMap<String, String>,
    /// Every figure, by id.
    pub figures: BTreeMap<FigureId, Figure>,
    /// Source id -> indices of documents that cite it (inline, in `sources:` or by figure).
    pub cited_by: BTreeMap<SourceId, BTreeSet<DocId>>,
    /// How the figures relate, and which are disputed.
    pub relations: sources::Relations,
    /// The registries of places, measures and claimants.
    pub vocab: sources::Vocabulary,
    /// Every page's exemptions from the check of numbers in prose.
    pub exemptions: Vec<env::ListedExemption>,
    /// The taxonomies: places, tags, then site.yaml's (`taxonomies::of`).
    pub taxonomies: Vec<taxonomies::Taxonomy>,
    /// The theme's templates.
    pub theme: Theme,
    /// The site's images: the resized copies this build's pages and templates plan.
    pub images: std::sync::Arc<crate::images::Images>,
    /// Output path -> file to copy: theme and site static files, content assets.
    pub theme_assets: BTreeMap<String, crate::content::load::Asset>,
    /// Static stylesheets and scripts (and `syntax.css`) -> their content-hashed output
    /// path (see `outputs::hashed_names`).
    pub asset_names: BTreeMap<String, String>,
    /// Content paths of the pages left out as drafts, and of those whose front matter has
    /// an error: links to them are explained (or, for the broken ones, not reported again).
    pub drafts: BTreeSet<String>,
    /// Content paths of pages whose front matter has an error.
    pub broken: BTreeSet<String>,
    /// Generated files that a file of the site's `static/` replaces (`robots.txt`).
    pub overridden: BTreeSet<String>,
    /// The pictures for sharing (`image:` of site.yaml and of pages).
    pub share_images: outputs::ShareImages,
    /// Warnings of the build so far.
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

/// `/stories/routes/` -> `stories/routes/index.html`.
pub fn output_path(url_path: &str) -> String {
    let p = url_path.trim_start_matches('/');
    format!("{p}index.html")
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
    /// Build the model of `inputs`.
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
        let archives = build::archives(inputs, opts, &config, &mut diags)?;
        let registry = build::registry(inputs, archives, &mut diags);
        let vocab = build::vocabulary(inputs, &mut diags);
        let style = CitationStyle::load(
            &config.citation_style,
            &inputs.root,
            &inputs.config_text,
            &config.language,
            &registry,
            &mut diags,
        );
        let build::Documents {
            mut docs,
            drafts,
            broken,
        } = build::documents(inputs, opts, cache, &mut diags);
        build::page_places(&mut docs, &vocab, &mut diags);
        let taxonomies = taxonomies::of(&config);
        taxonomies::check_names(&docs, &taxonomies, &mut diags);
        taxonomies::check_section_keys(&docs, &mut diags);
        let by_path: HashMap<String, DocId> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), DocId(i)))
            .collect();
        let figures = build::figures(&docs, &registry, &vocab, &mut diags);
        let overridden = outputs::check(&docs, &figures, &taxonomies, &config, inputs, &mut diags);
        let share_images = outputs::share_images(&docs, inputs, &mut diags);
        let images = std::sync::Arc::new(crate::images::Images::new(
            &inputs.root,
            &config.images,
            &base_path,
            cache.image_jobs(),
        ));
        let theme = match Theme::with_images(inputs, &config, images.clone()) {
            Ok(t) => t,
            Err(mut ds) => {
                diags.append(&mut ds);
                return Err(diags);
            }
        };
        build::check_templates(&docs, &theme, &mut diags);
        theme.set_urls(
            &base_path,
            docs.iter()
                .map(|d| (d.path.clone(), format!("{base_path}{}", d.url_path)))
                .collect(),
        );
        let links = build::links(&docs, inputs, &base_path);
        let relations = sources::relate(&figures, &registry, &vocab);
        let exemptions = env::exemptions(&docs, &base_path);
        let env = PageEnv {
            relations: &relations,
            prose: &config.prose_numbers,
            exemptions: &exemptions,
            links: &links,
            known: known_paths(inputs),
            registry: &registry,
            figures: &figures,
            base_path: &base_path,
            theme: &theme,
            images: &images,
            drafts: &drafts,
            broken: &broken,
            style: &style,
            vocab: &vocab,
            place_pages: env::place_pages(&docs, &figures),
        };
        build::markdown(&mut docs, inputs, &env, cache, !opts.defer_html, &mut diags);
        let cited_by = build::back_links(&registry, &docs);
        if !cache.is_enabled() {
            for d in &mut docs {
                d.yaml = String::new();
            }
        }

        let (errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(Diagnostic::is_error);
        if !errors.is_empty() {
            let mut all = errors;
            all.extend(warnings);
            return Err(all);
        }
        let asset_names = outputs::hashed_names(
            inputs,
            &crate::markdown::highlight::syntax_css(&config.highlight_theme),
        );
        Ok(Model {
            config,
            base_path,
            registry,
            style,
            docs,
            by_path,
            links,
            figures,
            cited_by,
            relations,
            vocab,
            exemptions,
            taxonomies,
            theme,
            images,
            theme_assets: inputs.assets.clone(),
            asset_names,
            drafts,
            broken,
            overridden,
            share_images,
            warnings,
        })
    }

    /// The slugs of the places that have a page (`/places/<slug>/`).
    pub fn place_pages(&self) -> BTreeSet<String> {
        env::place_pages(&self.docs, &self.figures)
    }

    /// What a page's Markdown sees of this model and of `inputs`' content files.
    fn page_env<'a>(&'a self, inputs: &'a Inputs) -> PageEnv<'a> {
        PageEnv {
            relations: &self.relations,
            prose: &self.config.prose_numbers,
            exemptions: &self.exemptions,
            links: &self.links,
            known: known_paths(inputs),
            registry: &self.registry,
            figures: &self.figures,
            base_path: &self.base_path,
            theme: &self.theme,
            images: &self.images,
            drafts: &self.drafts,
            broken: &self.broken,
            style: &self.style,
            vocab: &self.vocab,
            place_pages: env::place_pages(&self.docs, &self.figures),
        }
    }

    /// The Markdown of `self.docs[i]` rendered from `text` (its whole file) in this model's
    /// environment with `inputs`' content files, as a build renders it.
    pub fn render_markdown(
        &self,
        i: DocId,
        text: &str,
        inputs: &Inputs,
    ) -> (Rendered, Vec<Diagnostic>) {
        build::render_markdown(&self.docs[i], text, &self.page_env(inputs), true)
    }

    /// For a model built with `defer_html`: the HTML of `docs[i]`, rendered from its file in
    /// `inputs` exactly as a build without `defer_html` renders it.
    pub fn deferred_html<'a>(&'a self, inputs: &'a Inputs) -> impl Fn(DocId) -> String + Sync + 'a {
        let env = self.page_env(inputs);
        move |i| {
            let doc = &self.docs[i];
            build::render_markdown(doc, &inputs.pages[&doc.path], &env, true)
                .0
                .html
        }
    }

    /// The sources `doc` cites (inline, in `sources:` or by a figure), repeats included.
    pub fn cites<'a>(&'a self, doc: &'a Document) -> impl Iterator<Item = &'a SourceId> {
        cites(&self.registry, doc)
    }

    /// The taxonomy of that name (`tags`, `authors`).
    pub fn taxonomy(&self, name: &str) -> Option<&taxonomies::Taxonomy> {
        self.taxonomies.iter().find(|t| t.name == name)
    }

    /// The terms of the taxonomy `name` and the documents of each, by term slug (sorted):
    /// (the term's first name as written, its documents in path order). None for a
    /// taxonomy the site does not have. For places, the places only figures name are not
    /// here.
    pub fn terms(&self, name: &str) -> Option<BTreeMap<String, taxonomies::TermDocs<'_>>> {
        self.taxonomy(name)
            .map(|t| taxonomies::terms_of(&self.docs, t, None))
    }

    /// The pages per pager of a section's list (0: one page, not paginated).
    pub fn paginate_by(&self, section: &Document) -> usize {
        section.fm.paginate_by.unwrap_or(self.config.paginate_by)
    }

    /// The document at a content path.
    pub fn doc(&self, path: &str) -> Option<&Document> {
        self.by_path.get(path).map(|&i| &self.docs[i])
    }

    /// A URL path with the base path in front (what `href`s use).
    pub fn url(&self, url_path: &str) -> String {
        format!("{}{url_path}", self.base_path)
    }

    /// The absolute URL of a URL path.
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

/// The sources `doc` cites that the registry knows.
pub(super) fn cites<'a>(
    registry: &'a Registry,
    doc: &'a Document,
) -> impl Iterator<Item = &'a SourceId> {
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
