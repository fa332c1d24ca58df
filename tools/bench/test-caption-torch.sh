#!/usr/bin/env bash
# Self-test of tools/bench/caption_torch.py (the captioning model in
# PyTorch): its finite-difference checks, a window-grads run on a
# make-window archive (both models, both window kinds; the result names
# checked against ccrnn's @<model>_train results), and a small `time` run
# of each model.
# Usage: tools/bench/test-caption-torch.sh
# Exit status: 0 passed, 1 a failure, 2 PyTorch or numpy missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
SCRIPT="$ROOT/tools/bench/caption_torch.py"
if ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
  echo "test-caption-torch: PyTorch is missing:" \
       "apt-get install -y python3-torch python3-numpy libopenblas0-pthread" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PY" "$SCRIPT" selftest

for model in lstm dni_lstm; do
  for first in --first ""; do
    "$PY" "$SCRIPT" make-window --model "$model" --vocab 11 --features 9 \
      --embed 6 --hidden 5 --batch 4 --steps 3 --synth-width 8 $first \
      --output "$tmp/in.npz" >/dev/null
    "$PY" "$SCRIPT" window-grads --inputs "$tmp/in.npz" \
      --output "$tmp/out.npz" >/dev/null
    "$PY" - "$tmp/in.npz" "$tmp/out.npz" "$model" "$first" <<'PYEOF'
import sys
import numpy as np
fin, fout = np.load(sys.argv[1]), np.load(sys.argv[2])
model, first = sys.argv[3], sys.argv[4] == "--first"
rnn = "rnn.rnn." if model == "dni_lstm" else "rnn."
params = [rnn + n for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                            "bias_hh_l0")]
if model == "dni_lstm":
    s = "rnn.backward_interface.synthesizer."
    params += [s + "input_trigger.weight", s + "input_trigger.bias",
               s + "layers.0.weight", s + "layers.0.bias",
               s + "layers.1.weight", s + "layers.1.bias"]
params += ["encoder.linear.weight", "encoder.linear.bias",
           "encoder.bn.weight", "encoder.bn.bias", "embed.weight",
           "linear.weight", "linear.bias"]
expected = ["loss"] + params + ["state.h_l0", "state.c_l0"]
if first:
    expected += ["encoder.bn.running_mean", "encoder.bn.running_var"]
bad = sorted(set(expected) ^ set(fout.files))
assert not bad, "names differ: %s" % bad
for n in params:
    assert fout[n].shape == fin[n].shape, n
    assert np.all(np.isfinite(fout[n])), n
assert fout["state.h_l0"].shape == fin["state.h_l0"].shape
print("window-grads %s %s: %d arrays" % (model, "first" if first else "later",
                                         len(fout.files)))
PYEOF
  done
done

for model in lstm dni_lstm; do
  "$PY" "$SCRIPT" time --model "$model" --vocab 40 --features 20 --embed 16 \
    --hidden 16 --batch 8 --length 13 --bptt 5 --synth-width 32 \
    --warmup 1 --repeats 2 2>/dev/null
done
echo "test-caption-torch: passed"
