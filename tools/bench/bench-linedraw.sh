#!/usr/bin/env bash
# Benchmark: ccrnn-train against the PyTorch implementation of the same
# algorithm (tools/bench/ccrnn_torch.py), one after the other on this machine.
#
# Configuration (SPEC §5, paper setting of linedraw): cRNN (lstm) and ccRNN
# (dni_lstm), bptt 1, feedback interval 2, H 50, synthesizer 2 x 400, batch
# 50, 800 fresh training samples per epoch (16 batches), Adam, clip 1.0, one
# seed, one thread each.
#
# Usage: tools/bench/bench-linedraw.sh [--epochs N] [--threads N]
#   --epochs N   epochs per run (default 5); seconds per epoch are the mean
#                over epochs 2..N (the first one warms caches), or epoch 1
#                when N = 1
#   --threads N  threads for both (default 1)
#
# ccrnn-train runs once per model (--model lstm, then --model dni_lstm);
# its seconds come from <out>/meta.json (`epoch_seconds`, else
# `training_seconds` / epochs); PyTorch's from the same measure (training
# batches of the epoch, including drawing the epoch's data, without the
# validation pass). Exit status: 0; 1 when ccrnn-train fails; 2 when PyTorch or
# ccrnn-train is missing
# (the table is printed with what could run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"
TORCH="$ROOT/tools/bench/ccrnn_torch.py"
TRAIN=${CCRNN_TRAIN:-$ROOT/build/bin/ccrnn-train}

epochs=5
threads=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench-linedraw: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! [[ $epochs =~ ^[1-9][0-9]*$ && $threads =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-linedraw: --epochs and --threads take positive integers" >&2
  exit 2
fi

if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "bench-linedraw: PyTorch is missing for $PY; install it with" >&2
  echo "  apt-get install -y python3-torch" >&2
  exit 2
fi
status=0
have_ccrnn=1
if [[ ! -x "$TRAIN" ]]; then
  echo "bench-linedraw: $TRAIN does not exist yet (tools/build.sh" \
       "ccrnn-train); PyTorch only" >&2
  have_ccrnn=0
  status=2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the machine and the libraries -----------------------------------------
describe_machine
echo "epochs per run: $epochs; threads: $threads"
echo

# seconds_per_epoch FILE: the mean of epochs 2..N from a meta.json.
seconds_per_epoch() {
  "$PY" - "$1" "$epochs" <<'EOF'
import json, sys
path, epochs = sys.argv[1], int(sys.argv[2])
meta = json.load(open(path))

def find(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for v in node.values():
            r = find(v, key)
            if r is not None:
                return r
    elif isinstance(node, list):
        for v in node:
            r = find(v, key)
            if r is not None:
                return r
    return None

def flat(node):
    if node is None:
        return []
    if isinstance(node, dict):
        return [x for v in node.values() for x in flat(v)]
    if isinstance(node, list):
        return [x for v in node for x in flat(v)]
    return [float(node)] if isinstance(node, (int, float)) else []

# Per-epoch times (a list per run), or one mean per run.
for key in ("epoch_seconds", "seconds_per_epoch", "epoch_time",
            "time_per_epoch"):
    values = flat(find(meta, key))
    if values and len(values) % epochs == 0:
        runs = [values[i:i + epochs] for i in range(0, len(values), epochs)]
        steady = [x for r in runs for x in (r[1:] if epochs > 1 else r)]
        print(f"{sum(steady) / len(steady):.6f}")
        sys.exit(0)
    if len(values) == 1:
        print(f"{values[0]:.6f} mean")
        sys.exit(0)
for key in ("training_seconds", "total_training_seconds", "train_seconds"):
    values = flat(find(meta, key))
    if values:
        print(f"{sum(values) / (len(values) * epochs):.6f} total")
        sys.exit(0)
sys.exit(f"{path}: neither epoch_seconds nor training_seconds")
EOF
}

declare -A ccrnn_s torch_s
for model in lstm dni_lstm; do
  if [[ $have_ccrnn == 1 ]]; then
    out="$work/ccrnn-$model"
    if "$TRAIN" --task linedraw --model "$model" --bptt 1 --spars-int 2 \
         --epochs "$epochs" --seeds 1 --threads "$threads" --quiet \
         --out "$out" > "$work/ccrnn-$model.log" 2>&1 &&
       s=$(seconds_per_epoch "$out/meta.json"); then
      ccrnn_s[$model]=$s
      [[ $model == lstm ]] && "$PY" -c '
import json, sys
meta = json.load(open(sys.argv[1]))
print("ccrnn-train versions:", json.dumps(meta.get("versions")))' \
        "$out/meta.json" || true
    else
      echo "bench-linedraw: ccrnn-train failed for $model:" >&2
      sed 's/^/  /' "$work/ccrnn-$model.log" >&2
      status=1
    fi
  fi
  "$PY" "$TORCH" train --model "$model" --bptt 1 --spars-int 2 \
    --hidden 50 --synth-width 400 --synth-layers 2 --epochs "$epochs" \
    --seed 1 --threads "$threads" --quiet --json "$work/torch-$model.json" \
    > "$work/torch-$model.log"
  torch_s[$model]=$(seconds_per_epoch "$work/torch-$model.json")
done

printf '%-52s %18s %16s %14s\n' configuration "ccrnn-train s/ep" \
  "PyTorch s/ep" "PyTorch/ccrnn"
for model in lstm dni_lstm; do
  case $model in
    lstm) label="linedraw cRNN  lstm     T=1 k=2 H=50" ;;
    dni_lstm) label="linedraw ccRNN dni_lstm T=1 k=2 H=50 S=2x400" ;;
  esac
  t=${torch_s[$model]}
  c=${ccrnn_s[$model]:-}
  note=""
  if [[ $c == *total ]]; then c=${c% total}; note=" (training time / epochs)"; fi
  if [[ $c == *mean ]]; then c=${c% mean}; note=" (ccrnn: mean of all epochs)"; fi
  if [[ -n $c ]]; then
    ratio=$(awk -v a="$t" -v b="$c" 'BEGIN { printf "%.2fx", a / b }')
  else
    c="n/a"; ratio="n/a"
  fi
  printf '%-52s %18s %16s %14s%s\n' "$label" "$c" "$t" "$ratio" "$note"
done
echo "(batch 50, 16 batches/epoch, 1 seed; s/ep = seconds per epoch, mean of" \
     "epochs 2..$epochs)"
report_load "" "$threads"
exit $status
