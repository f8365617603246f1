"""Weight penalties added to the loss: L1, L2, L1L2 and the orthogonal regularizer.

A regularizer maps a weight tensor to a scalar tensor, built from lamina ops, so
its gradient comes from the autograd engine like any other part of the loss::

    >>> from lamina import Variable, regularizers
    >>> w = Variable([[1.0, -2.0]])
    >>> penalty = regularizers.get("l2")(w)        # 0.01 * (1 + 4)
    >>> penalty.backward()
    >>> w.grad                                     # 0.01 * 2 * w
    array([[ 0.02, -0.04]], dtype=float32)

Names as in Keras 3: ``'l1'``, ``'l2'``, ``'l1_l2'``, ``'orthogonal_regularizer'``, and
the same lowercase aliases of the classes (``regularizers.l2(0.01)`` is ``L2(0.01)``)::

    >>> regularizers.l1_l2(l1=0.01, l2=0.01)
    L1L2(l1=0.01, l2=0.01)
"""

from __future__ import annotations

import math
import numbers

from lamina._registry import Configurable, Registry
from lamina.autograd import ops
from lamina.autograd.tensor import Tensor, as_tensor

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer",
           "l1", "l2", "l1_l2", "orthogonal_regularizer", "get", "serialize", "deserialize"]


def _factor(value, name, where):
    """A non-negative finite float, or a ValueError that names the argument."""
    if (not isinstance(value, numbers.Real) or isinstance(value, bool)
            or not math.isfinite(value) or value < 0):
        raise ValueError(
            f"{where}: {name} must be a non-negative float; received {name}={value!r}"
        )
    return float(value)


def _tensor(x, where):
    return x if isinstance(x, Tensor) else as_tensor(x, where=where)


class Regularizer(Configurable):
    """Base class: ``__call__(x)`` returns a scalar lamina Tensor; ``get_config`` its args.

    Subclass it to write your own penalty from lamina ops (never from raw arrays, or the
    penalty would have no gradient).
    """

    def __call__(self, x):
        return as_tensor(0.0)


class L1(Regularizer):
    """``l1 * sum(|x|)`` (default ``l1=0.01``)."""

    def __init__(self, l1=0.01):
        self.l1 = _factor(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, x):
        return ops.sum(ops.abs(_tensor(x, "L1"))) * self.l1

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)`` (default ``l2=0.01``); its gradient is ``2 * l2 * x``."""

    def __init__(self, l2=0.01):
        self.l2 = _factor(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x):
        return ops.sum(ops.square(_tensor(x, "L2"))) * self.l2

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)`` (defaults ``l1=0.0, l2=0.0``, as in Keras 3)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x):
        x = _tensor(x, "L1L2")
        penalty = as_tensor(0.0, like=x)
        if self.l1:
            penalty = penalty + ops.sum(ops.abs(x)) * self.l1
        if self.l2:
            penalty = penalty + ops.sum(ops.square(x)) * self.l2
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards being orthogonal.

    The rows are scaled to unit length; the penalty is ``factor`` times the mean absolute
    dot product (|cosine|) over the ``n (n - 1) / 2`` pairs of distinct rows: 0 when the
    rows are orthogonal, ``factor`` when they are all parallel.

    Args:
        factor: strength (default 0.01).
        mode: ``'rows'`` (default) or ``'columns'``.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "OrthogonalRegularizer: mode must be 'rows' or 'columns'; "
                f"received mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, x):
        x = _tensor(x, "OrthogonalRegularizer")
        if x.ndim != 2:
            raise ValueError(
                "OrthogonalRegularizer: the weight must be 2-D (a Dense kernel); "
                f"received a tensor of shape {x.shape}"
            )
        if self.mode == "columns":
            x = ops.transpose(x)
        n = x.shape[0]
        if n < 2:
            return as_tensor(0.0, like=x)
        # unit-length rows (l2_normalize: the 1e-12 floor keeps an all-zero row finite)
        unit = x / ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=1, keepdims=True), 1e-12))
        gram = ops.matmul(unit, ops.transpose(unit))
        off_diagonal = as_tensor(1.0 - x.xp.eye(n, dtype=x.dtype), like=x)
        pairs = n * (n - 1) / 2
        return ops.sum(ops.abs(gram * off_diagonal)) * (self.factor * 0.5 / pairs)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Keras 3's lowercase aliases: the classes themselves, so ``l2(0.01)`` is an ``L2`` (and
# serializes as one); the same names are accepted as strings, e.g. ``kernel_regularizer="l1_l2"``.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS = {cls.__name__: cls for cls in (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)}
ALL_OBJECTS.update({"l1": l1, "l2": l2, "l1_l2": l1_l2,
                    "orthogonal_regularizer": orthogonal_regularizer})
_REGISTRY = Registry("regularizer", Regularizer, ALL_OBJECTS, config_error=(
    TypeError, "a dict like {'class_name': 'L2', 'config': {'l2': 0.01}}"))


def activity_penalties(regularizer, outputs) -> list:
    """``regularizer``'s penalty of each output tensor of a layer call, divided by the
    output's batch size as Keras 3 does: the strength does not change with the batch size."""
    penalties = []
    for output in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
        if not isinstance(output, Tensor):
            continue
        penalty = regularizer(output)
        if output.ndim > 0 and output.shape[0]:
            penalty = penalty * (1.0 / output.shape[0])
        penalties.append(penalty)
    return penalties


def serialize(regularizer) -> dict:
    """``{"class_name": ..., "config": ...}`` for a regularizer instance."""
    return _REGISTRY.serialize(regularizer)


def deserialize(config: dict) -> Regularizer:
    """Rebuild a regularizer from :func:`serialize`'s dict."""
    return _REGISTRY.deserialize(config)


def get(identifier):
    """Resolve ``identifier`` to a regularizer.

    Accepts a name (``'l1'``, ``'l2'``, ``'l1_l2'``, ...), a :class:`Regularizer` instance
    or class, a config dict, any callable ``x -> scalar Tensor``, or None.
    """
    return _REGISTRY.get(identifier)
