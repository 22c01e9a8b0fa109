#!/usr/bin/env bash
# run.sh - start the virtual meter on its defaults (called by `make run`
# after deps and build): the esmr meter on 127.0.0.1:4059, state in
# ./var/emeter, factory test keys (emeter warns about them).
# Usage: scripts/run.sh BIN_DIR [emeter options]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/bin}
shift || true

cat <<EOT
Read the meter from another terminal:
  $BIN/dlms clock                          # public client 16
  $BIN/dlms list                           # object list of the public association
  $BIN/dlms ic                             # invocation counter (read before HLS-5)
  $BIN/dlms --auth hls5 list               # management client 1, HLS-5, ciphered
  $BIN/dlms --auth hls5 get 0.0.43.0.0.255 2   # security policy
  $BIN/dlms --auth hls5 get 1.0.1.8.0.255 2     # A+ energy, Wh
  $BIN/dlms --auth hls5 profile 1.0.99.1.0.255  # 15-minute load profile
  $BIN/dlms --auth hls5 profile 0.0.99.98.0.255 # standard event log
  $BIN/dlms --port 4060 listen                  # receive pushes (set a destination first)
Operate the meter (docs/control-api.md):
  curl -s http://127.0.0.1:8059/api/state      # LCD, LED, tariff, alarms, measures
  curl -s -d '{"press":"short"}' http://127.0.0.1:8059/api/button
  curl -s -d '{"outage_s":600}' http://127.0.0.1:8059/api/grid
Stop it with Ctrl-C (a power failure: the meter saves and exits).
EOT
exec "$BIN/emeter" "$@"
