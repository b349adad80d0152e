//! Template functions that read outside a template's context (Zola's): `get_url`,
//! `load_data`, `now`, `get_page`, `get_section`, `get_taxonomy` and `get_taxonomy_url`. Their errors carry a hint after [`HINT`], which `tera_diagnostic` splits off.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Separates a function's message from its hint in the error Tera reports.
pub(super) const HINT: &str = "\nhint: ";

/// The names of the functions whose result does not follow from a template's context: a
/// theme that calls one is never reused from the render memo, nor patched by `serve`.
pub const OUTSIDE_CONTEXT: &[&str] = &[
    "get_url",
    "load_data",
    "now",
    "get_page",
    "get_section",
    "get_taxonomy",
    "get_taxonomy_url",
];

/// The functions that read the site's pages and taxonomies ([`SiteData`]): only a theme
/// that calls one pays for collecting them.
pub const SITE_FUNCTIONS: &[&str] = &[
    "get_page",
    "get_section",
    "get_taxonomy",
    "get_taxonomy_url",
];

/// Whether a template's source calls one of [`OUTSIDE_CONTEXT`] (`name(`, a word of its
/// own: `my_now(` is not `now(`).
pub fn calls_outside_context(text: &str) -> bool {
    calls_any(text, OUTSIDE_CONTEXT)
}

/// Whether a template's source calls one of `names` (see [`calls_outside_context`]).
pub fn calls_any(text: &str, names: &[&str]) -> bool {
    names.iter().any(|name| {
        text.match_indices(name).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + name.len()..].trim_start().starts_with('(');
            after && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
    })
}

fn error(message: impl std::fmt::Display, hint: impl std::fmt::Display) -> tera::Error {
    tera::Error::message(format!("{message}{HINT}{hint}"))
}

/// A file read and parsed, or why it could not be, by its path and format.
/// (A `OnceLock` per file: threads that want the same file wait for one read.)
type Parsed = HashMap<(PathBuf, &'static str), Arc<OnceLock<Result<tera::Value, String>>>>;

/// The data files of one build, each read and parsed once (templates render on many
/// threads).
pub(super) struct DataFiles {
    root: PathBuf,
    read: Mutex<Parsed>,
}

/// The formats `load_data` reads.
const FORMATS: &[&str] = &["csv", "json", "yaml", "plain"];

impl DataFiles {
    pub(super) fn new(root: &Path) -> DataFiles {
        DataFiles {
            root: root.to_path_buf(),
            read: Mutex::new(HashMap::new()),
        }
    }

    /// `load_data(path="data/x.csv", format="csv")`.
    pub(super) fn load(&self, kwargs: tera::Kwargs) -> tera::TeraResult<tera::Value> {
        let path = kwargs.must_get::<&str>("path")?;
        let format = match kwargs.get::<&str>("format")? {
            Some(f) => f.to_string(),
            None => match Path::new(path).extension().and_then(|e| e.to_str()) {
                Some("csv") => "csv".into(),
                Some("json") => "json".into(),
                Some("yaml" | "yml") => "yaml".into(),
                _ => "plain".into(),
            },
        };
        let Some(format) = FORMATS.iter().copied().find(|f| *f == format) else {
            let hint = match crate::diagnostics::did_you_mean(&format, FORMATS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("formats: {}", FORMATS.join(", ")),
            };
            return Err(error(format!("load_data: unknown format `{format}`"), hint));
        };
        let file = self.confine(path)?;
        let key = (file.clone(), format);
        let slot = self
            .read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .clone();
        let result = slot.get_or_init(|| parse(&file, format));
        match result {
            Ok(v) => Ok(v.clone()),
            Err(e) => Err(error(
                format!("load_data(path=\"{path}\"): {e}"),
                format!("the file is read as {format}; give `format=` to read it otherwise"),
            )),
        }
    }

    /// The file `path` names, inside the site's folder (symlinks resolved).
    fn confine(&self, path: &str) -> tera::TeraResult<PathBuf> {
        let rel = Path::new(path);
        let hint = "give a path relative to the site's folder (where site.yaml is), inside it";
        if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::Prefix(_))) {
            return Err(error(
                format!("load_data: `{path}` is an absolute path"),
                hint,
            ));
        }
        // `..` above the site's folder is refused before the file system is asked.
        let mut depth = 0usize;
        for c in rel.components() {
            match c {
                Component::ParentDir if depth == 0 => {
                    return Err(error(
                        format!("load_data: `{path}` is outside the site's folder"),
                        hint,
                    ));
                }
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                _ => {}
            }
        }
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        let file = match root.join(rel).canonicalize() {
            Ok(f) => f,
            Err(e) => {
                return Err(error(format!("load_data: cannot read `{path}`: {e}"), hint));
            }
        };
        if !file.starts_with(&root) {
            return Err(error(
                format!("load_data: `{path}` is outside the site's folder"),
                hint,
            ));
        }
        Ok(file)
    }
}

fn parse(file: &Path, format: &str) -> Result<tera::Value, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    Ok(match format {
        "csv" => {
            let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let headers: Vec<String> = reader
                .headers()
                .map_err(|e| e.to_string())?
                .iter()
                .map(str::to_string)
                .collect();
            let mut records = Vec::new();
            for r in reader.records() {
                let r = r.map_err(|e| e.to_string())?;
                records.push(r.iter().map(str::to_string).collect::<Vec<_>>());
            }
            tera::Value::from_serializable(&serde_json::json!({
                "headers": headers,
                "records": records,
            }))
        }
        "json" => {
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            tera::Value::from_serializable(&v)
        }
        "yaml" => {
            let v: serde_json::Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
            tera::Value::from_serializable(&v)
        }
        _ => tera::Value::from(text),
    })
}

/// `now(timestamp=false, utc=false)`: the time of the build, `SOURCE_DATE_EPOCH` when set
/// (reproducible builds), as RFC 3339 in the local time zone (UTC with `utc=true`), or as
/// seconds since 1970 with `timestamp=true`.
pub(super) fn now(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<tera::Value> {
    let timestamp = kwargs.get::<bool>("timestamp")?.unwrap_or(false);
    let utc = kwargs.get::<bool>("utc")?.unwrap_or(false);
    let at = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .ok_or_else(|| {
                error(
                    format!("now(): SOURCE_DATE_EPOCH is `{s}`, not seconds since 1970"),
                    "set SOURCE_DATE_EPOCH to an integer (e.g. `git log -1 --format=%ct`) or unset it",
                )
            })?,
        Err(_) => jiff::Timestamp::now(),
    };
    if timestamp {
        return Ok(tera::Value::from(at.as_second()));
    }
    let zone = if utc {
        jiff::tz::TimeZone::UTC
    } else {
        jiff::tz::TimeZone::system()
    };
    Ok(tera::Value::from(
        at.to_zoned(zone)
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    ))
}

/// The URLs `get_url` gives: the site's base path and each document's, by content path.
#[derive(Default)]
pub(super) struct Urls {
    known: OnceLock<(String, std::collections::BTreeMap<String, String>)>,
}

impl Urls {
    /// Set once per build, when the model knows every document's URL.
    pub(super) fn set(&self, base_path: &str, docs: std::collections::BTreeMap<String, String>) {
        let _ = self.known.set((base_path.to_string(), docs));
    }

    /// `get_url(path="@/stories/one.md")`: a document's URL; `get_url(path="style.css",
    /// trailing_slash=false)`: a path of the site, under its base path.
    pub(super) fn get(&self, kwargs: tera::Kwargs) -> tera::TeraResult<tera::Value> {
        let path = kwargs.must_get::<&str>("path")?;
        let slash = kwargs.get::<bool>("trailing_slash")?.unwrap_or(false);
        let Some((base, docs)) = self.known.get() else {
            return Err(error(
                "get_url: the site's URLs are not known here",
                "call get_url in a page's template, not in a shortcode",
            ));
        };
        let mut url = match path.strip_prefix("@/") {
            Some(doc) => match docs.get(doc) {
                Some(u) => u.clone(),
                None => {
                    let hint = match crate::diagnostics::did_you_mean(
                        doc,
                        docs.keys().map(String::as_str),
                    ) {
                        Some(s) => format!("did you mean `@/{s}`?"),
                        None => "`@/` paths are relative to content/, e.g. `@/stories/one.md`"
                            .to_string(),
                    };
                    return Err(error(format!("get_url: no page `{path}`"), hint));
                }
            },
            None => format!("{base}/{}", path.trim_start_matches('/')),
        };
        if slash && !url.ends_with('/') {
            url.push('/');
        }
        Ok(tera::Value::from(url))
    }
}

/// One taxonomy as `get_taxonomy` gives it, and its terms' URLs by term slug.
pub struct TaxonomyData {
    /// `{kind: {name, slug, title}, items: [{name, slug, url, pages}]}`.
    pub value: tera::Value,
    /// Term slug -> the term's first name as written, and the URL of its page.
    pub term_urls: std::collections::BTreeMap<String, (String, String)>,
}

/// The site's pages, sections and taxonomies, collected once per build for the templates
/// that call [`SITE_FUNCTIONS`].
#[derive(Default)]
pub struct SiteData {
    /// Content path -> the page as page.html's `page` is.
    pub pages: std::collections::BTreeMap<String, tera::Value>,
    /// Content path -> the section as section.html's `section` is (its first pager).
    pub sections: std::collections::BTreeMap<String, tera::Value>,
    /// Taxonomy name -> it.
    pub taxonomies: std::collections::BTreeMap<String, TaxonomyData>,
}

/// The slot a build's renderer fills with [`SiteData`] before the first render.
pub(super) type SiteSlot = Arc<OnceLock<SiteData>>;

fn site_data<'s>(slot: &'s SiteSlot, name: &str) -> tera::TeraResult<&'s SiteData> {
    slot.get().ok_or_else(|| {
        error(
            format!("{name}: the site's pages are not known here"),
            format!("call {name} in a page's template, not in a shortcode"),
        )
    })
}

fn unknown(
    what: &str,
    wrong: &str,
    known: &mut dyn Iterator<Item = &str>,
    example: &str,
) -> tera::Error {
    let known: Vec<&str> = known.collect();
    let hint = match crate::diagnostics::did_you_mean(wrong, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => example.to_string(),
    };
    error(format!("{what} `{wrong}`"), hint)
}

/// `get_page(path="stories/one.md")` and `get_section(path="stories/_index.md")`.
pub(super) fn get_doc(
    slot: &SiteSlot,
    section: bool,
    kwargs: tera::Kwargs,
) -> tera::TeraResult<tera::Value> {
    let name = if section { "get_section" } else { "get_page" };
    let path = kwargs.must_get::<&str>("path")?;
    let data = site_data(slot, name)?;
    let docs = if section { &data.sections } else { &data.pages };
    let key = path.trim_start_matches("@/");
    let other = if section { &data.pages } else { &data.sections };
    if other.contains_key(key) {
        let (is, call) = if section {
            ("a page", "get_page")
        } else {
            ("a section", "get_section")
        };
        return Err(error(
            format!("{name}: `{path}` is {is}"),
            format!("call {call}(path=\"{path}\")"),
        ));
    }
    match docs.get(key) {
        Some(v) => Ok(v.clone()),
        None => Err(unknown(
            &format!("{name}: no {}", if section { "section" } else { "page" }),
            path,
            &mut docs.keys().map(String::as_str),
            if section {
                "paths are relative to content/, e.g. `stories/_index.md`"
            } else {
                "paths are relative to content/, e.g. `stories/one.md`"
            },
        )),
    }
}

fn taxonomy<'d>(data: &'d SiteData, name: &str, kind: &str) -> tera::TeraResult<&'d TaxonomyData> {
    data.taxonomies.get(kind).ok_or_else(|| {
        unknown(
            &format!("{name}: no taxonomy"),
            kind,
            &mut data.taxonomies.keys().map(String::as_str),
            &format!(
                "taxonomies: {}",
                data.taxonomies
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// `get_taxonomy(kind="tags")`.
pub(super) fn get_taxonomy(slot: &SiteSlot, kwargs: tera::Kwargs) -> tera::TeraResult<tera::Value> {
    let kind = kwargs.must_get::<&str>("kind")?;
    let data = site_data(slot, "get_taxonomy")?;
    Ok(taxonomy(data, "get_taxonomy", kind)?.value.clone())
}

/// `get_taxonomy_url(kind="tags", name="Borders")`: the URL of the term's page.
pub(super) fn get_taxonomy_url(
    slot: &SiteSlot,
    kwargs: tera::Kwargs,
) -> tera::TeraResult<tera::Value> {
    let kind = kwargs.must_get::<&str>("kind")?;
    let name = kwargs.must_get::<&str>("name")?;
    let data = site_data(slot, "get_taxonomy_url")?;
    let t = taxonomy(data, "get_taxonomy_url", kind)?;
    // As `model::outputs::term_slug` has it (templates come before the model).
    let slug = slug::slugify(name);
    match t.term_urls.get(&slug) {
        Some((_, u)) => Ok(tera::Value::from(u.clone())),
        None => Err(unknown(
            &format!("get_taxonomy_url: no term of {kind}"),
            name,
            &mut t.term_urls.values().map(|(n, _)| n.as_str()),
            &format!("no page has this term in `{kind}:`"),
        )),
    }
}
