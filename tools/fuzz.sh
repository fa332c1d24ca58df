#!/usr/bin/env bash
# Runs each libFuzzer harness of test/fuzz for a bounded time and prints a
# table: harness, seconds, executions, executions per second, corpus size,
# crashes. Exits non-zero when a harness crashed (or reported a leak, a
# timeout or running out of memory), naming the input it left behind.
# Usage: tools/fuzz.sh [SECONDS]    (per harness; default 60)
# Environment: FUZZ_BUILD (default build-sanitize, configured by
# tools/sanitize-test.sh with -DCCRNN_FUZZ=ON), FUZZ_HARNESSES (default:
# all five). Each harness starts from its seed corpus (test/fuzz/corpus)
# and regression inputs (test/fuzz/regressions) and keeps what it finds in
# $FUZZ_BUILD/fuzz/<harness>/corpus for the next run; a crash input is
# $FUZZ_BUILD/fuzz/<harness>/crash-<sha1> (docs/Reliability.md: how it
# becomes a regression input).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-sanitize}
SECONDS_EACH=${1:-60}
HARNESSES=(${FUZZ_HARNESSES:-model npz idx resume feedback})

# The sanitizers' options of the build (CMake writes them).
if [[ -f "$BUILD/sanitizer.env" ]]; then
  while IFS= read -r line; do
    [[ -n "$line" ]] && export "$line"
  done <"$BUILD/sanitizer.env"
fi

# The longest input each harness takes (its seeds fit), and the time one
# execution may take before it counts as a hang.
max_len() {
  case $1 in
    model) echo 4096 ;; npz) echo 8192 ;; idx) echo 1024 ;;
    resume) echo 16384 ;; feedback) echo 4096 ;;
  esac
}

status=0
rows=()
for h in "${HARNESSES[@]}"; do
  fuzzer="$BUILD/test/fuzz/fuzz-$h"
  if [[ ! -x "$fuzzer" ]]; then
    echo "fuzz: no $fuzzer (configure with -DCCRNN_FUZZ=ON and build the target ccrnn-fuzzers)" >&2
    exit 2
  fi
  work="$BUILD/fuzz/$h"
  mkdir -p "$work/corpus"
  seeds=("$ROOT/test/fuzz/corpus/$h")
  [[ -d "$ROOT/test/fuzz/regressions/$h" ]] && seeds+=("$ROOT/test/fuzz/regressions/$h")
  log="$work/fuzz.log"
  rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
  set +e
  # -close_fd_mask=1: the harnesses' stdout (nothing useful) is closed;
  # stderr keeps the sanitizers' reports.
  "$fuzzer" "$work/corpus" "${seeds[@]}" -max_total_time="$SECONDS_EACH" \
    -max_len="$(max_len "$h")" -timeout=25 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" -print_final_stats=1 -close_fd_mask=1 \
    >"$log" 2>&1
  rc=$?
  set -e
  stat() { grep -oE "^stat::$1: *[0-9]+" "$log" | grep -oE '[0-9]+$' | tail -1 || true; }
  runs=$(stat number_of_executed_units); runs=${runs:-0}
  rate=$(stat average_exec_per_sec); rate=${rate:-0}
  corpus=$(find "$work/corpus" -type f | wc -l)
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  crashes=$(printf '%s' "$found" | grep -c . || true)
  if ((rc != 0 && crashes == 0)); then
    crashes=1 # died without leaving an input (see the log)
  fi
  rows+=("$(printf '%-9s %7s %12s %9s %7s %8s' "$h" "$SECONDS_EACH" "$runs" "$rate" "$corpus" "$crashes")")
  if ((crashes > 0)); then
    status=1
    echo "fuzz: $h: exit status $rc; log: $log" >&2
    grep -E "^(==[0-9]+==ERROR|SUMMARY|ccrnn-fuzz:|.*runtime error)" "$log" | head -5 >&2 || true
    for f in $found; do
      echo "fuzz: $h: input left at $f (replay: $BUILD/test/fuzz/ccrnn-fuzz-replay --harness $h $f)" >&2
    done
  fi
done

printf '%-9s %7s %12s %9s %7s %8s\n' harness seconds executions exec/s corpus crashes
printf '%s\n' "${rows[@]}"
exit "$status"
