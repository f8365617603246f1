"""How ``lamina.ops`` treats its inputs and chooses what it returns.

lamina's :class:`~lamina.autograd.Tensor` holds floats, so an op answers in one of two ways:

* a float result (any float array, Python float or Tensor among the inputs, or an op that
  always gives floats such as ``exp``) is a Tensor computed by the autograd engine, so the
  gradient flows back to every Tensor input;
* an integer or boolean result (``argmax``, ``equal``, ``sum`` of an integer array, ``cast``
  to ``'int32'``) is a NumPy array: it has no gradient, as in Keras.
"""

from __future__ import annotations

import numbers

import numpy

from lamina.autograd import Tensor, as_tensor
from lamina.backend import floatx


def is_float_input(x) -> bool:
    """True for a Tensor, a float array or a Python/NumPy float (and lists holding one)."""
    if isinstance(x, Tensor):
        return True
    if hasattr(x, "dtype"):
        return numpy.dtype(x.dtype).kind == "f"
    if isinstance(x, numbers.Number):
        return isinstance(x, (float, numpy.floating))
    if isinstance(x, (list, tuple)):
        return numpy.asarray(x).dtype.kind == "f"
    return False


def integer_path(*xs) -> bool:
    """True when no input is a float: the op then runs in NumPy and returns an array."""
    return not any(is_float_input(x) for x in xs if x is not None)


def tensor(x, where: str = "ops") -> Tensor:
    """``x`` as a float Tensor: a float array keeps its dtype; Python numbers and lists, and
    integer and boolean arrays, become ``floatx()`` (float32), as in Keras."""
    if isinstance(x, Tensor):
        return x
    array = numpy.asarray(x)
    if array.dtype.kind == "f" and hasattr(x, "dtype"):
        return as_tensor(array, where=where)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected numbers (a Tensor, an array or a number); "
                        f"received {type(x).__name__} of dtype {array.dtype}")
    return Tensor(array.astype(floatx()))


def tensors(xs, where: str = "ops") -> list:
    """Each of ``xs`` as a Tensor, all of the first Tensor's dtype (numbers never upcast)."""
    like = next((x for x in xs if isinstance(x, Tensor)), None)
    if like is None:
        first = tensor(xs[0], where)
        return [first] + [as_tensor(numpy.asarray(x), like=first, where=where) for x in xs[1:]]
    return [x if isinstance(x, Tensor) else as_tensor(numpy.asarray(x), like=like, where=where)
            for x in xs]


def array(x):
    """The NumPy array behind ``x`` (a Tensor's data, or ``numpy.asarray(x)``)."""
    return x.data if isinstance(x, Tensor) else numpy.asarray(x)


def result(values):
    """A float array as a Tensor (outside the graph), anything else as a NumPy array."""
    values = numpy.asarray(values)
    return Tensor(values) if values.dtype.kind == "f" else values


def as_dtype(dtype, where: str, name: str = "dtype"):
    """``dtype`` as a NumPy dtype, or an error naming the argument."""
    try:
        return numpy.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: {name} must be a dtype such as 'float32' or 'int32'; "
                        f"received {name}={dtype!r}") from None
