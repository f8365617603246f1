"""Weight constraints: projections applied to a weight after each optimizer step.

A constraint maps the raw weight array to a new array of the same shape and dtype
(no autograd: optimizers call it on ``variable.data`` after the update, as Keras does)::

    >>> import numpy as np
    >>> from lamina import constraints
    >>> constraints.get("non_neg")(np.array([-1.0, 2.0], dtype="float32"))
    array([0., 2.], dtype=float32)

Norms are taken along ``axis`` (default 0): for a Dense kernel ``(in, out)`` that is the
incoming weight vector of each unit; for a conv kernel ``(kh, kw, in, out)`` use
``axis=[0, 1, 2]``.
"""

from __future__ import annotations

import numbers

from lamina._registry import Configurable, Registry
from lamina.autograd.tensor import Tensor
from lamina.backend import get_array_module

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm",
           "get", "serialize", "deserialize"]

EPSILON = 1e-7  # Keras's backend.epsilon(): keeps a zero column from dividing by zero


def _raw(w):
    """The array of a Variable or Tensor; arrays pass through."""
    return w.data if isinstance(w, Tensor) else w


def _json_axis(axis):
    return list(axis) if isinstance(axis, tuple) else axis


def _axis(axis, where):
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, (list, tuple)) and all(isinstance(a, numbers.Integral) for a in axis):
        return tuple(int(a) for a in axis)
    raise TypeError(f"{where}: axis must be an int or a list of ints; received axis={axis!r}")


def _norms(w, axis, where):
    """The L2 norm of ``w`` along ``axis`` (kept as size-1 axes, so it broadcasts)."""
    xp = get_array_module(w)
    try:
        return xp.sqrt(xp.sum(w * w, axis=axis, keepdims=True))
    except (ValueError, IndexError) as err:  # AxisError subclasses both
        raise ValueError(
            f"{where}: axis={axis!r} is out of range for a weight of shape {w.shape}"
        ) from err


def _number(value, name, where):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{where}: {name} must be a number; received {name}={value!r}")
    return float(value)


class Constraint(Configurable):
    """Base class: ``__call__(w)`` returns the projected array; the identity here."""

    def __call__(self, w):
        return w


class MaxNorm(Constraint):
    """Rescale each weight vector whose L2 norm exceeds ``max_value`` down to ``max_value``.

    Args:
        max_value: the largest norm allowed (default 2).
        axis: the axis (or axes) along which norms are computed (default 0).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = _number(max_value, "max_value", "MaxNorm")
        self.axis = _axis(axis, "MaxNorm")

    def __call__(self, w):
        w = _raw(w)
        xp = get_array_module(w)
        norms = _norms(w, self.axis, "MaxNorm")
        desired = xp.clip(norms, 0, self.max_value)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": _json_axis(self.axis)}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        w = _raw(w)
        return get_array_module(w).maximum(w, 0)


class UnitNorm(Constraint):
    """Scale each weight vector to L2 norm 1 along ``axis`` (default 0)."""

    def __init__(self, axis=0):
        self.axis = _axis(axis, "UnitNorm")

    def __call__(self, w):
        w = _raw(w)
        return w / (EPSILON + _norms(w, self.axis, "UnitNorm"))

    def get_config(self):
        return {"axis": _json_axis(self.axis)}


class MinMaxNorm(Constraint):
    """Keep each weight vector's L2 norm within ``[min_value, max_value]``.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``:
    ``rate=1.0`` enforces the bounds at once, a smaller rate moves towards them.

    Args:
        min_value: smallest norm (default 0.0).
        max_value: largest norm (default 1.0).
        rate: how far to move towards the bounds per step, in [0, 1] (default 1.0).
        axis: the axis (or axes) along which norms are computed (default 0).
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = _number(min_value, "min_value", "MinMaxNorm")
        self.max_value = _number(max_value, "max_value", "MinMaxNorm")
        if self.min_value > self.max_value:
            raise ValueError(
                f"MinMaxNorm: min_value must be <= max_value; received "
                f"min_value={min_value}, max_value={max_value}"
            )
        self.rate = _number(rate, "rate", "MinMaxNorm")
        self.axis = _axis(axis, "MinMaxNorm")

    def __call__(self, w):
        w = _raw(w)
        xp = get_array_module(w)
        norms = _norms(w, self.axis, "MinMaxNorm")
        desired = (self.rate * xp.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": _json_axis(self.axis)}


ALL_OBJECTS = {cls.__name__: cls for cls in (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
ALL_OBJECTS.update({"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
                    "min_max_norm": MinMaxNorm})
_REGISTRY = Registry("constraint", Constraint, ALL_OBJECTS, config_error=(
    TypeError, "a dict like {'class_name': 'MaxNorm', 'config': {}}"))


def serialize(constraint) -> dict:
    """``{"class_name": ..., "config": ...}`` for a constraint instance."""
    return _REGISTRY.serialize(constraint)


def deserialize(config: dict) -> Constraint:
    """Rebuild a constraint from :func:`serialize`'s dict."""
    return _REGISTRY.deserialize(config)


def get(identifier):
    """Resolve ``identifier`` to a constraint.

    Accepts a name (``'max_norm'``, ``'non_neg'``, ``'unit_norm'``, ``'min_max_norm'``, class
    names too), a :class:`Constraint` instance or class, a config dict, any callable
    ``array -> array``, or None.
    """
    return _REGISTRY.get(identifier)
