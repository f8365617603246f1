import numpy as np
import pytest

import lamina.layers
from lamina.autograd import Tensor
from lamina.layers import Dense, Input
from lamina.layers.normalization import BatchNormalization, LayerNormalization
from lamina.models import Sequential
from lamina.optimizers import SGD
from lamina.random import set_random_seed
from tests.layers.harness import run_layer_test


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in (BatchNormalization, LayerNormalization):
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)
    set_random_seed(0)


def _data(*shape, seed=0, loc=0.0, scale=1.0):
    return np.random.default_rng(seed).normal(loc, scale, shape).astype("float32")


def bn_reference(x, gamma, beta, mean, var, eps=1e-3):
    """Plain NumPy in float64: normalize with the given statistics, then scale and shift."""
    x = x.astype("float64")
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@pytest.mark.parametrize("kwargs,shape,n_trainable", [
    ({}, (6, 3), 2),
    ({"axis": 1}, (4, 3, 2), 2),
    ({"center": False}, (5, 4), 1),
    ({"scale": False, "momentum": 0.9}, (4, 3, 3, 2), 1),
])
def test_batch_norm_shared_layer_test(kwargs, shape, n_trainable, tmp_path):
    run_layer_test(BatchNormalization, kwargs, shape, shape, n_trainable, 2, tmp_path=tmp_path)


@pytest.mark.parametrize("kwargs,shape,n_trainable", [
    ({}, (4, 5), 2),
    ({"axis": [1, 2]}, (3, 4, 5), 2),
    ({"axis": 1, "epsilon": 1e-5}, (3, 4, 2), 2),
    ({"center": False, "scale": False}, (4, 6), 0),
])
def test_layer_norm_shared_layer_test(kwargs, shape, n_trainable, tmp_path):
    run_layer_test(LayerNormalization, kwargs, shape, shape, n_trainable, tmp_path=tmp_path)


def test_batch_norm_weights_are_keras_ordered_and_counted():
    layer = BatchNormalization()
    layer(np.zeros((2, 16), "float32"))
    assert [v.path for v in layer.weights] == [f"{layer.name}/{n}" for n in
                                               ("gamma", "beta", "moving_mean", "moving_variance")]
    assert [v.trainable for v in layer.weights] == [True, True, False, False]
    assert layer.count_params() == 64
    assert sum(v.size for v in layer.trainable_weights) == 32
    assert [v.name for v in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    np.testing.assert_array_equal(layer.get_weights()[1], np.zeros(16))
    np.testing.assert_array_equal(layer.get_weights()[3], np.ones(16))
    assert all(w.dtype == np.float32 for w in layer.get_weights())


def test_batch_norm_two_training_steps_then_inference():
    layer = BatchNormalization(momentum=0.9, epsilon=1e-3)
    x1, x2 = _data(8, 3, seed=1, loc=2.0, scale=3.0), _data(8, 3, seed=2, loc=-1.0)
    layer(x1)  # build; inference mode leaves the moving statistics alone
    gamma, beta = np.array([1.5, 0.5, -1.0], "float32"), np.array([0.1, -0.2, 0.3], "float32")
    layer.set_weights([gamma, beta, np.zeros(3, "float32"), np.ones(3, "float32")])
    mean, var = np.zeros(3), np.ones(3)
    for x in (x1, x2):
        out = layer(x, training=True).data
        batch_mean, batch_var = x.astype("float64").mean(0), x.astype("float64").var(0)
        np.testing.assert_allclose(out, bn_reference(x, gamma, beta, batch_mean, batch_var),
                                   rtol=1e-4, atol=1e-5)
        mean = 0.9 * mean + 0.1 * batch_mean
        var = 0.9 * var + 0.1 * batch_var  # the biased batch variance, as Keras
        np.testing.assert_allclose(layer.moving_mean.data, mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.data, var, rtol=1e-5)
    # by hand for channel 0 after two steps: 0.9 * (0.1 * m1) + 0.1 * m2
    m1, m2 = x1[:, 0].mean(), x2[:, 0].mean()
    assert layer.moving_mean.data[0] == pytest.approx(0.09 * m1 + 0.1 * m2, rel=1e-5)
    out = layer(x1, training=False).data
    np.testing.assert_allclose(out, bn_reference(x1, gamma, beta, mean, var), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.data, mean, rtol=1e-5, atol=1e-6)  # unchanged


def test_batch_norm_on_images_and_on_axis_1():
    x = _data(3, 4, 5, 2, seed=3, loc=1.0, scale=2.0)
    out = BatchNormalization()(x, training=True).data  # statistics over N, H, W
    ref = bn_reference(x, 1.0, 0.0, x.mean((0, 1, 2)), x.var((0, 1, 2)))
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
    xt = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # channels_first
    out = BatchNormalization(axis=1)(xt, training=True).data
    np.testing.assert_allclose(out, ref.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5)


def test_batch_norm_gradients_reach_gamma_beta_and_inputs():
    layer = BatchNormalization()
    x = Tensor(_data(6, 3, seed=4), requires_grad=True)
    w = _data(6, 3, seed=5)
    out = layer(x, training=True)
    (out * w).sum().backward()
    xhat = (x.data - x.data.mean(0)) / np.sqrt(x.data.var(0) + 1e-3)
    np.testing.assert_allclose(layer.gamma.grad, (w * xhat).sum(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.beta.grad, w.sum(0), rtol=1e-5)
    assert x.grad.shape == (6, 3) and np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad.sum(0), 0.0, atol=1e-4)  # the mean is removed


def test_frozen_batch_norm_runs_in_inference_mode():
    layer = BatchNormalization()
    x = _data(8, 3, seed=6, loc=3.0)
    layer(x)
    layer.set_weights([np.full(3, 2.0, "float32"), np.ones(3, "float32"),
                       np.full(3, 0.5, "float32"), np.full(3, 4.0, "float32")])
    layer.trainable = False
    out = layer(x, training=True).data
    np.testing.assert_allclose(out, bn_reference(x, 2.0, 1.0, 0.5, 4.0), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.data, np.full(3, 0.5))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_batch_norm_in_fit_updates_statistics_and_predict_uses_them():
    model = Sequential([Input(shape=(2,)), BatchNormalization(momentum=0.5), Dense(1)])
    model.compile(optimizer=SGD(learning_rate=0.0), loss="mse")
    x, y = _data(16, 2, seed=7, loc=4.0), np.zeros((16, 1), "float32")
    model.train_on_batch(x, y)
    bn, dense = model.layers
    np.testing.assert_allclose(bn.moving_mean.data, 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.data, 0.5 + 0.5 * x.var(0), rtol=1e-5)
    expected = bn_reference(x, 1.0, 0.0, bn.moving_mean.data, bn.moving_variance.data)
    expected = expected @ dense.kernel.data + dense.bias.data
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
    model.evaluate(x, y, verbose=0)  # inference: the statistics stay
    np.testing.assert_allclose(bn.moving_mean.data, 0.5 * x.mean(0), rtol=1e-5)


def test_layer_norm_numbers():
    x = _data(3, 4, 5, seed=8, loc=1.0, scale=2.0)
    layer = LayerNormalization()
    layer(x)
    gamma, beta = _data(5, seed=9), _data(5, seed=10)
    layer.set_weights([gamma, beta])
    x64 = x.astype("float64")
    mean, var = x64.mean(-1, keepdims=True), x64.var(-1, keepdims=True)
    np.testing.assert_allclose(layer(x).data, (x64 - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(layer(x, training=True).data, layer(x).data)

    wide = LayerNormalization(axis=[-2, -1], epsilon=1e-5, center=False)
    out = wide(x).data
    assert [v.shape for v in wide.weights] == [(4, 5)]
    mean, var = x64.mean((1, 2), keepdims=True), x64.var((1, 2), keepdims=True)
    np.testing.assert_allclose(out, (x64 - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)


def test_layer_norm_weights_and_config():
    layer = LayerNormalization(axis=1, gamma_regularizer="l2")
    layer(np.ones((2, 3, 4), "float32"))
    assert [v.name for v in layer.weights] == ["gamma", "beta"]
    assert [v.shape for v in layer.weights] == [(3,), (3,)]
    assert len(layer.losses) == 1
    config = layer.get_config()
    assert config["axis"] == 1 and config["epsilon"] == 1e-3 and not config["rms_scaling"]
    assert LayerNormalization.from_config(config).get_config() == config


def test_batch_norm_config_has_every_argument():
    config = BatchNormalization(momentum=0.9, center=False, beta_regularizer="l2").get_config()
    assert {"axis": -1, "momentum": 0.9, "epsilon": 1e-3, "center": False, "scale": True,
            "synchronized": False}.items() <= config.items()
    assert config["moving_variance_initializer"]["class_name"] == "Ones"
    assert BatchNormalization.from_config(config).get_config() == config


def test_bad_arguments_and_inputs():
    with pytest.raises(TypeError, match="BatchNormalization: expected an int for the argument "
                                        "`axis`; received axis=1.5"):
        BatchNormalization(axis=1.5)
    with pytest.raises(ValueError, match=r"argument `momentum`; expected a float >= 0 and <= 1, "
                                         r"received momentum=2"):
        BatchNormalization(momentum=2)
    with pytest.raises(ValueError, match="argument `epsilon`; expected a float > 0"):
        LayerNormalization(epsilon=0)
    with pytest.raises(ValueError, match=r"axis=3 is out of range for inputs of shape \(None, 4\); "
                                         r"expected an axis in \[-1, 1\] \(not the batch axis\)"):
        BatchNormalization(axis=3)(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="axis=0 is out of range"):
        BatchNormalization(axis=0)(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"axis -1 of the input must have a defined size; "
                                         r"received input_shape=\(None, None\)"):
        BatchNormalization()(Input(shape=(None,)))
    layer = BatchNormalization()
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 4, but "
                                         r"received input with shape \(2, 5\)"):
        layer(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="rms_scaling=True is not supported"):
        LayerNormalization(rms_scaling=True)
    with pytest.raises(TypeError, match="LayerNormalization: expected an int for the argument "
                                        "`axis`; received axis='last'"):
        LayerNormalization(axis="last")
    with pytest.raises(ValueError, match=r"repeated axes in axis=\[1, -1\]"):
        LayerNormalization(axis=[1, -1])(np.ones((2, 3), "float32"))


@pytest.mark.parametrize("cls", [BatchNormalization, LayerNormalization])
@pytest.mark.parametrize("layer_dtype,input_dtype", [("float64", "float32"),
                                                     ("float32", "float64")])
@pytest.mark.parametrize("training", [True, False])
def test_floating_inputs_are_cast_to_the_layer_dtype(cls, layer_dtype, input_dtype, training):
    """Keras's autocast: the layer computes in its own dtype, whatever float comes in; the
    input's gradient keeps the input's dtype."""
    x = Tensor(_data(8, 5, seed=3).astype(input_dtype), requires_grad=True)
    layer = cls(dtype=layer_dtype)
    out = layer(x, training=training)
    assert out.dtype == np.dtype(layer_dtype)
    out.backward(np.ones(out.shape, dtype=layer_dtype))
    assert x.grad.dtype == np.dtype(input_dtype)
    same = cls(dtype=layer_dtype)(Tensor(x.data.astype(layer_dtype)), training=training)
    np.testing.assert_array_equal(out.data, same.data)  # the cast comes first: same bits


def test_autocast_off_keeps_the_input_precision_and_is_saved():
    x = Tensor(_data(8, 5, seed=4).astype("float64"))
    layer = BatchNormalization(autocast=False)
    assert layer(x, training=True).dtype == np.float64  # NumPy promotion
    config = layer.get_config()
    assert config["autocast"] is False
    assert BatchNormalization.from_config(config).autocast is False
    assert "autocast" not in BatchNormalization().get_config()
