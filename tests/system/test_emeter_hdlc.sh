#!/usr/bin/env bash
# test_emeter_hdlc.sh - system test: the emeter optical port on a pty.
#
#   - starts emeter with --hdlc pty (and a TCP listener) on a fresh state
#   - public client 16 over HDLC (dlms --serial): clock
#   - management client 1 over HLS-5 over HDLC: object list (segmented replies)
#   - IEC 62056-21 mode C readout: identification, data lines, "!", BCC
#     (the BCC is computed here from the bytes received)
#   - mode E: sign-on, ACK 2 5 2, then HDLC with the dlms client; the port
#     goes back to IEC 62056-21 after the DISC (a second readout works)
#   - the TCP listener keeps serving; SIGTERM exits 0
#
# Pure shell: the pty is set raw with stty, written with printf, read with
# timeout + cat.
#
# Usage: test_emeter_hdlc.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_hdlc.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-hdlctest.XXXXXX)
PID=""
fail() { echo "FAIL: $*"; [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; echo "--- emeter log"; cat "$WORK"/emeter.log "$WORK"/emeter.err 2>/dev/null; rm -rf "$WORK"; exit 1; }
PASSED=0
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

"$BIN/emeter" --state "$WORK/state" --listen 127.0.0.1:0 --hdlc pty > "$WORK/emeter.log" 2> "$WORK/emeter.err" &
PID=$!
PTS="" PORT=""
for _ in $(seq 1 100); do
  PTS=$(sed -n 's/^emeter: optical port on \([^ ]*\) (IEC 62056-21, HDLC)$/\1/p' "$WORK/emeter.log")
  PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emeter.log" | head -1)
  [ -n "$PTS" ] && [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || fail "emeter exited at start"
  sleep 0.05
done
[ -c "$PTS" ] || fail "no pty printed (got \"$PTS\")"
pass "optical port on $PTS"
S() { timeout 20 "$BIN/dlms" --serial "$PTS" --timeout 5 "$@"; }

# ---- DLMS over HDLC ----
out=$(S clock) || fail "clock over HDLC"
echo "$out" | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}' || fail "clock format: $out"
pass "public client reads the clock over HDLC: $out"
out=$(S --auth hls5 list 2>/dev/null) || fail "HLS-5 object list over HDLC"
echo "$out" | grep -q '^0.0.43.0.0.255 *class 64' || fail "management list lacks the security setup"
n=$(echo "$out" | wc -l)
[ "$n" -gt 20 ] || fail "object list too short ($n)"
pass "management client (HLS-5) reads the object list over HDLC ($n objects)"

# ---- IEC 62056-21 ----
# send MESSAGES... with a pause between them, collect what comes back for T s.
iec() { # $1 = output file, $2 = seconds to listen, then printf arguments separated by "--"
  local f=$1 t=$2
  shift 2
  stty -F "$PTS" raw -echo || fail "stty"
  exec 3<> "$PTS"
  (for m in "$@"; do if [ "$m" = "--" ]; then sleep 0.6; else printf "$m"; fi; done >&3) &
  timeout "$t" cat <&3 > "$f"
  exec 3<&-
}
# XOR of the bytes after STX up to and including ETX, on 7 bits.
bcc_of() {
  local b=0 on=0 x
  for x in $(od -An -v -tu1 "$1"); do
    if [ $on = 1 ]; then b=$((b ^ x)); [ "$x" = 3 ] && break; fi
    [ "$x" = 2 ] && on=1
  done
  echo $((b & 127))
}
check_readout() { # $1 = file
  local f=$1
  head -1 "$f" | grep -q $'^/MMM5\\\\2EMETER-00000001\r$' || fail "identification: $(head -1 "$f" | od -c | head -2)"
  tr -d '\002' < "$f" | grep -q $'^0-0:96.1.0(00000001)\r$' || fail "serial line"
  for c in 1.8.0 1.8.1 1.8.2 2.8.0 2.8.1 2.8.2; do
    grep -Eq "^$c\([0-9]{6}\.[0-9]{3}\*kWh\)"$'\r$' "$f" || fail "line $c: $(od -c "$f" | head)"
  done
  grep -Eq '^0\.9\.1\([0-2][0-9][0-5][0-9][0-5][0-9]\)'$'\r$' "$f" || fail "time line"
  grep -Eq '^0\.9\.2\([0-9]{2}[01][0-9][0-3][0-9]\)'$'\r$' "$f" || fail "date line"
  grep -q $'^!\r$' "$f" || fail "end of readout"
  local want got
  want=$(bcc_of "$f")
  got=$(od -An -v -tu1 "$f" | tr -s ' ' '\n' | grep -v '^$' | tail -1)
  [ "$(od -An -v -tu1 "$f" | tr -s ' ' '\n' | grep -v '^$' | tail -2 | head -1)" = 3 ] || fail "ETX not before the BCC"
  [ "$want" = "$got" ] || fail "BCC: computed $want, received $got"
  echo "$want"
}
iec "$WORK/ro1" 3 '/?!\r\n' -- '\006050\r\n'
bcc=$(check_readout "$WORK/ro1") || fail "$bcc"
pass "readout (mode C): identification $(head -1 "$WORK/ro1" | tr -d '\r'), $(grep -c '(' "$WORK/ro1") data lines, BCC $bcc ok"

# ---- mode E: option select 2 5 2 hands the port to HDLC ----
iec "$WORK/ident" 1.2 '/?!\r\n' -- '\006252\r\n'
head -1 "$WORK/ident" | grep -q '^/MMM5' || fail "mode E identification"
out=$(S clock) || fail "clock over HDLC after mode E"
grep -q 'HDLC (mode E)' "$WORK/emeter.err" || fail "the meter did not enter HDLC by mode E"
pass "mode E: ACK 2 5 2, then DLMS over HDLC: $out"
iec "$WORK/ro2" 3 '/?!\r\n' -- '\006050\r\n'
bcc=$(check_readout "$WORK/ro2") || fail "$bcc"
pass "back to IEC 62056-21 after the HDLC DISC: second readout ok"

# ---- the TCP side is unaffected; power down ----
out=$(timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 clock) || fail "TCP clock"
pass "TCP listener still serves: $out"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=""
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"
pass "SIGTERM: exit 0"
rm -rf "$WORK"
echo "PASS: $PASSED checks"
