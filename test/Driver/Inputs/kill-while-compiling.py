"""Starts a command, waits for the compiler it runs to write its pid into
PIDFILE, kills the command with SIGKILL and reports whether the compiler
went with it.   kill-while-compiling.py PIDFILE COMMAND..."""
import os
import signal
import subprocess
import sys
import time

pidfile, command = sys.argv[1], sys.argv[2:]
proc = subprocess.Popen(command)
for _ in range(600):
    if os.path.exists(pidfile) and open(pidfile).read().strip():
        break
    time.sleep(0.05)
else:
    sys.exit("the compiler never started")
compiler = int(open(pidfile).read())
proc.send_signal(signal.SIGKILL)
proc.wait()
for _ in range(100):
    try:
        os.kill(compiler, 0)
    except ProcessLookupError:
        print("compiler gone")
        sys.exit(0)
    time.sleep(0.05)
print("compiler still running")
os.kill(compiler, signal.SIGKILL)
