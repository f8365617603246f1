"""layer.input / layer.output, a Sequential model's graph, and Tensors given to fit."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops


def test_feature_extraction_from_a_sequential_model():
    model = lamina.Sequential([lamina.Input((6,)), layers.Dense(4, activation="relu"),
                               layers.Dense(3, name="middle"), layers.Dense(2)])
    extractor = lamina.Model(inputs=model.inputs,
                             outputs=[layer.output for layer in model.layers])
    x = np.random.default_rng(0).normal(size=(5, 6)).astype("float32")
    features = extractor.predict(x, verbose=0)
    assert [f.shape for f in features] == [(5, 4), (5, 3), (5, 2)]
    np.testing.assert_allclose(features[-1], model.predict(x, verbose=0), rtol=1e-6)
    middle = lamina.Model(model.inputs, model.get_layer(name="middle").output)
    np.testing.assert_allclose(middle.predict(x, verbose=0), features[1], rtol=1e-6)
    assert model.layers[1].input is model.layers[0].output


def test_a_rebuild_replaces_the_graph_and_errors_name_the_layer():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    model.add(layers.Dense(1))
    model.pop()
    model.add(layers.Dense(5))
    assert model.outputs[0].shape == (None, 5)
    assert all(len(layer._inbound_nodes) == 1 for layer in model.layers)
    loose = layers.Dense(2, name="loose")
    with pytest.raises(AttributeError, match="Layer 'loose' has no output yet"):
        loose.output  # noqa: B018
    shared = layers.Dense(2, name="shared")
    shared(lamina.Input((3,)))
    shared(lamina.Input((3,)))
    with pytest.raises(AttributeError, match="called 2 times"):
        shared.output  # noqa: B018


def test_fit_evaluate_and_predict_take_tensors_as_data():
    x = ops.convert_to_tensor(np.linspace(-1, 1, 16, dtype="float32")[:, None])
    y = ops.one_hot(np.arange(16) % 2, 2)
    model = lamina.Sequential([lamina.Input((1,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x, y))
    assert len(history.history["val_loss"]) == 2
    assert np.isfinite(model.evaluate(x, y, verbose=0))
    assert model.predict(x, verbose=0).shape == (16, 2)
