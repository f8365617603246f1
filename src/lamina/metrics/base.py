"""The stateful ``Metric`` base class, ``Mean``, ``Sum`` and ``MeanMetricWrapper``.

Metrics work on arrays of predictions that are already computed (no autograd):
``update_state`` adds a batch, ``result`` gives the value over every batch seen so
far, ``reset_state`` starts again (``fit`` resets at the start of each epoch).

Batches are weighted by their number of samples, so the result over an epoch is
the mean over all its samples, not the mean of per-batch means. ``sample_weight``
(shape ``(batch,)`` or the shape of the values) weights samples within a batch.
"""

from __future__ import annotations

import re

import numpy

from lamina.autograd.tensor import Tensor
from lamina.backend import floatx, get_array_module

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper"]

# metric functions by name, so a MeanMetricWrapper can be rebuilt from its config
FUNCTIONS: dict = {}


def register(fn):
    """Record a metric function under its ``__name__`` (for ``MeanMetricWrapper.from_config``)."""
    FUNCTIONS[fn.__name__] = fn
    return fn


def to_array(x, where="metric", name="value"):
    """An array from a Tensor, an array, a list or a number (Tensors give their ``data``)."""
    if isinstance(x, Tensor):
        return x.data
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return x
    try:
        return numpy.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{where}: cannot make an array from {name}={x!r} ({err})") from None


def prediction_pair(y_true, y_pred, where):
    """``(y_true, y_pred)`` as arrays: predictions float (floatx if given as ints/lists)."""
    y_pred = to_array(y_pred, where, "y_pred")
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(floatx())
    return to_array(y_true, where, "y_true"), y_pred


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make ranks equal when they differ by a trailing axis of size 1 (Keras's rule).

    ``(N, 1)`` against ``(N,)`` gives ``(N, 1)`` twice (``expand_rank_1``); ``(N, C, 1)``
    against ``(N, C)`` squeezes the size-1 axis.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def check_same_shape(where, y_true, y_pred, hint=""):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
            f"they must match{hint}"
        )


def per_sample_mean(values):
    """Average the last axis of ``(batch, ..., k)`` values; 1-D values are one per sample."""
    values = values.astype(floatx(), copy=False) if values.dtype.kind != "f" else values
    return values.mean(axis=-1) if values.ndim >= 2 else values


def reduce_to_samplewise(values, sample_weight, reduce, where):
    """Apply ``sample_weight`` and reduce ``values`` to one entry per sample (Keras's rule).

    Returns ``(values, weights)``: ``values`` of shape ``(batch,)`` (already multiplied by
    the weights) and the per-sample weights (None when no ``sample_weight`` was given).
    """
    xp = get_array_module(values)
    fn = xp.mean if reduce == "mean" else xp.sum
    weights = None
    if sample_weight is not None:
        weights = to_array(sample_weight, where, "sample_weight")
        weights = weights.astype(values.dtype, copy=False)
        values, weights = squeeze_or_expand_to_same_rank(values, weights)
        w_ndim = weights.ndim
        if values.ndim > w_ndim:
            values = fn(values, axis=tuple(range(w_ndim, values.ndim)))
        try:
            weights = xp.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"{where}: sample_weight of shape {weights.shape} does not match the "
                f"per-sample values of shape {values.shape}; pass one weight per sample"
            ) from None
        values = values * weights
        if w_ndim > 1:
            weights = fn(weights, axis=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = fn(values, axis=tuple(range(1, values.ndim)))
    return values, weights


def _snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Metric:
    """Base class of stateful metrics.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)``,
    ``result()`` and ``reset_state()``, and call ``self.reset_state()`` at the end of
    ``__init__``. Calling a metric updates it with the batch and returns ``result()``.

    Args:
        name: the key in the training history (default: the class name in snake_case).
        dtype: dtype of the computation (default ``floatx()``).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.dtype = numpy.dtype(dtype or floatx()).name

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def reset_state(self):
        raise NotImplementedError(f"{type(self).__name__} must implement reset_state")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight)``.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        4.0
        >>> m.update_state([2], sample_weight=[4])  # (16 + 8) / (4 + 4)
        >>> m.result()
        3.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values = to_array(values, self.name, "values")
        if values.dtype.kind != "f":
            values = values.astype(self.dtype)
        values, weights = reduce_to_samplewise(values, sample_weight, "mean", self.name)
        xp = get_array_module(values)
        self.total += float(xp.sum(values))
        if weights is not None:
            self.count += float(xp.sum(weights))
        else:
            self.count += values.shape[0] if values.ndim >= 1 else 1

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """The (weighted) sum of the values given to ``update_state(values, sample_weight)``."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = to_array(values, self.name, "values")
        if values.dtype.kind != "f":
            values = values.astype(self.dtype)
        values, _ = reduce_to_samplewise(values, sample_weight, "sum", self.name)
        self.total += float(get_array_module(values).sum(values))

    def result(self) -> float:
        return self.total


class MeanMetricWrapper(Mean):
    """Turn a function ``fn(y_true, y_pred, **kwargs) -> per-sample values`` into a metric.

    The result is the mean of ``fn``'s values over every sample seen since the last reset.

    Args:
        fn: the metric function (NumPy arrays in, an array of shape ``(batch,)`` or
            ``(batch, ...)`` out; a lamina Tensor result is accepted too).
        name: history key (default: ``fn.__name__``).
        dtype: dtype of the computation (default ``floatx()``).
        **kwargs: passed on to ``fn``.

    Example:
        >>> def within_one(y_true, y_pred):
        ...     return abs(y_true - y_pred) <= 1
        >>> m = MeanMetricWrapper(within_one)
        >>> m([0.0, 5.0], [0.5, 2.0])
        0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if name is None:
            fn_name = getattr(fn, "__name__", None)
            name = fn_name if fn_name and fn_name != "<lambda>" else "mean_metric_wrapper"
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = prediction_pair(y_true, y_pred, self.name)
        values = to_array(self._fn(y_true, y_pred, **self._fn_kwargs), self.name)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        fn_name = getattr(self._fn, "__name__", None)
        return {**super().get_config(), "fn": fn_name, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        if "fn" not in config:  # subclasses (BinaryAccuracy, ...) fix their function
            return cls(**config)
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, str):
            if fn not in FUNCTIONS:
                raise ValueError(
                    f"MeanMetricWrapper.from_config: unknown metric function {fn!r}; "
                    f"known: {sorted(FUNCTIONS)}"
                )
            fn = FUNCTIONS[fn]
        return cls(fn, **config)


class FixedFunctionMetric(MeanMetricWrapper):
    """A :class:`MeanMetricWrapper` whose subclass fixes the function (``Accuracy``,
    ``MeanSquaredError``...): its config is ``name``, ``dtype`` and the function's keyword
    arguments (``threshold``, ``k``), without ``fn``."""

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}
