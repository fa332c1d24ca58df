#!/usr/bin/env bash
# Makes the GPU check's bundle: everything a GPU machine without LLVM, MLIR
# or oneDNN needs to check the generated CUDA trainers against the CPU ones
# and time them (tools/gpu/run.sh inside it). Here, for each configuration
# of the check (linedraw ccRNN T=1, seqMNIST ccRNN T=3, the large model,
# and 10 linedraw ccRNNs as one ensemble trainer):
#  - the CUDA trainer's C++ (ccrnn-opt ... | ccrnn-translate --emit-trainer=cuda);
#  - random parameters (every one non-zero, the synthesizer's last layer
#    too) and a random batch, and the CPU trainer's gradients and loss for
#    them (ccrnn-train --dump-step), as raw little-endian arrays.
# Usage: tools/gpu/make-bundle.sh [OUT_DIR]   (default build/gpu-bundle;
#        also writes OUT_DIR.tar.gz). Needs a build (tools/build.sh) and
#        /usr/bin/python3 with numpy.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${CCRNN_BIN:-$ROOT/build/bin}
OUT=${1:-$ROOT/build/gpu-bundle}
PY=/usr/bin/python3
for tool in ccrnn-opt ccrnn-translate ccrnn-train; do
  [[ -x $BIN/$tool ]] || { echo "make-bundle: $BIN/$tool is missing (tools/build.sh)" >&2; exit 2; }
done
"$PY" -c 'import numpy' 2>/dev/null || { echo "make-bundle: $PY has no numpy (apt-get install python3-numpy)" >&2; exit 2; }

rm -rf "$OUT"
mkdir -p "$OUT/src/include/ccrnn/Runtime" "$OUT/src/trainers" "$OUT/data"
cp "$ROOT/include/ccrnn/Runtime/KernelsCUDA.h" "$ROOT/include/ccrnn/Runtime/TrainerABI.h" \
   "$OUT/src/include/ccrnn/Runtime/"
cp "$ROOT/lib/RuntimeCUDA/KernelsCUDA.cu" "$ROOT/tools/gpu/gpu_check.cpp" "$OUT/src/"
cp "$ROOT/tools/gpu/bundle-CMakeLists.txt" "$OUT/src/CMakeLists.txt"
cp "$ROOT/tools/gpu/run.sh" "$ROOT/tools/gpu/torch_step_bench.py" \
   "$ROOT/tools/bench/ccrnn_torch.py" "$ROOT/tools/bench/bench_threads.py" "$OUT/"
: > "$OUT/src/trainers.inc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# id | model | sizes (trainer pipeline options; also for --ccrnn-configure-model) |
# training options (trainer pipeline) | ccrnn-train flags | networks
configs=(
  "linedraw_dni_lstm_t1|dni_lstm||bptt=1 interval=2 batch=50 steps=10|--task linedraw --bptt 1 --interval 2|1"
  "seqmnist_dni_lstm_t3|seqmnist_dni_lstm||bptt=3 interval=1 batch=50 steps=28|--task seqmnist --bptt 3 --interval 1|1"
  "large_dni_lstm_t8|dni_lstm|hidden=512 synth-layers=2 synth-width=1024|bptt=8 interval=2 batch=256 steps=64|--task linedraw --seq-len 64 --bptt 8 --interval 2 --nhid 512 --synth-nlayers 2 --synth-nhid 1024|1"
  "linedraw_dni_lstm_t1_x10|dni_lstm||bptt=1 interval=2 batch=50 steps=10||10"
)
for config in "${configs[@]}"; do
  IFS='|' read -r id model configure options flags networks <<<"$config"
  echo "make-bundle: $id"
  file=$ROOT/models/$model.mlir
  pipeline="$configure $options"
  ((networks > 1)) && pipeline+=" ensemble=$networks"
  "$BIN/ccrnn-opt" "$file" "--ccrnn-trainer-pipeline=$pipeline" -o "$work/$id.mlir"
  "$BIN/ccrnn-translate" --emit-trainer=cuda --trainer-id="$id" "$work/$id.mlir" \
    -o "$OUT/src/trainers/$id.cpp"
  if ((networks > 1)); then
    # Checked with the data of the single-network configuration.
    echo "DECLARE($id, \"${id%_x$networks}\")" >> "$OUT/src/trainers.inc"
    continue
  fi
  echo "DECLARE($id, \"\")" >> "$OUT/src/trainers.inc"

  # Parameters: the names and shapes ccrnn-opt prints, uniform(-0.1, 0.1).
  "$BIN/ccrnn-opt" "$file" ${configure:+"--ccrnn-configure-model=$configure"} \
    --ccrnn-print-parameters -o /dev/null > "$work/$id.params.txt"
  batch=$(sed -E 's/.*batch=([0-9]+).*/\1/' <<<"$options")
  steps=$(sed -E 's/.*steps=([0-9]+).*/\1/' <<<"$options")
  "$PY" - "$work/$id.params.txt" "$work/$id" "$batch" "$steps" "$model" <<'PYEOF'
import re, sys
import numpy as np
table, out, batch, steps, model = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = np.random.default_rng(5)
params = {}
for line in open(table):
    m = re.match(r"\s+(\S+)\s+\[([0-9, ]+)\]\s", line)
    if m and m.group(1) != "name":
        shape = [int(x) for x in m.group(2).split(",")]
        params[m.group(1)] = rng.uniform(-0.1, 0.1, shape).astype(np.float32)
np.savez(out + ".init.npz", **params)
with open(out + ".names.txt", "w") as f:
    f.write("\n".join(params))
seqmnist = model.startswith("seqmnist")
inputs = rng.uniform(0, 1, (batch, steps, 28 if seqmnist else 1)).astype(np.float32)
targets = (rng.integers(0, 10, batch).astype(np.int64) if model == "seqmnist_dni_lstm"
           else rng.normal(0, 3, (batch, steps, 2)).astype(np.float32))
np.savez(out + ".batch.npz", inputs=inputs, targets=targets)
PYEOF
  # The CPU trainer's gradients and loss for them.
  # shellcheck disable=SC2086
  "$BIN/ccrnn-train" --model "$model" $flags --batch-size "$batch" --init "$work/$id.init.npz" \
    --batch "$work/$id.batch.npz" --dump-step "$work/$id.ref.npz" --cache-dir "$work/cache" \
    --threads "$(nproc)" 2>&1 | grep -v '^ccrnn-train: compiling' || true
  [[ -f $work/$id.ref.npz ]] || { echo "make-bundle: no reference for $id" >&2; exit 1; }
  mkdir -p "$OUT/data/$id"
  "$PY" - "$work/$id" "$OUT/data/$id" <<'PYEOF'
import sys
import numpy as np
work, out = sys.argv[1], sys.argv[2]
names = open(work + ".names.txt").read().split("\n")
init, ref, batch = (np.load(work + s) for s in (".init.npz", ".ref.npz", ".batch.npz"))
for i, name in enumerate(names):
    init[name].astype("<f4").tofile(f"{out}/param_{i}.bin")
    ref[name].astype("<f4").tofile(f"{out}/grad_{i}.bin")
batch["inputs"].astype("<f4").tofile(out + "/inputs.bin")
t = batch["targets"]
t.astype("<i8" if t.dtype.kind == "i" else "<f4").tofile(out + "/targets.bin")
np.array([ref["loss"]], dtype="<f4").tofile(out + "/loss.bin")
PYEOF
done
chmod +x "$OUT/run.sh" "$OUT/torch_step_bench.py"
tar -C "$(dirname "$OUT")" -czf "$OUT.tar.gz" "$(basename "$OUT")"
du -sh "$OUT" "$OUT.tar.gz"
echo "make-bundle: unpack on a GPU machine and run $(basename "$OUT")/run.sh"
