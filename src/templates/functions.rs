//! Template functions that read outside a template's context (Zola's): `get_url`,
//! `load_data` and `now`. Their errors carry a hint after [`HINT`], which `tera_diagnostic` splits off.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Separates a function's message from its hint in the error Tera reports.
pub(super) const HINT: &str = "\nhint: ";

/// The names of the functions whose result does not follow from a template's context: a
/// theme that calls one is never reused from the render memo, nor patched by `serve`.
/// (Zola's `get_page`, `get_section` and `get_taxonomy` belong here when they are added.)
pub const OUTSIDE_CONTEXT: &[&str] = &["get_url", "load_data", "now"];

/// Whether a template's source calls one of [`OUTSIDE_CONTEXT`] (`name(`, a word of its
/// own: `my_now(` is not `now(`).
pub fn calls_outside_context(text: &str) -> bool {
    OUTSIDE_CONTEXT.iter().any(|name| {
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
