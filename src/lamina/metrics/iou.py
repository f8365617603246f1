"""Intersection over union from a running confusion matrix: ``MeanIoU`` as Keras's.

Every pixel (every entry after flattening) is one sample. The (weighted) confusion matrix
``cm[true, pred]`` adds up over the epoch; then, per class ``c``::

    IoU_c = cm[c, c] / (sum_j cm[c, j] + sum_i cm[i, c] - cm[c, c])

and the mean IoU is the average over the classes whose denominator is not zero (classes
that appear neither in the labels nor in the predictions are left out, as in Keras).
"""

from __future__ import annotations

import numbers

import numpy

from lamina.metrics.base import Metric, to_array

__all__ = ["MeanIoU", "iou_per_class"]


def iou_per_class(matrix):
    """``(iou, valid)``: each class's IoU from a confusion matrix ``cm[true, pred]`` and
    whether its denominator is non-zero (IoU is 0 where it is zero)."""
    matrix = numpy.asarray(matrix, dtype=numpy.float64)
    tp = numpy.diag(matrix)
    denominator = matrix.sum(axis=0) + matrix.sum(axis=1) - tp
    valid = denominator != 0
    iou = numpy.divide(tp, denominator, out=numpy.zeros_like(tp), where=valid)
    return iou, valid


class MeanIoU(Metric):
    """Mean intersection over union of semantic segmentation, Keras's ``MeanIoU``.

    Args:
        num_classes: the number of classes (labels are ``0 .. num_classes - 1``).
        name: history key (default ``'mean_io_u'``, Keras's).
        dtype: dtype of the result.
        ignore_class: a label whose pixels are left out (e.g. 255 for "unlabelled").
        sparse_y_true: labels are class ids (True) or one-hot / scores along ``axis`` (False:
            their argmax is taken).
        sparse_y_pred: predictions are class ids (True, Keras's default) or scores such as a
            softmax output (False: their argmax is taken; what ``fit`` with a softmax model
            needs).
        axis: the class axis for the argmax.

    Example:
        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> m.result()          # class 0: 1 / (2 + 2 - 1); class 1 the same
        0.3333333333333333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name or "mean_io_u", dtype=dtype)
        if (isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral)
                or num_classes < 2):
            raise ValueError(f"MeanIoU: `num_classes` must be an integer >= 2; received "
                             f"num_classes={num_classes!r}")
        if ignore_class is not None and not isinstance(ignore_class, numbers.Integral):
            raise ValueError(f"MeanIoU: `ignore_class` must be None or an integer label; "
                             f"received ignore_class={ignore_class!r}")
        self.num_classes = int(num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = bool(sparse_y_true)
        self.sparse_y_pred = bool(sparse_y_pred)
        self.axis = int(axis)
        self.reset_state()

    def reset_state(self):
        self.total_cm = numpy.zeros((self.num_classes, self.num_classes), dtype=numpy.float64)

    def _labels(self, values, sparse, which):
        values = to_array(values, self.name, which)
        values = numpy.asarray(values.get() if hasattr(values, "get") else values)
        if not sparse:
            values = numpy.argmax(values, axis=self.axis)
        return values

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add a batch: ``y_true`` and ``y_pred`` as labels (or scores, see the sparse flags)
        of the same number of pixels; ``sample_weight`` broadcastable to the labels."""
        t = self._labels(y_true, self.sparse_y_true, "y_true")
        p = self._labels(y_pred, self.sparse_y_pred, "y_pred")
        if t.size != p.size:
            raise ValueError(f"MeanIoU: y_true has {t.size} labels but y_pred has {p.size}; "
                             "they must match")
        w = numpy.ones(t.shape)
        if sample_weight is not None:
            w = numpy.asarray(to_array(sample_weight, self.name, "sample_weight"),
                              dtype=numpy.float64)
            w = w.reshape(w.shape + (1,) * (t.ndim - w.ndim))  # (batch,) -> (batch, 1, 1)
            try:
                w = numpy.broadcast_to(w, t.shape)
            except ValueError:
                raise ValueError(f"MeanIoU: sample_weight of shape {w.shape} does not "
                                 f"broadcast to the labels' shape {t.shape}") from None
        t, p, w = t.reshape(-1), p.reshape(-1), w.reshape(-1)
        t, p = t.astype(numpy.int64), p.astype(numpy.int64)  # truncates, as Keras's cast
        keep = numpy.ones(t.shape, dtype=bool)
        if self.ignore_class is not None:
            keep &= t != self.ignore_class
        t, p, w = t[keep], p[keep], w[keep]
        bad = (t < 0) | (t >= self.num_classes) | (p < 0) | (p >= self.num_classes)
        if bad.any():
            raise ValueError(f"MeanIoU: labels and predictions must be in [0, "
                             f"{self.num_classes - 1}] (num_classes={self.num_classes}); "
                             f"received values from {min(t.min(), p.min())} to "
                             f"{max(t.max(), p.max())}. For softmax outputs pass "
                             "sparse_y_pred=False")
        self.total_cm += numpy.bincount(t * self.num_classes + p, weights=w,
                                        minlength=self.num_classes ** 2).reshape(
            self.num_classes, self.num_classes)

    def result(self) -> float:
        iou, valid = iou_per_class(self.total_cm)
        n = int(valid.sum())
        return float(iou[valid].sum() / n) if n else 0.0

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
