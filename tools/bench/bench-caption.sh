#!/usr/bin/env bash
# Benchmark: ms per training batch of the captioning models (issue 15),
# ccrnn against PyTorch (tools/bench/caption_torch.py), one after the other
# on this machine, in one run, one thread each.
#
# A batch is B = 100 captions of one length L = 13 (<start> and <end>
# included) with truncation T = 5: three windows, each with its dropout
# mask (rate 0.5) and followed by an Adam step, as ccrnn-train's captioning
# loop and the reference's do. ccrnn's time is `ccrnn-bench caption` (the
# driver's own loop, CaptionLoop::trainEpoch, on random data); PyTorch's is
# `caption_torch.py time` (the same model and loop in PyTorch). Sizes: the
# bundled MNIST scenes (vocabulary 40, features 506) and COCO's (vocabulary
# 9956, ResNet-152 features 2048); embedding and LSTM 256, synthesizer
# 2 x 1024. The last column is ccrnn's GFLOP/s (the compiler's FLOP counts)
# as a fraction of this machine's sgemm rate (oneDNN, 1024^3, one thread):
# the vocabulary-sized output layer is a large GEMM.
#
# Usage: tools/bench/bench-caption.sh [--repeats N] [--threads N] [--quick]
#   --repeats N   PyTorch's timed batches per configuration, the median is
#                 reported (default 5); ccrnn times 3 epochs of 2N batches
#                 each (its loop's per-epoch set-up amortised as in a run's
#                 160-batch epochs) and reports the median epoch per batch
#   --threads N   threads for both (default 1)
#   --quick       the bundled sizes only, 2 repeats (for a test of the script)
# Exit status: 0; 1 when a measurement fails; 2 when PyTorch or ccrnn-bench
# is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
# shellcheck source=machine.sh
. "$ROOT/tools/bench/machine.sh"
TORCH="$ROOT/tools/bench/caption_torch.py"
BENCH=${CCRNN_BENCH:-$ROOT/build/bin/ccrnn-bench}
TRAIN=${CCRNN_TRAIN:-$ROOT/build/bin/ccrnn-train}

repeats=5
threads=1
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeats) repeats=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --quick) quick=1; repeats=2; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "bench-caption: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$repeats" "$threads"; do
  if ! [[ $v =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-caption: --repeats and --threads take positive integers" >&2
    exit 2
  fi
done
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "bench-caption: PyTorch is missing for $PY; install it with" >&2
  echo "  apt-get install -y python3-torch" >&2
  exit 2
fi
if [[ ! -x "$BENCH" ]]; then
  echo "bench-caption: $BENCH does not exist yet (tools/build.sh ccrnn-bench)" >&2
  exit 2
fi
have_ccrnn=1
[[ -x "$TRAIN" ]] || have_ccrnn=0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
describe_machine
echo "threads: $threads; repeats: $repeats; B=100 L=13 T=5, dropout 0.5"
echo

status=0
sgemm=$("$BENCH" sgemm --size 1024 --threads "$threads" |
        awk '{ for (i = 1; i < NF; ++i) if ($i == "gflops") print $(i + 1) }')
echo "oneDNN sgemm 1024^3, $threads thread(s): $sgemm GFLOP/s"
echo

sizes=("bundled 40 506")
[[ $quick == 1 ]] || sizes+=("COCO 9956 2048")
printf '%-34s %12s %12s %14s %9s %10s\n' configuration "ccrnn ms" \
  "PyTorch ms" "PyTorch/ccrnn" "GFLOP/s" "of sgemm"
for size in "${sizes[@]}"; do
  read -r label vocab features <<< "$size"
  for model in lstm dni_lstm; do
    name="$label caption_$model V=$vocab D=$features"
    c=n/a; t=n/a; g=n/a
    if line=$("$BENCH" caption --model "caption_$model" --vocab "$vocab" \
                --features "$features" --length 13 --bptt 5 \
                --batch-size 100 --threads "$threads" \
                --batches $((2 * repeats)) 2> "$work/ccrnn.log"); then
      c=$(awk '{ for (i = 1; i < NF; ++i) if ($i == "ms_per_batch") printf "%.1f", $(i + 1) }' <<< "$line")
      g=$(awk '{ for (i = 1; i < NF; ++i) if ($i == "gflops") print $(i + 1) }' <<< "$line")
    else
      echo "bench-caption: ccrnn-bench failed for $name:" >&2
      sed 's/^/  /' "$work/ccrnn.log" >&2
      status=1
    fi
    if row=$("$PY" "$TORCH" time --model "$model" --vocab "$vocab" \
               --features "$features" --length 13 --bptt 5 --batch 100 \
               --threads "$threads" --repeats "$repeats" 2> "$work/torch.log"); then
      # | configuration | threads | windows | median | min | max |
      t=$(awk -F'|' '{ gsub(/ /, "", $5); print $5 }' <<< "$row")
    else
      echo "bench-caption: PyTorch failed for $name:" >&2
      sed 's/^/  /' "$work/torch.log" >&2
      status=1
    fi
    ratio=n/a; fraction=n/a
    if [[ $c != n/a && $t != n/a ]]; then
      ratio=$(awk -v a="$t" -v b="$c" 'BEGIN { printf "%.2fx", a / b }')
    fi
    if [[ $g != n/a && -n $sgemm ]]; then
      fraction=$(awk -v a="$g" -v b="$sgemm" 'BEGIN { printf "%.0f%%", 100 * a / b }')
    fi
    printf '%-34s %12s %12s %14s %9s %10s\n' "$name" "$c" "$t" "$ratio" \
      "$g" "$fraction"
  done
done
echo "(ms = ms per batch of 100 captions, all three windows with their Adam" \
     "steps: PyTorch the median of $repeats batches, ccrnn the median of 3" \
     "epochs of $((2 * repeats)) batches; GFLOP/s = ccrnn's, from the" \
     "compiler's FLOP counts of the windows)"
report_load "$load_start" "$threads"
exit $status
