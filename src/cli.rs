//! The command line: parses arguments, runs a command, prints diagnostics, returns the exit code.

use crate::content::load::Inputs;
use crate::diagnostics::Diagnostic;
use crate::model::Options;
use crate::site::{self, BuildOptions, Cache, Minify, NullSink, PutSink, Relative, Sink};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "dossier",
    version,
    about = "Static sites whose every number is sourced"
)]
/// The command line.
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// The site's folder (holds site.yaml)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include pages with `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Folder of plain-text article snapshots to verify figure quotes against
    #[arg(long)]
    pub archive_dir: Option<PathBuf>,
}

/// dossier's commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Render the site into public/ (or --out), atomically
    Build {
        /// The site, drafts and archives.
        #[command(flatten)]
        common: Common,
        /// Output folder (default: public/ in the site folder)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override base_url from site.yaml (checked like it)
        #[arg(long, value_parser = parse_base_url)]
        base_url: Option<String>,
        /// Write links relative to each page (for sub-paths and file://)
        #[arg(long)]
        relative: bool,
        /// Minify HTML, CSS and JS (after the link check, which reads the pages as rendered)
        #[arg(long)]
        minify: bool,
        /// Move an output folder that dossier did not create aside (to a printed backup) and build
        #[arg(long)]
        force: bool,
    },
    /// Run every check without writing anything
    Check {
        /// The site, drafts and archives.
        #[command(flatten)]
        common: Common,
        /// Also request every external link (sources' URLs first) and report dead ones
        #[arg(long)]
        external: bool,
        /// The User-Agent of --external's requests
        #[arg(long, value_name = "UA", requires = "external")]
        user_agent: Option<String>,
        /// Seconds one request of --external may take
        #[arg(long, value_name = "SECS", default_value_t = 10, requires = "external")]
        timeout: u64,
    },
    /// Serve the site with live reload, rebuilding on changes
    Serve {
        /// The site, drafts and archives.
        #[command(flatten)]
        common: Common,
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to bind (127.0.0.1, ::1 or [::1]; 0.0.0.0 serves the network)
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Also answer requests for this host name (repeatable; localhost and IP addresses
        /// always are)
        #[arg(long = "allow-host", value_name = "NAME", value_parser = crate::serve::http::parse_allow_host)]
        allow_host: Vec<String>,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Use a polling watcher (WSL, Docker, network drives)
        #[arg(long)]
        poll: bool,
    },
    /// Make a new site: site.yaml, a home page, a source with its archived text, an example
    /// story, .gitignore (never overwrites a file)
    Init {
        /// The new site's folder (made if missing)
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// The built-in theme
    Theme {
        /// What to do with it.
        #[command(subcommand)]
        action: ThemeAction,
    },
    /// Scaffold a new page with front matter
    New {
        /// Path of the page, e.g. content/stories/routes.md
        path: PathBuf,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// `dossier theme` commands.
#[derive(Subcommand, Debug)]
pub enum ThemeAction {
    /// Write the built-in theme to themes/default/ to customise it (refused if it exists)
    Eject {
        /// The site's folder (holds site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// `--base-url`, checked and normalised as site.yaml's `base_url` is.
fn parse_base_url(s: &str) -> Result<String, String> {
    crate::config::base_url(s).map_err(|(message, hint)| format!("{message}\n  hint: {hint}"))
}

/// Print diagnostics (see `diagnostics::in_order`).
pub fn report(diags: &[Diagnostic]) {
    if !diags.is_empty() {
        eprintln!("{}", crate::diagnostics::report(diags));
    }
}

fn model_options(c: &Common) -> Options {
    Options {
        drafts: c.drafts,
        base_url: None,
        archive_dir: c.archive_dir.clone(),
        relative: false,
        defer_html: false,
    }
}

/// Run the command line; the process's exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Build {
            common,
            out,
            base_url,
            relative,
            minify,
            force,
        } => {
            let started = Instant::now();
            let mut opts = BuildOptions {
                model: model_options(&common),
                live_reload: false,
            };
            opts.model.base_url = base_url;
            opts.model.relative = relative;
            let out = out.unwrap_or_else(|| common.root.join("public"));
            // Refuse a dangerous output folder before doing any work.
            let target = match crate::output::Target::prepare(&common.root, &out, force) {
                Ok(t) => t,
                Err(d) => {
                    report(&[d]);
                    return 1;
                }
            };
            let mut inputs = match Inputs::load(&common.root) {
                Ok(i) => i,
                Err(diags) => {
                    return fail(&diags, "build failed; the previous output is untouched");
                }
            };
            let mut minified = None;
            let built = target.write(|put| {
                let disk = PutSink(put);
                let min = minify.then(|| Minify::new(&disk));
                let mut sink: &dyn Sink = min.as_ref().map_or(&disk as &dyn Sink, |m| m);
                // Outside the minifier: `relativize` reads pages as dossier renders them.
                let rel;
                let base;
                if relative {
                    base = site::base_path(&inputs, &opts);
                    rel = Relative(sink, &base);
                    sink = &rel;
                }
                let mut built = site::render(&mut inputs, &opts, &mut Cache::disabled(), sink);
                if let Some(min) = &min {
                    let (warnings, before, after) = min.finish();
                    if let Ok(b) = &mut built {
                        b.warnings.extend(warnings);
                    }
                    minified = Some((before, after));
                }
                built
            });
            match built {
                Ok((built, notes)) => {
                    let mut warnings = built.warnings;
                    warnings.extend(notes);
                    report(&warnings);
                    let minified = minified.map_or(String::new(), |(before, after)| {
                        format!(
                            " (minified: {} KB of HTML, CSS and JS to {} KB)",
                            before.div_ceil(1024),
                            after.div_ceil(1024)
                        )
                    });
                    eprintln!(
                        "built {} files into {} in {} ms{minified}",
                        built.written,
                        out.display(),
                        started.elapsed().as_millis()
                    );
                    0
                }
                Err(diags) => fail(&diags, "build failed; the previous output is untouched"),
            }
        }
        Command::Check {
            common,
            external,
            user_agent,
            timeout,
        } => check(&common, external, user_agent, timeout),
        Command::Serve {
            common,
            port,
            bind,
            open,
            poll,
            allow_host,
        } => crate::serve::run(crate::serve::ServeOptions {
            root: common.root.clone(),
            model: model_options(&common),
            port,
            bind,
            open,
            poll,
            allow_hosts: allow_host,
        }),
        Command::New { path, root } => new_page(&root, &path),
        Command::Init { dir } => init(&dir),
        Command::Theme {
            action: ThemeAction::Eject { root },
        } => eject(&root),
    }
}

fn init(dir: &Path) -> i32 {
    match crate::content::init::init(dir) {
        Ok(files) => {
            for f in &files {
                eprintln!("created {}", f.display());
            }
            let root = if dir == Path::new(".") {
                String::new()
            } else {
                format!(" --root {}", dir.display())
            };
            eprintln!(
                "a new site is in {}: edit site.yaml (title, base_url), then preview it with `dossier serve{root}` or build it with `dossier build{root}`",
                dir.display()
            );
            0
        }
        Err(e) => {
            eprintln!(
                "error: {e}\n  hint: give `dossier init` a new or empty folder, e.g. `dossier init my-site`"
            );
            1
        }
    }
}

fn eject(root: &Path) -> i32 {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        eprintln!(
            "error: no site.yaml in {}\n  hint: run `dossier theme eject` in a site's folder, or pass --root",
            root.display()
        );
        return 1;
    }
    match crate::content::theme::eject(root) {
        Ok((dest, n)) => {
            eprintln!(
                "wrote the built-in theme ({n} files) to {}: `theme: default` now uses it; edit it there (a file in templates/ still replaces its namesake)",
                dest.display()
            );
            0
        }
        Err(e) => {
            eprintln!(
                "error: {e}\n  hint: move the folder away to eject a fresh copy, or edit the theme that is there"
            );
            1
        }
    }
}

/// `dossier check`, and with `external` the link check of every external link.
fn check(common: &Common, external: bool, user_agent: Option<String>, timeout: u64) -> i32 {
    let opts = BuildOptions {
        model: model_options(common),
        live_reload: false,
    };
    let mut collected = None;
    let checked = Inputs::load(&common.root).and_then(|mut inputs| {
        if !external {
            return site::render(&mut inputs, &opts, &mut Cache::disabled(), &NullSink);
        }
        let base_url = inputs.config.base_url.clone();
        let base_path = inputs.config.base_path();
        let collect = crate::external::Collect::new(&base_url);
        let r = site::render(&mut inputs, &opts, &mut Cache::disabled(), &collect);
        collected = Some((collect, base_path));
        r
    });
    match checked {
        Ok(built) => {
            report(&built.warnings);
            eprintln!("check passed: {} files would be written", built.written);
            match collected {
                Some((collect, base_path)) => {
                    let mut ext = crate::external::Options {
                        timeout: std::time::Duration::from_secs(timeout.max(1)),
                        ..Default::default()
                    };
                    if let Some(ua) = user_agent {
                        ext.user_agent = ua;
                    }
                    external_links(collect, &base_path, &ext)
                }
                None => 0,
            }
        }
        Err(diags) => fail(&diags, "check failed"),
    }
}

/// `check --external`: request the collected links and print what was found; 1 when a
/// link is dead.
fn external_links(
    collect: crate::external::Collect,
    base_path: &str,
    opts: &crate::external::Options,
) -> i32 {
    let mut links = collect.into_links();
    let domains: std::collections::BTreeSet<&str> =
        links.iter().map(|l| l.domain.as_str()).collect();
    eprintln!(
        "checking {} external link{} on {} domain{} (sources' URLs first, {} s timeout)",
        links.len(),
        if links.len() == 1 { "" } else { "s" },
        domains.len(),
        if domains.len() == 1 { "" } else { "s" },
        opts.timeout.as_secs()
    );
    crate::external::check(&mut links, opts);
    let url_of = |page: &str| format!("{base_path}/{}", page.trim_end_matches("index.html"));
    print!("{}", crate::external::report(&links, &url_of));
    let dead = links
        .iter()
        .filter(|l| {
            !l.outcome
                .as_ref()
                .is_some_and(crate::external::Outcome::is_ok)
        })
        .count();
    if dead > 0 {
        eprintln!(
            "external check failed: {dead} dead link{}",
            if dead == 1 { "" } else { "s" }
        );
        1
    } else {
        eprintln!("external check passed");
        0
    }
}

fn fail(diags: &[Diagnostic], what: &str) -> i32 {
    report(diags);
    let n = diags.iter().filter(|d| d.is_error()).count();
    eprintln!("{what}: {n} error{}", if n == 1 { "" } else { "s" });
    1
}

fn new_page(root: &Path, path: &Path) -> i32 {
    // A page lives in content/: `..` or an absolute path elsewhere would write outside it.
    let path_clean: PathBuf = path
        .components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect();
    let content = std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf())
        .join("content");
    let rel = if path_clean.is_absolute() {
        path_clean.strip_prefix(&content).ok()
    } else {
        // Relative to the site folder: a page's path starts with content/.
        path_clean.strip_prefix("content").ok()
    };
    let Some(rel) = rel.filter(|r| {
        r.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
    }) else {
        eprintln!(
            "error: {} is not inside the site's content/ folder\n  hint: pages live in content/, e.g. `dossier new content/{}`",
            path.display(),
            path_clean
                .components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        );
        return 1;
    };
    let full = root.join("content").join(rel);
    if full.extension().and_then(|e| e.to_str()) != Some("md") {
        eprintln!("error: {} must end in .md", path.display());
        return 1;
    }
    if full.exists() {
        eprintln!(
            "error: {} already exists; dossier never overwrites a page",
            full.display()
        );
        return 1;
    }
    let stem = full
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let title = if stem == "_index" {
        full.parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    } else {
        stem
    };
    let title: String = title.replace(['-', '_'], " ");
    let mut chars = title.chars();
    let title = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default();
    let today = jiff::Zoned::now().date();
    // The title as a YAML string, whatever it holds (quotes, backslashes, `: `).
    let title = serde_yaml::to_string(&title).unwrap_or_default();
    let text = format!(
        "---\ntitle: {}\nsummary: \"\"\ndate: {today}\ndraft: true\ntags: []\nplaces: []\nfigures: []\n---\n\nWrite the story here. Cite sources with `[@source-id]` and quote figures with `{{{{ fig(id=\"figure-id\") }}}}` (without the backticks).\n",
        title.trim_end()
    );
    if let Some(parent) = full.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        eprintln!("error: cannot create {}: {e}", parent.display());
        return 1;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&full)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
    {
        Ok(()) => {
            eprintln!(
                "created {} (draft: build with --drafts to see it)",
                full.display()
            );
            0
        }
        Err(e) => {
            eprintln!("error: cannot create {}: {e}", full.display());
            1
        }
    }
}
