#!/usr/bin/env bash
# Seed-parallel training: the wall time of `ccrnn-train --seeds N` with the
# pairs trained one after the other (--jobs 1) and with J worker threads
# (default: the cores), in one run, their ratio, and whether both runs gave
# the same scores (they must: cmp of scores.npy).
#
# Usage: tools/bench/bench-seeds.sh [--seeds 10] [--epochs 10]
#          [--jobs J] [--model dni_lstm] [extra ccrnn-train flags...]
# Needs build/bin/ccrnn-train (tools/build.sh ccrnn-train).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRAIN=${CCRNN_TRAIN:-$ROOT/build/bin/ccrnn-train}
PY=/usr/bin/python3
have_ccrnn=1
have_torch=0 # not needed here
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"

seeds=10 epochs=10 model=dni_lstm jobs=$(nproc)
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ -x $TRAIN ]] || { echo "bench-seeds: $TRAIN is missing (tools/build.sh ccrnn-train)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

describe_machine
echo

# seconds JOBS: wall seconds of the whole run (start-up, data, training,
# evaluation, files) with JOBS workers.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$TRAIN" --model "$model" --seeds "$seeds" --epochs "$epochs" --jobs "$1" \
    --out "$work/jobs$1" --quiet "${extra[@]}"
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.2f", $2 - $1}'
}

serial=$(seconds 1)
parallel=$(seconds "$jobs")
same=no
cmp -s "$work/jobs1/scores.npy" "$work/jobs$jobs/scores.npy" && same=yes
echo "| model | seeds | epochs | --jobs 1 (s) | --jobs $jobs (s) | speed-up | same scores |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
echo "| $model | $seeds | $epochs | $serial | $parallel | $(awk -v a="$serial" -v b="$parallel" 'BEGIN{printf "%.2f×", a / b}') | $same |"
[[ $same == yes ]]
