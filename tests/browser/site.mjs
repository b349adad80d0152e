// Real-browser test of the flagship site (issue 5).
//
//   node site.mjs [--dir BUILT_SITE] [--root SITE_ROOT] [--screenshots DIR] [--all-screenshots]
//
// Without --dir it builds the site at --root (default: the repository) into a temp folder
// with `dossier build --out`. It serves the folder on 127.0.0.1 (port 0) under the path of
// the site's base_url, then in headless Chromium, at 320, 390, 768, 1024 and 1280 px wide:
//   - visits every HTML page and fails on any console error, page error, failed or >= 400
//     request, or request to anything but the local server;
//   - checks every internal href/src/srcset on every page answers 200, and that every
//     #fragment points at an element id on its target page;
//   - checks no page scrolls sideways at any width (scrollWidth <= clientWidth + 1), and
//     that no figure table scrolls inside its box (it fits, as a table or as cards);
//   - runs axe-core on every page at 1280 and 390 px, and on the key pages in dark mode:
//     0 violations;
//   - prints /figures/ and the stories to PDF (Chromium's page.pdf) and checks no page is
//     blank, nearly empty or ends with a heading (pdf-pages.mjs);
//   - checks the evidence: each verified figure row shows its quote marked in its sentence,
//     a number in a story opens that evidence, an arrival on any row kind is outlined;
//   - builds the site with --relative and checks its 404 page, served at a deep missing
//     URL, loads its stylesheet and links to pages that exist;
//   - checks basic accessibility structure (lang, one <main>, skip link target, labelled
//     controls, img alt, no duplicate ids);
//   - saves full-page screenshots of the home page, stories, /figures/ and /sources/
//     (light at both widths, dark at 390 px) to target/screenshots/ by default;
//   - exercises the progressive enhancement: sorting and filtering the table on /figures/,
//     and the search box; and checks /figures/ still shows its table without JavaScript.
// Exit 0 when everything passed, 1 with a list of every failure otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { launchChromium, dossierBinary, parseArgs, REPO } from './common.mjs';
import { startStaticServer } from './static-server.mjs';
import { pdfPages, printProblems } from './pdf-pages.mjs';
import { createRequire } from 'node:module';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const args = parseArgs(process.argv.slice(2), {
  dir: 'value', root: 'value', screenshots: 'value', 'all-screenshots': 'flag',
});
const siteRoot = path.resolve(args.root || REPO);
const shotDir = path.resolve(args.screenshots || path.join(REPO, 'target', 'screenshots'));

const WIDTHS = [
  { name: '1280', viewport: { width: 1280, height: 800 }, isMobile: false },
  { name: '390', viewport: { width: 390, height: 844 }, isMobile: true },
  { name: '1024', viewport: { width: 1024, height: 768 }, isMobile: false },
  { name: '768', viewport: { width: 768, height: 1024 }, isMobile: true },
  { name: '320', viewport: { width: 320, height: 640 }, isMobile: true },
];
// Where axe-core runs on every page (dark mode adds the key pages at 390).
const AXE_WIDTHS = new Set(['1280', '390']);
// Screenshots of the key pages are taken at these widths.
const SHOT_WIDTHS = new Set(['1280', '1024', '768', '390']);
// The pages the issue names, plus every story: screenshots and the overflow check are
// required there; every other page gets the same checks but no screenshot by default.
const KEY_PAGES = [
  { name: 'home', path: '' },
  { name: 'figures', path: 'figures/' },
  { name: 'sources', path: 'sources/' },
];

const failures = [];
const fail = (where, msg) => failures.push(`${where}: ${msg}`);

let tmp = null;
let outDir = args.dir ? path.resolve(args.dir) : null;
if (!outDir) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-site-'));
  outDir = path.join(tmp, 'public');
  const bin = dossierBinary();
  const t0 = Date.now();
  const r = spawnSync(bin, ['build', '--root', siteRoot, '--out', outDir], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`FAIL: dossier build exited ${r.status}`);
    process.exit(1);
  }
  console.log(`built ${siteRoot} into ${outDir} in ${Date.now() - t0} ms`);
}

// The site's sub-path (base_url's path) is written in every page as data-root.
const homeHtml = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
const prefix = (/<html[^>]*\sdata-root="([^"]*)"/.exec(homeHtml) || [, ''])[1].replace(/\/+$/, '');

// Every HTML file, as a URL path relative to the site root.
function htmlPages(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...htmlPages(dir, r));
    else if (e.name === 'index.html') out.push(rel ? `${rel}/` : '');
    else if (e.name.endsWith('.html')) out.push(r);
  }
  return out;
}
const allPages = htmlPages(outDir);
const stories = allPages.filter((p) => /^stories\/[^/]+\/$/.test(p));
const keyPages = [
  ...KEY_PAGES,
  ...stories.map((p) => ({ name: 'story-' + p.split('/')[1], path: p })),
];
for (const k of KEY_PAGES) {
  if (!allPages.includes(k.path)) fail(`/${k.path}`, 'page missing from the build');
}
if (!stories.length) fail('/stories/', 'no story pages in the build');

const srv = await startStaticServer(outDir, prefix);
const base = srv.base;
console.log(`serving ${outDir} at ${base} (${allPages.length} HTML pages)`);
fs.mkdirSync(shotDir, { recursive: true });

const browser = await launchChromium();
const linkTargets = new Map(); // absolute URL without hash -> Set of "page" where it occurs
const fragments = []; // { from, url, id }
const idsByUrl = new Map(); // page URL -> Set of ids

async function newContext(width, extra = {}) {
  const context = await browser.newContext({
    viewport: width.viewport,
    isMobile: width.isMobile,
    hasTouch: width.isMobile,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce', // no smooth scrolling caught mid-way in screenshots
    ...extra,
  });
  // Nothing but our server: a font CDN or an analytics beacon is a failure, and the test
  // never depends on the network.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(srv.origin + '/') || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    return route.abort('blockedbyclient');
  });
  return context;
}

// A tab that records every console error, page error and failed request against the
// page it is on. `tab.go(url, where)` navigates it; `open` is a one-off tab.
async function newTab(context) {
  const page = await context.newPage();
  const tab = { page, where: '?' };
  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(tab.where, `console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => fail(tab.where, `page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    fail(tab.where, `request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) fail(tab.where, `HTTP ${res.status()} for ${res.url()}`);
  });
  tab.go = async (url, where) => {
    tab.where = where;
    const res = await page.goto(url, { waitUntil: 'load' });
    if (!res || res.status() !== 200) fail(where, `HTTP ${res ? res.status() : 'no response'} for the page itself`);
    await page.evaluate(() => document.fonts && document.fonts.ready);
    return page;
  };
  return tab;
}

async function open(context, url, where) {
  const tab = await newTab(context);
  return tab.go(url, where);
}

async function collectLinksAndIds(page, pageUrl, where) {
  const { refs, ids, dupIds } = await page.evaluate(() => {
    const refs = [];
    const add = (v) => { if (v && v.trim()) refs.push(v.trim()); };
    for (const el of document.querySelectorAll('[href], [src], [srcset]')) {
      add(el.getAttribute('href'));
      add(el.getAttribute('src'));
      const srcset = el.getAttribute('srcset');
      if (srcset) srcset.split(',').forEach((s) => add(s.trim().split(/\s+/)[0]));
    }
    for (const el of document.getElementsByTagName('*')) {
      const x = el.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
      if (x) add(x);
    }
    const seen = new Set();
    const dupIds = new Set();
    for (const el of document.querySelectorAll('[id]')) {
      if (seen.has(el.id)) dupIds.add(el.id);
      seen.add(el.id);
    }
    for (const el of document.querySelectorAll('a[name]')) seen.add(el.getAttribute('name'));
    return { refs, ids: [...seen], dupIds: [...dupIds] };
  });
  idsByUrl.set(pageUrl, new Set(ids));
  for (const d of dupIds) fail(where, `duplicate id "${d}"`);
  for (const ref of refs) {
    let u;
    try {
      u = new URL(ref, pageUrl);
    } catch {
      fail(where, `unparseable link ${JSON.stringify(ref)}`);
      continue;
    }
    if (u.origin !== srv.origin) continue; // external (canonical, sources' own URLs)
    const noHash = u.href.split('#')[0];
    if (!linkTargets.has(noHash)) linkTargets.set(noHash, new Set());
    linkTargets.get(noHash).add(where);
    if (u.hash.length > 1) fragments.push({ from: where, url: noHash, id: decodeURIComponent(u.hash.slice(1)), ref });
  }
}

async function checkA11y(page, where) {
  const problems = await page.evaluate(() => {
    const out = [];
    if (!document.documentElement.getAttribute('lang')) out.push('<html> has no lang');
    if (!document.title.trim()) out.push('empty <title>');
    const mains = document.querySelectorAll('main');
    if (mains.length !== 1) out.push(`${mains.length} <main> elements`);
    const skip = document.querySelector('a.skip-link, a[href="#main"]');
    if (!skip) out.push('no skip link');
    else if (!document.getElementById(skip.getAttribute('href').slice(1))) out.push('skip link target missing');
    if (document.querySelectorAll('h1').length !== 1) out.push(`${document.querySelectorAll('h1').length} <h1> elements`);
    for (const img of document.querySelectorAll('img')) {
      if (!img.hasAttribute('alt')) out.push(`img without alt: ${img.getAttribute('src')}`);
    }
    for (const c of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      const labelled = (c.id && document.querySelector(`label[for="${CSS.escape(c.id)}"]`)) ||
        c.closest('label') || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
      if (!labelled) out.push(`unlabelled control ${c.outerHTML.slice(0, 80)}`);
    }
    for (const a of document.querySelectorAll('a[href]')) {
      const name = (a.textContent + (a.getAttribute('aria-label') || '') + (a.getAttribute('title') || '') +
        [...a.querySelectorAll('img[alt]')].map((i) => i.alt).join('')).trim();
      if (!name) out.push(`link without accessible name: ${a.getAttribute('href')}`);
    }
    for (const b of document.querySelectorAll('button')) {
      if (!(b.textContent.trim() || b.getAttribute('aria-label'))) out.push('button without accessible name');
    }
    return out;
  });
  for (const p of problems) fail(where, `a11y: ${p}`);
}

// axe-core's violations on the page, one line each (rule, impact, first nodes).
async function axe(page, where) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')}`);
  });
  for (const v of violations) fail(where, `axe: ${v}`);
}

// Figure tables that scroll inside their box: they should fit (a table, or cards).
async function tablesThatScroll(page) {
  return page.evaluate(() => [...document.querySelectorAll('.table-wrap')]
    .filter((w) => w.querySelector('table.figure-table') && w.scrollWidth > w.clientWidth + 1)
    .map((w) => `${w.querySelector('caption')?.textContent.trim() || 'figure table'} ${w.scrollWidth} > ${w.clientWidth}`));
}

async function overflow(page) {
  return page.evaluate(() => {
    const se = document.scrollingElement;
    const w = document.documentElement.clientWidth;
    if (se.scrollWidth <= w + 1) return null;
    // Name the widest culprits to make the failure actionable.
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
        // Skip descendants of scroll containers: they scroll inside their box.
        let p = el.parentElement, clipped = false;
        while (p && p !== document.body) {
          const ox = getComputedStyle(p).overflowX;
          if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') { clipped = true; break; }
          p = p.parentElement;
        }
        if (!clipped) wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(r.right)})`);
      }
    }
    return { scrollWidth: se.scrollWidth, clientWidth: w, wide: wide.slice(0, 5) };
  });
}

const keyByPath = new Map(keyPages.map((k) => [k.path, k]));

for (const width of WIDTHS) {
  const context = await newContext(width);
  const tab = await newTab(context);
  for (const p of allPages) {
    const url = base + p;
    const where = `/${p} @${width.name}`;
    const t0 = Date.now();
    const page = await tab.go(url, where);
    const t1 = Date.now();
    if (width.name === '1280') {
      await collectLinksAndIds(page, url, where);
      await checkA11y(page, where);
    }
    const o = await overflow(page);
    if (o) fail(where, `scrolls sideways: scrollWidth ${o.scrollWidth} > ${o.clientWidth}; widest: ${o.wide.join(', ') || '?'}`);
    for (const t of await tablesThatScroll(page)) fail(where, `figure table scrolls sideways: ${t}`);
    const key = keyByPath.get(p);
    if ((key && SHOT_WIDTHS.has(width.name)) || (args['all-screenshots'] && !key)) {
      const name = key ? key.name : p.replace(/\/$/, '').replace(/[/.]/g, '_') || 'home';
      await page.screenshot({ path: path.join(shotDir, `${name}-${width.name}.png`), fullPage: true });
    }
    // Last: axe adds its script to the page.
    if (AXE_WIDTHS.has(width.name)) await axe(page, where);
    if (process.env.VERBOSE) console.log(`${where}: open ${t1 - t0} ms, checks ${Date.now() - t1} ms`);
  }
  await context.close();
}

// Dark mode (prefers-color-scheme), key pages only: for looking at, and axe at 390 px.
for (const width of [WIDTHS[1], WIDTHS[0]]) {
  const context = await newContext(width, { colorScheme: 'dark' });
  const tab = await newTab(context);
  for (const k of keyPages) {
    const where = `/${k.path} @${width.name} dark`;
    const page = await tab.go(base + k.path, where);
    await page.screenshot({ path: path.join(shotDir, `${k.name}-${width.name}-dark.png`), fullPage: true });
    if (width.name === '390') await axe(page, where);
  }
  await context.close();
}

// Every internal link target answers 200 (no redirects: the site writes final URLs).
async function status(url) {
  try {
    const r = await fetch(url, { redirect: 'manual' });
    await r.arrayBuffer();
    return r.status;
  } catch (e) {
    return `error ${e.message}`;
  }
}
for (const [url, where] of linkTargets) {
  const s = await status(url);
  if (s !== 200) fail([...where].slice(0, 3).join(', ') + (where.size > 3 ? ` (+${where.size - 3} more)` : ''), `link to ${url.slice(srv.origin.length)} answers ${s}`);
}
// Every #fragment names an element on its target page (HTML pages were all visited).
for (const f of fragments) {
  const ids = idsByUrl.get(f.url);
  if (!ids) {
    if (!/\.(xml|json|csv|txt|css|js)$/.test(f.url)) fail(f.from, `link ${f.ref}: target page was not visited`);
    continue;
  }
  if (!ids.has(f.id)) fail(f.from, `link ${f.ref}: no element with id "${f.id}" on ${f.url.slice(srv.origin.length)}`);
}
console.log(`checked ${linkTargets.size} internal link targets and ${fragments.length} fragment links`);

// Progressive enhancement on /figures/.
{
  const where = '/figures/ enhancement';
  const context = await newContext(WIDTHS[0]);
  const page = await open(context, base + 'figures/', where);
  try {
    if (!(await page.evaluate(() => document.documentElement.classList.contains('js')))) fail(where, '<html> lacks class "js"');
    const table = page.locator('table[data-sortable]').first();
    await table.locator('.sort-button').first().waitFor({ timeout: 5000 });
    const rowIds = () => table.evaluate((t) => [...t.tBodies].flatMap((b) => [...b.rows].filter((r) => !r.classList.contains('group-row')).map((r) => r.id || r.textContent.trim().slice(0, 60))));
    const before = await rowIds();
    if (before.length < 2) fail(where, `only ${before.length} figure rows`);

    // Sort by value: the order changes, and the groups give way to one list sorted as a
    // whole (not within each place and measure, where most groups have 1-3 rows).
    const valueHeader = table.locator('thead th').filter({ hasText: /^\s*Value/ }).first();
    const button = valueHeader.locator('button.sort-button');
    await button.click();
    let after = await rowIds();
    if (JSON.stringify(after) === JSON.stringify(before)) { await button.click(); after = await rowIds(); }
    if (JSON.stringify(after) === JSON.stringify(before)) fail(where, 'clicking the Value header twice never changed the row order');
    if (after.slice().sort().join() !== before.slice().sort().join()) fail(where, 'sorting lost or duplicated rows');
    const sortState = await valueHeader.getAttribute('aria-sort');
    if (sortState !== 'ascending' && sortState !== 'descending') fail(where, `Value header aria-sort is ${sortState}`);
    const monotonic = await table.evaluate((t, dir) => {
      const v = [...t.tBodies].filter((b) => !b.hidden).flatMap((b) => [...b.rows])
        .filter((r) => !['group-row', 'series-row', 'repeat-row'].some((c) => r.classList.contains(c)))
        .map((r) => Number(r.cells[0].dataset.sort));
      return v.length > 2 && v.every((x, i) => i === 0 || (dir === 'ascending' ? v[i - 1] <= x : v[i - 1] >= x));
    }, sortState);
    if (!monotonic) fail(where, `the figure rows are not ${sortState} by value over the whole table after sorting`);
    const placeShown = await table.evaluate((t) => {
      const c = t.querySelector('tbody:not([hidden]) tr:not(.group-row):not(.series-row):not(.repeat-row) td.col-place');
      return !!c && getComputedStyle(c).display !== 'none';
    });
    if (!placeShown) fail(where, 'sorted as one list, the rows do not show their place');
    // A repeat stays folded under the figure it repeats.
    const folded = await table.evaluate((t) => [...t.querySelectorAll('tr.repeat-row')].every((r) => {
      const prev = r.previousElementSibling;
      return prev && !prev.classList.contains('group-row') && !prev.classList.contains('series-row');
    }));
    if (!folded) fail(where, 'a repeat row was separated from its figure by sorting');

    // The groups come back.
    const regroup = page.locator('button.table-regroup').first();
    if (!(await regroup.isVisible())) fail(where, 'no visible button to group the sorted table again');
    else {
      await regroup.click();
      const back = await rowIds();
      if (JSON.stringify(back) !== JSON.stringify(before)) fail(where, 'grouping again did not restore the original order');
      if (await valueHeader.getAttribute('aria-sort')) fail(where, 'grouped again, the Value header still claims a sort');
    }

    // Sort by another (text) column too: order changes again.
    const placeButton = table.locator('thead th').filter({ hasText: /^\s*Subject/ }).locator('button.sort-button');
    await placeButton.click();
    const bySubject = await rowIds();
    if (JSON.stringify(bySubject) === JSON.stringify(after)) fail(where, 'sorting by Subject did not change the order');

    // Filter: rows hide, the visible ones match, the count is announced; Escape restores.
    const filter = page.locator('input.table-filter-input').first();
    // Figure rows: not a group's heading rows, not a repeat folded under its figure.
    const isFigureRow = "!['group-row', 'series-row', 'repeat-row'].some((c) => r.classList.contains(c))";
    const visibleCount = () => table.evaluate((t, f) => [...t.tBodies].flatMap((b) => [...b.rows]).filter((r) => new Function('r', `return ${f}`)(r) && !r.hidden && r.offsetParent !== null).length, isFigureRow);
    const total = await visibleCount();
    await filter.fill('');
    await filter.pressSequentially('Kazakhstan', { delay: 10 });
    const shown = await visibleCount();
    if (!(shown > 0 && shown < total)) fail(where, `filter "Kazakhstan": ${shown} of ${total} rows visible (expected some but not all)`);
    const allMatch = await table.evaluate((t, f) => [...t.tBodies].flatMap((b) => [...b.rows]).filter((r) => new Function('r', `return ${f}`)(r) && !r.hidden).every((r) => /kazakhstan/i.test(r.textContent)), isFigureRow);
    if (!allMatch) fail(where, 'a visible row does not contain "Kazakhstan"');
    const countText = (await page.locator('.table-filter-count').first().textContent()) || '';
    if (!new RegExp(`^${shown} of ${total}\\b`).test(countText.trim())) fail(where, `filter status says "${countText}", expected "${shown} of ${total} shown"`);
    await filter.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, document.querySelector('.table-filter').getBoundingClientRect().top - 16));
    await page.screenshot({ path: path.join(shotDir, 'figures-filtered-1280.png') });
    // Whole words, and a source's short name: "AP" finds the AP rows and not "caption",
    // "capacity" or "escape"; "98000" finds "98,000".
    await filter.fill('AP');
    const ap = await table.evaluate((t, f) => {
      const rows = [...t.tBodies].flatMap((b) => [...b.rows]).filter((r) => new Function('r', `return ${f}`)(r));
      const isAp = (r) => /(^|\s)AP(\s|$)/.test(r.dataset.filter || '');
      return { shown: rows.filter((r) => !r.hidden).length, wrong: rows.filter((r) => !r.hidden && !isAp(r) && !/\bAP\b/.test(r.textContent)).length, expected: rows.filter(isAp).length };
    }, isFigureRow);
    if (!(ap.expected > 0 && ap.shown >= ap.expected && ap.wrong === 0)) fail(where, `filter "AP": ${ap.shown} rows shown, ${ap.expected} rows of AP, ${ap.wrong} shown that are not AP's`);
    await filter.fill('98000');
    const n98 = await table.evaluate((t, f) => [...t.tBodies].flatMap((b) => [...b.rows]).filter((r) => new Function('r', `return ${f}`)(r) && !r.hidden).map((r) => r.textContent), isFigureRow);
    if (!n98.length || !n98.every((v) => /98,000/.test(v))) fail(where, `filter "98000": ${n98.length} rows, expected only rows that say 98,000`);
    await filter.fill('zzzz-no-such-thing');
    if ((await visibleCount()) !== 0) fail(where, 'a nonsense filter still shows rows');
    await filter.press('Escape');
    if ((await visibleCount()) !== total) fail(where, 'Escape in the filter did not bring every row back');

    // Search: focus, type a word, results appear and point at real pages.
    const search = page.locator('#search-input');
    await search.focus();
    await search.pressSequentially('Verkhny', { delay: 20 });
    const firstResult = page.locator('#search-results a').first();
    await firstResult.waitFor({ state: 'visible', timeout: 5000 });
    const hrefs = await page.locator('#search-results a').evaluateAll((as) => as.map((a) => a.href));
    if (!hrefs.length) fail(where, 'search for "Verkhny" shows no results');
    for (const h of hrefs) {
      const s = await status(h.split('#')[0]);
      if (s !== 200) fail(where, `search result ${h} answers ${s}`);
    }
    const marked = await page.locator('#search-results mark').count();
    if (!marked) fail(where, 'search results do not highlight the query');
    await page.screenshot({ path: path.join(shotDir, 'search-1280.png') });
    await search.press('Escape');
    if (await page.locator('#search-results').isVisible()) fail(where, 'Escape did not close the search results');
  } catch (e) {
    fail(where, e.message.split('\n')[0]);
  }
  await page.close();
  await context.close();
}

// Search on the flagship: places and figures are results, words and numbers are whole.
// query(page, q): every result (after "More results" until all are shown), each with its
// URL, kind and marks, and each mark with the characters on either side.
async function query(page, q) {
  const input = page.locator('#search-input');
  await input.fill(q);
  await page.waitForFunction((q) => {
    const l = document.getElementById('search-results');
    return !l.hidden && l.getAttribute('data-query') === q && l.querySelector('li');
  }, q, { timeout: 10000 });
  for (let i = 0; i < 20; i++) {
    const more = page.locator('#search-results .search-more-button');
    if (!(await more.count())) break;
    const before = await page.locator('#search-results li a').count();
    await more.click();
    await page.waitForFunction((n) => document.querySelectorAll('#search-results li a').length > n, before);
  }
  return page.locator('#search-results li').evaluateAll((lis) => lis.map((li) => {
    const a = li.querySelector('a');
    return {
      url: a ? a.href : null,
      kind: (li.querySelector('.search-result-kind') || {}).textContent || '',
      text: li.textContent,
      marks: [...li.querySelectorAll('mark')].map((m) => {
        const before = m.previousSibling ? m.previousSibling.textContent : '';
        const after = m.nextSibling ? m.nextSibling.textContent : '';
        return { text: m.textContent, before: before.slice(-1), after: after.slice(0, 1) };
      }),
    };
  }));
}
{
  const where = 'search';
  const context = await newContext(WIDTHS[1]);
  const page = await open(context, base + 'stories/', where);
  try {
    const box = await page.locator('#search-input').boundingBox();
    if (!box || box.width < 300) fail(where, `the search box is ${box && Math.round(box.width)} px wide at 390 px`);
    const wordChar = /[\p{L}\p{N}]/u;
    const checkMarks = (q, results) => {
      const marks = results.flatMap((r) => r.marks);
      if (!marks.length) fail(where, `"${q}": nothing is highlighted`);
      for (const m of marks) {
        if (wordChar.test(m.before) || wordChar.test(m.after)) fail(where, `"${q}" highlights part of a word: ${m.before}[${m.text}]${m.after}`);
      }
      return marks;
    };
    const has = (results, re) => results.some((r) => re.test(new URL(r.url).pathname + new URL(r.url).hash));

    const kz = await query(page, 'Kazakhstan');
    if (!has(kz.slice(0, 8), /\/places\/kazakhstan\/(#.*)?$/)) fail(where, `"Kazakhstan": the place is not among the first results: ${kz.slice(0, 8).map((r) => r.url).join(', ')}`);
    if (!has(kz, /\/figures\/#fig-/)) fail(where, '"Kazakhstan" finds no figure');
    if (!has(kz, /\/stories\//)) fail(where, '"Kazakhstan" finds no story');
    if (!kz.some((r) => r.kind === 'place') || !kz.some((r) => r.kind === 'figure')) fail(where, '"Kazakhstan": results do not say what they are');
    checkMarks('Kazakhstan', kz);

    const vl = await query(page, 'Verkhny Lars');
    if (!has(vl.slice(0, 8), /\/places\/verkhny-lars\/(#.*)?$/)) fail(where, `"Verkhny Lars": the place is not among the first results`);
    const vlMarks = checkMarks('Verkhny Lars', vl);
    if (!vlMarks.some((m) => m.text === 'Lars')) fail(where, '"Verkhny Lars": "Lars" is never highlighted');
    if (vl.some((r) => /dollars/i.test(r.text) && !/\bLars\b/.test(r.text))) fail(where, '"Verkhny Lars" finds a result that only says "dollars"');

    for (const q of ['98000', '98,000']) {
      const n = await query(page, q);
      if (!has(n, /\/figures\/#fig-kz-entries/)) fail(where, `"${q}" does not find the 98,000 figures`);
      const marks = checkMarks(q, n);
      if (!marks.every((m) => m.text.replace(/[^0-9]/g, '') === '98000')) fail(where, `"${q}" highlights ${marks.map((m) => m.text).join(', ')}`);
    }
    const none = await query(page, '980');
    if (none.some((r) => r.url)) fail(where, `"980" finds ${none.length} results (no figure or page states 980)`);
    await query(page, 'Verkhny Lars');
    if (!(await page.locator('#search-results').isVisible())) fail(where, 'the results closed after "More results"');
    await page.screenshot({ path: path.join(shotDir, 'search-390.png') });
  } catch (e) {
    fail(where, e.message.split('\n')[0]);
  }
  await page.close();
  await context.close();
}

// Without JavaScript /figures/ is still a complete plain table.
{
  const where = '/figures/ without JS';
  const context = await newContext(WIDTHS[1], { javaScriptEnabled: false });
  const page = await open(context, base + 'figures/', where);
  const rows = await page.locator('table[data-sortable] tbody tr:not(.group-row)').count();
  if (rows < 2) fail(where, `only ${rows} rows in the figure table`);
  if (await page.locator('#search-input').isVisible()) fail(where, 'the search box shows although it cannot work without JS');
  const o = await overflow(page);
  if (o) fail(where, `scrolls sideways at 390 px: ${o.scrollWidth}`);
  await page.screenshot({ path: path.join(shotDir, 'figures-nojs-390.png'), fullPage: true });
  await page.close();
  await context.close();
}

// The evidence: every verified figure row shows its quote marked within its sentence of the
// archived article (a short excerpt); every figure row, and a row that a link arrives at
// (a conflicting one too), is outlined in a colour no other row has.
{
  const where = '/figures/ evidence';
  const context = await newContext(WIDTHS[0]);
  const tab = await newTab(context);
  const page = await tab.go(base + 'figures/', where);
  const ev = await page.evaluate(() => [...document.querySelectorAll('tr.figure-row')].map((r) => ({
    id: r.id,
    disputed: r.classList.contains('disputed'),
    verified: !!r.querySelector('.badge-verified'),
    marked: r.querySelector('.evidence mark.quoted')?.textContent || '',
    length: (r.querySelector('.evidence')?.textContent || '').length,
  })));
  if (!ev.length) fail(where, 'no figure rows');
  for (const r of ev) {
    if (r.verified && !r.marked) fail(where, `verified row #${r.id} shows no quote marked in its sentence`);
    if (r.length > 700) fail(where, `row #${r.id}: the excerpt is ${r.length} characters (a short excerpt, not the article)`);
  }
  const disputed = ev.find((r) => r.disputed);
  const plain = ev.find((r) => !r.disputed);
  for (const r of [disputed, plain].filter(Boolean)) {
    // A new document each time (a query), as when a link from another page arrives.
    await tab.go(`${base}figures/?from=${r.id}#${r.id}`, `${where} #${r.id}`);
    const look = await page.evaluate((id) => {
      const tr = document.getElementById(id);
      const cs = getComputedStyle(tr);
      const cell = getComputedStyle(tr.cells[1]).backgroundColor;
      const others = [...document.querySelectorAll('tr.figure-row')].filter((o) => o !== tr).map((o) => getComputedStyle(o.cells[1]).backgroundColor);
      return { outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth), cell, unique: !others.includes(cell) };
    }, r.id);
    if (look.outline === 'none' || look.width < 2 || !look.unique) fail(where, `arriving at ${r.disputed ? 'a conflicting' : 'a'} row #${r.id}: outline ${look.outline} ${look.width}px, background ${look.cell} ${look.unique ? '' : '(as other rows)'}`);
  }
  await page.screenshot({ path: path.join(shotDir, 'figures-arrival-1280.png') });

  // A number in a story opens its evidence beside the text; without JS it is a link.
  const story = stories.find((p) => p.includes('numbers')) || stories[0];
  if (story) {
    const sp = await tab.go(base + story, `/${story} evidence`);
    const fig = sp.locator('span.fig a.fig-value').first();
    await fig.click();
    const pop = sp.locator('.evidence-pop');
    if (!(await pop.isVisible())) fail(`/${story} evidence`, 'clicking a number in the text opens no evidence');
    else {
      if (!(await pop.locator('.evidence').count())) fail(`/${story} evidence`, 'the evidence box has no quote');
      if (!(await pop.locator('a[href*="/figures/#"]').count())) fail(`/${story} evidence`, 'the evidence box has no link to the figure');
      await sp.screenshot({ path: path.join(shotDir, 'story-evidence-1280.png') });
      await sp.keyboard.press('Escape');
      if (await pop.isVisible()) fail(`/${story} evidence`, 'Escape did not close the evidence');
    }
  }
  await context.close();
}

// Print: /figures/ and the stories on A4, no blank, nearly empty or heading-only page and
// no page ending with a heading.
{
  const context = await newContext(WIDTHS[0]);
  const tab = await newTab(context);
  for (const p of ['figures/', ...stories]) {
    const where = `/${p} print`;
    const page = await tab.go(base + p, where);
    await page.emulateMedia({ media: 'print' });
    const headings = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4, caption, summary, tr.group-row th')].map((h) => h.innerText));
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const pages = await pdfPages(pdf);
    for (const problem of printProblems(pages, headings)) fail(where, problem);
    if (process.env.VERBOSE) console.log(`${where}: ${pages.length} pages`);
    if (p === 'figures/') fs.writeFileSync(path.join(shotDir, 'figures-print.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });
  }
  await context.close();
}

// --relative: the 404 page works at any depth (hosts serve it at the missing URL).
if (!args.dir) {
  const where = '--relative 404';
  const relDir = path.join(tmp, 'relative');
  const r = spawnSync(dossierBinary(), ['build', '--root', siteRoot, '--out', relDir, '--relative'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) fail(where, `dossier build --relative exited ${r.status}`);
  else {
    const rel = await startStaticServer(relDir, prefix);
    const context = await browser.newContext({ viewport: WIDTHS[0].viewport });
    const page = await context.newPage();
    const bad = [];
    page.on('response', (res) => { if (res.status() >= 400 && !res.url().includes('/no/such/page/')) bad.push(`${res.status()} ${res.url()}`); });
    const res = await page.goto(rel.base + 'no/such/page/here/', { waitUntil: 'load' });
    if (!res || res.status() !== 404) fail(where, `a missing page answers ${res && res.status()}`);
    const styled = await page.evaluate(() => [...document.styleSheets].some((s) => { try { return s.cssRules.length > 10; } catch { return false; } }));
    if (!styled) fail(where, 'the 404 page at a deep URL has no stylesheet');
    for (const b of bad) fail(where, `the 404 page at a deep URL loads ${b}`);
    const links = await page.evaluate(() => [...document.querySelectorAll('main a[href]')].map((a) => a.href));
    for (const l of links) {
      const st = await status(l);
      if (st !== 200) fail(where, `its link ${l} answers ${st}`);
    }
    await context.close();
    await rel.close();
  }
}

await browser.close();
await srv.close();
if (tmp) fs.rmSync(tmp, { recursive: true, force: true });

console.log(`screenshots in ${shotDir}`);
if (failures.length) {
  console.error(`\nFAIL: ${failures.length} problem(s):`);
  for (const f of failures) console.error('  - ' + f);
  process.exit(1);
}
console.log(`PASS: ${allPages.length} pages at ${WIDTHS.map((w) => w.name + ' px').join(', ')}, links, overflow, axe, print, evidence, enhancement`);
