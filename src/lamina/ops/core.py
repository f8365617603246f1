"""The core ops of ``keras.ops``: conversions, casts, shapes and ``stop_gradient``."""

from __future__ import annotations

import numpy

from lamina.autograd import Tensor
from lamina.autograd import ops as _engine
from lamina.ops._convert import array as _array
from lamina.ops._convert import as_dtype, tensor

__all__ = ["array", "cast", "convert_to_numpy", "convert_to_tensor", "copy", "ndim", "shape",
           "size", "stop_gradient"]


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """``x`` as lamina's tensor: a float Tensor for floats (a Tensor is returned as is), a
    NumPy array for integers and booleans (lamina's Tensors hold floats)."""
    if sparse or ragged:
        raise ValueError(f"convert_to_tensor: lamina has no sparse or ragged tensors; received "
                         f"sparse={sparse!r}, ragged={ragged!r}")
    if dtype is not None:
        return cast(x, dtype)
    if isinstance(x, Tensor):
        return x
    values = numpy.asarray(x)
    return tensor(x, "convert_to_tensor") if values.dtype.kind == "f" else values


def convert_to_numpy(x):
    """``x`` as a NumPy array (a Tensor's data)."""
    return _array(x)


def cast(x, dtype):
    """``x`` as ``dtype``: to a float dtype through the engine (the gradient is cast back),
    to an integer or boolean dtype as a NumPy array (no gradient)."""
    dt = as_dtype(dtype, "cast")
    if dt.kind == "f":
        return _engine.cast(tensor(x, "cast"), dt)
    return _array(x).astype(dt)


def shape(x) -> tuple:
    """The shape of ``x`` as a tuple of ints."""
    return tuple(numpy.shape(_array(x)))


def ndim(x) -> int:
    """The number of axes of ``x``."""
    return len(shape(x))


def size(x) -> int:
    """The number of entries of ``x``."""
    return int(numpy.size(_array(x)))


def stop_gradient(variable):
    """The same values, cut from the graph: no gradient flows back through it."""
    if isinstance(variable, Tensor):
        return variable.detach()
    return convert_to_tensor(variable)


def copy(x):
    """A copy of ``x`` (for a Tensor, a new one in the graph: its gradient flows back)."""
    if isinstance(x, Tensor):
        return x * 1.0
    return numpy.array(x, copy=True)


def array(x, dtype=None):
    """``x`` as a new tensor (``convert_to_tensor`` of a copy)."""
    return convert_to_tensor(numpy.array(_array(x), copy=True), dtype=dtype)
