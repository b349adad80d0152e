//! The citation and shortcode parser (`markdown::extract_tokens`), on arbitrary text.
#![no_main]

use dossier::markdown;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let mut diags = Vec::new();
    let (out, tokens) = markdown::extract_tokens(body, Path::new("content/fuzz.md"), 5, &mut diags);
    for (_, raw) in &tokens {
        assert!(body.contains(raw.as_str()));
    }
    if tokens.is_empty() {
        assert_eq!(out, body);
    }
    for d in &diags {
        assert!(d.span.line >= 5 && d.span.col >= 1);
    }
});
