"""lamina.datasets.shapes: seeded scenes whose labels say what is visible at each pixel."""

import numpy as np
import pytest

from lamina.datasets import shapes


def test_same_seed_same_scenes_other_seed_other_scenes():
    a = shapes.make_scenes(6, size=32, seed=3)
    b = shapes.make_scenes(6, size=32, seed=3)
    c = shapes.make_scenes(6, size=32, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_shapes_dtypes_and_ranges():
    x, y = shapes.make_scenes(20, size=48, max_shapes=2, seed=0)
    assert x.shape == (20, 48, 48, 3) and x.dtype == np.float32
    assert y.shape == (20, 48, 48) and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert set(np.unique(y)) <= {0, 1, 2, 3}
    assert (y != 0).any(axis=(1, 2)).all()          # every scene has a visible shape


def test_labels_follow_the_geometry():
    """Without noise, a single disk's pixels are one flat colour and form a disk: its
    area is pi r^2 for a radius from its extent."""
    x, y = shapes.make_scenes(200, size=32, max_shapes=1, noise=0.0, seed=1)
    kinds = [int(np.unique(labels[labels > 0])[0]) for labels in y]
    assert set(kinds) == {1, 2, 3}
    for image, labels, kind in zip(x, y, kinds):
        pixels = image[labels == kind]
        np.testing.assert_allclose(pixels, pixels[:1].repeat(len(pixels), 0), atol=1e-6)
        rows, cols = np.nonzero(labels == kind)
        height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
        area = len(rows)
        if kind == 1 and 2 < rows.min() and rows.max() < 29 and 2 < cols.min() \
                and cols.max() < 29:                 # a whole disk
            assert area == pytest.approx(np.pi * (height / 2) ** 2, rel=0.2)
        if kind == 2:                                # an axis-aligned square fills its box
            assert area == height * width


def test_load_data_holds_out_test_scenes():
    (x, y), (xt, yt) = shapes.load_data(n_train=10, n_test=5, seed=0)
    assert x.shape == (10, 32, 32, 3) and xt.shape == (5, 32, 32, 3)
    assert not any(np.array_equal(t, s) for t in yt for s in y)
    (x2, _), _ = shapes.load_data(n_train=10, n_test=5, seed=0)
    np.testing.assert_array_equal(x, x2)


@pytest.mark.parametrize("kwargs, match", [({"n": -1}, "n"), ({"n": 2, "size": 8}, "size"),
                                           ({"n": 2, "max_shapes": 0}, "max_shapes"),
                                           ({"n": 2, "noise": -0.1}, "noise")])
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        shapes.make_scenes(**kwargs)
