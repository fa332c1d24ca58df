#!/usr/bin/env bash
# Cross-checks one training batch of ccrnn-train against the PyTorch
# implementation of SPEC §3 (tools/bench/ccrnn_torch.py): for each case the
# same initial weights and the same linedraw batch go to both, and every
# pre-clip parameter gradient, the reported loss and the global gradient norm
# are compared.
#
# Usage: tools/bench/crosscheck-gradients.sh [--models "lstm dni_lstm"]
#          [--bptt "1 3"] [--spars-int 2] [--tol 1e-4] [--keep DIR]
#
# Column `rel` is max|ccrnn - torch| / max|torch| per array, both in float32;
# `floor` is the same measure between PyTorch float32 and float64 (the float32
# rounding noise of this batch). For the ccRNN the synthesizer's last layer is
# made non-zero (`--nonzero-synth`), otherwise its gradients are trivially
# special; one zero-initialised case (the real start of a ccRNN) is added.
# Exit status: 0 all within --tol, 1 a mismatch, 2 something missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
TORCH="$ROOT/tools/bench/ccrnn_torch.py"
TRAIN=${CCRNN_TRAIN:-$ROOT/build/bin/ccrnn-train}

models="lstm dni_lstm"
bptts="1 3"
interval=2
tol=1e-4
keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --bptt) bptts=$2; shift 2 ;;
    --spars-int) interval=$2; shift 2 ;;
    --tol) tol=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "crosscheck-gradients: unknown option $1" >&2; exit 2 ;;
  esac
done

if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "crosscheck-gradients: PyTorch is missing for $PY; install it with" >&2
  echo "  apt-get install -y python3-torch" >&2
  exit 2
fi
if [[ ! -x "$TRAIN" ]]; then
  echo "crosscheck-gradients: $TRAIN does not exist yet (build it with" >&2
  echo "  tools/build.sh ccrnn-train)" >&2
  exit 2
fi

if [[ -n "$keep" ]]; then
  work=$keep
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

printf '%-9s %-4s %-8s %-56s %-11s %-9s %-9s %s\n' \
  model bptt synth array shape rel floor ok
status=0
seed=0
for model in $models; do
  for bptt in $bptts; do
    synths="random"
    [[ $model == dni_* && $bptt == "${bptts%% *}" ]] && synths="random zero"
    [[ $model != dni_* ]] && synths="-"
    for synth in $synths; do
      seed=$((seed + 1))
      tag="$model-t$bptt-$synth"
      init_flags=()
      [[ $synth == random ]] && init_flags=(--nonzero-synth)
      "$PY" "$TORCH" make-init --model "$model" --seed "$seed" \
        "${init_flags[@]}" --out "$work/$tag.init.npz"
      "$PY" "$TORCH" make-batch --seed "$((seed + 100))" --batch 50 \
        --out "$work/$tag.batch.npz"
      flags=(--model "$model" --bptt "$bptt" --spars-int "$interval"
             --init "$work/$tag.init.npz" --batch "$work/$tag.batch.npz")
      "$PY" "$TORCH" dump-step "${flags[@]}" --out "$work/$tag.torch32.npz"
      "$PY" "$TORCH" dump-step "${flags[@]}" --double \
        --out "$work/$tag.torch64.npz"
      if ! "$TRAIN" --model "$model" --bptt "$bptt" --spars-int "$interval" \
             --init "$work/$tag.init.npz" --batch "$work/$tag.batch.npz" \
             --dump-step "$work/$tag.ccrnn.npz" > "$work/$tag.log" 2>&1; then
        echo "crosscheck-gradients: ccrnn-train failed for $tag:" >&2
        sed 's/^/  /' "$work/$tag.log" >&2
        status=1
        continue
      fi
      "$PY" - "$work/$tag" "$model" "$bptt" "$synth" "$tol" <<'EOF' || status=1
import sys
import numpy as np
base, model, bptt, synth, tol = sys.argv[1:6]
tol = float(tol)
got = np.load(base + ".ccrnn.npz")
ref = np.load(base + ".torch32.npz")
exact = np.load(base + ".torch64.npz")
bad = 0
names = list(ref.files)
for name in sorted(set(got.files) - set(ref.files)):
    print(f"{model:9s} {bptt:4s} {synth:8s} {name:56s} unexpected array in the ccrnn dump")
    bad += 1
for name in names:
    if name not in got.files:
        print(f"{model:9s} {bptt:4s} {synth:8s} {name:56s} MISSING in the ccrnn dump")
        bad += 1
        continue
    a = np.asarray(got[name], dtype=np.float64)
    b = np.asarray(ref[name], dtype=np.float64)
    c = np.asarray(exact[name], dtype=np.float64)
    shape = "x".join(map(str, b.shape)) or "()"
    if a.shape != b.shape:
        print(f"{model:9s} {bptt:4s} {synth:8s} {name:56s} {shape:11s} "
              f"shape {a.shape} in the ccrnn dump  FAIL")
        bad += 1
        continue
    # An array that is exactly zero in PyTorch (the synthesizer below a
    # zero-initialised last layer) may hold rounding dust elsewhere.
    scale = max(np.abs(b).max(initial=0.0), 1e-12)
    rel = np.abs(a - b).max(initial=0.0) / scale
    floor = np.abs(b - c).max(initial=0.0) / scale
    ok = bool(np.isfinite(a).all()) and rel <= tol
    bad += not ok
    print(f"{model:9s} {bptt:4s} {synth:8s} {name:56s} {shape:11s} "
          f"{rel:9.2e} {floor:9.2e} {'ok' if ok else 'FAIL'}")
sys.exit(1 if bad else 0)
EOF
    done
  done
done
if [[ $status -eq 0 ]]; then
  echo "crosscheck-gradients: all arrays within $tol"
else
  echo "crosscheck-gradients: MISMATCH (tolerance $tol)" >&2
fi
exit $status
