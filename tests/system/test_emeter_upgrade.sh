#!/usr/bin/env bash
# test_emeter_upgrade.sh - system test: a firmware upgrade of the emeter
# virtual meter through Image transfer 0.0.44.0.0.255 with `dlms upgrade`
# (docs/upgrade.md), interrupted half way by a crash of the meter.
#
#   - an image built with `dlms image-build` checks with `dlms image-info`
#   - a damaged image is refused by the tool; sent anyway (--id) the meter's
#     verification fails (status 4) and the firmware identifier stays
#   - the upgrade stops half way (--max-blocks), the meter is killed
#     (SIGKILL) and restarted: the next `dlms upgrade` resumes from the
#     blocks the meter kept, verifies, activates
#   - 1.0.0.2.0.255 shows the new identifier, metering goes on, and both
#     survive a restart
#
# Skipped (exit 0, "SKIP: ...") while the meter's object table has no
# 0.0.44.0.0.255.
#
# Usage: test_emeter_upgrade.sh BIN_DIR
set -u
BIN=${1:?usage: test_emeter_upgrade.sh BIN_DIR}
if ! "$BIN/emeter" --list-objects 2>/dev/null | grep -q '^| 0\.0\.44\.0\.0\.255 '; then
  echo "SKIP: emeter has no Image transfer object 0.0.44.0.0.255 yet (see docs/upgrade.md, wiring)"
  exit 0
fi
WORK=$(mktemp -d /tmp/emeter-upgrade.XXXXXX)
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
D() { timeout 120 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 10 "$@"; }
M() { D --auth hls5 "$@" 2>"$WORK/dlms.err"; }
fw_id() { D get 1.0.0.2.0.255 2 --class 1; }

# ---- the image ----
NEW_ID="EM-UPGRADE-9.9.9"
head -c 40000 /dev/urandom > "$WORK/payload.bin"
out=$("$BIN/dlms" image-build --id "$NEW_ID" --sig "sig-9.9.9" "$WORK/payload.bin" "$WORK/fw.img") \
  || fail "image-build"
out=$("$BIN/dlms" image-info "$WORK/fw.img") || fail "image-info: $out"
echo "$out" | grep -q "id $NEW_ID" || fail "image-info: $out"
pass "image built and checked: $out"
cp "$WORK/fw.img" "$WORK/bad.img"
printf '\x55' | dd of="$WORK/bad.img" bs=1 seek=1000 conv=notrunc status=none
"$BIN/dlms" image-info "$WORK/bad.img" >/dev/null 2>&1 && fail "image-info accepted a damaged image"
pass "image-info refuses a damaged image"

start_meter emeter1.log
old=$(fw_id) || fail "firmware identifier read"
pass "active firmware identifier before: $old"
out=$(D --auth hls5 get 0.0.44.0.0.255 2 --class 18 2>/dev/null) || fail "image_block_size read"
pass "image_block_size $out"

# ---- a damaged image: the tool refuses it, the meter's verification too ----
M upgrade "$WORK/bad.img" >/dev/null && fail "dlms upgrade sent a damaged image without --id"
pass "dlms upgrade refuses a damaged file"
M upgrade "$WORK/bad.img" --id "BAD-1" > "$WORK/bad.out"; rc=$?
[ $rc -ne 0 ] || fail "a damaged image was activated"
st=$(D --auth hls5 get 0.0.44.0.0.255 6 --class 18 2>/dev/null) || fail "status read"
[ "$st" = "4" ] || fail "status after a damaged image: $st ($(cat "$WORK/dlms.err"))"
[ "$(fw_id)" = "$old" ] || fail "firmware identifier changed by a damaged image"
pass "damaged image: verification failed (status 4, exit $rc), identifier unchanged"

# ---- half a transfer, then the meter crashes ----
out=$(M upgrade "$WORK/fw.img" --max-blocks 30) || fail "first half: $out $(cat "$WORK/dlms.err")"
echo "$out" | grep -q "stopped after 30 blocks" || fail "first half: $out"
pass "first half: $out"
first=$(D --auth hls5 get 0.0.44.0.0.255 4 --class 18 2>/dev/null) || fail "attribute 4"
[ "$first" = "30" ] || fail "first_not_transferred_block_number $first after 30 blocks"
kill -KILL "$PID"; wait "$PID" 2>/dev/null
pass "meter killed with 30 blocks on it"

start_meter emeter2.log
first=$(D --auth hls5 get 0.0.44.0.0.255 4 --class 18 2>/dev/null) || fail "attribute 4 after restart"
[ "$first" = "30" ] || fail "first_not_transferred_block_number after the crash: $first"
pass "after the restart the meter still has 30 blocks"
[ "$(fw_id)" = "$old" ] || fail "identifier changed before activation"
out=$(M upgrade "$WORK/fw.img") || fail "resume: $out $(cat "$WORK/dlms.err")"
grep -q "resuming, 30 of" "$WORK/dlms.err" || fail "no resume: $(cat "$WORK/dlms.err")"
echo "$out" | grep -q "activated: active firmware identifier $NEW_ID" || fail "activation: $out"
pass "resumed, verified, activated: $out"
st=$(D --auth hls5 get 0.0.44.0.0.255 6 --class 18 2>/dev/null)
[ "$st" = "6" ] || fail "status after activation: $st"
new=$(fw_id)
[ "$new" = "\"$NEW_ID\"" ] || fail "1.0.0.2.0.255 is $new"
pass "1.0.0.2.0.255 changed $old -> $new, status 6"

# ---- metering went on, and everything survives a restart ----
e1=$(D --auth hls5 get 1.0.1.8.0.255 2 --raw 2>/dev/null) || fail "energy read"
kill -TERM "$PID"; wait "$PID"
start_meter emeter3.log
[ "$(fw_id)" = "$new" ] || fail "identifier after restart: $(fw_id)"
e2=$(D --auth hls5 get 1.0.1.8.0.255 2 --raw 2>/dev/null) || fail "energy read after restart"
[ "${e2%% *}" -ge "${e1%% *}" ] 2>/dev/null || fail "energy went back: $e1 -> $e2"
pass "identifier and energy ($e1 -> $e2) survive a restart"
kill -TERM "$PID"; wait "$PID"
PID=""
rm -rf "$WORK"
echo "PASS: $PASSED checks"
