// End-to-end test of `dossier serve`'s live reload in headless Chromium (issue 7).
//
//   node live.mjs [--keep]
//
// Writes a small fixture site (the repository's default theme, one page) into a temp
// folder, starts `dossier serve --port 0 --root <it>`, opens the page and then:
//   1. edits the page's Markdown: the open tab must show the new text within 10 s;
//   2. breaks the page's YAML front matter: the error overlay (#__dossier_overlay) must
//      appear, name the file, and the last good page must stay on screen;
//   3. fixes the YAML (with new text): the overlay must go and the new text show;
//   4. edits only the stylesheet: the new style must apply (ideally without a full reload);
//   5. adds a page: it must be served; 6. stops the server: the tab must not claim that
//      the build failed (a dropped connection is not a build error).
// No public/ may appear in the site folder (serve builds in memory). Fails on any page
// error. If serve reports itself unavailable ("not yet available") the test is skipped
// with exit 0; any other early exit of serve is a failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { launchChromium, dossierBinary, parseArgs, REPO, sleep } from './common.mjs';

const args = parseArgs(process.argv.slice(2), { keep: 'flag' });
const TIMEOUT = 10_000;
const failures = [];
const fail = (step, msg) => { failures.push(`${step}: ${msg}`); console.error(`  FAIL ${step}: ${msg}`); };
const ok = (step, msg) => console.log(`  ok   ${step}: ${msg}`);

// ---------- the fixture site ----------
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-live-'));
fs.cpSync(path.join(REPO, 'themes', 'default'), path.join(root, 'themes', 'default'), { recursive: true });
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
write('site.yaml', 'title: Live fixture\nbase_url: https://example.org/\n');
write('content/_index.md', '---\ntitle: Live fixture\n---\nHome of the live-reload fixture.\n');
write('content/sources.yaml', '- id: fixture-source\n  title: A fixture source\n  publisher: Fixture Press\n  published: 2022-09-21\n');
const PAGE = 'content/notes/live.md';
const page = (title, marker) => `---\ntitle: ${title}\ndate: 2022-09-21\n---\nThe marker sentence is ${marker}.\n`;
write(PAGE, page('Live page', 'ALPHA-1'));

// ---------- the server ----------
const bin = dossierBinary();
const server = spawn(bin, ['serve', '--port', '0', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
let exited = null;
server.on('exit', (code, signal) => { exited = { code, signal }; });
// Never leave the server behind, whatever happens to this script.
process.on('exit', () => { if (exited === null) server.kill('SIGKILL'); });
const baseUrl = await new Promise((resolve) => {
  const onData = (chunk) => {
    serverLog += chunk;
    const m = /serving at (https?:\/\/\S+)/.exec(serverLog);
    if (m) resolve(m[1].endsWith('/') ? m[1] : m[1] + '/');
  };
  server.stdout.setEncoding('utf8').on('data', onData);
  server.stderr.setEncoding('utf8').on('data', onData);
  server.on('exit', () => resolve(null));
  setTimeout(() => resolve(null), 60_000);
});

async function cleanup() {
  if (exited === null) {
    server.kill('SIGTERM');
    for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
    if (exited === null) server.kill('SIGKILL');
  }
  if (!args.keep) fs.rmSync(root, { recursive: true, force: true });
}

if (!baseUrl) {
  await cleanup();
  if (/not (yet )?available|unavailable/i.test(serverLog)) {
    console.log(`SKIP live.mjs: dossier serve reports itself unavailable:\n${serverLog.trim()}`);
    process.exit(0);
  }
  console.error(`FAIL: dossier serve did not print "serving at <url>" (exit ${JSON.stringify(exited)}):\n${serverLog}`);
  process.exit(1);
}
console.log(`dossier serve at ${baseUrl} for ${root}`);

// ---------- the browser ----------
const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
await context.route('**/*', (route) => {
  const u = route.request().url();
  return u.startsWith(new URL(baseUrl).origin + '/') ? route.continue() : route.abort('blockedbyclient');
});
const tab = await context.newPage();
const consoleErrors = [];
tab.on('pageerror', (e) => fail('page', `page error: ${e.message}`));
tab.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

// Milliseconds until `fn` returns a truthy value in the page, checked on every animation
// frame (so the time is the time to screen, within a frame); navigations in between are fine.
async function until(fn, arg, timeout = TIMEOUT) {
  const t0 = Date.now();
  for (;;) {
    const left = timeout - (Date.now() - t0);
    if (left <= 0) return null;
    try {
      await tab.waitForFunction(fn, arg, { polling: 'raf', timeout: left });
      return Date.now() - t0;
    } catch { /* the page is reloading (or the time is up: checked above) */ }
    await sleep(5);
  }
}
// After a reload: milliseconds from `t0` (Date.now() at the save) to the reloaded page's
// first contentful paint, from the page's own Navigation and Paint Timing (the polling above
// sees it later: the test re-attaches to the new page first).
const paintedAfter = (t0) => tab.evaluate((t0) => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const at = paint ? paint.startTime : performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;
  return Math.round(performance.timeOrigin + at - t0);
}, t0).catch(() => null);
const bodyHas = (text) => until((t) => document.body && document.body.innerText.includes(t), text);
// A full reload drops this marker; an in-place update (CSS) keeps it.
const mark = () => tab.evaluate(() => { window.__liveTestMark = true; });
const marked = () => tab.evaluate(() => window.__liveTestMark === true).catch(() => false);
const overlayVisible = () => tab.evaluate(() => {
  const o = document.getElementById('__dossier_overlay');
  return !!o && !!(o.offsetWidth || o.offsetHeight || o.getClientRects().length);
}).catch(() => false);

try {
  const url = baseUrl + 'notes/live/';
  const res = await tab.goto(url, { waitUntil: 'load' });
  if (!res || res.status() !== 200) throw new Error(`GET ${url} answered ${res && res.status()}`);
  if (!(await bodyHas('ALPHA-1'))) throw new Error('the page does not show its text ALPHA-1');
  // The reload script needs its event stream open before we edit anything.
  await sleep(500);

  // 1. Edit the Markdown.
  {
    const step = '1 edit Markdown';
    await mark();
    const t0 = Date.now();
    write(PAGE, page('Live page', 'BETA-2'));
    const ms = await bodyHas('BETA-2');
    if (ms === null) fail(step, `the tab still does not show BETA-2 after ${TIMEOUT / 1000} s`);
    else if (await marked()) ok(step, `new text on screen ${ms} ms after the save (updated in place)`);
    else ok(step, `reloaded page painted ${await paintedAfter(t0)} ms after the save (the test saw the text at ${ms} ms)`);
    if (await overlayVisible()) fail(step, 'an error overlay shows after a good edit');
  }

  // 2. Break the YAML: overlay, naming the file; the last good page stays.
  {
    const step = '2 break YAML';
    write(PAGE, '---\ntitle: [Live page\ndate: 2022-09-21\n---\nThe marker sentence is BROKEN-3.\n');
    const ms = await until(() => !!document.getElementById('__dossier_overlay'));
    if (ms === null) fail(step, `no #__dossier_overlay after ${TIMEOUT / 1000} s`);
    else {
      ok(step, `overlay ${ms} ms after the save`);
      if (!(await overlayVisible())) fail(step, 'the overlay is in the DOM but not visible');
      const text = await tab.evaluate(() => document.getElementById('__dossier_overlay').innerText);
      if (!/live\.md/.test(text)) fail(step, `the overlay does not name notes/live.md: ${JSON.stringify(text.slice(0, 300))}`);
      else if (!/live\.md:\d+(:\d+)?/.test(text)) fail(step, `the overlay names the file without a line: ${JSON.stringify(text.slice(0, 300))}`);
      else ok(step, `overlay says ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 160))}`);
      if (!(await tab.evaluate(() => document.body.innerText.includes('BETA-2')))) fail(step, 'the last good page (BETA-2) is no longer shown under the overlay');
      if (await tab.evaluate(() => document.body.innerText.includes('BROKEN-3'))) fail(step, 'the broken page was rendered');
      await tab.screenshot({ path: path.join(REPO, 'target', 'screenshots', 'live-overlay.png') }).catch(() => {});
    }
    // A page loaded while the build is broken shows the overlay too.
    const other = await context.newPage();
    other.on('pageerror', (e) => fail(step, `page error in a second tab: ${e.message}`));
    await other.goto(baseUrl, { waitUntil: 'load' });
    if (!(await other.locator('#__dossier_overlay').count())) fail(step, 'a tab opened during the failed build shows no overlay');
    const r404 = await other.goto(baseUrl + 'no-such-page/', { waitUntil: 'load' });
    if (r404.status() !== 404) fail(step, `a missing page answers ${r404.status()}, not 404`);
    if (!(await other.locator('#__dossier_overlay').count())) fail(step, 'the 404 page shows no overlay during a failed build');
    await other.close();
  }

  // 3. Fix it: the overlay goes, the new text shows.
  {
    const step = '3 fix YAML';
    const t0 = Date.now();
    write(PAGE, page('Live page', 'GAMMA-4'));
    const ms = await until(() => !document.getElementById('__dossier_overlay') && document.body.innerText.includes('GAMMA-4'));
    if (ms === null) fail(step, `after ${TIMEOUT / 1000} s: overlay ${(await overlayVisible()) ? 'still shown' : 'gone'}, GAMMA-4 ${(await bodyHas('GAMMA-4')) !== null ? 'shown' : 'not shown'}`);
    else ok(step, `overlay gone and GAMMA-4 painted ${await paintedAfter(t0)} ms after the save (the test saw it at ${ms} ms)`);
  }

  // 4. A stylesheet-only change applies (the spec wants it without a full reload).
  {
    const step = '4 edit CSS';
    await sleep(300);
    await mark();
    const css = path.join(root, 'themes', 'default', 'static', 'style.css');
    fs.appendFileSync(css, '\n:root { --live-test-probe: 7px; }\n');
    const ms = await until(() => getComputedStyle(document.documentElement).getPropertyValue('--live-test-probe').trim() === '7px');
    if (ms === null) fail(step, `the new style did not apply within ${TIMEOUT / 1000} s`);
    else if (!(await marked())) ok(step, `style applied in ${ms} ms, but by a full page reload (the spec asks for a style-only reload)`);
    else ok(step, `style applied in place in ${ms} ms`);
  }

  // 5. A new page is served.
  {
    const step = '5 add page';
    write('content/notes/added.md', page('Added page', 'DELTA-5'));
    const t0 = Date.now();
    let status = 0;
    while (Date.now() - t0 < TIMEOUT) {
      const r = await fetch(baseUrl + 'notes/added/').catch(() => null);
      status = r ? r.status : 0;
      if (r) await r.arrayBuffer();
      if (status === 200) break;
      await sleep(100);
    }
    if (status !== 200) fail(step, `/notes/added/ answers ${status} after ${TIMEOUT / 1000} s`);
    else ok(step, `served after ${Date.now() - t0} ms`);
  }

  if (fs.existsSync(path.join(root, 'public'))) fail('output', 'serve wrote a public/ folder into the site');

  // 6. Stop the server: a lost connection is not a failed build.
  {
    const step = '6 server stops';
    await mark();
    server.kill('SIGTERM');
    for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
    await sleep(2000); // EventSource notices and retries (retry: 1000)
    if (await overlayVisible()) {
      const text = await tab.evaluate(() => document.getElementById('__dossier_overlay').innerText).catch(() => '');
      fail(step, `the tab shows the build-failed overlay after the server stopped: ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 200))}`);
    } else ok(step, 'no overlay after the connection dropped');
  }
} catch (e) {
  fail('setup', e.message.split('\n')[0]);
}

await browser.close();
await cleanup();
if (consoleErrors.length) {
  // EventSource logs a console error when its server goes away (step 6); not a failure.
  console.log(`console errors (not failures):\n  ${consoleErrors.slice(0, 10).join('\n  ')}`);
}
if (failures.length) {
  console.error(`\nFAIL: ${failures.length} problem(s):\n  - ${failures.join('\n  - ')}\n--- serve's output ---\n${serverLog}`);
  process.exit(1);
}
console.log('PASS: live reload, error overlay, recovery, CSS, new page');
