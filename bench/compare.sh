#!/usr/bin/env bash
# bench/compare.sh: `slatement settle` against the same aggregation in DuckDB, in one run: the
# project's own query (bench/settle.sql, which makes DuckDB check duplicates and conflicts too)
# and the lean query a user would write (../shared/bench/duckdb_lean.py: no validation, no
# duplicate check, no hashing; set LEAN_QUERY to its path when it lives elsewhere).
#
#   bench/compare.sh [--size quick|headline|N] [--runs K] [--keep]
#
# 1. builds slatement and the month generator (`cargo build --release`);
# 2. generates a month into bench/data/<size>/2026-10 with examples/gen_month.rs, or reuses the
#    one already there (made with the same arguments by the same generator source);
# 3. creates bench/.venv and installs DuckDB from PyPI when it cannot import duckdb;
# 4. runs each side once untimed and checks that slatement agrees with each query on every
#    figure it computes (bench/compare_figures.py; the lean query's figures through
#    bench/lean_figures.py); then runs each side K more times, alternating, each in a fresh
#    process, and checks that every run printed the same bytes as the first;
# 5. prints the median wall time, peak RSS and CPU time of each side and slatement's ratios to
#    each query.
#
# Sizes: quick = 1M calls, 200k tickets, 200k surveys, 50k orders (~140 MB);
#        headline = 10M calls, 2M tickets, 2M surveys, 500k orders (~1.4 GB);
#        N = N calls, N/5 tickets, N/5 surveys, N/20 orders.
# --runs K   timed runs per side (default 5).
# --keep     keep this run's outputs (both sides' JSON, per-run timings) in
#            bench/data/<size>/last-run/ instead of a temporary folder removed on exit.
#            The generated month itself always stays in bench/data/<size>/ for the next run
#            (bench/data is git-ignored; `rm -rf bench/data` frees the space).
#
# Exit 0 when the figures agree; 1 when they disagree or a run printed something else than the
# first run of its side; 2 on a usage error; anything else when a build or a run failed.
# Environment: DUCKDB_VERSION pins the version pip installs into a new bench/.venv;
# BENCH_TIMER=python measures with Python's os.wait4 even when GNU time is present.
set -euo pipefail

usage() {
    echo "usage: bench/compare.sh [--size quick|headline|N] [--runs K] [--keep]"
}

size=quick
runs=5
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --size) [ $# -ge 2 ] || { usage >&2; exit 2; }; size=$2; shift 2 ;;
    --size=*) size=${1#*=}; shift ;;
    --runs) [ $# -ge 2 ] || { usage >&2; exit 2; }; runs=$2; shift 2 ;;
    --runs=*) runs=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

case $size in
quick) calls=1000000 tickets=200000 surveys=200000 orders=50000 ;;
headline) calls=10000000 tickets=2000000 surveys=2000000 orders=500000 ;;
'' | *[!0-9]*)
    echo "compare.sh: --size must be quick, headline or a number of calls, not '$size'" >&2
    exit 2
    ;;
*)
    [ "$size" -gt 0 ] || { echo "compare.sh: --size must be above 0" >&2; exit 2; }
    calls=$size tickets=$((size / 5)) surveys=$((size / 5)) orders=$((size / 20))
    ;;
esac
case $runs in
'' | *[!0-9]* | 0) echo "compare.sh: --runs must be a whole number above 0, not '$runs'" >&2; exit 2 ;;
esac

month=2026-10
seed=2026
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=bench/data/$size
say() { printf '%s\n' "$*" >&2; }

# --- build -----------------------------------------------------------------------------------
say "== building slatement and gen_month (cargo build --release)"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "unknown commit")
if ! git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null; then
    commit="$commit + uncommitted changes"
fi
cargo build --release --quiet
cargo build --release --quiet --example gen_month

work=$(mktemp -d "${TMPDIR:-/tmp}/slatement-bench.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
# Run copies, so that a rebuild in the same target folder cannot swap a binary mid-benchmark.
cp target/release/slatement "$work/slatement"
cp target/release/examples/gen_month "$work/gen_month"

# --- data ------------------------------------------------------------------------------------
gen_args="--month $month --calls $calls --tickets $tickets --surveys $surveys --orders $orders --seed $seed"
stamp="gen_month $gen_args; generator sha256 $(sha256sum examples/gen_month.rs | cut -d' ' -f1)"
if [ -f "$data/generated.txt" ] && [ "$(cat "$data/generated.txt")" = "$stamp" ] &&
    [ -f "$data/$month/calls.csv" ]; then
    say "== reusing $data/$month ($(du -sh "$data/$month" | cut -f1))"
else
    say "== generating $data/$month: $calls calls, $tickets tickets, $surveys surveys, $orders orders"
    rm -rf "$data/$month" "$data/generated.txt"
    mkdir -p "$data"
    # shellcheck disable=SC2086
    "$work/gen_month" $gen_args --out "$data/$month"
    printf '%s\n' "$stamp" >"$data/generated.txt"
fi
data_bytes=$(du -sb "$data/$month" | cut -f1)

# --- DuckDB ----------------------------------------------------------------------------------
py=bench/.venv/bin/python
if ! "$py" -c 'import duckdb' 2>/dev/null; then
    say "== installing DuckDB from PyPI into bench/.venv"
    python3 -m venv bench/.venv
    "$py" -m pip install --quiet --disable-pip-version-check "duckdb${DUCKDB_VERSION:+==$DUCKDB_VERSION}"
fi
duckdb_version=$("$py" -c 'import duckdb; print(duckdb.__version__)')
slatement_version=$("$work/slatement" --version)

# --- measuring -------------------------------------------------------------------------------
# measure OUT TIMES CMD...: runs CMD with stdout to OUT and appends "wall_s maxrss_kib user_s
# sys_s" to TIMES. GNU time reads these from wait4(2); the Python fallback does the same.
if [ "${BENCH_TIMER:-}" != python ] && /usr/bin/time -f '%e' -o /dev/null true 2>/dev/null; then
    timer="GNU time (/usr/bin/time -f '%e %M %U %S')"
    measure() {
        local out=$1 times=$2
        shift 2
        /usr/bin/time -f '%e %M %U %S' -o "$work/time.tmp" "$@" >"$out" || {
            say "compare.sh: failed: $*"
            cat "$work/time.tmp" >&2
            return 1
        }
        tail -n 1 "$work/time.tmp" >>"$times"
    }
else
    timer="Python os.wait4 (perf_counter wall time, ru_maxrss)"
    cat >"$work/timeit.py" <<'EOF'
import os, subprocess, sys, time
out, times, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as f:
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=f)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.exit(f"compare.sh: failed with exit {code}: {' '.join(cmd)}")
with open(times, "a") as f:
    f.write(f"{wall:.3f} {usage.ru_maxrss} {usage.ru_utime:.2f} {usage.ru_stime:.2f}\n")
EOF
    measure() { python3 "$work/timeit.py" "$@"; }
fi

slatement_cmd=("$work/slatement" settle --month "$month" --data "$data" --rates rates.toml
    --format json --quiet)
duckdb_cmd=("$py" bench/duckdb_settle.py --data "$data")
lean_query=${LEAN_QUERY:-$root/../shared/bench/duckdb_lean.py}
sides=(slatement duckdb)
if [ -f "$lean_query" ]; then
    lean_cmd=("$py" "$lean_query" --data "$data" --month "$month" --format json)
    sides+=(lean)
else
    say "== the lean query is not at $lean_query (set LEAN_QUERY): measuring settle.sql only"
fi
run_side() { # run_side SIDE OUT TIMES
    local side=$1 out=$2 times=$3
    case $side in
    slatement) measure "$out" "$times" "${slatement_cmd[@]}" ;;
    duckdb) measure "$out" "$times" "${duckdb_cmd[@]}" ;;
    lean) measure "$out" "$times" "${lean_cmd[@]}" ;;
    esac
}

say "== checking figures (one untimed run of each side)"
for side in "${sides[@]}"; do
    run_side "$side" "$work/$side.json" "$work/warmup-$side.txt"
done
status=0
check=$(python3 bench/compare_figures.py "$work/slatement.json" "$work/duckdb.json") || status=1
printf 'settle.sql: %s\n' "$check"
if [ -f "$work/lean.json" ]; then
    python3 bench/lean_figures.py "$work/lean.json" >"$work/lean-figures.json"
    check=$(python3 bench/compare_figures.py --duplicates-unchecked "$work/slatement.json" \
        "$work/lean-figures.json") || status=1
    printf 'lean query: %s\n' "$check"
fi

say "== timing: $runs runs of each side, alternating"
for i in $(seq 1 "$runs"); do
    line="   run $i/$runs:"
    for side in "${sides[@]}"; do
        run_side "$side" "$work/$side-$i.json" "$work/times-$side.txt"
        if ! cmp -s "$work/$side.json" "$work/$side-$i.json"; then
            echo "DIFFERENT OUTPUT: run $i of $side printed other bytes than its first run"
            status=1
        fi
        line="$line $side $(tail -n 1 "$work/times-$side.txt" | cut -d' ' -f1) s"
    done
    say "$line"
done

# --- report ----------------------------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(free -h | awk '/^Mem:/ {print $2}')
python3 - "$work" "$runs" "${sides[@]}" <<EOF
import statistics, sys
work, runs, sides = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def load(side):
    rows = [line.split() for line in open(f"{work}/times-{side}.txt")]
    wall = [float(r[0]) for r in rows]
    rss = [int(r[1]) / 1024 for r in rows]
    cpu = [float(r[2]) + float(r[3]) for r in rows]
    return wall, rss, cpu
loaded = {side: load(side) for side in sides}
med = lambda xs: statistics.median(xs)
print()
print("size $size: $calls calls, $tickets tickets, $surveys surveys, $orders orders "
      f"({$data_bytes / 1e6:.0f} MB) in $data/$month")
print("machine: $(nproc) cores ($cpu), $mem RAM; $slatement_version ($commit),"
      " $(rustc --version | cut -d' ' -f1-2); duckdb $duckdb_version")
print("timer: $timer; median of {} runs per side, alternating, after one untimed run"
      .format(runs))
print()
print(f"{'':22} {'wall s':>8} {'peak RSS MiB':>13} {'CPU s':>7}   wall runs")
names = {"slatement": "slatement", "duckdb": "duckdb settle.sql", "lean": "duckdb lean"}
for side in sides:
    wall, rss, cpu = loaded[side]
    runs_txt = " ".join(f"{w:.2f}" for w in wall)
    print(f"{names[side]:22} {med(wall):8.2f} {med(rss):13.1f} {med(cpu):7.2f}   {runs_txt}")
ratio = lambda a, b: f"{med(a) / med(b):.2f}x" if med(b) else "n/a"
s = loaded["slatement"]
for side in sides[1:]:
    d = loaded[side]
    label = "slatement/" + ("settle.sql" if side == "duckdb" else "lean")
    print(f"{label:22} {ratio(s[0], d[0]):>8} {ratio(s[1], d[1]):>13} "
          f"{ratio(s[2], d[2]):>7}")
EOF

if [ "$keep" = 1 ]; then
    rm -rf "$data/last-run"
    mkdir -p "$data/last-run"
    cp "$work"/*.json "$work"/*.txt "$data/last-run/"
    say "== kept this run's outputs in $data/last-run/"
fi
if [ "$status" != 0 ]; then
    echo "FAILED: slatement and DuckDB disagree (see above)"
fi
exit "$status"
