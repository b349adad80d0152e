//! Link rot: `dossier check --external`. Every external link of the rendered site (the
//! sources' URLs first) is requested over HTTP, grouped per domain, a few requests at a
//! time per domain and a few domains at a time, with a timeout and a user agent; redirects
//! are followed and reported; a dead source URL points to the source's archived copy.

use crate::diagnostics::Diagnostic;
use crate::render::Output;
use crate::site::Sink;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

/// Collects the external URLs of every page as the site is rendered (and keeps nothing
/// else), and the sources' URLs from sources.json.
pub struct Collect {
    /// The site's own base URL: links under it are internal, checked on every build.
    base_url: String,
    found: Mutex<Found>,
}

#[derive(Default)]
struct Found {
    /// URL -> the pages (output paths) that link to it.
    urls: BTreeMap<String, BTreeSet<String>>,
    /// sources.json as rendered.
    sources_json: Option<Vec<u8>>,
}

impl Collect {
    /// A collector for a site published at `base_url`.
    pub fn new(base_url: &str) -> Collect {
        Collect {
            base_url: base_url.trim_end_matches('/').to_string(),
            found: Mutex::new(Found::default()),
        }
    }

    /// What was collected: every external link, the sources' first.
    pub fn into_links(self) -> Vec<Link> {
        let found = self.found.into_inner().unwrap_or_else(|e| e.into_inner());
        let sources: Vec<SourceUrl> = found
            .sources_json
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default();
        let mut links: BTreeMap<String, Link> = BTreeMap::new();
        for s in &sources {
            if let Some(u) = s.url.as_deref().filter(|u| is_external(u, &self.base_url)) {
                let l = links.entry(u.to_string()).or_insert_with(|| Link::new(u));
                l.sources.push((s.id.clone(), s.archive_url.clone()));
            }
        }
        for (url, pages) in found.urls {
            links
                .entry(url.clone())
                .or_insert_with(|| Link::new(&url))
                .pages
                .extend(pages);
        }
        let mut out: Vec<Link> = links.into_values().collect();
        out.sort_by(|a, b| {
            (a.sources.is_empty(), &a.domain, &a.url).cmp(&(
                b.sources.is_empty(),
                &b.domain,
                &b.url,
            ))
        });
        out
    }
}

#[derive(serde::Deserialize)]
struct SourceUrl {
    id: String,
    url: Option<String>,
    archive_url: Option<String>,
}

fn is_external(url: &str, base_url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://"))
        && !(url == base_url
            || url.starts_with(&format!("{base_url}/"))
            || url.starts_with(&format!("{base_url}?"))
            || url.starts_with(&format!("{base_url}#")))
}

impl Sink for Collect {
    fn put(&self, path: &str, out: Output) -> Result<(), Diagnostic> {
        let Output::Bytes(b) = out else {
            return Ok(());
        };
        if path == "sources.json" {
            self.found
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .sources_json = Some(b.to_vec());
            return Ok(());
        }
        if !path.ends_with(".html") {
            return Ok(());
        }
        let html = String::from_utf8_lossy(&b);
        let mut mine = BTreeSet::new();
        for a in crate::html::attributes(&html) {
            if crate::html::is_url_attribute(&a.name) {
                for u in crate::html::urls(&a.name, &a.value) {
                    // The fragment is the page's business, not the server's.
                    let u = u.split('#').next().unwrap_or(u);
                    if is_external(u, &self.base_url) {
                        mine.insert(u.to_string());
                    }
                }
            }
        }
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        for u in mine {
            found.urls.entry(u).or_default().insert(path.to_string());
        }
        Ok(())
    }
}

/// One external URL, where it is used, and what checking it found.
#[derive(Debug, Clone)]
pub struct Link {
    /// The URL as written.
    pub url: String,
    /// Its host (and port), for grouping.
    pub domain: String,
    /// Sources whose `url` it is: (id, archive_url).
    pub sources: Vec<(String, Option<String>)>,
    /// Pages (output paths) that link to it.
    pub pages: BTreeSet<String>,
    /// What the check found.
    pub outcome: Option<Outcome>,
}

impl Link {
    fn new(url: &str) -> Link {
        Link {
            url: url.to_string(),
            domain: url::Url::parse(url)
                .ok()
                .and_then(|u| {
                    u.host_str().map(|h| match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    })
                })
                .unwrap_or_default(),
            sources: Vec::new(),
            pages: BTreeSet::new(),
            outcome: None,
        }
    }
}

/// What requesting a URL found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A success status after the redirects listed (each hop's status and target).
    Ok {
        /// The final status.
        status: u16,
        /// Each redirect: its status and where it led.
        redirects: Vec<(u16, String)>,
    },
    /// An error status (4xx, 5xx) after the redirects listed.
    Broken {
        /// The final status.
        status: u16,
        /// Each redirect: its status and where it led.
        redirects: Vec<(u16, String)>,
    },
    /// No answer in time.
    Timeout,
    /// No answer at all: DNS, connection, TLS, too many redirects.
    Failed(String),
}

impl Outcome {
    /// Whether the link works (a redirect that ends well works).
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok { .. })
    }
}

/// How to check: timeout, user agent, how many requests at once.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long one request may take, all of it.
    pub timeout: Duration,
    /// The User-Agent header.
    pub user_agent: String,
    /// Requests at once to one domain.
    pub per_domain: usize,
    /// Domains checked at once.
    pub domains: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            timeout: Duration::from_secs(10),
            user_agent: format!(
                "dossier/{} (link check; +https://github.com/dossier)",
                env!("CARGO_PKG_VERSION")
            ),
            per_domain: 2,
            domains: 8,
            max_redirects: 10,
        }
    }
}

/// Check every link, domain by domain (the domains with source URLs first); each link gets
/// its outcome.
pub fn check(links: &mut [Link], opts: &Options) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .user_agent(opts.user_agent.as_str())
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    // Domains in the order of their first link (sources first), each with its links.
    let mut order: Vec<String> = Vec::new();
    let mut by_domain: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, l) in links.iter().enumerate() {
        if !by_domain.contains_key(&l.domain) {
            order.push(l.domain.clone());
        }
        by_domain.entry(l.domain.clone()).or_default().push(i);
    }
    let queue: Mutex<std::collections::VecDeque<Vec<usize>>> = Mutex::new(
        order
            .iter()
            .map(|d| by_domain.remove(d).unwrap_or_default())
            .collect(),
    );
    let urls: Vec<String> = links.iter().map(|l| l.url.clone()).collect();
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; links.len()]);
    std::thread::scope(|s| {
        for _ in 0..opts.domains.max(1).min(order.len().max(1)) {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                    let Some(ids) = next else { break };
                    let work = Mutex::new(ids.into_iter());
                    std::thread::scope(|inner| {
                        for _ in 0..opts.per_domain.max(1) {
                            inner.spawn(|| {
                                loop {
                                    let next =
                                        work.lock().unwrap_or_else(|e| e.into_inner()).next();
                                    let Some(i) = next else { break };
                                    let outcome = fetch(&agent, &urls[i], opts.max_redirects);
                                    results.lock().unwrap_or_else(|e| e.into_inner())[i] =
                                        Some(outcome);
                                }
                            });
                        }
                    });
                }
            });
        }
    });
    for (l, o) in links
        .iter_mut()
        .zip(results.into_inner().unwrap_or_else(|e| e.into_inner()))
    {
        l.outcome = o;
    }
}

/// Request `url` (GET: many servers answer HEAD wrongly; the body is not read), following
/// redirects one by one so that each is reported.
fn fetch(agent: &ureq::Agent, url: &str, max_redirects: usize) -> Outcome {
    let mut current = url.to_string();
    let mut redirects = Vec::new();
    loop {
        let resp = match agent.get(&current).call() {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => return Outcome::Timeout,
            Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Outcome::Timeout;
            }
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            let Some(location) = resp.headers().get("location").and_then(|v| v.to_str().ok())
            else {
                return Outcome::Broken { status, redirects };
            };
            let next = url::Url::parse(&current)
                .and_then(|base| base.join(location))
                .map(|u| u.to_string())
                .unwrap_or_else(|_| location.to_string());
            redirects.push((status, next.clone()));
            if redirects.len() > max_redirects {
                return Outcome::Failed(format!("more than {max_redirects} redirects"));
            }
            current = next;
            continue;
        }
        return if status < 400 {
            Outcome::Ok { status, redirects }
        } else {
            Outcome::Broken { status, redirects }
        };
    }
}

/// The report: each domain's links that are not plainly fine, then a summary table.
/// `url_of` turns a page's output path into the URL readers see.
pub fn report(links: &[Link], url_of: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut domains: Vec<&str> = Vec::new();
    for l in links {
        if !domains.contains(&l.domain.as_str()) {
            domains.push(&l.domain);
        }
    }
    let where_used = |l: &Link| {
        let mut parts: Vec<String> = l
            .sources
            .iter()
            .map(|(id, _)| format!("source `{id}`"))
            .collect();
        let pages: Vec<String> = l.pages.iter().take(3).map(|p| url_of(p)).collect();
        if !pages.is_empty() {
            let more = l.pages.len().saturating_sub(3);
            parts.push(format!(
                "on {}{}",
                pages.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        parts.join("; ")
    };
    let mut rows = Vec::new();
    for d in &domains {
        let mine: Vec<&Link> = links.iter().filter(|l| l.domain == *d).collect();
        let (mut ok, mut moved, mut broken) = (0, 0, 0);
        let mut lines = Vec::new();
        for l in &mine {
            let chain = |r: &[(u16, String)]| {
                r.iter()
                    .map(|(s, u)| format!(" -> {s} {u}"))
                    .collect::<String>()
            };
            match &l.outcome {
                Some(Outcome::Ok { redirects, .. }) if redirects.is_empty() => ok += 1,
                Some(Outcome::Ok { status, redirects }) => {
                    moved += 1;
                    lines.push(format!(
                        "  redirected  {}{} -> {status} ({})\n",
                        l.url,
                        chain(redirects),
                        where_used(l)
                    ));
                }
                other => {
                    broken += 1;
                    let what = match other {
                        Some(Outcome::Broken { status, redirects }) => {
                            format!(
                                "{status}{}",
                                if redirects.is_empty() {
                                    String::new()
                                } else {
                                    format!(" after{}", chain(redirects))
                                }
                            )
                        }
                        Some(Outcome::Timeout) => "timed out".to_string(),
                        Some(Outcome::Failed(e)) => format!("failed: {e}"),
                        _ => "not checked".to_string(),
                    };
                    lines.push(format!(
                        "  broken      {} ({what}; {})\n",
                        l.url,
                        where_used(l)
                    ));
                    for (id, archived) in &l.sources {
                        lines.push(match archived {
                            Some(a) => format!("    hint: source `{id}` has an archived copy: {a}\n"),
                            None => format!(
                                "    hint: give source `{id}` an `archive_url:` (a copy at web.archive.org or archive.today) so readers can still read it\n"
                            ),
                        });
                    }
                }
            }
        }
        if !lines.is_empty() {
            out.push_str(&format!("{d}\n"));
            for l in lines {
                out.push_str(&l);
            }
        }
        rows.push((d.to_string(), mine.len(), ok, moved, broken));
    }
    let total = rows.iter().fold((0, 0, 0, 0), |t, r| {
        (t.0 + r.1, t.1 + r.2, t.2 + r.3, t.3 + r.4)
    });
    let width = rows.iter().map(|r| r.0.len()).chain([6]).max().unwrap_or(6);
    out.push_str(&format!(
        "\n{:<width$}  {:>5}  {:>5}  {:>10}  {:>6}\n",
        "domain", "links", "ok", "redirected", "broken"
    ));
    for (d, n, ok, moved, broken) in
        rows.iter()
            .cloned()
            .chain([("total".to_string(), total.0, total.1, total.2, total.3)])
    {
        out.push_str(&format!(
            "{d:<width$}  {n:>5}  {ok:>5}  {moved:>10}  {broken:>6}\n"
        ));
    }
    out
}
