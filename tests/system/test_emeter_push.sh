#!/usr/bin/env bash
# test_emeter_push.sh - system test: pushes of the emeter virtual meter
# (Push setup, class 40) received by `dlms listen` on loopback.
#
#   - scheduled push 0.0.25.9.0.255 over TCP, started by the management
#     client (dlms action 0.0.25.9.0.255 1): general-glo-ciphered, the DSMR
#     content {equipment identifier, push setup name}
#   - alarm push 0.1.25.9.0.255 over UDP at power up (alarm register bit 2),
#     as JSON: {equipment identifier, push setup name, alarm register 1}
#   - a destination set over DLMS (attribute 3), read back
#   - a refused destination (transport 2 = FTP) changes nothing
#   - retries: the head-end is down at the first attempt, the retry after
#     repetition_delay reaches it
#   - plain pushes ("ciphered": false), as OSGP's SMR 5 decoder reads them
#   - invocation counters of pushes never go back, and never collide with
#     those of the meter's responses
#
# Skips (exit 0) while the meter's object table lacks the push setups.
# Usage: test_emeter_push.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_push.sh BIN_DIR}
objs=$("$BIN/emeter" --list-objects 2>/dev/null)
if ! echo "$objs" | grep -q '0\.0\.25\.9\.0\.255' || ! echo "$objs" | grep -q '0\.1\.25\.9\.0\.255'; then
  echo "SKIP: emeter --list-objects lacks the push setups 0.0.25.9.0.255 / 0.1.25.9.0.255"
  exit 0
fi
WORK=$(mktemp -d /tmp/emeter-push.XXXXXX)
PID=""
LPID=""
cleanup() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; [ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null; }
fail() {
  echo "FAIL: $*"; cleanup
  for f in "$WORK"/*.log "$WORK"/*.out "$WORK"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  rm -rf "$WORK"; exit 1
}
PASSED=0
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

# A free TCP and UDP port for the head-end (bind to 0, read it back).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HE=$(free_port)

start_meter() { # $1 log name, $2 config file
  : > "$WORK/$1" # truncate now: the shell truncates in the child, after the port is looked for
  "$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 --config "$2" > "$WORK/$1" 2>&1 &
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
D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 "$@" 2>/dev/null; }
listen_start() { # $1 name, then options
  "$BIN/dlms" --host 127.0.0.1 --port "$HE" --timeout 20 "${@:2}" listen > "$WORK/$1.out" 2> "$WORK/$1.err" &
  LPID=$!
  for _ in $(seq 1 100); do
    grep -q 'listening for pushes' "$WORK/$1.err" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "dlms listen did not start"
}
listen_wait() { wait "$LPID" || fail "dlms listen exit status $? ($(cat "$WORK/$1.err"))"; LPID=""; }

# ---- 1. scheduled push over TCP, started by method 1 ----
cat > "$WORK/tcp.json" <<EOF
{"push": {"scheduled": {"destination": "127.0.0.1:$HE", "transport": "tcp"}}}
EOF
listen_start tcp --count 1
start_meter emeter1.log "$WORK/tcp.json"
grep -q "push 0.0.25.9.0.255 to 127.0.0.1:$HE (tcp, ciphered)" "$WORK/emeter1.log" || fail "meter did not print its push destination"
ic_before=$(D ic | awk '{print $2}')
out=$(D --auth hls5 action 0.0.25.9.0.255 1) || fail "method push refused"
listen_wait tcp
out=$(cat "$WORK/tcp.out")
echo "$out" | grep -q 'tcp, wport 1 -> 102, general-glo-ciphering SC 30' || fail "not a ciphered push: $out"
echo "$out" | grep -q '1: "00000001"' || fail "equipment identifier missing: $out"
echo "$out" | grep -q '2: 0000190900ff' || fail "push setup name missing: $out"
ic_push=$(echo "$out" | sed -n 's/.* IC \([0-9]*\) .*/\1/p')
[ -n "$ic_push" ] && [ "$ic_push" -gt "$ic_before" ] || fail "push IC $ic_push not above $ic_before"
pass "scheduled push over TCP, ciphered, IC $ic_push above the counter read before ($ic_before)"
ic_after=$(D ic | awk '{print $2}')
[ "$ic_after" -ge "$ic_push" ] || fail "meter counter $ic_after went below the push's $ic_push"
pass "the meter's counter continues after the push's ($ic_after >= $ic_push)"

# ---- 2. a destination set over DLMS; a refused one changes nothing ----
D --auth hls5 set 0.1.25.9.0.255 3 "struct(enum:1,os:\"127.0.0.1:$HE\",enum:0)" --class 40 >/dev/null || fail "set destination"
out=$(D --auth hls5 get 0.1.25.9.0.255 3 --class 40) || fail "get destination"
[ "$out" = "{1, \"127.0.0.1:$HE\", 0}" ] || fail "destination read back: $out"
pass "alarm push destination set over DLMS: $out"
D --auth hls5 set 0.1.25.9.0.255 3 'struct(enum:2,os:"h:21",enum:0)' --class 40 >/dev/null && fail "FTP accepted"
out=$(D --auth hls5 get 0.1.25.9.0.255 3 --class 40)
[ "$out" = "{1, \"127.0.0.1:$HE\", 0}" ] || fail "a refused destination changed it: $out"
pass "transport FTP refused, destination unchanged"
D --auth hls5 set 0.0.25.9.0.255 2 'array(struct(u16:1,os:0000600101ff,i8:5,u16:0))' --class 40 >/dev/null && fail "push object list with a missing attribute accepted"
pass "push_object_list naming a missing attribute refused"
stop_meter

# ---- 3. alarm push over UDP at power up, JSON ----
rm -rf "$WORK/state"
cat > "$WORK/udp.json" <<EOF
{"push": {"alarm": {"destination": "127.0.0.1:$HE", "transport": "udp"}}}
EOF
listen_start udp --udp --count 1 --json
start_meter emeter2.log "$WORK/udp.json"
listen_wait udp
out=$(cat "$WORK/udp.out")
echo "$out" | grep -q '"ciphered":true' || fail "UDP push not ciphered: $out"
echo "$out" | grep -q '"values":\["00000001","0001190900ff",[0-9]*\]' || fail "alarm push content: $out"
alarm=$(echo "$out" | sed -n 's/.*"0001190900ff",\([0-9]*\)\].*/\1/p')
[ $((alarm & 4)) -ne 0 ] || fail "power-up bit not in alarm register ($alarm)"
pass "alarm push over UDP at power up, alarm register $alarm"
stop_meter

# ---- 4. retries: the head-end comes up after the first attempt ----
rm -rf "$WORK/state"
cat > "$WORK/retry.json" <<EOF
{"push": {"scheduled": {"destination": "127.0.0.1:$HE", "transport": "tcp",
                        "number_of_retries": 3, "repetition_delay": 2}}}
EOF
start_meter emeter3.log "$WORK/retry.json"
D --auth hls5 action 0.0.25.9.0.255 1 >/dev/null || fail "method push refused"
for _ in $(seq 1 100); do grep -q 'retry 1 of 3 in 2 s' "$WORK/emeter3.log" && break; sleep 0.05; done
grep -q 'retry 1 of 3 in 2 s' "$WORK/emeter3.log" || fail "no retry scheduled"
listen_start retry --count 1
listen_wait retry
grep -q 'general-glo-ciphering' "$WORK/retry.out" || fail "retry not received"
pass "first attempt refused, the retry 2 s later received"
stop_meter

# ---- 5. plain pushes ----
rm -rf "$WORK/state"
cat > "$WORK/plain.json" <<EOF
{"push": {"ciphered": false, "destination_wport": 1,
          "scheduled": {"destination": "127.0.0.1:$HE"}}}
EOF
listen_start plain --count 1
start_meter emeter4.log "$WORK/plain.json"
D --auth hls5 action 0.0.25.9.0.255 1 >/dev/null || fail "method push refused"
listen_wait plain
grep -q 'wport 1 -> 1, plain' "$WORK/plain.out" || fail "plain push: $(cat "$WORK/plain.out")"
pass "plain push to wPort 1"
stop_meter

# ---- 6. a bad push configuration is refused with the field named ----
echo '{"push": {"alarm": {"destination": "nohost"}}}' > "$WORK/bad.json"
"$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 --config "$WORK/bad.json" > "$WORK/bad.log" 2>&1 && fail "bad config accepted"
grep -q 'push.alarm.destination' "$WORK/bad.log" || fail "bad config message: $(cat "$WORK/bad.log")"
pass "bad push destination refused: $(head -1 "$WORK/bad.log")"

rm -rf "$WORK"
echo "$PASSED passed, 0 failed"
