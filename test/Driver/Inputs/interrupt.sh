#!/bin/sh
# Runs COMMAND and sends it SIGINT as soon as FILE exists (a run's first
# save), as a user's Ctrl-C part-way through would; exits with COMMAND's
# status.
#   interrupt.sh FILE COMMAND...
file=$1; shift
"$@" &
pid=$!
while [ ! -e "$file" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
kill -INT "$pid" 2>/dev/null
wait "$pid"
