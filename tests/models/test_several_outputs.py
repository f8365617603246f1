"""Models with several inputs and outputs, against Keras 3's semantics with numbers worked
out by hand: the total loss is the sum of the weighted per-output losses, each
``<output>_loss`` is logged unweighted, metrics are named ``<output>_<metric>``."""

import numpy as np
import pytest

from lamina.initializers import Constant, GlorotUniform
from lamina.layers import Concatenate, Dense, Input
from lamina.models import Functional, Model, load_model
from lamina.optimizers import SGD

RNG = np.random.default_rng(0)
XA = RNG.standard_normal((20, 3)).astype("float32")
XB = RNG.standard_normal((20, 2)).astype("float32")
Y_REG = RNG.standard_normal((20, 1)).astype("float32")
Y_CLS = RNG.integers(0, 3, 20)


def two_by_two():
    """Inputs a (3,) and b (2,); outputs 'reg' (1 unit) and 'cls' (3-way softmax)."""
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    h = Dense(4, activation="relu", name="h",
              kernel_initializer=GlorotUniform(1))(Concatenate(name="ab")([a, b]))
    reg = Dense(1, name="reg", kernel_initializer=GlorotUniform(2))(h)
    cls = Dense(3, activation="softmax", name="cls", kernel_initializer=GlorotUniform(3))(h)
    return Model([a, b], [reg, cls])


def by_hand(model):
    """The outputs computed with NumPy from the model's weights."""
    w = {layer.name: [v.data.astype("float64") for v in layer.weights] for layer in model.layers}
    h = np.maximum(np.concatenate([XA, XB], axis=1) @ w["h"][0] + w["h"][1], 0)
    reg = h @ w["reg"][0] + w["reg"][1]
    z = h @ w["cls"][0] + w["cls"][1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return reg, e / e.sum(axis=1, keepdims=True)


def test_predict_returns_a_list_for_a_list_of_outputs():
    model = two_by_two()
    assert isinstance(model, Functional)
    assert model.output_names == ["reg", "cls"] and model.input_names == ["a", "b"]
    assert model.output_shape == [(None, 1), (None, 3)]
    reg, cls = model.predict([XA, XB], batch_size=7, verbose=0)  # 3 batches joined
    want_reg, want_cls = by_hand(model)
    np.testing.assert_allclose(reg, want_reg, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls, want_cls, rtol=1e-5, atol=1e-6)
    # inputs by name give the same
    again = model.predict({"b": XB, "a": XA}, verbose=0)
    np.testing.assert_array_equal(again[0], reg)
    first = model.predict_on_batch([XA[:2], XB[:2]])
    assert [p.shape for p in first] == [(2, 1), (2, 3)]


def test_weighted_losses_per_output_names_and_metrics_by_hand():
    model = two_by_two()
    model.compile(SGD(0.0), loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[2.0, 0.5], metrics=[["mae"], ["accuracy"]])
    reg, cls = by_hand(model)
    mse = np.mean((reg - Y_REG) ** 2)
    cce = np.mean(-np.log(cls[np.arange(20), Y_CLS]))
    logs = model.evaluate([XA, XB], [Y_REG, Y_CLS], batch_size=8, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "reg_loss", "cls_loss", "reg_mae", "cls_accuracy"]
    assert model.metrics_names == list(logs)
    assert logs["reg_loss"] == pytest.approx(mse, rel=1e-5)  # unweighted, as Keras logs them
    assert logs["cls_loss"] == pytest.approx(cce, rel=1e-5)
    assert logs["loss"] == pytest.approx(2.0 * mse + 0.5 * cce, rel=1e-5)
    assert logs["reg_mae"] == pytest.approx(np.mean(np.abs(reg - Y_REG)), rel=1e-5)
    assert logs["cls_accuracy"] == pytest.approx(np.mean(cls.argmax(axis=1) == Y_CLS))
    values = model.evaluate([XA, XB], [Y_REG, Y_CLS], verbose=0)
    assert values == pytest.approx(list(logs.values()), rel=1e-6)
    history = model.fit([XA, XB], {"cls": Y_CLS, "reg": Y_REG}, epochs=1, verbose=0,
                        validation_data=([XA, XB], [Y_REG, Y_CLS]))
    assert set(history.history) == {*logs, *(f"val_{k}" for k in logs)}
    assert history.history["loss"][0] == pytest.approx(logs["loss"], rel=1e-5)  # lr 0


def test_one_loss_for_every_output_and_dicts_by_name():
    a = Input(shape=(3,), name="a")
    one = Dense(1, name="one", kernel_initializer=Constant(0.5))(a)
    two = Dense(2, name="two", kernel_initializer=Constant(-0.25))(a)
    y1, y2 = np.ones((20, 1), "float32"), np.zeros((20, 2), "float32")
    p1 = XA.sum(axis=1, keepdims=True) * 0.5
    p2 = np.repeat(XA.sum(axis=1, keepdims=True) * -0.25, 2, axis=1)
    mse1, mse2 = np.mean((p1 - y1) ** 2), np.mean((p2 - y2) ** 2)

    model = Model(a, [one, two])
    model.compile("sgd", loss="mse")  # the same loss on each output, weights 1
    assert model.evaluate(XA, [y1, y2], verbose=0) == pytest.approx(
        [mse1 + mse2, mse1, mse2], rel=1e-5)

    # dict outputs: predict gives a dict, everything keys on the dict's names
    model = Model({"a": a}, {"second": two, "first": one})
    assert model.output_names == ["first", "second"]  # sorted, as Keras's tree.flatten
    out = model.predict({"a": XA}, verbose=0)
    assert set(out) == {"first", "second"}
    np.testing.assert_allclose(out["first"], p1, rtol=1e-6)
    model.compile("sgd", loss={"first": "mse", "second": "mae"},
                  loss_weights={"first": 1.0, "second": 3.0}, metrics={"second": ["mse"]})
    logs = model.evaluate(XA, {"first": y1, "second": y2}, verbose=0, return_dict=True)
    mae2 = np.mean(np.abs(p2 - y2))
    assert logs == pytest.approx({"loss": mse1 + 3.0 * mae2, "first_loss": mse1,
                                  "second_loss": mae2, "second_mse": mse2}, rel=1e-5)

    # an output without a loss needs no targets; one loss alone is just "loss"
    model.compile("sgd", loss={"first": "mse"})
    assert model.evaluate(XA, {"first": y1}, verbose=0, return_dict=True) == pytest.approx(
        {"loss": mse1}, rel=1e-5)


def test_one_sgd_step_sums_the_weighted_gradients_of_both_outputs():
    x = Input(shape=(2,), name="x")
    p = Dense(1, use_bias=False, name="p", kernel_initializer=Constant([[0.5], [-1.0]]))(x)
    q = Dense(1, use_bias=False, name="q", kernel_initializer=Constant(2.0))(p)
    model = Model(x, [p, q])
    model.compile(SGD(0.1), loss=["mse", "mse"], loss_weights=[2.0, 0.5])
    xs = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], "float32")
    yp = np.array([[1.0], [0.0], [2.0]], "float32")
    yq = np.array([[0.0], [1.0], [1.0]], "float32")
    k, c = np.array([[0.5], [-1.0]]), 2.0
    pv = xs @ k
    qv = pv * c
    n = len(xs)
    grad_k = xs.T @ (2.0 * 2 / n * (pv - yp) + 0.5 * 2 / n * (qv - yq) * c)
    grad_c = 0.5 * 2 / n * float(np.sum(pv * (qv - yq)))
    loss = 2.0 * np.mean((pv - yp) ** 2) + 0.5 * np.mean((qv - yq) ** 2)
    logs = model.train_on_batch(xs, [yp, yq], return_dict=True)
    assert logs["loss"] == pytest.approx(loss, rel=1e-6)
    np.testing.assert_allclose(model.get_layer("p").kernel.data, k - 0.1 * grad_k, rtol=1e-6)
    np.testing.assert_allclose(model.get_layer("q").kernel.data, [[c - 0.1 * grad_c]],
                               rtol=1e-6)


def test_sample_weights_one_array_for_all_outputs_or_one_per_output():
    a = Input(shape=(3,), name="a")
    model = Model(a, [Dense(1, name="u", kernel_initializer=Constant(1.0))(a),
                      Dense(1, name="v", kernel_initializer=Constant(-1.0))(a)])
    model.compile("sgd", loss="mse")
    y = np.zeros((20, 1), "float32")
    se = XA.sum(axis=1) ** 2  # both outputs have the same squared error
    w = np.where(np.arange(20) < 5, 1.0, 0.0).astype("float32")
    shared = model.evaluate(XA, [y, y], sample_weight=w, verbose=0)
    assert shared == pytest.approx([2 * np.sum(w * se) / 20, np.sum(w * se) / 20,
                                    np.sum(w * se) / 20], rel=1e-5)
    per_output = model.evaluate(XA, [y, y], sample_weight={"u": w, "v": 1 - w}, verbose=0)
    assert per_output[1:] == pytest.approx([np.sum(w * se) / 20, np.sum((1 - w) * se) / 20],
                                           rel=1e-5)


@pytest.mark.parametrize("suffix", [".lamina", ".h5"])
def test_save_and_load_keep_outputs_losses_and_training_state(tmp_path, suffix):
    if suffix == ".h5":
        pytest.importorskip("h5py")
    model = two_by_two()
    model.compile(SGD(0.05, momentum=0.9), loss={"reg": "mse",
                                                 "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 1.0, "cls": 0.25}, metrics={"cls": ["accuracy"]})
    model.fit([XA, XB], [Y_REG, Y_CLS], epochs=1, batch_size=10, shuffle=False, verbose=0)
    model.save(tmp_path / f"m{suffix}")
    loaded = load_model(tmp_path / f"m{suffix}")
    assert loaded.output_names == ["reg", "cls"] and loaded.loss_weights == {"reg": 1.0,
                                                                            "cls": 0.25}
    for got, want in zip(loaded.predict([XA, XB], verbose=0), model.predict([XA, XB], verbose=0)):
        np.testing.assert_array_equal(got, want)
    before = model.evaluate([XA, XB], [Y_REG, Y_CLS], verbose=0, return_dict=True)
    assert loaded.evaluate([XA, XB], [Y_REG, Y_CLS], verbose=0, return_dict=True) == before
    # momentum travels: one more epoch on each gives the same weights
    for m in (model, loaded):
        m.fit([XA, XB], [Y_REG, Y_CLS], epochs=1, batch_size=10, shuffle=False, verbose=0)
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_dict_outputs_survive_a_config_round_trip(tmp_path):
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    h = Concatenate()([a, b])
    model = Model({"a": a, "b": b}, {"x": Dense(2, name="dx")(h), "y": Dense(1, name="dy")(h)})
    model.save(tmp_path / "d.lamina")
    clone = load_model(tmp_path / "d.lamina")
    assert clone.input_names == ["a", "b"] and clone.output_names == ["x", "y"]
    out, want = clone.predict({"a": XA, "b": XB}, verbose=0), model.predict([XA, XB], verbose=0)
    assert set(out) == {"x", "y"}
    np.testing.assert_array_equal(out["x"], want["x"])


def test_summary_shows_both_branches(capsys):
    two_by_two().summary()
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if "(Dense)" in line]
    assert len(rows) == 3
    assert "reg (Dense)" in rows[1] and "h[0][0]" in rows[1]
    assert "cls (Dense)" in rows[2] and "h[0][0]" in rows[2]
    assert "ab[0][0]" in rows[0] and "a[0][0], b[0][0]" in out


def test_mistakes_are_named():
    model = two_by_two()
    with pytest.raises(ValueError, match=r"2 outputs \['reg', 'cls'\], so `loss` as a list "
                                         r"needs 2 entries"):
        model.compile("sgd", loss=["mse"])
    with pytest.raises(ValueError, match="key 'out' is not an output of the model"):
        model.compile("sgd", loss={"out": "mse"})
    with pytest.raises(ValueError, match="give loss_weights as a list"):
        model.compile("sgd", loss="mse", loss_weights=0.5)
    with pytest.raises(ValueError, match=r"`metrics` as a list needs 2 entries"):
        model.compile("sgd", loss="mse", metrics=["mae"])
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match=r"fit: the model has 2 outputs .* y must be a list of "
                                         r"2 arrays or a dict keyed by output name"):
        model.fit([XA, XB], Y_REG, verbose=0)
    with pytest.raises(ValueError, match=r"y has no targets for the output\(s\) \['cls'\]"):
        model.fit([XA, XB], {"reg": Y_REG}, verbose=0)
    with pytest.raises(ValueError, match="class_weight is only supported for models with one "
                                         "output"):
        model.fit([XA, XB], [Y_REG, Y_CLS], class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match=r"must have the keys \['a', 'b'\]; received keys "
                                         r"\['a', 'c'\]"):
        model.predict({"a": XA, "c": XB}, verbose=0)
    with pytest.raises(ValueError, match="has 2 input"):
        model.predict(XA, verbose=0)


def test_generators_and_validation_split_with_several_outputs():
    model = two_by_two()
    model.compile(SGD(0.0), loss=["mse", "sparse_categorical_crossentropy"])
    want = model.evaluate([XA[15:], XB[15:]], [Y_REG[15:], Y_CLS[15:]], verbose=0)
    h = model.fit([XA, XB], [Y_REG, Y_CLS], validation_split=0.25, epochs=1, verbose=0)
    assert [h.history[k][0] for k in ("val_loss", "val_reg_loss", "val_cls_loss")] == \
        pytest.approx(want, rel=1e-6)  # the last 5 samples, as Keras splits

    def batches():
        for start in (0, 10):
            part = slice(start, start + 10)
            yield [XA[part], XB[part]], {"cls": Y_CLS[part], "reg": Y_REG[part]}

    logs = model.evaluate(batches(), verbose=0, return_dict=True)
    assert [logs["loss"], logs["reg_loss"], logs["cls_loss"]] == pytest.approx(
        model.evaluate([XA, XB], [Y_REG, Y_CLS], verbose=0), rel=1e-6)
