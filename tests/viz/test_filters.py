import numpy as np
import pytest

from lamina.layers import Dense, Flatten, Input
from lamina.layers.reshaping import Reshape
from lamina.models import Sequential
from lamina.viz import plot_feature_maps, plot_filters


def test_kernel_array_one_image_per_filter_and_a_colour_bar():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 6))
    fig = plot_filters(kernel)
    assert len(fig.axes) == 6 + 1
    for i, ax in enumerate(fig.axes[:6]):
        np.testing.assert_array_equal(ax.images[0].get_array(), kernel[:, :, 0, i])
        assert ax.get_title() == str(i)
    assert "6 of 6 filters (3x3)" in fig._suptitle.get_text()
    fig = plot_filters(np.zeros((5, 5, 2, 40)), channel=1, max_filters=10)
    assert len(fig.axes) == 10 + 1 and "input channel 1" in fig._suptitle.get_text()


def test_first_conv_layer_of_a_model_in_colour():
    from lamina.layers.conv import Conv2D

    model = Sequential([Input(shape=(8, 8, 3)), Conv2D(4, 3, name="first"), Conv2D(5, 3),
                        Flatten(), Dense(2)])
    fig = plot_filters(model)
    assert len(fig.axes) == 4                    # RGB images: no colour bar
    assert fig.axes[0].images[0].get_array().shape == (3, 3, 3)
    assert fig._suptitle.get_text().startswith("Conv2D 'first': 4 of 4 filters")
    fig = plot_filters(model, layer=1)
    assert len(fig.axes) == 5 + 1                # 5 filters, mean over 4 channels


def test_dense_kernel_as_images():
    model = Sequential([Input(shape=(16,)), Dense(3, name="hidden")])
    fig = plot_filters(model)
    assert len(fig.axes) == 3 + 1
    np.testing.assert_array_equal(fig.axes[2].images[0].get_array(),
                                  model.layers[0].kernel.data[:, 2].reshape(4, 4))
    with pytest.raises(ValueError, match="image_shape \\(3, 3\\) does not hold the 16 inputs"):
        plot_filters(model, image_shape=(3, 3))
    with pytest.raises(ValueError, match="no layer named 'conv'"):
        plot_filters(model, layer="conv")


def feature_model():
    from lamina.initializers import GlorotUniform

    return Sequential([Input(shape=(8,)),
                       Dense(32, activation="relu", kernel_initializer=GlorotUniform(0),
                             name="hidden"),
                       Reshape((4, 4, 2), name="grid"), Flatten(), Dense(3, name="out")])


def test_feature_maps_of_image_shaped_layers_by_default():
    model = feature_model()
    x = np.random.default_rng(1).normal(size=8).astype("float32")
    fig = plot_feature_maps(model, x)
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 2                  # the 4x4x2 reshape: two channels
    hidden = np.maximum(x @ model.layers[0].kernel.data + model.layers[0].bias.data, 0)
    np.testing.assert_allclose(image_axes[1].images[0].get_array(),
                               hidden.reshape(4, 4, 2)[:, :, 1], rtol=1e-6)
    assert fig.subfigs[0]._suptitle.get_text() == "grid: output (4, 4, 2)"
    assert not hasattr(model.layers[1], "__dict__") or "call" not in vars(model.layers[1])


def test_feature_maps_of_chosen_layers():
    model = feature_model()
    fig = plot_feature_maps(model, np.ones((1, 8), "float32"), layers=["hidden", 1, -1])
    assert [s._suptitle.get_text() for s in fig.subfigs] == [
        "hidden: output (32,)", "grid: output (4, 4, 2)", "out: output (3,)"]
    with pytest.raises(ValueError, match="layer index 9 is out of range"):
        plot_feature_maps(model, np.ones(8, "float32"), layers=[9])
