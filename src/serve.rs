//! `dossier serve`: watch, rebuild, serve from memory, live reload.

use crate::model::Options;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub model: Options,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    pub poll: bool,
}

pub fn run(_opts: ServeOptions) -> i32 {
    eprintln!("serve: not yet available");
    1
}
