#!/usr/bin/env bash
# Real-browser tests: the flagship site (site.mjs), dossier serve's live reload (live.mjs)
# and what one search query downloads on a 3,000-page generated site (search-scale.mjs).
# Installs what it needs: Debian's chromium when /usr/bin/chromium is missing, and
# playwright-core from package-lock.json (npm ci, skipped when node_modules is current).
# Screenshots go to target/screenshots/ (override with SCREENSHOTS=dir).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# npm ci wipes and reinstalls node_modules: only when package-lock.json changed since.
stamp=node_modules/.ci-stamp
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# Each script runs `cargo build --release` first (a no-op when fresh); DOSSIER=path skips it.
node site.mjs ${SCREENSHOTS:+--screenshots "$SCREENSHOTS"}
node charts.mjs ${SCREENSHOTS:+--screenshots "$SCREENSHOTS"}
node live.mjs
node search-scale.mjs
