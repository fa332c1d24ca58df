#!/usr/bin/env bash
# Compares the trainers two builds of the compiler generate: for each model
# configuration the project bundles or documents (the line-drawing paper
# setting with its lesions and recording, seqMNIST, ensembles, sparse
# fibres), both builds' ccrnn-opt (the whole trainer pipeline) and
# ccrnn-translate (CPU and CUDA), then `cmp` of the trainer programs and of
# the emitted sources. A restructuring of the compiler should leave them
# identical; where an ABI change must touch the emitted code, the diff shows
# the lines it touched.
#
# Usage: tools/compare-trainers.sh OLD_BIN_DIR NEW_BIN_DIR [--diff]
#   e.g. git worktree add /tmp/base <commit> && (cd /tmp/base &&
#        tools/build.sh ccrnn-opt ccrnn-translate);
#        tools/compare-trainers.sh /tmp/base/build/bin build/bin
#   --diff  print the differing lines of every emitted source
# Exit status: 0 all identical; 1 something differs; 2 a tool failed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ $# -lt 2 || $1 == -h || $1 == --help ]]; then
  sed -n '2,17p' "$0"
  [[ $# -lt 2 ]] && exit 2 || exit 0
fi
OLD=$1 NEW=$2 show=0
[[ ${3:-} == --diff ]] && show=1
for dir in "$OLD" "$NEW"; do
  for tool in ccrnn-opt ccrnn-translate; do
    if [[ ! -x $dir/$tool ]]; then
      echo "compare-trainers: $dir/$tool does not exist" >&2
      exit 2
    fi
  done
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

linedraw="bptt=1 interval=2 batch=50 steps=10"
seqmnist="bptt=3 interval=1 batch=50 steps=28"
configs=(
  "lstm|$linedraw" "dni_lstm|$linedraw" "tanh|$linedraw"
  "dni_tanh|$linedraw" "cdni_lstm|$linedraw" "cdni_tanh|$linedraw"
  "dni_lstm|$linedraw cerebellum=off" "dni_lstm|$linedraw cerebellum=frozen"
  "dni_lstm|$linedraw record" "dni_lstm|$linedraw ensemble=3"
  "dni_lstm|$linedraw fibres=4"
  "seqmnist_lstm|$seqmnist" "seqmnist_dni_lstm|$seqmnist"
  "seqmnist_draw_lstm|$seqmnist" "seqmnist_draw_dni_lstm|$seqmnist"
  "seqmnist_dni_lstm|$seqmnist ensemble=4"
)
status=0
i=0
for config in "${configs[@]}"; do
  model=${config%%|*} options=${config#*|}
  for side in old new; do
    bin=$OLD
    [[ $side == new ]] && bin=$NEW
    mkdir -p "$work/$side"
    if ! "$bin/ccrnn-opt" "$ROOT/models/$model.mlir" \
         "--ccrnn-trainer-pipeline=$options" -o "$work/$side/$i.mlir" \
         2> "$work/$side/$i.err"; then
      echo "compare-trainers: $bin/ccrnn-opt failed on $model ($options):" >&2
      sed 's/^/  /' "$work/$side/$i.err" >&2
      exit 2
    fi
    for target in cpp cuda; do
      if ! "$bin/ccrnn-translate" --emit-trainer=$target --trainer-id=t$i \
           "$work/$side/$i.mlir" -o "$work/$side/$i.$target" \
           2> "$work/$side/$i.err"; then
        echo "compare-trainers: $bin/ccrnn-translate failed on $model" \
             "($options, $target):" >&2
        sed 's/^/  /' "$work/$side/$i.err" >&2
        exit 2
      fi
    done
  done
  for kind in mlir cpp cuda; do
    if cmp -s "$work/old/$i.$kind" "$work/new/$i.$kind"; then
      verdict=identical
    else
      lines=$(diff "$work/old/$i.$kind" "$work/new/$i.$kind" | grep -c '^[<>]')
      verdict="DIFFERS ($lines lines)"
      status=1
      if [[ $show == 1 && $kind != mlir ]]; then
        diff "$work/old/$i.$kind" "$work/new/$i.$kind" | sed 's/^/    /'
      fi
    fi
    printf '%-24s %-48s %-5s %s\n' "$model" "$options" "$kind" "$verdict"
  done
  i=$((i + 1))
done
exit $status
