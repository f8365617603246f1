"""A functional model trains each BatchNormalization -> ReLU pair as one op
(lamina.models.training_graph): the same weights and moving statistics as the layers one by
one, up to rounding."""

import numpy as np
import pytest

from lamina import layers as L
from lamina.models import Model, training_graph
from lamina.optimizers import SGD
from lamina.random import set_random_seed
from tests.tolerance import assert_sums_close


def _model(dtype="float32"):
    set_random_seed(5)
    x = L.Input((6, 6, 3))
    h = L.Conv2D(8, 3, padding="same", dtype=dtype, name="c1")(x)
    h = L.Activation("relu", dtype=dtype)(L.BatchNormalization(name="bn1", dtype=dtype)(h))
    b = L.BatchNormalization(center=False, name="bn2", dtype=dtype)(
        L.Conv2D(8, 3, padding="same", dtype=dtype, name="c2")(h))
    b = L.ReLU(name="relu2", dtype=dtype)(b)
    side = L.BatchNormalization(name="bn3", dtype=dtype)(h)  # read twice: stays unfused
    y = L.Add(dtype=dtype)([L.Activation("relu", dtype=dtype)(side), side, b])
    out = L.Dense(3, activation="softmax", dtype=dtype)(L.GlobalAveragePooling2D(dtype=dtype)(y))
    return Model(x, out)


def test_pairs_found():
    model = _model()
    pairs = training_graph.find_pairs(model._nodes, model.outputs)
    assert [p.bn.layer.name for p in pairs] == ["bn1", "bn2"]
    assert all(p.usable() for p in pairs)
    model.get_layer("relu2").negative_slope = 0.1  # no longer a plain ReLU
    assert not pairs[1].usable()


def _fit(model, monkeypatch, fused):
    calls = []
    if fused:
        original = training_graph.F.batch_norm_relu
        monkeypatch.setattr(training_graph.F, "batch_norm_relu",
                            lambda *a, **k: calls.append(1) or original(*a, **k))
    else:
        monkeypatch.setattr(training_graph, "pairs", lambda model, training: [])
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 6, 6, 3)), np.arange(16) % 3
    model.compile(optimizer=SGD(0.1, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    monkeypatch.undo()
    return model.get_weights(), len(calls)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_equals_the_layers(dtype, monkeypatch):
    fused, calls = _fit(_model(dtype), monkeypatch, fused=True)
    plain, none = _fit(_model(dtype), monkeypatch, fused=False)
    assert calls == 2 * 2 * 2 and none == 0  # two pairs, two steps per epoch, two epochs
    for a, b in zip(fused, plain):
        assert a.dtype == np.dtype(dtype)
        # four SGD steps through sums of at most 6*6*8 terms of magnitude ~10
        assert_sums_close(a, b, terms=4 * 6 * 6 * 8, scale=10.0, dtype=dtype)
