//! The theme: its Tera templates (a site's `templates/` replacing them file by file),
//! Tera's errors as diagnostics, theme shortcodes, and the ids the templates reserve.

mod functions;

pub use functions::{
    OUTSIDE_CONTEXT, SITE_FUNCTIONS, SiteData, TaxonomyData, calls_any, calls_outside_context,
};

use crate::config::Config;
use crate::content::load::{Inputs, TemplateFile};
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The templates every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "index.html",
    "section.html",
    "page.html",
    "figures.html",
    "sources.html",
    "taxonomy_list.html",
    "taxonomy_term.html",
    "404.html",
];

/// Templates dossier brings, used unless the theme or the site has one of the same name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("atom.xml", include_str!("builtin/atom.xml")),
    ("sitemap.xml", include_str!("builtin/sitemap.xml")),
    ("robots.txt", include_str!("builtin/robots.txt")),
];

/// `asset_url(path="style.css")`: the URL of a static file from the site root, under its
/// content-hashed name when the build gives it one (`site.assets`), else under its own.
fn asset_url(kwargs: tera::Kwargs, state: &tera::State) -> tera::TeraResult<String> {
    let path = kwargs.must_get::<&str>("path")?.trim_start_matches('/');
    let site = state.get::<tera::Value>("site")?;
    let field = |m: &tera::Map, key: &str| {
        m.iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v.clone())
    };
    let map = site.as_ref().and_then(tera::Value::as_map);
    let base = map
        .and_then(|m| field(m, "base_path"))
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let hashed = map
        .and_then(|m| field(m, "assets"))
        .and_then(|a| a.as_map().and_then(|a| field(a, path)))
        .and_then(|v| v.as_str().map(str::to_string));
    Ok(format!("{base}/{}", hashed.as_deref().unwrap_or(path)))
}

/// `resize_image(path=, width=, height=, op=, format=, quality=)` and `get_image_metadata(path=)`: a
/// copy of a site image planned for this build (`images::Images::resize`), and an image's
/// size and format.
fn register_images(tera: &mut tera::Tera, images: std::sync::Arc<crate::images::Images>) {
    let fail = |m: String| tera::Error::message(m);
    let im = images.clone();
    tera.register_function(
        "resize_image",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
            let path = kwargs.must_get::<&str>("path")?;
            let op = kwargs.get::<&str>("op")?.unwrap_or("fill");
            let op = crate::images::Op::parse(op).map_err(fail)?;
            let format = kwargs.get::<&str>("format")?.unwrap_or("auto");
            let file = im.locate(path).map_err(fail)?;
            let size = (kwargs.get::<u32>("width")?, kwargs.get::<u32>("height")?);
            let quality = kwargs.get::<u8>("quality")?;
            let r = im.resize(&file, op, size, format, quality).map_err(fail)?;
            Ok(tera::Value::from_serializable(&r))
        },
    );
    tera.register_function(
        "get_image_metadata",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
            let file = images
                .locate(kwargs.must_get::<&str>("path")?)
                .map_err(fail)?;
            let m = images.metadata(&file).map_err(fail)?;
            Ok(tera::Value::from_serializable(&serde_json::json!({
                "width": m.width,
                "height": m.height,
                "format": m.format.ext(),
                "mime": m.format.mime(),
            })))
        },
    );
}

/// Why a theme shortcode could not render: what to tell the author, and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcodeError {
    /// What to tell the author.
    pub message: String,
    /// A hint.
    pub hint: String,
}

/// The loaded templates, and the file each came from (for diagnostics).
pub struct Theme {
    tera: tera::Tera,
    files: BTreeMap<String, PathBuf>,
    reserved: crate::markdown::ReservedIds,
    outside_context: bool,
    urls: std::sync::Arc<functions::Urls>,
    /// Whether a template calls one of [`SITE_FUNCTIONS`].
    reads_site: bool,
    site: functions::SiteSlot,
}

/// The ids a theme's templates write (`id="references"`), and the prefixes of those they
/// generate (`id="ref-{{ r.number }}"`), with dossier's own anchors (`fig-`, `src-`): a
/// page's headings must not take them.
fn reserved_ids(templates: &BTreeMap<String, TemplateFile>) -> crate::markdown::ReservedIds {
    let mut r = crate::markdown::ReservedIds::default();
    for t in templates.values() {
        for a in crate::html::attributes(&t.text) {
            if a.name != "id" {
                continue;
            }
            match a.value.find(['{']) {
                None => {
                    r.exact.insert(a.value.to_string());
                }
                Some(0) => {}
                Some(i) => r.prefixes.push(a.value[..i].to_string()),
            }
        }
    }
    // Where `<!-- more -->` was: a heading must not take it.
    r.exact.insert(crate::markdown::MORE_ID.to_string());
    r.prefixes
        .extend(["fig-", "src-", "chart-", "timeline-", "map-", "fn-"].map(String::from));
    r.prefixes.sort();
    r.prefixes.dedup();
    r
}

impl Theme {
    /// The theme of `inputs` (its templates, the site's overrides, the built-in ones), its
    /// image functions planning copies for a one-off build.
    pub fn new(inputs: &Inputs, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let images = crate::images::Images::new(
            &inputs.root,
            &config.images,
            &config.base_path(),
            Default::default(),
        );
        Theme::with_images(inputs, config, std::sync::Arc::new(images))
    }

    /// `new`, with the image functions planning copies in `images`.
    pub fn with_images(
        inputs: &Inputs,
        config: &Config,
        images: std::sync::Arc<crate::images::Images>,
    ) -> Result<Theme, Vec<Diagnostic>> {
        let files: BTreeMap<String, PathBuf> = inputs
            .templates
            .iter()
            .map(|(n, t)| (n.clone(), t.file.clone()))
            .collect();
        let mut tera = tera::Tera::new();
        tera.register_function("asset_url", asset_url);
        register_images(&mut tera, images);
        let data = std::sync::Arc::new(functions::DataFiles::new(&inputs.root));
        tera.register_function("load_data", move |kwargs: tera::Kwargs, _: &tera::State| {
            data.load(kwargs)
        });
        tera.register_function("now", functions::now);
        let urls = std::sync::Arc::new(functions::Urls::default());
        let known = urls.clone();
        tera.register_function("get_url", move |kwargs: tera::Kwargs, _: &tera::State| {
            known.get(kwargs)
        });
        let site = functions::SiteSlot::default();
        for (name, section) in [("get_page", false), ("get_section", true)] {
            let slot = site.clone();
            tera.register_function(name, move |kwargs: tera::Kwargs, _: &tera::State| {
                functions::get_doc(&slot, section, kwargs)
            });
        }
        let slot = site.clone();
        tera.register_function(
            "get_taxonomy",
            move |kwargs: tera::Kwargs, _: &tera::State| functions::get_taxonomy(&slot, kwargs),
        );
        let slot = site.clone();
        tera.register_function(
            "get_taxonomy_url",
            move |kwargs: tera::Kwargs, _: &tera::State| functions::get_taxonomy_url(&slot, kwargs),
        );
        let mut diags = Vec::new();
        let built_in = BUILT_IN
            .iter()
            .filter(|(n, _)| !inputs.templates.contains_key(*n))
            .copied();
        if let Err(e) = tera.add_raw_templates(
            inputs
                .templates
                .iter()
                .map(|(n, t)| (n.as_str(), t.text.as_str()))
                .chain(built_in),
        ) {
            // Report every template's own syntax errors, then the set-level error if none.
            for (name, t) in &inputs.templates {
                let mut single = tera::Tera::new();
                if let Err(e) = single.add_raw_template(name, &t.text)
                    && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
                {
                    diags.push(tera_diagnostic(&e, &files));
                }
            }
            if diags.is_empty() {
                diags.extend(tera_diagnostics(&e, &files));
            }
        }
        let theme_dir = format!("themes/{}/templates", config.theme);
        for name in REQUIRED_TEMPLATES {
            if !files.contains_key(*name) {
                diags.push(
                    Diagnostic::error(
                        Span::file(format!("{theme_dir}/{name}")),
                        format!("missing template `{name}`"),
                    )
                    .with_hint(format!("add {theme_dir}/{name} or templates/{name}")),
                );
            }
        }
        if diags.is_empty() {
            let reserved = reserved_ids(&inputs.templates);
            let outside_context = inputs
                .templates
                .values()
                .any(|t| calls_outside_context(&t.text));
            let reads_site = inputs
                .templates
                .values()
                .any(|t| calls_any(&t.text, SITE_FUNCTIONS));
            Ok(Theme {
                tera,
                files,
                reserved,
                outside_context,
                urls,
                reads_site,
                site,
            })
        } else {
            Err(diags)
        }
    }

    /// See [`reserved_ids`].
    pub fn reserved_ids(&self) -> &crate::markdown::ReservedIds {
        &self.reserved
    }

    /// Whether a template calls a function that reads outside its context
    /// ([`OUTSIDE_CONTEXT`]): its renders are then never reused, nor patched by `serve`.
    pub fn reads_outside_context(&self) -> bool {
        self.outside_context
    }

    /// The site's base path and each document's URL by content path, for `get_url` (once).
    pub fn set_urls(&self, base_path: &str, docs: BTreeMap<String, String>) {
        self.urls.set(base_path, docs);
    }

    /// Whether a template calls one of [`SITE_FUNCTIONS`] (the renderer then fills
    /// [`Theme::fill_site`] before its first render).
    pub fn reads_site(&self) -> bool {
        self.reads_site
    }

    /// The site's pages and taxonomies for [`SITE_FUNCTIONS`], collected by `collect` the
    /// first time only (once per build: the theme is the build's).
    pub fn fill_site(&self, collect: impl FnOnce() -> SiteData) {
        self.site.get_or_init(collect);
    }

    /// Whether the theme or the site has a template of that name.
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The hint for a `template:` that names no template: the closest one, or the list.
    pub fn template_hint(&self, name: &str) -> String {
        let pages: Vec<&str> = self
            .files
            .keys()
            .map(String::as_str)
            .filter(|n| !n.starts_with("partials/") && !n.starts_with("shortcodes/"))
            .collect();
        // Compared without `.html`, which every name shares.
        let stem = |n: &str| n.trim_end_matches(".html").to_string();
        let stems: Vec<String> = pages.iter().map(|p| stem(p)).collect();
        match did_you_mean(&stem(name), stems.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}.html`?"),
            None => format!(
                "`template:` names a file in the theme's templates/ or the site's templates/: {}",
                pages.join(", ")
            ),
        }
    }

    /// Render the template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| tera_diagnostic(&e, &self.files))
    }

    /// A theme shortcode `shortcodes/<name>.html`, with its arguments as variables.
    pub fn shortcode(
        &self,
        name: &str,
        args: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<String, ShortcodeError> {
        let tpl = format!("shortcodes/{name}.html");
        if !self.has(&tpl) {
            let known: Vec<String> = self
                .files
                .keys()
                .filter_map(|k| {
                    k.strip_prefix("shortcodes/")?
                        .strip_suffix(".html")
                        .map(str::to_string)
                })
                .collect();
            let mut all: Vec<&str> = vec!["fig", "chart", "map"];
            all.extend(known.iter().map(String::as_str));
            let hint = match did_you_mean(name, all.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "shortcodes: {} (add templates/shortcodes/{name}.html for a new one)",
                    all.join(", ")
                ),
            };
            return Err(ShortcodeError {
                message: format!("unknown shortcode `{name}`"),
                hint,
            });
        }
        let ctx = tera::Context::from_serialize(args).map_err(|e| ShortcodeError {
            message: format!("shortcode `{name}`: {e}"),
            hint: "pass strings, numbers and booleans as arguments".into(),
        })?;
        self.tera.render(&tpl, &ctx).map_err(|e| {
            let d = tera_diagnostic(&e, &self.files);
            ShortcodeError {
                message: format!(
                    "shortcode `{name}`: {} ({}:{}:{})",
                    d.message,
                    d.span.file.display(),
                    d.span.line,
                    d.span.col
                ),
                hint: d.hint.unwrap_or_default(),
            }
        })
    }
}

/// A Tera error as diagnostics: Tera reports the unknown functions, filters and tests of a
/// template set in one message of several reports (`error: ...\n --> file:line:col`).
pub fn tera_diagnostics(e: &tera::Error, files: &BTreeMap<String, PathBuf>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let tera::ErrorKind::Msg(m) = e.kind() {
        let mut rest = m.as_str();
        while let Some(i) = rest.find("error: ") {
            rest = &rest[i + "error: ".len()..];
            let message = rest.lines().next().unwrap_or("").trim().to_string();
            let Some(at) = rest.find(" --> ") else { break };
            let place = rest[at + 5..].lines().next().unwrap_or("");
            let mut parts = place.rsplitn(3, ':');
            let (col, line, name) = (parts.next(), parts.next(), parts.next());
            if let (Some(c), Some(l), Some(name)) = (col, line, name)
                && let (Ok(l), Ok(c)) = (l.parse::<usize>(), c.parse::<usize>())
            {
                let file = files
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| PathBuf::from(name));
                let what = message
                    .split('`')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_lowercase();
                out.push(
                    Diagnostic::error(Span::new(file, l, c), message)
                        .with_hint(format!("check the spelling: Tera 2 has no such {}; see the Tera 2 documentation for the built-in filters, tests and functions", what.trim_start_matches("unknown ").trim())),
                );
            }
            rest = &rest[at..];
        }
    }
    if out.is_empty() {
        out.push(tera_diagnostic(e, files));
    }
    out
}

/// A Tera error as a diagnostic pointing into the template file.
pub fn tera_diagnostic(e: &tera::Error, files: &BTreeMap<String, PathBuf>) -> Diagnostic {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut messages = Vec::new();
    while let Some(err) = cur {
        if let Some(te) = err.downcast_ref::<tera::Error>() {
            match te.kind() {
                tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                    let file = files
                        .get(r.filename())
                        .cloned()
                        .unwrap_or_else(|| PathBuf::from(r.filename()));
                    let span = Span::new(file, r.span().start_line, r.span().start_col + 1);
                    let msg = r.message().to_string();
                    if let Some((msg, hint)) = msg.split_once(functions::HINT) {
                        return Diagnostic::error(span, msg).with_hint(hint);
                    }
                    let hint = if msg.contains("not found")
                        || msg.contains("not defined")
                        || msg.contains("undefined")
                        || msg.contains("Undefined")
                    {
                        "Tera 2 is strict: test optional values with `{% if x %}` or use `| default(value=...)`; see README.md for the variables each template gets"
                    } else {
                        "see the Tera 2 documentation for the syntax"
                    };
                    return Diagnostic::error(span, msg).with_hint(hint);
                }
                tera::ErrorKind::MissingParent { current, parent } => {
                    let file = files
                        .get(current)
                        .cloned()
                        .unwrap_or_else(|| PathBuf::from(current));
                    return Diagnostic::error(
                        Span::file(file),
                        format!("template `{current}` extends `{parent}`, which does not exist"),
                    )
                    .with_hint(format!(
                        "templates: {}",
                        files.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
                tera::ErrorKind::CircularExtend {
                    tpl,
                    inheritance_chain,
                } => {
                    // `tpl` is whichever template Tera was resolving (often an innocent
                    // one like 404.html); the chain's last name closes the cycle.
                    let culprit = inheritance_chain.last().unwrap_or(tpl);
                    let file = files
                        .get(culprit)
                        .cloned()
                        .unwrap_or_else(|| PathBuf::from(culprit));
                    return Diagnostic::error(
                        Span::file(file),
                        format!(
                            "templates extend each other in a cycle: {}",
                            inheritance_chain.join(" -> ")
                        ),
                    )
                    .with_hint("one of them must not extend the other");
                }
                tera::ErrorKind::TemplateNotFound(name) => {
                    return Diagnostic::error(
                        Span::file(format!("templates/{name}")),
                        format!("missing template `{name}`"),
                    )
                    .with_hint("add it to the theme's templates/ or the site's templates/");
                }
                k => messages.push(k.to_string()),
            }
        } else {
            messages.push(err.to_string());
        }
        cur = err.source();
    }
    messages.dedup();
    let message = messages.join(": ");
    let message = message.trim_start_matches("error: ").to_string();
    // A message that names no template: the templates folder of the theme.
    let file = files
        .values()
        .next()
        .and_then(|f| f.parent())
        .map_or_else(|| PathBuf::from("templates"), Path::to_path_buf);
    Diagnostic::error(Span::file(file), message)
        .with_hint("see the Tera 2 documentation; the templates are in the folder above")
}
