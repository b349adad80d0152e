// Shared by site.mjs and live.mjs: Debian's chromium through playwright-core, the
// repository's paths, and a way to build dossier once.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Playwright's own browser download does not work here; Debian's chromium does.
// --disable-quic etc. keep the browser from talking to anything but our loopback server.
export async function launchChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (tests/browser/run.sh does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// The dossier binary, built in release mode once (cargo is a no-op when it is fresh).
// DOSSIER=/path/to/dossier skips cargo.
export function dossierBinary() {
  if (process.env.DOSSIER) return process.env.DOSSIER;
  const r = spawnSync('cargo', ['build', '--release', '--quiet'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`cargo build --release failed (exit ${r.status})`);
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO, process.env.CARGO_TARGET_DIR)
    : path.join(REPO, 'target');
  return path.join(targetDir, 'release', 'dossier');
}

export function parseArgs(argv, known) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m || !(m[1] in known)) {
      console.error(`unknown argument: ${a}\nknown: ${Object.keys(known).map((k) => '--' + k).join(' ')}`);
      process.exit(2);
    }
    if (known[m[1]] === 'flag') out[m[1]] = true;
    else out[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
