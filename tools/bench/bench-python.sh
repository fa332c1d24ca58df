#!/usr/bin/env bash
# A training step driven from Python (ccrnn.Trainer.step, then
# ccrnn.Optimizer.step: clipping and Adam) against the same step inside
# ccrnn-train, as `ccrnn-bench train` times it (the trainer's train(),
# clipping, Adam, from C++), in one run on this machine: the two alternate
# for --rounds rounds and each reports its median ms per batch; the table
# gives the medians and the median of the rounds' overheads (each Python
# round against the C++ round just before it, which cancels the machine's
# slower drifts). Also the Python step with preallocated
# gradients (grads=trainer.new_grads()), which saves the arrays' allocation,
# and the package's own cost per step: its step minus the same two C calls
# made from Python with every argument prepared once (one process, so
# machine noise cancels). Then whole epochs (batches, updates, validation)
# of the line-drawing task: ccrnn-train's (meta.json's epoch_seconds) and a
# Python loop's, --epochs of each, median of epochs 2 on.
#
# Usage: tools/bench/bench-python.sh [--model dni_lstm] [--batches 500]
#          [--rounds 5] [--epochs 30]
# Needs build/bin/ccrnn-bench and build/python (tools/build.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRAIN=$ROOT/build/bin/ccrnn-train
BENCH=$ROOT/build/bin/ccrnn-bench
PY=/usr/bin/python3
have_ccrnn=1
have_torch=0 # not needed here
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"

model=dni_lstm batches=500 rounds=5 epochs=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench-python: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x $BENCH && -d $ROOT/build/python/ccrnn ]] ||
  { echo "bench-python: build first (tools/build.sh)" >&2; exit 2; }

describe_machine
echo
cxx=() py=() pre=() raw=()
for ((r = 0; r < rounds; r++)); do
  cxx+=("$("$BENCH" train --model "$model" --batches "$batches" |
           sed -n 's/.*ms_per_batch \([0-9.]*\).*/\1/p')")
  read -r a b c < <(PYTHONPATH=$ROOT/build/python "$PY" \
                      "$ROOT/tools/bench/bench_python.py" "$model" "$batches")
  py+=("$a") pre+=("$b") raw+=("$c")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
c=$(median "${cxx[@]}") p=$(median "${py[@]}") q=$(median "${pre[@]}")
w=$(median "${raw[@]}")
ratios=() pre_ratios=()
for ((r = 0; r < rounds; r++)); do
  ratios+=("$(awk -v a="${py[r]}" -v b="${cxx[r]}" 'BEGIN {print a / b}')")
  pre_ratios+=("$(awk -v a="${pre[r]}" -v b="${cxx[r]}" 'BEGIN {print a / b}')")
done
o=$(median "${ratios[@]}") op=$(median "${pre_ratios[@]}")
echo "line-drawing paper setting (bptt 1, interval 2, batch 50, 10 steps);" \
     "median of $rounds rounds of $batches batches"
echo
echo "| model | ccrnn-train step (ms) | Python step (ms) | overhead | Python, preallocated grads (ms) | overhead | raw C calls from Python (ms) | the package's cost (µs/step) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
awk -v m="$model" -v c="$c" -v p="$p" -v q="$q" -v w="$w" -v o="$o" \
    -v op="$op" 'BEGIN {
  printf "| %s | %.4f | %.4f | %+.1f %% | %.4f | %+.1f %% | %.4f | %.0f |\n",
         m, c, p, 100 * (o - 1), q, 100 * (op - 1), w, 1000 * (p - w) }'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$TRAIN" --quiet --model "$model" --seed-list 0 --epochs "$epochs" --jobs 1 \
  --out "$work/run"
read -r e f < <(PYTHONPATH=$ROOT/build/python "$PY" \
                  "$ROOT/tools/bench/bench_python.py" epochs "$model" \
                  "$epochs" "$work/run")
echo
echo "| model | ccrnn-train epoch (s) | Python loop epoch (s) | overhead |"
echo "| --- | ---: | ---: | ---: |"
awk -v m="$model" -v e="$e" -v f="$f" 'BEGIN {
  printf "| %s | %.4f | %.4f | %+.1f %% |\n", m, e, f, 100 * (f / e - 1) }'
