#!/usr/bin/env bash
# test_emeter_restart.sh - system test: nothing is lost on a power failure.
# The meter's state lives in STATE_DIR/flash.img (lib/meter/persist).
#
#   - fresh --state: emeter meters a large simulated household (100 MWh a
#     year, so a few real seconds give whole Wh); A+ (1.0.1.8.0.255) read
#     over HLS-5 by the management client
#   - SIGTERM (power failure with hold-up time): exit 0; after the restart
#     A+ is not below the value read before
#   - kill test: ROUNDS rounds of a random 0.05-0.6 s wait (every 4th
#     round also a read of A+ right before), SIGKILL, restart; after every
#     restart the flash image mounts, A+ is not below the last value a
#     client read (everything a client can see is committed), the
#     management association still works and its invocation counter only
#     grows (never reused)
#   - the standard event log 0.0.99.98.0.255 holds a power up (2) for every
#     start and a power down (1) for every stop: SIGTERM and each crash
#     (its newest 100 when there were more)
#
# Usage: test_emeter_restart.sh BIN_DIR [ROUNDS]   (default 200, about 2 min;
# bench/kill_test.sh runs the long version)
set -u
BIN=${1:?usage: test_emeter_restart.sh BIN_DIR [ROUNDS]}
ROUNDS=${2:-200}
WORK=$(mktemp -d /tmp/emeter-restart.XXXXXX)
PID=""
fail() {
  echo "FAIL: $*"
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
  echo "--- last emeter log"; cat "$WORK/emeter.log" 2>/dev/null
  rm -rf "$WORK"; exit 1
}
pass() { echo "ok: $*"; }

echo '{"load": {"annual_kwh": 100000}}' > "$WORK/meter.json"
start_meter() {
  : > "$WORK/emeter.log" # truncate now: the shell truncates in the child, after the port is looked for
  "$BIN/emeter" --config "$WORK/meter.json" --state "$WORK/state" --listen 127.0.0.1:0 > "$WORK/emeter.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emeter.log" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || fail "emeter exited at start: $(cat "$WORK/emeter.log")"
    sleep 0.02
  done
  fail "emeter did not print its port"
}
D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 "$@" 2>/dev/null; }
# A+ in Wh ("1234 (1234 Wh)" -> 1234) over the management association.
a_plus() { D --auth hls5 get 1.0.1.8.0.255 2 --class 3 | awk '{print $1}'; }
# The management invocation counter, read by the public client.
ic() { D ic | awk '{print $2}'; }

# ---- fresh state, meter a few seconds, SIGTERM, restart ----
start_meter
grep -q "new flash image" "$WORK/emeter.log" || fail "no new flash image on a fresh state"
sleep 3
a1=$(a_plus) || fail "A+ read"
[ -n "$a1" ] && [ "$a1" -gt 0 ] || fail "A+ after 3 s of a 100 MWh/year household: '$a1'"
pass "A+ = $a1 Wh after 3 s"
kill -TERM "$PID"; wait "$PID"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
grep -q "power down, state saved" "$WORK/emeter.log" || fail "no power-down message"
start_meter
grep -q "resuming after a power down" "$WORK/emeter.log" || fail "restart did not resume: $(cat "$WORK/emeter.log")"
a2=$(a_plus) || fail "A+ read after restart"
[ "$a2" -ge "$a1" ] || fail "A+ went back across SIGTERM: $a1 -> $a2"
pass "SIGTERM and restart: A+ $a1 -> $a2 Wh"
prev_a=$a2
prev_ic=$(ic) || fail "ic read"

# ---- kill test ----
t0=$(date +%s)
# The kill comes right after a read of A+, at a random phase of the
# meter's 1 s tick: the value a client saw last must survive.
for r in $(seq 1 "$ROUNDS"); do
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.05 + r / 32767 * 0.55 }')"
  if [ $((r % 4)) -eq 0 ]; then
    seen=$(a_plus); [ -n "$seen" ] || fail "round $r: A+ read before the kill"
    [ "$seen" -ge "$prev_a" ] || fail "round $r: A+ decreased while running: $prev_a -> $seen"
    prev_a=$seen
  fi
  kill -KILL "$PID"; wait "$PID" 2>/dev/null
  start_meter
  grep -q "resuming after a crash" "$WORK/emeter.log" || fail "round $r: flash did not mount as expected: $(cat "$WORK/emeter.log")"
  a=$(a_plus) || fail "round $r: management association (HLS-5) failed after the restart"
  [ -n "$a" ] && [ "$a" -ge "$prev_a" ] || fail "round $r: A+ decreased: $prev_a -> $a"
  i=$(ic) || fail "round $r: ic read"
  [ "$i" -gt "$prev_ic" ] || fail "round $r: invocation counter not above the last one seen: $prev_ic -> $i"
  prev_a=$a
  prev_ic=$i
done
pass "$ROUNDS random SIGKILLs in $(( $(date +%s) - t0 )) s: flash always mounted, A+ never decreased ($a2 -> $prev_a Wh), invocation counter always grew (last $prev_ic)"

# ---- the standard event log: one power up per start, one power down per stop ----
log=$(D --auth hls5 profile 0.0.99.98.0.255) || fail "standard event log read"
ups=$(echo "$log" | awk -F'\t' '$2 == "2"' | wc -l)
downs=$(echo "$log" | awk -F'\t' '$2 == "1"' | wc -l)
total=$((2 * ROUNDS + 3))
n=$(D --auth hls5 get 0.0.99.98.0.255 7 --class 7 | awk '{print $1}')
if [ "$total" -le 100 ]; then
  [ "$ups" -eq $((ROUNDS + 2)) ] || fail "power up events: $ups, expected $((ROUNDS + 2)): $log"
  [ "$downs" -eq $((ROUNDS + 1)) ] || fail "power down events: $downs, expected $((ROUNDS + 1)): $log"
else
  # The newest 100 of the events: they alternate, ending with a power up.
  [ "$n" -eq 100 ] || fail "entries_in_use $n, expected 100 (the log is full)"
  [ "$ups" -eq 50 ] && [ "$downs" -eq 50 ] || fail "power up/down events $ups/$downs, expected 50/50"
fi
[ "$n" -eq $((ups + downs)) ] || fail "entries_in_use $n, expected $((ups + downs))"
pass "standard event log: $ups power up, $downs power down events (entries_in_use $n)"

kill -TERM "$PID"; wait "$PID"; rc=$?
[ $rc -eq 0 ] || fail "final SIGTERM exit status $rc"
rm -rf "$WORK"
echo "PASS: test_emeter_restart"
