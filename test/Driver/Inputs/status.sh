#!/bin/sh
# Runs a command and prints its exit status after its output, so that a test
# can check both (lit's `not` accepts any failure).
"$@"
echo "exit status $?"
