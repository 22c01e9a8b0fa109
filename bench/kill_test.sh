#!/usr/bin/env bash
# kill_test.sh - the long kill test: tests/system/test_emeter_restart.sh with
# ROUNDS random SIGKILLs (default 2000, about 20 minutes) and the time it took.
#
# Usage: bench/kill_test.sh [BIN_DIR] [ROUNDS]    (make build first)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/build/bin}
ROUNDS=${2:-2000}
t0=$(date +%s)
bash "$ROOT/tests/system/test_emeter_restart.sh" "$BIN" "$ROUNDS" | grep -E "^(ok|FAIL|PASS)"
rc=${PIPESTATUS[0]}
echo "kill test: $ROUNDS SIGKILLs, $(( $(date +%s) - t0 )) s, exit $rc"
exit "$rc"
