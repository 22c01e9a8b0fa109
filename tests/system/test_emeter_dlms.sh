#!/usr/bin/env bash
# test_emeter_dlms.sh - system test: the emeter virtual meter read by the
# dlms client over the TCP wrapper on loopback.
#
#   - starts emeter on a free port (--listen 127.0.0.1:0) with a fresh state
#   - public client 16: clock, logical device name, object list, invocation counter
#   - management client 1: HLS-5 with ciphering, object list, security setup
#   - wrong key: refused, and the meter keeps serving
#   - SIGTERM: exit status 0, state saved
#   - SIGKILL: the invocation counter never goes back after a restart
#   - key transfer: a new GUEK wrapped under the KEK replaces the old one, persistently
#   - a bad configuration is refused with the field named
#
# Usage: test_emeter_dlms.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_dlms.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-systest.XXXXXX)
PID=""
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; echo "--- emeter log"; cat "$WORK"/emeter*.log 2>/dev/null; rm -rf "$WORK"; exit 1; }
PASSED=0
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

start_meter() { # $1 = log name
  : > "$WORK/$1" # truncate now: the shell truncates in the child, after the port is looked for
  "$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 "${@:2}" > "$WORK/$1" 2>&1 &
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

start_meter emeter1.log

# ---- public client ----
out=$(D clock) || fail "public clock read"
echo "$out" | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}' || fail "clock format: $out"
pass "public client reads the clock: $out"
out=$(D get 0.0.42.0.0.255 2 --class 1) || fail "LDN read"
[ "$out" = '"MMM00000001"' ] || fail "LDN: $out"
pass "logical device name $out"
out=$(D list) || fail "public object list"
echo "$out" | grep -q '^0.0.43.1.0.255' || fail "public list lacks the invocation counter"
echo "$out" | grep -q '^0.0.43.0.0.255' && fail "public list shows the security setup"
pass "public object list ($(echo "$out" | wc -l) objects, no security setup)"
D get 0.0.43.0.0.255 2 --class 64 >/dev/null 2>&1 && fail "public client read the security setup"
pass "public client refused the security setup"

# ---- management client, HLS-5 ----
ic1=$(D ic | awk '{print $2}') || fail "ic read"
out=$(D --auth hls5 list 2>/dev/null) || fail "HLS-5 object list"
echo "$out" | grep -q '^0.0.43.0.0.255 *class 64' || fail "management list lacks the security setup: $out"
pass "management client (HLS-5, ciphered) reads the object list ($(echo "$out" | wc -l) objects)"
out=$(D --auth hls5 get 0.0.43.0.0.255 2 --class 64 2>/dev/null) || fail "security policy read"
pass "security policy read over HLS-5: $out"
ic2=$(D ic | awk '{print $2}')
[ "$ic2" -gt "$ic1" ] || fail "invocation counter did not advance ($ic1 -> $ic2)"
pass "invocation counter advanced $ic1 -> $ic2"

# ---- wrong key ----
D --auth hls5 --ak 00112233445566778899AABBCCDDEEFF clock >/dev/null 2>&1 && fail "wrong AK accepted"
grep -q "failed login" "$WORK/emeter1.log" || fail "no failed-login report"
D clock >/dev/null || fail "meter stopped serving after a failed login"
pass "wrong key refused, failed login reported, meter still serving"

# ---- SIGTERM = power failure with hold-up time ----
kill -TERM "$PID"; wait "$PID"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
grep -q "state saved" "$WORK/emeter1.log" || fail "no state saved message"
pass "SIGTERM: state saved, exit 0"

# ---- SIGKILL: counters are never reused ----
start_meter emeter2.log
D --auth hls5 clock >/dev/null 2>&1 || fail "HLS-5 after restart"
ic3=$(D ic | awk '{print $2}')
[ "$ic3" -gt "$ic2" ] || fail "counter after restart $ic3 not above $ic2"
kill -KILL "$PID"; wait "$PID" 2>/dev/null
start_meter emeter3.log
ic4=$(D ic | awk '{print $2}')
[ "$ic4" -gt "$ic3" ] || fail "counter after SIGKILL $ic4 not above $ic3"
D --auth hls5 clock >/dev/null 2>&1 || fail "HLS-5 after SIGKILL"
pass "after SIGKILL the counter continues above every used one ($ic3 -> $ic4)"
kill -TERM "$PID"; wait "$PID"

# ---- key transfer (Security setup global_key_transfer) survives a restart ----
NEWEK=00112233445566778899AABBCCDDEEFF
start_meter emeter4.log
D --auth hls5 action 0.0.43.0.0.255 2 "array(struct(enum:0,wkey:$NEWEK))" >/dev/null 2>&1 \
  || fail "global_key_transfer refused"
D --auth hls5 clock >/dev/null 2>&1 && fail "old GUEK still accepted after key transfer"
D --auth hls5 --ek $NEWEK clock >/dev/null 2>&1 || fail "new GUEK refused"
kill -TERM "$PID"; wait "$PID"
start_meter emeter5.log
D --auth hls5 --ek $NEWEK clock >/dev/null 2>&1 || fail "new GUEK lost after restart"
D --auth hls5 clock >/dev/null 2>&1 && fail "old GUEK accepted after restart"
kill -TERM "$PID"; wait "$PID"
pass "key transfer: new GUEK in force at once and after a restart, old one refused"

# ---- configuration errors name the field ----
echo '{"keys": {"ak": "1234"}}' > "$WORK/bad.json"
msg=$("$BIN/emeter" --config "$WORK/bad.json" --state "$WORK/s2" --listen 127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 2 ] || fail "bad config exit status $rc"
echo "$msg" | grep -q "keys.ak: expected 32 hex digits" || fail "bad config message: $msg"
echo '{"idenity": {}}' > "$WORK/bad2.json"
msg=$("$BIN/emeter" --config "$WORK/bad2.json" --state "$WORK/s2" 2>&1)
echo "$msg" | grep -q "idenity: unknown field" || fail "unknown field message: $msg"
pass "configuration errors name the field"

rm -rf "$WORK"
echo "$PASSED passed, 0 failed"
