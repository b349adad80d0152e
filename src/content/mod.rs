//! Stage 1: the site's files as they are on disk (`load`), and the parts of a Markdown file
//! an author writes before its text: front matter (`frontmatter`), the figures it declares
//! (`figures`) and dates (`dates`); the theme built into dossier (`theme`) and the files of
//! a new site (`init`).

pub mod dates;
pub mod figures;
pub mod frontmatter;
pub mod ids;
pub mod init;
pub mod load;
pub mod theme;
