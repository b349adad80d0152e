#!/usr/bin/env bash
# Run each fuzz target for a bounded time: fuzz/run.sh [SECONDS]  (default 30 per target).
# Needs cargo-fuzz and a nightly toolchain; without them it says so and exits 0, since the
# property tests (tests/props.rs, part of `cargo test`) cover the same parsers.
# New inputs go to a scratch corpus; the committed corpus (fuzz/corpus/<target>/) is only
# read. Crashes land in fuzz/artifacts/<target>/ and make this script fail.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-30}"
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: no nightly toolchain; skipping (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: cargo-fuzz is not installed; skipping (cargo install cargo-fuzz)"
  exit 0
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for target in $(cargo +nightly fuzz list); do
  mkdir -p "$scratch/$target" "corpus/$target"
  echo "== $target: ${secs}s"
  if ! cargo +nightly fuzz run "$target" "$scratch/$target" "corpus/$target" -- \
      -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 2>&1 | tail -n 25; then
    status=1
  fi
done
exit $status
