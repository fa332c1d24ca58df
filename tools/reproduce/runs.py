"""A finished ccrnn-train run read back: meta.json and scores.npy."""
import json
import os

import numpy as np


class RunError(Exception):
    pass


class Run:
    """One run directory (not a sweep's top level: one of its bptt=<T>/)."""

    def __init__(self, path):
        self.path = path
        try:
            with open(os.path.join(path, "meta.json")) as f:
                self.meta = json.load(f)
            self.scores = np.load(os.path.join(path, "scores.npy"))
        except FileNotFoundError as e:
            raise RunError("no finished run in %s (%s is missing; train it "
                           "without --report-only)" % (path, os.path.basename(e.filename)))
        except (OSError, ValueError) as e:
            raise RunError("cannot read the run in %s: %s" % (path, e))
        self.models = [m["name"] for m in self.meta["models"]]
        self.metrics = list(self.meta["metrics"])
        self.seeds = list(self.meta["seeds"])

    def series(self, model, metric):
        """[seeds, epochs] of one score of one model."""
        if model not in self.models:
            raise RunError("%s has no model %s (it has %s)" %
                           (self.path, model, ", ".join(self.models)))
        if metric not in self.metrics:
            raise RunError("%s has no score %s (it has %s)" %
                           (self.path, metric, ", ".join(self.metrics)))
        return self.scores[:, self.models.index(model), self.metrics.index(metric), :]

    def results(self, model):
        """The per-seed result objects of meta.json for `model`, by seed."""
        return {r["seed"]: r for r in self.meta["results"]
                if r["model"] == model and r.get("finished")}


def sweep_points(path):
    """bptt value -> Run of a --bptt sweep's directory."""
    out = {}
    for name in os.listdir(path):
        if name.startswith("bptt="):
            out[int(name[5:])] = Run(os.path.join(path, name))
    if not out:
        raise RunError("%s holds no bptt=<T> run (not a --bptt sweep)" % path)
    return out
