"""Writes and prints .npz archives for the ccrnn-run tests, without numpy.

  npz.py write OUT.npz NAME=DTYPE:SHAPE:VALUES ...
      DTYPE is f8 or i8, SHAPE like 2x3 (empty for a scalar), VALUES
      comma-separated in C order, or @SEED for deterministic pseudo-random
      values in [-0.5, 0.5).
  npz.py print IN.npz
      One line per array, in name order: NAME DTYPE [SHAPE] VALUES, values
      with 12 significant digits.
"""

import ast
import random
import struct
import sys
import zipfile

FORMATS = {"f8": "d", "i8": "q"}


def npy_bytes(dtype, shape, values):
    header = "{'descr': '<%s', 'fortran_order': False, 'shape': %s, }" % (
        dtype, repr(tuple(shape)))
    # numpy pads the header with spaces so the data starts 64-byte aligned.
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    data = struct.pack("<%d%s" % (len(values), FORMATS[dtype]), *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + \
        header.encode("latin1") + data


def write(path, specs):
    with zipfile.ZipFile(path, "w") as archive:
        for spec in specs:
            name, rest = spec.split("=", 1)
            dtype, shape, values = rest.split(":")
            shape = [int(s) for s in shape.split("x")] if shape else []
            convert = float if dtype == "f8" else int
            if values.startswith("@"):
                count = 1
                for size in shape:
                    count *= size
                rng = random.Random(int(values[1:]))
                values = [rng.random() - 0.5 for _ in range(count)]
            else:
                values = [convert(v) for v in values.split(",")] if values else []
            archive.writestr(name + ".npy", npy_bytes(dtype, shape, values))


def show(path):
    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            data = archive.read(member)
            assert data[:8] in (b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00")
            if data[6] == 1:
                length, start = struct.unpack("<H", data[8:10])[0], 10
            else:
                length, start = struct.unpack("<I", data[8:12])[0], 12
            header = ast.literal_eval(data[start:start + length].decode())
            dtype = header["descr"][1:]
            count = 1
            for size in header["shape"]:
                count *= size
            values = struct.unpack("<%d%s" % (count, FORMATS[dtype]),
                                   data[start + length:])
            print(member[:-len(".npy")], dtype, list(header["shape"]),
                  " ".join("%.12g" % v for v in values))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3:])
    else:
        show(sys.argv[2])
