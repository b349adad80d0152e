//! Where a broken URL was written: the Markdown position of the page that wrote it, or the
//! template that rendered it (see `linkcheck::Locate`).

use crate::content::load::TemplateFile;
use crate::diagnostics::{Diagnostic, Span};
use crate::linkcheck::{self, LinkCheck};
use crate::model::Model;
use crate::render::Output;
use std::collections::BTreeMap;
use std::path::Path;

/// Tell the link check about one output file (pages are scanned).
pub fn note_links(links: &std::sync::Mutex<LinkCheck>, path: &str, o: &Output) {
    match o {
        Output::Bytes(b) if path.ends_with(".html") => {
            // Pages are UTF-8 (rendered from Strings): the lossy copy is never made.
            let scan = match std::str::from_utf8(b) {
                Ok(html) => linkcheck::scan(html),
                Err(_) => linkcheck::scan(&String::from_utf8_lossy(b)),
            };
            links
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .page(path, scan);
        }
        _ => links.lock().unwrap_or_else(|e| e.into_inner()).file(path),
    }
}

/// The link check's findings as diagnostics, placed in the Markdown or templates that wrote
/// the URLs.
pub fn link_diagnostics(
    links: &LinkCheck,
    model: &Model,
    templates: &BTreeMap<String, TemplateFile>,
    root: &Path,
) -> Vec<Diagnostic> {
    let findings = links.broken();
    if findings.is_empty() {
        return Vec::new();
    }
    let locator = Locator {
        model,
        templates,
        root,
        by_output: model
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (crate::render::output_path(&d.url_path), i))
            .collect(),
    };
    linkcheck::diagnostics(&findings, &model.base_path, &locator)
}

/// Finds where a page's URL was written (see `linkcheck::Locate`).
struct Locator<'a> {
    model: &'a Model,
    templates: &'a BTreeMap<String, TemplateFile>,
    root: &'a Path,
    by_output: std::collections::HashMap<String, usize>,
}

impl Locator<'_> {
    /// The template that renders the output `page`.
    fn template(&self, page: &str) -> String {
        if let Some(&i) = self.by_output.get(page) {
            return crate::render::template_of(&self.model.docs[i]);
        }
        match page {
            "figures/index.html" => "figures.html",
            "sources/index.html" => "sources.html",
            "404.html" => "404.html",
            p if p.matches('/').count() == 1 => "taxonomy_list.html",
            _ => "taxonomy_term.html",
        }
        .to_string()
    }
}

impl linkcheck::Locate for Locator<'_> {
    fn in_markdown(&self, page: &str, url: &str) -> Option<Span> {
        let d = &self.model.docs[*self.by_output.get(page)?];
        let r = d.rendered.refs.iter().find(|r| r.url == url)?;
        Some(Span::new(&d.file, r.line as usize, r.col as usize))
    }

    fn in_template(&self, page: &str, needle: &str) -> Span {
        let name = self.template(page);
        let bp = &self.model.base_path;
        let short = needle
            .strip_prefix(bp.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or(needle);
        // The page's template first, then the ones it may extend or include.
        let order = self
            .templates
            .get_key_value(&name)
            .into_iter()
            .chain(self.templates.iter().filter(|(n, _)| **n != name));
        for (_, t) in order {
            for n in [needle, short] {
                if let Some(i) = t.text.find(n) {
                    let (l, c) = crate::diagnostics::line_col(&t.text, i);
                    return Span::new(&t.file, l, c);
                }
            }
        }
        let file = self.templates.get(&name).map_or_else(
            || std::path::PathBuf::from(format!("templates/{name}")),
            |t| t.file.clone(),
        );
        Span::file(file)
    }

    fn headings(&self, page: &str) -> Option<Vec<String>> {
        let d = &self.model.docs[*self.by_output.get(page)?];
        Some(d.rendered.heading_ids.clone())
    }

    fn id_in_markdown(&self, page: &str, id: &str) -> Option<Span> {
        let d = &self.model.docs[*self.by_output.get(page)?];
        let text = std::fs::read_to_string(self.root.join(&d.file)).ok()?;
        // An explicit `{#id}`, a footnote `[^id]:`, or a heading whose slug it is.
        let at = text
            .find(&format!("{{#{id}}}"))
            .or_else(|| text.find(&format!("[^{id}]:")))
            .or_else(|| {
                text.match_indices('#').map(|(i, _)| i).find(|&i| {
                    (i == 0 || text.as_bytes()[i - 1] == b'\n') && {
                        let line = text[i..].lines().next().unwrap_or("");
                        slug::slugify(line.trim_start_matches('#')) == id
                    }
                })
            })?;
        let (l, c) = crate::diagnostics::line_col(&text, at);
        Some(Span::new(&d.file, l, c))
    }
}
