"""Keras's loss functions by name: ``lamina.losses.mse(y_true, y_pred)`` and the rest.

Each takes targets and predictions (arrays, lists or Tensors) and returns one value per
sample (a Tensor of shape ``y_pred.shape[:-1]``), as ``keras.losses.<name>`` does; the
``Loss`` classes wrap them with sample weights and a batch reduction. The cross-entropies
and the regression losses are single engine ops (``lamina.autograd.ops.loss``); the
others are written here from engine ops, with Keras's formulas, so their gradients come
from the engine. Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` as in Keras
(see docs/losses.md for why lamina never reads logits back out of a softmax).
"""

from __future__ import annotations

from lamina.autograd import ops as F
from lamina.autograd.ops.loss import EPSILON
from lamina.losses.base import as_prediction, as_target, check_same_shape

__all__ = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "hinge", "squared_hinge",
    "categorical_hinge", "kl_divergence", "poisson", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy",
    "categorical_focal_crossentropy",
]


def _pair(name, y_true, y_pred):
    """``(y_true, y_pred)`` as tensors of one dtype and the same shape (a trailing 1 may
    differ, as Keras's squeeze_or_expand_to_same_rank allows)."""
    y_pred = as_prediction(y_pred, name)
    y_true = as_target(y_true, y_pred)
    check_same_shape(name, y_true, y_pred)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """``mean((y_true - y_pred)**2, axis=-1)``."""
    return F.mse(y_true, as_prediction(y_pred, "mean_squared_error"))


def mean_absolute_error(y_true, y_pred):
    """``mean(|y_true - y_pred|, axis=-1)``."""
    return F.mae(y_true, as_prediction(y_pred, "mean_absolute_error"))


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, EPSILON), axis=-1)``."""
    t, p = _pair("mean_absolute_percentage_error", y_true, y_pred)
    diff = F.abs((t - p) / F.maximum(F.abs(t), EPSILON))
    return 100.0 * F.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean((log(max(y_pred, EPSILON) + 1) - log(max(y_true, EPSILON) + 1))**2, axis=-1)``."""
    t, p = _pair("mean_squared_logarithmic_error", y_true, y_pred)
    first = F.log(F.maximum(p, EPSILON) + 1.0)
    second = F.log(F.maximum(t, EPSILON) + 1.0)
    return F.mean(F.square(first - second), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """``0.5 e**2`` where ``|e| <= delta``, else ``delta |e| - 0.5 delta**2``; mean over -1."""
    return F.huber(y_true, as_prediction(y_pred, "huber"), delta=delta)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, as ``x + softplus(-2x) - log 2``."""
    t, p = _pair("log_cosh", y_true, y_pred)
    x = p - t
    return F.mean(x + F.softplus(-2.0 * x) - 0.6931471805599453, axis=-1)


def _hinge_labels(t):
    """Keras's convert_binary_labels_to_hinge: labels all in {0, 1} become {-1, 1}."""
    values = t.data
    binary = bool(((values == 0) | (values == 1)).all())
    return 2.0 * t - 1.0 if binary else t


def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels {0, 1} are taken as {-1, 1}."""
    t, p = _pair("hinge", y_true, y_pred)
    return F.mean(F.maximum(1.0 - _hinge_labels(t) * p, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``; labels {0, 1} become {-1, 1}."""
    t, p = _pair("squared_hinge", y_true, y_pred)
    return F.mean(F.square(F.maximum(1.0 - _hinge_labels(t) * p, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` per sample."""
    t, p = _pair("categorical_hinge", y_true, y_pred)
    pos = F.sum(t * p, axis=-1)
    neg = F.max((1.0 - t) * p, axis=-1)
    return F.maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y_true, y_pred):
    """``sum(t * log(t / p), axis=-1)`` with both clipped to ``[EPSILON, 1]``."""
    t, p = _pair("kl_divergence", y_true, y_pred)
    t = F.clip(t, EPSILON, 1.0)
    p = F.clip(p, EPSILON, 1.0)
    return F.sum(t * F.log(t / p), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + EPSILON), axis=-1)``."""
    t, p = _pair("poisson", y_true, y_pred)
    return F.mean(p - t * F.log(p + EPSILON), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-(t log p + (1 - t) log(1 - p))``, mean over the last axis; p clipped to
    ``[EPSILON, 1 - EPSILON]`` (``from_logits=True``: the stable logits form). Labels
    ``(N,)`` against an ``(N, 1)`` output are accepted, as in Keras."""
    _last_axis("binary_crossentropy", axis)
    return F.binary_crossentropy(y_true, as_prediction(y_pred, "binary_crossentropy"),
                                 from_logits=from_logits, label_smoothing=label_smoothing)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y_true * log(p))`` over the class ``axis``; p = y_pred / sum(y_pred) clipped
    to ``[EPSILON, 1 - EPSILON]`` (``from_logits=True``: fused log-softmax)."""
    return F.categorical_crossentropy(y_true, as_prediction(y_pred, "categorical_crossentropy"),
                                      from_logits=from_logits, label_smoothing=label_smoothing,
                                      axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy of integer labels ``(N,)`` (or ``(N, 1)``) against ``(N, classes)``.
    Samples labelled ``ignore_class`` (e.g. a segmentation 'void' class 255) give 0."""
    _last_axis("sparse_categorical_crossentropy", axis)
    y_pred = as_prediction(y_pred, "sparse_categorical_crossentropy")
    if ignore_class is None:
        return F.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits)
    xp = y_pred.xp
    labels = xp.asarray(y_true.data if hasattr(y_true, "data") else y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    valid = labels != ignore_class
    values = F.sparse_categorical_crossentropy(xp.where(valid, labels, 0), y_pred,
                                               from_logits=from_logits)
    return values * valid.astype(values.dtype)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Focal loss (Lin et al. 2017): ``sum(alpha (1 - p)**gamma * -y_true log p, axis)``,
    p = y_pred / sum(y_pred) clipped to ``[EPSILON, 1 - EPSILON]``: confident right answers
    weigh little, so training attends to the hard examples."""
    t, p = _pair("categorical_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    if from_logits:
        p = F.softmax(p, axis=axis)
    p = F.clip(p / F.sum(p, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON)
    cce = -t * F.log(p)
    return F.sum(alpha * F.power(1.0 - p, gamma) * cce, axis=axis)


def _last_axis(name, axis):
    if axis != -1:
        raise ValueError(f"{name}: lamina computes this loss over the last axis only; "
                         f"received axis={axis!r} (expected -1)")
