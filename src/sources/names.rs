//! Registries that keep names honest: the places (`content/places.yaml`), the measures
//! (`content/measures.yaml`) and the claimants (`content/claimants.yaml`) a site's figures
//! name. Each is optional: without it, names are used as written. With it, a figure's name
//! must be an entry's id, name or one of its aliases (in any case), or it is an error with
//! "did you mean"; the figure then carries the entry's id and name.

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::yaml;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The registry files, in content/.
pub const PLACES_FILE: &str = crate::content::load::NAME_FILES[0];
/// See [`PLACES_FILE`].
pub const MEASURES_FILE: &str = crate::content::load::NAME_FILES[1];
/// See [`PLACES_FILE`].
pub const CLAIMANTS_FILE: &str = crate::content::load::NAME_FILES[2];

/// A place in `content/places.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// A slug (`kazakhstan`).
    pub id: String,
    /// How pages name it (`Kazakhstan`).
    pub name: String,
    /// Other spellings that mean it (`Kazakstan`, `Qazaqstan`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The place it is part of (an id): `uralsk` is within `kazakhstan`.
    #[serde(default)]
    pub within: Option<String>,
    /// Its ISO 3166 code, for maps (`KZ`).
    #[serde(default)]
    pub iso: Option<String>,
    /// Latitude, for maps.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude, for maps.
    #[serde(default)]
    pub lon: Option<f64>,
}

impl Hash for Place {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let Place {
            id,
            name,
            aliases,
            within,
            iso,
            lat,
            lon,
        } = self;
        (id, name, aliases, within, iso).hash(h);
        (lat.map(f64::to_bits), lon.map(f64::to_bits)).hash(h);
    }
}

/// A measure in `content/measures.yaml`.
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// A slug (`entries`).
    pub id: String,
    /// How tables name it (`Entries`).
    pub label: String,
    /// Other names that mean it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The unit its figures count in (`people`): a figure in another unit is an error.
    #[serde(default)]
    pub unit: Option<String>,
    /// A running total (entries since a day): readings of one claimant from the same start
    /// are a series, and a later reading may not be smaller.
    #[serde(default)]
    pub cumulative: bool,
}

/// A claimant in `content/claimants.yaml`: who makes a claim (a ministry, an agency).
#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claimant {
    /// A slug (`kz-interior-ministry`).
    pub id: String,
    /// How tables name it (`Kazakhstan's interior ministry`).
    pub name: String,
    /// Other ways sources name it (`Interior Ministry officials in Kazakhstan`).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// What every registry entry has: an id, a name and aliases.
pub trait Entry {
    /// Its id.
    fn id(&self) -> &str;
    /// Its name.
    fn name(&self) -> &str;
    /// Its aliases.
    fn aliases(&self) -> &[String];
}

macro_rules! entry {
    ($t:ty, $name:ident) => {
        impl Entry for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn name(&self) -> &str {
                &self.$name
            }
            fn aliases(&self) -> &[String] {
                &self.aliases
            }
        }
    };
}
entry!(Place, name);
entry!(Measure, label);
entry!(Claimant, name);

/// One registry: its entries by id, and every id, name and alias (lowercased) -> the id.
#[derive(Debug, Clone)]
pub struct Names<T> {
    /// The entries, by id.
    pub entries: BTreeMap<String, T>,
    /// Lowercased id, name or alias -> id.
    lookup: HashMap<String, String>,
    /// Its file, for hints.
    pub file: PathBuf,
}

impl<T: Hash> Hash for Names<T> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.entries.hash(h);
    }
}

/// The key a written name is looked up by: lowercased, whitespace collapsed, curly
/// apostrophes straight.
fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('’', "'")
        .to_lowercase()
}

impl<T: Entry + for<'de> Deserialize<'de>> Names<T> {
    /// Parse a registry file's `text` (`file` names it in diagnostics): a list of entries,
    /// slug ids, no id, name or alias twice.
    pub fn parse(text: &str, file: &Path, diags: &mut Vec<Diagnostic>) -> Names<T> {
        let mut names = Names {
            entries: BTreeMap::new(),
            lookup: HashMap::new(),
            file: file.to_path_buf(),
        };
        let list: Vec<T> = if text.trim().is_empty() {
            Vec::new()
        } else {
            match yaml::parse(text, file, 1) {
                Ok(l) => l,
                Err(e) => {
                    diags.push(e);
                    return names;
                }
            }
        };
        let positions = std::cell::OnceCell::new();
        let at = |path: String| {
            positions
                .get_or_init(|| yaml::Positions::of(text))
                .span(file, 1, &path, false)
        };
        // Where each key was first given, for "also at".
        let mut first: HashMap<String, String> = HashMap::new();
        for (i, e) in list.into_iter().enumerate() {
            if !super::is_valid_id(e.id()) {
                diags.push(
                    Diagnostic::error(
                        at(format!("[{i}].id")),
                        format!("id `{}` is not a slug", e.id()),
                    )
                    .with_hint(format!(
                        "use lowercase letters, digits and '-', e.g. `{}`",
                        slug::slugify(e.id())
                    )),
                );
            }
            if e.name().trim().is_empty() {
                diags.push(
                    Diagnostic::error(
                        at(format!("[{i}]")),
                        format!("`{}` has an empty name", e.id()),
                    )
                    .with_hint("give it the name pages use"),
                );
            }
            let keys = std::iter::once((e.id(), format!("[{i}].id")))
                .chain(std::iter::once((e.name(), format!("[{i}]"))))
                .chain(
                    e.aliases()
                        .iter()
                        .enumerate()
                        .map(|(j, a)| (a.as_str(), format!("[{i}].aliases[{j}]"))),
                );
            for (k, path) in keys {
                let k = key(k);
                match names.lookup.get(&k) {
                    Some(other) if other == e.id() => {}
                    Some(other) => diags.push(
                        Diagnostic::error(
                            at(path),
                            format!("`{k}` names both `{other}` and `{}`", e.id()),
                        )
                        .with_hint(format!(
                            "a name or alias means one entry (`{other}` has it at line {})",
                            at(first[&k].clone()).line
                        )),
                    ),
                    None => {
                        names.lookup.insert(k.clone(), e.id().to_string());
                        first.insert(k, path);
                    }
                }
            }
            if names.entries.contains_key(e.id()) {
                diags.push(
                    Diagnostic::error(
                        at(format!("[{i}].id")),
                        format!("duplicate id `{}`", e.id()),
                    )
                    .with_hint("each entry has its own id"),
                );
                continue;
            }
            names.entries.insert(e.id().to_string(), e);
        }
        names
    }
}

impl<T: Entry> Names<T> {
    /// The entry a written name (id, name or alias, in any case) means.
    pub fn get(&self, written: &str) -> Option<&T> {
        self.lookup
            .get(&key(written))
            .and_then(|id| self.entries.get(id))
    }

    /// The error for a name that is not in the registry, at `span`; `what` is "place". The
    /// suggestion is the name of the entry whose id, name or alias is closest.
    pub fn unknown(&self, written: &str, what: &str, span: Span) -> Diagnostic {
        let mut by_candidate: BTreeMap<&str, &str> = BTreeMap::new();
        for e in self.entries.values() {
            by_candidate.insert(e.id(), e.name());
            by_candidate.insert(e.name(), e.name());
            for a in e.aliases() {
                by_candidate.insert(a, e.name());
            }
        }
        let hint = match did_you_mean(written, by_candidate.keys().copied()) {
            Some(s) => format!(
                "did you mean `{}`? {what}s are listed in {}",
                by_candidate[s.as_str()],
                self.file.display()
            ),
            None => format!(
                "add it to {} (or write one of its names or aliases)",
                self.file.display()
            ),
        };
        Diagnostic::error(span, format!("unknown {what} `{written}`")).with_hint(hint)
    }
}

/// The three registries a site may have.
#[derive(Debug, Clone, Default, Hash)]
pub struct Vocabulary {
    /// content/places.yaml.
    pub places: Option<Names<Place>>,
    /// content/measures.yaml.
    pub measures: Option<Names<Measure>>,
    /// content/claimants.yaml.
    pub claimants: Option<Names<Claimant>>,
}

impl Vocabulary {
    /// The registries among `files` (content file name -> text), checked: a place's
    /// `within` is another place, and no place is within itself.
    pub fn parse(files: &BTreeMap<String, String>, diags: &mut Vec<Diagnostic>) -> Vocabulary {
        let path = |f: &str| PathBuf::from(format!("content/{f}"));
        let mut v = Vocabulary {
            places: files
                .get(PLACES_FILE)
                .map(|t| Names::parse(t, &path(PLACES_FILE), diags)),
            measures: files
                .get(MEASURES_FILE)
                .map(|t| Names::parse(t, &path(MEASURES_FILE), diags)),
            claimants: files
                .get(CLAIMANTS_FILE)
                .map(|t| Names::parse(t, &path(CLAIMANTS_FILE), diags)),
        };
        if let Some(places) = &mut v.places {
            let text = &files[PLACES_FILE];
            let at = |id: &str| {
                let i = yaml_index(text, id);
                yaml::span_of(&places.file, text, 1, &format!("[{i}].within"), false)
            };
            let mut bad = Vec::new();
            for p in places.entries.values() {
                let Some(parent) = &p.within else { continue };
                if !places.entries.contains_key(parent) {
                    let d = places.unknown(parent, "place", at(&p.id));
                    diags.push(d.with_hint(format!(
                        "`within:` is the id of another place{}",
                        match did_you_mean(parent, places.entries.keys().map(String::as_str)) {
                            Some(s) => format!(": did you mean `{s}`?"),
                            None => String::new(),
                        }
                    )));
                    bad.push(p.id.clone());
                    continue;
                }
                // Walk up: a cycle comes back to this place.
                let mut seen = vec![p.id.as_str()];
                let mut up = Some(parent.as_str());
                while let Some(u) = up {
                    if seen.contains(&u) {
                        diags.push(
                            Diagnostic::error(
                                at(&p.id),
                                format!(
                                    "place `{}` is within itself ({} -> {u})",
                                    p.id,
                                    seen.join(" -> ")
                                ),
                            )
                            .with_hint(
                                "a place is within a larger one; remove one `within:` of the loop",
                            ),
                        );
                        bad.push(p.id.clone());
                        break;
                    }
                    seen.push(u);
                    up = places.entries.get(u).and_then(|x| x.within.as_deref());
                }
            }
            for (name, value, lo, hi) in places
                .entries
                .values()
                .flat_map(|p| {
                    [("lat", p.lat, -90.0, 90.0), ("lon", p.lon, -180.0, 180.0)]
                        .map(|(n, v, lo, hi)| (p, n, v, lo, hi))
                })
                .filter_map(|(p, n, v, lo, hi)| {
                    v.filter(|x| !(lo..=hi).contains(x))
                        .map(|x| ((p.id.clone(), n), x, lo, hi))
                })
                .collect::<Vec<_>>()
            {
                let i = yaml_index(text, &name.0);
                diags.push(
                    Diagnostic::error(
                        yaml::span_of(&places.file, text, 1, &format!("[{i}].{}", name.1), false),
                        format!("place `{}`: {} {value} is out of range", name.0, name.1),
                    )
                    .with_hint(format!("{} is between {lo} and {hi} degrees", name.1)),
                );
            }
            // A broken `within` is reported once and then left out of the nesting.
            for id in bad {
                if let Some(p) = places.entries.get_mut(&id) {
                    p.within = None;
                }
            }
        }
        v
    }

    /// The ids of the places `id` is within, nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<&str> {
        let Some(places) = &self.places else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut up = places.entries.get(id).and_then(|p| p.within.as_deref());
        while let Some(u) = up {
            if out.contains(&u) {
                break;
            }
            out.push(u);
            up = places.entries.get(u).and_then(|p| p.within.as_deref());
        }
        out
    }
}

/// The index of the entry with id `id` in a registry file's list (for its position).
fn yaml_index(text: &str, id: &str) -> usize {
    let list: Vec<serde_json::Value> = serde_yaml::from_str(text).unwrap_or_default();
    list.iter()
        .position(|e| e.get("id").and_then(|v| v.as_str()) == Some(id))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(places: &str) -> (Vocabulary, Vec<Diagnostic>) {
        let mut files = BTreeMap::new();
        files.insert(PLACES_FILE.to_string(), places.to_string());
        let mut d = Vec::new();
        (Vocabulary::parse(&files, &mut d), d)
    }

    #[test]
    fn names_ids_and_aliases_in_any_case() {
        let (v, d) = vocab(
            "- {id: kazakhstan, name: Kazakhstan, aliases: [Kazakstan], iso: KZ}\n- {id: uralsk, name: Uralsk, aliases: [Oral], within: kazakhstan}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let p = v.places.as_ref().unwrap();
        assert_eq!(p.get("KAZAKSTAN").unwrap().id, "kazakhstan");
        assert_eq!(p.get(" oral ").unwrap().name, "Uralsk");
        assert!(p.get("Almaty").is_none());
        assert_eq!(v.ancestors("uralsk"), vec!["kazakhstan"]);
        let err = p.unknown("Kazakhstn", "place", Span::file("p.md"));
        assert!(err.hint.unwrap().contains("did you mean `Kazakhstan`"));
    }

    #[test]
    fn a_name_means_one_place_and_nesting_has_no_loops() {
        let (_, d) = vocab("- {id: a, name: A}\n- {id: b, name: B, aliases: [a]}\n");
        assert!(
            d.iter()
                .any(|d| d.message.contains("`a` names both `a` and `b`")),
            "{d:?}"
        );
        let (v, d) = vocab("- {id: a, name: A, within: b}\n- {id: b, name: B, within: a}\n");
        assert!(
            d.iter().any(|d| d.message.contains("within itself")),
            "{d:?}"
        );
        assert!(v.ancestors("a").len() <= 1);
        let (_, d) = vocab("- {id: a, name: A, within: bb}\n");
        assert!(
            d.iter().any(|d| d.message.contains("unknown place `bb`")),
            "{d:?}"
        );
        let (_, d) = vocab("- {id: a, name: A, lat: 91}\n");
        assert!(
            d.iter()
                .any(|d| d.message.contains("lat 91 is out of range") && d.span.line == 1),
            "{d:?}"
        );
    }
}
