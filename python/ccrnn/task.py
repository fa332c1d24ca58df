"""Tasks (SPEC §5): the data ccrnn-train trains and scores a model on, drawn
by the driver's own code, so a Python loop sees ccrnn-train's batches."""
import collections
import json

import numpy as np

from . import _capi
from ._arrays import check_positive, check_seed, param_pointers

Dataset = collections.namedtuple("Dataset", "inputs targets labels")
Dataset.__doc__ = """A data set: inputs [size, steps, input_size] float32,
targets [size, target floats...] float32 and labels [size] int64 (the
class of each sample: the digit, or k + 3 for line drawing's class k; None
when the task has none)."""

_SETS = {"train": 0, "val": 1, "test": 2}


class Task:
    """A task with meta.json's "task" settings (the flags of ccrnn-train's
    Task group, named as meta.json names them: seq_len, input_noise,
    train_size, val_size, test_size; the seqMNIST tasks' dataset,
    input_size, numbers, ...). A setting not given has ccrnn-train's default
    for the task. `batch_size` is the size of the training batches.

        task = ccrnn.Task("linedraw")
        data = task.data(seed=0)
        for inputs, targets in task.batches(data, seed=0, epoch=1): ...
    """

    def __init__(self, name="linedraw", batch_size=50, **settings):
        if not isinstance(name, str):
            raise TypeError("name: expected a task name, got %r" % (name,))
        batch_size = check_positive("batch_size", batch_size)
        settings = dict(settings, name=name)
        try:
            text = json.dumps(settings)
        except TypeError as e:
            raise TypeError("task settings: %s" % e) from None
        lib = _capi.lib()
        self._ptr = _capi.check(lib.ccrnn_task_new(text.encode(),
                                                   int(batch_size)))
        self._free = lib.ccrnn_task_free
        d = json.loads(lib.ccrnn_task_describe(self._ptr).decode())
        self.name = name
        self.batch_size = int(batch_size)
        self.settings = d["settings"]
        self.classifies = d["classifies"]
        self.input_size = d["input_size"]
        self.output_size = d["output_size"]
        self.validation_metrics = d["validation_metrics"]
        self.test_metrics = d["test_metrics"]
        # The scores of an epoch, as scores.npy holds them.
        self.score_names = ["train_loss", "val_loss"] + self.validation_metrics

    @staticmethod
    def default_settings(name):
        """The settings of task `name` with their defaults (a dict)."""
        if not isinstance(name, str):
            raise TypeError("name: expected a task name, got %r" % (name,))
        text = _capi.check(_capi.lib().ccrnn_task_settings(name.encode()))
        return json.loads(text.decode())

    @classmethod
    def from_run(cls, run):
        """The task of a run (ccrnn.load_run(dir)): its settings and batch
        size, as meta.json has them."""
        saved = run.config["task"]
        known = cls.default_settings(saved["name"])
        settings = {k: v for k, v in saved.items() if k in known}
        return cls(batch_size=run.config["training"]["batch_size"],
                   **settings)

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._free(self._ptr)

    def __repr__(self):
        return "<ccrnn.Task %s %s>" % (self.name, self.settings)

    def data(self, seed):
        """The fixed data sets of `seed` (SeedData)."""
        return SeedData(self, check_seed(seed))

    def batches(self, data, seed, epoch):
        """The training batches of `epoch` (from 1) for `seed`, as ccrnn-train
        trains them: (inputs, targets) pairs of new arrays (targets are the
        int64 labels when the task classifies)."""
        if not isinstance(data, SeedData) or data.task is not self:
            raise TypeError("data: expected this task's SeedData "
                            "(task.data(seed))")
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)):
            raise TypeError("epoch: expected an integer, got %r" % (epoch,))
        lib = _capi.lib()
        ptr = _capi.check(lib.ccrnn_task_epoch(self._ptr, data._ptr,
                                               check_seed(seed), int(epoch)))
        try:
            shape = data.shape("val")
            B = self.batch_size
            for b in range(lib.ccrnn_epoch_batches(ptr)):
                inputs = np.empty((B, shape[1], shape[2]), np.float32)
                targets = np.empty((B,) + _target_shape(shape, self.output_size),
                                   np.float32)
                labels = np.empty(B, np.int64) if self.classifies else None
                _capi.check(lib.ccrnn_epoch_gather(
                    ptr, b, inputs.ctypes.data, targets.ctypes.data,
                    None if labels is None else labels.ctypes.data))
                yield inputs, (labels if self.classifies else targets)
        finally:
            lib.ccrnn_epoch_free(ptr)

    def evaluate(self, trainer, params, data, which="val", predictions=False):
        """`params` on data set `which` ("val", "test" or "train") of `data`
        by `trainer`, scored as ccrnn-train scores it: a dict with "loss",
        "accuracy", "uncertainty", "dysmetria" (NaN when not the task's),
        the validation metrics by name and, with `predictions`, every
        sample's predictions."""
        if which not in _SETS:
            raise ValueError("which: expected 'train', 'val' or 'test', got "
                             "%r" % (which,))
        if not isinstance(data, SeedData) or data.task is not self:
            raise TypeError("data: expected this task's SeedData "
                            "(task.data(seed))")
        p = param_pointers("params", params, trainer.param_names,
                           trainer.param_shapes)
        fields = (_capi.c_double * 4)()
        metrics = (_capi.c_double * max(1, len(self.validation_metrics)))()
        size = data.shape(which)[0]
        width = trainer.prediction_shape[1:]
        out = np.empty((size,) + tuple(width), np.float32) \
            if predictions else None
        _capi.check(_capi.lib().ccrnn_evaluate(
            self._ptr, trainer._api_ptr, trainer._handle(),
            p, data._ptr, _SETS[which], fields, metrics,
            None if out is None else out.ctypes.data))
        result = dict(zip(("loss", "accuracy", "uncertainty", "dysmetria"),
                          fields))
        for i, name in enumerate(self.validation_metrics):
            result[name] = metrics[i]
        if predictions:
            result["predictions"] = out
        return result


def _target_shape(shape, outputs):
    """A sample's targets in a data set of `shape` (size, steps, inputs,
    target floats): [steps, outputs] for a sequence, else [floats]."""
    steps, floats = shape[1], shape[3]
    if floats and floats == steps * outputs:
        return (steps, outputs)
    return (floats,)


class SeedData:
    """The fixed data sets of one seed (training, validation, test)."""

    def __init__(self, task, seed):
        self.task, self.seed = task, seed
        lib = _capi.lib()
        self._ptr = _capi.check(lib.ccrnn_task_seed_data(task._ptr, seed))
        self._free = lib.ccrnn_seed_data_free

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._free(self._ptr)

    def shape(self, which):
        """(size, steps, input size, target floats per sample)."""
        return self._shape(which)[0]

    def _shape(self, which):
        shape = (_capi.c_int64 * 4)()
        labelled = _capi.c_int32()
        _capi.check(_capi.lib().ccrnn_dataset_shape(
            self._ptr, _SETS[which], shape, _capi.ctypes.byref(labelled)))
        return tuple(shape), bool(labelled.value)

    def __getitem__(self, which):
        """Data set "train" (empty when the task draws fresh samples every
        epoch), "val" or "test", as new arrays (Dataset)."""
        if which not in _SETS:
            raise KeyError("expected 'train', 'val' or 'test', got %r" %
                           (which,))
        shape, labelled = self._shape(which)
        size = shape[0]
        inputs = np.empty((size, shape[1], shape[2]), np.float32)
        targets = np.empty((size,) + _target_shape(shape, self.task.output_size),
                           np.float32)
        labels = np.empty(size, np.int64) if labelled else None
        _capi.check(_capi.lib().ccrnn_dataset_read(
            self._ptr, _SETS[which], 0, size, inputs.ctypes.data,
            targets.ctypes.data,
            None if labels is None else labels.ctypes.data))
        return Dataset(inputs, targets, labels)
