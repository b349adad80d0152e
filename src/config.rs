//! `site.yaml`: the site's configuration.

use crate::diagnostics::Diagnostic;
use crate::yaml;
use serde::Deserialize;
use std::path::Path;

/// site.yaml, as the README documents it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's title.
    pub title: String,
    /// Where the site is published (checked and normalised by `base_url`).
    pub base_url: String,
    /// Used in feeds and `<meta name="description">`.
    #[serde(default)]
    pub description: Option<String>,
    /// `lang` of every page.
    #[serde(default = "default_language")]
    pub language: String,
    /// The feed's author.
    #[serde(default)]
    pub author: Option<String>,
    /// The folder under themes/.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Entries in atom.xml.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// The syntect theme of the code stylesheet.
    #[serde(default = "default_highlight_theme")]
    pub highlight_theme: String,
    /// At most this many sections and top-level pages in `site.menu` (after the home page).
    #[serde(default = "default_menu_limit")]
    pub menu_limit: usize,
    /// Folder of plain-text article snapshots, relative to the site root (see `--archive-dir`).
    #[serde(default)]
    pub archive_dir: Option<String>,
    /// The check of numbers in prose that are not figures.
    #[serde(default)]
    pub prose_numbers: ProseNumbers,
    /// Bibliographies to import sources from (BibTeX/BibLaTeX `.bib`, CSL-JSON `.json`,
    /// Hayagriva `.yaml`/`.yml`), relative to the site root, besides content/sources.yaml.
    #[serde(default)]
    pub sources: Vec<String>,
    /// `numeric` (dossier's own `[1]`), a CSL style bundled with hayagriva (`apa`,
    /// `chicago-author-date`, `ieee`, ...) or a `.csl` file relative to the site root.
    #[serde(default = "default_citation_style")]
    pub citation_style: String,
    /// Pages per pager of a section's list (and a term's), unless the section or the
    /// taxonomy says otherwise; 0: lists are not paginated.
    #[serde(default)]
    pub paginate_by: usize,
    /// Taxonomies besides the built-in `tags` and `places` (an entry named `tags` or
    /// `places` sets their feed and pagination).
    #[serde(default)]
    pub taxonomies: Vec<TaxonomyConfig>,
    /// The picture for sharing of pages without their own `image:`: a path from the site
    /// root (a static file or content asset) or an absolute URL.
    #[serde(default)]
    pub image: Option<String>,
    /// The JSON-LD of pages.
    #[serde(default)]
    pub json_ld: JsonLd,
    /// Also write every page alias to `_redirects` (`/old/ /new/ 301`, read by Netlify and
    /// Cloudflare Pages).
    #[serde(default)]
    pub redirects_file: bool,
    /// Free data for templates (`site.extra`).
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// How Markdown images are resized (`images:`).
    #[serde(default)]
    pub images: ImagesConfig,
}

/// `images:` in site.yaml: the resized copies of a Markdown image.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesConfig {
    /// The widths of the copies in `srcset` (only those below the original's are made).
    #[serde(default = "default_widths")]
    pub widths: Vec<u32>,
    /// The `sizes` attribute.
    #[serde(default = "default_sizes")]
    pub sizes: String,
    /// Formats besides the original's, each a `<source>` of a `<picture>`.
    #[serde(default = "default_formats")]
    pub formats: Vec<ImageFormat>,
    /// JPEG quality, 1 to 100.
    #[serde(default = "default_quality")]
    pub quality: u8,
}

/// A format of `images.formats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// WebP (lossless).
    Webp,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            widths: default_widths(),
            sizes: default_sizes(),
            formats: default_formats(),
            quality: default_quality(),
        }
    }
}

fn default_widths() -> Vec<u32> {
    vec![480, 800, 1200, 1600]
}

// The default theme's text column is 40rem wide (--measure).
fn default_sizes() -> String {
    "(max-width: 40rem) 100vw, 40rem".into()
}

fn default_formats() -> Vec<ImageFormat> {
    vec![ImageFormat::Webp]
}

fn default_quality() -> u8 {
    80
}

/// One entry of `taxonomies:` in site.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// Its name, as front matter's `taxonomies:` names it (`authors`).
    pub name: String,
    /// Its URL segment (`/<slug>/<term>/`): the name slugified unless given.
    #[serde(default)]
    pub slug: Option<String>,
    /// The title of its pages: the name capitalised unless given.
    #[serde(default)]
    pub title: Option<String>,
    /// An Atom feed per term (`/<slug>/<term>/atom.xml`).
    #[serde(default)]
    pub feed: bool,
    /// Pages per pager of a term's list; none: site.yaml's `paginate_by`.
    #[serde(default)]
    pub paginate_by: Option<usize>,
}

/// The built-in taxonomies: name (also their URL segment) and title.
pub const BUILTIN_TAXONOMIES: [(&str, &str); 2] = [("places", "Places"), ("tags", "Tags")];

/// URL segments a taxonomy may not take: dossier's own generated pages and data folders.
const RESERVED_SLUGS: &[&str] = &["figures", "sources", "search", "page"];
/// `json_ld:` in site.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct JsonLd {
    /// The schema.org type of a page: `Article` (the default) or `NewsArticle`.
    #[serde(default, rename = "type")]
    pub kind: ArticleType,
}

/// The schema.org type a page is described as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum ArticleType {
    /// `Article`.
    #[default]
    Article,
    /// `NewsArticle`.
    NewsArticle,
}

impl ArticleType {
    /// Its schema.org name.
    pub fn name(self) -> &'static str {
        match self {
            ArticleType::Article => "Article",
            ArticleType::NewsArticle => "NewsArticle",
        }
    }
}

/// `prose_numbers:` in site.yaml: how a number typed into a page's text, not produced by
/// `fig()`, is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProseNumbers {
    /// `error` (the build fails), `warning` (the default) or `off`.
    #[serde(default)]
    pub check: Check,
    /// The counting words one to nine are not reported (true, the default).
    #[serde(default = "yes")]
    pub allow_small_words: bool,
}

fn yes() -> bool {
    true
}

impl Default for ProseNumbers {
    fn default() -> Self {
        ProseNumbers {
            check: Check::Warning,
            allow_small_words: true,
        }
    }
}

/// How a check reports what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// As errors: the build fails.
    Error,
    /// As warnings.
    #[default]
    Warning,
    /// Not at all.
    Off,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_menu_limit() -> usize {
    8
}
fn default_feed_limit() -> usize {
    20
}
fn default_citation_style() -> String {
    "numeric".into()
}
fn default_highlight_theme() -> String {
    "InspiredGitHub".into()
}

/// The configuration file's name, at the site's root.
pub const CONFIG_FILE: &str = "site.yaml";

/// A base URL as written (in site.yaml or `--base-url`), checked and normalised: an http(s)
/// URL with a host (its path percent-encoded, so it is safe in HTML) or a root path like
/// `/sub`, without a trailing slash. The error is a message and a hint.
pub fn base_url(written: &str) -> Result<String, (String, String)> {
    let hint = "write it like `https://example.org/` or `https://example.org/sub/`".to_string();
    let w = written.trim();
    if w.starts_with('/') && !w.starts_with("//") {
        // Percent-encode the path as a URL's path is, against a placeholder origin.
        return url::Url::parse("http://x")
            .and_then(|u| u.join(w))
            .map(|u| u.path().trim_end_matches('/').to_string())
            .map_err(|e| (format!("base_url `{written}` is not a URL path: {e}"), hint));
    }
    match url::Url::parse(w) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            if u.query().is_some() || u.fragment().is_some() {
                return Err((
                    format!("base_url `{written}` has a query or fragment"),
                    "the base URL is where the site's root is: leave out `?...` and `#...`".into(),
                ));
            }
            Ok(u.as_str().trim_end_matches('/').to_string())
        }
        Ok(u) => Err((
            format!(
                "base_url `{written}` is not an http(s) URL (scheme `{}`)",
                u.scheme()
            ),
            hint,
        )),
        Err(url::ParseError::RelativeUrlWithoutBase) if w.contains('.') && !w.contains(' ') => {
            Err((
                format!("base_url `{written}` has no scheme"),
                format!("write `https://{}`", w.trim_start_matches('/')),
            ))
        }
        Err(e) => Err((
            format!("base_url `{written}` is not an absolute URL: {e}"),
            hint,
        )),
    }
}

/// The path of a base URL, without a trailing slash (`https://x.org/sub/` -> `/sub`).
pub fn url_path(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(u) => u.path().trim_end_matches('/').to_string(),
        // A path-only base URL (`/sub`) is its own path.
        Err(_) => base_url.trim_end_matches('/').to_string(),
    }
}

impl Config {
    /// Parse site.yaml's `text` (`file` names it in diagnostics).
    pub fn parse(text: &str, file: &Path) -> Result<Config, Diagnostic> {
        let mut config: Config = yaml::parse(text, file, 1)?;
        config.base_url = base_url(&config.base_url).map_err(|(message, hint)| {
            Diagnostic::error(yaml::span_of(file, text, 1, "base_url", false), message)
                .with_hint(hint)
        })?;
        config.check_taxonomies(text, file)?;
        if !(1..=100).contains(&config.images.quality) {
            return Err(Diagnostic::error(
                yaml::span_of(file, text, 1, "images.quality", false),
                format!(
                    "images.quality {} is not between 1 and 100",
                    config.images.quality
                ),
            )
            .with_hint("JPEG quality: 80 (the default) is a good balance of size and detail"));
        }
        Ok(config)
    }

    /// Taxonomy names and URL segments are unique, have letters or digits, and do not
    /// take a URL dossier generates; the built-ins keep their URL.
    fn check_taxonomies(&self, text: &str, file: &Path) -> Result<(), Diagnostic> {
        let at = |i: usize, key: &str| {
            yaml::span_of(file, text, 1, &format!("taxonomies[{i}].{key}"), false)
        };
        let mut names: Vec<&str> = Vec::new();
        let mut slugs: Vec<String> = BUILTIN_TAXONOMIES
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        for (i, t) in self.taxonomies.iter().enumerate() {
            let builtin = BUILTIN_TAXONOMIES.iter().any(|(n, _)| *n == t.name);
            if names.contains(&t.name.as_str()) {
                return Err(Diagnostic::error(
                    at(i, "name"),
                    format!("taxonomy `{}` is declared twice", t.name),
                )
                .with_hint("keep one entry per taxonomy"));
            }
            names.push(&t.name);
            if builtin {
                if let Some(s) = t.slug.as_ref().filter(|s| **s != t.name) {
                    return Err(Diagnostic::error(
                        at(i, "slug"),
                        format!("the built-in taxonomy `{}` cannot move to /{s}/", t.name),
                    )
                    .with_hint(format!(
                        "leave out `slug`: `{}` is published at /{}/",
                        t.name, t.name
                    )));
                }
                continue;
            }
            let slug = slug::slugify(t.slug.as_deref().unwrap_or(&t.name));
            let key = if t.slug.is_some() { "slug" } else { "name" };
            if slug.is_empty() {
                return Err(Diagnostic::error(
                    at(i, key),
                    format!("taxonomy `{}` has no letters or digits for its URL", t.name),
                )
                .with_hint("give it a name or a `slug` with letters or digits"));
            }
            if RESERVED_SLUGS.contains(&slug.as_str()) || slugs.contains(&slug) {
                return Err(Diagnostic::error(
                    at(i, key),
                    format!(
                        "taxonomy `{}` would be published at /{slug}/, which is taken",
                        t.name
                    ),
                )
                .with_hint("give it another `slug`"));
            }
            slugs.push(slug);
        }
        Ok(())
    }

    /// The path part of base_url, without a trailing slash: "" at a domain root.
    pub fn base_path(&self) -> String {
        url_path(&self.base_url)
    }

    /// The origin (scheme, host and port) of base_url; "" for a path-only one.
    pub fn origin(&self) -> String {
        match url::Url::parse(&self.base_url) {
            Ok(u) => u.origin().ascii_serialization(),
            Err(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str) -> Config {
        Config::parse(
            &format!("title: t\nbase_url: {url}\n"),
            Path::new("site.yaml"),
        )
        .unwrap()
    }

    #[test]
    fn base_path_and_origin() {
        assert_eq!(cfg("https://x.org").base_path(), "");
        assert_eq!(cfg("https://x.org/").base_path(), "");
        assert_eq!(cfg("https://x.org/sub/").base_path(), "/sub");
        assert_eq!(cfg("https://x.org/sub/").origin(), "https://x.org");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = Config::parse(
            "title: t\nbase_url: https://x.org\ntheem: x\n",
            Path::new("site.yaml"),
        )
        .unwrap_err();
        assert_eq!(e.span.line, 3);
        assert!(e.hint.unwrap().contains("`theme`"));
    }
}
