//! Stage 1: read the site's files from disk. Nothing here interprets Markdown or templates;
//! `Inputs` is everything a build needs, so `serve` can patch it file by file.

use super::theme;
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folders of a site that hold its inputs (besides site.yaml at its root).
pub const SITE_FOLDERS: [&str; 4] = ["content", "themes", "templates", "static"];

/// The source registry's file, in content/.
pub const SOURCES_FILE: &str = "sources.yaml";

/// The registries of names, in content/: places, measures, claimants (`sources::names`).
pub const NAME_FILES: [&str; 3] = ["places.yaml", "measures.yaml", "claimants.yaml"];

/// A template's text and the file it came from (for diagnostics).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateFile {
    /// Where it came from, for diagnostics (`themes/default/templates/page.html`).
    pub file: PathBuf,
    /// Its text.
    pub text: String,
}

/// A file a build copies to the output as it is: one of the site's, or of the built-in theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asset {
    /// A file on disk.
    File(PathBuf),
    /// A file of the built-in theme: its path in the theme (`static/style.css`) and bytes.
    Builtin(&'static str, &'static [u8]),
}

impl Asset {
    /// The file as diagnostics name it: relative to the site's folder `root`, or in the
    /// built-in theme.
    pub fn shown(&self, root: &Path) -> String {
        match self {
            Asset::File(p) => rel(p, root),
            Asset::Builtin(p, _) => format!("{}/{p}", super::theme::SHOWN),
        }
    }
}

/// Every file a build reads, as read from disk.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The site's folder.
    pub root: PathBuf,
    /// site.yaml's text (for positions in diagnostics).
    pub config_text: String,
    /// site.yaml, parsed.
    pub config: Config,
    /// Markdown files by content-relative path (`stories/routes.md`), with their text.
    pub pages: BTreeMap<String, String>,
    /// The text of content/sources.yaml, if there is one.
    pub sources: Option<String>,
    /// The texts of the registries of names there are (`NAME_FILES`), by file name.
    pub names: BTreeMap<String, String>,
    /// The bibliographies site.yaml's `sources:` lists, by the path written there (relative
    /// to the site root), with their text.
    pub source_files: BTreeMap<String, String>,
    /// Template name -> file: the theme's, replaced by the site's `templates/` file by file.
    pub templates: BTreeMap<String, TemplateFile>,
    /// Output path (`style.css`, `stories/routes/map.png`) -> file to copy.
    pub assets: BTreeMap<String, Asset>,
    /// Content assets: content-relative path (`My Stories/map.png`) -> output path
    /// (`my-stories/map.png`: folders are named as the pages' URLs name them).
    pub content_assets: BTreeMap<String, String>,
    /// The output paths of the site's own `static/` files (they may replace a generated file).
    pub site_static: std::collections::BTreeSet<String>,
    /// Symlinks that lead outside the site folder, skipped (see [`walk`]), and the missing
    /// home page.
    pub warnings: Vec<Diagnostic>,
    /// The theme is dossier's built-in one (`theme: default` and no `themes/default/`).
    pub builtin_theme: bool,
    /// The site has no `content/_index.md`: `pages` holds [`default_home`] in its place.
    pub default_home: bool,
}

/// Paths that never belong to a build: editor droppings and VCS folders.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') && name != ".well-known"
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name.starts_with(".#")
}

/// The output path of a content asset: its folders slugified as page URLs are (`My
/// Stories/map.png` -> `my-stories/map.png`, beside the page `/my-stories/...`), its file name
/// as it is.
pub fn asset_output_path(rel: &str) -> String {
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    let file = parts.pop().unwrap_or_default();
    let mut out: Vec<String> = parts
        .iter()
        .map(slug::slugify)
        .filter(|p| !p.is_empty())
        .collect();
    out.push(file);
    out.join("/")
}

/// `path` relative to `base`, with '/' separators.
pub fn rel(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` (following every symlink) lies inside `real_root` (canonical). A path that
/// cannot be resolved (a dangling link, a file that just went away) does not.
pub fn resolves_inside(real_root: &Path, path: &Path) -> bool {
    path.canonicalize().is_ok_and(|p| p.starts_with(real_root))
}

fn outside_warning(shown: &str, path: &Path) -> Diagnostic {
    let target = path
        .canonicalize()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "?".into());
    Diagnostic::warning(
        Span::file(shown),
        format!("`{shown}` is a symlink to {target}, outside the site folder: skipped"),
    )
    .with_hint("dossier publishes only files inside the site folder; copy the file in instead")
}

/// The files under `dir`, following symlinks that stay inside the site (`real_root`, the
/// canonical site folder; `root` is the folder as given, for messages). A symlink that leads
/// outside it is skipped with a warning, so neither `build` nor `serve` ever publishes a file
/// from elsewhere on the machine.
fn walk(dir: &Path, root: &Path, real_root: &Path, warnings: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    if !resolves_inside(real_root, dir) {
        warnings.push(outside_warning(&rel(dir, root), dir));
        return Vec::new();
    }
    let mut problems = Vec::new();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if is_ignored(&e.file_name().to_string_lossy()) {
                return false;
            }
            if e.path_is_symlink() && !resolves_inside(real_root, e.path()) {
                if e.path().exists() {
                    warnings.push(outside_warning(&rel(e.path(), root), e.path()));
                }
                return false;
            }
            true
        })
        .filter_map(|e| match e {
            Ok(e) => Some(e),
            Err(e) => {
                problems.push(e);
                None
            }
        })
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    // What could not be read is said, never dropped in silence.
    for e in problems {
        let path = e
            .path()
            .map(|p| rel(p, root))
            .unwrap_or_else(|| rel(dir, root));
        let (message, hint) = if let Some(ancestor) = e.loop_ancestor() {
            let back = match ancestor.strip_prefix(real_root) {
                Ok(r) if r.as_os_str().is_empty() => "the site folder".to_string(),
                Ok(r) => format!("`{}`", rel(r, Path::new(""))),
                Err(_) => format!("`{}`", ancestor.display()),
            };
            (
                format!("`{path}` is a symlink loop (back to {back}): skipped"),
                "remove the link, or point it at a folder that does not contain it",
            )
        } else {
            let why = e
                .io_error()
                .map_or_else(|| e.to_string(), ToString::to_string);
            (
                format!("cannot read `{path}` ({why}): skipped"),
                "check the folder's permissions (dossier must be able to list and read it)",
            )
        };
        warnings.push(Diagnostic::warning(Span::file(&path), message).with_hint(hint));
    }
    let mut names: BTreeMap<String, &PathBuf> = BTreeMap::new();
    for f in &files {
        let raw = f.strip_prefix(root).unwrap_or(f);
        let shown = rel(f, root);
        if raw.to_str().is_none() {
            warnings.push(
                Diagnostic::warning(
                    Span::file(&shown),
                    format!("the name of `{shown}` is not valid UTF-8 (shown here with U+FFFD)"),
                )
                .with_hint("rename the file with a UTF-8 name"),
            );
        }
        if let Some(first) = names.insert(shown.clone(), f) {
            warnings.push(
                Diagnostic::warning(
                    Span::file(&shown),
                    format!(
                        "`{}` and another file both read as `{shown}`: only one is used",
                        first.display()
                    ),
                )
                .with_hint("rename the files with distinct UTF-8 names"),
            );
        }
    }
    files.sort();
    files
}

/// The home page's content path.
pub const HOME: &str = "_index.md";

/// The home page of a site without `content/_index.md`: the site's title, and whatever the
/// theme lists on a home page (its sections and pages). Without it the theme's links home
/// would all be broken, and top-level sections would be missing from the menu.
pub fn default_home(config: &Config) -> String {
    let title = serde_yaml::to_string(&config.title).unwrap_or_default();
    format!("---\ntitle: {}\n---\n", title.trim_end())
}

/// The warning for a site without a home page, with the fix.
pub fn no_home_warning() -> Diagnostic {
    Diagnostic::warning(
        Span::file(format!("content/{HOME}")),
        "the site has no home page: content/_index.md is missing, so the home page only lists the sections and pages under the site's title",
    )
    .with_hint("create content/_index.md: a front matter with a `title:` between two `---` lines, then the home page's text (`dossier init` in an empty folder writes an example)")
}

/// A text file's contents, without a leading byte order mark (legal in UTF-8 files, and
/// written by some editors; YAML and Tera would read it as text).
pub fn read_text(path: &Path, shown: &str) -> Result<String, Diagnostic> {
    let mut bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(Span::file(shown), format!("cannot read file: {e}")))?;
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).to_string();
        let (line, col) = crate::diagnostics::line_col(&text, valid);
        Diagnostic::error(Span::new(shown, line, col), "file is not valid UTF-8")
            .with_hint("save the file as UTF-8")
    })
}

/// The names, relative to content/, of the listed files that are in content/.
fn in_content(names: &[String]) -> std::collections::BTreeSet<String> {
    names
        .iter()
        .filter_map(|n| n.strip_prefix("content/"))
        .map(str::to_string)
        .collect()
}

/// The bibliographies site.yaml's `sources:` lists, by the name written there; a missing one
/// is an error at its line of site.yaml.
fn read_source_files(
    root: &Path,
    config: &Config,
    config_text: &str,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut source_files = BTreeMap::new();
    for (i, name) in config.sources.iter().enumerate() {
        match read_text(&root.join(name), name) {
            Ok(t) => {
                source_files.insert(name.clone(), t);
            }
            Err(mut d) if !root.join(name).is_file() => {
                d.span = crate::yaml::span_of(
                    Path::new(CONFIG_FILE),
                    config_text,
                    1,
                    &format!("sources[{i}]"),
                    false,
                );
                d.message = format!("source file `{name}` not found");
                d.hint = Some(
                    "`sources:` lists .bib, CSL-JSON and Hayagriva YAML files, relative to the site folder"
                        .into(),
                );
                diags.push(d);
            }
            Err(d) => diags.push(d),
        }
    }
    source_files
}

/// site.yaml's text and what it says.
fn read_config(root: &Path) -> Result<(String, Config), Diagnostic> {
    let config_path = root.join(CONFIG_FILE);
    if !config_path.is_file() {
        return Err(
            Diagnostic::error(Span::file(CONFIG_FILE), "no site.yaml in the site folder")
                .with_hint(format!(
                    "run dossier in the site's folder or pass --root (looked in {})",
                    root.display()
                )),
        );
    }
    let config_text = read_text(&config_path, CONFIG_FILE)?;
    let config = Config::parse(&config_text, Path::new(CONFIG_FILE))?;
    Ok((config_text, config))
}

impl Inputs {
    /// Read the site at `root`.
    pub fn load(root: &Path) -> Result<Inputs, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let (config_text, config) = read_config(root).map_err(|d| vec![d])?;

        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut warnings = Vec::new();
        let content_dir = root.join("content");
        let source_files = read_source_files(root, &config, &config_text, &mut diags);
        // A bibliography kept in content/ is an input, never published as an asset.
        let imported = in_content(&config.sources);
        let mut pages = BTreeMap::new();
        let mut assets = BTreeMap::new();
        let mut content_assets = BTreeMap::new();
        let mut sources = None;
        let mut names = BTreeMap::new();
        for file in walk(&content_dir, root, &real_root, &mut warnings) {
            let r = rel(&file, &content_dir);
            let shown = format!("content/{r}");
            let mut text = || read_text(&file, &shown).map_err(|d| diags.push(d)).ok();
            if r == SOURCES_FILE {
                sources = text();
            } else if NAME_FILES.contains(&r.as_str()) {
                if let Some(t) = text() {
                    names.insert(r, t);
                }
            } else if imported.contains(&r) {
            } else if r.ends_with(".md") {
                if let Some(t) = text() {
                    pages.insert(r, t);
                }
            } else {
                let out = asset_output_path(&r);
                content_assets.insert(r, out.clone());
                assets.insert(out, Asset::File(file));
            }
        }
        let default_home = !pages.contains_key(HOME);
        if default_home {
            pages.insert(HOME.to_string(), self::default_home(&config));
            warnings.push(no_home_warning());
        }

        let theme_dir = root.join("themes").join(&config.theme);
        // A themes/default/ of the site's own (even a broken one) replaces the built-in theme.
        let builtin_theme = config.theme == theme::NAME && theme_dir.symlink_metadata().is_err();
        let mut templates = BTreeMap::new();
        if !builtin_theme {
            check_theme(root, &config, &config_text, &mut diags, &mut warnings);
        }
        let mut static_files = BTreeMap::new();
        if builtin_theme {
            for (path, bytes) in theme::files() {
                if let Some(name) = path.strip_prefix("templates/") {
                    templates.insert(name.to_string(), builtin_template(path, bytes));
                } else if let Some(name) = path.strip_prefix("static/") {
                    static_files.insert(name.to_string(), Asset::Builtin(path, bytes));
                }
            }
        }
        for (base, shown_base) in [
            (
                theme_dir.join("templates"),
                format!("themes/{}/templates", config.theme),
            ),
            (root.join("templates"), "templates".to_string()),
        ] {
            for file in walk(&base, root, &real_root, &mut warnings) {
                let name = rel(&file, &base);
                let shown = format!("{shown_base}/{name}");
                match read_text(&file, &shown) {
                    Ok(text) => {
                        templates.insert(
                            name,
                            TemplateFile {
                                file: PathBuf::from(shown),
                                text,
                            },
                        );
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
        let mut site_static = std::collections::BTreeSet::new();
        for base in [theme_dir.join("static"), root.join("static")] {
            let own = base == root.join("static");
            for file in walk(&base, root, &real_root, &mut warnings) {
                let name = rel(&file, &base);
                if own {
                    site_static.insert(name.clone());
                }
                static_files.insert(name, Asset::File(file));
            }
        }
        // Site static files win over the theme's; content assets sit beside their pages.
        static_files.extend(assets);

        if diags.is_empty() {
            Ok(Inputs {
                root: root.to_path_buf(),
                config_text,
                config,
                pages,
                sources,
                names,
                source_files,
                templates,
                assets: static_files,
                content_assets,
                site_static,
                warnings,
                builtin_theme,
                default_home,
            })
        } else {
            Err(diags)
        }
    }
}

/// The theme folder of a site that does not use the built-in theme: an error if it is not
/// there, a warning if it is a `themes/default/` without templates.
fn check_theme(
    root: &Path,
    config: &Config,
    config_text: &str,
    diags: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let theme_dir = root.join("themes").join(&config.theme);
    if !theme_dir.is_dir() {
        diags.push(theme_not_found(root, config, config_text));
    } else if config.theme == theme::NAME && !theme_dir.join("templates").is_dir() {
        warnings.push(shadowed_theme_warning());
    }
}

/// site.yaml names a theme that is neither in themes/ nor built in, or the site's
/// `themes/default` is not a folder (which would stand in for the built-in theme).
fn theme_not_found(root: &Path, config: &Config, config_text: &str) -> Diagnostic {
    if config.theme == theme::NAME {
        let shown = format!("themes/{}", theme::NAME);
        return Diagnostic::error(
            Span::file(&shown),
            format!("`{shown}` is not a folder (a file, or a link to nothing), and it stands in for the built-in theme"),
        )
        .with_hint(format!("remove `{shown}` to use the built-in theme (`dossier theme eject` then writes a copy there to customise)"));
    }
    let mut available: Vec<String> = std::fs::read_dir(root.join("themes"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| !is_ignored(n))
                .collect()
        })
        .unwrap_or_default();
    available.sort();
    if !available.iter().any(|n| n == theme::NAME) {
        available.push(format!("{} (built in)", theme::NAME));
    }
    Diagnostic::error(
        crate::yaml::span_of(Path::new(CONFIG_FILE), config_text, 1, "theme", false),
        format!("theme `{}` not found in themes/", config.theme),
    )
    .with_hint(format!("available themes: {}", available.join(", ")))
}

/// The site's `themes/default/` replaces the built-in theme whole, and has no templates:
/// every page will miss its template, and the reason is here, not at each of them.
fn shadowed_theme_warning() -> Diagnostic {
    let shown = format!("themes/{}", theme::NAME);
    Diagnostic::warning(
        Span::file(&shown),
        format!("`{shown}/` has no templates/, yet it replaces the built-in theme whole (not file by file)"),
    )
    .with_hint(format!("to change a few of the theme's files, put them in the site's templates/ and static/ and remove `{shown}/`; for a whole copy to edit, remove it and run `dossier theme eject`"))
}

/// A template of the built-in theme (`path` in the theme: `templates/page.html`).
fn builtin_template(path: &str, bytes: &[u8]) -> TemplateFile {
    TemplateFile {
        file: PathBuf::from(format!("{}/{path}", theme::SHOWN)),
        // The theme's files are dossier's own, UTF-8 (a unit test reads them all).
        text: String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// What [`Inputs::reload_file`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// A Markdown file under content/ changed, appeared or went away.
    Page(String),
    /// content/sources.yaml, or a registry of names (`NAME_FILES`).
    Sources,
    /// A template (the theme's or the site's override), by name.
    Template(String),
    /// A file copied to the output, by output path.
    Asset(String),
    /// Not part of a build (editor droppings, other themes, the output folder).
    Ignored,
    /// site.yaml, a folder, or anything that cannot be patched in place: call `Inputs::load`.
    Reload,
}

impl Inputs {
    /// Re-reads one file after it changed on disk or disappeared (`rel_path` is relative to the
    /// root, with '/' separators), so that the result equals a fresh `Inputs::load`. An
    /// unreadable file is dropped and its diagnostic returned.
    pub fn reload_file(&mut self, rel_path: &str) -> Result<Reloaded, Diagnostic> {
        if let Some(name) = self
            .config
            .sources
            .iter()
            .find(|n| n.trim_start_matches("./") == rel_path)
            .cloned()
        {
            let full = self.root.join(&name);
            if !full.is_file() {
                // The full load reports the missing file at its line of site.yaml.
                return Ok(Reloaded::Reload);
            }
            let text = read_text(&full, &name)?;
            self.source_files.insert(name, text);
            return Ok(Reloaded::Sources);
        }
        let parts: Vec<&str> = rel_path.split('/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty()
            || parts.iter().any(|p| is_ignored(p) || *p == "..")
            || !(SITE_FOLDERS.contains(&parts[0]) || parts[0] == CONFIG_FILE)
        {
            return Ok(Reloaded::Ignored);
        }
        let full = self.root.join(parts.join("/"));
        // One of the site's folders itself (moved away, replaced, made anew), or a path that
        // was a folder of inputs and is now a file or gone (a folder moved away reports only
        // its own name, not its files): rescan everything.
        if (parts.len() == 1 && parts[0] != CONFIG_FILE) || self.holds_inputs_under(&parts) {
            return Ok(Reloaded::Reload);
        }
        // A symlink (or a file under a linked folder) that leads outside the site: the full
        // load skips it and says so.
        if full.exists() {
            let real_root = self
                .root
                .canonicalize()
                .unwrap_or_else(|_| self.root.clone());
            if !resolves_inside(&real_root, &full) {
                return Ok(Reloaded::Reload);
            }
        }
        // A folder that appeared, or a path without an extension that went away (perhaps a
        // folder): rescan everything.
        let last = parts[parts.len() - 1];
        if full.is_dir() || (!full.exists() && !last.contains('.')) {
            return Ok(Reloaded::Reload);
        }
        let theme = self.config.theme.clone();
        match parts.as_slice() {
            [CONFIG_FILE] => Ok(Reloaded::Reload),
            ["content", rest @ ..] if !rest.is_empty() => {
                let r = rest.join("/");
                if !full.exists() && self.has_files_under(&r) {
                    return Ok(Reloaded::Reload);
                }
                if r == SOURCES_FILE {
                    self.sources = None;
                    if full.is_file() {
                        self.sources = Some(read_text(&full, &format!("content/{r}"))?);
                    }
                    Ok(Reloaded::Sources)
                } else if NAME_FILES.contains(&r.as_str()) {
                    self.names.remove(&r);
                    if full.is_file() {
                        let text = read_text(&full, &format!("content/{r}"))?;
                        self.names.insert(r, text);
                    }
                    Ok(Reloaded::Sources)
                } else if r.ends_with(".md") {
                    self.pages.remove(&r);
                    let read = if full.is_file() {
                        read_text(&full, &format!("content/{r}"))
                            .map(|text| self.pages.insert(r.clone(), text))
                            .map(|_| ())
                    } else {
                        Ok(())
                    };
                    // The home page came or went: the warning with it, which the last
                    // build's fast paths would repeat.
                    if r == HOME && self.home_in_place() {
                        return read.map(|()| Reloaded::Reload);
                    }
                    read.map(|()| Reloaded::Page(r))
                } else {
                    // Links to content assets are resolved in Markdown: one that comes or
                    // goes changes pages.
                    let out = asset_output_path(&r);
                    let was = self.content_assets.remove(&r).is_some();
                    if full.is_file() {
                        self.content_assets.insert(r.clone(), out.clone());
                    }
                    let reloaded = self.reload_asset(&out);
                    Ok(if was == full.is_file() {
                        reloaded
                    } else {
                        Reloaded::Page(r)
                    })
                }
            }
            ["templates", rest @ ..] if !rest.is_empty() => self.reload_template(&rest.join("/")),
            ["static", rest @ ..] if !rest.is_empty() => {
                let name = rest.join("/");
                self.site_static.remove(&name);
                if full.is_file() {
                    self.site_static.insert(name.clone());
                }
                Ok(self.reload_asset(&name))
            }
            // A theme folder of the site's own appeared: it replaces the built-in one.
            ["themes", t, ..] if *t == theme && self.builtin_theme => Ok(Reloaded::Reload),
            ["themes", t, kind, rest @ ..] if *t == theme && !rest.is_empty() => match *kind {
                "templates" => self.reload_template(&rest.join("/")),
                "static" => Ok(self.reload_asset(&rest.join("/"))),
                _ => Ok(Reloaded::Ignored),
            },
            ["themes", t, ..] if *t == theme => Ok(Reloaded::Reload),
            _ => Ok(Reloaded::Ignored),
        }
    }

    /// [`default_home`] in place of a missing content/_index.md, with its warning; or neither,
    /// now that the site has one. Whether that changed.
    fn home_in_place(&mut self) -> bool {
        let missing = !self.pages.contains_key(HOME);
        let changed = missing != self.default_home;
        if missing && !self.default_home {
            self.warnings.push(no_home_warning());
        } else if !missing && self.default_home {
            let w = no_home_warning();
            self.warnings.retain(|d| *d != w);
        }
        if missing {
            self.pages
                .insert(HOME.to_string(), default_home(&self.config));
        }
        self.default_home = missing;
        changed
    }

    /// Whether any input was read from under `parts` (root-relative) as a folder.
    fn holds_inputs_under(&self, parts: &[&str]) -> bool {
        let theme = self.config.theme.as_str();
        let (inside, assets_too) = match parts {
            ["content", rest @ ..] => (rest, true),
            ["static", rest @ ..] => (rest, true),
            ["templates", rest @ ..] => (rest, false),
            ["themes", t, "static", rest @ ..] if *t == theme => (rest, true),
            ["themes", t, "templates", rest @ ..] if *t == theme => (rest, false),
            _ => return false,
        };
        if inside.is_empty() {
            return false;
        }
        let prefix = format!("{}/", inside.join("/"));
        fn any_under<V>(map: &BTreeMap<String, V>, prefix: &str) -> bool {
            map.range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|(k, _)| k.starts_with(prefix))
        }
        (parts[0] == "content" && any_under(&self.pages, &prefix))
            || if assets_too {
                any_under(&self.assets, &prefix)
            } else {
                any_under(&self.templates, &prefix)
            }
    }

    fn has_files_under(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        let under = |k: &String| k.starts_with(&prefix);
        self.pages.keys().any(under)
            || self.assets.keys().any(under)
            || self.root.join("content").join(dir).is_dir()
    }

    fn reload_template(&mut self, name: &str) -> Result<Reloaded, Diagnostic> {
        self.templates.remove(name);
        let theme_base = format!("themes/{}/templates", self.config.theme);
        for shown_base in ["templates", theme_base.as_str()] {
            let file = self.root.join(shown_base).join(name);
            if file.is_file() {
                let shown = format!("{shown_base}/{name}");
                let text = read_text(&file, &shown)?;
                self.templates.insert(
                    name.to_string(),
                    TemplateFile {
                        file: PathBuf::from(shown),
                        text,
                    },
                );
                return Ok(Reloaded::Template(name.to_string()));
            }
        }
        let path = format!("templates/{name}");
        if self.builtin_theme
            && let Some(bytes) = theme::file(&path)
        {
            self.templates
                .insert(name.to_string(), builtin_template(&path, bytes));
        }
        Ok(Reloaded::Template(name.to_string()))
    }

    /// Content assets win over the site's static files, which win over the theme's.
    fn reload_asset(&mut self, name: &str) -> Reloaded {
        self.assets.remove(name);
        let content = self
            .content_assets
            .iter()
            .find(|(_, out)| out.as_str() == name)
            .map(|(r, _)| self.root.join("content").join(r));
        let candidates = [
            content,
            Some(self.root.join("static").join(name)),
            Some(
                self.root
                    .join("themes")
                    .join(&self.config.theme)
                    .join("static")
                    .join(name),
            ),
        ];
        if let Some(file) = candidates.into_iter().flatten().find(|f| f.is_file()) {
            self.assets.insert(name.to_string(), Asset::File(file));
        } else if self.builtin_theme
            && let Some((path, bytes)) = theme::files()
                .into_iter()
                .find(|(p, _)| p.strip_prefix("static/") == Some(name))
        {
            self.assets
                .insert(name.to_string(), Asset::Builtin(path, bytes));
        }
        Reloaded::Asset(name.to_string())
    }
}
