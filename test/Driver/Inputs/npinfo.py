"""Describes .npy and .npz files for the ccrnn-train tests, without numpy.

  npinfo.py FILE...
      One line per array (an .npz's members in name order): NAME DTYPE
      [SHAPE] and how many values are finite, e.g.
      "scores.npy f8 [2, 2, 2, 3] finite 24/24".

parse() and load() also serve npcompare.py.
"""

import ast
import math
import os
import struct
import sys
import zipfile

FORMATS = {"f4": "f", "f8": "d", "i8": "q", "i4": "i", "u1": "B"}


def parse(data, name="array"):
    """The dtype, shape and values of the bytes of one .npy file."""
    assert data[:6] == b"\x93NUMPY", name
    if data[6] == 1:
        length, start = struct.unpack("<H", data[8:10])[0], 10
    else:
        length, start = struct.unpack("<I", data[8:12])[0], 12
    header = ast.literal_eval(data[start:start + length].decode("latin1"))
    dtype = header["descr"][1:]
    count = 1
    for size in header["shape"]:
        count *= size
    values = struct.unpack("<%d%s" % (count, FORMATS[dtype]),
                           data[start + length:])
    return dtype, list(header["shape"]), values


def load(path):
    """{name: (dtype, shape, values)}: an .npz's members, or one .npy under
    its file name."""
    if path.endswith(".npz"):
        with zipfile.ZipFile(path) as archive:
            return {m[:-len(".npy")]: parse(archive.read(m), m)
                    for m in archive.namelist()}
    with open(path, "rb") as f:
        return {os.path.basename(path): parse(f.read(), path)}


if __name__ == "__main__":
    for path in sys.argv[1:]:
        for name, (dtype, shape, values) in sorted(load(path).items()):
            finite = sum(1 for v in values if math.isfinite(v))
            print(name, dtype, shape, "finite %d/%d" % (finite, len(values)))
