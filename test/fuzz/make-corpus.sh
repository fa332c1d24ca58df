#!/usr/bin/env bash
# Writes the fuzzers' seed corpus, test/fuzz/corpus/<harness>/: small valid
# inputs made by the project's own tools (a tiny ccrnn-train run, the
# resume harness's run, the tests' npz writer), so that each fuzzer starts
# from files that get past the readers' first checks.
# Usage: test/fuzz/make-corpus.sh [BUILD_DIR]   (default: build)
# Re-run after a format change; the files are committed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
OUT="$ROOT/test/fuzz/corpus"
NPZ="$ROOT/test/Tools/Inputs/npz.py"
# Debian's python3 (python3-numpy), not one first in PATH without numpy.
PYTHON=python3
[[ -x /usr/bin/python3 ]] && PYTHON=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$OUT"
mkdir -p "$OUT"/{model,npz,idx,resume,feedback}

# model: the bundled models and the unit tests' tiny ones (no .mlir suffix:
# lit would take them for tests).
for f in "$ROOT"/models/*.mlir "$ROOT"/test/unit/Inputs/tiny_*.mlir; do
  cp "$f" "$OUT/model/$(basename "$f" .mlir)"
done

# A tiny run of a ccRNN with feedback recording (one seed, one epoch, small
# sizes): its scores, checkpoint, meta.json and feedback file.
"$BUILD/bin/ccrnn-train" --quiet --model dni_lstm --epochs 1 --seeds 1 \
  --nhid 3 --synth-nhid 4 --synth-nlayers 1 --seq-len 4 --bptt 1 \
  --interval 1 --batch-size 2 --train-size 2 --val-size 2 --test-size 2 \
  --record-grads --record-samples 1 --out "$work/run" \
  --cache-dir "$work/cache"
run="$work/run"

# npz: .npy and .npz files as the run writes them, and as numpy writes
# them: each dtype, a scalar, an empty array, compressed (deflate), format
# version 2.0.
cp "$run/scores.npy" "$OUT/npz/scores.npy"
cp "$run/seed0_dni_lstm_final.npz" "$OUT/npz/checkpoint.npz"
"$PYTHON" - "$OUT/npz" <<'PY'
import sys
import numpy as np
out = sys.argv[1]
np.savez(out + "/dtypes.npz", f4=np.array([[1, 2], [3, 4]], dtype="<f4"),
         f8=np.array([0.5, -1, 2]), i8=np.array([7, -9], dtype="<i8"),
         i4=np.array([3], dtype="<i4"), u1=np.array([0, 255], dtype="u1"),
         scalar=np.float64(4), empty=np.zeros((0, 3), dtype="<f4"))
np.savez_compressed(out + "/compressed.npz",
                    a=np.arange(6, dtype="<f4").reshape(2, 3),
                    b=np.array([1, 2], dtype="<i8"))
with open(out + "/v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([[1.5, 2.5]]), version=(2, 0))
PY

# idx: 2 images of 3 x 2 pixels, and their 2 labels.
python3 - "$OUT/idx" <<'PY'
import struct, sys
out = sys.argv[1]
with open(out + "/images", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, 2, 3, 2) + bytes(range(12)))
with open(out + "/labels", "wb") as f:
    f.write(struct.pack(">II", 0x801, 2) + bytes([3, 9]))
PY

# resume: the harness's own run (meta.json, resume.npz), and the tiny run's
# meta.json.
"$BUILD/test/fuzz/ccrnn-fuzz-replay" --write-resume-seeds "$OUT/resume"
cp "$run/meta.json" "$OUT/resume/meta-linedraw.json"

# feedback: the tiny run's feedback file and a hand-made one (the
# ccrnn-analyze test's).
cp "$run/feedback_seed0_dni_lstm.npz" "$OUT/feedback/recorded.npz"
python3 "$NPZ" write "$OUT/feedback/handmade.npz" 'epoch=i8:2:1,5' \
  'state=f8:2x1x1x2x2:0,0,0,0,0,0,0,0' \
  'synthetic=f8:2x1x1x2x2:0,0,0,0,2,0,0,-3' \
  'target_grad=f8:2x1x1x2x2:1,0,0,1,0,1,0,2' \
  'true_grad=f8:2x1x1x2x2:1,0,0,1,1,0,0,1' \
  'activity=f8:2x1x1x2x3:0,0,0,0,0,0,1,0,0,0,2,0'

du -sh "$OUT"/*
