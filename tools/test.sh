#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: the lit
# regression tests and the GoogleTest unit tests (target check-ccrnn).
# Usage: tools/test.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$ROOT/tools/install-deps.sh"
"$ROOT/tools/install-data.sh"
"$ROOT/tools/build.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"$ROOT/tools/build.sh" check-ccrnn 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# lit's summary, as one plain line: "N passed, N failed".
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
echo "tests: $passed passed, $failed failed, $skipped skipped"
if ((status == 0 && passed == 0)); then
  echo "test: no test ran" >&2
  exit 1
fi
exit "$status"
