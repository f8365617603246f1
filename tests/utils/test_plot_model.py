import numpy as np
import pytest

import lamina
from lamina import layers, utils
from lamina.utils.plot_model import layer_graph, plot_backend

pytest.importorskip("matplotlib")


def residual_model():
    inputs = lamina.Input(shape=(8,), name="features")
    h = layers.Dense(8, activation="relu", name="hidden")(inputs)
    out = layers.Dense(1, name="score")(layers.Add(name="skip")([inputs, h]))
    return lamina.Model(inputs, out)


def test_layer_graph_follows_the_calls():
    graph = layer_graph(residual_model())
    edges = {layer.name: [p.name for p in parents] for layer, parents in graph}
    assert edges == {"features": [], "hidden": ["features"], "skip": ["features", "hidden"],
                     "score": ["skip"]}


@pytest.mark.parametrize("suffix,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                          ("pdf", b"%PDF")])
def test_plot_model_writes_the_picture(tmp_path, suffix, magic):
    path = tmp_path / f"model.{suffix}"
    utils.plot_model(residual_model(), to_file=str(path), show_shapes=True,
                     show_layer_names=True, show_layer_activations=True, dpi=60)
    assert path.read_bytes().startswith(magic)


def test_plot_model_of_a_sequential_model_left_to_right(tmp_path):
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3), layers.Dense(2)])
    path = tmp_path / "seq.png"
    utils.plot_model(model, to_file=str(path), rankdir="LR", show_trainable=True, dpi=60)
    assert path.stat().st_size > 1000
    assert plot_backend() in ("graphviz", "matplotlib")
    with pytest.raises(ValueError, match="received rankdir='BT'"):
        utils.plot_model(model, to_file=str(path), rankdir="BT")
    with pytest.raises(ValueError, match="must end in .png, .svg or .pdf"):
        utils.plot_model(model, to_file=str(tmp_path / "m.gif"))
    np.testing.assert_equal(len(layer_graph(model)), len(model.layers))
