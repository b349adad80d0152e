//! The source registry (`content/sources.yaml`): each article, its archived text, and the
//! checks of its entries.

use crate::content::dates::Date;
use crate::content::ids::SourceId;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::yaml;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::quotes::normalise;

/// One article in `content/sources.yaml`.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A stable slug (`ap-2022-09-27`).
    pub id: SourceId,
    /// The article's title.
    pub title: String,
    /// Who published it.
    pub publisher: String,
    /// Its authors.
    #[serde(default)]
    pub authors: Vec<String>,
    /// When.
    pub published: Date,
    /// The article's address.
    #[serde(default)]
    pub url: Option<String>,
    /// When it was read.
    #[serde(default)]
    pub accessed: Option<Date>,
    /// Its language.
    #[serde(default)]
    pub language: Option<String>,
    /// Its archived text (a path).
    #[serde(default)]
    pub archive: Option<String>,
    /// A note for readers.
    #[serde(default)]
    pub note: Option<String>,
    /// The source whose text this one republishes (a wire copy, a syndicated article): its
    /// figures repeat that source's, never corroborate them.
    #[serde(default)]
    pub republishes: Option<SourceId>,
    /// A short name for the publisher (`AP`), for tables and the figure filter.
    #[serde(default)]
    pub short: Option<String>,
    /// Its place in sources.yaml's list (its YAML path is `[index]`), for diagnostics.
    #[serde(skip)]
    pub index: usize,
    /// The archived text, normalised, when one was found.
    #[serde(skip)]
    pub archive_text: Option<String>,
    /// The archived text as written (for the excerpts that show a quote in its sentence).
    #[serde(skip)]
    pub archive_raw: Option<String>,
}

pub use crate::content::load::SOURCES_FILE;

/// The source registry, by id.
#[derive(Debug, Clone, Default, Hash)]
pub struct Registry {
    /// Every source, by id.
    pub sources: BTreeMap<SourceId, Source>,
    /// content/sources.yaml, for diagnostics.
    pub file: PathBuf,
    /// sources.yaml did not parse: its error is reported once, not again at every citation.
    pub unreadable: bool,
    /// Ids that are not slugs: reported once at the source; citations of them (or of their
    /// slug) are not reported again.
    pub invalid_ids: Vec<String>,
}

/// Whether `id` is a slug: lowercase letters, digits, `-`, `_`, `.`, starting with a letter or digit.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

/// Where the archived article texts are.
#[derive(Debug, Clone, Default)]
pub struct Archives {
    /// The site folder: `archive:` paths are relative to it.
    pub root: PathBuf,
    /// The archive folder (`--archive-dir` or site.yaml's `archive_dir`), when it exists.
    pub dir: Option<PathBuf>,
    /// site.yaml names an archive folder that is not on this machine (a warning says so):
    /// declared archives are then not looked for, and their figures are unverified.
    pub dir_missing: bool,
}

impl Registry {
    /// Parse and validate the registry. `archive` paths are looked up relative to the site
    /// folder, then inside the archive folder (by the listed name, then as `<id>.txt`).
    pub fn parse(
        text: &str,
        file: &Path,
        archives: &Archives,
        diags: &mut Vec<Diagnostic>,
    ) -> Registry {
        let mut registry = Registry {
            file: file.to_path_buf(),
            ..Default::default()
        };
        if text.trim().is_empty() {
            return registry;
        }
        let list: Vec<Source> = match yaml::parse(text, file, 1) {
            Ok(l) => l,
            Err(e) => {
                diags.push(e);
                registry.unreadable = true;
                return registry;
            }
        };
        // Positions cost a parse of the file: made once, and only for a mistake.
        let positions = std::cell::OnceCell::new();
        let at = |path: String| {
            positions
                .get_or_init(|| yaml::Positions::of(text.strip_prefix('\u{feff}').unwrap_or(text)))
                .span(file, 1, &path, false)
        };
        for (i, mut s) in list.into_iter().enumerate() {
            s.index = i;
            let id_span = || at(format!("[{i}].id"));
            if !is_valid_id(&s.id) {
                let suggestion = slug::slugify(&s.id);
                diags.push(
                    Diagnostic::error(id_span(), format!("source id `{}` is not a slug", s.id))
                        .with_hint(if suggestion.is_empty() {
                            "use lowercase letters, digits and '-', e.g. `ap-2022-09-27`".to_string()
                        } else {
                            format!("use lowercase letters, digits and '-': `{suggestion}` (and cite it as [@{suggestion}])")
                        }),
                );
                registry.invalid_ids.push(s.id.to_string());
            }
            if let Some(url) = &s.url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                diags.push(
                    Diagnostic::error(
                        at(format!("[{i}].url")),
                        format!("source `{}` has a url that is not http(s): `{url}`", s.id),
                    )
                    .with_hint("write the full address, starting with https://"),
                );
            }
            for (name, value) in [("title", &s.title), ("publisher", &s.publisher)] {
                if value.trim().is_empty() {
                    diags.push(
                        Diagnostic::error(
                            at(format!("[{i}].{name}")),
                            format!("source `{}` has an empty `{name}`", s.id),
                        )
                        .with_hint(format!("give the source's {name}")),
                    );
                }
            }
            match find_archive(&s, archives) {
                Ok(Some(path)) => match std::fs::read(&path) {
                    Ok(bytes) => {
                        let raw = String::from_utf8_lossy(&bytes).into_owned();
                        s.archive_text = Some(normalise(&raw));
                        s.archive_raw = Some(raw);
                    }
                    Err(e) => diags.push(
                        Diagnostic::error(
                            at(format!("[{i}].archive")),
                            format!("cannot read archive {}: {e}", path.display()),
                        )
                        .with_hint("check the file's permissions"),
                    ),
                },
                Ok(None) => {}
                Err(missing) => diags.push(missing.with_span(at(format!("[{i}].archive")))),
            }
            if let Some(prev) = registry.sources.get(&s.id) {
                diags.push(
                    Diagnostic::error(id_span(), format!("duplicate source id `{}`", s.id))
                        .with_hint(format!(
                            "first defined at line {}",
                            at(format!("[{}].id", prev.index)).line
                        )),
                );
                continue;
            }
            registry.sources.insert(s.id.clone(), s);
        }
        // What a source republishes must be another source of the registry.
        for s in registry.sources.values() {
            if let Some(r) = &s.republishes {
                let at = at(format!("[{}].republishes", s.index));
                if r == &s.id {
                    diags.push(
                        Diagnostic::error(at, format!("source `{}` republishes itself", s.id))
                            .with_hint(
                                "`republishes:` names the source whose text this one carries",
                            ),
                    );
                } else if !registry.sources.contains_key(r.as_str()) {
                    diags.extend(registry.unknown(r, at));
                }
            }
        }
        registry
    }

    /// The source of that id.
    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    /// Whether `url` is a source's address (a trailing slash aside).
    pub fn by_url(&self, url: &str) -> bool {
        let url = url.trim_end_matches('/');
        url.starts_with("http")
            && self.sources.values().any(|s| {
                s.url
                    .as_deref()
                    .is_some_and(|u| u.trim_end_matches('/') == url)
            })
    }

    /// The error for a reference to an id that is not in the registry; none when the
    /// registry itself could not be read, or when the reference names (the slug of) an
    /// invalid id, whose own error says how to fix both.
    pub fn unknown(&self, id: &str, span: Span) -> Option<Diagnostic> {
        if self.unreadable
            || self
                .invalid_ids
                .iter()
                .any(|bad| bad == id || slug::slugify(bad) == id)
        {
            return None;
        }
        let hint = match did_you_mean(id, self.sources.keys().map(SourceId::as_str)) {
            Some(s) => format!("did you mean `{s}`? Sources are listed in content/{SOURCES_FILE}"),
            None if self.sources.is_empty() => {
                format!("add it to content/{SOURCES_FILE} (there are no sources yet)")
            }
            None => format!("add it to content/{SOURCES_FILE}"),
        };
        Some(Diagnostic::error(span, format!("unknown source `{id}`")).with_hint(hint))
    }
}

/// What went wrong when looking for an archive; positioned by the caller.
struct MissingArchive(String, String);

impl MissingArchive {
    fn with_span(self, span: Span) -> Diagnostic {
        Diagnostic::error(span, self.0).with_hint(self.1)
    }
}

fn find_archive(s: &Source, archives: &Archives) -> Result<Option<PathBuf>, MissingArchive> {
    let mut candidates = Vec::new();
    if let Some(a) = &s.archive {
        candidates.push(archives.root.join(a));
        if let Some(dir) = &archives.dir {
            candidates.push(dir.join(a));
        }
    }
    if let Some(dir) = &archives.dir {
        candidates.push(dir.join(format!("{}.txt", s.id)));
    }
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(Some(found.clone()));
    }
    let Some(a) = &s.archive else {
        return Ok(None);
    };
    if archives.dir_missing {
        // The archives are elsewhere; the warning about the folder says what that means.
        return Ok(None);
    }
    // A typo in `archive:` must not quietly leave the figures unverified.
    let mut near: Vec<String> = Vec::new();
    let name = Path::new(a);
    let dirs = [
        archives.root.join(name.parent().unwrap_or(Path::new(""))),
        archives.dir.clone().unwrap_or_default(),
    ];
    for (dir, prefix) in dirs.iter().zip([
        name.parent()
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_default(),
        String::new(),
    ]) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_file() {
                let f = e.file_name().to_string_lossy().to_string();
                near.push(if prefix.is_empty() {
                    f
                } else {
                    format!("{prefix}/{f}")
                });
            }
        }
    }
    let looked = match &archives.dir {
        Some(dir) => format!("looked in the site folder and in {}", dir.display()),
        None => "looked in the site folder; pass --archive-dir or set archive_dir for a folder of archives".to_string(),
    };
    let hint = match did_you_mean(a, near.iter().map(String::as_str)) {
        Some(s) => format!(
            "did you mean `{s}`? {}{}",
            looked[..1].to_uppercase(),
            &looked[1..]
        ),
        None => looked,
    };
    Err(MissingArchive(
        format!("archive `{a}` of source `{}` not found", s.id),
        hint,
    ))
}
