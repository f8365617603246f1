"""Metrics from confusion-matrix counts: Precision, Recall and AUC.

Each prediction (every entry of ``y_pred``, flattened) counts as positive when it is
strictly greater than a threshold; labels count as positive when non-zero. The
(weighted) counts of true/false positives/negatives add up over the epoch, so the
result is exact over all samples, not an average of per-batch values.
"""

from __future__ import annotations

import numbers

import numpy

from lamina.backend import get_array_module
from lamina.metrics.base import Metric, prediction_pair, squeeze_or_expand_to_same_rank, to_array

__all__ = ["Precision", "Recall", "AUC"]

EPSILON = 1e-7  # Keras's backend.epsilon(): the end thresholds of AUC sit just outside [0, 1]
NEG_INF = -1e10  # score given to predictions outside the top k


def _host(a):
    """A NumPy copy of a (possibly CuPy) array, for the small running counts."""
    return a.get() if hasattr(a, "get") else numpy.asarray(a)


def _thresholds(thresholds, default, where):
    if thresholds is None:
        return [default]
    values = [thresholds] if isinstance(thresholds, numbers.Real) else list(thresholds)
    bad = [t for t in values if not isinstance(t, numbers.Real) or not 0 <= t <= 1]
    if bad or not values:
        raise ValueError(f"{where}: thresholds must be numbers in [0, 1]; received {thresholds!r}")
    return [float(t) for t in values]


def _top_k_only(y_pred, k):
    """Keep the ``k`` largest entries of each row (last axis); the others become NEG_INF."""
    xp = get_array_module(y_pred)
    order = xp.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = xp.zeros(y_pred.shape, dtype=bool)
    xp.put_along_axis(keep, order, True, axis=-1)
    return xp.where(keep, y_pred, NEG_INF)


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None,
                     class_id=None, where="metric"):
    """Weighted ``(tp, fp, tn, fn)``, each an array with one count per threshold.

    Args:
        y_true: labels (non-zero = positive), the shape of ``y_pred``.
        y_pred: scores, any shape; compared as ``y_pred > threshold``.
        thresholds: list of floats.
        sample_weight: ``(batch,)`` or broadcastable to ``y_pred``.
        top_k: only the k largest scores of each row may count as positive.
        class_id: only this column (class) of ``y_pred`` / ``y_true`` is counted.
    """
    y_true, y_pred = prediction_pair(y_true, y_pred, where)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
            "they must match"
        )
    xp = get_array_module(y_pred)
    weights = None
    if sample_weight is not None:
        weights = to_array(sample_weight, where, "sample_weight").astype(y_pred.dtype)
        weight_shape = weights.shape
        weights = weights[..., None]
        _, weights = squeeze_or_expand_to_same_rank(y_true, weights, expand_rank_1=False)
    if top_k is not None:
        y_pred = _top_k_only(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2 or not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError(
                f"{where}: class_id={class_id} needs y_pred of shape (batch, classes) with "
                f"more than {class_id} classes; received y_pred of shape {y_pred.shape}"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if weights is None:
        weights = xp.ones(y_pred.shape, dtype=y_pred.dtype)
    else:
        try:
            weights = xp.broadcast_to(weights, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"{where}: sample_weight of shape {weight_shape} does not match y_pred "
                f"of shape {y_pred.shape}; pass one weight per sample"
            ) from None
    labels = (y_true != 0).reshape(-1)
    scores = y_pred.reshape(-1)
    weights = weights.reshape(-1)
    pos_w = xp.where(labels, weights, 0)
    neg_w = weights - pos_w
    # sort the scores once; a threshold's positives are then a suffix of the sorted scores
    order = xp.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    n_valid = int((~xp.isnan(scores)).sum())  # NaN scores sort last and are never positive
    zero = xp.zeros(1, dtype=weights.dtype)
    cum_pos = xp.concatenate([zero, xp.cumsum(pos_w[order])])
    cum_neg = xp.concatenate([zero, xp.cumsum(neg_w[order])])
    thr = xp.asarray(thresholds, dtype=scores.dtype)
    at_most = xp.searchsorted(sorted_scores[:n_valid], thr, side="right")
    tp = cum_pos[n_valid] - cum_pos[at_most]
    fp = cum_neg[n_valid] - cum_neg[at_most]
    return _host(tp), _host(fp), _host(cum_neg[-1] - fp), _host(cum_pos[-1] - tp)


def _ratio(num, den):
    """``num / den`` with 0 where ``den`` is 0 (Keras's divide_no_nan)."""
    return numpy.divide(num, den, out=numpy.zeros_like(num), where=den != 0)


class _ThresholdMetric(Metric):
    """Shared by Precision and Recall: counts per threshold, optional top_k / class_id."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        where = type(self).__name__
        if top_k is not None and (not isinstance(top_k, numbers.Integral) or top_k < 1):
            raise ValueError(f"{where}: top_k must be a positive int; received top_k={top_k!r}")
        if class_id is not None and (not isinstance(class_id, numbers.Integral) or class_id < 0):
            raise ValueError(
                f"{where}: class_id must be a non-negative int; received class_id={class_id!r}"
            )
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else NEG_INF, where)
        self.reset_state()

    def reset_state(self):
        zeros = numpy.zeros(len(self.thresholds))
        self.true_positives, self.false_positives = zeros.copy(), zeros.copy()
        self.true_negatives, self.false_negatives = zeros.copy(), zeros.copy()

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fp, tn, fn = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                          self.top_k, self.class_id, self.name)
        self.true_positives += tp
        self.false_positives += fp
        self.true_negatives += tn
        self.false_negatives += fn

    def _value(self):
        raise NotImplementedError

    def result(self):
        """A float for one threshold, an array (one value per threshold) for several."""
        value = self._value()
        return float(value[0]) if len(self.thresholds) == 1 else value

    def get_config(self):
        thresholds = self.init_thresholds
        if thresholds is not None and not isinstance(thresholds, numbers.Real):
            thresholds = [float(t) for t in thresholds]
        return {**super().get_config(), "thresholds": thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_ThresholdMetric):
    """Of the predictions called positive, the fraction that are: ``tp / (tp + fp)``.

    Args:
        thresholds: a float or a list in [0, 1]; predictions ``> threshold`` are positive
            (default 0.5). With a list, ``result()`` is an array, one value per threshold.
        top_k: count only the ``k`` largest predictions of each sample as positive.
        class_id: look only at this class (column) of multi-class outputs.
        name: history key (default ``'precision'``).
        dtype: computation dtype.

    Example:
        >>> m = Precision()
        >>> m([0, 1, 1, 1], [1, 0, 1, 1])   # 2 true positives, 1 false positive
        0.6666666666666666
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name or "precision", dtype)

    def _value(self):
        return _ratio(self.true_positives, self.true_positives + self.false_positives)


class Recall(_ThresholdMetric):
    """Of the positive labels, the fraction predicted positive: ``tp / (tp + fn)``.

    Args: as :class:`Precision` (default name ``'recall'``).
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name or "recall", dtype)

    def _value(self):
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve, from counts at fixed thresholds.

    Args:
        num_thresholds: number of thresholds, spread evenly over [0, 1] (default 200).
        curve: ``'ROC'`` (default) or ``'PR'``.
        summation_method: ``'interpolation'`` (default: trapezoids for ROC, Davis &
            Goadrich's interpolation for PR), ``'minoring'`` or ``'majoring'``.
        name: history key (default ``'auc'``).
        dtype: computation dtype.
        thresholds: explicit thresholds in [0, 1] (then ``num_thresholds`` is ignored).
        multi_label: only False (all labels flattened into one binary problem).
        num_labels: Keras's label count for ``multi_label=True``; unused here.
        label_weights: one weight per label (last axis of ``y_pred``): each entry of the
            flattened problem counts with its label's weight (and its sample's).
        from_logits: apply a sigmoid to ``y_pred`` first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name or "auc", dtype=dtype)
        if multi_label:
            raise NotImplementedError("AUC: multi_label=True is not supported yet; "
                                      "received multi_label=True (expected False)")
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else [float(w) for w in numpy.ravel(label_weights)])
        if self.label_weights is not None and min(self.label_weights) < 0:
            raise ValueError(f"AUC: label_weights must be non-negative; received "
                             f"label_weights={label_weights!r}")
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR'; received curve={curve!r}")
        methods = ("interpolation", "minoring", "majoring")
        if str(summation_method).lower() not in methods:
            raise ValueError(f"AUC: summation_method must be one of {methods}; received "
                             f"summation_method={summation_method!r}")
        self.curve = str(curve).upper()
        self.summation_method = str(summation_method).lower()
        self.from_logits = bool(from_logits)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_thresholds(thresholds, 0.5, "AUC"))
        else:
            if not isinstance(num_thresholds, numbers.Integral) or num_thresholds < 2:
                raise ValueError(f"AUC: num_thresholds must be an int > 1; received "
                                 f"num_thresholds={num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - EPSILON] + inner + [1.0 + EPSILON]
        self.num_thresholds = len(self.thresholds)
        self.reset_state()

    def reset_state(self):
        zeros = numpy.zeros(self.num_thresholds)
        self.true_positives, self.false_positives = zeros.copy(), zeros.copy()
        self.true_negatives, self.false_negatives = zeros.copy(), zeros.copy()

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = prediction_pair(y_true, y_pred, self.name)
        xp = get_array_module(y_pred)
        if self.from_logits:
            y_pred = 0.5 * (xp.tanh(0.5 * y_pred) + 1.0)  # sigmoid without overflow
        if not self._init_from_thresholds:
            y_pred = xp.clip(y_pred, 0.0, 1.0)
        if self.label_weights is not None:  # one weight per entry: label's times sample's
            weights = xp.broadcast_to(xp.asarray(self.label_weights, dtype=y_pred.dtype),
                                      y_pred.shape)
            if sample_weight is not None:
                sw = xp.asarray(to_array(sample_weight, self.name, "sample_weight"),
                                dtype=y_pred.dtype)
                weights = weights * sw.reshape(sw.shape + (1,) * (y_pred.ndim - sw.ndim))
            sample_weight = weights
        tp, fp, tn, fn = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                          where=self.name)
        self.true_positives += tp
        self.false_positives += fp
        self.true_negatives += tn
        self.false_negatives += fn

    def _interpolate_pr_auc(self):
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _ratio(dtp, numpy.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        p_ratio = numpy.where(both, _ratio(p[:-1], numpy.maximum(p[1:], 0)), 1.0)
        increments = _ratio(slope * (dtp + intercept * numpy.log(p_ratio)),
                            numpy.maximum(tp[1:] + fn[1:], 0))
        return float(increments.sum())

    def result(self) -> float:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        recall = _ratio(tp, tp + self.false_negatives)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + self.true_negatives), recall
        else:
            x, y = recall, _ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = numpy.minimum(y[:-1], y[1:])
        else:
            heights = numpy.maximum(y[:-1], y[1:])
        return float(((x[:-1] - x[1:]) * heights).sum())

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": False, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
