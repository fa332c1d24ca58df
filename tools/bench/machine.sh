#!/usr/bin/env bash
# Shared by the benchmark scripts (sourced): describe_machine prints the
# machine, its load, the libraries PyTorch and ccrnn run on, and the ccrnn
# commit, so that every table says where it was measured. Needs PY, ROOT,
# TRAIN and have_ccrnn from the caller (and have_torch=0 without PyTorch).

describe_machine() {
  cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "-"; }
  echo "machine: $cpu; $(nproc) CPUs available" \
       "($(grep -c '^processor' /proc/cpuinfo) in /proc/cpuinfo); $mem;" \
       "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  # Scripts that need PyTorch do not set have_torch; the suite does.
  if [[ ${have_torch:-1} == 0 ]]; then
    echo "PyTorch: not installed (python3-torch); its columns are -"
  else
  "$PY" - <<'EOF'
import re, sys
import numpy, torch
a = torch.randn(64, 64)
(a @ a).sum().item()  # loads the BLAS
import os
libs = {os.path.realpath(m.group(1)) for m in
        re.finditer(r"(/\S+\.so[.\d]*)$", open("/proc/self/maps").read(), re.M)}
blas = sorted(p for p in libs if re.search(r"blas|mkl", os.path.basename(p)))
print(f"PyTorch {torch.__version__} (python {sys.version.split()[0]}), "
      f"numpy {numpy.__version__}, BLAS {', '.join(blas) or 'none loaded'}")
if any("/blas/libblas" in b for b in blas):
    print("WARNING: PyTorch runs on the reference (netlib) BLAS; install "
          "OpenBLAS for a fair comparison: apt-get install -y libopenblas0-pthread")
EOF
  fi
  echo "packages: python3-torch $(pkgver python3-torch)," \
       "libopenblas0-pthread $(pkgver libopenblas0-pthread)," \
       "libdnnl3 $(pkgver libdnnl3), libdnnl2 $(pkgver libdnnl2)"
  if [[ $have_ccrnn == 1 ]]; then
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then commit+="+changes"; fi
    version=$(timeout 10 "$TRAIN" --version 2>/dev/null | head -1 || true)
    echo "ccrnn-train: ${version:-$TRAIN} (commit $commit)"
  fi
}

# report_load START THREADS: the load average at the start (START, as read
# from /proc/loadavg) and now, and a warning when other processes competed
# for the CPUs that THREADS threads of the benchmark needed.
report_load() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [[ -n $1 ]]; then
    echo "load average: $1 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  fi
  if awk -v l="$load" -v n="$(nproc)" -v t="$2" \
       'BEGIN { exit !(l > n - t + 0.5) }'; then
    echo "WARNING: load average $load on $(nproc) CPUs at the end: other" \
         "processes competed for the CPUs, the timings are unreliable; rerun" \
         "on a quiet machine"
  fi
}
