"""Compares the arrays of ccrnn-train's files for the tests, without numpy.

  npcompare.py same A.npz B.npz
      One line per member of both, in name order: NAME equal|differs.
  npcompare.py epochs A.npy B.npy MODEL METRIC
      Scores (seeds, models, metrics, epochs) of seed 0: one line per epoch,
      "epoch E equal|differs", for model and metric indices.
  npcompare.py rowzeros FILE.npz NAME
      The distinct counts of exact zeros per row of a 2-D member.
"""

import ast
import struct
import sys
import zipfile

FORMATS = {"f4": "f", "f8": "d", "i8": "q", "i4": "i", "u1": "B"}


def parse(data):
    assert data[:6] == b"\x93NUMPY"
    if data[6] == 1:
        length, start = struct.unpack("<H", data[8:10])[0], 10
    else:
        length, start = struct.unpack("<I", data[8:12])[0], 12
    header = ast.literal_eval(data[start:start + length].decode("latin1"))
    count = 1
    for size in header["shape"]:
        count *= size
    values = struct.unpack("<%d%s" % (count, FORMATS[header["descr"][1:]]),
                           data[start + length:])
    return list(header["shape"]), values


def load(path):
    if path.endswith(".npz"):
        with zipfile.ZipFile(path) as archive:
            return {m[:-len(".npy")]: parse(archive.read(m))
                    for m in archive.namelist()}
    with open(path, "rb") as f:
        return {"": parse(f.read())}


def same(a, b):
    # NaN equals NaN here: epochs not trained are NaN in both.
    return all(x == y or (x != x and y != y) for x, y in zip(a, b))


command = sys.argv[1]
if command == "same":
    a, b = load(sys.argv[2]), load(sys.argv[3])
    for name in sorted(set(a) & set(b)):
        print(name, "equal" if same(a[name][1], b[name][1]) else "differs")
elif command == "epochs":
    (shape, a), (_, b) = load(sys.argv[2])[""], load(sys.argv[3])[""]
    model, metric = int(sys.argv[4]), int(sys.argv[5])
    _, models, metrics, epochs = shape
    for e in range(epochs):
        i = (model * metrics + metric) * epochs + e
        print("epoch", e + 1, "equal" if same([a[i]], [b[i]]) else "differs")
elif command == "rowzeros":
    shape, values = load(sys.argv[2])[sys.argv[3]]
    rows, cols = shape
    counts = {sum(1 for v in values[r * cols:(r + 1) * cols] if v == 0)
              for r in range(rows)}
    print(" ".join(str(c) for c in sorted(counts)))
