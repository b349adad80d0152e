//! Stage 3: sources, figures and the checks that tie them together: the data that makes
//! every number on a dossier site traceable to an article.
//!
//! `registry` (the articles), `figures` (numbers as checked and displayed), `numbers` (how
//! articles spell them), `quotes` (quotes against archived texts), `disputes` (figures that
//! disagree).

pub mod disputes;
pub mod figures;
pub mod numbers;
pub mod quotes;
pub mod registry;

pub use figures::{Figure, Period};
pub use numbers::{contains_number, format_grouped, format_number, spellings};
pub use quotes::{Finding, check_quote, closest_passage, normalise};
pub use registry::{Archives, Registry, SOURCES_FILE, Source, is_valid_id};
