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

/// One article: from `content/sources.yaml`, or imported from a bibliography that
/// site.yaml's `sources:` lists (and completed by sources.yaml).
#[derive(Debug, Clone, Hash)]
pub struct Source {
    /// A stable slug (`ap-2022-09-27`), or an imported entry's citation key.
    pub id: SourceId,
    /// The article's title.
    pub title: String,
    /// Who published it.
    pub publisher: String,
    /// Its authors.
    pub authors: Vec<String>,
    /// When.
    pub published: Date,
    /// The article's address.
    pub url: Option<String>,
    /// When it was read.
    pub accessed: Option<Date>,
    /// Its language.
    pub language: Option<String>,
    /// Its archived text (a path).
    pub archive: Option<String>,
    /// A public archived copy of the article (the Wayback Machine's, archive.today's), shown
    /// to readers beside the original and suggested when the original is dead.
    pub archive_url: Option<String>,
    /// A note for readers.
    pub note: Option<String>,
    /// The source whose text this one republishes (a wire copy, a syndicated article): its
    /// figures repeat that source's, never corroborate them.
    pub republishes: Option<SourceId>,
    /// A short name for the publisher (`AP`), for tables and the figure filter.
    pub short: Option<String>,
    /// Its place in sources.yaml's list (its YAML path is `[index]`), when it is there.
    pub index: Option<usize>,
    /// The bibliography it was imported from, its entry there (all its fields, for citation
    /// styles and the exports) and where that entry is.
    pub imported: Option<Imported>,
    /// The archived text, normalised, when one was found.
    pub archive_text: Option<String>,
    /// The archived text as written (for the excerpts that show a quote in its sentence).
    pub archive_raw: Option<String>,
}

/// Where an imported source came from.
#[derive(Debug, Clone, Hash)]
pub struct Imported {
    /// The file, as site.yaml's `sources:` names it.
    pub file: String,
    /// The entry as the file has it.
    pub entry: hayagriva::Entry,
    /// Where the entry is in the file.
    pub span: Span,
}

/// A source's fields as written: an entry of sources.yaml (every field but `id` may be
/// left to an imported entry of that id), or an imported entry's fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// The id (a citation key for an imported entry).
    pub id: SourceId,
    /// The title.
    #[serde(default)]
    pub title: Option<String>,
    /// Who published it.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Its authors.
    #[serde(default)]
    pub authors: Option<Vec<String>>,
    /// When.
    #[serde(default)]
    pub published: Option<Date>,
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
    /// A public archived copy.
    #[serde(default)]
    pub archive_url: Option<String>,
    /// A note for readers.
    #[serde(default)]
    pub note: Option<String>,
    /// The source whose text this one republishes.
    #[serde(default)]
    pub republishes: Option<SourceId>,
    /// A short name for the publisher.
    #[serde(default)]
    pub short: Option<String>,
    /// An imported entry's date when it is coarser than a day (`2022`, `2022-09`).
    #[serde(skip)]
    pub coarse_date: Option<String>,
}

impl Fields {
    /// The names of the fields that are given, in the order sources.yaml documents them.
    fn given(&self) -> Vec<&'static str> {
        let f = self;
        [
            ("title", f.title.is_some()),
            ("publisher", f.publisher.is_some()),
            ("authors", f.authors.is_some()),
            ("published", f.published.is_some()),
            ("url", f.url.is_some()),
            ("accessed", f.accessed.is_some()),
            ("language", f.language.is_some()),
            ("archive", f.archive.is_some()),
            ("archive_url", f.archive_url.is_some()),
            ("note", f.note.is_some()),
            ("republishes", f.republishes.is_some()),
            ("short", f.short.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }

    /// `self` with the fields `other` gives and `self` lacks.
    fn fill_from(&mut self, other: Fields) {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = other.$f; } )* };
        }
        fill!(
            title,
            publisher,
            authors,
            published,
            url,
            accessed,
            language,
            archive,
            archive_url,
            note,
            republishes,
            short,
            coarse_date
        );
    }
}

/// One bibliography's entries, as `import` read them.
#[derive(Debug, Clone)]
pub struct ImportedFile {
    /// The file, as site.yaml's `sources:` names it.
    pub file: String,
    /// Its entries, in file order: their fields and where each came from.
    pub entries: Vec<(Fields, Imported)>,
    /// The file did not parse: its error is reported once, not again at every citation.
    pub unreadable: bool,
    /// Keys of entries left out for a mistake (reported at the entry).
    pub failed: Vec<String>,
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
    /// Ids that are not slugs, and sources left out for a mistake: reported once at the
    /// source; citations of them (or of their slug) are not reported again.
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

/// Whether `key` can be an imported entry's id: a citation key as BibTeX tools make them
/// (`megrelidze_over_2022`, `Megrelidze2022`, `megrelidze:2022`): ASCII letters and digits,
/// `-`, `_`, `.`, `:`, starting with a letter or digit. Mixed case is kept so that a
/// bibliography's keys are cited as the researcher's other tools cite them.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        && key.as_bytes()[0].is_ascii_alphanumeric()
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

/// The fields dossier adds to an imported entry in sources.yaml (everything else comes
/// from the bibliography).
const OWN_FIELDS: &str = "archive, archive_url, republishes, short, note";

impl Registry {
    /// Parse and validate content/sources.yaml alone (see [`Registry::build`]).
    pub fn parse(
        text: &str,
        file: &Path,
        archives: &Archives,
        diags: &mut Vec<Diagnostic>,
    ) -> Registry {
        Registry::build(Some(text), file, Vec::new(), archives, diags)
    }

    /// The registry of sources.yaml's entries (`yaml`, the text of `file`) and the imported
    /// ones; an entry of sources.yaml with an imported entry's id adds to it. `archive`
    /// paths are looked up relative to the site folder, then inside the archive folder (by
    /// the listed name, then as `<id>.txt`).
    pub fn build(
        yaml: Option<&str>,
        file: &Path,
        imports: Vec<ImportedFile>,
        archives: &Archives,
        diags: &mut Vec<Diagnostic>,
    ) -> Registry {
        let mut registry = Registry {
            file: file.to_path_buf(),
            ..Default::default()
        };
        let text = yaml.unwrap_or("");
        let list: Vec<Fields> = if text.trim().is_empty() {
            Vec::new()
        } else {
            match yaml::parse(text, file, 1) {
                Ok(l) => l,
                Err(e) => {
                    diags.push(e);
                    registry.unreadable = true;
                    Vec::new()
                }
            }
        };
        let at = YamlAt {
            text,
            file,
            positions: std::cell::OnceCell::new(),
        };
        for f in &imports {
            registry.unreadable |= f.unreadable;
            registry.invalid_ids.extend(f.failed.iter().cloned());
        }
        for m in merge(list, imports, &at, diags) {
            if let Some(s) = registry.source_of(m, &at, archives, diags) {
                registry.sources.insert(s.id.clone(), s);
            }
        }
        let at = |path: String| at.span(&path);
        // What a source republishes must be another source of the registry.
        for s in registry.sources.values() {
            if let Some(r) = &s.republishes {
                let at = match s.index {
                    Some(i) => at(format!("[{i}].republishes")),
                    None => Span::file(file),
                };
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

    /// One merged entry as a source, checked; none when it lacks what a source needs.
    fn source_of(
        &mut self,
        m: Merged,
        at: &YamlAt,
        archives: &Archives,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Source> {
        let Merged {
            fields: f,
            index,
            origin,
            in_yaml,
        } = m;
        let file = at.file;
        let at = |path: String| at.span(&path);
        // A key given in sources.yaml is placed there; anything else at the imported entry.
        let origin_span = origin.as_ref().map(|o| o.span.clone());
        let place = |key: &str| -> Span {
            match (index, &origin_span) {
                (Some(i), o) if in_yaml.contains(&key) || key == "id" && o.is_none() => {
                    at(format!("[{i}].{key}"))
                }
                (_, Some(o)) => o.clone(),
                (Some(i), None) => at(format!("[{i}]")),
                (None, None) => Span::file(file),
            }
        };
        let id = f.id.clone();
        let valid = if origin.is_some() {
            is_valid_key(&id)
        } else {
            is_valid_id(&id)
        };
        if !valid {
            diags.push(invalid_id(&id, origin.is_some(), place("id")));
            self.invalid_ids.push(id.to_string());
        }
        let missing = missing_fields(&f, index, origin.as_ref(), &place, &at);
        if !missing.is_empty() {
            diags.extend(missing);
            // Left out: citations of it are not reported again.
            self.invalid_ids.push(id.to_string());
            return None;
        }
        let mut s = Source {
            id: f.id,
            title: f.title.unwrap_or_default(),
            publisher: f.publisher.unwrap_or_default(),
            authors: f.authors.unwrap_or_default(),
            published: f.published.expect("checked above"),
            url: f.url,
            accessed: f.accessed,
            language: f.language,
            archive: f.archive,
            archive_url: f.archive_url,
            note: f.note,
            republishes: f.republishes,
            short: f.short,
            index,
            imported: origin,
            archive_text: None,
            archive_raw: None,
        };
        for (key, url) in [("url", &s.url), ("archive_url", &s.archive_url)] {
            if let Some(url) = url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                diags.push(
                    Diagnostic::error(
                        place(key),
                        format!(
                            "source `{}` has {} that is not http(s): `{url}`",
                            s.id,
                            if key == "url" {
                                "a url"
                            } else {
                                "an archive_url"
                            }
                        ),
                    )
                    .with_hint("write the full address, starting with https://"),
                );
            }
        }
        for (name, value) in [("title", &s.title), ("publisher", &s.publisher)] {
            if value.trim().is_empty() {
                diags.push(
                    Diagnostic::error(
                        place(name),
                        format!("source `{}` has an empty `{name}`", s.id),
                    )
                    .with_hint(format!("give the source's {name}")),
                );
            }
        }
        match find_archive(&s, archives) {
            Ok(Some(path)) => match super::archives::text_of(&path, s.url.as_deref()) {
                Ok(text) => {
                    s.archive_text = Some(normalise(&text));
                    s.archive_raw = Some(text);
                }
                Err(e) => diags.push(
                    Diagnostic::error(
                        place("archive"),
                        format!("cannot read archive {}: {}", path.display(), e.message),
                    )
                    .with_hint(e.hint),
                ),
            },
            Ok(None) => {}
            Err(missing) => diags.push(missing.with_span(place("archive"))),
        }
        if let Some(prev) = self.sources.get(&s.id) {
            // Only an imported key that sources.yaml also has under another spelling
            // gets here; sources.yaml's own duplicates were reported above.
            let first = prev
                .imported
                .as_ref()
                .map(|o| o.span.clone())
                .unwrap_or_else(|| at(format!("[{}].id", prev.index.unwrap_or(0))));
            diags.push(
                Diagnostic::error(place("id"), format!("duplicate source id `{}`", s.id))
                    .with_hint(format!(
                        "first defined at {}:{}",
                        first.file.display(),
                        first.line
                    )),
            );
            return None;
        }
        Some(s)
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

/// An entry of the registry before it is checked: its fields, its place in sources.yaml,
/// the imported entry it completes, and the keys sources.yaml gives.
struct Merged {
    fields: Fields,
    index: Option<usize>,
    origin: Option<Imported>,
    in_yaml: Vec<&'static str>,
}

/// Positions in sources.yaml: they cost a parse of the file, made once and only for a
/// mistake.
struct YamlAt<'a> {
    text: &'a str,
    file: &'a Path,
    positions: std::cell::OnceCell<yaml::Positions>,
}

impl YamlAt<'_> {
    fn span(&self, path: &str) -> Span {
        self.positions
            .get_or_init(|| {
                yaml::Positions::of(self.text.strip_prefix('\u{feff}').unwrap_or(self.text))
            })
            .span(self.file, 1, path, false)
    }
}

/// sources.yaml's entries, each completed by the imported entry of its id (a key both give
/// is an error), then the imported entries sources.yaml does not name, in file order.
fn merge(
    list: Vec<Fields>,
    imports: Vec<ImportedFile>,
    at: &YamlAt,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Merged> {
    let at = |path: String| at.span(&path);
    // The imported entries by id, in file order; a key in two files is an error.
    let mut imported: BTreeMap<SourceId, (Fields, Imported)> = BTreeMap::new();
    let mut order: Vec<SourceId> = Vec::new();
    for f in imports {
        for (fields, origin) in f.entries {
            if let Some((_, first)) = imported.get(&fields.id) {
                diags.push(
                    Diagnostic::error(
                        origin.span.clone(),
                        format!("duplicate source id `{}`", fields.id),
                    )
                    .with_hint(format!(
                        "first defined at {}:{}",
                        first.span.file.display(),
                        first.span.line
                    )),
                );
                continue;
            }
            order.push(fields.id.clone());
            imported.insert(fields.id.clone(), (fields, origin));
        }
    }
    // sources.yaml's entries, each completed by its imported entry; then the imported
    // entries sources.yaml does not mention.
    let mut merged: Vec<Merged> = Vec::new();
    let mut seen_yaml: BTreeMap<SourceId, usize> = BTreeMap::new();
    for (i, mut own) in list.into_iter().enumerate() {
        if let Some(&prev) = seen_yaml.get(&own.id) {
            diags.push(
                Diagnostic::error(
                    at(format!("[{i}].id")),
                    format!("duplicate source id `{}`", own.id),
                )
                .with_hint(format!(
                    "first defined at line {}",
                    at(format!("[{prev}].id")).line
                )),
            );
            continue;
        }
        seen_yaml.insert(own.id.clone(), i);
        let given = own.given();
        let origin = match imported.remove(&own.id) {
            Some((theirs, origin)) => {
                for key in theirs.given() {
                    if given.contains(&key) {
                        diags.push(
                            Diagnostic::error(
                                at(format!("[{i}].{key}")),
                                format!(
                                    "source `{}` has `{key}` both here and in {}",
                                    own.id, origin.file
                                ),
                            )
                            .with_hint(format!(
                                "keep one of them (the entry is at {}:{}:{}): sources.yaml only adds dossier's own fields ({OWN_FIELDS}) or what the entry lacks",
                                origin.span.file.display(), origin.span.line, origin.span.col
                            )),
                        );
                    }
                }
                own.fill_from(theirs);
                Some(origin)
            }
            None => None,
        };
        merged.push(Merged {
            fields: own,
            index: Some(i),
            origin,
            in_yaml: given,
        });
    }
    for id in order {
        if let Some((fields, origin)) = imported.remove(&id) {
            merged.push(Merged {
                fields,
                index: None,
                origin: Some(origin),
                in_yaml: Vec::new(),
            });
        }
    }
    merged
}

/// The error for an id that is not a slug (sources.yaml) or citation key (imported).
fn invalid_id(id: &str, imported: bool, span: Span) -> Diagnostic {
    let suggestion = slug::slugify(id);
    let hint = if suggestion.is_empty() {
        "use lowercase letters, digits and '-', e.g. `ap-2022-09-27`".to_string()
    } else if imported {
        format!(
            "citation keys are letters, digits, '-', '_', '.' and ':': `{suggestion}` (and cite it as [@{suggestion}])"
        )
    } else {
        format!(
            "use lowercase letters, digits and '-': `{suggestion}` (and cite it as [@{suggestion}])"
        )
    };
    Diagnostic::error(
        span,
        if imported {
            format!("source id `{id}` is not a citation key dossier can use")
        } else {
            format!("source id `{id}` is not a slug")
        },
    )
    .with_hint(hint)
}

/// The errors for what a source needs and its entry lacks (title, publisher, a day).
fn missing_fields(
    f: &Fields,
    index: Option<usize>,
    origin: Option<&Imported>,
    place: &dyn Fn(&str) -> Span,
    at: &dyn Fn(String) -> Span,
) -> Vec<Diagnostic> {
    let id = &f.id;
    let mut out = Vec::new();
    let from = origin
        .as_ref()
        .map(|o| format!(" (imported from {})", o.file))
        .unwrap_or_default();
    for (key, absent) in [
        ("title", f.title.is_none()),
        ("publisher", f.publisher.is_none()),
        ("published", f.published.is_none()),
    ] {
        if !absent {
            continue;
        }
        out.push(match (origin, index) {
            (None, Some(i)) => Diagnostic::error(
                at(format!("[{i}]")),
                format!("[{i}]: missing field `{key}`"),
            )
            .with_hint(format!("add `{key}:`; see README.md for the required keys")),
            _ if key == "published" && f.coarse_date.is_some() => Diagnostic::error(
                place(key),
                format!(
                    "source `{id}`{from} is dated `{}`, not to the day",
                    f.coarse_date.as_deref().unwrap_or_default()
                ),
            )
            .with_hint(format!(
                "dossier dates every source to the day: give the entry its full date, or add `published: YYYY-MM-DD` for `{id}` in content/{SOURCES_FILE}"
            )),
            _ => Diagnostic::error(
                place(key),
                format!("source `{id}`{from} has no {}", if key == "published" { "date" } else { key }),
            )
            .with_hint(format!(
                "give the entry its {}, or add `{key}:` for `{id}` in content/{SOURCES_FILE}",
                if key == "publisher" { "publisher (or the newspaper, journal or site it appeared in)" } else if key == "published" { "date" } else { key }
            )),
        });
    }
    out
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
