//! Stage 1: the site's files as they are on disk (`load`), and the parts of a Markdown file
//! an author writes before its text: front matter (`frontmatter`), the figures it declares
//! (`figures`) and dates (`dates`).

pub mod dates;
pub mod figures;
pub mod frontmatter;
pub mod ids;
pub mod load;
