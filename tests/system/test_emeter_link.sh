#!/usr/bin/env bash
# test_emeter_link.sh - system test: the LTE-M modem of the emeter virtual
# meter and the link emulation (issue 8; docs/communication.md "Host").
#
#   - latency: with "link": {"latency_ms": 250} a public GET of the clock
#     takes at least the round trips it needs (measured, printed; the
#     assertion is only the lower bound of one round trip per request)
#   - loss: with loss_pct 100 no request is answered (the client times
#     out), the meter keeps running
#   - signal: the GSM diagnostic 0.0.25.6.0.255 reads the link's RSSI as
#     its CSQ (-75 dBm: 19) for the management client
#   - triggered mode behind the modem gate: no TCP connection before a
#     wake-up; a datagram from an unauthorised source or with the wrong
#     content is ignored (logged); the right one attaches the modem and
#     the head-end gets in
# Usage: test_emeter_link.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_link.sh BIN_DIR}
objs=$("$BIN/emeter" --list-objects 2>/dev/null)
if ! echo "$objs" | grep -q '0\.0\.25\.6\.0\.255'; then
  echo "SKIP: emeter --list-objects lacks the GSM diagnostic 0.0.25.6.0.255"
  exit 0
fi
WORK=$(mktemp -d /tmp/emeter-link.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; }
fail() {
  echo "FAIL: $*"; cleanup
  for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  rm -rf "$WORK"; exit 1
}
pass() { echo "ok: $*"; }

start_meter() { # $1 log name, $2 config file
  rm -rf "$WORK/state"
  "$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 --control "${CONTROL:-off}" --config "$2" > "$WORK/$1" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$1" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || fail "emeter exited at start"
    sleep 0.05
  done
  fail "emeter did not print its port"
}
stop_meter() { kill -TERM "$PID"; wait "$PID" || fail "emeter exit status $?"; PID=""; }
D() { timeout 30 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" "$@" 2>/dev/null; }
ms() { date +%s%3N; }

# ---- 0. configuration errors name the field ----
bad() { # $1 json, $2 expected message part
  echo "$1" > "$WORK/bad.json"
  "$BIN/emeter" --state "$WORK/badstate" --listen 127.0.0.1:0 --control off --config "$WORK/bad.json" > "$WORK/bad.out" 2>&1
  rc=$?
  [ "$rc" = 2 ] || fail "config $1: exit $rc, expected 2"
  grep -q "$2" "$WORK/bad.out" || fail "config $1: no '$2' in: $(cat "$WORK/bad.out")"
}
bad '{"link": {"loss_pct": 150}}' 'link.loss_pct'
bad '{"link": {"latency": 5}}' 'link.latency: unknown field'
bad '{"modem": {"imei": "1234"}}' 'modem.imei: expected 15 digits'
bad '{"modem": {"mode": 4}}' 'modem.mode'
bad '{"modem": {"wake_allowed": ["10.0.0.300"]}}' 'modem.wake_allowed'
bad '{"io": {"z3": 24}}' 'io.z3'
pass "configuration errors of modem, link and io name the field"

# ---- 1. no emulation: the reference time ----
echo '{}' > "$WORK/plain.json"
start_meter plain.log "$WORK/plain.json"
t0=$(ms); D --timeout 5 get 0.0.1.0.0.255 2 --class 8 > /dev/null || fail "plain GET"; t1=$(ms)
plain=$((t1 - t0))
stop_meter

# ---- 2. latency ----
echo '{"link": {"latency_ms": 250}}' > "$WORK/lat.json"
start_meter lat.log "$WORK/lat.json"
grep -q "link emulation: latency 250 ms" "$WORK/lat.log" || fail "no link emulation banner"
t0=$(ms); D --timeout 5 get 0.0.1.0.0.255 2 --class 8 > /dev/null || fail "GET with latency"; t1=$(ms)
lat=$((t1 - t0))
[ "$lat" -ge 500 ] || fail "GET took $lat ms with a 2 x 250 ms round trip"
pass "GET with 250 ms one-way latency took $lat ms (without: $plain ms)"

# ---- 3. signal strength in the GSM diagnostic ----
out=$(D --timeout 5 --auth hls5 get 0.0.25.6.0.255 6 --class 47) || fail "GSM diagnostic cell_info"
echo "$out" | grep -Eq '^\{[0-9]+, [0-9]+, 19, 99, 204, 8, [0-9]+\}' || fail "CSQ 19 (-75 dBm) not in cell_info: $out"
pass "GSM diagnostic cell_info shows CSQ 19 for -75 dBm"
stop_meter

# ---- 4. loss ----
echo '{"link": {"loss_pct": 100, "seed": 7}}' > "$WORK/loss.json"
start_meter loss.log "$WORK/loss.json"
if D --timeout 2 get 0.0.1.0.0.255 2 --class 8 > /dev/null; then fail "a GET got through 100 % loss"; fi
kill -0 "$PID" 2>/dev/null || fail "emeter died"
pass "with 100 % loss the GET times out"
stop_meter

# ---- 5. triggered mode, modem gate, wake-up ----
cat > "$WORK/wake.json" <<JSON
{"modem": {"mode": 104, "gate": true, "wake_listen": "127.0.0.1:0",
           "wake_allowed": ["127.0.0.1"], "wake_content": "WAKEUP"}}
JSON
start_meter wake.log "$WORK/wake.json"
WPORT=""
for _ in $(seq 1 100); do
  WPORT=$(sed -n 's/.*wake-up listener on 127.0.0.1:\([0-9]*\)\/udp.*/\1/p' "$WORK/wake.log" | head -1)
  [ -n "$WPORT" ] && break; sleep 0.05
done
[ -n "$WPORT" ] || fail "no wake-up listener"
sleep 2
if D --timeout 2 get 0.0.1.0.0.255 2 --class 8 > /dev/null; then fail "connected before the wake-up"; fi
pass "triggered meter refuses the head-end before a wake-up"
udp() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1],0)); s.sendto(sys.argv[3].encode(), ("127.0.0.1", int(sys.argv[2])))' "$@"; }
udp 127.0.0.2 "$WPORT" WAKEUP
udp 127.0.0.1 "$WPORT" WRONG
for _ in $(seq 1 40); do [ "$(grep -c 'wake-up datagram' "$WORK/wake.log")" -ge 2 ] && break; sleep 0.05; done
grep -q 'from 127.0.0.2 (6 bytes): ignored (source not allowed)' "$WORK/wake.log" || fail "unauthorised source not ignored"
grep -q 'from 127.0.0.1 (5 bytes): ignored (wrong content)' "$WORK/wake.log" || fail "wrong content not ignored"
sleep 2
if D --timeout 2 get 0.0.1.0.0.255 2 --class 8 > /dev/null; then fail "connected after ignored wake-ups"; fi
pass "wake-ups from an unauthorised source or with the wrong content are ignored"
udp 127.0.0.1 "$WPORT" WAKEUP
ok=0
for _ in $(seq 1 20); do
  if D --timeout 2 get 0.0.1.0.0.255 2 --class 8 > /dev/null; then ok=1; break; fi
  sleep 0.5
done
[ "$ok" = 1 ] || fail "no connection after the wake-up"
grep -q 'from 127.0.0.1 (6 bytes): accepted' "$WORK/wake.log" || fail "wake-up not logged as accepted"
grep -q 'modem registered -> attached' "$WORK/wake.log" || fail "modem did not attach"
pass "an accepted wake-up attaches the modem and the head-end connects"
stop_meter

# ---- 6. operator API: /api/link at run time, /api/io on the omni meter ----
http() { # METHOD PATH [BODY]: "code body"
  python3 - "$1" "http://127.0.0.1:$CTL$2" "${3-}" ${3+has_body} <<'PY'
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
echo '{"variant": "omni", "io": {"z3": 13, "z12": 2}}' > "$WORK/ctl.json"
CONTROL=127.0.0.1:0 start_meter ctl.log "$WORK/ctl.json"
CTL=""
for _ in $(seq 1 100); do
  CTL=$(sed -n 's#^emeter: control API on http://127.0.0.1:\([0-9]*\)/api/state$#\1#p' "$WORK/ctl.log")
  [ -n "$CTL" ] && break; sleep 0.05
done
[ -n "$CTL" ] || fail "no control API"
r=$(http GET /api/link); [ "${r%% *}" = 200 ] || fail "GET /api/link: $r"
[ "$(echo "${r#* }" | json 's["latency_ms"]')" = 0 ] || fail "latency not 0: $r"
t0=$(ms); D --timeout 5 get 0.0.1.0.0.255 2 --class 8 > /dev/null || fail "GET before the change"; t1=$(ms)
before=$((t1 - t0))
r=$(http POST /api/link '{"latency_ms": 200}'); [ "${r%% *}" = 200 ] || fail "POST /api/link: $r"
t0=$(ms); D --timeout 5 get 0.0.1.0.0.255 2 --class 8 > /dev/null || fail "GET after the change"; t1=$(ms)
after=$((t1 - t0))
[ "$after" -ge 400 ] || fail "GET took $after ms after latency 200 ms was set"
pass "POST /api/link latency 200 ms: a GET took $after ms (before: $before ms)"
r=$(http POST /api/link '{"loss_pct": 101}'); [ "${r%% *}" = 400 ] || fail "loss 101 accepted: $r"
echo "$r" | grep -q 'link.loss_pct' || fail "no field in the error: $r"
r=$(http POST /api/link '{"down": true}'); [ "${r%% *}" = 200 ] || fail "down: $r"
if D --timeout 2 get 0.0.1.0.0.255 2 --class 8 > /dev/null; then fail "connected while the link is down"; fi
r=$(http POST /api/link '{"down": false, "latency_ms": 0}'); [ "${r%% *}" = 200 ] || fail "up: $r"
D --timeout 5 get 0.0.1.0.0.255 2 --class 8 > /dev/null || fail "GET after the outage"
pass "POST /api/link down cuts the meter off, up brings it back; bad values refused with the field"
for i in 1 2 3; do
  r=$(http POST /api/io '{"port": 1, "level": 1}'); [ "${r%% *}" = 200 ] || fail "io high: $r"
  r=$(http POST /api/io '{"port": 1, "level": 0}'); [ "${r%% *}" = 200 ] || fail "io low: $r"
done
[ "$(echo "${r#* }" | json 's["comm"]["io"]["pulses"]')" = 3 ] || fail "pulses not 3: $r"
out=$(D --timeout 5 --auth hls5 get 0.1.24.2.2.255 2 --class 3) || fail "pulse register"
echo "$out" | grep -q "^3 (0.003" || fail "pulse register 0.1.24.2.2.255 reads $out"
r=$(http POST /api/io '{"port": 3, "level": 1}'); [ "${r%% *}" = 400 ] || fail "port 3 accepted: $r"
pass "POST /api/io: 3 pulses on port 1 counted in 0.1.24.2.2.255 (m3, Z12 2) and in /api/state"
stop_meter
rm -rf "$WORK"
echo "PASS: test_emeter_link"
