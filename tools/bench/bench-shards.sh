#!/usr/bin/env bash
# Shards (--shard I/N, --merge): the wall time of a run in one process with
# its pairs one after the other (--jobs 1), against N shard processes
# started together (each --jobs 1, as N cluster tasks of one core would run)
# followed by the merge, in one run; the merge's own time (the serial part
# of a cluster run besides compiling trainers); the time of compiling one
# trainer into an empty cache (the other serial part: once per trainer with
# a shared cache, the other shards wait for it); and whether the merged
# scores.npy is the one-process run's (it must be: cmp).
#
# Usage: tools/bench/bench-shards.sh [--seeds 4] [--epochs 100]
#          [--shards 2] [extra ccrnn-train flags...]
# Needs build/bin/ccrnn-train (tools/build.sh ccrnn-train).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRAIN=${CCRNN_TRAIN:-$ROOT/build/bin/ccrnn-train}
PY=/usr/bin/python3
have_ccrnn=1
have_torch=0 # not needed here
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"

seeds=4 epochs=100 shards=2
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ -x $TRAIN ]] || { echo "bench-shards: $TRAIN is missing (tools/build.sh ccrnn-train)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=(--seeds "$seeds" --epochs "$epochs" --jobs 1 --quiet "${extra[@]}")

describe_machine
echo

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b - a}'; }

t0=$(now)
"$TRAIN" "${run[@]}" --out "$work/whole"
whole=$(since "$t0")

t0=$(now)
pids=()
for ((i = 0; i < shards; i++)); do
  "$TRAIN" "${run[@]}" --shard "$i/$shards" --out "$work/shard$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
trained=$(since "$t0")
t1=$(now)
"$TRAIN" --quiet --merge "$work"/shard* --out "$work/merged"
merge=$(since "$t1")
sharded=$(since "$t0")

# A trainer no run above used (bptt 2 is not bundled), into an empty cache.
t0=$(now)
"$TRAIN" --quiet --model dni_lstm --bptt 2 --seeds 1 --epochs 1 --train-size 50 \
  --val-size 50 --test-size 50 --cache-dir "$work/cold-cache" --out "$work/cold"
compile=$(since "$t0")

same=no
cmp -s "$work/whole/scores.npy" "$work/merged/scores.npy" && same=yes
echo "| seeds x models | epochs | one process (s) | $shards shards at once (s) | merge (s) | shards + merge (s) | speed-up | same scores | compiling a trainer (s) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
echo "| $seeds x 2 | $epochs | $whole | $trained | $merge | $sharded | $(awk -v a="$whole" -v b="$sharded" 'BEGIN{printf "%.2f×", a / b}') | $same | $compile |"
[[ $same == yes ]]
