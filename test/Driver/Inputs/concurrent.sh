#!/bin/sh
# Runs N copies of a command at once and waits for all of them; "{}" in the
# command is replaced by the copy's number (1..N) and each copy's stderr goes
# to <prefix><number>.err. Prints each copy's exit status, in order.
#   concurrent.sh N PREFIX COMMAND...
n=$1; prefix=$2; shift 2
pids=""
i=1
while [ "$i" -le "$n" ]; do
  cmd=""
  for arg in "$@"; do
    cmd="$cmd '$(printf '%s' "$arg" | sed "s/{}/$i/g; s/'/'\\\\''/g")'"
  done
  eval "$cmd" 2> "$prefix$i.err" > /dev/null &
  pids="$pids $!"
  i=$((i + 1))
done
i=1
for pid in $pids; do
  wait "$pid"
  echo "copy $i: exit status $?"
  i=$((i + 1))
done
