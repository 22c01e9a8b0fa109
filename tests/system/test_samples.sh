#!/usr/bin/env bash
# test_samples.sh - `emeter --samples` on the real binary: a 3 s recording of
# a balanced three-phase 230 V / 5 A load at 30 degrees lag, 50 Hz, 8 kHz,
# written as CSV by awk, must give 3 measures lines with V, I, f, P and Q
# where the physics puts them; a damaged file must be refused with its line.
# Usage: test_samples.sh BIN_DIR
set -u
BIN=${1:?usage: test_samples.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-samples.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

awk 'BEGIN {
  pi = 3.14159265358979; fs = 8000; f = 50; v = 230 * sqrt(2); i = 5 * sqrt(2); lag = pi / 6;
  print "t,v1,i1,v2,i2,v3,i3";
  for (n = 0; n < 3 * fs; n++) {
    t = n / fs; w = 2 * pi * f * t;
    printf "%.6f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", t,
      v * sin(w), i * sin(w - lag),
      v * sin(w - 2 * pi / 3), i * sin(w - 2 * pi / 3 - lag),
      v * sin(w + 2 * pi / 3), i * sin(w + 2 * pi / 3 - lag);
  } }' > "$WORK/load.csv"

"$BIN/emeter" --samples "$WORK/load.csv" --rate 8000 --format csv \
    --dump-measures "$WORK/out.jsonl" 2> "$WORK/err.txt" || fail "replay: $(cat "$WORK/err.txt")"
n=$(grep -c '"type":"measures"' "$WORK/out.jsonl")
[ "$n" -eq 3 ] || fail "expected 3 measures lines, got $n"
# The last second: every value within the class-1 limits of the exact one.
last=$(grep '"type":"measures"' "$WORK/out.jsonl" | tail -1)
num() { echo "$last" | grep -o "\"$1\":[-0-9.]*" | head -1 | cut -d: -f2; }
within() { awk -v x="$1" -v want="$2" -v tol="$3" 'BEGIN { d = x - want; if (d < 0) d = -d; exit !(d <= tol * want) }'; }
within "$(num f)" 50 0.0002 || fail "frequency $(num f)"
within "$(num v)" 230 0.005 || fail "voltage $(num v)"
within "$(num i)" 5 0.01 || fail "current $(num i)"
within "$(num p)" 2987.95 0.01 || fail "P $(num p) (3 x 230 x 5 x cos 30 = 2987.95 W)"
within "$(num q)" 1725.0 0.02 || fail "Q $(num q) (3 x 230 x 5 x sin 30 = 1725 var)"
echo "ok: 3 s of samples -> f $(num f) Hz, V $(num v), I $(num i), P $(num p) W, Q $(num q) var"

printf 't,v1,i1,v2,i2,v3,i3\n0,1,2,3,4,5,6\n0.000125,1,2,x,4,5,6\n' > "$WORK/bad.csv"
"$BIN/emeter" --samples "$WORK/bad.csv" --rate 8000 --dump-measures "$WORK/o2.jsonl" 2> "$WORK/err2.txt"
rc=$?
[ $rc -eq 2 ] || fail "bad file exit status $rc"
grep -q "bad.csv:3" "$WORK/err2.txt" || fail "bad file message lacks the line: $(cat "$WORK/err2.txt")"
echo "ok: damaged file refused: $(cat "$WORK/err2.txt")"
echo "2 passed, 0 failed"
