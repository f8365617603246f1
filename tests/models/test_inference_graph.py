"""predict / evaluate of a functional model run Conv2D + BatchNormalization (+ Add) (+ ReLU)
as one op (lamina.models.inference_graph): the same outputs as the layers up to rounding,
training untouched."""

import numpy as np
import pytest

from lamina import layers as L
from lamina.autograd import no_grad
from lamina.models import Model, inference_graph
from lamina.random import set_random_seed
from tests.tolerance import assert_sums_close


def _block_model(relu_layer=False):
    """A stem (conv-BN-ReLU) and a residual block whose shortcut is conv + BN too."""
    set_random_seed(3)
    x = L.Input((10, 10, 16))
    h = L.Conv2D(16, 3, padding="same", name="stem")(x)
    h = L.BatchNormalization(name="stem_bn")(h)
    h = L.ReLU(name="stem_relu")(h) if relu_layer else L.Activation("relu")(h)
    short = L.BatchNormalization(name="short_bn")(L.Conv2D(24, 1, strides=2, name="short")(h))
    b = L.Conv2D(24, 1, strides=2, use_bias=False, name="b1")(h)
    b = L.Activation("relu")(L.BatchNormalization(center=False, name="b1_bn")(b))
    b = L.BatchNormalization(name="b2_bn")(L.Conv2D(24, 3, padding="same", name="b2")(b))
    y = L.Activation("relu")(L.Add()([short, b]))
    out = L.Dense(3, activation="softmax")(L.GlobalAveragePooling2D()(y))
    model = Model(x, out)
    rng = np.random.default_rng(0)
    for layer in model.layers:  # moving statistics away from 0 and 1
        if isinstance(layer, L.BatchNormalization):
            c = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.standard_normal(c).astype("float32") * 0.1)
            layer.moving_variance.assign(rng.uniform(0.5, 1.5, c).astype("float32"))
    return model


@pytest.mark.parametrize("relu_layer", [False, True])
def test_chains_found(relu_layer):
    model = _block_model(relu_layer)
    chains = inference_graph.find_chains(model._nodes, model.outputs)
    got = [(c.conv.layer.name, c.add is not None, c.relu is not None) for c in chains]
    # the shortcut ends at its BN: the block's later branch takes the Add (its residual must
    # exist before the branch runs)
    assert got == [("stem", False, True), ("short", False, False), ("b1", False, True),
                   ("b2", True, True)]


def test_predict_equals_the_layers():
    model = _block_model()
    x = np.random.default_rng(1).random((4, 10, 10, 16), dtype=np.float32)
    fused = model.predict(x, batch_size=4, verbose=0)
    layers = model(x, training=False).data  # a call that may record: the layers one by one
    # softmax of sums of at most 9*24 products of values below ~6 in float32
    assert_sums_close(fused, layers, terms=9 * 24 * 3, scale=36.0, dtype="float32")
    assert not np.array_equal(model.predict(x, verbose=0), np.zeros_like(fused))


def test_an_intermediate_output_stays_unfused():
    model = _block_model()
    inner = Model(model.inputs, [model.get_layer("stem_bn").output, model.outputs[0]])
    chains = inference_graph.find_chains(inner._nodes, inner.outputs)
    stem = chains[0]  # the chain ends where the model reads a tensor: at stem_bn
    assert stem.conv.layer.name == "stem" and stem.last is stem.bn
    x = np.random.default_rng(2).random((2, 10, 10, 16), dtype=np.float32)
    bn_out, _ = inner.predict(x, verbose=0)
    want = inner(x, training=False)[0].data
    assert_sums_close(bn_out, want, terms=9 * 16, scale=36.0 * 4, dtype="float32")


def test_a_changed_layer_runs_unfused():
    model = _block_model()
    x = np.random.default_rng(3).random((2, 10, 10, 16), dtype=np.float32)
    model.predict(x, verbose=0)
    model.get_layer("stem").activation = np.tanh  # no longer what the chain fuses
    chains = inference_graph.find_chains(model._nodes, model.outputs)
    assert not chains[0].usable() and chains[1].usable()


def test_training_runs_the_layers(monkeypatch):
    """fit and a recording call never reach the fused op; a no_grad call with training=True
    neither (batch statistics)."""
    model = _block_model()

    def refuse(*args, **kwargs):
        raise AssertionError("fused op called")

    monkeypatch.setattr(inference_graph.F, "conv2d_batch_norm", refuse)
    x = np.random.default_rng(4).random((8, 10, 10, 16), dtype=np.float32)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, np.arange(8) % 3, epochs=1, batch_size=4, verbose=0)
    model(x, training=False)
    with no_grad():
        model(x, training=True)
