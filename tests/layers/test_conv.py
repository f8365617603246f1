import math

import numpy as np
import pytest
from scipy.signal import correlate, correlate2d

import lamina.layers
from lamina import Tensor
from lamina.layers.conv import Conv1D, Conv2D, Conv2DTranspose, Convolution2D
from lamina.layers.pooling import MaxPooling2D
from tests.layers.harness import run_layer_test


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in (Conv1D, Conv2D, Conv2DTranspose):
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)


def _same_pads(size, k_eff, s):
    total = max((math.ceil(size / s) - 1) * s + k_eff - size, 0)
    return total // 2, total - total // 2


def _dilate(kernel, rates):
    """The kernel with (rate - 1) zeros between its taps along each spatial axis."""
    sizes = [(k - 1) * d + 1 for k, d in zip(kernel.shape, rates, strict=False)]
    out = np.zeros((*sizes, *kernel.shape[len(rates):]), kernel.dtype)
    out[tuple(slice(None, None, d) for d in rates)] = kernel
    return out


def conv2d_reference(x, kernel, bias, strides, padding, dilation):
    """scipy.signal.correlate2d over every (sample, in channel, filter), then strides + bias."""
    kd = _dilate(kernel, dilation)
    if padding == "same":
        x = np.pad(x, ((0, 0), _same_pads(x.shape[1], kd.shape[0], strides[0]),
                       _same_pads(x.shape[2], kd.shape[1], strides[1]), (0, 0)))
    n, cin, cout = x.shape[0], kernel.shape[2], kernel.shape[3]
    full = np.zeros((n, x.shape[1] - kd.shape[0] + 1, x.shape[2] - kd.shape[1] + 1, cout))
    for b in range(n):
        for o in range(cout):
            for c in range(cin):
                full[b, :, :, o] += correlate2d(x[b, :, :, c], kd[:, :, c, o], mode="valid")
    out = full[:, ::strides[0], ::strides[1]]
    return out + (0 if bias is None else bias)


def conv1d_reference(x, kernel, bias, stride, padding, dilation):
    kd = _dilate(kernel, (dilation,))
    k_eff = kd.shape[0]
    pads = {"valid": (0, 0), "causal": (k_eff - 1, 0),
            "same": _same_pads(x.shape[1], k_eff, stride)}[padding]
    x = np.pad(x, ((0, 0), pads, (0, 0)))
    out = np.zeros((x.shape[0], x.shape[1] - k_eff + 1, kernel.shape[2]))
    for b in range(x.shape[0]):
        for o in range(kernel.shape[2]):
            for c in range(kernel.shape[1]):
                out[b, :, o] += correlate(x[b, :, c], kd[:, c, o], mode="valid")
    return out[:, ::stride] + bias


def conv2d_transpose_reference(x, kernel, bias, strides, padding, output_padding, dilation):
    """Scatter definition: input pixel (i, j) adds x[i, j] . kernel into the output at
    (i * s + a, j * s + b); then TensorFlow's placement crops/extends to Keras's length."""
    kernel = _dilate(kernel, dilation)
    n, h, w, cin = x.shape
    kh, kw, cout, _ = kernel.shape
    (sh, sw) = strides
    full = np.zeros((n, (h - 1) * sh + kh, (w - 1) * sw + kw, cout))
    for i in range(h):
        for j in range(w):
            full[:, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum(
                "nc,abOc->nabO", x[:, i, j], kernel)
    out_len = []
    for size, k, s, op in zip((h, w), (kh, kw), strides, output_padding or (None, None),
                                  strict=True):
        if op is None:
            out_len.append(size * s if padding == "same" else size * s + max(k - s, 0))
        else:
            out_len.append((size - 1) * s + k - 2 * (k // 2 if padding == "same" else 0) + op)
    before = [max(f - n_out, 0) // 2 if padding == "same" else 0
              for f, n_out in zip(full.shape[1:3], out_len, strict=True)]
    big = np.zeros((n, before[0] + out_len[0] + kh, before[1] + out_len[1] + kw, cout))
    big[:, :full.shape[1], :full.shape[2]] = full
    return big[:, before[0]:before[0] + out_len[0], before[1]:before[1] + out_len[1]] + bias


def _random_weights(layer, rng):
    layer.set_weights([rng.standard_normal(v.shape).astype("float32") for v in layer.weights])
    return [v.data for v in layer.weights]


# --------------------------------------------------------------------------- Conv2D
@pytest.mark.parametrize("kwargs,out_hw", [
    ({"filters": 4, "kernel_size": 3}, (5, 5)),
    ({"filters": 2, "kernel_size": (2, 3), "strides": (1, 2), "activation": "relu"}, (6, 3)),
    ({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (4, 4)),
    ({"filters": 2, "kernel_size": 2, "dilation_rate": 2, "use_bias": False}, (5, 5)),
])
def test_conv2d_shared_layer_test(kwargs, out_hw, tmp_path):
    n_weights = 1 if kwargs.get("use_bias") is False else 2
    layer = run_layer_test(Conv2D, kwargs, (2, 7, 7, 3), (2, *out_hw, kwargs["filters"]),
                           n_weights, tmp_path=tmp_path)
    x = np.random.default_rng(5).standard_normal((2, 7, 7, 3)).astype("float32")
    kernel, *bias = (v.data for v in layer.weights)
    expected = conv2d_reference(x, kernel, bias[0] if bias else None, layer.strides,
                                layer.padding, layer.dilation_rate)
    if kwargs.get("activation") == "relu":
        expected = np.maximum(expected, 0)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kernel,strides,padding,dilation", [
    ((3, 3), (1, 1), "valid", (1, 1)), ((3, 2), (2, 1), "same", (1, 1)),
    ((2, 3), (2, 3), "valid", (1, 1)), ((3, 3), (1, 1), "same", (2, 1)),
    ((2, 2), (1, 1), "valid", (2, 3)), ((4, 4), (3, 3), "same", (1, 1)),
])
def test_conv2d_matches_scipy(kernel, strides, padding, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8, 7, 3)).astype("float32")
    layer = Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation)
    layer(x)
    w, b = _random_weights(layer, rng)
    out = layer(x)
    assert out.dtype == np.float32
    expected = conv2d_reference(x, w, b, strides, padding, dilation)
    np.testing.assert_allclose(out.data, expected, rtol=1e-4, atol=1e-4)
    assert layer.compute_output_shape((None, 8, 7, 3)) == (None, *expected.shape[1:])


def test_conv2d_activation_is_applied_after_bias():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 5, 2)).astype("float32")
    relu = Conv2D(3, 3, activation="relu")
    relu(x)
    w, b = _random_weights(relu, rng)
    np.testing.assert_allclose(relu(x).data,
                               np.maximum(conv2d_reference(x, w, b, (1, 1), "valid", (1, 1)), 0),
                               rtol=1e-4, atol=1e-4)
    soft = Conv2D(4, 3, padding="same", activation="softmax")(x).data
    np.testing.assert_allclose(soft.sum(axis=-1), np.ones((2, 5, 5)), rtol=1e-5)


def test_seed_cnn_parameter_counts():
    # seed 001: Conv2D(16, (3, 3)) -> MaxPooling2D((2, 2)) -> Conv2D(16, (3, 3)) on 28x28x1
    first, pool, second = Conv2D(16, (3, 3)), MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3))
    out = second(pool(first(np.zeros((1, 28, 28, 1), "float32"))))
    assert out.shape == (1, 11, 11, 16)
    assert first.count_params() == 160 and second.count_params() == 2320
    assert first.compute_output_shape((None, 28, 28, 1)) == (None, 26, 26, 16)


def test_conv2d_weights_are_keras_shaped_and_initialized():
    layer = Conv2D(16, (3, 3), name="conv2d_weights_test")
    layer(np.zeros((1, 28, 28, 1), "float32"))
    assert [v.shape for v in layer.weights] == [(3, 3, 1, 16), (16,)]
    assert [v.path for v in layer.weights] == ["conv2d_weights_test/kernel",
                                               "conv2d_weights_test/bias"]
    limit = math.sqrt(6 / (9 * 1 + 9 * 16))  # glorot_uniform, fans scaled by the window
    kernel = layer.kernel.data
    assert kernel.dtype == np.float32 and np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.8 * limit
    np.testing.assert_array_equal(layer.bias.data, np.zeros(16))
    assert Convolution2D is Conv2D


def test_conv2d_config_is_keras():
    config = Conv2D(8, 3, strides=(2, 1), padding="SAME", activation="relu").get_config()
    assert {k: config[k] for k in ("filters", "kernel_size", "strides", "padding", "data_format",
                                   "dilation_rate", "groups", "activation", "use_bias")} == {
        "filters": 8, "kernel_size": (3, 3), "strides": (2, 1), "padding": "same",
        "data_format": "channels_last", "dilation_rate": (1, 1), "groups": 1,
        "activation": "relu", "use_bias": True}
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"


def test_conv2d_compute_output_shape_with_unknown_sizes():
    layer = Conv2D(5, 3, strides=2)
    assert layer.compute_output_shape((None, None, 9, 2)) == (None, None, 4, 5)
    assert Conv2D(5, 3, padding="same", strides=2).compute_output_shape((4, 9, 8, 2)) == \
        (4, 5, 4, 5)


def test_conv2d_bad_arguments():
    with pytest.raises(ValueError, match=r"Conv2D: the `kernel_size` argument must be a positive "
                                         r"integer or a tuple of 2 positive integers; received "
                                         r"kernel_size=0"):
        Conv2D(4, 0)
    with pytest.raises(ValueError, match=r"received kernel_size=\(3, 3, 3\)"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match=r"received strides=\(1, 0\)"):
        Conv2D(4, 3, strides=(1, 0))
    with pytest.raises(ValueError, match=r"argument `filters`, expected a positive integer, got 0"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"one of 'valid', 'same'; received padding='causal'"):
        Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match=r"filters must be evenly divisible by the number of "
                                         r"groups; received filters=4, groups=3"):
        Conv2D(4, 3, groups=3)
    with pytest.raises(ValueError, match=r"input channels must be evenly divisible by the "
                                         r"number of groups; received groups=2, input channels=3"):
        Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"only data_format='channels_last' is supported"):
        Conv2D(4, 3, data_format="channels_first")
    with pytest.raises(ValueError, match=r"`strides > 1` cannot be combined with "
                                         r"`dilation_rate > 1`"):
        Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="did you mean 'relu'"):
        Conv2D(4, 3, activation="rellu")


def test_conv2d_bad_inputs():
    with pytest.raises(ValueError, match=r"computed output size would be \(0, 2\), not positive"
                                         r".*kernel_size=\(3, 3\)"):
        Conv2D(2, 3)(np.zeros((1, 2, 4, 1), "float32"))
    layer = Conv2D(2, 3)
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3"):
        layer(np.zeros((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=3"):
        Conv2D(2, 3)(np.zeros((5, 5, 3), "float32"))


# --------------------------------------------------------------------------- Conv1D
@pytest.mark.parametrize("kwargs,out_len", [
    ({"filters": 4, "kernel_size": 3}, 7),
    ({"filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, 9),
    ({"filters": 3, "kernel_size": 4, "strides": 2, "padding": "same", "activation": "tanh"}, 5),
])
def test_conv1d_shared_layer_test(kwargs, out_len, tmp_path):
    layer = run_layer_test(Conv1D, kwargs, (2, 9, 3), (2, out_len, kwargs["filters"]), 2,
                           tmp_path=tmp_path)
    x = np.random.default_rng(5).standard_normal((2, 9, 3)).astype("float32")
    kernel, bias = (v.data for v in layer.weights)
    expected = conv1d_reference(x, kernel, bias, layer.strides[0], layer.padding,
                                layer.dilation_rate[0])
    if kwargs.get("activation") == "tanh":
        expected = np.tanh(expected)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("k,stride,padding,dilation", [
    (3, 1, "valid", 1), (3, 2, "same", 1), (2, 1, "causal", 3), (4, 3, "valid", 1),
    (3, 1, "same", 2),
])
def test_conv1d_matches_scipy(k, stride, padding, dilation):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 10, 3)).astype("float32")
    layer = Conv1D(4, k, strides=stride, padding=padding, dilation_rate=dilation)
    layer(x)
    w, b = _random_weights(layer, rng)
    assert w.shape == (k, 3, 4)
    expected = conv1d_reference(x, w, b, stride, padding, dilation)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-4, atol=1e-4)
    assert layer.compute_output_shape((None, 10, 3)) == (None, *expected.shape[1:])


def test_conv1d_causal_output_ignores_the_future():
    x = np.random.default_rng(3).standard_normal((1, 8, 2)).astype("float32")
    layer = Conv1D(2, 3, padding="causal")
    before = layer(x).data
    x[:, 5:] += 10.0
    np.testing.assert_array_equal(layer(x).data[:, :5], before[:, :5])


def test_conv1d_bad_arguments():
    with pytest.raises(ValueError, match=r"Conv1D: the `kernel_size` argument .* tuple of 1 "
                                         r"positive integers; received kernel_size=\(2, 2\)"):
        Conv1D(4, (2, 2))
    with pytest.raises(ValueError, match=r"'valid', 'same', 'causal'; received padding='full'"):
        Conv1D(4, 2, padding="full")


# ------------------------------------------------------------------ Conv2DTranspose
@pytest.mark.parametrize("kwargs,out_hw", [
    ({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (8, 10)),
    ({"filters": 2, "kernel_size": 2}, (5, 6)),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1}, (10, 12)),
])
def test_conv2d_transpose_shared_layer_test(kwargs, out_hw, tmp_path):
    layer = run_layer_test(Conv2DTranspose, kwargs, (2, 4, 5, 3),
                           (2, *out_hw, kwargs["filters"]), 2, tmp_path=tmp_path)
    x = np.random.default_rng(5).standard_normal((2, 4, 5, 3)).astype("float32")
    kernel, bias = (v.data for v in layer.weights)
    expected = conv2d_transpose_reference(x, kernel, bias, layer.strides, layer.padding,
                                          layer.output_padding, layer.dilation_rate)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kernel,strides,padding,output_padding,dilation", [
    ((3, 3), (1, 1), "valid", None, (1, 1)), ((3, 3), (2, 2), "same", None, (1, 1)),
    ((2, 3), (2, 1), "valid", None, (1, 1)), ((4, 4), (2, 2), "same", None, (1, 1)),
    ((3, 3), (2, 2), "same", (1, 1), (1, 1)), ((3, 2), (3, 2), "valid", (2, 1), (1, 1)),
    ((2, 2), (3, 3), "valid", None, (1, 1)), ((2, 3), (1, 1), "same", None, (2, 2)),
    ((3, 2), (1, 1), "valid", None, (1, 3)),
])
def test_conv2d_transpose_matches_scatter_loops(kernel, strides, padding, output_padding,
                                                dilation):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4, 5, 3)).astype("float32")
    layer = Conv2DTranspose(2, kernel, strides=strides, padding=padding,
                            output_padding=output_padding, dilation_rate=dilation)
    layer(x)
    w, b = _random_weights(layer, rng)
    assert w.shape == (*kernel, 2, 3)
    expected = conv2d_transpose_reference(x, w, b, strides, padding, output_padding, dilation)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-4, atol=1e-4)
    assert layer.compute_output_shape((None, 4, 5, 3)) == (None, *expected.shape[1:])


def test_conv2d_transpose_relu_runs_as_one_op():
    rng = np.random.default_rng(6)
    x = Tensor(rng.standard_normal((2, 4, 5, 3)).astype("float32"), requires_grad=True)
    fused = Conv2DTranspose(4, 2, strides=2, activation="relu")
    plain = Conv2DTranspose(4, 2, strides=2)
    fused(x), plain(x)
    plain.set_weights(fused.get_weights())
    out = fused(x)
    assert out._ctx.name == "conv2d_transpose_relu"  # one node, not conv then ReLU
    np.testing.assert_array_equal(out.data, np.maximum(plain(x).data, 0))
    assert (out.data == 0).any() and (out.data > 0).any()


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    # <conv2d(x, K), y> == <x, conv2d_transpose(y, K)> with the same kernel array, no bias
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 7, 7, 3)).astype("float32")
    conv = Conv2D(4, 3, strides=2, use_bias=False)
    y = rng.standard_normal((1, 3, 3, 4)).astype("float32")
    conv(x)
    deconv = Conv2DTranspose(3, 3, strides=2, use_bias=False)
    deconv(y)
    deconv.set_weights(conv.get_weights())
    lhs = float(np.sum(conv(x).data * y))
    rhs = float(np.sum(x * deconv(y).data))
    assert abs(lhs - rhs) < 1e-3 * max(1.0, abs(lhs))


def test_conv2d_transpose_config_and_errors():
    config = Conv2DTranspose(4, 3, strides=2, output_padding=1).get_config()
    assert config["output_padding"] == (1, 1) and "groups" not in config
    assert Conv2DTranspose(4, 3).compute_output_shape((None, None, 6, 2)) == (None, None, 8, 4)
    with pytest.raises(ValueError, match=r"strides must be greater than output_padding; "
                                         r"received strides=\(2, 2\), output_padding=\(2, 2\)"):
        Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"`output_padding` argument must be a non-negative "
                                         r"integer .* received output_padding=-1"):
        Conv2DTranspose(4, 3, strides=2, output_padding=-1)
    with pytest.raises(TypeError, match="unrecognized keyword argument"):
        Conv2DTranspose(4, 3, groups=1)


@pytest.mark.parametrize("cls, shape, out", [(Conv2D, (2, 6, 5, 4), (2, 6, 5, 6)),
                                             (Conv1D, (2, 9, 4), (2, 9, 6))])
def test_grouped_convolution_layer(cls, shape, out, tmp_path):
    """Keras's groups=: the kernel has in_channels / groups input channels, and filter f of
    group g (f // (filters / groups) == g) depends on channels of group g only."""
    layer = run_layer_test(cls, {"filters": 6, "kernel_size": 3, "padding": "same",
                                 "groups": 2}, shape, out, 2, tmp_path=tmp_path)
    assert layer.kernel.shape == (*layer.kernel_size, 2, 6)
    assert layer.count_params() == 3 ** (len(shape) - 2) * 2 * 6 + 6
    x = np.random.default_rng(3).standard_normal(shape).astype("float32")
    y = x.copy()
    y[..., 2:] = 0  # group 1's channels changed: group 0's filters (0-2) do not move
    a, b = layer(x).data, layer(y).data
    np.testing.assert_array_equal(a[..., :3], b[..., :3])
    assert np.abs(a[..., 3:] - b[..., 3:]).max() > 0.1


def test_compile_loads_every_kernel_the_first_training_step_uses():
    """Model.compile loads the numba kernels of the conv layers' paths (lamina.accel), so the
    first training step loads none: its time is then the step's own (compare.py times the
    first epoch). Strided, 3x3 stride-1 (Winograd, forward and gradients), fused ReLU and
    transposed convolutions, in a fresh process where nothing is loaded yet."""
    import json
    import subprocess
    import sys

    from lamina import accel

    if not accel.available():
        pytest.skip("numba (lamina[fast]) is not installed")
    program = """if True:
        import json
        import numpy as np
        from lamina import accel, layers, models
        x = layers.Input((16, 16, 32))
        y = layers.Conv2D(32, 3, padding="same", activation="relu", use_bias=False)(x)
        y = layers.Conv2D(64, 3, strides=2, padding="same")(y)
        y = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(y)
        y = layers.Conv2DTranspose(32, 3, padding="same")(y)
        model = models.Model(x, layers.Conv2D(1, 1)(y))
        model.compile(optimizer="sgd", loss="mse")
        before = accel.loaded()
        rng = np.random.default_rng(0)
        model.train_on_batch(rng.random((8, 16, 16, 32), dtype="float32"),
                             rng.random((8, 16, 16, 1), dtype="float32"))
        print(json.dumps([before, accel.loaded()]))
    """
    from tests.examples import child_env

    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         env=child_env(), timeout=600, check=True).stdout
    before, after = json.loads(out.splitlines()[-1])
    assert "lamina.autograd.ops._winograd_kernels" in before
    assert "lamina.autograd.ops._col2im_kernels" in before
    assert after == before
