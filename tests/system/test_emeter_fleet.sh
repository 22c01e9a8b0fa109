#!/usr/bin/env bash
# test_emeter_fleet.sh - system test: emeter --count N, a fleet of meters
# on one host (apps/emeter/fleet.c, docs/emeter.md "Fleet").
#
#   - --count 0 and --count 10001 are refused with the option named
#   - --count 3 --listen 127.0.0.1:BASE: meter i answers on BASE+i with
#     serial number 00000001+i and its own logical device name (public
#     client 16), its management association works (HLS-5) and its clock
#     runs; each has its own state directory STATE/meter-0000i
#   - a meter killed with SIGKILL is restarted by the fleet and resumes
#   - SIGTERM to the fleet: every meter saves (exit 0), the fleet exits 0
#
# Usage: test_emeter_fleet.sh BIN_DIR   (about 5 s)
set -u
BIN=${1:?usage: test_emeter_fleet.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-fleet.XXXXXX)
PID=""
passed=0
fail() {
  echo "FAIL: $*"
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && sleep 1 && kill -KILL "$PID" 2>/dev/null
  echo "--- fleet log"; cat "$WORK/fleet.log" 2>/dev/null
  rm -rf "$WORK"; exit 1
}
pass() { echo "ok: $*"; passed=$((passed + 1)); }

for n in 0 10001 x; do
  out=$("$BIN/emeter" --count "$n" --state "$WORK/bad" 2>&1); rc=$?
  [ $rc -eq 2 ] && echo "$out" | grep -q -- "--count" || fail "--count $n: rc $rc, '$out'"
done
pass "bad --count values refused"

# A free base port: three consecutive ports nobody listens on.
BASE=$(python3 -c 'import socket,random
for _ in range(200):
    b=random.randint(20000,60000); ok=True
    for p in range(b,b+3):
        s=socket.socket()
        try: s.bind(("127.0.0.1",p))
        except OSError: ok=False
        s.close()
    if ok: print(b); break')
[ -n "$BASE" ] || fail "no free ports"

: > "$WORK/fleet.log"
"$BIN/emeter" --count 3 --state "$WORK/state" --listen "127.0.0.1:$BASE" > "$WORK/fleet.log" 2>&1 &
PID=$!
for _ in $(seq 1 250); do
  [ "$(grep -c 'listening on' "$WORK/fleet.log")" -ge 3 ] && break
  kill -0 "$PID" 2>/dev/null || fail "fleet exited at start"
  sleep 0.02
done
[ "$(grep -c 'listening on' "$WORK/fleet.log")" -ge 3 ] || fail "three meters did not start"
pass "fleet of 3 started"

D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$1" --timeout 5 "${@:2}" 2>/dev/null; }
for i in 0 1 2; do
  p=$((BASE + i))
  sn=$(D "$p" get 0.0.96.1.0.255 2) || fail "meter $i: serial read on port $p"
  echo "$sn" | grep -q "0000000$((i + 1))" || fail "meter $i: serial '$sn', expected 0000000$((i + 1))"
  ldn=$(D "$p" get 0.0.42.0.0.255 2) || fail "meter $i: logical device name"
  echo "$ldn" | grep -q "MMM0000000$((i + 1))" || fail "meter $i: logical device name '$ldn'"
  D "$p" --auth hls5 get 1.0.1.8.0.255 2 --class 3 > /dev/null || fail "meter $i: HLS-5 read"
  [ -f "$WORK/state/meter-0000$((i + 1))/flash.img" ] || fail "meter $i: no state directory"
done
pass "each meter answers on its port with its own serial, name, HLS-5 association and state"

# Kill meter 2: the fleet restarts it, it resumes from its flash.
pid2=$(pgrep -P "$PID" | sed -n 2p)
[ -n "$pid2" ] || fail "no child process"
kill -KILL "$pid2"
for _ in $(seq 1 250); do
  grep -q "restarting" "$WORK/fleet.log" && D $((BASE + 1)) get 0.0.96.1.0.255 2 > /dev/null && break
  sleep 0.02
done
grep -q "restarting" "$WORK/fleet.log" || fail "killed meter not restarted"
grep -q "resuming after a crash" "$WORK/fleet.log" || fail "restarted meter did not resume"
pass "a killed meter is restarted and resumes"

kill -TERM "$PID"; wait "$PID"; rc=$?
[ $rc -eq 0 ] || fail "fleet SIGTERM exit status $rc"
[ "$(grep -c 'power down, state saved' "$WORK/fleet.log")" -ge 3 ] || fail "not every meter saved"
pass "SIGTERM: every meter saved, fleet exit 0"
PID=""
rm -rf "$WORK"
echo "$passed passed, 0 failed"
