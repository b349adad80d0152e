// Real-browser test of the charts and maps of the flagship site.
//
//   node charts.mjs [--dir BUILT_SITE] [--root SITE_ROOT] [--screenshots DIR]
//
// Without --dir it builds the site at --root (default: the repository) into a temp folder.
// On every page with a chart or a map, in headless Chromium:
//   - at 320, 390, 768, 1024 and 1280 px: no horizontal overflow; no chart or map text
//     outside its SVG (a label cut off) and from 390 px up none rendered smaller than 12 px
//     (the map is scaled to its column: its labels are measured as rendered);
//   - each chart row's rendered text against figures.json: its value as displayed and its
//     claimant; no chart has a mark for a figure that repeats another (repeats fold);
//   - the map: one mark per place of content/places.yaml with coordinates and a page (less
//     those it names as too far away), each linking to that place's page; labels that do
//     not overlap;
//   - axe-core: no violations, light and dark, at 390 and 1280 px;
//   - screenshots of /figures/, the numbers story, /places/ and a place page at 390 and
//     1280 px, light and dark, when --screenshots is given (default target/screenshots/).
// Exit 0 when everything passed, 1 with a list of every failure otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { launchChromium, dossierBinary, parseArgs, REPO, HERE } from './common.mjs';
import { startStaticServer } from './static-server.mjs';

const args = parseArgs(process.argv.slice(2), { dir: 'value', root: 'value', screenshots: 'value' });
const siteRoot = path.resolve(args.root || REPO);
const shotDir = path.resolve(args.screenshots || path.join(REPO, 'target', 'screenshots'));
const WIDTHS = [320, 390, 768, 1024, 1280];

const failures = [];
const fail = (where, msg) => failures.push(`${where}: ${msg}`);

let tmp = null;
let outDir = args.dir ? path.resolve(args.dir) : null;
if (!outDir) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-charts-'));
  outDir = path.join(tmp, 'public');
  const r = spawnSync(dossierBinary(), ['build', '--root', siteRoot, '--out', outDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error(`FAIL: dossier build exited ${r.status}`);
    process.exit(1);
  }
}
const read = (p) => fs.readFileSync(path.join(outDir, p), 'utf8');
const prefix = (/<html[^>]*\sdata-root="([^"]*)"/.exec(read('index.html')) || [, ''])[1].replace(/\/+$/, '');

// Every HTML page with a chart or a map.
function htmlPages(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...htmlPages(dir, r));
    else if (e.name.endsWith('.html')) out.push(r);
  }
  return out;
}
const pages = htmlPages(outDir)
  .filter((p) => /class="chart[ "]|class="map-block"/.test(read(p)))
  .map((p) => p.replace(/index\.html$/, ''))
  .sort();
for (const need of ['figures/', 'places/', 'stories/numbers/']) {
  if (!pages.includes(need)) fail(`/${need}`, 'has no chart or map');
}

const figures = new Map(JSON.parse(read('figures.json')).map((f) => [f.id, f]));
const relations = JSON.parse(read('relations.json'));
// Copies: of each repeat pair within one place and measure, at most one is drawn.
const repeatPairs = relations
  .filter((r) => r.kind === 'repeat' && r.figures.length === 2)
  .filter((r) => {
    const [a, b] = r.figures.map((id) => figures.get(id));
    return a && b && a.place === b.place && a.measure === b.measure;
  });

// The flagship's places with coordinates (flow mappings, one a line), and their pages.
const placesYaml = fs.readFileSync(path.join(siteRoot, 'content', 'places.yaml'), 'utf8');
const placesWithCoords = [];
for (const line of placesYaml.split('\n')) {
  if (!/\blat:/.test(line) || !/\blon:/.test(line)) continue;
  const name = /\bname:\s*("([^"]*)"|([^,}]+))/.exec(line);
  if (name) placesWithCoords.push((name[2] ?? name[3]).trim());
}
const slug = (s) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const mappable = placesWithCoords.filter((n) => fs.existsSync(path.join(outDir, 'places', slug(n), 'index.html')));
if (mappable.length < 5) fail('content/places.yaml', `only ${mappable.length} places with coordinates and a page`);

const srv = await startStaticServer(outDir, prefix);
const browser = await launchChromium();
const axeSource = fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

async function newPage(width, scheme = 'light') {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: scheme,
    reducedMotion: 'reduce',
  });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    return u.startsWith(srv.origin + '/') ? route.continue() : route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  return { page, context };
}

async function go(page, p) {
  const res = await page.goto(srv.base + p, { waitUntil: 'load' });
  if (!res || res.status() !== 200) fail(`/${p}`, `HTTP ${res ? res.status() : 'none'}`);
  await page.evaluate(() => document.fonts && document.fonts.ready);
}

// Text of chart and map SVGs: outside its SVG, or smaller than `minPx` as rendered.
async function textProblems(page, minChart, minMap) {
  return page.evaluate(({ minChart, minMap }) => {
    const out = [];
    for (const svg of document.querySelectorAll('svg.chart-svg, svg.map-svg')) {
      const box = svg.getBoundingClientRect();
      if (box.width === 0) continue; // in a closed disclosure
      const min = svg.classList.contains('map-svg') ? minMap : minChart;
      for (const t of svg.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        const s = t.textContent.trim().slice(0, 50);
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`"${s}" is cut off (${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)} of ${Math.round(box.width)} px)`);
        for (const el of [t, ...t.querySelectorAll('tspan')]) {
          const px = parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM()?.a ?? 1);
          if (px < min - 0.01) { out.push(`"${el.textContent.trim().slice(0, 40)}" is ${px.toFixed(1)} px`); break; }
        }
      }
    }
    return out;
  }, { minChart, minMap });
}

async function overflow(page) {
  return page.evaluate(() => {
    const se = document.scrollingElement;
    const w = document.documentElement.clientWidth;
    if (se.scrollWidth <= w + 1) return null;
    // The widest culprits, outside scroll containers (they scroll inside their box).
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= w + 1) continue;
      let p = el.parentElement, clipped = false;
      while (p && p !== document.body) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) { clipped = true; break; }
        p = p.parentElement;
      }
      if (!clipped) wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(r.right)})`);
    }
    return `${se.scrollWidth} > ${w}; widest: ${wide.slice(0, 4).join(', ')}`;
  });
}

for (const width of WIDTHS) {
  const { page, context } = await newPage(width);
  for (const p of pages) {
    const where = `/${p} @${width}`;
    await go(page, p);
    const o = await overflow(page);
    if (o) fail(where, `scrolls sideways: ${o}`);
    for (const t of await textProblems(page, width >= 390 ? 12 : 0, width >= 390 ? 12 : 0)) fail(where, t);
  }
  await context.close();
}

// Chart rows against the figure data, at the narrowest width (where labels wrap most).
{
  const { page, context } = await newPage(320);
  for (const p of pages) {
    await go(page, p);
    const rows = await page.evaluate(() => [...document.querySelectorAll('svg.chart-svg a')].map((a) => ({
      href: a.getAttribute('href'),
      text: [...a.querySelectorAll('text')].map((t) => t.textContent).join(' ') + ' ' + (a.getAttribute('aria-label') || ''),
      chart: a.closest('figure').id,
    })));
    if (!rows.length && /class="chart[ "]/.test(read(p + (p.endsWith('/') || !p ? 'index.html' : '')))) fail(`/${p}`, 'a chart without marks');
    const drawn = new Map(); // chart id -> Set of figure ids
    for (const r of rows) {
      const id = decodeURIComponent((/#fig-(.+)$/.exec(r.href) || [])[1] || '');
      const f = figures.get(id);
      if (!f) { fail(`/${p}`, `chart mark links to ${r.href}, no such figure`); continue; }
      const text = r.text.replace(/\s+/g, ' ');
      for (const [what, want] of [['value', f.display], ['claimant', f.claimed_by]]) {
        if (want && !text.includes(want)) fail(`/${p} #${r.chart}`, `mark of ${id}: its text does not show its ${what} "${want}": ${text.slice(0, 160)}`);
      }
      if (!drawn.has(r.chart)) drawn.set(r.chart, new Set());
      drawn.get(r.chart).add(id);
    }
    for (const [chart, ids] of drawn) {
      for (const r of repeatPairs) {
        if (r.figures.every((id) => ids.has(id))) fail(`/${p} #${chart}`, `both ${r.figures.join(' and ')} are drawn, though one repeats the other`);
      }
    }
  }
  await context.close();
}

// The map: a mark per mappable place, each linking to its page; labels apart.
{
  const { page, context } = await newPage(1280);
  for (const p of pages.filter((p) => /class="map-block"/.test(read(p + 'index.html')))) {
    await go(page, p);
    const m = await page.evaluate(() => {
      const block = document.querySelector('.map-block');
      const marks = [...block.querySelectorAll('svg.map-svg .map-marks a')].map((a) => ({ href: a.getAttribute('href'), name: a.getAttribute('aria-label') }));
      const off = [...block.querySelectorAll('.map-off a')].map((a) => a.textContent.trim());
      const boxes = [...block.querySelectorAll('svg.map-svg text')].map((t) => t.getBoundingClientRect());
      let overlaps = 0;
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
      }
      return { marks, off, overlaps };
    });
    const where = `/${p} map`;
    const want = mappable.filter((n) => !m.off.includes(n));
    if (m.marks.length !== want.length) fail(where, `${m.marks.length} marks for ${want.length} places with coordinates and a page (${want.join(', ')})`);
    for (const name of want) {
      const mark = m.marks.find((x) => x.name.startsWith(name + ':') || x.name === name || x.name.startsWith(name + ' ') || x.name.startsWith(name + ';'));
      if (!mark) { fail(where, `no mark for ${name}`); continue; }
      if (!mark.href.endsWith(`/places/${slug(name)}/`)) fail(where, `${name} links to ${mark.href}`);
    }
    if (m.overlaps) fail(where, `${m.overlaps} pairs of labels overlap`);
    for (const mark of m.marks) {
      const r = await fetch(new URL(mark.href, srv.base + p));
      if (r.status !== 200) fail(where, `${mark.href} answers ${r.status}`);
      const h1 = /<h1[^>]*>([^<]*)</.exec(await r.text());
      if (!h1 || !mark.name.startsWith(h1[1].trim())) fail(where, `${mark.href} is the page of "${h1 && h1[1]}", not of ${mark.name.split(':')[0]}`);
    }
  }
  await context.close();
}

// axe-core, light and dark, at both widths.
for (const scheme of ['light', 'dark']) {
  for (const width of [390, 1280]) {
    const { page, context } = await newPage(width, scheme);
    for (const p of pages) {
      await go(page, p);
      await page.addScriptTag({ content: axeSource });
      const v = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')})`);
      });
      for (const x of v) fail(`/${p} @${width} ${scheme}`, `axe: ${x}`);
    }
    await context.close();
  }
}

// Screenshots for looking at.
fs.mkdirSync(shotDir, { recursive: true });
{
  const shots = [
    ['figures', 'figures/'],
    ['story-numbers', 'stories/numbers/'],
    ['places', 'places/'],
    ['place-kazakhstan', 'places/kazakhstan/'],
  ];
  for (const scheme of ['light', 'dark']) {
    for (const width of [390, 1280]) {
      const { page, context } = await newPage(width, scheme);
      for (const [name, p] of shots) {
        if (!fs.existsSync(path.join(outDir, p, 'index.html'))) continue;
        await go(page, p);
        // The charts and map only: the rest of the page is site.mjs's.
        const first = await page.$('figure.chart, .map-block');
        const clip = first ? await page.evaluate(() => {
          const els = [...document.querySelectorAll('figure.chart, .map-block')];
          const top = Math.min(...els.map((e) => e.getBoundingClientRect().top + scrollY));
          const bottom = Math.max(...els.map((e) => e.getBoundingClientRect().bottom + scrollY));
          return { x: 0, y: Math.max(0, top - 40), width: document.documentElement.clientWidth, height: Math.min(12000, bottom - top + 80) };
        }) : null;
        await page.screenshot({ path: path.join(shotDir, `charts-${name}-${width}-${scheme}.png`), fullPage: true, ...(clip ? { clip } : {}) });
      }
      await context.close();
    }
  }
}

await browser.close();
await srv.close();
if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
console.log(`charts: ${pages.length} pages with charts or maps (${pages.map((p) => '/' + p).join(', ')}); screenshots in ${shotDir}`);
if (failures.length) {
  console.error(`\nFAIL: ${failures.length} problem(s):`);
  for (const f of failures) console.error('  - ' + f);
  process.exit(1);
}
console.log(`PASS: charts and maps at ${WIDTHS.join(', ')} px, their text against the figure data, the map's marks, axe-core`);
