#!/usr/bin/env bash
# Reproduces a figure of the papers: tools/reproduce.sh FIGURE [--quick]
# (tools/reproduce/reproduce.py; --help, --list). Needs python3 with numpy
# and SciPy, gnuplot (tools/install-deps.sh) and a built ccrnn-train.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}
# Debian's python3 has numpy and SciPy (tools/install-deps.sh); a python3
# earlier on PATH may not.
if ! "$PYTHON" -c 'import numpy, scipy' 2>/dev/null && [[ -x /usr/bin/python3 ]]; then
  PYTHON=/usr/bin/python3
fi
exec "$PYTHON" "$HERE/reproduce/reproduce.py" "$@"
