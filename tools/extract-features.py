#!/usr/bin/env python3
"""Image features for ccrnn's captioning task, from COCO-format data.

  tools/extract-features.py --captions captions_train2014.json \\
      --images train2014/ --weights resnet152.pth \\
      --features train.features.npy --ids train.ids.npy

For every image of the annotation file ("images": id, file_name, in file
order), the pooled output of ResNet-152 (2048 floats, the layer before its
classifier, as the reference's EncoderCNN uses it): --features gets them as
an [N, 2048] float32 .npy, --ids the image ids of its rows as an [N] int64
.npy -- the two files ccrnn reads with the annotation file.

Preprocessing as the reference's: each image resized to 256 x 256
(resize.py), converted to RGB, normalized with the ImageNet mean and
deviation, and fed whole (its validation transform: no crop, no flip).

Weights: --weights names a torchvision ResNet-152 state dict (.pth) the user
downloaded; nothing is fetched. --random-weights (with --seed) uses an
untrained network instead: for testing shapes and files only, its features
describe nothing.

Needs PyTorch and torchvision (Debian: python3-torchvision). Writes nothing
unless every image was read: each output is written to a temporary file in
its directory and renamed. Exit status 2 on bad input, with one line saying
what was expected.
"""

import argparse
import json
import os
import sys
import tempfile

PROG = "extract-features"


def fail(message):
    sys.stderr.write("%s: %s\n" % (PROG, message))
    sys.exit(2)


def read_images(path):
    """The (id, file_name) of every image of a COCO annotation file."""
    try:
        with open(path, "rb") as f:
            data = json.load(f)
    except OSError as e:
        fail("%s: cannot read the annotation file: %s" % (path, e.strerror))
    except ValueError as e:
        fail("%s: not valid JSON (%s)" % (path, e))
    images = data.get("images") if isinstance(data, dict) else None
    if not isinstance(images, list) or not images:
        fail("%s: expected a COCO annotation object with a non-empty "
             "\"images\" list" % path)
    result, seen = [], set()
    for i, image in enumerate(images):
        if (not isinstance(image, dict) or
                not isinstance(image.get("id"), int) or
                isinstance(image.get("id"), bool) or
                not isinstance(image.get("file_name"), str)):
            fail("%s: images[%d]: expected an object with an integer \"id\" "
                 "and a string \"file_name\"" % (path, i))
        if image["id"] in seen:
            fail("%s: images[%d]: image id %d appears twice" %
                 (path, i, image["id"]))
        seen.add(image["id"])
        result.append((image["id"], image["file_name"]))
    return result


def save_atomically(path, array, numpy):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp-",
                                     dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            numpy.save(f, array)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main():
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--captions", required=True,
                        help="COCO annotation JSON (its \"images\" list)")
    parser.add_argument("--images", required=True,
                        help="directory holding the images' file_name")
    parser.add_argument("--features", required=True,
                        help="output: [N, 2048] float32 .npy")
    parser.add_argument("--ids", required=True,
                        help="output: [N] int64 .npy of the rows' image ids")
    weights = parser.add_mutually_exclusive_group(required=True)
    weights.add_argument("--weights", help="torchvision ResNet-152 state dict")
    weights.add_argument("--random-weights", action="store_true",
                         help="an untrained network (tests only)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of --random-weights (default 0)")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="images per forward pass (default 32)")
    args = parser.parse_args()
    if args.batch_size < 1:
        fail("--batch-size: expected a positive number, got %d" %
             args.batch_size)

    images = read_images(args.captions)
    if not os.path.isdir(args.images):
        fail("--images %s: not a directory" % args.images)
    paths = []
    for image_id, name in images:
        path = os.path.join(args.images, name)
        if not os.path.isfile(path):
            fail("%s: image %d's file %s is missing" %
                 (args.captions, image_id, path))
        paths.append(path)
    for output in (args.features, args.ids):
        if not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            fail("%s: its directory does not exist" % output)

    try:
        import numpy
        import torch
        import torchvision
        from PIL import Image
    except ImportError as e:
        fail("needs PyTorch, torchvision and Pillow (Debian: "
             "python3-torchvision): %s" % e)

    torch.manual_seed(args.seed)
    network = torchvision.models.resnet152()
    if args.weights:
        try:
            state = torch.load(args.weights, map_location="cpu")
            network.load_state_dict(state)
        except Exception as e:  # unpickling, shapes, keys: all one error
            fail("--weights %s: not a ResNet-152 state dict: %s" %
                 (args.weights, (str(e).splitlines() or [type(e).__name__])[0]))
    # Everything but the classifier: the pooled [N, 2048, 1, 1] output.
    encoder = torch.nn.Sequential(*list(network.children())[:-1]).eval()
    transform = torchvision.transforms.Compose([
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize((0.485, 0.456, 0.406),
                                         (0.229, 0.224, 0.225))])

    rows = []
    with torch.no_grad():
        for start in range(0, len(paths), args.batch_size):
            batch = []
            for path in paths[start:start + args.batch_size]:
                try:
                    with Image.open(path) as image:
                        image = image.convert("RGB").resize((256, 256),
                                                            Image.LANCZOS)
                except OSError as e:
                    fail("%s: not an image Pillow can read: %s" % (path, e))
                batch.append(transform(image))
            features = encoder(torch.stack(batch)).reshape(len(batch), -1)
            rows.append(features.numpy().astype(numpy.float32))
            sys.stderr.write("\r%s: %d/%d images" %
                             (PROG, start + len(batch), len(paths)))
    sys.stderr.write("\n")
    save_atomically(args.features, numpy.concatenate(rows), numpy)
    save_atomically(args.ids,
                    numpy.array([i for i, _ in images], dtype=numpy.int64),
                    numpy)


if __name__ == "__main__":
    main()
