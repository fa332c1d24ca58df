"""Compares the arrays of ccrnn-train's files for the tests, without numpy.

  npcompare.py same A.npz B.npz
      One line per member of both, in name order: NAME equal|differs.
  npcompare.py epochs A.npy B.npy MODEL METRIC
      Scores (seeds, models, metrics, epochs) of seed 0: one line per epoch,
      "epoch E equal|differs", for model and metric indices.
  npcompare.py rowzeros FILE.npz NAME
      The distinct counts of exact zeros per row of a 2-D member.
"""

import sys

from npinfo import load


def values(path):
    """The values of a one-array .npy file."""
    (_, shape, data), = load(path).values()
    return shape, data


def same(a, b):
    # NaN equals NaN here: epochs not trained are NaN in both.
    return all(x == y or (x != x and y != y) for x, y in zip(a, b))


command = sys.argv[1]
if command == "same":
    a, b = load(sys.argv[2]), load(sys.argv[3])
    for name in sorted(set(a) & set(b)):
        print(name, "equal" if same(a[name][2], b[name][2]) else "differs")
elif command == "epochs":
    (shape, a), (_, b) = values(sys.argv[2]), values(sys.argv[3])
    model, metric = int(sys.argv[4]), int(sys.argv[5])
    _, models, metrics, epochs = shape
    for e in range(epochs):
        i = (model * metrics + metric) * epochs + e
        print("epoch", e + 1, "equal" if same([a[i]], [b[i]]) else "differs")
elif command == "rowzeros":
    _, shape, data = load(sys.argv[2])[sys.argv[3]]
    rows, cols = shape
    counts = {sum(1 for v in data[r * cols:(r + 1) * cols] if v == 0)
              for r in range(rows)}
    print(" ".join(str(c) for c in sorted(counts)))
