//! Heading ids and the table of contents: explicit `{#id}`s are reserved first, then
//! generated slugs made unique, never taking an id the theme uses.

use crate::diagnostics::{Diagnostic, Span};
use pulldown_cmark::{Event, Tag, TagEnd};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// Heading ids that a page's generated ids avoid: the theme's own (`main`, `references`)
/// and the prefixes of the ids dossier and the theme generate (`ref-`, `fig-`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReservedIds {
    /// Ids a heading must not take.
    pub exact: std::collections::BTreeSet<String>,
    /// Prefixes of ids the theme generates (`ref-`).
    pub prefixes: Vec<String>,
}

impl ReservedIds {
    fn taken(&self, id: &str) -> bool {
        self.exact.contains(id)
    }

    fn prefixed(&self, id: &str) -> bool {
        self.prefixes.iter().any(|p| id.starts_with(p.as_str()))
    }
}

/// One heading of a page's table of contents, with those below it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    /// Its level (1 for `#`).
    pub level: u32,
    /// Its id.
    pub id: String,
    /// Its text.
    pub title: String,
    /// The headings below it.
    pub children: Vec<TocEntry>,
}

/// The ids of a page's headings (by the index of their start event) and its table of
/// contents as a flat list of (level, id, title).
pub(super) struct Headings {
    pub ids: BTreeMap<usize, String>,
    pub flat: Vec<(u32, String, String)>,
}

/// Give every heading of `events` its id.
pub(super) fn assign(
    events: &[(Event, Range<usize>)],
    reserved: Option<&ReservedIds>,
    span_at: &dyn Fn(usize) -> Span,
    diags: &mut Vec<Diagnostic>,
) -> Headings {
    let mut used: HashSet<String> = HashSet::new();
    let mut heading_ranges = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, level, .. }) = &events[i].0 {
            let start = i;
            let mut title = String::new();
            i += 1;
            while !matches!(events[i].0, Event::End(TagEnd::Heading(_))) {
                match &events[i].0 {
                    Event::Text(t) | Event::Code(t) => {
                        title.push_str(&super::tokens::strip_placeholders(t))
                    }
                    _ => {}
                }
                i += 1;
            }
            if let Some(id) = id
                && !used.insert(id.to_string())
            {
                diags.push(
                    Diagnostic::error(
                        span_at(events[start].1.start),
                        format!("duplicate heading id `{id}`"),
                    )
                    .with_hint("heading ids must be unique within a page"),
                );
            }
            heading_ranges.push((
                start,
                id.as_ref().map(|s| s.to_string()),
                title.trim().to_string(),
                *level,
            ));
        }
        i += 1;
    }
    let mut ids: BTreeMap<usize, String> = BTreeMap::new();
    let mut flat = Vec::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for (start, explicit, title, level) in heading_ranges {
        let id = match explicit {
            Some(id) => id,
            None => {
                let mut base = match slug::slugify(&title) {
                    s if s.is_empty() => "section".to_string(),
                    s => s,
                };
                // The theme's ids (`references`, `ref-1`) stay unique: a heading that would
                // take one gets a suffix, or a prefix where the theme generates a family.
                if let Some(r) = reserved {
                    if r.prefixed(&base) {
                        base = format!("h-{base}");
                    }
                    if r.taken(&base) {
                        used.insert(base.clone());
                    }
                }
                // Suffixes below the last one given for this base are all taken (`used`
                // only grows), so start there: counting from 1 each time is quadratic.
                let mut id = base.clone();
                let mut n = next_suffix.get(&base).copied().unwrap_or(1);
                while used.contains(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                next_suffix.insert(base, n);
                used.insert(id.clone());
                id
            }
        };
        ids.insert(start, id.clone());
        flat.push((level as u32, id, title));
    }
    Headings { ids, flat }
}

pub(super) fn nest_toc(flat: &[(u32, String, String)]) -> Vec<TocEntry> {
    fn take(flat: &[(u32, String, String)], i: &mut usize, level: u32) -> Vec<TocEntry> {
        let mut out: Vec<TocEntry> = Vec::new();
        while *i < flat.len() {
            let (l, id, title) = &flat[*i];
            if *l < level {
                break;
            }
            if *l > level && !out.is_empty() {
                let children = take(flat, i, *l);
                out.last_mut().unwrap().children.extend(children);
                continue;
            }
            out.push(TocEntry {
                level: *l,
                id: id.clone(),
                title: title.clone(),
                children: Vec::new(),
            });
            *i += 1;
        }
        out
    }
    let min = flat.iter().map(|f| f.0).min().unwrap_or(1);
    let mut i = 0;
    take(flat, &mut i, min)
}
