"""Writes small fake MNIST IDX files (standard library only).

usage: fake_mnist.py DIR NTRAIN NTEST [--learnable]

Images of random pixels with labels 0..9 in turn; with --learnable the label
is also written into every row of the image (columns 2*label and 2*label+1
are bright), so that a model reading one row per step can tell the digit
from the first step on and learn within a few epochs. The four files have the standard names.
"""
import random
import struct
import sys
import os


def write(directory, prefix, n, rng, learnable):
    images = bytearray()
    labels = bytearray()
    for i in range(n):
        label = i % 10
        pixels = bytearray(rng.randrange(0, 64) for _ in range(784))
        if learnable:
            for r in range(28):
                pixels[r * 28 + 2 * label] = 255
                pixels[r * 28 + 2 * label + 1] = 255
        images += pixels
        labels.append(label)
    with open(os.path.join(directory, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x00000803, n, 28, 28))
        f.write(images)
    with open(os.path.join(directory, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x00000801, n))
        f.write(labels)


def main():
    directory, ntrain, ntest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    learnable = "--learnable" in sys.argv[4:]
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(1234)
    write(directory, "train", ntrain, rng, learnable)
    write(directory, "t10k", ntest, rng, learnable)


if __name__ == "__main__":
    main()
