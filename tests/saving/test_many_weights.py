"""Issue 14 §3: more than 10,000 weights land in their own variables.

Weights are stored keyed ``"{i:04d}|path"``; read back in string order, ``"10000|..."``
sorted between ``"1000|..."`` and ``"1001|..."`` and 9,001 of 10,001 tensors were
misplaced. One cheap layer with 10,001 one-element weights keeps the test fast.
"""

import numpy as np
import pytest

from lamina.layers import Input, Layer
from lamina.models import Sequential, load_model
from lamina.saving import register_serializable

COUNT = 10_001


@register_serializable(package="tests")
class ManyScalars(Layer):
    """``count`` one-element weights; the output is the input plus the first one."""

    def __init__(self, count=1, **kwargs):
        super().__init__(**kwargs)
        self.count = count

    def build(self, input_shape):
        self.scalars = [self.add_weight(shape=(1,), initializer="zeros", name=f"s{i}")
                        for i in range(self.count)]
        self.built = True

    def call(self, inputs):
        return inputs + self.scalars[0]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "count": self.count}


def many(values=None):
    model = Sequential([Input(shape=(1,)), ManyScalars(COUNT)])
    if values is not None:
        for var, value in zip(model.weights, values):
            var.assign(value)
    return model


@pytest.mark.parametrize("how", ["load_model", "load_weights"])
def test_10001_weights_round_trip_in_order(tmp_path, how):
    values = np.arange(COUNT, dtype="float32").reshape(COUNT, 1)
    model = many(values)
    if how == "load_model":
        model.save(tmp_path / "m.lamina")
        loaded = load_model(tmp_path / "m.lamina")
    else:
        model.save_weights(tmp_path / "m.weights.npz")
        loaded = many()
        loaded.load_weights(tmp_path / "m.weights.npz")
    got = np.concatenate([v.data for v in loaded.weights])
    np.testing.assert_array_equal(got, values[:, 0])


@pytest.mark.parametrize("suffix", [".h5", ".keras", ".weights.h5"])
def test_10001_weights_round_trip_through_keras_files(tmp_path, suffix):
    """Keras's layouts too: ``.h5`` splits a list of names over HDF5's 64 KB attribute limit
    as Keras does (``weight_names0``, ``weight_names1``...; saving raised "object header
    message is too large" before), and its optimizer state of 20,003 arrays loads in linear
    time (its size check went over every weight once per array: hours, now seconds)."""
    pytest.importorskip("h5py")
    values = np.arange(COUNT, dtype="float32").reshape(COUNT, 1)
    model = many(values)
    path = tmp_path / f"m{suffix}"
    if suffix == ".weights.h5":
        model.save_weights(path)
        loaded = many()
        loaded.load_weights(path)
    else:
        model.compile(optimizer="adam", loss="mse")
        model.optimizer.build(model.trainable_weights)
        state = model.optimizer.get_state()
        state = {k: np.full_like(np.asarray(v), i) for i, (k, v) in enumerate(sorted(
            state.items())) if k != "learning_rate"}  # learning_rate: float32 in Keras files
        model.optimizer.set_state(state)
        model.save(path)
        loaded = load_model(path)
        got = loaded.optimizer.get_state()
        for key, value in state.items():
            np.testing.assert_array_equal(np.asarray(got[key]), value, err_msg=key)
    got = np.concatenate([v.data for v in loaded.weights])
    np.testing.assert_array_equal(got, values[:, 0])
