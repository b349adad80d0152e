//! The taxonomies: the built-in `places` and `tags` and those of site.yaml's `taxonomies:`,
//! their terms and the documents of each term.

use crate::config::{BUILTIN_TAXONOMIES, Config};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::Document;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A taxonomy, as the build uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    /// As front matter names it (`tags`, `authors`).
    pub name: String,
    /// Its URL segment: `/<slug>/`, `/<slug>/<term>/`.
    pub slug: String,
    /// The title of its pages (`Tags`).
    pub title: String,
    /// An Atom feed per term.
    pub feed: bool,
    /// Pages per pager of a term's list (0: not paginated).
    pub paginate_by: usize,
}

impl Taxonomy {
    /// The URL path of its list (`/tags/`).
    pub fn list_path(&self) -> String {
        format!("/{}/", self.slug)
    }

    /// The URL path of a term's page, by the term's slug (`/tags/borders/`).
    pub fn term_path(&self, term_slug: &str) -> String {
        format!("/{}/{term_slug}/", self.slug)
    }

    /// Whether it is `places` (whose terms also gather figures).
    pub fn is_places(&self) -> bool {
        self.name == "places"
    }

    /// The noun of one of its terms in diagnostics (`tag`, `place`, `term of authors`).
    pub fn noun(&self) -> String {
        match self.name.as_str() {
            "places" => "place".into(),
            "tags" => "tag".into(),
            n => format!("term of `{n}`"),
        }
    }

    /// The plural of `noun` (`tags`, `terms of authors`).
    pub fn nouns(&self) -> String {
        match self.name.as_str() {
            "places" | "tags" => self.name.clone(),
            n => format!("terms of `{n}`"),
        }
    }

    /// The YAML path of a document's list of its terms (`tags`, `taxonomies.authors`).
    pub fn yaml_path(&self) -> String {
        if BUILTIN_TAXONOMIES.iter().any(|(n, _)| *n == self.name) {
            self.name.clone()
        } else {
            format!("taxonomies.{}", self.name)
        }
    }

    /// The names of `d`'s terms in this taxonomy, as written.
    pub fn names_of<'d>(&self, d: &'d Document) -> &'d [String] {
        match self.name.as_str() {
            "places" => &d.fm.places,
            "tags" => &d.fm.tags,
            n => d.fm.taxonomies.get(n).map_or(&[], Vec::as_slice),
        }
    }
}

/// The site's taxonomies: places, tags, then site.yaml's others in its order.
pub fn of(config: &Config) -> Vec<Taxonomy> {
    let entry = |name: &str| config.taxonomies.iter().find(|t| t.name == name);
    let mut out: Vec<Taxonomy> = BUILTIN_TAXONOMIES
        .iter()
        .map(|(name, title)| {
            let e = entry(name);
            Taxonomy {
                name: name.to_string(),
                slug: name.to_string(),
                title: e
                    .and_then(|e| e.title.clone())
                    .unwrap_or_else(|| title.to_string()),
                feed: e.is_some_and(|e| e.feed),
                paginate_by: e.and_then(|e| e.paginate_by).unwrap_or(config.paginate_by),
            }
        })
        .collect();
    for t in &config.taxonomies {
        if BUILTIN_TAXONOMIES.iter().any(|(n, _)| *n == t.name) {
            continue;
        }
        out.push(Taxonomy {
            name: t.name.clone(),
            slug: slug::slugify(t.slug.as_deref().unwrap_or(&t.name)),
            title: t.title.clone().unwrap_or_else(|| capitalised(&t.name)),
            feed: t.feed,
            paginate_by: t.paginate_by.unwrap_or(config.paginate_by),
        });
    }
    out
}

fn capitalised(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Every document's `taxonomies:` names a taxonomy of site.yaml (the built-ins are
/// top-level keys).
pub(super) fn check_names(docs: &[Document], taxonomies: &[Taxonomy], diags: &mut Vec<Diagnostic>) {
    let custom: Vec<&str> = taxonomies
        .iter()
        .filter(|t| !BUILTIN_TAXONOMIES.iter().any(|(n, _)| *n == t.name))
        .map(|t| t.name.as_str())
        .collect();
    for d in docs {
        for name in d.fm.taxonomies.keys() {
            if custom.contains(&name.as_str()) {
                continue;
            }
            let span = crate::yaml::span_of(
                &d.file,
                &d.yaml,
                d.yaml_line,
                &format!("taxonomies.{name}"),
                true,
            );
            let hint = if BUILTIN_TAXONOMIES.iter().any(|(n, _)| *n == name) {
                format!("`{name}` is a key of its own: write `{name}: [...]` outside `taxonomies:`")
            } else if let Some(close) = did_you_mean(name, custom.iter().copied()) {
                format!("did you mean `{close}`?")
            } else if custom.is_empty() {
                format!("declare it in site.yaml: `taxonomies: [{{name: {name}}}]`")
            } else {
                format!(
                    "site.yaml declares {}; declare `{name}` there too",
                    custom
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            diags.push(
                Diagnostic::error(span, format!("unknown taxonomy `{name}`")).with_hint(hint),
            );
        }
    }
}

/// A term's documents: its first name as written, and the documents that name it, in
/// `docs`' order.
pub type TermDocs<'m> = (String, Vec<&'m Document>);

/// The terms of `t` (or only those whose slug is in `only`): slug -> (first name,
/// documents). Places named only by figures are not here (see `Renderer::term_groups`).
pub fn terms_of<'m>(
    docs: &'m [Document],
    t: &Taxonomy,
    only: Option<&HashSet<String>>,
) -> BTreeMap<String, TermDocs<'m>> {
    let mut terms: BTreeMap<String, TermDocs<'m>> = BTreeMap::new();
    // Names repeat across pages: slugify each once.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for d in docs {
        for n in t.names_of(d) {
            let s = slugs
                .entry(n)
                .or_insert_with(|| super::outputs::term_slug(n));
            if only.is_some_and(|o| !o.contains(s.as_str())) {
                continue;
            }
            let e = terms
                .entry(s.clone())
                .or_insert_with(|| (n.clone(), vec![]));
            // Documents come in order: a repeat (two names, one slug) can only be the last.
            if e.1.last().is_none_or(|x| x.path != d.path) {
                e.1.push(d);
            }
        }
    }
    terms
}

/// `paginate_by` and `feed` are keys of a section's `_index.md`: on a page they are a
/// warning (they would do nothing).
pub(super) fn check_section_keys(docs: &[Document], diags: &mut Vec<Diagnostic>) {
    for d in docs.iter().filter(|d| !d.is_section()) {
        for (key, set) in [
            ("paginate_by", d.fm.paginate_by.is_some()),
            ("feed", d.fm.feed),
        ] {
            if set {
                diags.push(
                    Diagnostic::warning(
                        crate::yaml::span_of(&d.file, &d.yaml, d.yaml_line, key, true),
                        format!("`{key}` does nothing on a page"),
                    )
                    .with_hint("it is a key of a section's `_index.md`; remove it here"),
                );
            }
        }
    }
}
