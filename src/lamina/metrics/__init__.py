"""Metrics: what ``fit`` and ``evaluate`` report besides the loss, with Keras 3's names.

A metric is stateful: ``update_state(y_true, y_pred, sample_weight=None)`` adds a
batch, ``result()`` is the value over all samples since ``reset_state()``::

    >>> from lamina import metrics
    >>> m = metrics.get("accuracy", loss="categorical_crossentropy")
    >>> m.update_state([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]])
    >>> m.update_state([[0, 1]], [[0.4, 0.6]])
    >>> m.result()                     # 2 right out of 3
    0.6666666666666666

Modules: ``base`` (Metric, Mean, Sum, MeanMetricWrapper), ``accuracy``, ``regression``
(MSE, MAE, RMSE), ``confusion`` (Precision, Recall, AUC), ``counts`` (TruePositives...
FalseNegatives), ``f_score`` (F1Score, FBetaScore), ``iou`` (MeanIoU), ``image``
(psnr, ssim, PeakSignalNoiseRatio).
"""

from __future__ import annotations

from lamina._registry import Registry
from lamina.metrics.accuracy import (
    ACCURACY_CLASSES,
    Accuracy,
    AutoAccuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    accuracy_kind,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from lamina.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from lamina.metrics.confusion import AUC, Precision, Recall
from lamina.metrics.counts import FalseNegatives, FalsePositives, TrueNegatives, TruePositives
from lamina.metrics.f_score import F1Score, FBetaScore
from lamina.metrics.image import PeakSignalNoiseRatio, psnr, psnr_per_image, ssim
from lamina.metrics.iou import MeanIoU
from lamina.metrics.regression import (
    MeanAbsoluteError,
    MeanSquaredError,
    RootMeanSquaredError,
    mean_absolute_error,
    mean_squared_error,
)

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "AutoAccuracy",
    "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError",
    "Precision", "Recall", "AUC", "MeanIoU", "PeakSignalNoiseRatio", "psnr", "psnr_per_image",
    "ssim",
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "F1Score",
    "FBetaScore",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "mean_squared_error", "mean_absolute_error", "mse", "mae",
    "accuracy_kind", "get", "serialize", "deserialize",
]

mse = mean_squared_error
mae = mean_absolute_error

_CLASSES = [Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy,
            CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy, AutoAccuracy, MeanSquaredError, MeanAbsoluteError,
            RootMeanSquaredError, Precision, Recall, AUC, MeanIoU, PeakSignalNoiseRatio,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, F1Score, FBetaScore]

ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
# the names users type; each gives a metric instance (functions are wrapped by class)
_NAMES = {
    "mean": Mean, "sum": Sum,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
    "precision": Precision, "recall": Recall, "auc": AUC, "psnr": PeakSignalNoiseRatio,
    "accuracy": Accuracy, "acc": Accuracy,
}
ALL_OBJECTS.update(_NAMES)
_REGISTRY = Registry(
    "metric", Metric, ALL_OBJECTS,
    config_error=(TypeError, "a dict like {'class_name': 'Precision', 'config': {}}"),
    from_callable=MeanMetricWrapper, callable_text="a function fn(y_true, y_pred)",
)


def _accuracy_metric(name, loss, y_true_shape, y_pred_shape):
    """``'accuracy'`` / ``'acc'`` as Keras's compile resolves it, keeping the name given."""
    kind = accuracy_kind(loss, y_true_shape, y_pred_shape)
    if kind is None:
        return AutoAccuracy(name=name, loss=loss)  # decided from the first batch's shapes
    return ACCURACY_CLASSES[kind](name=name)


def serialize(metric) -> dict:
    """``{"class_name": ..., "config": ...}`` for a metric instance."""
    return _REGISTRY.serialize(metric)


def deserialize(config: dict) -> Metric:
    """Rebuild a metric from :func:`serialize`'s dict."""
    return _REGISTRY.deserialize(config)


def get(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """Resolve ``identifier`` to a :class:`Metric` (as ``compile(metrics=[...])`` does).

    Args:
        identifier: a name (``'accuracy'``, ``'acc'``, ``'mse'``, ``'mae'``, ``'precision'``,
            ``'recall'``, ``'top_k_categorical_accuracy'``, class names, ...), a Metric
            instance or class, a config dict, a function ``fn(y_true, y_pred)`` (wrapped in
            :class:`MeanMetricWrapper`), or None.
        loss: the model's loss; helps resolve ``'accuracy'``.
        y_true_shape, y_pred_shape: shapes of the labels and of the model output.

    ``'accuracy'`` / ``'acc'`` become binary accuracy when the loss is binary
    cross-entropy or the output has one unit; sparse categorical accuracy when the
    labels are integer class ids (``y_true`` has one axis fewer than ``y_pred``, or a last
    axis of 1 while ``y_pred``'s is > 1); categorical accuracy otherwise. If the loss and
    shapes given cannot decide, an :class:`AutoAccuracy` decides at its first batch.

    A metric made from a name carries that name (``get('acc').name == 'acc'``), so the
    training history uses the keys the user wrote, as in Keras.
    """
    if not isinstance(identifier, str):
        return _REGISTRY.get(identifier)
    if identifier.lower() in ("accuracy", "acc"):
        return _accuracy_metric(identifier, loss, y_true_shape, y_pred_shape)
    metric = _REGISTRY.get(identifier)
    metric.name = identifier
    return metric
