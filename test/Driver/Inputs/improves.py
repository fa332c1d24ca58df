"""Checks that training improved: for every seed, model and metric of a
scores.npy (seeds, models, metrics, epochs), the last epoch's value is below
FACTOR times the first epoch's. Without numpy.

  improves.py SCORES.npy FACTOR [METRICS]

METRICS: comma-separated metric indices to check (default: all), e.g. 0,1
for the losses of a run whose metric 2 is an accuracy.
"""

import ast
import struct
import sys

path, factor = sys.argv[1], float(sys.argv[2])
only = ([int(k) for k in sys.argv[3].split(",")] if len(sys.argv) > 3
        else None)
with open(path, "rb") as f:
    data = f.read()
length = struct.unpack("<H", data[8:10])[0]
header = ast.literal_eval(data[10:10 + length].decode("latin1"))
assert header["descr"] == "<f8" and not header["fortran_order"], header
seeds, models, metrics, epochs = header["shape"]
values = struct.unpack("<%dd" % (seeds * models * metrics * epochs),
                       data[10 + length:])
failed = False
for series in range(seeds * models * metrics):
    if only is not None and series % metrics not in only:
        continue
    first, last = values[series * epochs], values[(series + 1) * epochs - 1]
    verdict = "ok" if last < factor * first else "NOT IMPROVED"
    failed |= verdict != "ok"
    print("series %d: %.4g -> %.4g %s" % (series, first, last, verdict))
sys.exit(1 if failed else 0)
