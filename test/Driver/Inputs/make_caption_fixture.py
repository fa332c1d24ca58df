"""Writes a small COCO-format captioning data set (standard library only).

usage: make_caption_fixture.py DIR

DIR/train.json, DIR/train.features.npy ([12, 5] float32), DIR/train.ids.npy
([12] int64) and the same for val (5 images); each image has three captions
of three words ("red"/"blue" and a rare word). Also the broken inputs of
train-captioning-errors.test: corrupt.json (not JSON), orphan.json (a caption
of an image without a feature row), wide.features.npy / wide.ids.npy (7
features a row), empty.json (no annotations).
"""
import json
import os
import struct
import sys


def npy(path, dtype, shape, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, "".join("%d," % s for s in shape) if len(shape) == 1
        else ", ".join(str(s) for s in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    fmt = {"<f4": "f", "<i8": "q"}[dtype]
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def split(directory, name, images, first_id, width=5, orphan=False):
    data = {"images": [], "annotations": []}
    features, ids = [], []
    annotation = 1
    for i in range(images):
        image = first_id + i
        data["images"].append({"id": image, "file_name": "%d.jpg" % image})
        a, b = ("red", "blue") if i % 2 == 0 else ("blue", "red")
        for caption in ("%s %s %s" % (a, a, b), "%s %s %s." % (a, b, a),
                        "%s %s rare%d" % (a, a, i)):
            data["annotations"].append(
                {"id": annotation, "image_id": image, "caption": caption})
            annotation += 1
        ids.append(image)
        features += [(1.0 if i % 2 == 0 else -1.0) * k / width
                     for k in range(width)]
    if orphan:
        data["images"].append({"id": 999999, "file_name": "x.jpg"})
        data["annotations"].append(
            {"id": annotation, "image_id": 999999, "caption": "red red blue"})
    with open(os.path.join(directory, name + ".json"), "w") as f:
        json.dump(data, f)
    npy(os.path.join(directory, name + ".features.npy"), "<f4",
        (images, width), features)
    npy(os.path.join(directory, name + ".ids.npy"), "<i8", (images,), ids)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    split(d, "train", 12, 100)
    split(d, "val", 5, 900)
    split(d, "wide", 5, 900, width=7)
    split(d, "orphan", 5, 900, orphan=True)
    with open(os.path.join(d, "corrupt.json"), "w") as f:
        f.write('{"images": [')
    with open(os.path.join(d, "empty.json"), "w") as f:
        json.dump({"images": [{"id": 1}], "annotations": []}, f)


main()
