"""The layers of issue 15 §2 against Keras 3.15.1 (torch backend): the same input and
weights give Keras's output (fixture written by scripts/keras_fixtures/layers.py). The
random layers are given factors with equal bounds, so the transformation is known."""

import json
import pathlib

import numpy as np
import pytest

from lamina import layers

DATA = np.load(pathlib.Path(__file__).parent / "data" / "keras_layers.npz")
META = json.loads(str(DATA["meta"]))


@pytest.mark.parametrize("name", sorted(META))
def test_output_matches_keras(name):
    meta = META[name]
    x = DATA[f"{name}/x"]
    layer = getattr(layers, meta["class"])(**meta["config"])
    layer.build((None, *x.shape[1:]))
    if meta["weights"]:
        layer.set_weights([DATA[f"{name}/w{i}"] for i in range(meta["weights"])])
    got = layer(x, training=meta["training"]).data
    want = DATA[f"{name}/y"]
    assert got.shape == want.shape
    # float32 sums of a few products; pixel values reach 255 in the image cases
    scale = max(1.0, float(np.abs(want).max()))
    np.testing.assert_allclose(got, want, rtol=0, atol=scale * 2 ** -23 * 64)
    if meta["training"]:  # the random layers do nothing outside training
        np.testing.assert_array_equal(layer(x, training=False).data, x)


@pytest.mark.parametrize("axis, key", [(-1, "adapt/y"), ((1, 2), "adapt2/y")])
def test_normalization_adapt_matches_keras(axis, key):
    data = DATA["adapt/data"]
    norm = layers.Normalization(axis=axis)
    norm.adapt(data)
    np.testing.assert_allclose(norm(data[:5]).data, DATA[key], rtol=1e-5, atol=1e-5)
    # adapting on batches gives the statistics of the whole (Chan's update)
    batched = layers.Normalization(axis=axis)
    batched.adapt([data[:17], data[17:30], data[30:]])
    np.testing.assert_allclose(batched.adapt_mean.data, norm.adapt_mean.data, atol=1e-6)
    np.testing.assert_allclose(batched.adapt_variance.data, norm.adapt_variance.data,
                               rtol=1e-5)
    assert float(norm.count.data) == float(batched.count.data) > 0
