#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default
# experiment: the line-drawing comparison of the paper (SPEC §5) — cRNN
# (lstm) against ccRNN (dni_lstm), feedback horizon bptt 1, feedback every
# second step, Adam lr 1e-3, 100 epochs, 4 seeds. Prints the summary table
# and where the scores, checkpoints and plots are.
# Usage: tools/main.sh [extra ccrnn-train flags, e.g. --seeds 10 --out DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$ROOT/tools/install-deps.sh"
"$ROOT/tools/install-data.sh"
"$ROOT/tools/build.sh"

cd "$ROOT"
exec "$ROOT/build/bin/ccrnn-train" --task linedraw --model lstm,dni_lstm \
  --bptt 1 --spars-int 2 --epochs 100 --seeds 4 "$@"
