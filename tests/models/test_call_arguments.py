"""Issue 15 §2: further arguments of a layer call in a functional model are recorded, passed
to ``call`` and saved (``layer(x, targets)``, ``layer(x, factor=10.0)``); ``add_loss`` in
``call`` trains the model, with or without a compiled loss; ``fit`` takes a dict of inputs
keyed by input name."""

import numpy as np
import pytest

from lamina import layers, losses, models, optimizers
from lamina.autograd import ops as F
from lamina.saving import register_serializable


@register_serializable(package="tests")
class Scale(layers.Layer):
    def call(self, inputs, factor=1.0):
        return inputs * factor


@register_serializable(package="tests")
class Endpoint(layers.Layer):
    """Keras's 'endpoint layer' pattern: the layer computes and adds its own loss."""

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            self.add_loss(losses.BinaryCrossentropy(from_logits=True)(targets, logits))
        return F.sigmoid(logits)


def test_a_keyword_argument_is_recorded_passed_and_saved(tmp_path):
    x = layers.Input((2,))
    model = models.Model(x, Scale()(x, factor=10.0))
    ones = np.ones((3, 2), "float32")
    np.testing.assert_array_equal(model.predict(ones, verbose=0), 10.0)  # was 1.0
    node = model.get_config()["nodes"][0]
    assert node["kwargs"] == {"factor": 10.0} and node["args"] == []
    model.save(tmp_path / "m.lamina")
    loaded = models.load_model(tmp_path / "m.lamina")
    np.testing.assert_array_equal(loaded.predict(ones, verbose=0), 10.0)


def test_a_tensor_argument_is_a_graph_input(tmp_path):
    x, factor = layers.Input((2,)), layers.Input((1,))
    y = Scale()(x, factor)  # a symbolic positional argument
    model = models.Model([x, factor], y)
    got = model.predict([np.ones((2, 2), "float32"), np.array([[2.0], [3.0]], "float32")],
                        verbose=0)
    np.testing.assert_array_equal(got, [[2.0, 2.0], [3.0, 3.0]])
    config = model.get_config()
    assert config["nodes"][0]["args"][0]["class_name"] == "__keras_tensor__"
    clone = models.Model.from_config(config)
    np.testing.assert_array_equal(
        clone.predict([np.ones((1, 2), "float32"), np.full((1, 1), 4.0, "float32")],
                      verbose=0), [[4.0, 4.0]])


def _endpoint_model():
    x = layers.Input((3,), name="features")
    targets = layers.Input((1,), name="targets")
    logits = layers.Dense(1, kernel_initializer="ones")(x)
    return models.Model({"features": x, "targets": targets}, Endpoint()(logits, targets))


def test_add_loss_trains_a_model_compiled_without_a_loss():
    rng = np.random.default_rng(0)
    data = {"features": rng.standard_normal((32, 3)).astype("float32"),
            "targets": (rng.random((32, 1)) > 0.5).astype("float32")}
    model = _endpoint_model()
    model.compile(optimizer=optimizers.SGD(0.5))  # no loss: the model adds its own
    before = model.evaluate(data, verbose=0)
    probs = model.predict(data, verbose=0)
    expected = float(losses.BinaryCrossentropy()(data["targets"], probs).data)
    assert before == pytest.approx(expected, rel=1e-4)  # the add_loss value, from the logits
    history = model.fit(data, epochs=5, batch_size=8, verbose=0).history
    assert history["loss"][-1] < before
    assert model.evaluate(data, verbose=0) < before


def test_add_loss_adds_to_the_compiled_loss_and_resets_each_call():
    class Penalty(layers.Layer):
        def call(self, inputs):
            self.add_loss(F.sum(inputs * inputs) * 0.0 + 2.5)
            return inputs

    x = layers.Input((2,))
    model = models.Model(x, Penalty()(layers.Dense(1, kernel_initializer="zeros")(x)))
    model.compile(optimizer="sgd", loss="mse")
    ones = np.ones((4, 2), "float32")
    assert model.evaluate(ones, np.zeros((4, 1)), verbose=0) == pytest.approx(2.5)
    model(ones)
    model(ones)  # a second call replaces the first call's losses
    assert len(model.losses) == 1


def test_compile_without_a_loss_and_no_add_loss_says_so():
    model = models.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="has no loss to minimize.*add_loss"):
        model.fit(np.ones((2, 2), "float32"), verbose=0)


def test_fit_takes_a_dict_of_inputs_keyed_by_input_name():
    rng = np.random.default_rng(1)
    seq = models.Sequential([layers.Input((3,), name="pixels"), layers.Dense(1)])
    seq.compile(optimizer="sgd", loss="mse")
    x = rng.standard_normal((8, 3)).astype("float32")
    history = seq.fit({"pixels": x}, np.ones(8), epochs=2, verbose=0,
                      validation_data=({"pixels": x}, np.ones(8))).history
    assert len(history["val_loss"]) == 2
    np.testing.assert_allclose(seq.predict({"pixels": x}, verbose=0), seq.predict(x, verbose=0))
    with pytest.raises(ValueError, match="one input, so x as a dict must have one entry"):
        seq.fit({"pixels": x, "other": x}, np.ones(8), verbose=0)


def test_training_may_come_positionally_as_in_keras():
    drop = layers.Dropout(0.5, seed=0)
    ones = np.ones((1, 100), "float32")
    assert (drop(ones, True).data == 0).any()  # call(inputs, training): training=True
    np.testing.assert_array_equal(drop(ones, False).data, ones)
