#!/usr/bin/env bash
# Prints lit's summary of a test run as one plain line, "LABEL: N passed,
# N failed, N skipped", and exits non-zero when the run failed (STATUS, its
# exit status, is not 0) or ran no test. For tools/test.sh and
# tools/sanitize-test.sh.
# Usage: tools/test-summary.sh LABEL LOG STATUS
set -euo pipefail
label=$1 log=$2 status=$3

count() { grep -E "^ +$1 *: +[0-9]+" "$log" | grep -oE '[0-9]+' | head -1 || true; }
passed=$(count Passed); passed=${passed:-0}
failed=0
for kind in Failed Unresolved "Timed Out" XPASS; do
  n=$(count "$kind"); failed=$((failed + ${n:-0}))
done
skipped=0
for kind in Unsupported Skipped; do
  n=$(count "$kind"); skipped=$((skipped + ${n:-0}))
done
echo "$label: $passed passed, $failed failed, $skipped skipped"
if ((status == 0 && passed == 0)); then
  echo "$label: no test ran" >&2
  exit 1
fi
exit "$status"
