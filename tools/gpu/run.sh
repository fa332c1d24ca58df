#!/usr/bin/env bash
# Runs the GPU check from its bundle (tools/gpu/make-bundle.sh): builds the
# CUDA runtime, the generated CUDA trainers and gpu_check with this
# machine's nvcc, then prints two tables: gpu_check's (gradients against
# the CPU trainer's, ms per batch, the 10-network ensemble) and PyTorch's on
# the same GPU (tools/gpu/torch_step_bench.py). Needs CUDA, cmake, ninja;
# PyTorch for the second table.
# Usage: run.sh   (in the unpacked bundle)
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
nvidia-smi -L || echo "run.sh: nvidia-smi failed" >&2
# The card's architecture (e.g. 9.0 -> 90); CMake's "native" needs 3.24.
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null |
       head -1 | tr -d ' .')
arch=${arch:-90}
echo "building for sm_$arch (log: $HERE/build.log)"
if ! { cmake -S src -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
         -DCMAKE_CUDA_ARCHITECTURES="$arch" &&
       ninja -C build; } > build.log 2>&1; then
  tail -30 build.log
  echo "run.sh: the build failed" >&2
  exit 2
fi
echo
echo "## ccrnn: generated CUDA trainers"
./build/gpu_check data
check=$?
echo
echo "## PyTorch on the same GPU"
python3 torch_step_bench.py --device cuda
torch=$?
echo
echo "gpu_check exit status $check, torch_step_bench exit status $torch"
exit $check
