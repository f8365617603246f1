"""Tensors made from nothing, as in ``keras.ops``: zeros, ones, full, eye, arange, linspace.

A float dtype (the default ``floatx()``, float32) gives a Tensor; an integer or boolean
dtype a NumPy array.
"""

from __future__ import annotations

import numpy

from lamina.backend import floatx
from lamina.ops._convert import array, as_dtype, result

__all__ = ["arange", "eye", "full", "full_like", "identity", "linspace", "ones", "ones_like",
           "zeros", "zeros_like"]


def _dtype(dtype, where, default=None):
    return as_dtype(dtype, where) if dtype is not None else (default or floatx())


def zeros(shape, dtype=None):
    """A tensor of zeros."""
    return result(numpy.zeros(shape, _dtype(dtype, "zeros")))


def ones(shape, dtype=None):
    """A tensor of ones."""
    return result(numpy.ones(shape, _dtype(dtype, "ones")))


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value``."""
    return result(numpy.full(shape, array(fill_value), _dtype(dtype, "full")))


def _like_dtype(x, dtype, where):
    if dtype is not None:
        return as_dtype(dtype, where)
    return array(x).dtype


def zeros_like(x, dtype=None):
    """Zeros of ``x``'s shape (and dtype unless given)."""
    return result(numpy.zeros(numpy.shape(array(x)), _like_dtype(x, dtype, "zeros_like")))


def ones_like(x, dtype=None):
    """Ones of ``x``'s shape (and dtype unless given)."""
    return result(numpy.ones(numpy.shape(array(x)), _like_dtype(x, dtype, "ones_like")))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` in ``x``'s shape (and dtype unless given)."""
    return result(numpy.full(numpy.shape(array(x)), array(fill_value),
                             _like_dtype(x, dtype, "full_like")))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    """An ``N x M`` matrix with ones on the k-th diagonal."""
    return result(numpy.eye(N, M, k, dtype=_dtype(dtype, "eye")))


def identity(n, dtype=None):
    """The ``n x n`` identity matrix."""
    return result(numpy.eye(n, dtype=_dtype(dtype, "identity")))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``: integers (int32) when every argument is an
    int and no dtype is given, as in Keras; else floats."""
    numbers = [v for v in (start, stop, step) if v is not None]
    if dtype is None:
        whole = all(isinstance(v, (int, numpy.integer)) for v in numbers)
        dtype = "int32" if whole else floatx()
    if stop is None:
        start, stop = 0, start
    return result(numpy.arange(start, stop, 1 if step is None else step,
                               dtype=as_dtype(dtype, "arange")))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (floats unless dtype says)."""
    values = numpy.linspace(array(start), array(stop), num, endpoint=endpoint, retstep=retstep,
                            axis=axis)
    if retstep:
        return result(values[0].astype(_dtype(dtype, "linspace"))), values[1]
    return result(values.astype(_dtype(dtype, "linspace")))
