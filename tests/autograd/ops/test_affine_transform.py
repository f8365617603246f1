"""affine_transform against Keras 3.15.1's ops.image.affine_transform (torch backend;
fixture written by scripts/keras_fixtures/layers.py) for every fill mode and both
interpolations, and its float64 gradient by central differences."""

import pathlib

import numpy as np
import pytest

from lamina.autograd import Tensor
from lamina.autograd.ops.affine_transform import affine_transform
from tests.gradcheck import check_grad

DATA = np.load(pathlib.Path(__file__).parents[2] / "layers" / "data" / "keras_layers.npz")
MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _ties(transforms, h, w):
    """Pixels whose source point lies within 1e-5 of a half-pixel: rounding them to the
    nearest pixel depends on the last bit of the float32 arithmetic."""
    ys, xs = np.meshgrid(np.arange(h, dtype="float64"), np.arange(w, dtype="float64"),
                         indexing="ij")
    t = transforms.astype("float64")[:, :, None, None]
    x_in = t[:, 0] * xs + t[:, 1] * ys + t[:, 2]
    y_in = t[:, 3] * xs + t[:, 4] * ys + t[:, 5]
    return ((np.abs(x_in - np.floor(x_in) - 0.5) < 1e-5)
            | (np.abs(y_in - np.floor(y_in) - 0.5) < 1e-5))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_matches_keras(mode, interpolation):
    images, transforms = DATA["rotation/x"], DATA["affine/transforms"]
    got = affine_transform(images, transforms, interpolation, mode, fill_value=3.0).data
    want = DATA[f"affine/{mode}/{interpolation}"]
    assert got.shape == want.shape and got.dtype == np.float32
    if interpolation == "bilinear":
        # 4 products of pixels up to 255 with weights in [0, 1], in float32
        np.testing.assert_allclose(got, want, rtol=0, atol=255 * 4 * 2 ** -23 * 8)
    else:
        same = np.isclose(got, want, rtol=0, atol=1e-3).all(axis=-1)
        assert (same | _ties(transforms, *images.shape[1:3])).all()
        assert same.mean() > 0.9


@pytest.mark.parametrize("mode", MODES)
def test_gradient_in_float64(mode):
    rng = np.random.default_rng(0)
    images = rng.standard_normal((2, 4, 5, 2))
    transforms = np.array([[0.9, -0.3, 1.3, 0.4, 1.1, -1.2, 0.0, 0.0],
                           [1.2, 0.2, -1.7, -0.1, 0.8, 1.6, 0.0, 0.0]])
    (grad,) = check_grad(lambda x: affine_transform(x, transforms, "bilinear", mode, 2.0),
                         images)
    assert np.abs(grad).max() > 0


def test_a_shift_by_one_pixel_and_the_errors():
    x = np.arange(3.0).reshape(1, 1, 3, 1)
    shifted = affine_transform(Tensor(x), [1, 0, -1, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(shifted.data.ravel(), [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        affine_transform(x, [1, 0, 0, 0, 1, 0, 0, 0], fill_mode="mirrored")
    with pytest.raises(ValueError, match="one transform or 1"):
        affine_transform(x, np.zeros((2, 8)))
