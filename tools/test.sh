#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: the lit
# regression tests and the GoogleTest unit tests (target check-ccrnn); then
# the sanitizer suite (tools/sanitize-test.sh: the same tests under ASan and
# UBSan, and the fuzzers).
# Usage: tools/test.sh
# Environment: CCRNN_SANITIZE_TESTS=0 skips the sanitizer suite;
# FUZZ_SECONDS (tools/sanitize-test.sh).
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

# lit's summary, as one plain line: "tests: N passed, N failed, N skipped".
"$ROOT/tools/test-summary.sh" tests "$log" "$status" || status=$?

# Then the same suite under AddressSanitizer and UndefinedBehaviorSanitizer,
# and the fuzzers for a bounded time, in build-sanitize/ (its own line:
# "sanitizer tests: ..."; docs/Reliability.md). CCRNN_SANITIZE_TESTS=0
# skips it.
if [[ "${CCRNN_SANITIZE_TESTS:-1}" != 0 ]]; then
  "$ROOT/tools/sanitize-test.sh" || status=1
fi
exit "$status"
