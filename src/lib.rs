//! dossier: a static-site generator for explanatory microsites whose every number is sourced.
//!
//! The modules are the stages of one pipeline, in dependency order (see ARCHITECTURE.md):
//! `content` (files) -> `markdown` + `sources` (parse and check) -> `model` (the checked
//! site) -> `render` (Tera, generated pages, data files) -> `linkcheck`; `site::render` runs
//! them into a sink: `output` (the staging folder), memory (`serve`), or nothing (`check`).

#![warn(clippy::too_many_lines, missing_docs)]

pub mod allocator;
pub mod cache;
pub mod charts;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod external;
pub mod html;
pub mod images;
pub mod linkcheck;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod serve;
pub mod site;
pub mod sources;
pub mod templates;
pub mod yaml;
