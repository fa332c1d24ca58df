#!/usr/bin/env bash
# Benchmark: seconds per epoch of sequential MNIST (SPEC §5 seqmnist), ccrnn-train
# against the PyTorch implementation of the same algorithm
# (tools/bench/ccrnn_torch.py --task seqmnist), one after the other on this
# machine, in one run.
#
# Configurations: cRNN (lstm) bptt 3 and bptt 28 (full BPTT), ccRNN
# (dni_lstm) bptt 3; input 28 (one row per step, L = 28), H 30, synthesizer
# 1 x 60, batch 50, Adam lr 1e-4, clip 1.0, classification at the last step,
# one seed, one thread each.
#
# Usage: tools/bench/bench-seqmnist.sh [--epochs N] [--train-size N]
#                                      [--torch-train-size N] [--threads N]
#   --epochs N            epochs per run (default 3); seconds per epoch are
#                         the mean over epochs 2..N (epoch 1 when N = 1)
#   --train-size N        ccrnn-train's training images per epoch (default
#                         48000, the whole training pool)
#   --torch-train-size N  PyTorch's (default 4800: it is ~10x slower)
#   --threads N           threads for both (default 1)
#
# Seconds per epoch are scaled to 48000 images (× 48000 / images trained,
# whole batches) when a subset is trained. Validation and test use 50
# images (one batch): ccrnn-train's `compute_seconds` include validation,
# PyTorch's seconds do not. ccrnn's numbers come from <out>/meta.json
# (`results[].epoch_seconds`, `data_seconds`, `compute_seconds`); the first
# ccrnn-train run of a configuration may compile its trainer (not timed).
# Exit status: 0; 1 when a run fails; 2 when PyTorch, ccrnn-train or MNIST is
# missing (the table is printed with what could run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"
TORCH="$ROOT/tools/bench/ccrnn_torch.py"
TRAIN=${CCRNN_TRAIN:-$ROOT/build/bin/ccrnn-train}
POOL=48000

epochs=3
train_size=$POOL
torch_train_size=4800
threads=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --train-size) train_size=$2; shift 2 ;;
    --torch-train-size) torch_train_size=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "bench-seqmnist: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$epochs" "$train_size" "$torch_train_size" "$threads"; do
  if ! [[ $v =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-seqmnist: --epochs, --train-size, --torch-train-size and" \
         "--threads take positive integers" >&2
    exit 2
  fi
done
(( train_size > POOL )) && train_size=$POOL
(( torch_train_size > POOL )) && torch_train_size=$POOL

if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "bench-seqmnist: PyTorch is missing for $PY; install it with" >&2
  echo "  apt-get install -y python3-torch" >&2
  exit 2
fi
data_dir=${CCRNN_DATA_DIR:+$CCRNN_DATA_DIR/mnist}
data_dir=${data_dir:-$HOME/.cache/ccrnn/data/mnist}
for f in train-images-idx3-ubyte train-labels-idx1-ubyte; do
  if [[ ! -f $data_dir/$f ]]; then
    echo "bench-seqmnist: $data_dir/$f is missing; run tools/install-data.sh" >&2
    exit 2
  fi
done
status=0
have_ccrnn=1
if [[ ! -x "$TRAIN" ]]; then
  echo "bench-seqmnist: $TRAIN does not exist yet (tools/build.sh" \
       "ccrnn-train); PyTorch only" >&2
  have_ccrnn=0
  status=2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the machine and the libraries -----------------------------------------
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
describe_machine
whole() { echo $(( ($1 + 49) / 50 * 50 )); }
echo "epochs per run: $epochs; threads: $threads; images per epoch:" \
     "ccrnn-train $(whole "$train_size"), PyTorch $(whole "$torch_train_size")" \
     "(seconds scaled to $POOL)"
echo

# ccrnn_seconds META: "epoch data compute" seconds per epoch, each the mean
# of epochs 2..N, scaled to 48000 images.
ccrnn_seconds() {
  "$PY" - "$1" "$epochs" "$(whole "$train_size")" "$POOL" <<'EOF'
import json, sys
path, epochs, trained, pool = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
res = json.load(open(path))["results"][0]
scale = pool / trained
out = []
for key in ("epoch_seconds", "data_seconds", "compute_seconds"):
    v = [float(x) for x in res[key]]
    if len(v) != epochs:
        sys.exit(f"{path}: {key} has {len(v)} entries, expected {epochs}")
    steady = v[1:] if epochs > 1 else v
    out.append(sum(steady) / len(steady) * scale)
print(" ".join(f"{x:.4f}" for x in out))
EOF
}
torch_seconds() {
  "$PY" - "$1" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))["epoch_seconds_48000"]
steady = v[1:] if len(v) > 1 else v
print(f"{sum(steady) / len(steady):.4f}")
EOF
}

configs=("lstm 3" "lstm 28" "dni_lstm 3")
declare -A c_epoch c_data c_compute t_epoch
for cfg in "${configs[@]}"; do
  read -r model bptt <<< "$cfg"
  key="$model-$bptt"
  if [[ $have_ccrnn == 1 ]]; then
    out="$work/ccrnn-$key"
    if "$TRAIN" --task seqmnist --model "$model" --bptt "$bptt" \
         --epochs "$epochs" --train-size "$train_size" --val-size 50 \
         --test-size 50 --seeds 1 --threads "$threads" --quiet \
         --data-dir "$data_dir" --out "$out" > "$work/ccrnn-$key.log" 2>&1 &&
       s=$(ccrnn_seconds "$out/meta.json"); then
      read -r c_epoch[$key] c_data[$key] c_compute[$key] <<< "$s"
    else
      echo "bench-seqmnist: ccrnn-train failed for $model bptt $bptt:" >&2
      sed 's/^/  /' "$work/ccrnn-$key.log" >&2
      status=1
    fi
  fi
  if "$PY" "$TORCH" train --task seqmnist --model "$model" --bptt "$bptt" \
       --epochs "$epochs" --train-size "$torch_train_size" --val-size 50 \
       --seed 1 --threads "$threads" --data-dir "$data_dir" --quiet \
       --json "$work/torch-$key.json" > "$work/torch-$key.log" 2>&1; then
    t_epoch[$key]=$(torch_seconds "$work/torch-$key.json")
  else
    echo "bench-seqmnist: PyTorch failed for $model bptt $bptt:" >&2
    sed 's/^/  /' "$work/torch-$key.log" >&2
    status=1
  fi
done

printf '%-40s %14s %14s %14s %14s %14s\n' configuration "ccrnn s/ep" \
  "PyTorch s/ep" "PyTorch/ccrnn" "ccrnn data s" "ccrnn comp. s"
for cfg in "${configs[@]}"; do
  read -r model bptt <<< "$cfg"
  key="$model-$bptt"
  case $model in
    lstm) label="seqMNIST cRNN  lstm     T=$bptt H=30" ;;
    dni_lstm) label="seqMNIST ccRNN dni_lstm T=$bptt H=30 S=1x60" ;;
  esac
  c=${c_epoch[$key]:-n/a}; t=${t_epoch[$key]:-n/a}
  ratio=n/a
  if [[ $c != n/a && $t != n/a ]]; then
    ratio=$(awk -v a="$t" -v b="$c" 'BEGIN { printf "%.2fx", a / b }')
  fi
  printf '%-40s %14s %14s %14s %14s %14s\n' "$label" "$c" "$t" "$ratio" \
    "${c_data[$key]:-n/a}" "${c_compute[$key]:-n/a}"
done
echo "(s/ep = seconds per epoch of 48000 training images, batch 50, mean of" \
     "epochs 2..$epochs, 1 seed; ccrnn trained $(whole "$train_size")" \
     "images per epoch, PyTorch $(whole "$torch_train_size"), scaled to $POOL;" \
     "ccrnn's epoch = data + compute, compute includes validating 50 images)"
report_load "$load_start" "$threads"
exit $status
