"""The optimizer of SPEC §3 as ccrnn-train applies it: clipping of the
global gradient norm, weight decay, then the update (the driver's own
code, so a Python loop gets ccrnn-train's bits)."""
import numpy as np

from . import _capi
from ._arrays import param_pointers

KINDS = ("adam", "rmsprop", "sgd", "adamax", "adagrad", "adadelta")


class Optimizer:
    """An optimizer of a trainer's parameters, with ccrnn-train's defaults
    (Adam, lr 1e-3, clipping at norm 1, no weight decay).

        opt = ccrnn.Optimizer(trainer, lr=1e-3)
        opt.step(params, grads)   # params updated in place
    """

    def __init__(self, trainer, kind="adam", lr=1e-3, clip=1.0, l2=0.0):
        if kind not in KINDS:
            raise ValueError("kind: expected one of %s, got %r" %
                             (", ".join(KINDS), kind))
        for name, value in (("lr", lr), ("clip", clip), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(
                    value, (int, float, np.floating, np.integer)):
                raise TypeError("%s: expected a number, got %r" %
                                (name, value))
        if not lr > 0:
            raise ValueError("lr: expected a positive number, got %r" % (lr,))
        if not clip >= 0 or not l2 >= 0:
            raise ValueError("clip and l2: expected numbers >= 0, got %r and "
                             "%r" % (clip, l2))
        self._names = trainer.param_names
        self._shapes = trainer.param_shapes
        self._groups = trainer.param_groups
        self.kind, self.clip, self.l2 = kind, float(clip), float(l2)
        sizes = (_capi.c_int64 * len(self._names))(
            *[int(np.prod(s)) for s in self._shapes.values()])
        lib = _capi.lib()
        self._ptr = _capi.check(lib.ccrnn_optimizer_new(
            kind.encode(), float(lr), len(self._names), sizes))
        self._free = lib.ccrnn_optimizer_free

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._free(self._ptr)

    @property
    def lr(self):
        return _capi.lib().ccrnn_optimizer_lr(self._ptr)

    @lr.setter
    def lr(self, value):
        if not value > 0:
            raise ValueError("lr: expected a positive number, got %r" %
                             (value,))
        _capi.lib().ccrnn_optimizer_set_lr(self._ptr, float(value))

    @property
    def steps(self):
        """Updates made so far."""
        return _capi.lib().ccrnn_optimizer_steps(self._ptr)

    def step(self, params, grads, frozen=()):
        """One update of `params` (in place) from `grads`, leaving alone the
        parameters named in `frozen` (or "synthesizer": the cerebellum's,
        as ccrnn-train's lesions do). With l2 == 0 `grads` is not changed;
        otherwise it is clipped and decayed in place. Returns the gradients'
        norm before clipping."""
        p = param_pointers("params", params, self._names, self._shapes,
                           writable=True)
        g = param_pointers("grads", grads, self._names, self._shapes,
                           writable=self.l2 != 0)
        mask = None
        if frozen:
            if frozen == "synthesizer":
                frozen = [n for n in self._names
                          if self._groups[n] == "synthesizer"]
            unknown = [n for n in frozen if n not in self._shapes]
            if unknown:
                raise ValueError("frozen: unknown %s (the model's parameters: "
                                 "%s)" % (", ".join(map(str, unknown)),
                                          ", ".join(self._names)))
            mask = (_capi.c_uint8 * len(self._names))(
                *[n in frozen for n in self._names])
        norm = _capi.c_double()
        _capi.check(_capi.lib().ccrnn_optimizer_step(
            self._ptr, p, g, mask,
            self.clip, self.l2, _capi.ctypes.byref(norm)))
        return norm.value


class PlateauScheduler:
    """ccrnn-train's --decay-lr (torch.optim.lr_scheduler.ReduceLROnPlateau,
    mode min, relative threshold 1e-4): after each epoch, step(val_loss,
    optimizer) sets the optimizer's learning rate for the next epoch,
    multiplied by `factor` once the loss has not improved for more than
    `patience` epochs."""

    def __init__(self, factor=0.1, patience=10):
        for name, value in (("factor", factor), ("patience", patience)):
            if isinstance(value, bool) or not isinstance(
                    value, (int, float, np.floating, np.integer)):
                raise TypeError("%s: expected a number, got %r" %
                                (name, value))
        if int(patience) != patience:
            raise TypeError("patience: expected an integer, got %r" %
                            (patience,))
        lib = _capi.lib()
        self._ptr = _capi.check(lib.ccrnn_plateau_new(float(factor),
                                                      int(patience)))
        self._free = lib.ccrnn_plateau_free

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._free(self._ptr)

    def step(self, loss, optimizer):
        """Updates optimizer.lr after an epoch that ended with validation
        loss `loss`; returns the new learning rate."""
        if not isinstance(optimizer, Optimizer):
            raise TypeError("optimizer: expected a ccrnn.Optimizer, got %s" %
                            type(optimizer).__name__)
        lr = _capi.lib().ccrnn_plateau_step(self._ptr, float(loss),
                                            optimizer.lr)
        optimizer.lr = lr
        return lr
