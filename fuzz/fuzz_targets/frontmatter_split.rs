//! The front-matter splitter and the front matter's YAML model, on arbitrary bytes.
#![no_main]

use dossier::content::frontmatter::{self, FrontMatter};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = Path::new("content/fuzz.md");
    if let Ok(split) = frontmatter::split(&text, file) {
        assert!(split.body_line > split.yaml_line);
        if let Ok(fm) = FrontMatter::parse(&split, file) {
            assert!(!fm.title.trim().is_empty());
        }
    }
});
