"""A model with several outputs used as a layer of a functional model (Keras semantics):
calling it on symbolic tensors gives its outputs as it gives arrays (a list or a dict);
the outer model predicts, trains (the inner weights move) and saves and loads with it."""

import numpy as np
import pytest

from lamina.initializers import GlorotUniform
from lamina.layers import Concatenate, Dense, Input
from lamina.models import Functional, Model, load_model
from lamina.optimizers import SGD

rng = np.random.default_rng(0)
X = rng.standard_normal((32, 4)).astype("float32")


def two_heads(dict_outputs=False, name="inner"):
    x = Input(shape=(4,), name=f"{name}_in")
    a = Dense(3, activation="tanh", name=f"{name}_a", kernel_initializer=GlorotUniform(1))(x)
    b = Dense(2, name=f"{name}_b", kernel_initializer=GlorotUniform(2))(x)
    return Model(x, {"a": a, "b": b} if dict_outputs else [a, b], name=name)


def outer_on(inner, dict_outputs=False):
    y = Input(shape=(4,), name="outer_in")
    out = inner(y)
    a, b = (out["a"], out["b"]) if dict_outputs else out
    z = Dense(1, name="head", kernel_initializer=GlorotUniform(3))(Concatenate()([a, b]))
    return Model(y, z, name="outer")


@pytest.mark.parametrize("dict_outputs", [False, True])
def test_calling_returns_the_inner_structure_and_predicts_as_by_hand(dict_outputs):
    inner = two_heads(dict_outputs)
    y = Input(shape=(4,))
    out = inner(y)
    assert isinstance(out, dict if dict_outputs else list)
    flat = [out["a"], out["b"]] if dict_outputs else out
    assert [t.shape for t in flat] == [(None, 3), (None, 2)]
    assert [t.index for t in flat] == [0, 1]
    model = outer_on(inner, dict_outputs)
    got = model.predict(X, verbose=0)
    parts = inner.predict(X, verbose=0)
    a, b = (parts["a"], parts["b"]) if dict_outputs else parts
    kernel, bias = model.get_layer("head").get_weights()
    np.testing.assert_allclose(got, np.concatenate([a, b], 1) @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    assert model.get_layer("inner") is inner and len(model.trainable_weights) == 6


def test_nested_equals_the_same_layers_inlined_in_outputs_and_gradients():
    inner = two_heads()
    nested = outer_on(inner)
    y = Input(shape=(4,))
    a, b = inner.get_layer("inner_a")(y), inner.get_layer("inner_b")(y)
    flat = Model(y, nested.get_layer("head")(Concatenate()([a, b])))
    np.testing.assert_array_equal(nested.predict(X, verbose=0), flat.predict(X, verbose=0))
    target = rng.standard_normal((32, 1)).astype("float32")
    start = [w.copy() for w in nested.get_weights()]
    steps = {}
    for name, model in (("nested", nested), ("flat", flat)):
        nested.set_weights(start)  # the two models share every weight
        model.compile(SGD(0.1), "mse")
        model.train_on_batch(X, target)
        steps[name] = nested.get_weights()
    for w_nested, w_flat, w0 in zip(steps["nested"], steps["flat"], start):
        np.testing.assert_array_equal(w_nested, w_flat)
        assert not np.array_equal(w_nested, w0)  # every weight, inner ones too, moved


def test_inner_outputs_as_outer_outputs_train_with_a_loss_each():
    inner = two_heads()
    y = Input(shape=(4,))
    model = Model(y, inner(y))
    assert model.output_names == ["inner", "inner_1"]  # tf.keras's unique names
    ya = np.tanh(X[:, :3] - X[:, 1:])
    yb = X[:, :2] * 2.0
    model.compile(SGD(0.1), loss=["mse", "mae"], loss_weights=[1.0, 0.5])
    first = model.evaluate(X, [ya, yb], verbose=0, return_dict=True)
    history = model.fit(X, [ya, yb], epochs=30, batch_size=8, verbose=0).history
    assert set(history) >= {"loss", "inner_loss", "inner_1_loss"}
    last = model.evaluate(X, [ya, yb], verbose=0, return_dict=True)
    # measured: 30 epochs take the loss from 2.5 to 0.10
    assert last["loss"] < 0.2 * first["loss"]
    np.testing.assert_allclose(last["loss"], last["inner_loss"] + 0.5 * last["inner_1_loss"],
                               rtol=1e-5)


@pytest.mark.parametrize("suffix", [".lamina", ".h5"])
@pytest.mark.parametrize("dict_outputs", [False, True])
def test_save_and_load_keep_the_nested_model(tmp_path, suffix, dict_outputs):
    if suffix == ".h5":
        pytest.importorskip("h5py")
    model = outer_on(two_heads(dict_outputs), dict_outputs)
    model.compile(SGD(0.05), "mse")
    model.fit(X, X[:, :1], epochs=2, verbose=0)
    path = tmp_path / f"m{suffix}"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    inner = loaded.get_layer("inner")
    assert isinstance(inner, Model) and inner.output_names == (
        ["a", "b"] if dict_outputs else ["inner_a", "inner_b"])
    refs = model.get_config()["nodes"][1]["inputs"]  # concatenate: outputs 0 and 1 of inner
    assert refs == [["inner", 0, 0], ["inner", 0, 1]]
    loaded.fit(X, X[:, :1], epochs=1, verbose=0)  # and it trains on
    assert not np.array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_a_shared_nested_model_called_twice_round_trips(tmp_path):
    inner = two_heads()
    left, right = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    (a1, b1), (a2, b2) = inner(left), inner(right)
    model = Model([left, right], [Concatenate()([a1, a2]), Concatenate()([b1, b2])])
    x2 = X[::-1].copy()
    first, second = model.predict([X, x2], verbose=0)
    ia, ib = inner.predict(X, verbose=0)
    ja, jb = inner.predict(x2, verbose=0)
    np.testing.assert_array_equal(first, np.concatenate([ia, ja], 1))
    np.testing.assert_array_equal(second, np.concatenate([ib, jb], 1))
    model.save(tmp_path / "shared.lamina")
    loaded = load_model(tmp_path / "shared.lamina")
    for got, want in zip(loaded.predict([X, x2], verbose=0), (first, second)):
        np.testing.assert_array_equal(got, want)
    assert len(loaded.weights) == 4  # one inner model, called twice


def test_summary_shows_both_outputs_and_which_one_each_layer_takes(capsys):
    outer_on(two_heads()).summary()
    text = capsys.readouterr().out
    assert "inner (Functional)" in text and "[(None, 3), (None, 2)]" in text
    assert "inner[0][0], inner[0][1]" in text


def test_a_bad_tensor_reference_in_a_config_is_named():
    config = outer_on(two_heads()).get_config()
    config["nodes"][1]["inputs"][0] = ["inner", 0, 0, 7]
    with pytest.raises(ValueError, match=r"must be \[layer, call\] or \[layer, call, index\]"):
        Functional.from_config(config)


def test_cost_counts_the_activations_of_both_outputs():
    from lamina.applications.cost import model_cost

    # input 4, inner's outputs 3 + 2, concatenate 5, head 1
    assert model_cost(outer_on(two_heads()))["activations"] == 4 + 3 + 2 + 5 + 1
