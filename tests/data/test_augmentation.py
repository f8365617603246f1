import json

import numpy as np
import pytest

from lamina.data import ImageAugmenter, affine_transform
from lamina.data._resample import gaussian_blur
from lamina.layers import Dense, Flatten, Input
from lamina.models import Sequential

FULL = dict(rotation_range=15, width_shift_range=0.1, height_shift_range=0.1, zoom_range=0.1,
            shear_range=5, horizontal_flip=True, vertical_flip=True, elastic_alpha=8,
            elastic_sigma=3)


def images(n=6, h=12, w=10, c=3, dtype="float32", seed=0):
    return np.random.default_rng(seed).random((n, h, w, c)).astype(dtype)


def dot(h=20, w=20, row=10, col=12):
    x = np.zeros((1, h, w, 1), "float32")
    x[0, row, col, 0] = 1.0
    return x


def centroid(img):
    m = img[..., 0]
    rows, cols = np.indices(m.shape)
    return (rows * m).sum() / m.sum(), (cols * m).sum() / m.sum()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_shapes_dtypes_and_a_new_array(dtype):
    x = images(dtype=dtype)
    for config in (FULL, {"rotation_range": 10, "fill_mode": "reflect",
                          "interpolation": "nearest"}, {}):
        out = ImageAugmenter(seed=0, **config)(x)
        assert out.shape == x.shape and out.dtype == x.dtype and out is not x
        assert np.isfinite(out).all()


def test_reproducible_with_a_seed_and_different_across_seeds_and_calls():
    x = images()
    a, b, c = ImageAugmenter(seed=3, **FULL), ImageAugmenter(seed=3, **FULL), \
        ImageAugmenter(seed=4, **FULL)
    first = a(x)
    np.testing.assert_array_equal(first, b(x))
    np.testing.assert_array_equal(a(x), b(x))  # the second batches agree too
    assert not np.allclose(first, c(x))
    kept = first.copy()
    assert not np.allclose(first, a(x))  # each call draws new parameters
    np.testing.assert_array_equal(first, kept)  # later calls never write into old outputs


def test_identity_when_all_ranges_are_zero():
    x = images()
    out = ImageAugmenter(seed=0)(x)
    np.testing.assert_array_equal(out, x)
    out[0] = 0.0
    assert x[0].any()  # a copy, not the input
    np.testing.assert_allclose(affine_transform(x), x, atol=1e-6)


def test_flips_equal_reversed_slices():
    x = images(n=32)
    out = ImageAugmenter(horizontal_flip=True, seed=1)(x)
    flipped = np.array([np.array_equal(o, i[:, ::-1]) for o, i in zip(out, x, strict=True)])
    kept = np.array([np.array_equal(o, i) for o, i in zip(out, x, strict=True)])
    assert np.all(flipped ^ kept) and 8 < flipped.sum() < 24
    np.testing.assert_array_equal(out[flipped], x[flipped][:, :, ::-1])
    out = ImageAugmenter(vertical_flip=True, seed=1)(x)
    flipped = np.array([np.array_equal(o, i[::-1]) for o, i in zip(out, x, strict=True)])
    assert flipped.any() and not flipped.all()
    np.testing.assert_array_equal(out[flipped], x[flipped][:, ::-1])


def test_rotation_by_90_degrees_matches_rot90():
    x = images(n=3, h=9, w=9)
    np.testing.assert_allclose(affine_transform(x, rotation=90), np.rot90(x, 1, axes=(1, 2)),
                               atol=1e-5)
    np.testing.assert_allclose(affine_transform(x, rotation=-90),
                               np.rot90(x, -1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(affine_transform(x, rotation=[180, 0, 90]),
                               [np.rot90(x[0], 2), x[1], np.rot90(x[2], 1)], atol=1e-5)


def test_shift_moves_mass_by_the_expected_pixels():
    out = affine_transform(dot(), width_shift=3, height_shift=-2)
    assert out[0, 8, 15, 0] == pytest.approx(1.0) and out.sum() == pytest.approx(1.0)
    out = affine_transform(dot(), width_shift=2.5)  # bilinear splits the dot
    assert out[0, 10, 14, 0] == pytest.approx(0.5) and out[0, 10, 15, 0] == pytest.approx(0.5)
    assert centroid(out[0]) == pytest.approx((10.0, 14.5))
    # random shifts stay within the range (fraction of the width) and leave rows alone
    blobs = np.repeat(dot(), 64, axis=0)
    out = ImageAugmenter(width_shift_range=0.1, seed=0)(blobs)
    shifts = np.array([centroid(o)[1] - 12 for o in out])
    rows = np.array([centroid(o)[0] for o in out])
    assert np.all(np.abs(shifts) <= 2.0 + 1e-4) and shifts.std() > 0.5
    np.testing.assert_allclose(rows, 10.0, atol=1e-4)
    pixels = ImageAugmenter(height_shift_range=3, seed=0)(blobs)  # >= 1: pixels
    assert np.abs([centroid(o)[0] - 10 for o in pixels]).max() <= 3.0 + 1e-4


def test_zoom_follows_keras_meaning_and_fill_modes():
    x = np.zeros((1, 16, 16, 1), "float32")
    x[0, 6:10, 6:10] = 1.0  # a centred 4x4 square, area 16
    assert affine_transform(x, zoom_x=2, zoom_y=2).sum() == pytest.approx(4.0)  # > 1: smaller
    zoomed_in = affine_transform(x, zoom_x=0.5, zoom_y=0.5)
    assert zoomed_in.sum() == pytest.approx(64.0)
    assert zoomed_in[0, 5:11, 5:11].min() == 1.0 and zoomed_in[0, :3].max() == 0.0
    ramp = np.tile(np.arange(1, 7, dtype="float32"), (1, 4, 1))[..., None]  # (1, 4, 6, 1)
    const = affine_transform(ramp, width_shift=2, cval=-1.0)
    assert const[0, 0, :, 0].tolist() == [-1, -1, 1, 2, 3, 4]
    nearest = affine_transform(ramp, width_shift=2, fill_mode="nearest")
    assert nearest[0, 0, :, 0].tolist() == [1, 1, 1, 2, 3, 4]
    reflect = affine_transform(ramp, width_shift=2, fill_mode="reflect")
    assert reflect[0, 0, :, 0].tolist() == [2, 1, 1, 2, 3, 4]
    wrap = affine_transform(ramp, width_shift=2, fill_mode="wrap")
    np.testing.assert_array_equal(wrap, np.roll(ramp, 2, axis=2))


@pytest.mark.parametrize("fill_mode,scipy_mode", [("constant", "grid-constant"),
                                                  ("nearest", "nearest"),
                                                  ("reflect", "reflect"), ("wrap", "grid-wrap")])
@pytest.mark.parametrize("interpolation,order", [("bilinear", 1), ("nearest", 0)])
def test_general_transform_matches_scipy_map_coordinates(fill_mode, scipy_mode, interpolation,
                                                         order):
    ndimage = pytest.importorskip("scipy.ndimage")
    x = images(n=2, h=9, w=11, c=2, dtype="float64", seed=5)
    rot, tx, ty, shear, zx, zy = 23.0, 1.7, -2.2, 8.0, 1.1, 0.9
    out = affine_transform(x, rot, tx, ty, shear, zx, zy, fill_mode=fill_mode, cval=0.5,
                           interpolation=interpolation)
    h, w = x.shape[1:3]
    rows, cols = np.indices((h, w), dtype=float)
    u, v = zx * (cols - (w - 1) / 2 - tx), zy * (rows - (h - 1) / 2 - ty)  # zoom
    s = np.deg2rad(shear)
    u, v = u - np.sin(s) * v, np.cos(s) * v  # shear
    t = np.deg2rad(rot)
    u, v = np.cos(t) * u - np.sin(t) * v, np.sin(t) * u + np.cos(t) * v  # rotate
    coords = [v + (h - 1) / 2, u + (w - 1) / 2]
    expected = np.stack([np.stack([ndimage.map_coordinates(img[..., k], coords, order=order,
                                                           mode=scipy_mode, cval=0.5)
                                   for k in range(2)], -1) for img in x])
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_elastic_distortion():
    ndimage = pytest.importorskip("scipy.ndimage")
    noise = np.random.default_rng(0).random((2, 3, 14, 10), dtype=np.float32)
    expected = ndimage.gaussian_filter(noise.astype(float), sigma=(0, 0, 2.5, 2.5),
                                       mode="reflect", truncate=4.0)
    np.testing.assert_allclose(gaussian_blur(noise, 2.5), expected, atol=1e-5)
    flat = np.full((4, 16, 16, 1), 0.7, "float32")  # a constant image stays constant
    np.testing.assert_allclose(ImageAugmenter(elastic_alpha=30, fill_mode="nearest",
                                              seed=0)(flat), 0.7, rtol=1e-5)
    x = images(n=4, h=28, w=28, c=1)
    out = ImageAugmenter(elastic_alpha=34, elastic_sigma=4, fill_mode="reflect", seed=0)(x)
    change = np.abs(out - x).mean()
    assert 0.01 < change < 0.5  # moved, but a wobble, not a scramble


def test_config_round_trip_reproduces_the_run():
    aug = ImageAugmenter(seed=7, fill_mode="nearest", **FULL)
    config = json.loads(json.dumps(aug.get_config()))
    again = ImageAugmenter.from_config(config)
    x = images()
    np.testing.assert_array_equal(aug(x), again(x))
    assert repr(ImageAugmenter(rotation_range=10)) == "ImageAugmenter(rotation_range=10.0)"


def test_fit_accepts_the_augmenter():
    rng = np.random.default_rng(0)
    x = rng.random((32, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 2, (32, 1)).astype("float32")
    model = Sequential([Input(shape=(8, 8, 1)), Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=0,
                        augment=ImageAugmenter(rotation_range=10, horizontal_flip=True, seed=0))
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("kwargs,error,message", [
    ({"rotation_range": -5}, ValueError,
     r"ImageAugmenter: rotation_range must be a number >= 0 \(degrees\); received "
     r"rotation_range=-5"),
    ({"width_shift_range": "0.1"}, ValueError, r"width_shift_range must be a number >= 0"),
    ({"zoom_range": 1.5}, ValueError, r"zoom_range must be a number in \[0, 1\) or a pair"),
    ({"zoom_range": (1.2, 0.8)}, ValueError, r"low <= high; received zoom_range=\(1.2, 0.8\)"),
    ({"zoom_range": (0, 1)}, ValueError, r"zoom_range\[0\] must be a number > 0"),
    ({"elastic_sigma": 0}, ValueError, r"elastic_sigma must be a number > 0 \(pixels\)"),
    ({"fill_mode": "mirror"}, ValueError, r"fill_mode must be one of \('constant', 'nearest', "
                                          r"'reflect', 'wrap'\); received fill_mode='mirror'"),
    ({"interpolation": "bicubic"}, ValueError, r"interpolation must be one of"),
    ({"horizontal_flip": "yes"}, TypeError, r"horizontal_flip must be True or False"),
    ({"cval": None}, ValueError, r"cval must be a number; received cval=None"),
    ({"seed": -1}, ValueError, r"seed must be None, a non-negative int"),
])
def test_bad_constructor_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        ImageAugmenter(**kwargs)


def test_bad_batches():
    aug = ImageAugmenter(rotation_range=5, seed=0)
    with pytest.raises(ValueError, match=r"ImageAugmenter: expected a batch of shape \(N, H, W, "
                                         r"C\); received shape \(4, 8, 8\) \(add a channel axis"):
        aug(np.zeros((4, 8, 8), "float32"))
    with pytest.raises(TypeError, match=r"expected float images; received dtype uint8 \(convert"):
        aug(np.zeros((1, 8, 8, 1), "uint8"))
    with pytest.raises(TypeError, match="expected one NHWC image batch; received a list of 2"):
        aug([np.zeros((1, 8, 8, 1)), np.zeros((1, 8, 8, 1))])
    with pytest.raises(ValueError, match=r"affine_transform: rotation must be a number or an "
                                         r"array of shape \(2,\)"):
        affine_transform(np.zeros((2, 4, 4, 1)), rotation=[1, 2, 3])
    with pytest.raises(ValueError, match="affine_transform: fill_mode must be one of"):
        affine_transform(np.zeros((2, 4, 4, 1)), fill_mode="edge")
