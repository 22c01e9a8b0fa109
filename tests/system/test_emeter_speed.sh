#!/usr/bin/env bash
# test_emeter_speed.sh - system test: emeter --speed N --seed N, the load
# simulator driving the meter in accelerated time (docs/emeter.md, Time).
#
#   - a bad "load" section is refused with the field named, and so are
#     --speed 0 and --speed 100001
#   - emeter --speed 3600 --seed 7 on a fresh --state: after about 3 s of
#     real time the meter's clock (0.0.1.0.0.255 attribute 2) is at least
#     2 h ahead of the host's, A+ (1.0.1.8.0.255, HLS-5) is above 0 and
#     plausible for about 3 h of a 3500 kWh/year household, and the load
#     profile (1.0.99.1.0.255 attribute 7, entries in use) holds about one
#     row per 15 minutes of simulated time
#   - a clock set over DLMS (2030-01-01) re-bases simulated time: the clock
#     continues from the new value at 3600x, and A+ does not jump with it
#   - SIGTERM, restart with the same seed: the clock continues from where it
#     stopped (never back to the host's time) and A+ does not decrease
#
# Usage: test_emeter_speed.sh BIN_DIR   (about 15 s)
set -u
BIN=${1:?usage: test_emeter_speed.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-speed.XXXXXX)
PID=""
fail() {
  echo "FAIL: $*"
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
  echo "--- last emeter log"; cat "$WORK/emeter.log" 2>/dev/null
  rm -rf "$WORK"; exit 1
}
pass() { echo "ok: $*"; }

# ---- refused settings name the field ----
echo '{"load": {"annual_kwh": 5}}' > "$WORK/bad.json"
out=$("$BIN/emeter" --config "$WORK/bad.json" --state "$WORK/bad" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "load.annual_kwh: must be between 100 and 100000" \
  || fail "bad load.annual_kwh: rc $rc, '$out'"
echo '{"load": {"heat_pump": 1}}' > "$WORK/bad.json"
out=$("$BIN/emeter" --config "$WORK/bad.json" --state "$WORK/bad" 2>&1)
echo "$out" | grep -q "load.heat_pump: expected true or false" || fail "bad load.heat_pump: '$out'"
echo '{"load": {"colour": "red"}}' > "$WORK/bad.json"
out=$("$BIN/emeter" --config "$WORK/bad.json" --state "$WORK/bad" 2>&1)
echo "$out" | grep -q "load.colour: unknown field" || fail "unknown load field: '$out'"
for s in 0 100001 x; do
  out=$("$BIN/emeter" --speed "$s" --state "$WORK/bad" 2>&1); rc=$?
  [ $rc -eq 2 ] && echo "$out" | grep -q -- "--speed: expected a number from 1 to 100000" \
    || fail "--speed $s: rc $rc, '$out'"
done
pass "bad load settings and speeds refused with the field named"

start_meter() {
  : > "$WORK/emeter.log" # truncate now: the shell truncates in the child, after the port is looked for
  "$BIN/emeter" --speed 3600 --seed 7 --state "$WORK/state" --listen 127.0.0.1:0 \
    > "$WORK/emeter.log" 2>&1 &
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
# The meter's clock as UNIX seconds (the client prints ISO 8601 with the offset).
clock() { date -d "$(D get 0.0.1.0.0.255 2 --class 8 | awk '{print $1}')" +%s; }
a_plus() { D --auth hls5 get 1.0.1.8.0.255 2 --class 3 | awk '{print $1}'; }

start_meter
grep -q "load: simulated household, seed 7, 3500 kWh/year" "$WORK/emeter.log" \
  || fail "banner does not name the load"
grep -q "time: simulated, 3600 times real time" "$WORK/emeter.log" \
  || fail "banner does not name the speed"
sleep 3
c1=$(clock) || fail "clock read"
ahead=$((c1 - $(date +%s)))
[ "$ahead" -ge 7200 ] || fail "clock only $ahead s ahead of the host after 3 s at 3600x"
pass "clock $ahead s ahead of the host after 3 s at 3600x"
a1=$(a_plus) || fail "A+ read"
# About 3 h of a 3500 kWh household (mean 400 W; night 150 W, evening up to
# several kW): 100 Wh .. 15 kWh is plausible, 0 is not.
[ -n "$a1" ] && [ "$a1" -ge 100 ] && [ "$a1" -le 15000 ] \
  || fail "A+ after about 3 simulated hours: '$a1' Wh"
pass "A+ = $a1 Wh after about $((ahead / 3600)) simulated hours"
rows=$(D --auth hls5 get 1.0.99.1.0.255 7 --class 7 | awk '{print $1}')
# Simulated time at the read: ahead + 3 s (hours of 4 rows); allow the
# start-up capture and a row of slack each way.
hours=$(( (ahead + 1800) / 3600 ))
[ -n "$rows" ] && [ "$rows" -ge $((hours * 4 - 3)) ] && [ "$rows" -le $((hours * 4 + 6)) ] \
  || fail "load profile entries in use '$rows' for about $hours h"
pass "load profile: $rows rows for about $hours simulated hours"

# ---- clock set over DLMS: time continues from the new value at the same speed ----
D --auth hls5 set 0.0.1.0.0.255 2 dt:2030-01-01T00:00:00Z --class 8 > /dev/null \
  || fail "clock set over DLMS"
t_set=$(date -d 2030-01-01T00:00:00Z +%s)
sleep 1
c1=$(clock) || fail "clock read after the set"
[ "$c1" -ge $((t_set + 1800)) ] && [ "$c1" -le $((t_set + 4 * 3600)) ] \
  || fail "clock $((c1 - t_set)) s after the set value 1 s later (expected about 3600)"
a_set=$(a_plus) || fail "A+ read after the set"
[ "$a_set" -ge "$a1" ] && [ "$a_set" -le $((a1 + 15000)) ] || fail "A+ after the set: $a1 -> $a_set"
pass "clock set to 2030-01-01: $((c1 - t_set)) s later after 1 s real, A+ $a1 -> $a_set Wh"
a1=$a_set

kill -TERM "$PID"; wait "$PID"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
start_meter
grep -q "resuming after a power down" "$WORK/emeter.log" || fail "restart did not resume"
c2=$(clock) || fail "clock read after restart"
[ "$c2" -ge "$c1" ] || fail "clock went back across the restart: $c1 -> $c2"
[ $((c2 - $(date +%s))) -ge 7200 ] || fail "clock back at host time after the restart"
a2=$(a_plus) || fail "A+ read after restart"
[ "$a2" -ge "$a1" ] || fail "A+ went back across the restart: $a1 -> $a2"
pass "restart: clock continues ($c1 -> $c2), A+ $a1 -> $a2 Wh"
kill -TERM "$PID"; wait "$PID" || fail "second SIGTERM"
rm -rf "$WORK"
echo "PASS: test_emeter_speed"
