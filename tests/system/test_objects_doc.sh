#!/usr/bin/env bash
# test_objects_doc.sh - docs/objects.md must be what `emeter --list-objects`
# prints from the object tables today (regenerate it after a table change:
# build/bin/emeter --list-objects > docs/objects.md).
# Usage: test_objects_doc.sh BIN_DIR
set -u
BIN=${1:?usage: test_objects_doc.sh BIN_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if diff -u "$ROOT/docs/objects.md" <("$BIN/emeter" --list-objects); then
  echo "1 passed, 0 failed"
else
  echo "FAIL: docs/objects.md is out of date: run build/bin/emeter --list-objects > docs/objects.md"
  exit 1
fi
