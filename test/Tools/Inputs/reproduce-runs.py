"""Writes finished-run fixtures for tools/reproduce.sh --report-only
(reproduce-figures.test): the runs of experiments/fig3-seqmnist.json and
fig8-captioning.json, with scores chosen so that the tables' numbers are
known. Usage: reproduce-runs.py OUT_DIR CAPTION_META"""
import json
import os
import sys

import numpy as np

out, caption_meta = sys.argv[1], sys.argv[2]
SEEDS = [0, 1, 2]
METRICS = ["train_loss", "val_loss"]


def write_run(path, models, scores, bptt, extra=None):
    """scores: [seeds, models, metrics, epochs]."""
    os.makedirs(path, exist_ok=True)
    meta = {"models": [{"name": m} for m in models], "metrics": METRICS,
            "seeds": SEEDS, "training": {"bptt": bptt}, "results": []}
    meta.update(extra or {})
    with open(os.path.join(path, "meta.json"), "w") as f:
        json.dump(meta, f)
    np.save(os.path.join(path, "scores.npy"), np.asarray(scores, dtype=np.float64))


def pair_scores(cRNN, ratio, epochs=2):
    """Per seed: the cRNN's loss (constant over epochs) and the ccRNN's,
    `ratio` times it; validation loss twice the training loss."""
    s = np.zeros((len(SEEDS), 2, len(METRICS), epochs))
    for i in range(len(SEEDS)):
        s[i, 0, 0, :] = cRNN[i]
        s[i, 1, 0, :] = cRNN[i] * ratio[i]
        s[i, :, 1, :] = 2 * s[i, :, 0, :]
    return s


# Drawing sweeps: at T = 1 the ccRNN is at 0.5, 0.6, 0.7 of the cRNN
# (per-seed ratio 0.6 +- 0.058); at T = 3 at 1.0, 1.0, 1.0 (no difference).
for task, scale in (("lines", 1.0), ("digits", 0.01)):
    base = [2 * scale, 3 * scale, 4 * scale]
    write_run(os.path.join(out, task, "bptt=1"), ["lstm", "dni_lstm"],
              pair_scores(base, [0.5, 0.6, 0.7]), 1)
    write_run(os.path.join(out, task, "bptt=3"), ["lstm", "dni_lstm"],
              pair_scores(base, [1.0, 1.0, 1.0]), 3)
    full = pair_scores([scale, scale, scale], [1, 1, 1])[:, :1]
    write_run(os.path.join(out, task + "-full"), ["lstm"], full, 28)
write_run(os.path.join(out, "discrimination"), ["lstm", "dni_lstm"],
          pair_scores([1.0, 1.2, 1.4], [0.5, 0.5, 0.5]), 3)

# A trend over 3 epochs: the cRNN at 1, 2, 4 (each seed the same), the
# ccRNN at half that on seeds 0 and 1 and equal on seed 2.
trend = pair_scores([1.0, 1.0, 1.0], [0.5, 0.5, 1.0], epochs=3)
trend[:, :, :, :] *= np.array([1.0, 2.0, 4.0])
write_run(os.path.join(out, "trend"), ["lstm", "dni_lstm"], trend, 1)

# Captioning: the meta.json fixture of caption-compare.test, with scores.
cap = os.path.join(out, "captioning")
os.makedirs(cap, exist_ok=True)
with open(caption_meta) as f:
    meta = json.load(f)
# Its models a and b named as the experiment's.
names = {"a": "caption_lstm", "b": "caption_dni_lstm"}
meta["models"] = [{"name": names[m["name"]]} for m in meta["models"]]
for r in meta["results"]:
    r["model"] = names[r["model"]]
meta.update({"metrics": METRICS, "seeds": sorted({r["seed"] for r in meta["results"]})})
with open(os.path.join(cap, "meta.json"), "w") as f:
    json.dump(meta, f)
np.save(os.path.join(cap, "scores.npy"),
        np.ones((len(meta["seeds"]), len(meta["models"]), len(METRICS), 1)))
