#!/usr/bin/env bash
# test_emeter_devices.sh - system test: the devices of the emeter virtual
# meter seen by the dlms client (docs/devices-wiring.md):
#
#   - management client 1 reads the error register 0.0.97.97.0.255 (0), the
#     automatic display list 0.0.21.0.1.255 (class 7 capture_objects, A+)
#     and its buffer with `dlms profile` (one entry of the listed values)
#   - three wrong authentication keys lock the management association: the
#     right key is then refused (AARE rejected-transient, authentication
#     failure) while the public client keeps reading
#   - the lock survives a power cycle (SIGTERM, restart)
#
# Usage: test_emeter_devices.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_devices.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-devtest.XXXXXX)
PID=""
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; echo "--- emeter log"; cat "$WORK"/emeter*.log 2>/dev/null; rm -rf "$WORK"; exit 1; }
pass() { echo "ok: $*"; }

start_meter() { # $1 = log name
  : > "$WORK/$1" # exists before the port lookup reads it
  "$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 > "$WORK/$1" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$1" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || fail "emeter exited at start: $(cat "$WORK/$1")"
    sleep 0.05
  done
  fail "emeter did not print its port"
}
D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 "$@"; }
BAD_AK=00112233445566778899AABBCCDDEEFF

start_meter emeter1.log
out=$(D --auth hls5 get 0.0.97.97.0.255 2 --class 1 2>/dev/null) || fail "error register read: $out"
[ "$out" = "0" ] || fail "error register: $out"
pass "error register 0.0.97.97.0.255 reads $out"
out=$(D --auth hls5 get 0.0.21.0.1.255 3 --class 7 2>/dev/null) || fail "display list read: $out"
echo "$out" | grep -qi '{3, 0100010800ff, 2, 0}' || fail "display list lacks A+: $out"
pass "automatic display list 0.0.21.0.1.255 holds A+"
out=$(D --auth hls5 profile 0.0.21.0.1.255 2>/dev/null) || fail "display readout buffer"
echo "$out" | head -1 | grep -q '^# 1.0.1.8.0.255:2' || fail "readout columns: $out"
[ "$(echo "$out" | grep -vc '^#')" = 1 ] || fail "readout rows: $out"
pass "display readout buffer: one entry of the listed values ($(echo "$out" | tail -1 | tr '\t' ' '))"

for i in 1 2 3; do
  D --auth hls5 --ak $BAD_AK clock >/dev/null 2>&1 && fail "wrong AK accepted"
done
out=$(D --auth hls5 clock 2>&1) && fail "locked association accepted: $out"
out=$(echo "$out" | tail -1)
echo "$out" | grep -qi "authentication" || fail "refusal does not say authentication failure: $out"
D clock >/dev/null || fail "public client refused during the lock"
pass "three wrong keys lock the management association ($out); public client still served"

kill -TERM "$PID"; wait "$PID" || fail "SIGTERM exit status"
start_meter emeter2.log
out=$(D --auth hls5 clock 2>&1) && fail "lock lost over a power cycle: $out"
pass "the lock survives a power cycle"
kill -TERM "$PID"; wait "$PID"
PID=""
rm -rf "$WORK"
echo "all devices system tests passed"
