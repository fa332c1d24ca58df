#!/usr/bin/env bash
# The benchmark suite of the performance issue: in one run, per
# configuration, ccrnn's ms per training batch (ccrnn-bench train: the
# trainer, clipping, Adam), PyTorch's for the same algorithm
# (tools/bench/ccrnn_torch.py, OpenBLAS), their ratio, ccrnn's GFLOP/s
# (matrix-product FLOPs counted by the compiler, the same count for both)
# and that as a fraction of the machine's oneDNN sgemm rate (2048^3) with
# as many threads, measured right before the row.
#
# Usage: tools/bench/bench-suite.sh [--threads 1,2] [--quick]
#   --threads LIST  thread counts (default 1,2)
#   --quick         fewer batches (a smoke run; noisy numbers)
# Needs build/bin/ccrnn-bench and, for the PyTorch column, /usr/bin/python3
# with python3-torch (the column is "-" without it). seqMNIST rows need the
# MNIST files (tools/install-data.sh) for PyTorch only: ccrnn times random
# data of the same shapes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
BENCH=${CCRNN_BENCH:-$ROOT/build/bin/ccrnn-bench}
TORCH="$ROOT/tools/bench/ccrnn_torch.py"
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"

threads_list=1,2
batches=20
torch_batches=16
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads_list=$2; shift 2 ;;
    --quick) batches=3; torch_batches=4; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench-suite: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $BENCH ]] || { echo "bench-suite: $BENCH is missing (tools/build.sh ccrnn-bench)" >&2; exit 2; }
have_ccrnn=1
TRAIN=$BENCH
have_torch=0
"$PY" -c 'import torch' 2>/dev/null && have_torch=1

describe_machine
echo

# name | ccrnn-bench train flags | ccrnn_torch.py train flags
configs=(
  "linedraw cRNN T=1|--model lstm --bptt 1|--task linedraw --model lstm --bptt 1"
  "linedraw ccRNN T=1|--model dni_lstm --bptt 1|--task linedraw --model dni_lstm --bptt 1"
  "seqMNIST cRNN T=3|--task seqmnist --model seqmnist_lstm --bptt 3|--task seqmnist --model lstm --bptt 3"
  "seqMNIST cRNN T=28|--task seqmnist --model seqmnist_lstm --bptt 28|--task seqmnist --model lstm --bptt 28"
  "seqMNIST ccRNN T=3|--task seqmnist --model seqmnist_dni_lstm --bptt 3|--task seqmnist --model dni_lstm --bptt 3"
  "large ccRNN H512 B256 T=8 L64|--model dni_lstm --nhid 512 --synth-nhid 1024 --synth-nlayers 2 --batch-size 256 --seq-len 64 --bptt 8|--task linedraw --model dni_lstm --hidden 512 --synth-width 1024 --synth-layers 2 --batch 256 --length 64 --bptt 8"
)

# torch_ms FLAGS THREADS N: PyTorch's ms per batch, from the mean epoch time
# after the first of a run of N batches per epoch.
torch_ms() {
  local flags=$1 threads=$2 torch_batches=$3 batch=50
  [[ $flags =~ --batch\ ([0-9]+) ]] && batch=${BASH_REMATCH[1]}
  local out
  # shellcheck disable=SC2086
  out=$("$PY" "$TORCH" train $flags --epochs 3 --threads "$threads" \
        --train-size $((torch_batches * batch)) --val-size "$batch" \
        --test-size "$batch" --quiet 2>/dev/null) || { echo "-"; return; }
  awk -v n="$torch_batches" '/^mean_epoch_seconds_after_first/ {
    printf "%.3f", $2 * 1000 / n }' <<<"$out"
}

printf '%-32s %7s %12s %12s %8s %10s %8s %9s\n' configuration threads \
  "ccrnn ms" "PyTorch ms" ratio "GFLOP/s" "sgemm" "fraction"
IFS=, read -ra thread_counts <<<"$threads_list"
for threads in "${thread_counts[@]}"; do
  for config in "${configs[@]}"; do
    # The machine's rate right before each row: on a shared machine it
    # drifts by 20 % within minutes.
    sgemm=$("$BENCH" sgemm --size 2048 --threads "$threads" |
            awk '{ for (i = 1; i < NF; ++i) if ($i == "gflops") print $(i + 1) }')
    IFS='|' read -r name ours theirs <<<"$config"
    # A large-model batch takes seconds: fewer of them.
    b=$batches tb=$torch_batches
    [[ $name == large* ]] && b=2 tb=2
    # shellcheck disable=SC2086
    line=$("$BENCH" train $ours --threads "$threads" --batches "$b")
    ms=$(awk '{ for (i = 1; i < NF; ++i) if ($i == "ms_per_batch") print $(i + 1) }' <<<"$line")
    gflops=$(awk '{ for (i = 1; i < NF; ++i) if ($i == "gflops") print $(i + 1) }' <<<"$line")
    pt="-"
    ((have_torch)) && pt=$(torch_ms "$theirs" "$threads" "$tb")
    ratio=$(awk -v a="$pt" -v b="$ms" 'BEGIN { if (a == "-" || a == "") print "-"; else printf "%.2fx", a / b }')
    fraction=$(awk -v g="$gflops" -v s="$sgemm" 'BEGIN { printf "%.0f%%", 100 * g / s }')
    printf '%-32s %7s %12s %12s %8s %10s %8s %9s\n' "$name" "$threads" "$ms" \
      "$pt" "$ratio" "$gflops" "$sgemm" "$fraction"
  done
done
