"""F-scores as Keras 3 computes them: ``FBetaScore`` and ``F1Score``.

For (batch, classes) labels and scores: a score is positive when it is above
``threshold`` or, with ``threshold=None``, when it is the row's largest (and non-zero).
Per class (or over all entries for ``average='micro'``) the weighted counts add up over
the epoch; then precision ``p = tp / (tp + fp + eps)``, recall ``r = tp / (tp + fn +
eps)`` and ``F = (1 + beta**2) p r / (beta**2 p + r + eps)``, with ``eps = 1e-7``.
``average``: None (one score per class, an array), ``'micro'``, ``'macro'`` (the mean of
the per-class scores) or ``'weighted'`` (weighted by each class's number of labels).
"""

from __future__ import annotations

import numbers

import numpy

from lamina.metrics.base import Metric, prediction_pair, to_array

__all__ = ["FBetaScore", "F1Score"]

EPSILON = 1e-7
AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score: recall weighs ``beta`` times as much as precision.

    Args:
        average: None, ``'micro'``, ``'macro'`` or ``'weighted'`` (see the module).
        beta: a number > 0 (1: the F1 score).
        threshold: a number in (0, 1], or None (the largest score of each row is positive).
        name, dtype: as every metric.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        where = type(self).__name__
        if average not in AVERAGES:
            raise ValueError(f"{where}: average must be one of {list(AVERAGES)}; received "
                             f"average={average!r}")
        if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or beta <= 0:
            raise ValueError(f"{where}: beta must be a number > 0; received beta={beta!r}")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(
                threshold, numbers.Real) or not 0 < threshold <= 1):
            raise ValueError(f"{where}: threshold must be a number in (0, 1] or None; "
                             f"received threshold={threshold!r}")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.reset_state()

    def reset_state(self):
        self.true_positives = self.false_positives = None  # sized at the first batch
        self.false_negatives = self.intermediate_weights = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = prediction_pair(y_true, y_pred, self.name)
        y_true, y_pred = numpy.asarray(y_true), numpy.asarray(y_pred)
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape "
                             f"(batch_size, output_dim); received y_pred.shape={y_pred.shape}"
                             f" and y_true.shape={y_true.shape}")
        dtype = numpy.dtype(self.dtype)
        y_true, y_pred = y_true.astype(dtype), y_pred.astype(dtype)
        if self.threshold is None:
            top = y_pred.max(axis=-1, keepdims=True)
            y_pred = ((y_pred >= top) & (numpy.abs(y_pred) > 1e-9)).astype(dtype)
        else:
            y_pred = (y_pred > self.threshold).astype(dtype)
        weight = None
        if sample_weight is not None:
            weight = to_array(sample_weight, self.name, "sample_weight").astype(dtype)
            weight = numpy.asarray(weight).reshape(-1, 1)
        axis = None if self.average == "micro" else 0

        def weighted_sum(values):
            return (values if weight is None else values * weight).sum(axis=axis)

        counts = [weighted_sum(y_pred * y_true), weighted_sum(y_pred * (1 - y_true)),
                  weighted_sum((1 - y_pred) * y_true), weighted_sum(y_true)]
        if self.true_positives is None:
            self.true_positives, self.false_positives, self.false_negatives, \
                self.intermediate_weights = counts
            return
        self.true_positives = self.true_positives + counts[0]
        self.false_positives = self.false_positives + counts[1]
        self.false_negatives = self.false_negatives + counts[2]
        self.intermediate_weights = self.intermediate_weights + counts[3]

    def result(self):
        """An array (one score per class) for ``average=None``, else a float."""
        if self.true_positives is None:
            return 0.0 if self.average is not None else numpy.zeros(0, dtype=self.dtype)
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        beta2 = self.beta ** 2
        score = (precision * recall) / (beta2 * precision + recall + EPSILON) * (1 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (self.intermediate_weights.sum() + EPSILON)
            return float((score * weights).sum())
        if self.average is not None:
            return float(numpy.mean(score))
        return numpy.asarray(score, dtype=self.dtype)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score, the harmonic mean of precision and recall: ``FBetaScore(beta=1)``."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
