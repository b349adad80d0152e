//! Stage 3: sources, figures and the checks that tie them together: the data that makes
//! every number on a dossier site traceable to an article.
//!
//! `registry` (the articles), `import` (articles from BibTeX, CSL-JSON and Hayagriva files),
//! `archives` (the text of an archived article: plain text, HTML, WARC), `styles` (citation
//! styles), `export` (the source list as BibLaTeX, CSL-JSON and RIS), `figures` (numbers as checked and displayed), `numbers`
//! (how articles spell them), `quotes` (quotes against archived texts), `disputes` (figures
//! that disagree).

pub mod archives;
pub mod disputes;
pub mod export;
pub mod figures;
pub mod import;
pub mod numbers;
pub mod quotes;
pub mod registry;
pub mod styles;

pub use figures::{Figure, Period};
pub use numbers::{contains_number, format_grouped, format_number, spellings};
pub use quotes::{Finding, check_quote, closest_passage, normalise};
pub use registry::{Archives, Registry, SOURCES_FILE, Source, is_valid_id};
