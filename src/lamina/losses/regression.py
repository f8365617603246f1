"""Regression and margin loss classes: each is a :class:`LossFunctionWrapper` around the
function of the same name in :mod:`lamina.losses.functions`, with Keras's arguments."""

from __future__ import annotations

from lamina.losses import functions as fn
from lamina.losses.base import LossFunctionWrapper

_DEFAULT = "sum_over_batch_size"


class MeanSquaredError(LossFunctionWrapper):
    """``mean((y_true - y_pred)**2, axis=-1)`` per sample."""

    def __init__(self, reduction=_DEFAULT, name="mean_squared_error", dtype=None):
        super().__init__(fn.mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(|y_true - y_pred|, axis=-1)`` per sample."""

    def __init__(self, reduction=_DEFAULT, name="mean_absolute_error", dtype=None):
        super().__init__(fn.mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|y_true - y_pred| / |y_true|, axis=-1)`` per sample."""

    def __init__(self, reduction=_DEFAULT, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn.mean_absolute_percentage_error, reduction=reduction, name=name,
                         dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean((log(1 + y_pred) - log(1 + y_true))**2, axis=-1)`` per sample."""

    def __init__(self, reduction=_DEFAULT, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn.mean_squared_logarithmic_error, reduction=reduction, name=name,
                         dtype=dtype)


class Huber(LossFunctionWrapper):
    """Quadratic for errors below ``delta``, linear above."""

    def __init__(self, delta=1.0, reduction=_DEFAULT, name="huber_loss", dtype=None):
        if not isinstance(delta, (int, float)) or isinstance(delta, bool) or delta <= 0:
            raise ValueError(f"Huber: delta must be a number > 0; received delta={delta!r}")
        super().__init__(fn.huber, reduction=reduction, name=name, dtype=dtype,
                         delta=float(delta))


class LogCosh(LossFunctionWrapper):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)`` per sample."""

    def __init__(self, reduction=_DEFAULT, name="log_cosh", dtype=None):
        super().__init__(fn.log_cosh, reduction=reduction, name=name, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels -1/1 (0/1 are converted)."""

    def __init__(self, reduction=_DEFAULT, name="hinge", dtype=None):
        super().__init__(fn.hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``; labels -1/1 (0/1 are converted)."""

    def __init__(self, reduction=_DEFAULT, name="squared_hinge", dtype=None):
        super().__init__(fn.squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` for one-hot labels."""

    def __init__(self, reduction=_DEFAULT, name="categorical_hinge", dtype=None):
        super().__init__(fn.categorical_hinge, reduction=reduction, name=name, dtype=dtype)
