//! The steps of `Model::build`, in order: where the archives are, the source registry, the
//! documents (front matter, drafts, URLs, sections), the figures (checked against their
//! sources), the templates pages name, what `@/` links resolve to, each page's Markdown, and
//! the back-links from sources to the pages that cite them.

use super::env::PageEnv;
use super::{DocId, Document, Kind, Options, parent_section, url_path};
use crate::cache::BuildCache;
use crate::config::Config;
use crate::content::frontmatter::{self, Parsed};
use crate::content::ids::{FigureId, SourceId};
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::markdown::{self, Rendered};
use crate::sources::{self, Archives, Figure, Registry, Vocabulary, name_key};
use crate::templates::Theme;
use crate::yaml;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Where the archived texts are. A command-line archive folder must exist; site.yaml's may
/// be absent on a machine without the archives, which leaves quotes unverified (and says so).
pub(super) fn archives(
    inputs: &Inputs,
    opts: &Options,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Result<Archives, Vec<Diagnostic>> {
    let mut archives = Archives {
        root: inputs.root.clone(),
        dir: opts.archive_dir.clone(),
        dir_missing: false,
    };
    if let Some(dir) = &archives.dir {
        if !dir.is_dir() {
            return Err(vec![
                Diagnostic::error(
                    Span::file(dir),
                    format!("archive folder {} does not exist", dir.display()),
                )
                .with_hint("pass --archive-dir a folder of plain-text article snapshots"),
            ]);
        }
        return Ok(archives);
    }
    if let Some(dir) = &config.archive_dir {
        let full = inputs.root.join(dir);
        if full.is_dir() {
            archives.dir = Some(full);
        } else {
            archives.dir_missing = true;
            diags.push(
                Diagnostic::warning(
                    yaml::span_of(
                        Path::new(crate::config::CONFIG_FILE),
                        &inputs.config_text,
                        1,
                        "archive_dir",
                        false,
                    ),
                    format!("archive_dir `{dir}` not found: figure quotes are not verified"),
                )
                .with_hint("figures are marked unverified; pass --archive-dir or fix archive_dir"),
            );
        }
    }
    Ok(archives)
}

/// The source registry, from content/sources.yaml and the bibliographies site.yaml's
/// `sources:` lists (empty without any).
pub(super) fn registry(
    inputs: &Inputs,
    archives: Archives,
    diags: &mut Vec<Diagnostic>,
) -> Registry {
    let file = PathBuf::from(format!("content/{}", sources::SOURCES_FILE));
    let imports = inputs
        .config
        .sources
        .iter()
        .filter_map(|name| {
            let text = inputs.source_files.get(name)?;
            Some(sources::import::import(name, text, diags))
        })
        .collect();
    Registry::build(inputs.sources.as_deref(), &file, imports, &archives, diags)
}

/// The registries of places, measures and claimants there are.
pub(super) fn vocabulary(inputs: &Inputs, diags: &mut Vec<Diagnostic>) -> Vocabulary {
    Vocabulary::parse(&inputs.names, diags)
}

/// With a places registry, every page's `places:` are places of it, named as it names
/// them.
pub(super) fn page_places(docs: &mut [Document], vocab: &Vocabulary, diags: &mut Vec<Diagnostic>) {
    let Some(places) = &vocab.places else { return };
    for doc in docs {
        for i in 0..doc.fm.places.len() {
            match places.get(&doc.fm.places[i]) {
                Some(p) => doc.fm.places[i] = p.name.clone(),
                None => diags.push(places.unknown(
                    &doc.fm.places[i],
                    "place",
                    doc.span_of(&format!("places[{i}]")),
                )),
            }
        }
    }
}

/// The documents of a build, and the pages left out of it.
pub(super) struct Documents {
    /// Sorted by path, each with its URL and section; Markdown not rendered yet.
    pub docs: Vec<Document>,
    /// Drafts left out (without `--drafts`), and pages whose front matter has an error.
    pub drafts: BTreeSet<String>,
    pub broken: BTreeSet<String>,
}

/// Every page's front matter (in parallel, or from the cache), its URL and its section; a
/// draft section's pages are drafts too; two documents with one URL are an error.
pub(super) fn documents(
    inputs: &Inputs,
    opts: &Options,
    cache: &mut BuildCache,
    diags: &mut Vec<Diagnostic>,
) -> Documents {
    let parsed: Vec<crate::cache::FmResult> = inputs
        .pages
        .par_iter()
        .map(|(path, text)| {
            if let Some(hit) = cache.frontmatter(path, text) {
                return hit;
            }
            Parsed::of(text, &PathBuf::from(format!("content/{path}")))
        })
        .collect();
    cache.record_frontmatter(inputs.pages.iter(), &parsed);
    let draft_dirs: Vec<String> = inputs
        .pages
        .keys()
        .zip(&parsed)
        .filter(|(path, p)| path.ends_with("/_index.md") && p.as_ref().is_ok_and(|p| p.fm.draft))
        .map(|(path, _)| path.trim_end_matches("_index.md").to_string())
        .collect();
    let mut out = Documents {
        docs: Vec::new(),
        drafts: BTreeSet::new(),
        broken: BTreeSet::new(),
    };
    for (path, p) in inputs.pages.keys().zip(parsed) {
        let p = match p {
            Ok(p) => p,
            Err(d) => {
                out.broken.insert(path.clone());
                diags.push(d);
                continue;
            }
        };
        let in_draft_section = draft_dirs
            .iter()
            .any(|d| path.starts_with(d.as_str()) && *path != format!("{d}_index.md"));
        if (p.fm.draft || in_draft_section) && !opts.drafts {
            out.drafts.insert(path.clone());
            continue;
        }
        let kind = if path.ends_with("_index.md") {
            Kind::Section
        } else {
            Kind::Page
        };
        let slug = if kind == Kind::Page {
            p.fm.slug.as_deref()
        } else {
            None
        };
        out.docs.push(Document {
            file: PathBuf::from(format!("content/{path}")),
            path: path.clone(),
            kind,
            url_path: url_path(path, slug),
            fm: p.fm,
            yaml: p.yaml,
            yaml_line: p.yaml_line,
            body_line: p.body_line,
            parent: None,
            rendered: Rendered::default(),
        });
    }
    let sections: BTreeSet<String> = out
        .docs
        .iter()
        .filter(|d| d.is_section())
        .map(|d| d.path.clone())
        .collect();
    let mut seen_urls: HashMap<String, String> = HashMap::new();
    for doc in &mut out.docs {
        doc.parent = parent_section(&doc.path, &sections);
        if let Some(other) = seen_urls.insert(doc.url_path.clone(), doc.path.clone()) {
            diags.push(
                Diagnostic::error(
                    Span::file(&doc.file),
                    format!(
                        "`{}` has the same URL {} as content/{other}",
                        doc.path, doc.url_path
                    ),
                )
                .with_hint("give one of them a different `slug`"),
            );
        }
    }
    out
}

/// Every declared figure, checked: unique slug ids, finite values, a known source whose
/// archived text holds the quote, a period that ends after it starts; and every source a
/// page lists under `sources:` is known.
pub(super) fn figures(
    docs: &[Document],
    registry: &Registry,
    vocab: &Vocabulary,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<FigureId, Figure> {
    let by_path: HashMap<&str, &Document> = docs.iter().map(|d| (d.path.as_str(), d)).collect();
    let mut figures: BTreeMap<FigureId, Figure> = BTreeMap::new();
    for doc in docs {
        // Positions come from the parser, read again only for a page with a mistake.
        for (index, decl) in doc.fm.figures.iter().enumerate() {
            let key = |k: &str| doc.span_of(&format!("figures[{index}].{k}"));
            if !sources::is_valid_id(&decl.id) {
                diags.push(
                    Diagnostic::error(key("id"), format!("figure id `{}` is not a slug", decl.id))
                        .with_hint("use lowercase letters, digits and '-'"),
                );
            }
            if let Some(prev) = figures.get(&decl.id) {
                let first =
                    by_path[prev.page.as_str()].span_of(&format!("figures[{}].id", prev.index));
                diags.push(
                    Diagnostic::error(key("id"), format!("duplicate figure id `{}`", decl.id))
                        .with_hint(format!(
                            "first declared at {}:{}",
                            first.file.display(),
                            first.line
                        )),
                );
                continue;
            }
            let finite = decl.value.is_finite();
            if !finite {
                diags.push(
                    Diagnostic::error(
                        key("value"),
                        format!("figure `{}`: `value` must be a finite number", decl.id),
                    )
                    .with_hint("write the number the source states, e.g. `value: 200000`"),
                );
            }
            let mut fig = Figure::new(decl.clone(), doc.path.clone(), index);
            match registry.get(&decl.source) {
                // No quote states an infinite number: that error says it all.
                Some(_) if !finite => {}
                Some(src) => {
                    for f in sources::check_quote(&mut fig, src) {
                        let mut d = Diagnostic::error(key(f.key), f.message);
                        d.hint = f.hint;
                        diags.push(d);
                    }
                }
                None => diags.extend(registry.unknown(&decl.source, key("source"))),
            }
            resolve_names(&mut fig, vocab, &key, diags);
            if let Some(p) = &fig.period
                && p.from.day > p.to.day
            {
                diags.push(
                    Diagnostic::error(
                        key("period"),
                        format!("figure `{}`: period ends before it starts", decl.id),
                    )
                    .with_hint("swap `from` and `to`"),
                );
            }
            figures.insert(decl.id.clone(), fig);
        }
        for (j, id) in doc.fm.sources.iter().enumerate() {
            if registry.get(id).is_none() {
                diags.extend(registry.unknown(id, doc.span_of(&format!("sources[{j}]"))));
            }
        }
    }
    figure_links(&figures, &by_path, diags);
    figures
}

/// A figure's place, measure and claimant as the registries name them (when there are
/// registries): an unknown name is an error with "did you mean"; a measure's unit is the
/// unit of its figures.
fn resolve_names(
    fig: &mut Figure,
    vocab: &Vocabulary,
    key: &dyn Fn(&str) -> Span,
    diags: &mut Vec<Diagnostic>,
) {
    if let (Some(places), Some(written)) = (&vocab.places, fig.decl.place.clone()) {
        match places.get(&written) {
            Some(p) => {
                fig.decl.place = Some(p.name.clone());
                fig.place_key = Some(p.id.clone());
            }
            None => diags.push(places.unknown(&written, "place", key("place"))),
        }
    }
    if let Some(measures) = &vocab.measures {
        match measures.get(&fig.decl.measure) {
            Some(m) => {
                fig.decl.measure = m.id.clone();
                fig.measure_label = m.label.clone();
                fig.cumulative = m.cumulative;
                match (&m.unit, &fig.decl.unit) {
                    (Some(u), None) => fig.decl.unit = Some(u.clone()),
                    (Some(u), Some(written)) if name_key(u) != name_key(written) => {
                        let hint = if written.contains(" per ") || written.contains(" a ") {
                            format!("a rate counts `unit: {u}` with `per: day`, `week` or `month`")
                        } else {
                            format!("write `unit: {u}`, or use another measure")
                        };
                        diags.push(
                            Diagnostic::error(
                                key("unit"),
                                format!(
                                    "figure `{}` counts `{written}`, but measure `{}` counts `{u}`",
                                    fig.decl.id, m.id
                                ),
                            )
                            .with_hint(hint),
                        );
                    }
                    _ => {}
                }
            }
            None => diags.push(measures.unknown(&fig.decl.measure, "measure", key("measure"))),
        }
    }
    if let (Some(claimants), Some(written)) = (&vocab.claimants, fig.decl.claimed_by.clone()) {
        match claimants.get(&written) {
            Some(c) => {
                fig.decl.claimed_by = Some(c.name.clone());
                fig.claimant_key = Some(c.id.clone());
            }
            None => diags.push(claimants.unknown(&written, "claimant", key("claimed_by"))),
        }
    }
}

/// What figures say of other figures: `part_of:` and `relates:` name other figures; a part
/// counts what its whole counts; two figures do not declare two different relations.
fn figure_links(
    figures: &BTreeMap<FigureId, Figure>,
    by_path: &HashMap<&str, &Document>,
    diags: &mut Vec<Diagnostic>,
) {
    let at = |f: &Figure, k: &str| {
        by_path[f.page.as_str()].span_of(&format!("figures[{}].{k}", f.index))
    };
    let unknown = |f: &Figure, k: &str, id: &FigureId| {
        let hint = match did_you_mean(id, figures.keys().map(FigureId::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "name the id of a figure declared on any page".to_string(),
        };
        Diagnostic::error(
            at(f, k),
            format!("figure `{}` names an unknown figure `{id}`", f.decl.id),
        )
        .with_hint(hint)
    };
    let mut declared: HashMap<(&FigureId, &FigureId), (&Figure, usize)> = HashMap::new();
    for f in figures.values() {
        if let Some(w) = &f.decl.part_of {
            match figures.get(w) {
                None => diags.push(unknown(f, "part_of", w)),
                Some(_) if w == &f.decl.id => diags.push(
                    Diagnostic::error(at(f, "part_of"), format!("figure `{w}` is part of itself"))
                        .with_hint("`part_of:` names the figure of the whole"),
                ),
                Some(whole) if whole.decl.unit != f.decl.unit || whole.decl.per != f.decl.per => {
                    diags.push(
                        Diagnostic::error(
                            at(f, "part_of"),
                            format!(
                                "figure `{}` is part of `{w}`, which counts something else",
                                f.decl.id
                            ),
                        )
                        .with_hint("a part and its whole have the same unit and `per`"),
                    )
                }
                Some(_) => {}
            }
        }
        for (j, r) in f.decl.relates.iter().enumerate() {
            let k = format!("relates[{j}].figure");
            if !figures.contains_key(&r.figure) {
                diags.push(unknown(f, &k, &r.figure));
                continue;
            }
            if r.figure == f.decl.id {
                diags.push(
                    Diagnostic::error(
                        at(f, &k),
                        format!("figure `{}` relates to itself", f.decl.id),
                    )
                    .with_hint("`relates:` names another figure"),
                );
                continue;
            }
            let pair = if f.decl.id < r.figure {
                (&f.decl.id, &r.figure)
            } else {
                (&r.figure, &f.decl.id)
            };
            match declared.get(&pair) {
                Some((g, i)) if g.decl.relates[*i].kind != r.kind => {
                    let first = at(g, &format!("relates[{i}].kind"));
                    diags.push(
                        Diagnostic::error(
                            at(f, &format!("relates[{j}].kind")),
                            format!(
                                "figures `{}` and `{}` are declared both `{}` and `{}`",
                                pair.0,
                                pair.1,
                                g.decl.relates[*i].kind.name(),
                                r.kind.name()
                            ),
                        )
                        .with_hint(format!(
                            "declare their relation once (the other is at {}:{})",
                            first.file.display(),
                            first.line
                        )),
                    );
                }
                Some(_) => {}
                None => {
                    declared.insert(pair, (f, j));
                }
            }
        }
    }
}

/// Every `template:` names a template of the theme or the site.
pub(super) fn check_templates(docs: &[Document], theme: &Theme, diags: &mut Vec<Diagnostic>) {
    for doc in docs {
        if let Some(name) = &doc.fm.template
            && !theme.has(name)
        {
            diags.push(
                Diagnostic::error(
                    doc.span_of("template"),
                    format!("template `{name}` does not exist"),
                )
                .with_hint(theme.template_hint(name)),
            );
        }
    }
}

/// What `@/` links and relative links may name -> its URL: every document
/// (`stories/routes.md`, and `stories/` and `stories` for a section) and content asset.
pub(super) fn links(
    docs: &[Document],
    inputs: &Inputs,
    base_path: &str,
) -> HashMap<String, String> {
    docs.iter()
        .flat_map(|d| {
            let url = format!("{base_path}{}", d.url_path);
            let mut keys = vec![(d.path.clone(), url.clone())];
            if let Some(dir) = d.path.strip_suffix("_index.md") {
                keys.push((dir.to_string(), url.clone()));
                keys.push((dir.trim_end_matches('/').to_string(), url));
            }
            keys
        })
        .chain(
            inputs
                .content_assets
                .iter()
                .map(|(rel, out)| (rel.clone(), format!("{base_path}/{out}"))),
        )
        .collect()
}

/// Every document's Markdown, in parallel, reusing the cache's render of a page whose text
/// and environment are unchanged. With `html: false` the HTML is left out (see
/// `Model::deferred_html`).
pub(super) fn markdown(
    docs: &mut [Document],
    inputs: &Inputs,
    env: &PageEnv,
    cache: &mut BuildCache,
    html: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let env_key = if cache.is_enabled() {
        env.fingerprint(inputs)
    } else {
        0
    };
    let results: Vec<(Rendered, Vec<Diagnostic>)> = docs
        .par_iter()
        .map(|doc| {
            let text = &inputs.pages[&doc.path];
            if let Some(hit) = cache.markdown(&doc.path, text, env_key) {
                return hit;
            }
            render_markdown(doc, text, env, html)
        })
        .collect();
    cache.record_markdown(
        env_key,
        docs.iter()
            .zip(&results)
            .map(|(doc, r)| (&doc.path, &inputs.pages[&doc.path], r)),
    );
    for (doc, (r, d)) in docs.iter_mut().zip(results) {
        doc.rendered = r;
        diags.extend(d);
    }
}

/// A document's Markdown: the body of `text`, its whole file.
pub(super) fn render_markdown(
    doc: &Document,
    text: &str,
    env: &PageEnv,
    html: bool,
) -> (Rendered, Vec<Diagnostic>) {
    let mut d = Vec::new();
    let body = frontmatter::split(text, &doc.file)
        .map(|s| s.body)
        .unwrap_or("");
    let src = markdown::Source {
        path: &doc.path,
        file: &doc.file,
        body_line: doc.body_line,
        exemptions: &doc.fm.exemptions,
    };
    let r = markdown::render_with(body, src, env, &mut d, html);
    if env.prose.check != crate::config::Check::Off {
        for &i in &r.unused_exemptions {
            d.push(
                Diagnostic::warning(
                    doc.span_of(&format!("exemptions[{i}].text")),
                    format!(
                        "exemption `{}` exempts no number of the page's text",
                        doc.fm.exemptions[i].text
                    ),
                )
                .with_hint("its text is the page's words as written, numbers and all; remove it if the number is gone"),
            );
        }
    }
    (r, d)
}

/// Source id -> the documents that cite it (inline, in `sources:` or by a figure).
pub(super) fn back_links(
    registry: &Registry,
    docs: &[Document],
) -> BTreeMap<SourceId, BTreeSet<DocId>> {
    let mut cited_by: BTreeMap<SourceId, BTreeSet<DocId>> = BTreeMap::new();
    for (i, doc) in docs.iter().enumerate() {
        for id in super::cites(registry, doc) {
            cited_by.entry(id.clone()).or_default().insert(DocId(i));
        }
    }
    cited_by
}
