"""MeanIoU against the formula: IoU_c = cm[c,c] / (row_c + col_c - cm[c,c]), mean over the
classes whose denominator is not zero."""

import numpy as np
import pytest

from lamina import metrics
from lamina.metrics import MeanIoU


def iou_by_hand(y_true, y_pred, num_classes, weights=None):
    """The formula written out with a plain loop over pixels."""
    weights = np.ones(len(y_true)) if weights is None else weights
    cm = np.zeros((num_classes, num_classes))
    for t, p, w in zip(y_true, y_pred, weights):
        cm[t, p] += w
    ious = []
    for c in range(num_classes):
        denominator = cm[c, :].sum() + cm[:, c].sum() - cm[c, c]
        if denominator:
            ious.append(cm[c, c] / denominator)
    return sum(ious) / len(ious)


def test_keras_documented_values():
    m = MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert m.result() == pytest.approx(1 / 3, rel=1e-12)
    m.reset_state()
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    # class 0: 0.3 / 0.9; class 1: 0.1 / 0.7
    assert m.result() == pytest.approx((0.3 / 0.9 + 0.1 / 0.7) / 2, rel=1e-12)
    assert m.name == "mean_io_u"


def test_random_segmentations_accumulate_over_batches():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, (6, 8, 8))
    scores = rng.random((6, 8, 8, 4))
    y_pred = scores.argmax(axis=-1)
    m = MeanIoU(num_classes=4, sparse_y_pred=False)
    m.update_state(y_true[:4], scores[:4])
    m.update_state(y_true[4:], scores[4:])
    expected = iou_by_hand(y_true.ravel(), y_pred.ravel(), 4)
    assert m.result() == pytest.approx(expected, rel=1e-12)
    assert 0.1 < expected < 0.2       # random guesses among 4 classes: about 1/7


def test_absent_class_is_left_out_and_ignore_class_masks():
    m = MeanIoU(num_classes=3)
    m.update_state([0, 0, 1, 1], [0, 0, 1, 0])       # class 2 never appears
    assert m.result() == pytest.approx((2 / 3 + 1 / 2) / 2, rel=1e-12)
    m = MeanIoU(num_classes=3, ignore_class=2)
    m.update_state([0, 2, 1, 2], [0, 1, 1, 0])        # the two label-2 pixels do not count
    assert m.result() == pytest.approx(1.0)


def test_one_hot_labels_and_per_image_weights():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 3, (4, 5, 5))
    y_pred = rng.integers(0, 3, (4, 5, 5))
    one_hot = np.eye(3)[y_true]
    weights = np.array([1.0, 0.0, 2.0, 0.5])
    m = MeanIoU(num_classes=3, sparse_y_true=False)
    m.update_state(one_hot, y_pred, sample_weight=weights)
    per_pixel = np.repeat(weights, 25)
    assert m.result() == pytest.approx(
        iou_by_hand(y_true.ravel(), y_pred.ravel(), 3, per_pixel), rel=1e-12)


def test_errors_and_config():
    with pytest.raises(ValueError, match="num_classes"):
        MeanIoU(num_classes=1)
    m = MeanIoU(num_classes=2)
    with pytest.raises(ValueError, match="sparse_y_pred=False"):
        m.update_state([0, 1], [0, 5])
    with pytest.raises(ValueError, match="labels"):
        m.update_state([0, 1, 1], [0, 1])
    restored = metrics.deserialize(metrics.serialize(MeanIoU(4, ignore_class=0)))
    assert restored.num_classes == 4 and restored.ignore_class == 0
