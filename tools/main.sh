#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default
# experiment. Until the trainer exists (see the issues), the default
# experiment compiles every bundled model spec with ccrnn-opt: it parses and
# verifies each model, writes the compiled IR to build/out/, and prints its
# parameter table.
# Usage: tools/main.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$ROOT/tools/install-deps.sh"
"$ROOT/tools/build.sh" ccrnn-opt

OPT="$ROOT/build/bin/ccrnn-opt"
OUT="$ROOT/build/out"
mkdir -p "$OUT"
status=0
for model in "$ROOT"/models/*.mlir; do
  name=$(basename "$model" .mlir)
  # Write to a temporary file first: a failed compile leaves no output.
  if "$OPT" "$model" --ccrnn-print-parameters=group-totals \
       -o "$OUT/$name.mlir.tmp"; then
    mv "$OUT/$name.mlir.tmp" "$OUT/$name.mlir"
  else
    rm -f "$OUT/$name.mlir.tmp"
    echo "main: $model failed to compile" >&2
    status=1
  fi
done
echo "main: compiled models are in $OUT"
exit $status
