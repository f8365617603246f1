"""Deterministic initializers: zeros, ones, a constant, the identity matrix."""

from __future__ import annotations

import numpy

from lamina.initializers.base import Initializer, _dtype, _shape


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return numpy.zeros(_shape(shape, "Zeros"), dtype=_dtype(dtype, "Zeros", random=False))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return numpy.ones(_shape(shape, "Ones"), dtype=_dtype(dtype, "Ones", random=False))


class Constant(Initializer):
    """Every entry equal to ``value`` (a number, or an array broadcastable to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = _shape(shape, "Constant")
        value = numpy.asarray(self.value)
        try:
            out = numpy.broadcast_to(value, shape)
        except ValueError:
            raise ValueError(
                f"Constant: value of shape {value.shape} cannot fill a weight of shape {shape}"
            ) from None
        return out.astype(_dtype(dtype, "Constant", random=False))

    def get_config(self):
        value = self.value
        if isinstance(value, numpy.ndarray):
            value = value.tolist()
        elif isinstance(value, numpy.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; non-square gives ``eye(n, m)``)."""

    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape, "Identity")
        if len(shape) != 2:
            raise ValueError(
                f"Identity: only 2-D weights can be initialized; received shape={shape} "
                f"of rank {len(shape)}"
            )
        dt = _dtype(dtype, "Identity", random=False)
        return (self.gain * numpy.eye(*shape)).astype(dt)

    def get_config(self):
        return {"gain": self.gain}
