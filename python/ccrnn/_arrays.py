"""Checks of the arrays handed to the C side: each must be exactly what the
C side reads (dtype, shape, C order), or a ValueError/TypeError names what
was expected. Nothing is converted silently: a copy would hide a slow path
and an update written to the copy would be lost."""
import ctypes

import numpy as np


def check_array(what, a, dtype, shape, writable=False):
    if not isinstance(a, np.ndarray):
        raise TypeError("%s: expected a numpy array of %s %s, got %s" %
                        (what, np.dtype(dtype).name, list(shape),
                         type(a).__name__))
    if a.dtype != dtype:
        raise TypeError("%s: expected dtype %s, got %s" %
                        (what, np.dtype(dtype).name, a.dtype.name))
    if a.shape != tuple(shape):
        raise ValueError("%s: expected shape %s, got %s" %
                         (what, list(shape), list(a.shape)))
    if not a.flags.c_contiguous:
        raise ValueError("%s: expected a C-contiguous array "
                         "(np.ascontiguousarray makes one)" % what)
    if writable and not a.flags.writeable:
        raise ValueError("%s: expected a writable array" % what)
    return a


def check_seed(seed):
    """A seed as an int: an integer in [0, 2**64)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2 ** 64:
        raise TypeError("seed: expected an integer in [0, 2**64), got %r" %
                        (seed,))
    return int(seed)


def check_positive(name, value):
    """A positive integer setting as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError("%s: expected an integer, got %r" % (name, value))
    if value < 1:
        raise ValueError("%s: expected a positive integer, got %d" %
                         (name, value))
    return int(value)


def check_params(what, params, names, shapes, writable=False):
    """The arrays of `params` (a dict by name) in the trainer's order."""
    if not isinstance(params, dict):
        raise TypeError("%s: expected a dict of numpy arrays by parameter "
                        "name, got %s" % (what, type(params).__name__))
    missing = [n for n in names if n not in params]
    if missing:
        raise ValueError("%s: missing %s (the model's parameters: %s)" %
                         (what, ", ".join(missing), ", ".join(names)))
    extra = [n for n in params if n not in shapes]
    if extra:
        raise ValueError("%s: unknown %s (the model's parameters: %s)" %
                         (what, ", ".join(map(str, extra)), ", ".join(names)))
    return [check_array("%s[%r]" % (what, n), params[n], np.float32,
                        shapes[n], writable) for n in names]


_F32 = np.dtype(np.float32)


def param_pointers(what, params, names, shapes, writable=False):
    """check_params, returning the arrays' addresses as a C array of
    pointers. One pass with the common case first (the arrays are right):
    a step checks a dozen arrays twice, so this runs on every batch."""
    if type(params) is dict or isinstance(params, dict):
        try:
            arrays = [params[n] for n in names]
        except KeyError:
            arrays = None
        if arrays is not None and len(params) == len(names):
            addresses = []
            for n, a in zip(names, arrays):
                if type(a) is not np.ndarray or a.dtype is not _F32 or \
                        a.shape != shapes[n] or not a.flags.c_contiguous or \
                        (writable and not a.flags.writeable):
                    check_array("%s[%r]" % (what, n), a, np.float32,
                                shapes[n], writable)
                addresses.append(a.ctypes.data)
            return (ctypes.c_void_p * len(addresses))(*addresses)
    arrays = check_params(what, params, names, shapes, writable)
    return (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
