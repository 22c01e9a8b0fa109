#!/usr/bin/env bash
# test_emeter_control.sh - system test: the operator control API of emeter
# (docs/control-api.md) against what a head-end reads over DLMS.
#
#   - starts emeter at 100x with --control 127.0.0.1:0 (fresh state)
#   - GET /api/state: time (UTC, local), speed, tariff, alarms, measures,
#     energy registers
#   - errors: unknown endpoint 404, wrong method 405 (Allow), bad JSON,
#     unknown field, out of range 400 naming the field
#   - POST /api/grid {"outage_s": 600}: DLMS refused during the outage, then
#     the standard event log (dlms profile 0.0.99.98.0.255) has power down
#     (1) and power up (2) 600 s apart, and a second outage meanwhile is 409
#   - POST /api/grid sag on L1 for 40 s: the power quality log has under
#     voltage (77), sag (93) and voltage normal (83); DLMS 1.0.32.32.0.255
#     (sags L1) reads 1
#   - POST /api/load override and back to auto; POST /api/time speed and a
#     time set (dlms clock follows; events 4 and 5 in the standard log)
#   - SIGTERM exits 0
#
# HTTP with curl when present, else python3 urllib.
#
# Usage: test_emeter_control.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_control.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-ctltest.XXXXXX)
PID=""
PASSED=0
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; echo "--- emeter log"; cat "$WORK"/emeter.log "$WORK"/emeter.err 2>/dev/null; rm -rf "$WORK"; echo "$PASSED passed, 1 failed"; exit 1; }
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }
command -v python3 >/dev/null || fail "python3 is needed to check the JSON"

"$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 --control 127.0.0.1:0 --speed 100 \
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
if command -v curl >/dev/null; then
  http() {
    local out code
    out=$(curl -s -S -m 20 -X "$1" ${3+--data-binary "$3"} -w '\n%{http_code}' "$URL$2") || return 1
    code=${out##*$'\n'}
    echo "$code ${out%$'\n'*}"
  }
else
  http() {
    python3 - "$1" "$URL$2" "${3-}" ${3+has_body} <<'EOF'
import sys, urllib.request, urllib.error
method, url, body = sys.argv[1], sys.argv[2], sys.argv[3]
data = body.encode() if len(sys.argv) > 4 else None
try:
    r = urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=20)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
EOF
  }
fi
# json FILTER < body: evaluates a python expression over the JSON as `s`.
json() { python3 -c 'import json,sys; s=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"; }
D() { timeout 30 "$BIN/dlms" --port "$PORT" --timeout 5 "$@" 2>>"$WORK/dlms.err"; }

# ---- GET /api/state ----
r=$(http GET /api/state) || fail "GET /api/state"
[ "${r%% *}" = 200 ] || fail "GET /api/state: $r"
st=${r#* }
chk=$(echo "$st" | json '" ".join([
  str(s["speed"] == 100), str(s["time"]["utc"].endswith("Z")), str(s["time"]["local"][19] in "+-"),
  str(len(s["measures"]["voltage_v"]) == 3 and 180 < s["measures"]["voltage_v"][0] < 260),
  str(s["tariff"] in (1, 2)), str("power up" in s["alarms"]["set"] and s["alarms"]["register"] & 4 == 4),
  str(s["energy_wh"]["import_total"] >= 0 and len(s["energy_wh"]["import_tariff"]) == 2),
  str(s["mains"]["on"]), str(49 < s["measures"]["frequency_hz"] < 51)])') || fail "state JSON: $st"
[ "$chk" = "True True True True True True True True True" ] || fail "state fields ($chk): $st"
pass "GET /api/state: $(echo "$st" | json 's["time"]["local"]'), tariff $(echo "$st" | json 's["tariff"]'), alarms $(echo "$st" | json 's["alarms"]["set"]'), L1 $(echo "$st" | json 's["measures"]["voltage_v"][0]') V"

# ---- errors ----
expect() { # expect CODE SUBSTRING METHOD PATH [BODY]
  local want=$1 sub=$2 r
  shift 2
  r=$(http "$@") || fail "$*: no answer"
  [ "${r%% *}" = "$want" ] || fail "$*: expected $want, got $r"
  echo "${r#* }" | json 's["error"]' | grep -qF -- "$sub" || fail "$*: error does not say \"$sub\": $r"
}
expect 404 "no endpoint /api/nothing" GET /api/nothing
expect 405 "takes POST" GET /api/grid
expect 405 "takes GET" POST /api/state '{}'
expect 400 "not JSON" POST /api/grid '{"outage_s": '
expect 400 "outage: unknown field" POST /api/grid '{"outage": 3}'
expect 400 "sag.phase: must be between 1 and 3" POST /api/grid '{"sag": {"phase": 4, "depth_pct": 30, "duration_ms": 500}}'
expect 400 "voltage[1]: must be between 0 and 480" POST /api/grid '{"voltage": [230, 999, 230]}'
expect 400 "exactly one of" POST /api/grid '{"outage_s": 5, "sag": {"depth_pct": 10, "duration_ms": 1}}'
expect 400 "speed: must be between 1 and 100000" POST /api/time '{"speed": 0}'
expect 400 "set: expected" POST /api/time '{"set": "yesterday"}'
expect 400 "current_a: expected an array of 3" POST /api/load '{"current_a": [1, 2]}'
pass "errors: 404 unknown endpoint, 405 wrong method, 400 bad JSON / unknown field / out of range, naming the field"
h=$(curl -s -o /dev/null -D - -X DELETE "$URL/api/time" 2>/dev/null | tr -d '\r' | sed -n 's/^Allow: //Ip')
[ -z "$(command -v curl)" ] || [ "$h" = "POST" ] || fail "405 without Allow: POST ($h)"

# ---- outage ----
r=$(http POST /api/grid '{"outage_s": 600}') || fail "POST outage"
[ "${r%% *}" = 200 ] || fail "POST outage: $r"
[ "$(echo "${r#* }" | json 's["mains"]["on"]')" = False ] || fail "mains still on: $r"
r2=$(http POST /api/grid '{"outage_s": 5}')
[ "${r2%% *}" = 409 ] || fail "outage during an outage: $r2"
D clock > /dev/null && fail "DLMS answered during the outage"
for _ in $(seq 1 300); do
  r=$(http GET /api/state)
  [ "$(echo "${r#* }" | json 's["mains"]["on"]')" = True ] && break
  sleep 0.1
done
[ "$(echo "${r#* }" | json 's["mains"]["on"]')" = True ] || fail "mains not back: $r"
D --auth hls5 profile 0.0.99.98.0.255 > "$WORK/std.log" || fail "standard event log: $(tail -1 "$WORK/dlms.err")"
tail -2 "$WORK/std.log" | cut -f2 | tr '\n' ' ' | grep -q '^1 2 $' || fail "standard log does not end with power down, power up: $(cat "$WORK/std.log")"
gap=$(tail -2 "$WORK/std.log" | cut -f1 | python3 -c '
import sys, datetime
t = [datetime.datetime.fromisoformat(l.strip()) for l in sys.stdin]
print(int((t[1] - t[0]).total_seconds()))')
[ "$gap" = 600 ] || fail "power down to power up: $gap s, expected 600: $(tail -2 "$WORK/std.log")"
pass "outage 600 s (6 s at 100x): DLMS refused meanwhile, a second outage 409, standard log: power down (1), power up (2) $gap s later"

# ---- sag on L1 ----
r=$(http POST /api/grid '{"sag": {"phase": 1, "depth_pct": 30, "duration_ms": 40000}}') || fail "POST sag"
[ "${r%% *}" = 200 ] || fail "POST sag: $r"
[ "$(echo "${r#* }" | json 's["inputs"]["pulse"]["kind"]')" = sag ] || fail "no pulse in state: $r"
for _ in $(seq 1 100); do
  r=$(http GET /api/state)
  [ "$(echo "${r#* }" | json 's["power_quality"]["sags"][0]')" = 1 ] && break
  sleep 0.1
done
[ "$(echo "${r#* }" | json 's["power_quality"]["sags"]')" = "[1, 0, 0]" ] || fail "sag counters: $r"
D --auth hls5 profile 0.0.99.98.5.255 > "$WORK/pq.log" || fail "PQ log: $(tail -1 "$WORK/dlms.err")"
tail -3 "$WORK/pq.log" | cut -f2 | tr '\n' ' ' | grep -q '^77 93 83 $' || fail "PQ log: $(cat "$WORK/pq.log")"
n=$(D --auth hls5 get 1.0.32.32.0.255 2) || fail "sag counter: $(tail -1 "$WORK/dlms.err")"
[ "$n" = 1 ] || fail "DLMS sags L1 = $n"
pass "sag L1 30 % 40 s: PQ log 77 under voltage, 93 sag, 83 normal; DLMS 1.0.32.32.0.255 = $n"

# ---- load override ----
r=$(http POST /api/load '{"current_a": [10, null, null], "angle_deg": [0, null, null]}')
[ "${r%% *}" = 200 ] || fail "POST load: $r"
for _ in $(seq 1 50); do
  r=$(http GET /api/state)
  # The override is the fundamental; the household's harmonics scale with it.
  i=$(echo "${r#* }" | json '9.95 <= s["measures"]["current_a"][0] <= 10.2')
  [ "$i" = True ] && break
  sleep 0.1
done
[ "$i" = True ] || fail "L1 current with a 10 A override: $r"
i=$(echo "${r#* }" | json 's["measures"]["current_a"][0]')
[ "$(echo "${r#* }" | json 's["inputs"]["current_a"]')" = "[10.0, None, None]" ] || fail "inputs: $r"
r=$(http POST /api/load '{"auto": true}')
[ "$(echo "${r#* }" | json 's["inputs"]["current_a"]')" = "[None, None, None]" ] || fail "auto: $r"
pass "load override 10 A: L1 $i A measured, back to the simulator with auto"

# ---- time ----
r=$(http POST /api/time '{"speed": 1, "set": "2030-06-15T10:00:00Z"}') || fail "POST time"
[ "${r%% *}" = 200 ] || fail "POST time: $r"
[ "$(echo "${r#* }" | json 's["speed"]')" = 1 ] || fail "speed: $r"
c=$(D clock) || fail "dlms clock: $(tail -1 "$WORK/dlms.err")"
echo "$c" | grep -q '^2030-06-15T12:00:0[0-9]+02:00' || fail "dlms clock after the set: $c"
D --auth hls5 profile 0.0.99.98.0.255 > "$WORK/std2.log" || fail "standard log"
tail -2 "$WORK/std2.log" | cut -f2 | tr '\n' ' ' | grep -q '^4 5 $' || fail "no events 4, 5: $(tail -3 "$WORK/std2.log")"
tail -1 "$WORK/std2.log" | grep -q '^2030-06-15T12:00:00+02:00' || fail "event 5 stamp: $(tail -1 "$WORK/std2.log")"
pass "time: speed 1, set 2030-06-15T10:00:00Z: dlms clock $c, events 4 and 5 logged"

kill -TERM "$PID"
wait "$PID"
rc=$?
PID=""
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"
pass "SIGTERM: exit 0"

# ---- option errors ----
"$BIN/emeter" --state "$WORK/state" --control nowhere > /dev/null 2> "$WORK/bad.err"
rc=$?
[ "$rc" = 2 ] && grep -q -- "--control: expected HOST:PORT or off" "$WORK/bad.err" || fail "--control nowhere: status $rc, $(cat "$WORK/bad.err")"
pass "--control nowhere refused: $(head -1 "$WORK/bad.err")"

rm -rf "$WORK"
echo "$PASSED passed, 0 failed"
