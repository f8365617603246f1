import numpy as np
import pytest

from lamina.layers import Conv2D, Input, MaxPooling2D, ZeroPadding2D
from lamina.models import Sequential
from lamina.viz import (
    filter_grid,
    plot_filter_grid,
    plot_top_patches,
    receptive_field,
    top_patches,
)


def chain(padding="valid"):
    model = Sequential([Input((12, 12, 1)), Conv2D(2, 3, padding=padding, name="c1"),
                        MaxPooling2D(2, name="p1"), Conv2D(3, 2, name="c2")])
    rng = np.random.default_rng(0)
    for layer in (model.get_layer("c1"), model.get_layer("c2")):
        layer.kernel.assign(rng.standard_normal(layer.kernel.shape))
    return model


def test_filter_grid_tiles_each_filter_scaled_on_its_own():
    kernel = np.zeros((3, 3, 1, 5))
    kernel[1, 1, 0, :] = [1, -2, 3, -4, 5]
    grid = filter_grid(kernel, pad=1)
    assert grid.shape == (2 * 4 - 1, 3 * 4 - 1, 3)     # 3 columns x 2 rows of 3x3 tiles
    assert grid[1, 1, 0] == 1.0 and grid[1, 5, 0] == 0.0   # +max white, -max black
    assert grid[0, 0, 0] == 0.5                          # zero is mid-grey
    assert (grid[:, 3] == 1).all()                        # white separator column
    assert (grid[4:, 8:] == 1).all()                      # the empty sixth slot


def test_colour_filters_keep_their_colours():
    kernel = np.zeros((2, 2, 3, 1))
    kernel[0, 0, :, 0] = [1.0, 0.0, -1.0]
    grid = filter_grid(kernel)
    np.testing.assert_allclose(grid[0, 0], [1.0, 0.5, 0.0])


def test_receptive_field_of_a_chain():
    # conv 3 -> size 3; pool 2/2 -> size 4, jump 2; conv 2 -> size 6
    assert receptive_field(chain(), "c2") == (6, 2, 2.5)
    assert receptive_field(chain("same"), "c2") == (6, 2, 1.5)
    padded = Sequential([Input((8, 8, 1)), ZeroPadding2D(1), Conv2D(1, 3, name="c")])
    assert receptive_field(padded, "c") == (3, 1, 0.0)


def test_top_patches_are_the_crops_under_the_strongest_outputs():
    model = chain()
    images = np.random.default_rng(1).random((20, 12, 12, 1)).astype("float32")
    patches, scores = top_patches(model, "c2", images, k=3, channels=[1])
    assert patches.shape == (1, 3, 6, 6, 1)
    out = np.asarray(model.layers[2](model.layers[1](model.layers[0](images))).data)[..., 1]
    i, y, x = np.unravel_index(out.argmax(), out.shape)
    assert scores[0, 0] == pytest.approx(out.max(), rel=1e-6)
    np.testing.assert_array_equal(patches[0, 0], images[i, 2 * y: 2 * y + 6, 2 * x: 2 * x + 6])
    assert scores[0, 0] >= scores[0, 1] >= scores[0, 2]


def test_patches_past_the_border_are_nan():
    model = chain("same")
    images = np.zeros((1, 12, 12, 1), "float32")
    images[0, 0, 0] = 1.0
    model.get_layer("c1").kernel.assign(np.ones((3, 3, 1, 2)))
    model.get_layer("c2").kernel.assign(np.ones((2, 2, 2, 3)))
    patches, _ = top_patches(model, "c2", images, k=1, channels=[0])
    assert np.isnan(patches[0, 0, 0, 0, 0])             # the row above the image
    assert patches[0, 0, 1, 1, 0] == 1.0                # the bright pixel


def test_figures():
    model = chain()
    images = np.random.default_rng(2).random((10, 12, 12, 1)).astype("float32")
    fig = plot_top_patches(model, "c2", images, k=4, columns=2)
    assert [ax.get_title().split(" (")[0] for ax in fig.axes] == ["filter 0", "filter 1",
                                                                    "filter 2"]
    fig = plot_filter_grid(model)
    assert "'c1': 2 filters of 3x3" in fig.axes[0].get_title()
