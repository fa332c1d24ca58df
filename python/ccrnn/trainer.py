"""Compiled trainers: one model compiled for one batch size, sequence length
and training program (TrainerABI.h), called on numpy arrays in place."""
import collections
import ctypes
import threading
from ctypes import c_char_p

import numpy as np

from . import _capi
from ._arrays import (check_array, check_positive, check_seed,
                      param_pointers)

StepResult = collections.namedtuple("StepResult", "loss grads state")
StepResult.__doc__ = """What Trainer.step returns: the reported loss (a
float), the pre-clip gradient of every parameter (a dict of float32 arrays
by name) and the final recurrent state ([state_size] float32)."""

_session = None
_session_lock = threading.Lock()  # making the session
_session_use = threading.Lock()   # calling it
_threads = 1


def set_threads(threads):
    """The threads of the kernels (ccrnn-train's --threads; 1 by default):
    for the calling thread now and for every thread's first step after.
    Results are bit-identical for the same count."""
    global _threads
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
        raise TypeError("threads: expected an integer, got %r" % (threads,))
    _capi.check(_capi.lib().ccrnn_set_threads(int(threads)))
    _threads = int(threads)


def _default_session():
    """The process's session: ccrnn-train's trainer cache (or
    $CCRNN_CACHE_DIR), its trainers kept loaded."""
    global _session
    with _session_lock:
        if _session is None:
            lib = _capi.lib()
            _session = _capi.check(lib.ccrnn_session_new(
                None, _capi.TOOLS_DIR.encode()))
        return _session


def _options(bptt, interval, batch, steps, extra):
    words = ["bptt=%d" % bptt, "interval=%d" % interval, "batch=%d" % batch,
             "steps=%d" % steps]
    for key, value in extra.items():
        name = key.replace("_", "-")
        if value is True:
            words.append(name)
        elif value is False or value is None:
            continue
        else:
            words.append("%s=%s" % (name, value))
    return " ".join(words)


def compile(model, bptt=1, interval=2, batch=50, steps=10, device="cpu",
            **options):
    """The trainer of `model` (a bundled name such as "dni_lstm", or a path
    to a .mlir file) for the training program of `bptt`, `interval` (the
    feedback interval), `batch` sequences of `steps` steps, through the
    trainer session ccrnn-train uses: its bundled trainer when there is
    one, else the trainer cache's (compiled first when not there).

    More pipeline options by keyword, with "-" written "_": hidden=,
    layers=, synth_width=, loss="xent", predict_last=True,
    cerebellum="frozen", fibres=, record=True (TrainerOptions.h).
    The defaults are ccrnn-train's line-drawing settings."""
    if not isinstance(model, str):
        raise TypeError("model: expected a bundled model's name or a path to "
                        "a .mlir file, got %r" % (model,))
    if device not in ("cpu", "cuda"):
        raise ValueError("device: expected 'cpu' or 'cuda', got %r" % (device,))
    text = _options(check_positive("bptt", bptt),
                    check_positive("interval", interval),
                    check_positive("batch", batch),
                    check_positive("steps", steps), options)
    return compile_pipeline(model, text, device)


def compile_pipeline(model, options, device="cpu"):
    """compile() with the trainer pipeline's option string as it is
    (TrainerOptions.h; a run's meta.json records each model's)."""
    lib = _capi.lib()
    ident = c_char_p()
    session = _default_session()
    # A session is not thread-safe: one compilation or load at a time.
    with _session_use:
        api = _capi.check(lib.ccrnn_session_trainer(
            session, model.encode(), options.encode(), device.encode(),
            ctypes.byref(ident)))
    return Trainer(api, ident.value.decode())


class Trainer:
    """A compiled trainer. Its arrays are numpy arrays handed to the C side
    without copies: parameters and gradients are dicts of float32 arrays by
    the SPEC §7 names, in the trainer's (state_dict) order."""

    def __init__(self, api, ident):
        self._api = api.contents
        self._api_ptr = api
        self.id = ident  # "bundled" or the shared library's path
        d = self._api.desc.contents
        if d.abi_version != _capi.TRAINER_ABI_VERSION:
            raise _capi.CcrnnError("%s: trainer ABI version %d; this package "
                                   "reads %d" % (ident, d.abi_version,
                                                 _capi.TRAINER_ABI_VERSION))
        self._desc = d
        self.model = d.model.decode()
        self.options = d.options.decode()
        self.batch, self.steps = d.batch, d.steps
        self.input_size, self.output_size = d.input_size, d.output_size
        self.has_cerebellum = bool(d.has_cerebellum)
        self.classifies = bool(d.classify)
        self.predict_last = bool(d.predict_last)
        self.state_size = d.state_size
        self.flops_per_batch = d.flops_per_batch
        if d.ensemble != 1:
            raise _capi.CcrnnError(
                "%s: an ensemble trainer (%d networks a call); the Python "
                "package drives one network a call: train seeds one after "
                "the other" % (self.model, d.ensemble))
        if d.vocab:
            raise _capi.CcrnnError(
                "%s: a token model's trainer (captioning) trains one window "
                "at a time; the Python package does not drive it" % self.model)
        self.param_shapes = collections.OrderedDict()
        self.param_groups = {}
        for i in range(d.num_params):
            p = d.params[i]
            shape = tuple(p.shape[j] for j in range(p.rank))
            name = p.name.decode()
            self.param_shapes[name] = shape
            self.param_groups[name] = ("recurrent", "readout", "synthesizer",
                                       "input")[p.group]
        self.param_names = list(self.param_shapes)
        self.fibre_mask_shape = (d.fibre_mask_rows, d.fibre_mask_cols)
        self.input_shape = (d.batch, d.steps, d.input_size)
        if d.classify:
            self.target_shape, self.target_dtype = (d.batch,), np.int64
        elif d.predict_last:
            self.target_shape = (d.batch, d.output_size)
            self.target_dtype = np.float32
        else:
            self.target_shape = (d.batch, d.steps, d.output_size)
            self.target_dtype = np.float32
        self.prediction_shape = (self.target_shape if not d.classify else
                                 (d.batch, d.output_size))
        self._local = threading.local()

    @classmethod
    def load(cls, path):
        """The trainer in the shared library `path`: one built by CMake's
        ccrnn_add_trainer_library, or a cache entry's trainer.so."""
        if not isinstance(path, str):
            raise TypeError("path: expected a str, got %r" % (path,))
        lib = _capi.lib()
        session = _default_session()
        with _session_use:
            api = _capi.check(lib.ccrnn_session_load(session, path.encode()))
        return cls(api, path)

    def __repr__(self):
        return "<ccrnn.Trainer %s (%s) %s>" % (self.model, self.options,
                                               self.id)

    # One instance a thread: its oneDNN primitives run on the stream of
    # the thread that made them, and OpenMP's thread count is the thread's.
    def _handle(self):
        h = getattr(self._local, "handle", None)
        if h is None:
            _capi.check(_capi.lib().ccrnn_set_threads(_threads))
            h = self._api.create()
            if not h:
                raise _capi.CcrnnError("model %s: cannot create its trainer" %
                                       self.model)
            self._local.handle = h
            self._local.owner = _Instance(self._api, h)
        return h

    def init_params(self, seed=0):
        """The initial parameters of `seed`, as ccrnn-train draws them (each
        parameter from its own stream; sparse fibres masked when the trainer
        has them): a dict of float32 arrays by name."""
        seed = check_seed(seed)
        params = collections.OrderedDict(
            (n, np.empty(s, np.float32)) for n, s in self.param_shapes.items())
        _capi.check(_capi.lib().ccrnn_init_params(
            self._api_ptr, seed,
            _capi.float_pointers(list(params.values())), None))
        return params

    def fibre_mask(self, seed=0):
        """The sparse-fibre mask of `seed` ([rows, cols] of 0 and 1), or None
        when the trainer was built without fibres."""
        if not self.fibre_mask_shape[0]:
            return None
        mask = np.empty(self.fibre_mask_shape, np.float32)
        _capi.check(_capi.lib().ccrnn_init_params(
            self._api_ptr, check_seed(seed), None, mask.ctypes.data))
        return mask

    def _check_batch(self, inputs, targets):
        check_array("inputs", inputs, np.float32, self.input_shape)
        check_array("targets", targets, self.target_dtype, self.target_shape)
        if self.classifies and targets.size and (
                targets.min() < 0 or targets.max() >= self.output_size):
            raise ValueError("targets: expected class indices in [0, %d)" %
                             self.output_size)

    def new_grads(self):
        """Gradient arrays to pass to step(grads=...): step writes every
        element, so they start uninitialised."""
        return collections.OrderedDict(
            (n, np.empty(s, np.float32)) for n, s in self.param_shapes.items())

    def step(self, params, inputs, targets, state=None, fibre_mask=None,
             grads=None):
        """One training batch (SPEC §3: truncated BPTT with the synthetic
        gradient at each truncation boundary): its reported loss, the
        pre-clip gradient of every parameter and the final state.

        `inputs` [batch, steps, input_size] float32; `targets` [batch, steps,
        output_size] float32 ([batch, output_size] with predict_last, [batch]
        int64 class indices when classifying); `state` [state_size] float32
        to start from (None: zeros); `fibre_mask` the seed's mask when the
        trainer has sparse fibres (None: all ones); `grads` arrays to write
        the gradients to (new_grads(); None: new ones)."""
        p = param_pointers("params", params, self.param_names,
                           self.param_shapes)
        self._check_batch(inputs, targets)
        if grads is None:
            grads = self.new_grads()
        g = param_pointers("grads", grads, self.param_names, self.param_shapes,
                           writable=True)
        batch = _capi.Batch()
        batch.params = p
        batch.inputs = inputs.ctypes.data
        batch.targets = targets.ctypes.data
        if state is not None:
            check_array("state", state, np.float32, (self.state_size,))
            batch.initial_state = state.ctypes.data
        if fibre_mask is None and self.fibre_mask_shape[0]:
            raise ValueError(
                "fibre_mask: this trainer has sparse fibres (%s); pass the "
                "seed's mask, trainer.fibre_mask(seed) (np.ones for a dense "
                "synthesizer)" % self.options)
        if fibre_mask is not None:
            check_array("fibre_mask", fibre_mask, np.float32,
                        self.fibre_mask_shape)
            batch.fibre_mask = fibre_mask.ctypes.data
        final = np.empty(self.state_size, np.float32)
        loss = self._api.train(self._handle(), ctypes.byref(batch), g,
                               final.ctypes.data)
        return StepResult(float(loss), grads, final)

    def evaluate(self, params, inputs, targets):
        """One batch evaluated from the zero state without the synthesizer:
        (loss, predictions) with predictions [batch, steps, output_size]
        ([batch, output_size] with predict_last or when classifying). A
        whole data set scored as ccrnn-train scores it: Task.evaluate."""
        p = param_pointers("params", params, self.param_names,
                           self.param_shapes)
        self._check_batch(inputs, targets)
        predictions = np.empty(self.prediction_shape, np.float32)
        loss = self._api.eval(self._handle(), p,
                              inputs.ctypes.data, targets.ctypes.data,
                              predictions.ctypes.data)
        return float(loss), predictions


class _Instance:
    """Destroys a thread's trainer instance with the thread's storage."""

    def __init__(self, api, handle):
        self._destroy, self._handle = api.destroy, handle

    def __del__(self):
        self._destroy(self._handle)
