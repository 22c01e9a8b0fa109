#!/usr/bin/env bash
# test_emeter_config.sh - system test: the configuration fields of the
# meter's factory settings and their precedence (docs/emeter.md,
# "Configuration file", "Precedence of the file and the stored settings").
#
#   - bad pq, tariffs, hdlc, storage, lockout and tamper values are refused
#     with the field named (exit 2)
#   - a config with a sag threshold of 207 V, a weekly calendar switching
#     to tariff 2 at 06:30 on weekdays and a lockout after 1 failure: the
#     meter serves 207 V and the calendar over DLMS, and one wrong key locks
#     the management association
#   - a head-end SET of the sag threshold (200 V) survives a restart with
#     the same file (the stored value wins over the file's 207 V)
#
# Usage: test_emeter_config.sh BIN_DIR   (about 5 s)
set -u
BIN=${1:?usage: test_emeter_config.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-config.XXXXXX)
PID=""
passed=0
fail() {
  echo "FAIL: $*"
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
  echo "--- emeter log"; cat "$WORK/emeter.log" 2>/dev/null
  rm -rf "$WORK"; exit 1
}
pass() { echo "ok: $*"; passed=$((passed + 1)); }

# ---- refused values name the field ----
refused() { # JSON, expected message part
  echo "$1" > "$WORK/bad.json"
  out=$("$BIN/emeter" --config "$WORK/bad.json" --state "$WORK/bad" --control off 2>&1); rc=$?
  [ $rc -eq 2 ] && echo "$out" | grep -qF "$2" || fail "config $1: rc $rc, '$out' (expected '$2')"
}
refused '{"pq": {"sag_v": 240}}' "pq.sag_v: must be between 1 and 229"
refused '{"pq": {"swell_time_s": 0}}' "pq.swell_time_s: must be between 1 and 3600"
refused '{"tariffs": {"weekday": []}}' 'tariffs: expected both "weekday" and "weekend"'
refused '{"tariffs": {"weekday": [{"at": "7:0x", "tariff": 1}], "weekend": [{"at": "00:00", "tariff": 1}]}}' "tariffs.weekday[0].at: expected a time"
refused '{"tariffs": {"weekday": [{"at": "08:00", "tariff": 1}, {"at": "07:00", "tariff": 2}], "weekend": [{"at": "00:00", "tariff": 1}]}}' "tariffs.weekday[1].at: switch times must ascend"
refused '{"tariffs": {"weekday": [{"at": "07:00", "tariff": 3}], "weekend": [{"at": "00:00", "tariff": 1}]}}' "the esmr meter has 2 tariffs"
refused '{"hdlc": {"physical_address": 5}}' "hdlc.physical_address: must be between 16 and 16381"
refused '{"storage": {"sector_size": 3000}}' "storage.sector_size: must be a power of two"
refused '{"lockout": {"failures": 0}}' "lockout.failures: must be between 1 and 16"
refused '{"tamper": {"magnet_mt": 0}}' "tamper.magnet_mt: must be between 1 and 2000"
pass "bad pq, tariffs, hdlc, storage, lockout and tamper values refused with the field named"

cat > "$WORK/meter.json" <<'EOT'
{
  "pq": { "sag_v": 207 },
  "tariffs": { "weekday": [{"at": "00:00", "tariff": 1}, {"at": "06:30", "tariff": 2},
                           {"at": "22:00", "tariff": 1}],
               "weekend": [{"at": "00:00", "tariff": 1}] },
  "lockout": { "failures": 1, "lock_s": 600 }
}
EOT
start_meter() {
  : > "$WORK/emeter.log"
  "$BIN/emeter" --config "$WORK/meter.json" --state "$WORK/state" --listen 127.0.0.1:0 \
    --control off > "$WORK/emeter.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emeter.log" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || fail "emeter exited at start"
    sleep 0.02
  done
  fail "emeter did not print its port"
}
D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 "$@" 2>/dev/null; }
start_meter
sag=$(D --auth hls5 get 1.0.12.31.0.255 2 --class 3 | awk '{print $1}')
[ "$sag" = "207" ] || fail "sag threshold from the file: '$sag'"
cal=$(D --auth hls5 get 0.0.13.0.0.255 5 --class 20) || fail "active day profiles read"
echo "$cal" | grep -q "061e0000" || fail "weekday switch 06:30 not in the active calendar: $cal"
pass "factory settings from the file: sag 207 V, weekday tariff 2 from 06:30"

D --auth hls5 set 1.0.12.31.0.255 2 u16:200 --class 3 > /dev/null || fail "SET sag threshold"
kill -TERM "$PID"; wait "$PID"; PID=""
start_meter
sag=$(D --auth hls5 get 1.0.12.31.0.255 2 --class 3 | awk '{print $1}')
[ "$sag" = "200" ] || fail "the head-end's 200 V did not win over the file's 207 V: '$sag'"
pass "a head-end's SET survives a restart with the same file (stored wins)"

D --auth hls5 --ak 00112233445566778899AABBCCDDEEFF clock > /dev/null && fail "wrong AK accepted"
D --auth hls5 clock > /dev/null && fail "management association not locked after 1 failure"
D clock > /dev/null || fail "public client refused during the lock"
pass "lockout.failures 1: one wrong key locks the management association"

kill -TERM "$PID"; wait "$PID"; PID=""
rm -rf "$WORK"
echo "$passed passed, 0 failed"
