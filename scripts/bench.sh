#!/usr/bin/env bash
# bench.sh - run every benchmark program built from bench/bench_*.c and print
# its numbers. Results are copied into BENCHMARKS.md by hand, with the command.
# Usage: scripts/bench.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shopt -s nullglob
benches=("$BUILD"/bench/bench_*)
[ ${#benches[@]} -gt 0 ] || { echo "bench: no benchmarks built in $BUILD/bench" >&2; exit 1; }
for b in "${benches[@]}"; do
  echo "== $(basename "$b")"
  "$b"
done
