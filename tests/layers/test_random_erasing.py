"""RandomErasing: Keras 3's sampling, checked by its statistics (the rectangle's sides are
sqrt(U(scale)) of the image's, each image erased with a probability drawn from factor, the
noise fill is normal times value_range[1], clipped), seeded, the identity at inference."""

import json

import numpy as np
import pytest

from lamina import layers, models

N, SIZE = 4000, 64


def erased(layer, n=N, size=SIZE, channels=1, value=0.0):
    """The layer's output on constant images, and the mask of the pixels it changed."""
    x = np.full((n, size, size, channels), value, "float32")
    out = layer(x, training=True).data
    return out, out != value


def mean_sqrt_uniform(a, b):
    """E[sqrt(u)] for u uniform on [a, b]."""
    return 2.0 / 3.0 * (b ** 1.5 - a ** 1.5) / (b - a)


def test_rectangles_follow_keras_sampling():
    a, b = 0.02, 0.33
    out, mask = erased(layers.RandomErasing(fill_value=1.0, value_range=(0, 1), seed=0))
    np.testing.assert_array_equal(out[mask], 1.0)
    m = mask[..., 0]
    hit = m.any(axis=(1, 2))
    # factor=1.0: each image's probability is uniform on (0, 1), so half are erased
    assert abs(hit.mean() - 0.5) < 5 * np.sqrt(0.25 / N)
    rows, cols = m[hit].any(axis=2), m[hit].any(axis=1)
    # each erased region is one full rectangle
    np.testing.assert_array_equal(m[hit], rows[:, :, None] & cols[:, None, :])
    h, w = rows.sum(1) / SIZE, cols.sum(1) / SIZE
    for side in (h, w):
        # the sides are sqrt(u) of the image's, u in [a, b]: within a pixel of the bounds
        assert side.min() >= np.sqrt(a) - 1 / SIZE and side.max() <= np.sqrt(b) + 1 / SIZE
        assert side.min() < np.sqrt(a) + 0.02 and side.max() > np.sqrt(b) - 0.02
        # the mean: E[sqrt(u)] = 0.4016; 5 standard errors (the spread of sqrt(u) is
        # below (sqrt(b) - sqrt(a)) / sqrt(12)) plus the pixel rounding of a start uniform
        # over the free length M >= 0.42 * SIZE (at most 1/M pixel on average)
        tolerance = (5 * (np.sqrt(b) - np.sqrt(a)) / np.sqrt(12 * len(side))
                     + 1 / (0.42 * SIZE) / SIZE)
        assert abs(side.mean() - mean_sqrt_uniform(a, b)) < tolerance
    # the two sides are drawn independently: the area fraction averages 0.4016^2 = 0.161
    assert abs((h * w).mean() - mean_sqrt_uniform(a, b) ** 2) < 0.01
    assert abs(np.corrcoef(h, w)[0, 1]) < 5 / np.sqrt(len(h))
    # the start is a float uniform in [0, free length]: the last row and column are reached
    # (when the start exceeds M - 1: probability 1/M, 2-4% here), the first only at a start
    # of exactly 0 (never, in Keras as here: pixel i is erased when start <= i < end)
    assert rows[:, -1].mean() > 0.01 and cols[:, -1].mean() > 0.01
    assert not rows[:, 0].any() and not cols[:, 0].any()


def test_factor_and_scale_ranges():
    _, mask = erased(layers.RandomErasing(factor=(0.2, 0.4), scale=(0.25, 0.25),
                                          fill_value=1.0, value_range=(0, 1), seed=1))
    hit = mask.any(axis=(1, 2, 3))
    assert abs(hit.mean() - 0.3) < 5 * np.sqrt(0.3 * 0.7 / N)  # mean probability 0.3
    sides = mask[hit, :, :, 0].any(axis=2).sum(1)
    assert set(sides.tolist()) <= {SIZE // 2, SIZE // 2 + 1}  # sqrt(0.25) = half a side
    _, none = erased(layers.RandomErasing(factor=0.0, seed=2), n=50)
    assert not none.any()


def test_noise_fill_is_normal_times_the_range_clipped():
    out, mask = erased(layers.RandomErasing(factor=(1.0, 1.0), seed=3), n=500, value=100.0)
    values = out[mask]
    assert values.min() >= 0 and values.max() <= 255 and values.size > 100_000
    # P(z <= 0) = 0.5 at 0, P(z >= 1) = 0.1587 at 255 (each pixel drawn independently)
    assert abs((values == 0).mean() - 0.5) < 0.005
    assert abs((values == 255).mean() - 0.158655) < 0.005
    inside = values[(values > 0) & (values < 255)]
    # the normal restricted to (0, 1): mean (phi(0) - phi(1)) / (Phi(1) - Phi(0)) = 0.4599
    assert abs(inside.mean() / 255 - 0.4599) < 0.005


def test_per_channel_fill_and_one_image():
    layer = layers.RandomErasing(factor=(1.0, 1.0), fill_value=[0.0, 1.0, 20.0],
                                 value_range=(0, 10), seed=4)
    out, mask = erased(layer, n=20, size=16, channels=3, value=5.0)
    assert (mask == mask[..., :1]).all()  # the same rectangle in every channel
    np.testing.assert_array_equal(out[mask[..., 0]], np.tile([0.0, 1.0, 10.0],
                                                              (mask[..., 0].sum(), 1)))
    single = layer(np.full((16, 16, 3), 5.0, "float32"), training=True).data
    assert single.shape == (16, 16, 3) and (single != 5.0).any()


def test_seeded_reproducible_and_identity_at_inference(tmp_path):
    x = np.random.default_rng(0).random((8, 12, 12, 2)).astype("float32")
    a = layers.RandomErasing(factor=(1.0, 1.0), value_range=(0, 1), seed=5)
    b = layers.RandomErasing.from_config(json.loads(json.dumps(a.get_config())))
    first = a(x, training=True).data
    np.testing.assert_array_equal(first, b(x, training=True).data)
    assert not np.array_equal(first, a(x, training=True).data)  # a new draw each call
    c = layers.RandomErasing(factor=(1.0, 1.0), value_range=(0, 1), seed=6)
    assert not np.array_equal(first, c(x, training=True).data)
    np.testing.assert_array_equal(a(x, training=False).data, x)
    model = models.Sequential([layers.Input((12, 12, 2)), a])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    model.save(tmp_path / "m.lamina")
    loaded = models.load_model(tmp_path / "m.lamina")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), x)
    assert loaded.layers[-1].get_config()["factor"] == (1.0, 1.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 1.5}, r"RandomErasing: `factor` must be .*; received factor=1.5"),
    ({"scale": (2.0, 3.0)}, r"RandomErasing: `scale` must be .*; received scale=\(2.0, 3.0\)"),
    ({"fill_value": "grey"}, r"RandomErasing: `fill_value` must be None, a number or a list "
                             r"of three numbers; received fill_value='grey'"),
    ({"fill_value": [1.0, 2.0]}, r"received fill_value=\[1.0, 2.0\]"),
    ({"value_range": (1, 1)}, r"RandomErasing: `value_range` must be a pair \(low, high\) "
                              r"with low < high; received value_range=\(1, 1\)"),
    ({"data_format": "channels_first"}, r"RandomErasing: only data_format='channels_last'"),
    ({"seed": -1}, r"RandomErasing: seed must be None or a non-negative int; received "
                   r"seed=-1"),
])
def test_errors_name_the_argument_and_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.RandomErasing(**kwargs)
    with pytest.raises(ValueError, match=r"RandomErasing '.*': expected images of shape"):
        layers.RandomErasing()(np.zeros((2, 3), "float32"), training=True)
    with pytest.raises(ValueError, match=r"RandomErasing '.*': a `fill_value` of three numbers "
                                         r"needs images with 3 channels; received fill_value="
                                         r"\[1, 2, 3\] for images of shape \(2, 4, 4, 1\)"):
        layers.RandomErasing(fill_value=[1, 2, 3])(np.zeros((2, 4, 4, 1), "float32"))
