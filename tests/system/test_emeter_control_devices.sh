#!/usr/bin/env bash
# test_emeter_control_devices.sh - system test: the meter's devices through
# the operator control API (docs/devices-wiring.md) against what a head-end
# reads over DLMS.
#
#   - GET /api/state carries "lcd" (mode, 3 lines, symbols) and "led"
#   - POST /api/button {"press": "short"}: manual scroll, the answer says
#     "short"; a raw edge pair {"down": true} / {"down": false}
#   - POST /api/cover terminal open: service mode; after the 5 s threshold
#     the fraud detection log (dlms profile 0.0.99.98.1.255) has 40 and
#     alarm register 1 the fraud attempt bit; closed: 41
#   - POST /api/magnet 80 mT then 0: 42 and 43
#   - a meter cover opened during an outage (POST /api/grid outage_s) is in
#     the fraud log after power-up (44) with the instant it was opened
#   - bad requests: 400 naming the field
#
# Usage: test_emeter_control_devices.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_control_devices.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-devctl.XXXXXX)
PID=""
PASSED=0
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; echo "--- emeter log"; cat "$WORK"/emeter.log "$WORK"/emeter.err 2>/dev/null; rm -rf "$WORK"; exit 1; }
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }
command -v python3 >/dev/null || fail "python3 is needed to check the JSON"

: > "$WORK/emeter.log" # exists before the port lookup reads it
"$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 --control 127.0.0.1:0 --speed 10 \
  > "$WORK/emeter.log" 2> "$WORK/emeter.err" &
PID=$!
CTL="" PORT=""
for _ in $(seq 1 100); do
  CTL=$(sed -n 's#^emeter: control API on http://127.0.0.1:\([0-9]*\)/api/state$#\1#p' "$WORK/emeter.log")
  PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emeter.log" | head -1)
  [ -n "$CTL" ] && [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || fail "emeter exited at start"
  sleep 0.05
done
[ -n "$CTL" ] || fail "no control API address printed"
URL="http://127.0.0.1:$CTL"

# http METHOD PATH [BODY]: prints the status code, a space, the body.
http() {
  python3 - "$1" "$URL$2" "${3-}" ${3+has_body} <<'PY'
import sys, urllib.request, urllib.error
method, url, body = sys.argv[1], sys.argv[2], sys.argv[3]
data = body.encode() if len(sys.argv) > 4 else None
try:
    r = urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=20)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
json() { python3 -c 'import json,sys; s=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"; }
D() { timeout 30 "$BIN/dlms" --port "$PORT" --timeout 5 "$@" 2>>"$WORK/dlms.err"; }
ok200() { [ "${1%% *}" = 200 ] || fail "$2: $1"; }
# fraud_has CODE: the fraud detection log read over DLMS holds CODE.
fraud_log() { D --auth hls5 profile 0.0.99.98.1.255 > "$WORK/fraud.log" || fail "fraud log: $(tail -1 "$WORK/dlms.err")"; }
wait_fraud() { # wait_fraud CODE...
  for _ in $(seq 1 60); do
    fraud_log
    local all=1
    for c in "$@"; do cut -f2 "$WORK/fraud.log" | grep -qx "$c" || all=0; done
    [ $all = 1 ] && return 0
    sleep 0.2
  done
  fail "fraud log lacks $*: $(cat "$WORK/fraud.log")"
}

# ---- state ----
r=$(http GET /api/state); ok200 "$r" "GET /api/state"
chk=$(echo "${r#* }" | json '" ".join([str(len(s["lcd"]["lines"]) == 3),
  str(s["lcd"]["mode"] in ("power_on", "auto")), str(s["led"]["state"] in ("pulsing", "steady")),
  str(isinstance(s["lcd"]["symbols"], list))])') || fail "state JSON: $r"
[ "$chk" = "True True True True" ] || fail "lcd/led ($chk): $r"
pass "GET /api/state: lcd $(echo "${r#* }" | json 's["lcd"]'), led $(echo "${r#* }" | json 's["led"]["state"]')"

# ---- button ----
sleep 5.2 # past the 5 s power-on page (the display runs in real time)
r=$(http POST /api/button '{"press": "short"}'); ok200 "$r" "button"
[ "$(echo "${r#* }" | json 's["press"] + " " + s["lcd"]["mode"]')" = "short manual" ] || fail "short press: $r"
l1=$(echo "${r#* }" | json 's["lcd"]["lines"][0]')
ok200 "$(http POST /api/button '{"down": true}')" "button down"
r=$(http POST /api/button '{"down": false}'); ok200 "$r" "button up"
[ "$(echo "${r#* }" | json 's["press"]')" = short ] || fail "edge press: $r"
l2=$(echo "${r#* }" | json 's["lcd"]["lines"][0]')
[ "$l1" != "$l2" ] || fail "the press did not scroll ($l1)"
pass "button: a press enters manual scroll, the next press scrolls ($l1 -> $l2)"

# ---- terminal cover ----
r=$(http POST /api/cover '{"cover": "terminal", "open": true}'); ok200 "$r" "cover open"
[ "$(echo "${r#* }" | json 's["lcd"]["mode"]')" = service ] || fail "no service mode: $r"
wait_fraud 40
r=$(http GET /api/state)
echo "${r#* }" | json 's["alarms"]["register"] & (1 << 13)' | grep -qv '^0$' || fail "no fraud attempt alarm: $r"
echo "${r#* }" | json 's["lcd"]["symbols"]' | grep -q tamper || fail "no tamper symbol: $r"
ok200 "$(http POST /api/cover '{"cover": "terminal", "open": false}')" "cover closed"
wait_fraud 40 41
pass "terminal cover: service mode, event 40 then 41 in the fraud log, fraud attempt alarm, tamper symbol"

# ---- magnet ----
ok200 "$(http POST /api/magnet '{"mt": 80}')" "magnet on"
sleep 1.2 # 12 s of meter time: past the 5 s threshold
ok200 "$(http POST /api/magnet '{"mt": 0}')" "magnet off"
wait_fraud 42 43
pass "magnet 80 mT: events 42 and 43"

# ---- a meter cover opened during an outage ----
ok200 "$(http POST /api/grid '{"outage_s": 60}')" "outage"
sleep 0.3
r=$(http POST /api/cover '{"cover": "meter", "open": true}'); ok200 "$r" "meter cover during the outage"
opened=$(echo "${r#* }" | json 's["time"]["utc"]')
for _ in $(seq 1 100); do
  r=$(http GET /api/state)
  [ "$(echo "${r#* }" | json 's["mains"]["on"]')" = True ] && break
  sleep 0.1
done
wait_fraud 44
when=$(grep -P '\t44$' "$WORK/fraud.log" | tail -1 | cut -f1)
d=$(python3 -c '
import datetime, sys
a = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
b = datetime.datetime.fromisoformat(sys.argv[2])
print(abs(int((a - b).total_seconds())))' "$opened" "$when")
[ "$d" -le 5 ] || fail "event 44 at $when, the cover was opened at $opened"
pass "meter cover opened during an outage: 44 logged at power-up with its instant ($when)"

# ---- bad requests ----
expect() { # expect CODE SUBSTRING METHOD PATH BODY
  local want=$1 sub=$2 r
  shift 2
  r=$(http "$@")
  [ "${r%% *}" = "$want" ] || fail "$*: expected $want, got $r"
  echo "${r#* }" | json 's["error"]' | grep -qF -- "$sub" || fail "$*: error does not say \"$sub\": $r"
}
expect 400 'cover: expected "terminal" or "meter"' POST /api/cover '{"cover": "lid", "open": true}'
expect 400 "open: missing" POST /api/cover '{"cover": "meter"}'
expect 400 "mt: must be between 0 and" POST /api/magnet '{"mt": -1}'
expect 400 "exactly one of" POST /api/button '{"press": "short", "down": true}'
expect 400 "press: expected" POST /api/button '{"press": "double"}'
expect 400 "colour: unknown field" POST /api/button '{"colour": 1}'
pass "bad requests: 400 naming the field"

kill -TERM "$PID"; wait "$PID" || fail "SIGTERM exit status"
PID=""
rm -rf "$WORK"
echo "all $PASSED control API device tests passed"
