#!/usr/bin/env bash
# Self-test of tools/bench/caption_torch.py (the captioning model in
# PyTorch): its finite-difference checks, a window-grads run on a
# make-window archive (both models, both window kinds; the result names
# checked against ccrnn's @<model>_train results), and a small `time` run
# of each model. When build/bin/ccrnn-opt and ccrnn-run exist (or
# CCRNN_BIN names their folder), the same archives also go through ccrnn's
# training program (--ccrnn-build-training, --ccrnn-autodiff) in the
# double-precision reference evaluator, and every result is compared with
# window-grads --dtype float64 (relative 1e-9).
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

BIN=${CCRNN_BIN:-$ROOT/build/bin}
if [[ -x $BIN/ccrnn-opt && -x $BIN/ccrnn-run ]]; then
  for model in lstm dni_lstm; do
    cerebellum=""
    [[ $model == dni_lstm ]] && cerebellum="ccrnn.cerebellum %h layers = 2, width = 8, scale = 0.1 : !ccrnn.rnn<lstm, 5>"
    cat >"$tmp/cap.mlir" <<MLIR
ccrnn.model @cap(%image: !ccrnn.vec<9>, %words: !ccrnn.tokens<11>) -> !ccrnn.seq<11> {
  %e = ccrnn.linear %image features = 6 : !ccrnn.vec<9> -> !ccrnn.vec<6>
  %n = ccrnn.batch_norm %e momentum = 0.01 : !ccrnn.vec<6>
  %w = ccrnn.embedding %words features = 6 : !ccrnn.tokens<11> -> !ccrnn.seq<6>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<6>, !ccrnn.seq<6>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<6>
  %h = ccrnn.lstm %d hidden = 5 : !ccrnn.seq<6> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 11 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<11>
  $cerebellum
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<11>
}
MLIR
    for first in first-window ""; do
      flag=""
      [[ -n $first ]] && flag=--first
      "$BIN/ccrnn-opt" "$tmp/cap.mlir" \
        --ccrnn-build-training="batch=4 steps=3 $first" --ccrnn-autodiff \
        -o "$tmp/program.mlir"
      "$PY" "$SCRIPT" make-window --model "$model" --vocab 11 --features 9 \
        --embed 6 --hidden 5 --batch 4 --steps 3 --synth-width 8 $flag \
        --seed 5 --output "$tmp/in.npz" >/dev/null
      "$BIN/ccrnn-run" "$tmp/program.mlir" --function=cap_train \
        --inputs="$tmp/in.npz" --output="$tmp/ccrnn.npz"
      "$PY" "$SCRIPT" window-grads --dtype float64 --inputs "$tmp/in.npz" \
        --output "$tmp/torch.npz" >/dev/null
      "$PY" - "$tmp/ccrnn.npz" "$tmp/torch.npz" "$model ${first:-later}" <<'PYEOF'
import sys
import numpy as np
c, t = np.load(sys.argv[1]), np.load(sys.argv[2])
assert sorted(c.files) == sorted(t.files), (sorted(c.files), sorted(t.files))
worst = 0.0
for n in c.files:
    diff = np.max(np.abs(c[n] - t[n])) if c[n].size else 0.0
    rel = diff / max(np.max(np.abs(t[n])) if t[n].size else 0.0, 1e-3)
    worst = max(worst, rel)
    assert rel <= 1e-9, "%s: ccrnn and PyTorch differ (relative %.3g)" % (n, rel)
print("ccrnn-run vs window-grads %s: %d arrays, worst relative %.2g"
      % (sys.argv[3], len(c.files), worst))
PYEOF
    done
  done
else
  echo "test-caption-torch: no $BIN/ccrnn-opt and ccrnn-run; the comparison" \
       "with ccrnn's program is skipped"
fi

for model in lstm dni_lstm; do
  "$PY" "$SCRIPT" time --model "$model" --vocab 40 --features 20 --embed 16 \
    --hidden 16 --batch 8 --length 13 --bptt 5 --synth-width 32 \
    --warmup 1 --repeats 2 2>/dev/null
done
echo "test-caption-torch: passed"
