"""Probabilistic loss classes (cross-entropies, KL divergence, Poisson, focal loss), each a
:class:`LossFunctionWrapper` around :mod:`lamina.losses.functions` with Keras's arguments.

On probabilities the cross-entropies clip to ``[1e-7, 1 - 1e-7]``, in ``fit``, in
``evaluate`` and when called directly alike (docs/losses.md); ``from_logits=True`` takes
logits and runs the fused, unclipped op.
"""

from __future__ import annotations

import numpy

from lamina.losses import functions as fn
from lamina.losses.base import LossFunctionWrapper, as_target, check_same_shape

_DEFAULT = "sum_over_batch_size"


def _smoothing(where, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{where}: label_smoothing must be in [0, 1); "
                         f"received label_smoothing={value!r}")
    return float(value)


class BinaryCrossentropy(LossFunctionWrapper):
    """``-(y log p + (1 - y) log(1 - p))``, averaged over the last axis."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="binary_crossentropy", dtype=None):
        super().__init__(fn.binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=bool(from_logits), axis=axis,
                         label_smoothing=_smoothing("BinaryCrossentropy", label_smoothing))
        self.from_logits, self.label_smoothing, self.axis = (bool(from_logits),
                                                             float(label_smoothing), axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """``-sum(y_true * log(y_pred))`` over classes, for one-hot (or soft) targets."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(fn.categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=bool(from_logits), axis=axis,
                         label_smoothing=_smoothing("CategoricalCrossentropy", label_smoothing))
        self.from_logits, self.label_smoothing, self.axis = (bool(from_logits),
                                                             float(label_smoothing), axis)

    def call(self, y_true, y_pred):
        y_true = as_target(y_true, y_pred)
        if tuple(y_true.shape) != tuple(y_pred.shape):
            hint = ""
            if len(y_true.shape) == len(y_pred.shape) - 1 or y_true.shape[-1:] == (1,):
                hint = (" y_true looks like integer class ids: use "
                        "'sparse_categorical_crossentropy', or one-hot encode it with "
                        "to_categorical")
            check_same_shape("CategoricalCrossentropy", y_true, y_pred, hint)
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class ids ``y_true`` of shape (N,) against (N, classes).

    ``ignore_class``: labels equal to it count for nothing; the mean reductions then divide
    by the number of the other labels, as Keras's mask does."""

    def __init__(self, from_logits=False, ignore_class=None, reduction=_DEFAULT, axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(fn.sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=bool(from_logits), ignore_class=ignore_class,
                         axis=axis)
        self.from_logits, self.ignore_class = bool(from_logits), ignore_class

    def call(self, y_true, y_pred):
        shape = tuple(numpy.shape(getattr(y_true, "data", y_true)))
        if len(shape) == y_pred.ndim and shape[-1] != 1:
            raise ValueError(
                f"SparseCategoricalCrossentropy: y_true has shape {shape}, which looks one-hot; "
                f"this loss wants integer class ids of shape {tuple(y_pred.shape[:-1])}. Use "
                "'categorical_crossentropy' for one-hot labels.")
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # labels keep their own shape

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None or self.reduction not in ("sum_over_batch_size", "mean"):
            return super().__call__(y_true, y_pred, sample_weight)
        labels = numpy.asarray(y_true.data if hasattr(y_true, "data") else y_true)
        shape = getattr(y_pred, "shape", numpy.shape(y_pred))[:-1]
        valid = (labels != self.ignore_class).reshape(shape)
        count = int(valid.sum())
        mask = valid * (valid.size / count if count else 0.0)  # Keras's apply_mask
        if sample_weight is not None:
            sw = numpy.asarray(getattr(sample_weight, "data", sample_weight), dtype="float64")
            mask = mask * sw.reshape(sw.shape + (1,) * (mask.ndim - sw.ndim))
        return super().__call__(y_true, y_pred, mask)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Focal loss: cross-entropy weighted by ``alpha * (1 - p)**gamma`` (Lin et al. 2017)."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction=_DEFAULT, name="categorical_focal_crossentropy", dtype=None):
        super().__init__(fn.categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=float(alpha), gamma=float(gamma),
                         from_logits=bool(from_logits), axis=axis,
                         label_smoothing=_smoothing("CategoricalFocalCrossentropy",
                                                    label_smoothing))


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred), axis=-1)``."""

    def __init__(self, reduction=_DEFAULT, name="kl_divergence", dtype=None):
        super().__init__(fn.kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """``mean(y_pred - y_true * log(y_pred), axis=-1)``."""

    def __init__(self, reduction=_DEFAULT, name="poisson", dtype=None):
        super().__init__(fn.poisson, reduction=reduction, name=name, dtype=dtype)
