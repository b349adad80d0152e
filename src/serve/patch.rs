//! The fast path of `dossier serve` for the commonest change: one page's text edited below
//! its front matter. Instead of rebuilding the model and every template context, the
//! previous build is patched: the page's Markdown is rendered again in the previous model's
//! environment (nothing a page's Markdown sees depends on another page's body), and exactly
//! the outputs that show the body are rendered again, by the renderer a build uses:
//!
//! | output                                   | when                                         |
//! |------------------------------------------|----------------------------------------------|
//! | the page                                 | always                                       |
//! | its section, its tag and place pages     | its word count changed (lists show it)       |
//! | `search-index.json`                      | its text changed (its entry is spliced in)   |
//! | `atom.xml`                               | it is one of the feed's entries              |
//! | `/sources/`, `sources.json`              | the set of sources it cites changed          |
//!
//! Anchors are checked as a build checks them: the page's own links, and, when its headings
//! changed, every link to it. Errors fail the build as a full build would fail (same
//! diagnostics, same order) and leave the previous site served. Anything else (a new,
//! deleted or renamed page, front matter, sources, templates, `--relative`, several files)
//! goes through `Rebuilder`'s memo path, which rebuilds the model.

use crate::cache::BuildCache;
use crate::content::frontmatter;
use crate::content::load::Inputs;
use crate::diagnostics::Diagnostic;
use crate::linkcheck::{self, LinkCheck};
use crate::model::Model;
use crate::render::{Bytes, Output, Renderer, output_path, word_count};
use crate::site::Site;
use crate::site::link_diagnostics;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// The previous build, kept to be patched.
pub struct Patcher {
    model: Model,
    /// The link check of the last build, kept up to date with each patched file.
    links: LinkCheck,
    live_reload: bool,
    /// `model.warnings` is `pre_warnings` followed by each document's Markdown warnings.
    pre_warnings: Vec<Diagnostic>,
    md_warnings: Vec<Vec<Diagnostic>>,
    /// Made at the first patch, so that rebuilds that never patch do not pay for them.
    lookups: Option<Lookups>,
    /// The search index of the site before the last: once nothing else holds it, its
    /// memory takes the next one (tens of MB at 10k pages, slow to allocate afresh).
    spare: Option<Bytes>,
    /// A page whose last patch failed: the model still holds its previous body, so only
    /// that page may be patched next.
    pending: Option<String>,
}

/// What a patch needs to know of every document (by index in `model.docs`).
struct Lookups {
    words: Vec<usize>,
    /// Length of each entry of `search-index.json`.
    search_lens: Vec<usize>,
    /// Whether each document is an entry of `atom.xml`.
    in_feed: Vec<bool>,
}

impl Lookups {
    fn new(model: &Model, live_reload: bool, site: &Site) -> Option<Lookups> {
        let r = Renderer::new(model, live_reload);
        let search_lens: Vec<usize> = model
            .docs
            .par_iter()
            .map(|d| r.search_entry_json(d).len())
            .collect();
        let mut in_feed = vec![false; model.docs.len()];
        for d in r.feed_docs() {
            in_feed[model.by_path[&d.path]] = true;
        }
        // The entries, joined by ',' between '[' and ']', must be the file.
        let expected = 2 + search_lens.iter().sum::<usize>() + search_lens.len().saturating_sub(1);
        match site.files.get("search-index.json") {
            Some(Output::Bytes(b)) if b.len() == expected => {}
            _ => return None,
        }
        Some(Lookups {
            words: r.words().to_vec(),
            search_lens,
            in_feed,
        })
    }
}

/// What a patch did.
pub struct Patched {
    pub result: Result<Site, Vec<Diagnostic>>,
    /// Output files rendered again.
    pub files: usize,
}

impl Patcher {
    /// Keep `model`, the last successful build's; None when the memo tables do not describe
    /// it (then every change takes the memo path).
    pub fn new(
        model: Model,
        links: LinkCheck,
        cache: &BuildCache,
        live_reload: bool,
    ) -> Option<Self> {
        let mut md_warnings = Vec::with_capacity(model.docs.len());
        for d in &model.docs {
            md_warnings.push(cache.markdown_diags(&d.path)?.to_vec());
        }
        let n_md: usize = md_warnings.iter().map(Vec::len).sum();
        let split = model.warnings.len().checked_sub(n_md)?;
        if !model.warnings[split..]
            .iter()
            .eq(md_warnings.iter().flatten())
        {
            return None;
        }
        let pre_warnings = model.warnings[..split].to_vec();
        Some(Patcher {
            model,
            links,
            live_reload,
            pre_warnings,
            md_warnings,
            lookups: None,
            spare: None,
            pending: None,
        })
    }

    /// Patch `last` after the page `page` (root-relative, `content/...md`) changed in
    /// `inputs`. None when the change is not a body-only edit of a known page, or a template
    /// failed on it: then the caller must drop this patcher and rebuild.
    pub fn patch(
        &mut self,
        page: &str,
        inputs: &Inputs,
        cache: &mut BuildCache,
        last: &Site,
    ) -> Option<Patched> {
        let path = page.strip_prefix("content/")?;
        if self.pending.as_deref().is_some_and(|p| p != path) {
            return None;
        }
        let i = *self.model.by_path.get(path)?;
        let text = inputs.pages.get(path)?;
        let doc = &self.model.docs[i];
        // Same front matter: the same YAML at the same lines, the body at the same line.
        let split = frontmatter::split(text, &doc.file).ok()?;
        match cache.frontmatter_of(path)? {
            Ok(parsed)
                if parsed.yaml == split.yaml
                    && parsed.yaml_line == split.yaml_line
                    && parsed.body_line == split.body_line
                    && doc.body_line == split.body_line => {}
            _ => return None,
        }
        if self.lookups.is_none() {
            self.lookups = Some(Lookups::new(&self.model, self.live_reload, last)?);
        }
        let (rendered, diags) = self.model.render_markdown(i, text, inputs);
        cache.retext_frontmatter(path, text);
        cache.store_markdown(path, text, (rendered.clone(), diags.clone()));
        let (mut errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(Diagnostic::is_error);

        let was: BTreeSet<String> = self.model.cites(doc).cloned().collect();
        let old = std::mem::replace(&mut self.model.docs[i].rendered, rendered);
        if !errors.is_empty() {
            self.model.docs[i].rendered = old;
            self.pending = Some(path.to_string());
            errors.extend(self.warnings_with(i, warnings));
            return Some(Patched {
                result: Err(errors),
                files: 0,
            });
        }
        self.pending = None;
        self.model.warnings = self.warnings_with(i, warnings.clone());
        self.md_warnings[i] = warnings;

        // Back-links.
        let doc = &self.model.docs[i];
        let is: BTreeSet<String> = self.model.cites(doc).cloned().collect();
        let cites_changed = was != is;
        for id in was.difference(&is) {
            if let Some(set) = self.model.cited_by.get_mut(id) {
                set.remove(&i);
                if set.is_empty() {
                    self.model.cited_by.remove(id);
                }
            }
        }
        for id in is.difference(&was) {
            self.model.cited_by.entry(id.clone()).or_default().insert(i);
        }

        let words = word_count(&self.model.docs[i].rendered.text);
        let lookups = self.lookups.as_mut().expect("made above");
        let words_changed = words != lookups.words[i];
        lookups.words[i] = words;
        let text_changed = old.text != self.model.docs[i].rendered.text;

        // The outputs that show the body.
        let m = &self.model;
        let doc = &m.docs[i];
        let r = Renderer::with_words(m, self.live_reload, Some(lookups.words.clone()));
        let mut outs: Vec<Result<(String, String), Diagnostic>> = Vec::new();
        let (page, lists) = rayon::join(
            || r.render_doc(doc).map(|h| (output_path(&doc.url_path), h)),
            || {
                let mut outs = Vec::new();
                if words_changed {
                    if let Some(parent) = doc.parent.as_deref().and_then(|p| m.doc(p)) {
                        outs.push(
                            r.render_doc(parent)
                                .map(|h| (output_path(&parent.url_path), h)),
                        );
                    }
                    outs.extend(r.term_pages_of(doc));
                }
                if cites_changed {
                    outs.push(r.sources_page());
                    outs.push(Ok(("sources.json".into(), r.sources_json())));
                }
                if lookups.in_feed[i] {
                    outs.push(Ok(("atom.xml".into(), r.atom())));
                }
                outs
            },
        );
        outs.push(page);
        outs.extend(lists);
        let mut site = last.clone();
        let mut files = 0;
        for o in outs {
            // A template that fails on the new text: let a rebuild report it.
            let (name, html) = o.ok()?;
            if name.ends_with(".html") {
                self.links.page(&name, linkcheck::scan(&html));
            }
            site.files
                .insert(name, Output::Bytes(html.into_bytes().into()));
            files += 1;
        }
        // Links are checked as a build checks them; a broken one: let a rebuild report it.
        let found = link_diagnostics(&self.links, m, &inputs.templates, &inputs.root);
        if found.iter().any(Diagnostic::is_error) {
            return None;
        }
        if text_changed {
            let entry = r.search_entry_json(doc);
            let Some(Output::Bytes(old_index)) = last.files.get("search-index.json") else {
                return None;
            };
            let start = 1 + lookups.search_lens[..i]
                .iter()
                .map(|l| l + 1)
                .sum::<usize>();
            let end = start + lookups.search_lens[i];
            let mut spare = self.spare.replace(old_index.clone());
            let index = match spare.as_mut().and_then(Bytes::get_mut) {
                Some(v) => {
                    v.clear();
                    v
                }
                None => {
                    spare = Some(Vec::with_capacity(old_index.len() + entry.len()).into());
                    spare
                        .as_mut()
                        .and_then(Bytes::get_mut)
                        .expect("a new buffer")
                }
            };
            index.extend_from_slice(&old_index[..start]);
            index.extend_from_slice(entry.as_bytes());
            index.extend_from_slice(&old_index[end..]);
            lookups.search_lens[i] = entry.len();
            let index = spare.expect("filled above");
            site.files
                .insert("search-index.json".into(), Output::Bytes(index));
            files += 1;
        }
        site.warnings = self.model.warnings.clone();
        site.warnings.extend(found);
        Some(Patched {
            result: Ok(site),
            files,
        })
    }

    /// The build's warnings with document `i`'s Markdown warnings replaced.
    fn warnings_with(&self, i: usize, warnings: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut all = self.pre_warnings.clone();
        for (j, w) in self.md_warnings.iter().enumerate() {
            if j == i {
                all.extend(warnings.iter().cloned());
            } else {
                all.extend(w.iter().cloned());
            }
        }
        all
    }
}
