#!/usr/bin/env bash
# test_emeter_month.sh - system test: a month of simulated time in a real
# `emeter --speed 60000` process (the load simulator's household, seed 3),
# read with the `dlms` client over the TCP wrapper (management client 1,
# HLS-5, ciphered) - docs/metering.md (Profiles, billing), docs/dlms-cli.md.
#
#   - emeter on a fresh state and a free loopback port; its clock set over
#     DLMS to 31 January 20:00 CET of next year (always ahead of the host,
#     so the billing high-water mark cannot hold the month ends back)
#   - about 30 simulated days run (to 2 March, about 26 s of real time);
#     SIGTERM, then a restart in real time on the same state: the meter
#     keeps its clock, and nothing moves while it is read
#   - monthly billing 1.0.98.1.0.255, range 31 Jan .. 2 Mar: exactly the
#     rows of 1 February and 1 March, stamped 00:00:00+01:00
#   - load profile 1.0.99.1.0.255, range over the 7 local days before the
#     day before the stop, columns clock and A+ only: 673 rows, one every
#     900 s, no gap, no duplicate, A+ never decreasing
#   - register deltas = profile deltas: A+ T1 + T2 of the daily values
#     (1.0.99.2.0.255, the tariff registers at each local midnight) at the
#     range's ends equal the load profile's A+ at those instants (1 Wh for
#     the two floors), so the registers' delta over the range is the sum of
#     the 672 profile deltas; the daily values row of 1 March equals the
#     billing row; the A+ register read now is not below the last row
#   - by entry: the newest entry, columns 1-2, has the clock and the AMR
#     status only
#
# Usage: test_emeter_month.sh BIN_DIR   (about 35 s)
set -u
BIN=${1:?usage: test_emeter_month.sh BIN_DIR}
WORK=$(mktemp -d /tmp/emeter-month.XXXXXX)
PID=""
PASSED=0
fail() {
  echo "FAIL: $*"
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
  echo "--- last emeter log"; cat "$WORK"/emeter*.log 2>/dev/null
  rm -rf "$WORK"; exit 1
}
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

start_meter() { # $1 = log name, then emeter options
  : > "$WORK/$1" # truncate now: the shell truncates in the child, after the port is looked for
  "$BIN/emeter" --seed 3 --state "$WORK/state" --listen 127.0.0.1:0 "${@:2}" > "$WORK/$1" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$1" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || fail "emeter exited at start: $(cat "$WORK/$1")"
    sleep 0.02
  done
  fail "emeter did not print its port"
}
D() { timeout 20 "$BIN/dlms" --host 127.0.0.1 --port "$PORT" --timeout 5 "$@" 2>/dev/null; }
H() { D --auth hls5 "$@"; }
# The meter's clock as UNIX seconds.
clock() { date -d "$(D clock | awk '{print $1}')" +%s; }
# ISO 8601 with offset (the client's date-time cells) -> UNIX seconds, in
# awk for whole profiles: days from the civil date (proleptic Gregorian).
TO_UTC='
function utc(s,   y, mo, d, h, mi, se, sg, oh, om, era, yoe, doy, doe) {
  y = substr(s, 1, 4) + 0; mo = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
  h = substr(s, 12, 2) + 0; mi = substr(s, 15, 2) + 0; se = substr(s, 18, 2) + 0
  sg = substr(s, 20, 1); oh = substr(s, 21, 2) + 0; om = substr(s, 24, 2) + 0
  if (mo <= 2) y--
  era = int(y / 400); yoe = y - era * 400
  doy = int((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1
  doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
  return ((era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + se) \
         - (sg == "-" ? -1 : 1) * (oh * 3600 + om * 60)
}'

Y=$(( $(date -u +%Y) + 1 ))
[ "$(awk "$TO_UTC"' BEGIN { print utc("'"$Y"'-01-01T00:00:00+00:00") }')" = \
  "$(date -u -d "$Y-01-01T00:00:00Z" +%s)" ] || fail "awk date conversion"

# ---- a month in accelerated time ----
start_meter emeter1.log --speed 60000
H set 0.0.1.0.0.255 2 "dt:$Y-01-31T20:00:00+01:00" --class 8 > /dev/null \
  || fail "clock set over DLMS"
t_set=$(date -d "$Y-01-31T20:00:00+01:00" +%s)
t_end=$(date -d "$Y-03-02T06:00:00+01:00" +%s)
c=$(clock) || fail "clock read"
[ "$c" -ge "$t_set" ] && [ "$c" -lt $((t_set + 5 * 86400)) ] \
  || fail "clock $(date -u -d "@$c") after the set to $Y-01-31T20:00+01:00"
pass "clock set over DLMS to $Y-01-31T20:00:00+01:00, running at 60000x"
for _ in $(seq 1 180); do
  c=$(clock) || fail "clock read"
  [ "$c" -ge "$t_end" ] && break
  kill -0 "$PID" 2>/dev/null || fail "emeter died"
  sleep 0.5
done
[ "$c" -ge "$t_end" ] || fail "the clock only reached $(date -u -d "@$c") in 90 s"
grep -q "fell behind" "$WORK/emeter1.log" && fail "the meter fell behind its clock: skipped time"
kill -TERM "$PID"; wait "$PID"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
pass "ran to $(date -u -d "@$c" +%Y-%m-%dT%H:%MZ), SIGTERM exit 0"

# Real time from here: the profiles do not move while they are read.
start_meter emeter2.log
grep -q "resuming after a power down" "$WORK/emeter2.log" || fail "restart did not resume"
c2=$(clock) || fail "clock read after restart"
[ "$c2" -ge "$c" ] || fail "clock went back across the restart: $c -> $c2"
pass "restart in real time: clock kept ($(D clock | awk '{print $1}'))"

# ---- monthly billing ----
H profile 1.0.98.1.0.255 --from "$Y-01-31T00:00:00+01:00" --to "$Y-03-02T00:00:00+01:00" \
  --csv > "$WORK/monthly.csv" || fail "monthly billing read"
rows=$(tail -n +2 "$WORK/monthly.csv")
[ "$(echo "$rows" | wc -l)" -eq 2 ] || fail "monthly rows in the range: '$rows'"
echo "$rows" | sed -n 1p | grep -q "^$Y-02-01T00:00:00+01:00," || fail "first billing row: $rows"
echo "$rows" | sed -n 2p | grep -q "^$Y-03-01T00:00:00+01:00," || fail "second billing row: $rows"
head -1 "$WORK/monthly.csv" | grep -q '^0.0.1.0.0.255:2,0.0.96.10.6.255:2,1.0.1.8.1.255:2,1.0.1.8.2.255:2' \
  || fail "monthly columns: $(head -1 "$WORK/monthly.csv")"
bill_mar=$(echo "$rows" | awk -F, 'NR == 2 { print $3 + $4 }')
bill_feb=$(echo "$rows" | awk -F, 'NR == 1 { print $3 + $4 }')
[ "$bill_mar" -gt "$bill_feb" ] || fail "no energy between the billing rows: $bill_feb -> $bill_mar"
pass "monthly billing: one row on $Y-02-01 and one on $Y-03-01 at 00:00 local, A+ T1+T2 $bill_feb -> $bill_mar Wh"

# ---- load profile over 7 days: range with columns clock and A+ ----
# The 7 local days before the day before the stop: inside the 10 days the
# 960-row load profile holds, whatever the overshoot of the polling.
TO_DAY=$(date -u -d "@$((c2 + 3600 - 86400))" +%Y-%m-%d)
FROM="$(date -u -d "$TO_DAY -7 days" +%Y-%m-%d)T00:00:00+01:00"
TO="${TO_DAY}T00:00:00+01:00"
H profile 1.0.99.1.0.255 --from "$FROM" --to "$TO" --columns 1,3 --csv > "$WORK/lp.csv" \
  || fail "load profile range read"
head -1 "$WORK/lp.csv" | grep -qx '0.0.1.0.0.255:2,1.0.1.8.0.255:2' \
  || fail "load profile columns: $(head -1 "$WORK/lp.csv")"
t_from=$(date -d "$FROM" +%s)
t_to=$(date -d "$TO" +%s)
check=$(tail -n +2 "$WORK/lp.csv" | awk -F, -v from="$t_from" -v to="$t_to" "$TO_UTC"'
  NF != 2 { print "row " NR " has " NF " cells"; exit }
  { t = utc($1) }
  NR == 1 && t != from { print "first row at " $1; exit }
  NR > 1 && t != prev + 900 { print "after " prevs ": " $1 " (gap or duplicate)"; exit }
  NR > 1 && $2 + 0 < a { print "A+ decreased at " $1; exit }
  { sum += NR > 1 ? $2 - a : 0; prev = t; prevs = $1; a = $2 + 0; n = NR; if (NR == 1) first = $2 + 0 }
  END { if (n && prev != to) print "last row at " prevs; else print "ok", n, first, a, sum }')
set -- $check
[ "${1:-}" = ok ] || fail "load profile: $check"
n=$2; lp_first=$3; lp_last=$4; lp_sum=$5
[ "$n" -eq $(((t_to - t_from) / 900 + 1)) ] \
  || fail "load profile: $n rows from $FROM to $TO, expected $(((t_to - t_from) / 900 + 1))"
[ "$lp_sum" -eq $((lp_last - lp_first)) ] || fail "profile deltas $lp_sum"
[ "$lp_sum" -gt 0 ] || fail "no energy in 7 days"
pass "load profile $FROM .. $TO: $n rows every 900 s, no gap or duplicate, A+ +$lp_sum Wh"

# ---- register deltas = profile deltas ----
# The daily values (1.0.99.2.0.255, 40 days deep) hold the tariff registers
# at each local midnight: at the range's ends and at the 1 March month end,
# where they must equal the billing row's.
H profile 1.0.99.2.0.255 --from "$Y-03-01T00:00:00+01:00" --to "$TO" --csv > "$WORK/daily.csv" \
  || fail "daily values read"
H profile 1.0.99.2.0.255 --from "$FROM" --to "$FROM" --csv >> "$WORK/daily.csv" \
  || fail "daily values read"
daily_at() { awk -F, -v t="$1" '$1 == t { print $3 + $4; exit }' "$WORK/daily.csv"; }
day_first=$(daily_at "$FROM"); day_last=$(daily_at "$TO"); day_mar=$(daily_at "$Y-03-01T00:00:00+01:00")
[ -n "$day_first" ] && [ -n "$day_last" ] && [ -n "$day_mar" ] \
  || fail "daily values rows missing: $(cat "$WORK/daily.csv")"
[ "$day_mar" -eq "$bill_mar" ] || fail "1 March: daily values T1+T2 $day_mar, billing row $bill_mar"
d1=$((lp_first - day_first)); d2=$((lp_last - day_last))
[ "$d1" -ge -1 ] && [ "$d1" -le 1 ] || fail "A+ at $FROM: profile $lp_first, registers T1+T2 $day_first"
[ "$d2" -ge -1 ] && [ "$d2" -le 1 ] || fail "A+ at $TO: profile $lp_last, registers T1+T2 $day_last"
reg_delta=$((day_last - day_first))
diff=$((reg_delta - lp_sum))
[ "$diff" -ge -2 ] && [ "$diff" -le 2 ] || fail "register delta $reg_delta Wh, profile deltas $lp_sum Wh"
a_now=$(H get 1.0.1.8.0.255 2 --class 3 | awk '{print $1}')
[ -n "$a_now" ] && [ "$a_now" -ge "$lp_last" ] || fail "A+ register now '$a_now' below the profile $lp_last"
pass "register delta $reg_delta Wh ($FROM -> $TO) = sum of profile deltas $lp_sum Wh; billing = daily values on 1 March; A+ now $a_now Wh"

# ---- by entry: the newest row, columns 1-2 ----
H profile 1.0.99.1.0.255 --entries "$(H get 1.0.99.1.0.255 7 --class 7 | awk '{print $1}')-" \
  --columns 1-2 --csv > "$WORK/entry.csv" || fail "load profile entry read"
[ "$(head -1 "$WORK/entry.csv")" = '0.0.1.0.0.255:2,0.0.96.10.2.255:2' ] \
  || fail "entry columns: $(head -1 "$WORK/entry.csv")"
[ "$(tail -n +2 "$WORK/entry.csv" | wc -l)" -eq 1 ] || fail "entry rows: $(cat "$WORK/entry.csv")"
pass "by entry: the newest row, clock and AMR status: $(tail -1 "$WORK/entry.csv")"

kill -TERM "$PID"; wait "$PID" || fail "second SIGTERM"
PID=""
rm -rf "$WORK"
echo "$PASSED passed, 0 failed"
