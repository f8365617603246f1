"""Confusion-matrix counts as metrics: TruePositives, FalsePositives, TrueNegatives,
FalseNegatives (Keras 3's classes).

A prediction counts as positive when it is strictly greater than the threshold (0.5 by
default), a label when it is non-zero; the (weighted) counts add up over the epoch.
With a list of thresholds, ``result()`` is an array with one count per threshold.
"""

from __future__ import annotations

import numbers

import numpy

from lamina.metrics.base import Metric
from lamina.metrics.confusion import _thresholds, confusion_counts

__all__ = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]


class _Count(Metric):
    """One of the four counts of :func:`confusion_counts` (``_index`` picks which)."""

    _index = 0

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5, type(self).__name__)
        self.reset_state()

    def reset_state(self):
        self.accumulator = numpy.zeros(len(self.thresholds))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                  where=self.name)
        self.accumulator += counts[self._index]

    def result(self):
        """A float for one threshold, an array (one count per threshold) for several."""
        if len(self.thresholds) == 1:
            return float(self.accumulator[0])
        return self.accumulator.astype(self.dtype)

    def get_config(self):
        thresholds = self.init_thresholds
        if thresholds is not None and not isinstance(thresholds, numbers.Real):
            thresholds = [float(t) for t in thresholds]
        return {**super().get_config(), "thresholds": thresholds}


class TruePositives(_Count):
    """The (weighted) number of positive labels predicted positive.

    Example:
        >>> m = TruePositives()
        >>> m([0, 1, 1, 1], [1, 0, 1, 1])
        2.0
    """

    _index = 0


class FalsePositives(_Count):
    """The (weighted) number of negative labels predicted positive."""

    _index = 1


class TrueNegatives(_Count):
    """The (weighted) number of negative labels predicted negative."""

    _index = 2


class FalseNegatives(_Count):
    """The (weighted) number of positive labels predicted negative."""

    _index = 3
