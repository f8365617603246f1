"""Keras's Dice loss: 1 - 2 sum(t p) / (sum t + sum p + 1e-7), from the formula."""

import numpy as np
import pytest

from lamina import losses
from lamina.autograd import Tensor


def dice_by_hand(t, p, axis=None):
    return 1 - 2 * (t * p).sum(axis=axis) / (t.sum(axis=axis) + p.sum(axis=axis) + 1e-7)


def test_dice_over_the_whole_batch_by_default():
    rng = np.random.default_rng(0)
    t = np.eye(3)[rng.integers(0, 3, (2, 4, 4))]
    p = rng.dirichlet(np.ones(3), (2, 4, 4))
    loss = losses.Dice()
    value = loss(t, Tensor(p))
    assert float(value.data) == pytest.approx(dice_by_hand(t, p), rel=1e-12)
    assert losses.get("dice").name == "dice"


def test_dice_per_image_with_axis():
    rng = np.random.default_rng(1)
    t = (rng.random((3, 4, 4, 1)) > 0.5).astype(float)
    p = rng.random((3, 4, 4, 1))
    per_image = losses.Dice(axis=(1, 2, 3), reduction="none")(t, Tensor(p))
    np.testing.assert_allclose(per_image.data, dice_by_hand(t, p, axis=(1, 2, 3)), rtol=1e-12)
    mean = losses.Dice(axis=(1, 2, 3))(t, Tensor(p))
    assert float(mean.data) == pytest.approx(dice_by_hand(t, p, axis=(1, 2, 3)).mean(),
                                             rel=1e-12)


def test_dice_of_a_perfect_prediction_is_zero_and_gradient_flows():
    t = np.eye(2)[[0, 1, 1, 0]]
    assert float(losses.Dice()(t, Tensor(t)).data) == pytest.approx(0.0, abs=1e-7)
    p = Tensor(np.full((4, 2), 0.5), requires_grad=True)
    losses.Dice()(t, p).backward()
    # d/dp of 1 - 2 sum(t p) / (sum t + sum p): -2 t / S + 2 sum(t p) / S^2, S = 4 + 4
    expected = -2 * t / 8 + 2 * 2.0 / 64
    np.testing.assert_allclose(p.grad, expected, rtol=1e-6)


def test_dice_shapes_must_match_and_config_round_trips():
    with pytest.raises(ValueError, match="same shape"):
        losses.Dice()(np.zeros((2, 3)), Tensor(np.zeros((2, 4))))
    restored = losses.deserialize(losses.serialize(losses.Dice(axis=(1, 2))))
    assert restored.axis == (1, 2)
