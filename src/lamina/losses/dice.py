"""Keras's ``Dice`` loss for segmentation masks."""

from __future__ import annotations

from lamina.autograd import ops as F
from lamina.losses.base import Loss, as_target, check_same_shape


class Dice(Loss):
    """Keras's ``Dice``: ``1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + 1e-7)``.

    The sums run over ``axis`` (all axes when None, Keras's default: one value for the
    whole batch; ``axis=(1, 2, 3)`` gives one per image). ``y_true`` is one-hot (or a
    0/1 mask) of ``y_pred``'s shape; ``y_pred`` probabilities (softmax or sigmoid).
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(name, reduction, dtype)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, y_true, y_pred):
        y_true = as_target(y_true, y_pred)
        check_same_shape("Dice", y_true, y_pred)
        overlap = F.sum(y_true * y_pred, axis=self.axis)
        total = F.sum(y_true, axis=self.axis) + F.sum(y_pred, axis=self.axis) + 1e-7
        return 1.0 - 2.0 * overlap / total

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
