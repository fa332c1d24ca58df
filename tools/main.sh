#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default
# experiment. Until the trainer exists (see the issues), the default
# experiment compiles every bundled model spec with ccrnn-opt: it prints each
# model's parameter table and writes to build/out/ its differentiated,
# optimized training program for the paper setting of its task (line
# drawing: bptt 1, feedback interval 2, 10 steps; seqMNIST: bptt 3, 28 steps).
# Usage: tools/main.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$ROOT/tools/install-deps.sh"
"$ROOT/tools/build.sh" ccrnn-opt ccrnn-run

OPT="$ROOT/build/bin/ccrnn-opt"
OUT="$ROOT/build/out"
mkdir -p "$OUT"
status=0
for model in "$ROOT"/models/*.mlir; do
  name=$(basename "$model" .mlir)
  case "$name" in
    seqmnist*) options='bptt=3 steps=28' ;;
    *) options='bptt=1 interval=2 steps=10' ;;
  esac
  # Write to a temporary file first: a failed compile leaves no output.
  if "$OPT" "$model" --ccrnn-print-parameters=group-totals \
       --ccrnn-build-training="$options" --ccrnn-autodiff --ccrnn-optimize \
       -o "$OUT/$name.train.mlir.tmp"; then
    mv "$OUT/$name.train.mlir.tmp" "$OUT/$name.train.mlir"
  else
    rm -f "$OUT/$name.train.mlir.tmp"
    echo "main: $model failed to compile" >&2
    status=1
  fi
done
echo "main: training programs are in $OUT (run one batch with build/bin/ccrnn-run)"
exit $status
