#!/usr/bin/env bash
# test_emeter_breaker.sh - system test: the breaker and prepayment objects of
# the emeter virtual meter over the dlms client (docs/breaker.md,
# docs/prepayment.md).
#
#   - omni: Disconnect control 0.0.96.3.10.255 connected; ACTION 1
#     (remote_disconnect) over HLS-5 opens it (output_state false, control
#     state 0), the control API's /api/state shows the relay open and no
#     current, and the disconnector log 0.0.99.98.2.255 has event 62; the
#     state survives a restart; the prepayment account 0.0.19.0.0.255 reads
#     {prepayment, new}; the public client does not see the breaker
#   - "supervision" thresholds from the configuration: 8 A for 2 s trips
#     under a 10 A load set through the control API (event 240)
#   - esmr: no breaker objects by default; with "breaker": true they exist
#   - "breaker": 1 is refused with the field named
#
# Usage: test_emeter_breaker.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_breaker.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-breaker.XXXXXX)
PID=""
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; echo "--- emeter log"; cat "$WORK"/emeter*.log 2>/dev/null; rm -rf "$WORK"; exit 1; }
PASSED=0
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

start_meter() { # $1 = log name, $2 = state dir, rest: options
  "$BIN/emeter" --state "$WORK/$2" --listen 127.0.0.1:0 "${@:3}" > "$WORK/$1" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$1" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || fail "emeter exited at start: $(cat "$WORK/$1")"
    sleep 0.05
  done
  fail "emeter did not print its port"
}
# state EXPR: a python expression over GET /api/state as `s`.
state() {
  python3 - "http://127.0.0.1:$CTL/api/state" "$1" <<'PY'
import json, sys, urllib.request
s = json.loads(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())
print(eval(sys.argv[2]))
PY
}
D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 "$@" 2>/dev/null; }
M() { D --auth hls5 "$@"; }
stop() { kill -TERM "$PID"; wait "$PID"; PID=""; }

# ---- omni: remote disconnect, log, restart ----
start_meter emeter1.log omni --variant omni --control 127.0.0.1:0
CTL=$(sed -n 's#^emeter: control API on http://127.0.0.1:\([0-9]*\)/api/state$#\1#p' "$WORK/emeter1.log")
[ -n "$CTL" ] || fail "no control API address"
[ "$(state 's["relay"]["present"] and s["relay"]["closed"]')" = True ] || fail "/api/state relay at start"
[ "$(M get 0.0.96.3.10.255 2 --class 70)" = true ] || fail "omni breaker not closed at start"
[ "$(M get 0.0.96.3.10.255 3 --class 70)" = 1 ] || fail "omni breaker not connected at start"
D get 0.0.96.3.10.255 2 --class 70 >/dev/null && fail "public client sees the breaker"
pass "omni breaker connected, invisible to the public client"
[ "$(M action 0.0.96.3.10.255 1 i8:0 --class 70)" = ok ] || fail "remote_disconnect"
[ "$(M get 0.0.96.3.10.255 2 --class 70)" = false ] || fail "output_state after remote_disconnect"
[ "$(M get 0.0.96.3.10.255 3 --class 70)" = 0 ] || fail "control_state after remote_disconnect"
M get 0.0.99.98.2.255 2 --class 7 | grep -q ', 62}' || fail "disconnector log lacks event 62"
[ "$(state 's["relay"]["closed"]')" = False ] || fail "/api/state: relay not open"
[ "$(state 's["relay"]["control_state"]')" = disconnected ] || fail "/api/state: control state"
sleep 2.5
[ "$(state 'max(s["measures"]["current_a"])')" = 0.0 ] || fail "current with the relay open"
[ "$(state 's["prepayment"]["status"]')" = new ] || fail "/api/state: prepayment"
pass "remote_disconnect opens the breaker: /api/state relay open, no current; event 62 logged"
[ "$(M get 0.0.19.0.0.255 2 --class 111)" = "{2, 1}" ] || fail "account mode and status"
pass "prepayment account: prepayment mode, new"
stop
start_meter emeter2.log omni --variant omni --control off
[ "$(M get 0.0.96.3.10.255 3 --class 70)" = 0 ] || fail "breaker state lost at restart"
[ "$(M get 0.0.96.3.10.255 2 --class 70)" = false ] || fail "output state lost at restart"
[ "$(M action 0.0.96.3.10.255 2 i8:0 --class 70)" = ok ] || fail "remote_reconnect"
[ "$(M get 0.0.96.3.10.255 3 --class 70)" = 2 ] || fail "not ready_for_reconnection (mode 5)"
pass "the breaker stays open through a restart; remote_reconnect -> ready_for_reconnection"
stop

# ---- supervision from the configuration: over-current through the control API's load ----
echo '{"supervision": {"over_current_a": 8, "over_current_s": 2}}' > "$WORK/sup.json"
start_meter emeter5.log omni3 --variant omni --config "$WORK/sup.json" --control 127.0.0.1:0
CTL=$(sed -n 's#^emeter: control API on http://127.0.0.1:\([0-9]*\)/api/state$#\1#p' "$WORK/emeter5.log")
[ -n "$CTL" ] || fail "no control API address"
python3 - "http://127.0.0.1:$CTL/api/load" <<'PY' || fail "POST /api/load"
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'{"current_a": [10, 10, 10]}', method="POST"), timeout=20).read()
PY
for _ in $(seq 1 40); do
  [ "$(state 's["relay"]["closed"]')" = False ] && break
  sleep 0.25
done
[ "$(state 's["relay"]["closed"]')" = False ] || fail "over-current did not open the relay"
[ "$(state 's["relay"]["supervision_trips"]')" = "['over_current']" ] || fail "trip not shown"
[ "$(state 's["relay"]["control_state"]')" = ready_for_reconnection ] || fail "not ready after the trip"
M get 0.0.99.98.2.255 2 --class 7 | grep -q ', 240}' || fail "disconnector log lacks event 240"
stop
pass "configured over-current (8 A, 2 s) opens the relay under a 10 A load: event 240, ready_for_reconnection"

# ---- esmr: only with "breaker": true ----
start_meter emeter3.log esmr --control off
M get 0.0.96.3.10.255 2 --class 70 >/dev/null && fail "esmr has a breaker by default"
M list | grep -q '^0.0.96.3.10.255' && fail "esmr object list shows the breaker"
stop
echo '{"breaker": true}' > "$WORK/breaker.json"
start_meter emeter4.log esmr2 --config "$WORK/breaker.json" --control off
[ "$(M get 0.0.96.3.10.255 2 --class 70)" = true ] || fail "esmr with breaker: no breaker"
M list | grep -q '^0.0.96.3.10.255' || fail "esmr object list lacks the breaker"
stop
pass "esmr: breaker objects only with \"breaker\": true"

echo '{"breaker": 1}' > "$WORK/bad.json"
msg=$("$BIN/emeter" --config "$WORK/bad.json" --state "$WORK/s2" --listen 127.0.0.1:0 2>&1)
echo "$msg" | grep -q "breaker: expected true or false" || fail "bad breaker message: $msg"
echo '{"keys": {"token": "12"}}' > "$WORK/bad2.json"
msg=$("$BIN/emeter" --config "$WORK/bad2.json" --state "$WORK/s2" --listen 127.0.0.1:0 2>&1)
echo "$msg" | grep -q "keys.token: expected 32 hex digits" || fail "bad token key message: $msg"
echo '{"supervision": {"over_current_a": -1}}' > "$WORK/bad3.json"
msg=$("$BIN/emeter" --config "$WORK/bad3.json" --state "$WORK/s2" --listen 127.0.0.1:0 2>&1)
echo "$msg" | grep -q "supervision.over_current_a: must be between 0 and 600" || fail "bad supervision message: $msg"
pass "configuration errors name the field"

rm -rf "$WORK"
echo "$PASSED passed, 0 failed"
