import math

import numpy as np
import pytest

import lamina.layers
from lamina.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)
from tests.layers.harness import run_layer_test

CLASSES = (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
           GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in CLASSES:
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)


def _same_pads(size, k, s):
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def pool2d_reference(x, pool, strides, padding, mode):
    """Plain loops: each window of each channel, padded cells ignored (as TensorFlow)."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        (top, _), (left, _) = _same_pads(h, ph, sh), _same_pads(w, pw, sw)
        ho, wo = math.ceil(h / sh), math.ceil(w / sw)
    else:
        top = left = 0
        ho, wo = (h - ph) // sh + 1, (w - pw) // sw + 1
    out = np.zeros((n, ho, wo, c), x.dtype)
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * sh - top, j * sw - left
            win = x[:, max(r0, 0):r0 + ph, max(c0, 0):c0 + pw, :]
            out[:, i, j] = win.max(axis=(1, 2)) if mode == "max" else win.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize("cls,kwargs,out_hw", [
    (MaxPooling2D, {}, (3, 3)),
    (MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (3, 3)),
    (MaxPooling2D, {"pool_size": (2, 3), "strides": (1, 2)}, (5, 2)),
    (AveragePooling2D, {}, (3, 3)),
    (AveragePooling2D, {"pool_size": (3, 2), "strides": 2, "padding": "same"}, (3, 3)),
])
def test_pooling2d_shared_layer_test(cls, kwargs, out_hw, tmp_path):
    run_layer_test(cls, kwargs, (2, 6, 6, 3), (2, *out_hw, 3), 0, tmp_path=tmp_path)


@pytest.mark.parametrize("cls,kwargs,in_len,out_len", [
    (MaxPooling1D, {}, 6, 3), (MaxPooling1D, {"pool_size": 3, "strides": 1}, 7, 5),
    (AveragePooling1D, {"pool_size": 2, "padding": "same"}, 7, 4),
    (AveragePooling1D, {"pool_size": 4, "strides": 3}, 7, 2),
])
def test_pooling1d_shared_layer_test(cls, kwargs, in_len, out_len, tmp_path):
    run_layer_test(cls, kwargs, (2, in_len, 3), (2, out_len, 3), 0, tmp_path=tmp_path)


@pytest.mark.parametrize("cls,keepdims,in_shape,out_shape", [
    (GlobalAveragePooling2D, False, (2, 4, 5, 3), (2, 3)),
    (GlobalMaxPooling2D, True, (2, 4, 5, 3), (2, 1, 1, 3)),
    (GlobalAveragePooling1D, True, (2, 6, 3), (2, 1, 3)),
    (GlobalMaxPooling1D, False, (2, 6, 3), (2, 3)),
])
def test_global_pooling_shared_layer_test(cls, keepdims, in_shape, out_shape, tmp_path):
    run_layer_test(cls, {"keepdims": keepdims}, in_shape, out_shape, 0, tmp_path=tmp_path)


@pytest.mark.parametrize("pool,strides,padding", [((2, 2), (2, 2), "valid"),
                                                  ((3, 3), (2, 2), "same"),
                                                  ((2, 3), (1, 2), "valid"),
                                                  ((3, 2), (2, 3), "same")])
@pytest.mark.parametrize("cls,mode", [(MaxPooling2D, "max"), (AveragePooling2D, "avg")])
def test_pooling2d_matches_loops(cls, mode, pool, strides, padding):
    x = np.random.default_rng(1).standard_normal((2, 7, 8, 3)).astype("float32")
    out = cls(pool_size=pool, strides=strides, padding=padding)(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, pool2d_reference(x, pool, strides, padding, mode),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cls,mode", [(MaxPooling1D, "max"), (AveragePooling1D, "avg")])
@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (3, 2, "same")])
def test_pooling1d_matches_loops(cls, mode, pool, strides, padding):
    x = np.random.default_rng(2).standard_normal((2, 9, 4)).astype("float32")
    out = cls(pool_size=pool, strides=strides, padding=padding)(x)
    expected = pool2d_reference(x[:, :, None, :], (pool, 1), (strides or pool, 1), padding, mode)
    np.testing.assert_allclose(out.data, expected[:, :, 0, :], rtol=1e-6, atol=1e-6)


def test_global_pooling_numbers():
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 3)).astype("float32")
    np.testing.assert_allclose(GlobalAveragePooling2D()(x).data, x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(GlobalMaxPooling2D()(x).data, x.max(axis=(1, 2)))
    np.testing.assert_allclose(GlobalMaxPooling2D(keepdims=True)(x).data,
                               x.max(axis=(1, 2), keepdims=True))
    seq = x[:, 0]
    np.testing.assert_allclose(GlobalAveragePooling1D()(seq).data, seq.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(GlobalMaxPooling1D(keepdims=True)(seq).data,
                               seq.max(axis=1, keepdims=True))


def test_max_pooling_by_hand():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(MaxPooling2D()(x).data[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(AveragePooling2D()(x).data[0, :, :, 0],
                                  [[2.5, 4.5], [10.5, 12.5]])


def test_keras_defaults_and_config():
    layer = MaxPooling2D()
    assert (layer.pool_size, layer.strides, layer.padding) == ((2, 2), (2, 2), "valid")
    assert MaxPool2D is MaxPooling2D
    config = AveragePooling2D(pool_size=3, strides=(1, 2), padding="SAME").get_config()
    assert {k: config[k] for k in ("pool_size", "strides", "padding", "data_format")} == {
        "pool_size": (3, 3), "strides": (1, 2), "padding": "same",
        "data_format": "channels_last"}
    assert MaxPooling1D().pool_size == (2,)
    assert GlobalAveragePooling2D().get_config()["keepdims"] is False


def test_compute_output_shape_keeps_unknown_sizes():
    assert MaxPooling2D().compute_output_shape((None, 28, None, 16)) == (None, 14, None, 16)
    assert MaxPooling2D(3, 2, "same").compute_output_shape((None, 7, 8, 1)) == (None, 4, 4, 1)
    assert GlobalMaxPooling2D().compute_output_shape((None, None, None, 5)) == (None, 5)
    assert GlobalAveragePooling1D(keepdims=True).compute_output_shape((4, 9, 2)) == (4, 1, 2)


def test_seed_cnn_shapes():
    # seed 001: Conv2D(16, (3, 3)) -> MaxPooling2D(pool_size=(2, 2)) on 28x28 images
    assert MaxPooling2D(pool_size=(2, 2)).compute_output_shape((None, 26, 26, 16)) == \
        (None, 13, 13, 16)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"MaxPooling2D: the `pool_size` argument must be a "
                                         r"positive integer .* received pool_size=0"):
        MaxPooling2D(pool_size=0)
    with pytest.raises(ValueError, match=r"received pool_size=\(2, 2, 2\)"):
        MaxPooling2D(pool_size=(2, 2, 2))
    with pytest.raises(ValueError, match=r"AveragePooling1D: .*`strides`.* received strides=-1"):
        AveragePooling1D(strides=-1)
    with pytest.raises(ValueError, match=r"the `padding` argument must be one of 'valid', "
                                         r"'same'; received padding='full'"):
        MaxPooling2D(padding="full")
    with pytest.raises(ValueError, match="only data_format='channels_last' is supported"):
        GlobalAveragePooling2D(data_format="channels_first")
    with pytest.raises(ValueError, match="only data_format='channels_last'"):
        MaxPooling2D(data_format="channels_first")


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=3"):
        MaxPooling2D()(np.zeros((2, 4, 4), "float32"))
    with pytest.raises(ValueError, match=r"computed output size would be \(0, 2\), not "
                                         r"positive.*pool_size=\(3, 3\)"):
        MaxPooling2D(3, 1).compute_output_shape((None, 2, 4, 1))
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=4"):
        GlobalMaxPooling1D()(np.zeros((1, 2, 3, 4), "float32"))
