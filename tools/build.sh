#!/usr/bin/env bash
# Configures (once) and builds ccrnn in build/; re-runs reuse the tree.
# Usage: tools/build.sh [ninja targets...]     (default: all)
# Environment: JOBS (default 2), CMAKE_BUILD_TYPE (default Release).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"

# ccache keys on relative paths so that clones in other folders share it.
export CCACHE_BASEDIR="$ROOT"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "${launcher[@]}"
fi
ninja -C "$BUILD" -j "${JOBS:-2}" "$@"
