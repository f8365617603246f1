"""How each task's inputs are made from clean crops."""

import numpy as np
import pytest

from lamina.apps.imaging import pairs

pytest.importorskip("PIL")
rng = np.random.default_rng(0)
CLEAN = rng.uniform(0, 1, (6, 16, 16, 1)).astype("float32")


def test_noise_has_the_asked_level_or_a_level_in_the_range():
    big = np.full((4, 64, 64, 1), 0.5, "float32")
    x, y = pairs.make_pairs("denoise", big, seed=0, sigma=25 / 255)
    assert y is big and x.dtype == np.float32
    assert abs((x - big).std() - 25 / 255) < 0.002
    levels = (pairs.noisy(big, seed=1) - big).reshape(4, -1).std(axis=1)
    assert (levels > 4 / 255).all() and (levels < 56 / 255).all() and levels.std() > 0.01
    np.testing.assert_array_equal(pairs.noisy(big, seed=3), pairs.noisy(big, seed=3))


def test_shrink_and_bicubic_sizes_and_a_flat_image_stays_flat():
    flat = np.full((2, 16, 16, 1), 0.25, "float32")
    low = pairs.shrink(flat)
    assert low.shape == (2, 8, 8, 1)
    np.testing.assert_allclose(low, 0.25, atol=1e-6)
    np.testing.assert_allclose(pairs.bicubic(low), flat, atol=1e-6)


def test_luma_is_bt601():
    rgb = np.array([1.0, 0.0, 0.0], "float32").reshape(1, 1, 1, 3)
    np.testing.assert_allclose(pairs.luma(rgb), [[[[0.299]]]], rtol=1e-6)


def test_holes_are_16x16_squares_inside_the_crop():
    masks = pairs.holes(50, 32, seed=0)
    assert masks.shape == (50, 32, 32, 1)
    assert (masks.sum(axis=(1, 2, 3)) == 256).all()
    rows = masks.any(axis=(2, 3)).sum(axis=1)
    assert (rows == 16).all()
    x, y = pairs.make_pairs("inpaint", CLEAN.repeat(2, 1).repeat(2, 2), seed=0)
    assert x.shape == (6, 32, 32, 2)
    np.testing.assert_array_equal(x[..., 1:], pairs.holes(6, 32, seed=0))
    known = x[..., 1] == 0
    np.testing.assert_array_equal(x[..., 0][known], y[..., 0][known])
    for crop, clean in zip(x, y):   # the hole holds the biharmonic fill of the rest
        np.testing.assert_array_equal(crop[..., :1], pairs.biharmonic(clean, crop[..., 1]))


def test_biharmonic_extends_a_plane_and_keeps_the_known_pixels():
    pytest.importorskip("skimage")
    rows, cols = np.mgrid[0:20, 0:24].astype("float32")
    plane = np.stack([0.1 + 0.02 * rows + 0.01 * cols, 0.9 - 0.03 * rows], axis=2)
    hole = np.zeros((20, 24), bool)
    hole[5:13, 6:16] = True
    filled = pairs.biharmonic(np.where(hole[..., None], 0.0, plane), hole)
    assert filled.dtype == np.float32 and filled.shape == (20, 24, 2)
    # a plane is biharmonic, so the float64 solve gives the plane; what is left is rounding
    # to float32 twice (the plane's values and the fill's, both below 1): 2 * 2**-24
    np.testing.assert_allclose(filled, plane, rtol=0, atol=2 * 2.0 ** -24)
    np.testing.assert_array_equal(pairs.biharmonic(plane, np.zeros((20, 24))), plane)
    np.testing.assert_array_equal(pairs.biharmonic(plane, np.ones((20, 24))), 0.5)


def test_unknown_task():
    with pytest.raises(ValueError, match=r"make_pairs: unknown task 'sharpen'"):
        pairs.make_pairs("sharpen", CLEAN)
