"""Regression metrics: mean squared error, mean absolute error, root mean squared error.

Per sample, the error is averaged over the last axis of ``(batch, outputs)`` values;
1-D ``(batch,)`` values are one error per sample. ``(batch, 1)`` against ``(batch,)`` is fine.
"""

from __future__ import annotations

import math

from lamina.backend import get_array_module
from lamina.metrics.base import (
    FixedFunctionMetric,
    Mean,
    check_same_shape,
    per_sample_mean,
    prediction_pair,
    register,
    squeeze_or_expand_to_same_rank,
)

__all__ = ["mean_squared_error", "mean_absolute_error", "MeanSquaredError", "MeanAbsoluteError",
           "RootMeanSquaredError"]


def _difference(where, y_true, y_pred):
    """``y_pred - y_true`` with matching ranks; labels take the predictions' dtype."""
    y_true, y_pred = prediction_pair(y_true, y_pred, where)
    y_true = y_true.astype(y_pred.dtype, copy=False)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(where, y_true, y_pred)
    return y_pred - y_true


@register
def mean_squared_error(y_true, y_pred):
    """``mean((y_true - y_pred) ** 2)`` over the last axis: one value per sample."""
    diff = _difference("mean_squared_error", y_true, y_pred)
    return per_sample_mean(diff * diff)


@register
def mean_absolute_error(y_true, y_pred):
    """``mean(|y_true - y_pred|)`` over the last axis: one value per sample."""
    diff = _difference("mean_absolute_error", y_true, y_pred)
    return per_sample_mean(get_array_module(diff).abs(diff))


class MeanSquaredError(FixedFunctionMetric):
    """Mean squared error over all samples seen (``'mse'``)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(FixedFunctionMetric):
    """Mean absolute error over all samples seen (``'mae'``)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the mean squared error over all samples seen (not a mean of batch roots).

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0.0], [0.0]], [[3.0], [4.0]])   # sqrt((9 + 16) / 2)
        >>> round(m.result(), 4)
        3.5355
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        diff = _difference(self.name, y_true, y_pred)
        super().update_state(diff * diff, sample_weight=sample_weight)

    def result(self) -> float:
        return math.sqrt(super().result())
