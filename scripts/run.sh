#!/usr/bin/env bash
# run.sh - start the virtual meter on its defaults (called by `make run`
# after deps and build). Usage: scripts/run.sh BIN_DIR [emeter options]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/bin}
shift || true

# The virtual meter runtime (DLMS server, listeners, storage) is not built
# yet; emeter tells what it can do today instead of pretending to be a meter.
echo "emeter: build OK ($BIN)"
echo "emeter: the virtual meter runtime (DLMS server on 127.0.0.1:4059, state in ./var/emeter)"
echo "        does not exist yet; see the status table in README.md."
if [ -x "$BIN/emeter" ]; then
  echo "emeter: what works today:"
  "$BIN/emeter" --help
fi
