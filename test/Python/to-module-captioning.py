# ccrnn.torch.to_module of a captioning checkpoint (encoder., decoder.): a
# CaptionModel whose state_dict is the checkpoint (the batch norm's count
# int64) and whose greedy captions of the validation images are the run's
# examples (seed<S>_<model>_examples.txt), for the cRNN and the ccRNN.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../Driver/Inputs/make_caption_fixture.py %t/data
# RUN: ccrnn-train --quiet --task captioning --model lstm,dni_lstm --bptt 3 --batch-size 4 --epochs 2 --seeds 1 --captions %t/data/train.json --features %t/data/train.features.npy --feature-ids %t/data/train.ids.npy --val-captions %t/data/val.json --val-features %t/data/val.features.npy --val-feature-ids %t/data/val.ids.npy --min-length 5 --max-length 6 --decode-steps 6 --examples 5 --out %t/run --cache-dir %t/cache
# RUN: %pyccrnn %s %t/run %t/data | FileCheck %s
# CHECK: lstm: CaptionModel (LSTM), state_dict is the checkpoint, 5 of 5 examples decoded alike
# CHECK-NEXT: dni_lstm: CaptionModel (DNI), state_dict is the checkpoint, 5 of 5 examples decoded alike
import os
import re
import sys

import numpy as np
import torch

import ccrnn
import ccrnn.torch

run_dir, data_dir = sys.argv[1], sys.argv[2]
run = ccrnn.load_run(run_dir)
vocab = open(os.path.join(run_dir, "vocabulary.txt")).read().split("\n")
features = np.load(os.path.join(data_dir, "val.features.npy"))
ids = list(np.load(os.path.join(data_dir, "val.ids.npy")))
steps = run.config["task"]["decode_steps"]
for model in run.models:
    state = run.checkpoint(0, model)
    module = ccrnn.torch.to_module(state)
    same = sorted(module.state_dict()) == sorted(state) and all(
        np.array_equal(v.numpy(), state[k])
        for k, v in module.state_dict().items())
    text = open(os.path.join(run_dir, "seed0_%s_examples.txt" % model)).read()
    examples = re.findall(r"image (\d+)\n  decoded: *(.*)\n", text)
    alike = 0
    for image, decoded in examples:
        row = torch.from_numpy(features[ids.index(int(image))][None])
        with torch.no_grad():
            words = [vocab[i] for i in module.decode(row, steps)[0]]
        words = words[1:] if words[0] == "<start>" else words
        caption = " ".join(words[:words.index("<end>")] if "<end>" in words
                           else words)
        alike += caption == decoded.strip()
    print("%s: %s (%s), state_dict %s, %d of %d examples decoded alike" % (
        model, type(module).__name__, type(module.decoder.rnn).__name__,
        "is the checkpoint" if same else "DIFFERS", alike, len(examples)))
