#!/usr/bin/env bash
# dossier and Hugo side by side on the same synthetic content (benches/gen_site.rs), in one run.
#
#   benches/compare.sh                       # 1k, 10k and 50k pages; 5, 5 and 3 runs
#   SIZES="1000 10000" RUNS=3 benches/compare.sh
#
# For each size: one untimed warm-up build per tool (file cache), then RUNS timed builds
# alternating dossier and Hugo into the same output folder each time (dossier replaces it
# atomically, removing the old one; Hugo writes over it in place). Prints, per size and
# tool, the median wall time, dossier/Hugo, pages per second and the peak RSS
# (/usr/bin/time -v), then the 50k/10k time ratio and, if `cargo bench --bench incremental`
# exists, `dossier serve`'s rebuild time after one page edit at 1k and 10k pages.
# Environment: SIZES, RUNS (default 5), RUNS_LARGE (runs for sizes >= 50000, default 3),
# WORK (default /tmp/dossier-bench), INCREMENTAL=0 to skip the serve benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 50000"}
RUNS=${RUNS:-5}
RUNS_LARGE=${RUNS_LARGE:-3}
WORK=${WORK:-/tmp/dossier-bench}

if ! command -v hugo >/dev/null; then apt-get install -y hugo >/dev/null || { apt-get update >/dev/null && apt-get install -y hugo >/dev/null; }; fi
if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }; fi
cargo build --release --quiet --bin dossier --example gen_site
DOSSIER=$PWD/target/release/dossier
GEN=$PWD/target/release/examples/gen_site
mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
: >"$RESULTS"

# measure TOOL N SITE -> appends "N TOOL seconds maxrss_kb" to $RESULTS
measure() {
    local tool=$1 n=$2 site=$3 log=$WORK/time.log
    case $tool in
    dossier) /usr/bin/time -v -o "$log" "$DOSSIER" build --root "$site/dossier" --out "$site/out-dossier" >/dev/null 2>"$WORK/err.log" ;;
    hugo) /usr/bin/time -v -o "$log" hugo --quiet -s "$site/hugo" -d "$site/out-hugo" >/dev/null 2>"$WORK/err.log" ;;
    esac || { echo "$tool failed on $n pages:"; cat "$WORK/err.log"; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    echo "$n $tool $wall $rss" >>"$RESULTS"
}

for n in $SIZES; do
    site=$WORK/site-$n
    if [ ! -f "$site/.generated" ]; then
        "$GEN" "$n" "$site" >/dev/null
        touch "$site/.generated"
    fi
    runs=$RUNS
    [ "$n" -ge 50000 ] && runs=$RUNS_LARGE
    echo "== $n pages: warm-up, then $runs runs per tool" >&2
    "$DOSSIER" build --root "$site/dossier" --out "$site/out-dossier" >/dev/null 2>&1
    hugo --quiet -s "$site/hugo" -d "$site/out-hugo" >/dev/null 2>&1
    for ((r = 1; r <= runs; r++)); do
        measure dossier "$n" "$site"
        measure hugo "$n" "$site"
    done
done

# The table: median time and median peak RSS per size and tool.
awk '
function median(list,    a, k, i, j, t) {
    k = split(list, a, " ")
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{ key = $1 " " $2; t[key] = t[key] " " $3; m[key] = m[key] " " $4; if (!($1 in seen)) { seen[$1] = 1; order[++ns] = $1 } }
END {
    printf "| pages | tool | runs | median wall time | dossier/Hugo | pages/s | peak RSS |\n"
    printf "|---:|---|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= ns; i++) {
        n = order[i]
        td = median(t[n " dossier"]); th = median(t[n " hugo"])
        runs = split(t[n " dossier"], tmp, " ")
        printf "| %d | dossier | %d | %.2f s | %.2f | %.0f | %.0f MB |\n", n, runs, td, td / th, n / td, median(m[n " dossier"]) / 1024
        printf "| %d | Hugo | %d | %.2f s | | %.0f | %.0f MB |\n", n, runs, th, n / th, median(m[n " hugo"]) / 1024
        med[n " dossier"] = td; med[n " hugo"] = th
    }
    if ((("50000 dossier") in med) && (("10000 dossier") in med))
        printf "\n50k/10k time ratio: dossier %.2f, Hugo %.2f\n", med["50000 dossier"] / med["10000 dossier"], med["50000 hugo"] / med["10000 hugo"]
}' "$RESULTS"

# `dossier serve`'s incremental rebuild (benches/incremental.rs, by the serve work) on the
# same sites; it edits one page and restores it.
if [ "${INCREMENTAL:-1}" != 0 ] && grep -q 'name = "incremental"' Cargo.toml; then
    for n in 1000 10000; do
        site=$WORK/site-$n
        [ -d "$site/dossier" ] || continue
        echo
        cargo bench --quiet --bench incremental -- "$site/dossier" 2>/dev/null | sed "s#$site/dossier#$n pages#"
    done
fi
