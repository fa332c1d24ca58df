#!/usr/bin/env bash
# Installs every Debian package ccrnn needs to build and test (Debian 12).
# Idempotent: when everything is present it only asks dpkg and returns.
# Usage: tools/install-deps.sh
set -euo pipefail

# Why each package: docs/Rationale.md, "Dependencies".
PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache python3
  # compiler framework: LLVM/MLIR 22 libraries, mlir-tblgen, lit, FileCheck
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # CPU kernels (oneDNN's CMake config also needs the OpenCL loader)
  libdnnl-dev ocl-icd-opencl-dev
  # formatting and unit tests
  libfmt-dev libgtest-dev
  # reading and writing .npz (zip) files
  libzip-dev
  # SHA-256 of the MNIST files (OpenSSL's libcrypto)
  libssl-dev
  # the training driver: command line, meta.json, PNG plots
  libcli11-dev nlohmann-json3-dev gnuplot-nox
  # the GPU check's bundle (tools/gpu/make-bundle.sh) and its test
  python3-numpy
  # tools/reproduce.sh: the paired tests of its tables
  python3-scipy
  # captioning: ResNet-152 image features (tools/extract-features.py) and
  # its test; PyTorch on OpenBLAS for the benchmarks against it (Debian's
  # default netlib BLAS is ~10x slower: an unfair baseline)
  python3-torchvision libopenblas0-pthread
  # the Python package's plots (Run.plot, the user guide's example, which
  # the tests run); optional for the package itself
  python3-matplotlib
  # --slurm: sbatch; the tests start a one-node cluster (slurmctld, slurmd,
  # munged) of this machine
  slurm-wlm munge
  # mpirun -np N ccrnn-train: the tests start Open MPI's launcher
  openmpi-bin
  # the sanitizer build and the fuzzers (tools/sanitize-test.sh): clang, its
  # ASan/UBSan/libFuzzer runtimes, its OpenMP runtime (clang's OpenMP code
  # calls libomp, which also serves oneDNN's libgomp calls in that build),
  # llvm-symbolizer for the stack traces
  clang-22 libclang-rt-22-dev libomp-22-dev llvm-22
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
