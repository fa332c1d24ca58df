"""Writes a tiny COCO-format data set into DIR: three generated images of
different sizes and modes (RGB, grayscale, RGBA) and captions.json."""
import json
import os
import sys

from PIL import Image

out = sys.argv[1]
os.makedirs(os.path.join(out, "images"), exist_ok=True)
specs = [(7, "a.png", "RGB", (64, 48)), (3, "b.jpg", "L", (300, 200)),
         (12, "c.png", "RGBA", (256, 256))]
for image_id, name, mode, size in specs:
    image = Image.new(mode, size)
    image.putdata([(x * 7 + image_id) % 256 if mode == "L" else
                   tuple((x * (k + 3) + image_id) % 256 for k in range(len(mode)))
                   for x in range(size[0] * size[1])])
    image.save(os.path.join(out, "images", name))
with open(os.path.join(out, "captions.json"), "w") as f:
    json.dump({"images": [{"id": i, "file_name": n} for i, n, _, _ in specs],
               "annotations": [{"id": 1, "image_id": 7, "caption": "a test"}]},
              f)
