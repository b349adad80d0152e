//! What a page's Markdown sees of the rest of the site while it renders: the URLs of
//! pages and assets, drafts and broken pages, the sources, the figures, the theme's
//! shortcodes. Citations and the built-in shortcodes `fig` and `chart` are rendered here.

use crate::config::ProseNumbers;
use crate::content::ids::FigureId;
use crate::content::ids::SourceId;
use crate::content::load::Inputs;
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::markdown::{self, CiteItem, Env, Piece, PieceKind, References, Shortcode};
use crate::model::Document;
use crate::sources::styles::{CitationStyle, CiteRef};
use crate::sources::{Figure, Registry, Relations};
use crate::templates::Theme;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a page's Markdown can see of the rest of the site. Every field must be part of
/// `fingerprint`: `serve` reuses a page's Markdown while the fingerprint stays the same.
pub(super) struct PageEnv<'a> {
    pub(super) relations: &'a Relations,
    pub(super) prose: &'a ProseNumbers,
    pub(super) exemptions: &'a [ListedExemption],
    pub(super) links: &'a HashMap<String, String>,
    pub(super) known: Vec<&'a str>,
    pub(super) registry: &'a Registry,
    pub(super) figures: &'a BTreeMap<FigureId, Figure>,
    pub(super) base_path: &'a str,
    pub(super) theme: &'a Theme,
    pub(super) images: &'a crate::images::Images,
    pub(super) drafts: &'a BTreeSet<String>,
    pub(super) broken: &'a BTreeSet<String>,
    pub(super) style: &'a CitationStyle,
    pub(super) vocab: &'a crate::sources::Vocabulary,
    /// The slugs of the places that have a page, for `map()`.
    pub(super) place_pages: BTreeSet<String>,
}

/// The slugs of the places that have a page: named in a page's `places:` or by a figure.
pub(super) fn place_pages(
    docs: &[Document],
    figures: &BTreeMap<FigureId, Figure>,
) -> BTreeSet<String> {
    docs.iter()
        .flat_map(|d| d.fm.places.iter())
        .chain(figures.values().filter_map(|f| f.decl.place.as_ref()))
        .map(|p| super::outputs::term_slug(p))
        .collect()
}

/// An exemption with the page that declares it, for `{{ exemptions() }}`.
#[derive(Debug, Clone, Hash, serde::Serialize)]
pub struct ListedExemption {
    /// The page's title.
    pub page_title: String,
    /// The page's URL.
    pub page_url: String,
    /// The exempted words.
    pub text: String,
    /// Why.
    pub why: String,
}

/// Every page's exemptions, in page order.
pub(super) fn exemptions(docs: &[Document], base_path: &str) -> Vec<ListedExemption> {
    docs.iter()
        .flat_map(|d| {
            d.fm.exemptions.iter().map(|e| ListedExemption {
                page_title: d.fm.title.clone(),
                page_url: format!("{base_path}{}", d.url_path),
                text: e.text.clone(),
                why: e.why.clone(),
            })
        })
        .collect()
}

impl PageEnv<'_> {
    /// A hash of everything above (the theme through its template texts).
    pub(super) fn fingerprint(&self, inputs: &Inputs) -> u64 {
        let mut links: Vec<_> = self.links.iter().collect();
        links.sort();
        crate::cache::fingerprint(&(
            self.relations,
            self.prose,
            self.exemptions,
            links,
            &self.known,
            self.registry,
            self.figures,
            self.base_path,
            &inputs.templates,
            self.drafts,
            self.broken,
            (
                self.style,
                self.vocab,
                &self.place_pages,
                self.images.config(),
            ),
        ))
    }

    /// The HTML of a citation of `items`: numbered as the page first cites each source
    /// (dossier's style), or in the site's CSL style. An in-text item (`@id`) starts with
    /// the source's name; words before an `@` (`[see @id]`) stay before its number.
    fn cite_html(
        &self,
        items: &[CiteItem],
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> String {
        let mut out = Vec::new();
        let mut cited = Vec::new();
        let mut prefixes = Vec::new();
        for item in items {
            match self.registry.get(&item.id) {
                Some(src) => {
                    let n = refs.number(&item.id, item.locator.as_deref());
                    let mut title = hover_title(src);
                    if let Some(l) = &item.locator {
                        title.push_str(&format!(", {l}"));
                    }
                    out.push((n, title));
                    prefixes.push(item.prefix.as_deref());
                    cited.push(CiteRef {
                        id: &item.id,
                        locator: item.locator.as_deref(),
                        number: n,
                        suppress_author: item.mode == markdown::CiteMode::SuppressAuthor,
                        in_text: item.mode == markdown::CiteMode::InText,
                    });
                }
                None => diags.extend(self.registry.unknown(&item.id, item.span.clone())),
            }
        }
        let prefixed = prefixes.iter().any(Option::is_some);
        if !cited.is_empty() && self.style.is_csl() {
            let page: Vec<&str> = refs.entries.iter().map(|(id, _)| id.as_str()).collect();
            let title = |id: &str| self.registry.get(id).map(hover_title).unwrap_or_default();
            if !prefixed {
                if let Some(html) = self.style.cite_html(&page, &cited, &title) {
                    // The prose form names the authors; a source without them, its publisher.
                    return match (items.first(), self.registry.get(cited[0].id)) {
                        (Some(i), Some(src))
                            if i.mode == markdown::CiteMode::InText && src.authors.is_empty() =>
                        {
                            format!(
                                "<span class=\"cite-author\">{}</span> {html}",
                                crate::html::escape(&in_text_name(src))
                            )
                        }
                        _ => html,
                    };
                }
            } else {
                // hayagriva has no affixes: each item is cited alone, after its words.
                let each: Option<Vec<String>> = cited
                    .iter()
                    .zip(&prefixes)
                    .map(|(c, pre)| {
                        let html = self
                            .style
                            .cite_html(&page, std::slice::from_ref(c), &title)?;
                        Some(match pre {
                            Some(p) => format!("{} {html}", crate::html::escape(p)),
                            None => html,
                        })
                    })
                    .collect();
                if let Some(each) = each {
                    // A citation hugs the word before it; words of the sentence do not.
                    return format!(" {}", each.join("; "));
                }
            }
        }
        // dossier's numeric style names no authors, so `[-@id]` is `[@id]` here; an in-text
        // `@id` is the source's name with its number.
        let name = match (items.first(), cited.first()) {
            (Some(i), Some(c)) if i.mode == markdown::CiteMode::InText => self
                .registry
                .get(c.id)
                .map(|s| {
                    format!(
                        "<span class=\"cite-author\">{}</span>",
                        crate::html::escape(&in_text_name(s))
                    )
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        if prefixed {
            let each: Vec<(usize, String, Option<&str>)> = out
                .into_iter()
                .zip(prefixes)
                .map(|((n, t), p)| (n, t, p))
                .collect();
            return name + &numbers_html(&each, "; ");
        }
        // "[1, 2]", never "[2, 1]" or "[1, 1]"; of one source cited twice, the title that
        // names its locator.
        out.sort_by_key(|(n, _)| *n);
        out.dedup_by(|later, kept| {
            if later.0 != kept.0 {
                return false;
            }
            if later.1.len() > kept.1.len() {
                std::mem::swap(&mut kept.1, &mut later.1);
            }
            true
        });
        let each: Vec<(usize, String, Option<&str>)> =
            out.into_iter().map(|(n, t)| (n, t, None)).collect();
        name + &numbers_html(&each, ", ")
    }
}

/// How an in-text citation names a source: its authors ("A", "A and B", "A et al."), or
/// else its publisher's short name or name.
pub(super) fn in_text_name(src: &crate::sources::Source) -> String {
    match src.authors.as_slice() {
        [] => src.short.clone().unwrap_or_else(|| src.publisher.clone()),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, ..] => format!("{a} et al."),
    }
}

/// What a citation's link shows on hover: publisher, title, date.
fn hover_title(src: &crate::sources::Source) -> String {
    format!(
        "{}, “{}” ({})",
        src.publisher,
        src.title,
        src.published.display()
    )
}

/// `[1, 2]`, each number linked, the words before each (`see`) kept before it.
fn numbers_html(numbers: &[(usize, String, Option<&str>)], sep: &str) -> String {
    if numbers.is_empty() {
        return String::new();
    }
    let links: Vec<String> = numbers
        .iter()
        .map(|(n, title, prefix)| {
            // The number alone names nothing: the link's name says which source it is.
            let title = crate::html::escape(title);
            let pre = prefix.map(|p| format!("{} ", crate::html::escape(p))).unwrap_or_default();
            format!("{pre}<a href=\"#ref-{n}\" title=\"{title}\" aria-label=\"Reference {n}: {title}\">{n}</a>")
        })
        .collect();
    format!("<sup class=\"cite\">[{}]</sup>", links.join(sep))
}

impl Env for PageEnv<'_> {
    fn resolve(&self, path: &str) -> Option<String> {
        self.links.get(path).cloned()
    }

    fn picture(&self, path: &str) -> Option<Result<crate::images::Picture, String>> {
        let url = self.links.get(path)?;
        Some(self.images.picture(&self.images.content_file(path), url))
    }

    fn known_paths(&self) -> Vec<&str> {
        self.known.clone()
    }

    fn missing(&self, path: &str) -> markdown::Missing {
        let page = |p: &str| {
            if self.drafts.contains(p) {
                Some(markdown::Missing::Draft)
            } else if self.broken.contains(p) {
                Some(markdown::Missing::Broken)
            } else {
                None
            }
        };
        let dir = path.trim_end_matches('/');
        page(path)
            .or_else(|| page(&format!("{dir}/_index.md")))
            .unwrap_or(markdown::Missing::Unknown)
    }

    fn reserved_ids(&self) -> Option<&markdown::ReservedIds> {
        Some(self.theme.reserved_ids())
    }

    fn figure_source(&self, sc: &Shortcode) -> Option<SourceId> {
        if sc.name != "fig"
            || sc.malformed
            || sc.args.get("cite").and_then(|v| v.as_bool()) == Some(false)
        {
            return None;
        }
        let id = sc.args.get("id")?.as_str()?;
        self.figures.get(id).map(|f| f.decl.source.clone())
    }

    fn prose_numbers(&self) -> ProseNumbers {
        *self.prose
    }

    fn is_source_url(&self, url: &str) -> bool {
        self.registry.by_url(url)
    }

    fn is_source(&self, id: &str) -> bool {
        self.registry.get(id).is_some()
    }

    fn source_ids(&self) -> Vec<&str> {
        self.registry.sources.keys().map(SourceId::as_str).collect()
    }

    fn cite(
        &self,
        items: &[CiteItem],
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> Piece {
        let html = self.cite_html(items, refs, diags);
        // An in-text citation is words of the sentence: it does not hug the word before.
        let in_text = items
            .first()
            .is_some_and(|i| i.mode == markdown::CiteMode::InText);
        Piece {
            text: if in_text {
                crate::html::text(&html)
            } else {
                String::new()
            },
            html,
            kind: if in_text {
                PieceKind::Inline
            } else {
                PieceKind::Citation
            },
        }
    }

    fn shortcode(
        &self,
        sc: &Shortcode,
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> Piece {
        let html = self.shortcode_html(sc, refs, diags);
        Piece {
            // Its visible words (a figure's number, a chart's labels), not its markup.
            text: crate::html::text(&html),
            html,
            kind: if sc.name == "fig" && !sc.malformed {
                PieceKind::Inline
            } else {
                PieceKind::Block
            },
        }
    }
}

impl PageEnv<'_> {
    /// `{{ chart(...) }}` and `{{ map(...) }}`.
    fn chart_html(&self, sc: &Shortcode, diags: &mut Vec<Diagnostic>) -> String {
        let data = crate::charts::Data {
            figures: self.figures,
            registry: self.registry,
            relations: self.relations,
            vocab: self.vocab,
            base_path: self.base_path,
            place_pages: &self.place_pages,
        };
        let html = crate::charts::ChartSpec::from_args(&sc.args).and_then(|spec| {
            if sc.name == "map" {
                crate::charts::map_html(&spec, &data)
            } else {
                crate::charts::render(&spec, &data)
            }
        });
        match html {
            Ok(html) => html,
            Err(msg) => {
                let hint = if sc.name == "map" {
                    "map(measure=\"entries\") maps the places with coordinates (content/places.yaml `lat:`, `lon:`), each with its latest figure of that measure"
                } else {
                    "chart(measure=\"entries\", unit=\"people\") charts figures with that measure; kind=\"timeline\" by date"
                };
                diags.push(Diagnostic::error(sc.span.clone(), msg).with_hint(hint));
                String::new()
            }
        }
    }
}

impl PageEnv<'_> {
    /// `{{ exemptions() }}`: every page's exemptions from the check of numbers in prose.
    fn exemptions_html(&self) -> String {
        use crate::html::escape;
        if self.exemptions.is_empty() {
            return "<p class=\"exemptions-none\">No number in the text of this site is exempt from the check: every one is a figure.</p>".into();
        }
        let mut out = String::from(
            "<table class=\"exemptions\"><caption>Numbers in the text that are not figures</caption><thead><tr><th scope=\"col\">Words</th><th scope=\"col\">Why they are not a figure</th><th scope=\"col\">Page</th></tr></thead><tbody>",
        );
        for e in self.exemptions {
            out.push_str(&format!(
                "<tr><td><q>{}</q></td><td>{}</td><td><a href=\"{}\">{}</a></td></tr>",
                escape(&e.text),
                escape(&e.why),
                escape(&e.page_url),
                escape(&e.page_title)
            ));
        }
        out.push_str("</tbody></table>");
        out
    }

    /// The HTML of a shortcode: `fig`, `chart` or the theme's.
    fn shortcode_html(
        &self,
        sc: &Shortcode,
        refs: &mut References,
        diags: &mut Vec<Diagnostic>,
    ) -> String {
        if sc.malformed {
            return String::new();
        }
        let known: Option<&[&str]> = match sc.name.as_str() {
            "fig" => Some(&["id", "unit", "cite"]),
            "chart" => Some(&["measure", "unit", "place", "title", "kind"]),
            "map" => Some(&["measure", "unit", "title"]),
            "exemptions" => Some(&[]),
            _ => None,
        };
        if let Some(known) = known
            && let Some(bad) = sc.args.keys().find(|k| !known.contains(&k.as_str()))
        {
            let takes = if known.is_empty() {
                "no arguments".to_string()
            } else {
                known.join(", ")
            };
            let hint = match did_you_mean(bad, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? (`{}` takes {takes})", sc.name),
                None => format!("`{}` takes {takes}", sc.name),
            };
            diags.push(
                Diagnostic::error(
                    sc.span.clone(),
                    format!("unknown argument `{bad}` of `{}`", sc.name),
                )
                .with_hint(hint),
            );
            return String::new();
        }
        match sc.name.as_str() {
            "fig" => {
                let Some(id) = sc.args.get("id").and_then(|v| v.as_str()) else {
                    diags.push(
                        Diagnostic::error(sc.span.clone(), "`fig` needs an `id`")
                            .with_hint("{{ fig(id=\"kz-entries-2wk\") }}"),
                    );
                    return String::new();
                };
                let Some(fig) = self.figures.get(id) else {
                    let hint = match did_you_mean(id, self.figures.keys().map(FigureId::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "declare it under `figures:` in a page's front matter".into(),
                    };
                    diags.push(
                        Diagnostic::error(sc.span.clone(), format!("unknown figure `{id}`"))
                            .with_hint(hint),
                    );
                    return String::new();
                };
                refs.figures_used.push(id.into());
                let with_unit = sc
                    .args
                    .get("unit")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true);
                let cite = if sc
                    .args
                    .get("cite")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true)
                {
                    let item = CiteItem {
                        id: fig.decl.source.clone(),
                        locator: None,
                        span: sc.span.clone(),
                        prefix: None,
                        mode: markdown::CiteMode::Normal,
                    };
                    self.cite_html(std::slice::from_ref(&item), refs, diags)
                } else {
                    String::new()
                };
                let mut title = fig.decl.subject.clone();
                if let Some(by) = &fig.decl.claimed_by {
                    title.push_str(&format!(", according to {by}"));
                }
                if let Some(p) = &fig.period {
                    title.push_str(&format!(" ({})", p.display()));
                }
                format!(
                    "<span class=\"fig\" data-figure=\"{id}\"><a class=\"fig-value\" href=\"{}/figures/#{}\" title=\"{}\">{}</a>{cite}</span>",
                    crate::html::escape(self.base_path),
                    fig.anchor(),
                    crate::html::escape(&title),
                    crate::html::escape(&fig.display(with_unit))
                )
            }
            "chart" | "map" => self.chart_html(sc, diags),
            "exemptions" => self.exemptions_html(),
            name => match self.theme.shortcode(name, &sc.args) {
                Ok(html) => html,
                Err(e) => {
                    diags.push(Diagnostic::error(sc.span.clone(), e.message).with_hint(e.hint));
                    String::new()
                }
            },
        }
    }
}
