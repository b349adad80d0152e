//! Stage 3: sources, figures and the checks that tie them together: the data that makes
//! every number on a dossier site traceable to an article.
//!
//! `registry` (the articles), `import` (articles from BibTeX, CSL-JSON and Hayagriva files),
//! `archives` (the text of an archived article: plain text, HTML, WARC), `styles` (citation
//! styles), `export` (the source list as BibLaTeX, CSL-JSON and RIS), `names` (the
//! registries of places, measures and claimants), `figures` (numbers as checked and
//! displayed), `intervals` (the values a number's words allow), `numbers` (how articles
//! spell them), `quotes` (quotes against archived texts), `relations` (how figures relate:
//! repeats, updates, agreement, disagreement, inconsistency).

pub mod archives;
pub mod export;
pub mod figures;
pub mod import;
pub mod intervals;
pub mod names;
pub mod numbers;
pub mod quotes;
pub mod registry;
pub mod relations;
pub mod styles;

pub use figures::{Figure, Period, measure_label, name_key};
pub use intervals::Interval;
pub use names::Vocabulary;
pub use numbers::{contains_number, contains_value, format_grouped, format_number, spellings};
pub use quotes::{Excerpt, Finding, check_quote, closest_passage, excerpt, normalise};
pub use registry::{Archives, Registry, SOURCES_FILE, Source, is_valid_id};
pub use relations::{Relation, Relations, relate};
