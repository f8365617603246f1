import numpy as np
import pytest

import lamina.layers
from lamina.layers.reshaping import Cropping2D, Reshape, UpSampling2D, ZeroPadding2D
from tests.layers.harness import run_layer_test


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in (Cropping2D, Reshape, UpSampling2D, ZeroPadding2D):
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)


X = np.random.default_rng(0).standard_normal((2, 4, 5, 3)).astype("float32")


# ---------------------------------------------------------------------------- Reshape
@pytest.mark.parametrize("target,in_shape,out_shape", [
    ((6, 2), (2, 12), (2, 6, 2)),
    ((-1, 3), (2, 4, 3, 2), (2, 8, 3)),
    ((2, -1, 2), (3, 12), (3, 2, 3, 2)),
    (12, (2, 3, 4), (2, 12)),
])
def test_reshape_shared_layer_test(target, in_shape, out_shape, tmp_path):
    layer = run_layer_test(Reshape, {"target_shape": target}, in_shape, out_shape, 0,
                           tmp_path=tmp_path)
    assert layer.compute_output_shape((None, *in_shape[1:])) == (None, *out_shape[1:])


def test_reshape_numbers_and_shapes():
    x = np.arange(24, dtype="float32").reshape(2, 12)
    np.testing.assert_array_equal(Reshape((3, -1))(x).data, x.reshape(2, 3, 4))
    layer = Reshape((-1, 4))
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 4)
    assert layer.compute_output_shape((None, None, 4)) == (None, None, 4)
    assert Reshape([2, 3]).get_config()["target_shape"] == (2, 3)


def test_reshape_errors():
    with pytest.raises(ValueError, match=r"must not contain more than one `-1` value; received "
                                         r"target_shape=\(-1, -1\)"):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"tuple of positive integers .* target_shape=\(0, 2\)"):
        Reshape((0, 2))
    with pytest.raises(ValueError, match=r"total size of the tensor must be unchanged; received "
                                         r"input_shape=\(12,\) \(12 values\), target_shape="
                                         r"\(5, 2\)"):
        Reshape((5, 2))(np.zeros((2, 12), "float32"))
    with pytest.raises(ValueError, match=r"input size 12 cannot be divided by the known sizes "
                                         r"of target_shape \(5\)"):
        Reshape((-1, 5)).compute_output_shape((None, 3, 4))


# ------------------------------------------------------------------------ UpSampling2D
@pytest.mark.parametrize("size,out_hw", [((2, 2), (8, 10)), (3, (12, 15)), ((1, 2), (4, 10))])
def test_upsampling_shared_layer_test(size, out_hw, tmp_path):
    layer = run_layer_test(UpSampling2D, {"size": size}, X.shape, (2, *out_hw, 3), 0,
                           input_data=X, tmp_path=tmp_path)
    sh, sw = (size, size) if isinstance(size, int) else size
    np.testing.assert_array_equal(layer(X).data, X.repeat(sh, axis=1).repeat(sw, axis=2))


def test_upsampling_repeats_pixels():
    out = UpSampling2D(size=(2, 3))(X).data
    np.testing.assert_array_equal(out, X.repeat(2, axis=1).repeat(3, axis=2))
    x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32").reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(UpSampling2D()(x).data[0, :, :, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    assert UpSampling2D(2).compute_output_shape((None, None, 7, 1)) == (None, None, 14, 1)


def test_upsampling_errors():
    with pytest.raises(ValueError, match=r"only interpolation='nearest' is supported .* "
                                         r"received interpolation='bilinear'"):
        UpSampling2D(interpolation="bilinear")
    with pytest.raises(ValueError, match=r"UpSampling2D: the `size` argument must be a positive "
                                         r"integer .* received size=0"):
        UpSampling2D(size=0)
    with pytest.raises(ValueError, match="only data_format='channels_last'"):
        UpSampling2D(data_format="channels_first")
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        UpSampling2D()(np.zeros((1, 2, 2), "float32"))


# ----------------------------------------------------------------------- ZeroPadding2D
@pytest.mark.parametrize("padding,out_hw", [(1, (6, 7)), ((2, 0), (8, 5)),
                                            (((1, 2), (0, 3)), (7, 8))])
def test_zero_padding_shared_layer_test(padding, out_hw, tmp_path):
    layer = run_layer_test(ZeroPadding2D, {"padding": padding}, X.shape, (2, *out_hw, 3), 0,
                           input_data=X, tmp_path=tmp_path)
    np.testing.assert_array_equal(layer(X).data, np.pad(X, ((0, 0), *layer.padding, (0, 0))))


def test_zero_padding_numbers():
    out = ZeroPadding2D(((1, 2), (0, 3)))(X).data
    np.testing.assert_array_equal(out, np.pad(X, ((0, 0), (1, 2), (0, 3), (0, 0))))
    layer = ZeroPadding2D()
    assert layer.padding == ((1, 1), (1, 1))  # Keras default padding=(1, 1)
    assert layer.compute_output_shape((None, 28, None, 1)) == (None, 30, None, 1)
    assert ZeroPadding2D((1, (2, 3))).padding == ((1, 1), (2, 3))


def test_zero_padding_errors():
    with pytest.raises(ValueError, match=r"ZeroPadding2D: `padding` must be a non-negative int.*"
                                         r"received padding=-1"):
        ZeroPadding2D(-1)
    with pytest.raises(ValueError, match=r"received padding=\(1, 2, 3\)"):
        ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match=r"received padding=\(\(1, 2\), \(3,\)\)"):
        ZeroPadding2D(((1, 2), (3,)))


# -------------------------------------------------------------------------- Cropping2D
@pytest.mark.parametrize("cropping,out_hw", [(1, (2, 3)), ((0, 2), (4, 1)),
                                             (((1, 0), (2, 1)), (3, 2)),
                                             (((0, 0), (0, 0)), (4, 5))])
def test_cropping_shared_layer_test(cropping, out_hw, tmp_path):
    layer = run_layer_test(Cropping2D, {"cropping": cropping}, X.shape, (2, *out_hw, 3), 0,
                           input_data=X, tmp_path=tmp_path)
    (top, bottom), (left, right) = layer.cropping
    np.testing.assert_array_equal(
        layer(X).data, X[:, top:X.shape[1] - bottom, left:X.shape[2] - right])


def test_cropping_numbers():
    np.testing.assert_array_equal(Cropping2D(((1, 0), (2, 1)))(X).data, X[:, 1:, 2:4])
    assert Cropping2D().cropping == ((0, 0), (0, 0))
    assert Cropping2D(1).compute_output_shape((None, None, 9, 2)) == (None, None, 7, 2)


def test_cropping_errors():
    with pytest.raises(ValueError, match=r"values in `cropping` must be smaller than the "
                                         r"corresponding spatial size of the input; received "
                                         r"input_shape=\(None, 4, 5, 3\), cropping="
                                         r"\(\(2, 2\), \(0, 0\)\)"):
        Cropping2D((2, 0))(X)
    with pytest.raises(ValueError, match=r"received cropping=\(-1, 0\)"):
        Cropping2D((-1, 0))
    layer = Cropping2D(1)
    layer(X)
    with pytest.raises(ValueError, match=r"input_shape=\(1, 2, 6, 3\)"):
        layer(np.zeros((1, 2, 6, 3), "float32"))
