import numpy as np
import pytest

import lamina.layers
from lamina.autograd import Tensor
from lamina.layers import Dense, Input
from lamina.layers.regularization import Dropout, GaussianNoise, SpatialDropout2D
from lamina.models import Sequential
from lamina.random import set_random_seed
from tests.layers.harness import run_layer_test

CLASSES = (Dropout, SpatialDropout2D, GaussianNoise)


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in CLASSES:
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)
    set_random_seed(0)  # the harness's Dense kernels: a repeatable training step


@pytest.mark.parametrize("cls,kwargs,shape", [
    (Dropout, {"rate": 0.5, "seed": 1}, (6, 4)),
    (Dropout, {"rate": 0.0}, (3, 5)),
    (Dropout, {"rate": 0.2, "noise_shape": (None, 1, 4), "seed": 2}, (4, 3, 4)),
    (SpatialDropout2D, {"rate": 0.3, "seed": 0}, (2, 4, 4, 3)),
    (SpatialDropout2D, {"rate": 0.25, "data_format": "channels_first", "seed": 5}, (2, 3, 4, 4)),
    (GaussianNoise, {"stddev": 0.1, "seed": 0}, (5, 3)),
])
def test_shared_layer_test(cls, kwargs, shape, tmp_path):
    run_layer_test(cls, kwargs, shape, shape, 0, tmp_path=tmp_path)


def test_dropout_keeps_the_expected_value():
    x = np.ones((200, 500), "float32")
    out = Dropout(0.3, seed=0)(x, training=True).data
    assert out.dtype == np.float32
    assert abs((out == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.01


def test_dropout_is_the_identity_at_inference():
    x = np.random.default_rng(0).standard_normal((4, 5)).astype("float32")
    layer = Dropout(0.5, seed=0)
    np.testing.assert_array_equal(layer(x).data, x)  # training=None: inference
    np.testing.assert_array_equal(layer(x, training=False).data, x)
    model = Sequential([Input(shape=(5,)), Dropout(0.9, seed=0), Dense(2)])
    dense = model.layers[1]
    expected = x @ dense.kernel.data + dense.bias.data
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    trained = model(x, training=True).data  # fit's mode: units are dropped
    assert not np.allclose(trained, expected)


def test_same_seed_same_masks_and_fresh_masks_per_call():
    x = np.ones((8, 16), "float32")
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first_a, first_b = a(x, training=True).data, b(x, training=True).data
    np.testing.assert_array_equal(first_a, first_b)
    np.testing.assert_array_equal(a(x, training=True).data, b(x, training=True).data)
    assert not np.array_equal(a(x, training=True).data, first_a)  # a new mask each step
    assert not np.array_equal(Dropout(0.5, seed=4)(x, training=True).data, first_a)


def test_dropout_gradient_is_the_scaled_mask():
    x = Tensor(np.full((6, 7), 2.0, "float32"), requires_grad=True)
    out = Dropout(0.25, seed=1)(x, training=True)
    out.sum().backward()
    mask = out.data / 2.0
    assert set(np.unique(mask)) == {0.0, np.float32(1 / 0.75)}
    np.testing.assert_allclose(x.grad, mask)


def test_dropout_noise_shape_shares_the_mask():
    x = np.ones((3, 5, 4), "float32")
    out = Dropout(0.5, noise_shape=(None, 1, 4), seed=0)(x, training=True).data
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1, :], out.shape))
    assert 0 < (out == 0).sum() < out.size


@pytest.mark.parametrize("data_format,shape,channel_axis", [
    ("channels_last", (4, 3, 5, 6), 3), ("channels_first", (4, 6, 3, 5), 1)])
def test_spatial_dropout_drops_whole_channels(data_format, shape, channel_axis):
    x = np.random.default_rng(0).uniform(1, 2, shape).astype("float32")
    out = SpatialDropout2D(0.5, data_format=data_format, seed=0)(x, training=True).data
    other = tuple(a for a in (1, 2, 3) if a != channel_axis)
    dropped = (out == 0).all(axis=other)  # (N, C): whole feature maps
    kept = np.isclose(out, 2 * x).all(axis=other)
    assert (dropped ^ kept).all()
    assert dropped.any() and kept.any()
    np.testing.assert_array_equal(SpatialDropout2D(0.5, seed=0)(x).data, x)


def test_gaussian_noise_statistics_seed_and_inference():
    x = np.zeros((200, 500), "float32")
    out = GaussianNoise(0.5, seed=0)(x, training=True)
    assert out.dtype == np.float32
    assert abs(out.data.mean()) < 0.01 and abs(out.data.std() - 0.5) < 0.01
    np.testing.assert_array_equal(GaussianNoise(0.5, seed=0)(x, training=True).data, out.data)
    np.testing.assert_array_equal(GaussianNoise(0.5, seed=0)(x).data, x)
    x64 = Tensor(np.ones((2, 3)), dtype="float64", requires_grad=True)
    noisy = GaussianNoise(0.1, seed=1, dtype="float64")(x64, training=True)
    assert noisy.dtype == np.float64
    assert GaussianNoise(0.1, seed=1)(x64, training=True).dtype == np.float32  # autocast
    noisy.sum().backward()  # x + noise: the gradient passes unchanged
    np.testing.assert_array_equal(x64.grad, np.ones((2, 3)))


def test_configs_round_trip():
    layer = Dropout(0.4, noise_shape=(None, 1), seed=7)
    assert layer.get_config()["noise_shape"] == [None, 1]
    assert Dropout.from_config(layer.get_config()).get_config() == layer.get_config()
    spatial = SpatialDropout2D(0.1, seed=2).get_config()
    assert spatial["rate"] == 0.1 and spatial["data_format"] == "channels_last"
    assert "noise_shape" not in spatial
    noise = GaussianNoise(0.2, seed=3).get_config()
    assert noise["stddev"] == 0.2 and noise["seed"] == 3


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5, "0.5", None, True])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match=r"Dropout: invalid value received for argument `rate`; "
                                         r"expected a float in \[0, 1\)"):
        Dropout(rate)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"SpatialDropout2D: invalid value received for "
                                         r"argument `rate`.*rate=1"):
        SpatialDropout2D(1)
    with pytest.raises(ValueError, match=r"noise_shape must be a tuple of positive ints or None "
                                         r".*received noise_shape=\(0, 2\)"):
        Dropout(0.5, noise_shape=(0, 2))
    with pytest.raises(ValueError, match="Dropout: seed must be None or a non-negative int; "
                                         "received seed=-1"):
        Dropout(0.5, seed=-1)
    with pytest.raises(ValueError, match="GaussianNoise: invalid value received for argument "
                                         "`stddev`; expected a float >= 0, received stddev=-1"):
        GaussianNoise(-1)
    with pytest.raises(ValueError, match="data_format must be 'channels_last' or "
                                         "'channels_first'; received data_format='NHWC'"):
        SpatialDropout2D(0.1, data_format="NHWC")
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        SpatialDropout2D(0.1)(np.ones((2, 3, 4), "float32"), training=True)
    with pytest.raises(ValueError, match=r"dropout: noise_shape must have one entry per input "
                                         r"axis"):
        Dropout(0.5, noise_shape=(None, 1))(np.ones((2, 3, 4), "float32"), training=True)


def test_keras1_p_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="use `rate`"):
        assert Dropout(p=0.8).rate == 0.8
