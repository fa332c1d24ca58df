"""A run of ccrnn-train read back: every file it writes (UserGuide, Files),
with the scores as a labelled array."""
import glob
import json
import os
import re

import numpy as np


class RunError(Exception):
    """A directory that is not a ccrnn run, or a file of it that cannot be
    read."""


class Labelled:
    """A numpy array with named axes and a label per index (an xarray-like
    view without the dependency). `sel(model="dni_lstm", metric="val_loss")`
    picks by label; the axes not picked stay, in order."""

    def __init__(self, values, dims, coords):
        self.values = values
        self.dims = tuple(dims)
        self.coords = {d: list(coords[d]) for d in dims}
        for d, n in zip(self.dims, values.shape):
            if len(self.coords[d]) != n:
                raise RunError("axis %s has %d labels for %d entries" %
                               (d, len(self.coords[d]), n))

    @property
    def shape(self):
        return self.values.shape

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def __repr__(self):
        return "<ccrnn.Labelled %s>" % ", ".join(
            "%s: %d" % (d, n) for d, n in zip(self.dims, self.shape))

    def index(self, dim, label):
        if dim not in self.coords:
            raise KeyError("no axis %r (the axes: %s)" %
                           (dim, ", ".join(self.dims)))
        labels = self.coords[dim]
        if label not in labels:
            raise KeyError("%s %r is not in this run (%s)" %
                           (dim, label, ", ".join(map(str, labels))))
        return labels.index(label)

    def sel(self, **picks):
        """The values at the given labels; a Labelled while axes remain."""
        index = []
        dims = []
        for d in self.dims:
            if d in picks:
                index.append(self.index(d, picks[d]))
            else:
                index.append(slice(None))
                dims.append(d)
        unknown = set(picks) - set(self.dims)
        if unknown:
            raise KeyError("no axis %s (the axes: %s)" %
                           (", ".join(sorted(unknown)), ", ".join(self.dims)))
        values = self.values[tuple(index)]
        if not dims:
            return values
        return Labelled(values, dims, {d: self.coords[d] for d in dims})


def _json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise RunError("cannot read %s: %s" % (path, e)) from None


def _npz(path):
    """Every array of an .npz, read now (the file is closed)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError) as e:
        raise RunError("cannot read %s: %s" % (path, e)) from None


_CHECKPOINT = re.compile(r"^seed(\d+)_(.+)_(final|best)\.npz$")
_FEEDBACK = re.compile(r"^feedback_seed(\d+)_(.+)\.npz$")


class Run:
    """One run directory of ccrnn-train (a sweep's points are runs too):

    meta, config   meta.json, and its settings ("task", "training",
                   "model_sizes", "controls", "seeds")
    scores         Labelled (seed, model, metric, epoch), from scores.npy
    checkpoint(seed, model, which="final")   parameters by name
    trainer(model) the trainer it was trained with (ccrnn.Trainer)
    trajectories   trajectories.npz (drawing tasks; None otherwise)
    feedback(seed, model)   feedback_seed<S>_<model>.npz (--record-grads)
    shard, resume  shard.npz and resume.npz when the run has them
    plots          the .png files written
    """

    def __init__(self, path):
        if not os.path.isdir(path):
            raise RunError("%s: not a directory" % path)
        self.path = path
        meta_path = os.path.join(path, "meta.json")
        if not os.path.exists(meta_path):
            raise RunError("%s: no meta.json (not a ccrnn-train run "
                           "directory)" % path)
        self.meta = _json(meta_path)
        self.status = self.meta.get("status")
        self.seeds = list(self.meta["seeds"])
        self.models = [m["name"] for m in self.meta["models"]]
        self.metrics = list(self.meta["metrics"])
        self.test_metrics = list(self.meta.get("test_metrics", []))
        self.config = {k: self.meta[k] for k in
                       ("task", "training", "model_sizes", "controls",
                        "seeds") if k in self.meta}
        self.results = self.meta.get("results", [])
        scores_path = os.path.join(path, "scores.npy")
        if not os.path.exists(scores_path):
            raise RunError("%s: no scores.npy (status %s)" %
                           (path, self.status))
        try:
            values = np.load(scores_path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise RunError("cannot read %s: %s" % (scores_path, e)) from None
        if values.ndim != 4:
            raise RunError("%s: expected (seeds, models, metrics, epochs), "
                           "got shape %s" % (scores_path, values.shape))
        self.epochs = list(range(1, values.shape[3] + 1))
        self.scores = Labelled(values, ("seed", "model", "metric", "epoch"),
                               {"seed": self.seeds, "model": self.models,
                                "metric": self.metrics,
                                "epoch": self.epochs})
        self.checkpoints = {}
        self.feedback_files = {}
        for f in sorted(os.listdir(path)):
            m = _CHECKPOINT.match(f)
            if m:
                key = (int(m.group(1)), m.group(2), m.group(3))
                self.checkpoints[key] = os.path.join(path, f)
            m = _FEEDBACK.match(f)
            if m:
                key = (int(m.group(1)), m.group(2))
                self.feedback_files[key] = os.path.join(path, f)
        self.plots = sorted(glob.glob(os.path.join(path, "*.png")))
        self._trajectories = self._optional("trajectories.npz")
        self._shard = self._optional("shard.npz")
        self._resume = self._optional("resume.npz")

    def _optional(self, name):
        p = os.path.join(self.path, name)
        return p if os.path.exists(p) else None

    def __repr__(self):
        return "<ccrnn.Run %s: %s, %d seeds, models %s, %d epochs>" % (
            self.path, self.status, len(self.seeds), ", ".join(self.models),
            len(self.epochs))

    def series(self, model, metric):
        """[seeds, epochs] of one score of one model."""
        return self.scores.sel(model=model, metric=metric).values

    def checkpoint(self, seed, model, which="final"):
        """The parameters of (seed, model) after the last epoch ("final") or
        at the best validation loss ("best"): float32 arrays by the SPEC §7
        names."""
        key = (seed, model, which)
        if key not in self.checkpoints:
            raise RunError("%s has no %s checkpoint of seed %s, model %s "
                           "(it has %s)" % (self.path, which, seed, model,
                                            ", ".join("%s/%s/%s" % k for k in
                                                      self.checkpoints)
                                            or "none"))
        return _npz(self.checkpoints[key])

    @property
    def trajectories(self):
        """trajectories.npz: the mean drawn line per class ("pred/<model>",
        "per_seed/<model>", "target", "classes"); None when the task draws
        none."""
        return None if self._trajectories is None else _npz(self._trajectories)

    def feedback(self, seed, model):
        """The feedback recorded by --record-grads for (seed, model)."""
        key = (seed, model)
        if key not in self.feedback_files:
            raise RunError("%s has no feedback of seed %s, model %s (trained "
                           "without --record-grads?)" % (self.path, seed,
                                                         model))
        return _npz(self.feedback_files[key])

    @property
    def shard(self):
        """shard.npz of a --shard run (None otherwise)."""
        return None if self._shard is None else _npz(self._shard)

    @property
    def resume(self):
        """resume.npz of an unfinished run (None once complete)."""
        return None if self._resume is None else _npz(self._resume)

    def trainer(self, model):
        """The trainer `model` was trained with (its file and pipeline
        options from meta.json), through ccrnn.compile's session."""
        from .trainer import compile_pipeline
        for m in self.meta["models"]:
            if m["name"] == model:
                options = " ".join(x for x in (m.get("configure"),
                                               m["options"]) if x)
                # A bundled model by its name: the bundled trainer when
                # the run had it.
                model_ref = m["name"] if m.get("trainer") == "bundled" \
                    else m["file"]
                return compile_pipeline(model_ref, options,
                                        self.config["training"].get(
                                            "device", "cpu"))
        raise RunError("%s has no model %s (it has %s)" %
                       (self.path, model, ", ".join(self.models)))

    def result(self, seed, model):
        """meta.json's result object of (seed, model)."""
        for r in self.results:
            if r["seed"] == seed and r["model"] == model:
                return r
        raise RunError("%s has no result of seed %s, model %s" %
                       (self.path, seed, model))

    def plot(self, metric="val_loss", ax=None):
        """The learning curves of `metric`: mean ± SEM over seeds per model,
        with matplotlib (an optional dependency). Returns the axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise RunError("plot() needs matplotlib (Debian: "
                           "python3-matplotlib)") from None
        values = self.scores.sel(metric=metric)
        if ax is None:
            ax = plt.figure().gca()
        for model in self.models:
            v = values.sel(model=model).values  # [seeds, epochs]
            finite = ~np.isnan(v)
            n = finite.sum(axis=0)
            mean = np.where(n > 0, np.nansum(v, axis=0) / np.maximum(n, 1),
                            np.nan)
            # SEM: the sample deviation over sqrt(n), 0 for one seed.
            dev = np.where(finite, v - mean, 0.0)
            sem = np.where(n > 1, np.sqrt((dev ** 2).sum(axis=0) /
                                          np.maximum(n - 1, 1) /
                                          np.maximum(n, 1)), 0.0)
            ax.plot(self.epochs, mean, label=model)
            ax.fill_between(self.epochs, mean - sem, mean + sem, alpha=0.3)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        if "loss" in metric or "dysmetria" in metric:
            ax.set_yscale("log")
        ax.legend()
        return ax


class Sweep:
    """A sweep's directory (sweep.json): its points as runs and the scores
    as Labelled (point, seed, model, metric, epoch)."""

    def __init__(self, path):
        self.path = path
        self.meta = _json(os.path.join(path, "sweep.json"))
        self.status = self.meta.get("status")
        self.axes = self.meta.get("axes")
        self.points = [Run(os.path.join(path, p["dir"]))
                       for p in self.meta["points"]]
        self.point_names = [p["dir"] for p in self.meta["points"]]
        self.values = [p["values"] for p in self.meta["points"]]
        try:
            values = np.load(os.path.join(path, "scores.npy"),
                             allow_pickle=False)
        except (OSError, ValueError) as e:
            raise RunError("cannot read %s/scores.npy: %s" % (path, e)) \
                from None
        first = self.points[0]
        self.scores = Labelled(
            values, ("point", "seed", "model", "metric", "epoch"),
            {"point": self.point_names, "seed": first.seeds,
             "model": first.models, "metric": first.metrics,
             "epoch": first.epochs})
        self.plots = sorted(glob.glob(os.path.join(path, "*.png")))

    def __repr__(self):
        return "<ccrnn.Sweep %s: %s, points %s>" % (
            self.path, self.status, ", ".join(self.point_names))

    def point(self, **values):
        """The run of the point with these swept values (bptt=3)."""
        for v, run in zip(self.values, self.points):
            if all(v.get(k) == x for k, x in values.items()):
                return run
        raise RunError("%s has no point %s (its points: %s)" %
                       (self.path, values, ", ".join(self.point_names)))


def load_run(path):
    """The run (Run) or sweep (Sweep) that ccrnn-train wrote in `path`."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError("path: expected a directory path, got %r" % (path,))
    path = os.fspath(path)
    if os.path.exists(os.path.join(path, "sweep.json")):
        return Sweep(path)
    return Run(path)
