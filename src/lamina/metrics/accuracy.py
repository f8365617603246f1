"""Accuracy metrics: exact, binary, categorical (one-hot), sparse (integer ids), top-k.

Each is a per-sample function (``binary_accuracy(y_true, y_pred)`` -> values of shape
``(batch,)``) and a metric class that averages it over an epoch.

``'accuracy'`` in ``compile`` means the right one of these for the labels and loss:
see :func:`accuracy_kind` and :class:`AutoAccuracy`.
"""

from __future__ import annotations

import numbers

from lamina.backend import get_array_module
from lamina.metrics.base import (
    FixedFunctionMetric,
    MeanMetricWrapper,
    check_same_shape,
    per_sample_mean,
    prediction_pair,
    register,
    squeeze_or_expand_to_same_rank,
)

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "AutoAccuracy",
    "accuracy_kind",
]

_ONE_HOT_HINT = (" (one-hot labels, one column per class; for integer class ids use "
                 "sparse_categorical_accuracy)")


@register
def accuracy(y_true, y_pred):
    """1.0 where ``y_pred`` equals ``y_true`` exactly (averaged over the last axis)."""
    y_true, y_pred = prediction_pair(y_true, y_pred, "accuracy")
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape("accuracy", y_true, y_pred)
    return per_sample_mean(y_true == y_pred)


@register
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``(y_pred > threshold)`` equals the 0/1 label (averaged over the last axis).

    Shapes: ``(batch,)`` or ``(batch, k)``; ``(batch, 1)`` against ``(batch,)`` is fine.
    """
    y_true, y_pred = prediction_pair(y_true, y_pred, "binary_accuracy")
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape("binary_accuracy", y_true, y_pred)
    return per_sample_mean(y_true == (y_pred > threshold).astype(y_true.dtype))


@register
def categorical_accuracy(y_true, y_pred):
    """1.0 where the largest prediction is the one-hot label's class.

    Shapes: ``y_true`` and ``y_pred`` both ``(batch, classes)``; result ``(batch,)``.
    """
    y_true, y_pred = prediction_pair(y_true, y_pred, "categorical_accuracy")
    check_same_shape("categorical_accuracy", y_true, y_pred, _ONE_HOT_HINT)
    xp = get_array_module(y_pred)
    return per_sample_mean((xp.argmax(y_true, axis=-1) == xp.argmax(y_pred, axis=-1))[..., None])


def _class_ids(where, y_true, y_pred):
    """Integer labels as ``y_pred.shape[:-1]`` (a trailing axis of size 1 is dropped)."""
    if y_true.ndim == y_pred.ndim and y_true.ndim >= 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_pred.ndim < 1 or y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"{where}: y_true should hold one integer class id per sample, shape "
            f"{y_pred.shape[:-1]} for y_pred of shape {y_pred.shape}; received y_true of "
            f"shape {y_true.shape} (for one-hot labels use the non-sparse metric)"
        )
    return y_true


@register
def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the largest prediction is at the integer label.

    Shapes: ``y_true`` ``(batch,)`` or ``(batch, 1)``; ``y_pred`` ``(batch, classes)``.
    """
    y_true, y_pred = prediction_pair(y_true, y_pred, "sparse_categorical_accuracy")
    y_true = _class_ids("sparse_categorical_accuracy", y_true, y_pred)
    xp = get_array_module(y_pred)
    return per_sample_mean((y_true == xp.argmax(y_pred, axis=-1))[..., None])


def _in_top_k(where, targets, predictions, k):
    """Whether each target's score is among the ``k`` largest of its row.

    Ties count in the target's favour (as ``tf.math.in_top_k``): the target is in the
    top k when fewer than k classes score strictly higher. A NaN score is never in it.
    """
    xp = get_array_module(predictions)
    classes = predictions.shape[-1]
    rows = predictions.reshape(-1, classes)
    ids = targets.reshape(-1)
    if ids.size and (ids.min() < 0 or ids.max() >= classes or (ids != ids.astype(int)).any()):
        raise ValueError(
            f"{where}: labels must be class ids in [0, {classes}); received values from "
            f"{ids.min()} to {ids.max()}"
        )
    ids = ids.astype(int)
    target_scores = xp.take_along_axis(rows, ids[:, None], axis=1)
    higher = (rows > target_scores).sum(axis=1)
    inside = (higher < k) & ~xp.isnan(target_scores[:, 0])
    return inside.reshape(targets.shape)


def _check_k(k, where):
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"{where}: k must be a positive int; received k={k!r}")
    return int(k)


@register
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the ``k`` largest predictions."""
    where = "top_k_categorical_accuracy"
    y_true, y_pred = prediction_pair(y_true, y_pred, where)
    check_same_shape(where, y_true, y_pred, _ONE_HOT_HINT)
    targets = get_array_module(y_true).argmax(y_true, axis=-1)
    return per_sample_mean(_in_top_k(where, targets, y_pred, _check_k(k, where))[..., None])


@register
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the ``k`` largest predictions."""
    where = "sparse_top_k_categorical_accuracy"
    y_true, y_pred = prediction_pair(y_true, y_pred, where)
    targets = _class_ids(where, y_true, y_pred)
    return per_sample_mean(_in_top_k(where, targets, y_pred, _check_k(k, where))[..., None])


class Accuracy(FixedFunctionMetric):
    """How often predictions equal labels exactly (for class ids predicted as ids)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(FixedFunctionMetric):
    """How often ``y_pred > threshold`` matches 0/1 labels.

    Args:
        name: history key (default ``'binary_accuracy'``).
        dtype: computation dtype.
        threshold: in (0, 1), default 0.5; predictions above it count as class 1
            (probabilities: apply a sigmoid to logits first).
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if threshold is not None and not 0 < threshold < 1:
            raise ValueError(
                f"BinaryAccuracy: threshold must be in (0, 1); received threshold={threshold}"
            )
        threshold = 0.5 if threshold is None else float(threshold)
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(FixedFunctionMetric):
    """How often the largest prediction matches the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(FixedFunctionMetric):
    """How often the largest prediction is at the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(FixedFunctionMetric):
    """How often the one-hot label is among the ``k`` (default 5) largest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        self.k = _check_k(k, "TopKCategoricalAccuracy")
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=self.k)


class SparseTopKCategoricalAccuracy(FixedFunctionMetric):
    """How often the integer label is among the ``k`` (default 5) largest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        self.k = _check_k(k, "SparseTopKCategoricalAccuracy")
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=self.k)


_BINARY_LOSSES = {"binarycrossentropy", "bce", "binaryfocalcrossentropy", "hinge",
                  "squaredhinge"}
_SPARSE_LOSSES = {"sparsecategoricalcrossentropy"}
_CATEGORICAL_LOSSES = {"categoricalcrossentropy", "cce", "categoricalhinge",
                       "categoricalfocalcrossentropy", "kldivergence", "kld",
                       "kullbackleiblerdivergence"}


def _loss_key(loss):
    """A loss (a name, a function, a Loss object or a wrapped function) as a lower-case key
    without underscores; the first of its names that is a known loss wins."""
    if loss is None:
        return None
    names = [loss] if isinstance(loss, str) else [
        getattr(loss, "__name__", None), type(loss).__name__, getattr(loss, "name", None),
        getattr(getattr(loss, "fn", None), "__name__", None)]
    keys = [n.lower().replace("_", "") for n in names if isinstance(n, str)]
    known = _BINARY_LOSSES | _SPARSE_LOSSES | _CATEGORICAL_LOSSES
    return next((k for k in keys if k in known), keys[0] if keys else None)


def accuracy_kind(loss=None, y_true_shape=None, y_pred_shape=None):
    """Which accuracy ``'accuracy'`` means: ``'binary'``, ``'sparse'``, ``'categorical'``, or
    None when the loss and shapes given do not decide it yet.

    As Keras's ``compile``: binary when the loss is binary cross-entropy or the model has one
    output unit; sparse categorical when the labels are integer class ids (``y_true`` has one
    axis fewer than ``y_pred``, or a last axis of 1 while ``y_pred``'s is > 1, or the loss is
    sparse categorical cross-entropy); categorical (one-hot) otherwise.
    """
    key = _loss_key(loss)
    if key in _BINARY_LOSSES:
        return "binary"
    if y_pred_shape is not None:
        y_pred_shape = tuple(y_pred_shape)
        if len(y_pred_shape) <= 1 or y_pred_shape[-1] == 1:
            return "binary"
    if key in _SPARSE_LOSSES:
        return "sparse"
    if y_true_shape is not None and y_pred_shape is not None:
        y_true_shape = tuple(y_true_shape)
        sparse = len(y_true_shape) < len(y_pred_shape) or (
            len(y_true_shape) >= 1 and y_true_shape[-1] == 1 and y_pred_shape[-1] > 1)
        return "sparse" if sparse else "categorical"
    if key in _CATEGORICAL_LOSSES:
        return "categorical"
    return None


ACCURACY_CLASSES = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
                    "categorical": CategoricalAccuracy}
_ACCURACY_FUNCTIONS = {"binary": binary_accuracy, "sparse": sparse_categorical_accuracy,
                       "categorical": categorical_accuracy}


class AutoAccuracy(MeanMetricWrapper):
    """``'accuracy'`` before the shapes are known: picks binary, sparse categorical or
    categorical accuracy (see :func:`accuracy_kind`) from the loss and the first batch.

    Args:
        name: history key (default ``'accuracy'``).
        dtype: computation dtype.
        loss: the model's loss (name, function or object), or None.
    """

    def __init__(self, name="accuracy", dtype=None, loss=None):
        super().__init__(None, name=name, dtype=dtype)
        self.loss = loss if loss is None or isinstance(loss, str) else (
            getattr(loss, "__name__", None) or type(loss).__name__)
        self.kind = accuracy_kind(self.loss)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._fn is None:
            y_true, y_pred = prediction_pair(y_true, y_pred, self.name)
            self.kind = accuracy_kind(self.loss, y_true.shape, y_pred.shape)
            self._fn = _ACCURACY_FUNCTIONS[self.kind]
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "loss": self.loss}
