"""Keras's autocast: a layer computes in its own dtype, whatever float precision comes in.

Before ``call``, every layer whose ``autocast`` is on (the default, ``Layer(autocast=True)``)
casts the floating inputs of another float dtype to its ``input_dtype`` (the layer's
``dtype``): a float32 ``Dense`` given float64 data computes in float32 and returns float32,
and a float64 layer computes in float64 on float32 data. Integer, boolean and string
inputs pass as they are, and so does everything given to a layer whose dtype is not a
float. The extra arguments of a call (``layer(x, targets)``, ``layer(x, mask=m)``) are
cast by the same rule, in lists, tuples and dicts too (Keras maps every argument); an
array stays an array and a Tensor a Tensor.

Keras casts under every dtype policy, not only a mixed one (its ``DTypePolicy.convert_input``
at each ``Layer.__call__``); under a mixed policy it also reads the variables in the compute
dtype, which lamina, whose layers have one dtype for weights and computation, never needs.

A model casts as Keras's do: a functional model each input to its ``Input``'s dtype
(``models.inference_graph.run``), a ``Sequential`` to the dtype of its ``Input`` (else of its
first layer), a subclassed model to its own dtype; each layer inside then casts its own.
``autocast=False`` turns the cast off for one layer (saved in its config).
"""

from __future__ import annotations

import numpy

from lamina.autograd import Tensor


def _target(layer):
    """The float dtype ``layer`` casts to, or None when it casts nothing."""
    if not (layer.autocast and layer._casts_inputs):
        return None
    dtype = numpy.dtype(layer.input_dtype)
    return dtype if dtype.kind == "f" else None


def _cast(value, dtype):
    if isinstance(value, Tensor):
        if value.data.dtype.kind != "f" or value.data.dtype == dtype:
            return value
        from lamina.autograd import ops as F

        return F.cast(value, dtype.name)
    if isinstance(value, numpy.ndarray):
        return value.astype(dtype) if value.dtype.kind == "f" and value.dtype != dtype \
            else value
    if isinstance(value, list):
        return [_cast(v, dtype) for v in value]
    if isinstance(value, tuple):
        items = [_cast(v, dtype) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    return value


def cast_input(layer, value):
    """``value`` (a Tensor, an array, or a list, tuple or dict of them) with its floats cast
    to ``layer``'s ``input_dtype`` when ``layer`` autocasts; else itself."""
    dtype = _target(layer)
    return value if dtype is None else _cast(value, dtype)


def cast_to(value, dtype):
    """``value`` with its floats cast to ``dtype`` when that is a float dtype (a functional
    model's input to its ``Input``'s dtype); else itself."""
    try:
        dtype = numpy.dtype(dtype)
    except TypeError:  # an Input of strings ("string")
        return value
    return _cast(value, dtype) if dtype.kind == "f" else value


def cast_arguments(layer, args: tuple, kwargs: dict):
    """The extra arguments of a call, cast as :func:`cast_input` casts the inputs."""
    dtype = _target(layer)
    if dtype is None or not (args or kwargs):
        return args, kwargs
    return tuple(_cast(a, dtype) for a in args), {k: _cast(v, dtype) for k, v in kwargs.items()}
