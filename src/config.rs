//! `site.yaml`: the site's configuration.

use crate::diagnostics::Diagnostic;
use crate::yaml;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub base_url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    #[serde(default = "default_highlight_theme")]
    pub highlight_theme: String,
    /// At most this many sections and top-level pages in `site.menu` (after the home page).
    #[serde(default = "default_menu_limit")]
    pub menu_limit: usize,
    /// Folder of plain-text article snapshots, relative to the site root (see `--archive-dir`).
    #[serde(default)]
    pub archive_dir: Option<String>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_menu_limit() -> usize {
    8
}
fn default_feed_limit() -> usize {
    20
}
fn default_highlight_theme() -> String {
    "InspiredGitHub".into()
}

pub const CONFIG_FILE: &str = "site.yaml";

impl Config {
    pub fn parse(text: &str, file: &Path) -> Result<Config, Diagnostic> {
        let mut config: Config = yaml::parse(text, file, 1)?;
        let url = config.base_url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/')) {
            return Err(Diagnostic::error(
                yaml::span_of(file, text, 1, "base_url", false),
                format!("base_url `{}` is not an absolute URL", config.base_url),
            )
            .with_hint("write it like `https://example.org/` or `https://example.org/sub/`"));
        }
        config.base_url = url;
        Ok(config)
    }

    /// The path part of base_url, without a trailing slash: "" at a domain root.
    pub fn base_path(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        match rest.find('/') {
            Some(i) if !self.base_url.starts_with('/') => {
                rest[i..].trim_end_matches('/').to_string()
            }
            _ if self.base_url.starts_with('/') => self.base_url.trim_end_matches('/').to_string(),
            _ => String::new(),
        }
    }

    /// The origin (scheme and host) of base_url.
    pub fn origin(&self) -> String {
        let bp = self.base_path();
        self.base_url[..self.base_url.len() - bp.len()].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str) -> Config {
        Config::parse(
            &format!("title: t\nbase_url: {url}\n"),
            Path::new("site.yaml"),
        )
        .unwrap()
    }

    #[test]
    fn base_path_and_origin() {
        assert_eq!(cfg("https://x.org").base_path(), "");
        assert_eq!(cfg("https://x.org/").base_path(), "");
        assert_eq!(cfg("https://x.org/sub/").base_path(), "/sub");
        assert_eq!(cfg("https://x.org/sub/").origin(), "https://x.org");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = Config::parse(
            "title: t\nbase_url: https://x.org\ntheem: x\n",
            Path::new("site.yaml"),
        )
        .unwrap_err();
        assert_eq!(e.span.line, 3);
        assert!(e.hint.unwrap().contains("`theme`"));
    }
}
