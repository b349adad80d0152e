//! Redirect pages for page aliases (`aliases:` in front matter), and the `_redirects` list
//! of `redirects_file: true` for hosts that read one.

use super::Renderer;
use crate::diagnostics::Diagnostic;
use crate::html::escape;
use crate::model::Document;
use crate::model::outputs::{REDIRECTS_FILE, alias_output};

impl Renderer<'_> {
    /// Every alias's redirect page, then `_redirects` if site.yaml asks for it.
    pub(super) fn alias_pages(
        &self,
        emit: &mut dyn FnMut(&str, String) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let m = self.m;
        let mut list = String::new();
        for d in &m.docs {
            for alias in &d.fm.aliases {
                // Checked by `outputs::check`.
                let Ok(out) = alias_output(alias) else {
                    continue;
                };
                emit(&out, self.redirect_page(d))?;
                let from = format!("/{}", out.strip_suffix("index.html").unwrap_or(&out));
                list.push_str(&format!("{} {} 301\n", m.url(&from), m.url(&d.url_path)));
            }
        }
        if m.config.redirects_file {
            emit(REDIRECTS_FILE, list)?;
        }
        Ok(())
    }

    /// A page that sends the reader and search engines on to `d`: a refresh at once, the
    /// canonical URL, a link to follow by hand, and no indexing of itself.
    fn redirect_page(&self, d: &Document) -> String {
        let m = self.m;
        let permalink = escape(&m.permalink(&d.url_path));
        let url = escape(&m.url(&d.url_path));
        let title = escape(&d.fm.title);
        format!(
            "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
             <link rel=\"canonical\" href=\"{permalink}\">\n\
             <meta http-equiv=\"refresh\" content=\"0; url={permalink}\">\n</head>\n<body>\n\
             <p>This page has moved to <a href=\"{url}\">{title}</a>.</p>\n</body>\n</html>\n",
            lang = escape(&m.config.language),
        )
    }
}
