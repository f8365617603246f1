import numpy as np
import pytest

from lamina.layers import Dense, Input
from lamina.models import Functional, Model


def residual_model():
    x = Input(shape=(4,), name="x")
    h = Dense(4, activation="relu", name="h")(x)
    s = Dense(4, name="s")(h)
    from lamina.autograd import ops as F

    class AddLayer(Dense.__mro__[1]):  # a tiny Layer subclass adding its two inputs
        def call(self, inputs):
            return F.add(inputs[0], inputs[1])

        def compute_output_shape(self, input_shape):
            return input_shape[0]

    y = Dense(1, name="y")(AddLayer(name="add")([x, s]))
    return Model(inputs=x, outputs=y), AddLayer


def test_model_with_inputs_outputs_is_functional_and_runs():
    model, _ = residual_model()
    assert isinstance(model, Functional)
    assert [layer.name for layer in model.layers] == ["x", "h", "s", "add", "y"]
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    h = np.maximum(x @ model.get_layer("h").kernel.data + model.get_layer("h").bias.data, 0)
    s = h @ model.get_layer("s").kernel.data + model.get_layer("s").bias.data
    expected = (x + s) @ model.get_layer("y").kernel.data + model.get_layer("y").bias.data
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_functional_summary_has_connections(capsys):
    model, _ = residual_model()
    model.summary()
    out = capsys.readouterr().out
    assert "Connected to" in out and "x[0][0], s[0][0]" in out
    assert "x (InputLayer)" in out


def test_functional_trains():
    model, _ = residual_model()
    from lamina.optimizers import Adam

    model.compile(optimizer=Adam(0.01), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]


def test_graph_disconnected_and_wrong_input_shape():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(inputs=a, outputs=Dense(1)(b))
    model = Model(inputs=a, outputs=Dense(1)(a))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 2\), found shape=\(1, 3\)"):
        model.predict(np.ones((1, 3)), verbose=0)


def test_functional_config_round_trip():
    from lamina.saving import register_serializable

    model, add_cls = residual_model()
    register_serializable(name="AddLayer")(add_cls)
    clone = Functional.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_subclassed_model_tracks_its_layers():
    class TwoLayers(Model):
        def __init__(self):
            super().__init__()
            self.a = Dense(3)
            self.b = Dense(1)

        def call(self, inputs):
            return self.b(self.a(inputs))

    model = TwoLayers()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    assert len(model.trainable_weights) == 4 and model.count_params() == 2 * 3 + 3 + 3 + 1


def test_input_shape_and_output_shape():
    model, _ = residual_model()
    assert model.input_shape == (None, 4)
    assert model.output_shape == (None, 1)
    assert model.output_shape == model.get_layer("y").output_shape
    assert model.output_shape == model.compute_output_shape(model.input_shape)


def test_input_shape_is_a_list_for_several_inputs():
    from lamina.layers import Concatenate

    a, b = Input(shape=(3,)), Input(shape=(5,))
    model = Model(inputs=[a, b], outputs=Dense(2)(Concatenate()([a, b])))
    assert model.input_shape == [(None, 3), (None, 5)]
    assert model.output_shape == (None, 2)
    clone = Functional.from_config(model.get_config())
    assert clone.input_shape == [(None, 3), (None, 5)] and clone.output_shape == (None, 2)
    one = Input(shape=(6,))
    assert Model(inputs=[one], outputs=Dense(1)(one)).input_shape == (None, 6)  # as Keras
