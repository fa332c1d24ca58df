#!/usr/bin/env bash
# The sanitizer suite (docs/Reliability.md): configures build-sanitize/ with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer on every target and
# on the trainers compiled on the fly (CCRNN_SANITIZE=address,undefined)
# and the libFuzzer harnesses (CCRNN_FUZZ=ON), builds it (-j2, ccache),
# runs the whole test suite there (check-ccrnn, as tools/test.sh does, with
# its one-line summary), then each fuzzer for a bounded time (tools/fuzz.sh).
# Usage: tools/sanitize-test.sh
# Environment: JOBS (default 2), FUZZ_SECONDS (per harness, default 60;
# 0 skips the fuzzers).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build-sanitize"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

# ccache keys on relative paths so that clones in other folders share it.
export CCACHE_BASEDIR="$ROOT"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# No CUDA here: the CUDA runtime is nvcc's code (not instrumented), and a
# machine without a GPU runs the CUDA trainers on the host emulation, which
# this build checks (CCRNNCUDAOnHostTests).
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCCRNN_SANITIZE=address,undefined -DCCRNN_FUZZ=ON -DCCRNN_CUDA=OFF \
    "${launcher[@]}"
fi
ninja -C "$BUILD" -j "${JOBS:-2}" all ccrnn-fuzzers

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
ninja -C "$BUILD" -j "${JOBS:-2}" check-ccrnn 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
"$ROOT/tools/test-summary.sh" "sanitizer tests" "$log" "$status" || status=1

if ((FUZZ_SECONDS > 0)); then
  "$ROOT/tools/fuzz.sh" "$FUZZ_SECONDS" || status=1
fi
exit "$status"
