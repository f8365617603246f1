"""``Loss``: per-sample values from ``call``, then sample weights and a batch reduction.

``call(y_true, y_pred)`` gives one value per sample (a lamina op graph, so ``fit`` can
back-propagate through it); ``__call__`` multiplies by ``sample_weight`` and reduces, as
Keras's ``Loss`` does. ``y_true`` and ``y_pred`` may be NumPy arrays (or lists): a loss
object called on ``model.predict`` output gives the same number ``evaluate`` reports.
"""

from __future__ import annotations

from lamina.autograd import Tensor
from lamina.autograd import ops as F

#: Keras 3's reductions: "mean" is "sum_over_batch_size"; "mean_with_sample_weight" divides
#: by the sum of the sample weights; "none" (or None) keeps one value per sample.
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def as_prediction(y_pred, where: str) -> Tensor:
    """``y_pred`` as a float Tensor (arrays and lists are wrapped, float32 unless float64)."""
    if isinstance(y_pred, Tensor):
        return y_pred
    from lamina.autograd.tensor import as_tensor

    return as_tensor(y_pred, where=where)


def as_target(y_true, like: Tensor) -> Tensor:
    """Targets as a constant tensor of the prediction's dtype, of the prediction's rank when
    they differ by a trailing axis of 1 (Keras's rule): labels ``(N,)`` against a
    ``Dense(1)`` output ``(N, 1)`` become ``(N, 1)``; ``(N, C, 1)`` against ``(N, C)`` lose
    the 1."""
    if not isinstance(y_true, Tensor):
        y_true = Tensor(like.xp.asarray(y_true, dtype=like.dtype))
    if y_true.ndim == like.ndim - 1 and like.shape[-1] == 1:
        return F.expand_dims(y_true, -1)
    if y_true.ndim == like.ndim + 1 and like.ndim >= 2 and y_true.shape[-1] == 1:
        return F.squeeze(y_true, -1)
    return y_true


def check_same_shape(where: str, y_true, y_pred, hint: str = "") -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{where}: y_true and y_pred must have the same shape; "
                         f"received y_true.shape={tuple(y_true.shape)}, "
                         f"y_pred.shape={tuple(y_pred.shape)}.{hint}")


class Loss:
    """Base class: ``call(y_true, y_pred)`` gives per-sample losses; ``__call__`` reduces them.

    Args:
        name: the name used in logs.
        reduction: ``'sum_over_batch_size'`` (the mean over all values, Keras's default),
            ``'sum'``, ``'mean'`` (the same as sum_over_batch_size),
            ``'mean_with_sample_weight'`` (the sum divided by the sum of the sample
            weights) or ``'none'``/None (one value per sample).
        dtype: the dtype of the computation (default: the prediction's).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}; "
                             f"received reduction={reduction!r}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = as_prediction(y_pred, type(self).__name__)
        if self.dtype is not None and str(y_pred.dtype) != str(self.dtype):
            y_pred = F.cast(y_pred, self.dtype)
        values = self.call(y_true, y_pred)
        sw = None
        if sample_weight is not None:
            sw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
            sw = values.xp.asarray(sw, dtype=values.dtype)
            if sw.ndim > values.ndim:
                sw = sw.reshape(sw.shape[: values.ndim])
            values = values * sw
        if self.reduction in ("none", None) or values.ndim == 0:
            return values
        total = F.sum(values)
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight" and sw is not None:
            weight = float(values.xp.broadcast_to(sw, values.shape).sum())
            return total / weight if weight else total * 0.0
        return total / max(int(values.size), 1)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A function ``fn(y_true, y_pred, **kwargs) -> per-sample Tensor`` as a Loss (Keras's
    name); the built-in loss classes are this with one of :mod:`lamina.losses.functions`."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", "loss"), reduction, dtype)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(as_target(y_true, y_pred), y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}


def _snake(name: str) -> str:
    from lamina.layers.naming import to_snake_case

    return to_snake_case(name)
