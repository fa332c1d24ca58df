"""ctypes declarations of the two C interfaces the package binds.

The trainer ABI (include/ccrnn/Runtime/TrainerABI.h, version 5) is what a
compiled trainer exports; the driver's C API (include/ccrnn-c/Driver.h)
is libccrnn_c.so, which the build puts next to this package's _build.py.
ctypes releases the GIL during every foreign call, function pointers
included, so a step in one thread does not stop the others.
"""
import ctypes
import os
from ctypes import (POINTER, Structure, c_char_p, c_double, c_float, c_int32,
                    c_int64, c_uint8, c_uint64, c_void_p)

TRAINER_ABI_VERSION = 5
C_API_VERSION = 1


class CcrnnError(RuntimeError):
    """A failure reported by ccrnn's C side, with its one-line message."""


class ParamInfo(Structure):
    _fields_ = [("name", c_char_p), ("rank", c_int32), ("shape", c_int64 * 4),
                ("init", c_int32), ("bound", c_double), ("group", c_int32)]


class TrainerDesc(Structure):
    _fields_ = [("abi_version", c_int32), ("model", c_char_p),
                ("options", c_char_p), ("batch", c_int64), ("steps", c_int64),
                ("input_size", c_int64), ("output_size", c_int64),
                ("has_cerebellum", c_int32), ("classify", c_int32),
                ("predict_last", c_int32), ("num_params", c_int32),
                ("params", POINTER(ParamInfo)), ("state_size", c_int64),
                ("fibre_mask_rows", c_int64), ("fibre_mask_cols", c_int64),
                ("record_boundaries", c_int64), ("record_layers", c_int64),
                ("record_state", c_int64), ("record_width", c_int64),
                ("flops_per_batch", c_double), ("ensemble", c_int64),
                ("vocab", c_int64), ("vector_size", c_int64),
                ("token_steps", c_int64), ("dropout_features", c_int64),
                ("statistics_size", c_int64), ("decode_steps", c_int64)]


# Arrays pass as their addresses (float * as c_void_p, float ** as an array
# of c_void_p): the same ABI, and numpy's `ctypes.data` is several times
# cheaper than `ctypes.data_as`, which matters for a dozen arrays a step.
FloatPointers = POINTER(c_void_p)


class Batch(Structure):
    _fields_ = [("params", FloatPointers), ("inputs", c_void_p),
                ("targets", c_void_p), ("initial_state", c_void_p),
                ("fibre_mask", c_void_p), ("losses", c_void_p),
                ("vector_input", c_void_p), ("dropout_mask", c_void_p),
                ("statistics", c_void_p), ("new_statistics", c_void_p)]


CreateFn = ctypes.CFUNCTYPE(c_void_p)
DestroyFn = ctypes.CFUNCTYPE(None, c_void_p)
TrainFn = ctypes.CFUNCTYPE(c_float, c_void_p, POINTER(Batch), FloatPointers,
                           c_void_p)
EvalFn = ctypes.CFUNCTYPE(c_float, c_void_p, FloatPointers, c_void_p, c_void_p,
                          c_void_p)


class TrainerApi(Structure):
    _fields_ = [("desc", POINTER(TrainerDesc)), ("create", CreateFn),
                ("destroy", DestroyFn), ("train", TrainFn), ("eval", EvalFn),
                ("record", c_void_p), ("eval_window", c_void_p),
                ("decode", c_void_p)]


def _declare(lib):
    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = list(argtypes)

    api = POINTER(TrainerApi)
    fn("ccrnn_c_api_version", c_int32)
    fn("ccrnn_last_error", c_char_p)
    fn("ccrnn_set_threads", c_int32, c_int32)
    fn("ccrnn_session_new", c_void_p, c_char_p, c_char_p)
    fn("ccrnn_session_free", None, c_void_p)
    fn("ccrnn_session_trainer", api, c_void_p, c_char_p, c_char_p, c_char_p,
       POINTER(c_char_p))
    fn("ccrnn_session_load", api, c_void_p, c_char_p)
    fn("ccrnn_init_params", c_int32, api, c_uint64, FloatPointers, c_void_p)
    fn("ccrnn_optimizer_new", c_void_p, c_char_p, c_double, c_int32,
       POINTER(c_int64))
    fn("ccrnn_optimizer_free", None, c_void_p)
    fn("ccrnn_optimizer_step", c_int32, c_void_p, FloatPointers, FloatPointers,
       POINTER(c_uint8), c_double, c_double, POINTER(c_double))
    fn("ccrnn_optimizer_lr", c_double, c_void_p)
    fn("ccrnn_optimizer_set_lr", None, c_void_p, c_double)
    fn("ccrnn_optimizer_steps", c_int64, c_void_p)
    fn("ccrnn_plateau_new", c_void_p, c_double, c_int64)
    fn("ccrnn_plateau_free", None, c_void_p)
    fn("ccrnn_plateau_step", c_double, c_void_p, c_double, c_double)
    fn("ccrnn_task_settings", c_char_p, c_char_p)
    fn("ccrnn_task_new", c_void_p, c_char_p, c_int64)
    fn("ccrnn_task_free", None, c_void_p)
    fn("ccrnn_task_describe", c_char_p, c_void_p)
    fn("ccrnn_task_seed_data", c_void_p, c_void_p, c_uint64)
    fn("ccrnn_seed_data_free", None, c_void_p)
    fn("ccrnn_dataset_shape", c_int32, c_void_p, c_int32, POINTER(c_int64),
       POINTER(c_int32))
    fn("ccrnn_dataset_read", c_int32, c_void_p, c_int32, c_int64, c_int64,
       c_void_p, c_void_p, c_void_p)
    fn("ccrnn_task_epoch", c_void_p, c_void_p, c_void_p, c_uint64, c_int64)
    fn("ccrnn_epoch_free", None, c_void_p)
    fn("ccrnn_epoch_batches", c_int64, c_void_p)
    fn("ccrnn_epoch_gather", c_int32, c_void_p, c_int64, c_void_p, c_void_p,
       c_void_p)
    fn("ccrnn_evaluate", c_int32, c_void_p, api, c_void_p, FloatPointers,
       c_void_p, c_int32, POINTER(c_double), POINTER(c_double), c_void_p)


def _locate():
    """The C API's library and the compiler's tools: $CCRNN_LIBRARY and
    $CCRNN_TOOLS_DIR, else where the build put them (_build.py)."""
    library = os.environ.get("CCRNN_LIBRARY")
    tools = os.environ.get("CCRNN_TOOLS_DIR")
    try:
        from . import _build
    except ImportError:
        _build = None
    if not library and _build is not None:
        library = _build.LIBRARY
    if not tools and _build is not None:
        tools = _build.TOOLS_DIR
    if not library:
        raise ImportError(
            "ccrnn: cannot find libccrnn_c.so: import the package from the "
            "build tree (PYTHONPATH=<build>/python) or set CCRNN_LIBRARY")
    return library, tools or os.path.dirname(library)


_lib = None
TOOLS_DIR = None


def lib():
    """The loaded C API. RTLD_GLOBAL: the trainers it compiles and loads
    resolve their runtime kernels against it."""
    global _lib, TOOLS_DIR
    if _lib is None:
        path, TOOLS_DIR = _locate()
        try:
            loaded = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError as e:
            raise ImportError("ccrnn: cannot load %s: %s" % (path, e)) from None
        _declare(loaded)
        version = loaded.ccrnn_c_api_version()
        if version != C_API_VERSION:
            raise ImportError("ccrnn: %s has C API version %d; this package "
                              "needs %d (rebuild ccrnn)" %
                              (path, version, C_API_VERSION))
        _lib = loaded
    return _lib


def check(result):
    """`result`, or CcrnnError with the C side's message when it is NULL or
    0."""
    if not result:
        raise CcrnnError(lib().ccrnn_last_error().decode("utf-8", "replace"))
    return result


def float_pointers(arrays):
    """A C array of the data pointers of (float32) numpy arrays."""
    return (c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
