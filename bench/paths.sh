#!/usr/bin/env bash
# The other paths users run at scale, each alternating with plain `settle` in one series:
# `settle --evidence`, the calls through a mapping profile, `verify`, `reconcile` with a claim,
# and one thread against two. Prints one line per run: what, wall s, user s, sys s, peak RSS KiB.
#
#   bench/paths.sh [--size headline|quick] [--claim-month DIR]
#
# The month comes from `bench/compare.sh --size …` (bench/data/<size>/2026-10). The reconcile
# rounds need a month with a claim, e.g.
#   target/release/examples/gen_month --month 2026-10 --calls 10000000 --tickets 2000000 \
#     --surveys 2000000 --orders 500000 --seed 7 --out /tmp/big10 --claim acme
# and are skipped without `--claim-month`.
set -euo pipefail
cd "$(dirname "$0")/.."
size=headline claim=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --claim-month) claim="$2"; shift 2 ;;
    *) echo "usage: bench/paths.sh [--size headline|quick] [--claim-month DIR]" >&2; exit 2 ;;
  esac
done
data="bench/data/$size"
[ -f "$data/2026-10/calls.csv" ] || { echo "no month in $data: run bench/compare.sh --size $size first" >&2; exit 2; }
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="$work/slatement"
cp target/release/slatement "$bin"
timed() { local what="$1"; shift; /usr/bin/time -f "$what %e %U %S %M" "$@" > /dev/null; }
settle=("$bin" settle --month 2026-10 --data "$data" --rates rates.toml --format json --quiet)
"$bin" settle --month 2026-10 --data "$data" --rates rates.toml --out "$work/out" --quiet > /dev/null
statement=$(ls "$work"/out/2026-10/*/statement.json | head -1)
for _ in 1 2 3; do
  timed settle "${settle[@]}"
  rm -rf "$work/evidence"
  timed evidence "${settle[@]}" --evidence "$work/evidence"
  timed mapped "${settle[@]}" --calls "$data/2026-10/calls.csv" --calls-profile bench/canonical-calls-profile.toml
  timed verify "$bin" verify "$statement" --data "$data" --rates rates.toml --quiet
done
if [ -n "$claim" ]; then
  for _ in 1 2; do
    timed settle-acme "$bin" settle --month 2026-10 --data "$claim" --rates rates.toml --vendor acme --format json --quiet
    # Exit 1 means the claim disagrees with the statement, as a generated claim does.
    timed reconcile "$bin" reconcile --month 2026-10 --data "$claim" --rates rates.toml --vendor acme \
      --claim "$claim/claim.csv" --claim-records "$claim/claim_records.csv" --format json --quiet || true
  done
fi
for _ in 1 2 3 4; do
  SLATEMENT_THREADS=1 timed threads-1 "${settle[@]}"
  SLATEMENT_THREADS=2 timed threads-2 "${settle[@]}"
done
