"""``fit``/``evaluate``/``predict`` follow Keras 3 where lamina used to differ silently
(issue 14, section 5): ``steps_per_epoch`` and ``steps`` with arrays, labels ``(N,)``
against a ``Dense(1)``, NumPy integers as ints, and clear errors for the usual slips."""

import json
import warnings

import numpy as np
import pytest

from lamina.initializers import Constant, GlorotUniform
from lamina.layers import Dense, Embedding, Input
from lamina.models import Model, Sequential

X = np.arange(64 * 3, dtype="float32").reshape(64, 3) / 100.0
Y = (np.arange(64) % 2).astype("float32")


def one_unit(activation="sigmoid", seed=0):
    return Sequential([Input(shape=(3,)),
                       Dense(1, activation=activation, kernel_initializer=GlorotUniform(seed))])


def first_rows_seen(model, **fit_kwargs):
    """The first row of every training batch, epoch by epoch (augment sees each batch)."""
    seen = []
    model.fit(X, Y, verbose=0, augment=lambda b: seen.append(int(b[0, 0] * 100) // 3) or b,
              **fit_kwargs)
    return seen


# --------------------------------------------------------------- steps with arrays
def test_steps_per_epoch_takes_that_many_batches_and_continues_the_pass():
    model = one_unit()
    model.compile("sgd", "binary_crossentropy")
    with pytest.warns(UserWarning, match="the epoch ends after 2 steps"):
        seen = first_rows_seen(model, batch_size=8, steps_per_epoch=3, epochs=4, shuffle=False)
    # 8 batches per pass: epochs take batches 0-2, 3-5, 6-7 (end of the pass), then 0-2
    assert seen == [0, 8, 16, 24, 32, 40, 48, 56, 0, 8, 16]


def test_steps_per_epoch_alone_sets_the_batch_size_as_keras():
    model = one_unit()
    model.compile("sgd", "binary_crossentropy")
    seen = first_rows_seen(model, steps_per_epoch=4, epochs=1, shuffle=False)
    assert seen == [0, 16, 32, 48]  # batch_size = ceil(64 / 4)


def test_steps_per_epoch_resumes_like_an_unbroken_run():
    def run(splits):
        model = one_unit(seed=3)
        model.compile("sgd", "binary_crossentropy")
        start = 0
        for end in splits:
            model.fit(X, Y, batch_size=8, steps_per_epoch=2, epochs=end, initial_epoch=start,
                      seed=5, verbose=0)
            start = end
        return model.get_weights()

    straight, resumed = run([5]), run([3, 5])
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a, b)


def test_predict_and_evaluate_honour_steps():
    model = one_unit()
    model.compile("sgd", "binary_crossentropy")
    full = model.predict(X, verbose=0)
    part = model.predict(X, batch_size=8, steps=1, verbose=0)
    assert part.shape == (8, 1)
    np.testing.assert_array_equal(part, full[:8])
    assert model.predict(X, steps=2, verbose=0).shape == (64, 1)  # batches of 32
    p = full[:8, 0].astype("float64")
    y = Y[:8]
    by_hand = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert model.evaluate(X, Y, batch_size=8, steps=1, verbose=0) == pytest.approx(
        by_hand, rel=1e-5)


@pytest.mark.parametrize("call", [
    lambda m: m.fit(X, Y, steps_per_epoch=0, verbose=0),
    lambda m: m.fit(X, Y, validation_split=0.25, validation_steps=0, verbose=0),
    lambda m: m.fit(X, Y, validation_data=(X, Y), validation_steps=0, verbose=0),
    lambda m: m.evaluate(X, Y, steps=0, verbose=0),
    lambda m: m.predict(X, steps=0, verbose=0),
])
def test_zero_steps_are_refused(call):
    model = one_unit()
    model.compile("sgd", "binary_crossentropy")
    with pytest.raises(ValueError, match=r"steps\w* must be a positive int; received "
                                         r"\w*steps\w*=0"):
        call(model)


def test_validation_steps_with_validation_split():
    model = one_unit()
    model.compile("sgd", "mse")
    h = model.fit(X, Y, epochs=1, batch_size=8, validation_split=0.5, validation_steps=1,
                  shuffle=False, verbose=0)
    val_x, val_y = X[32:40], Y[32:40]  # the first validation batch only
    after = model.predict(val_x, verbose=0)[:, 0]
    assert h.history["val_loss"][0] == pytest.approx(np.mean((after - val_y) ** 2), rel=1e-5)


# ------------------------------------------------- labels (N,) against Dense(1)
def test_labels_without_the_unit_axis_as_keras():
    bce, mse = one_unit(), one_unit(activation=None)
    bce.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    mse.compile("sgd", "mse", metrics=["mae"])
    p = bce.predict(X, verbose=0)[:, 0].astype("float64")
    q = mse.predict(X, verbose=0)[:, 0].astype("float64")
    loss, acc = bce.evaluate(X, Y, verbose=0)
    assert loss == pytest.approx(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)), rel=1e-5)
    assert acc == pytest.approx(np.mean((p > 0.5) == Y))
    loss, mae = mse.evaluate(X, Y, verbose=0)
    assert loss == pytest.approx(np.mean((q - Y) ** 2), rel=1e-5)
    assert mae == pytest.approx(np.mean(np.abs(q - Y)), rel=1e-5)
    # the same as with the unit axis written out, in training too
    a, b = one_unit(seed=1), one_unit(seed=1)
    for m in (a, b):
        m.compile("sgd", "binary_crossentropy")
    a.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    b.fit(X, Y[:, None], epochs=1, batch_size=16, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_sample_weights_with_labels_without_the_unit_axis():
    model = one_unit(activation=None)
    model.layers[0].kernel.assign(np.zeros((3, 1), "float32"))
    model.compile("sgd", "mse")
    w = np.where(np.arange(64) < 32, 1.0, 0.0).astype("float32")
    # predictions are 0: loss = sum(w * y^2) / 64
    assert model.evaluate(X, Y, sample_weight=w, verbose=0) == pytest.approx(
        np.sum(w * Y ** 2) / 64)


# --------------------------------------------------------- NumPy integers are ints
def test_numpy_integers_are_accepted_as_ints():
    import lamina

    model = Sequential([Input(shape=np.int64(3)), Dense(np.int64(4)), Dense(np.int32(1))])
    assert model.layers[0].units == 4 and type(model.layers[0].units) is int
    json.dumps(model.get_config())
    emb = Embedding(np.int64(10), np.int64(2))
    assert (emb.input_dim, emb.output_dim) == (10, 2)
    lamina.random.set_random_seed(np.int64(1))
    model.compile("sgd", "mse")
    seen = []
    h = model.fit(X, Y, epochs=np.int64(2), batch_size=np.int64(16), initial_epoch=np.int8(0),
                  validation_freq=np.int64(1), validation_data=(X, Y), verbose=0,
                  augment=lambda b: seen.append(len(b)) or b)
    assert len(h.history["loss"]) == 2 and seen == [16] * 8
    assert model.predict(X, batch_size=np.int64(8), steps=np.int64(2), verbose=0).shape == (16, 1)
    seen.clear()
    model.fit(X, Y, steps_per_epoch=np.int64(2), batch_size=8, verbose=0,
              augment=lambda b: seen.append(len(b)) or b)
    assert seen == [8, 8]


# ---------------------------------------------------------------- clear errors
def test_metrics_as_a_bare_string_is_refused():
    model = one_unit()
    with pytest.raises(ValueError, match=r"metrics must be a list .*received "
                                         r"metrics='accuracy'.*Write metrics=\['accuracy'\]"):
        model.compile("sgd", "binary_crossentropy", metrics="accuracy")
    with pytest.raises(ValueError, match="weighted_metrics must be a list"):
        model.compile("sgd", "binary_crossentropy", weighted_metrics="mae")


def test_missing_y_is_named():
    model = one_unit()
    model.compile("sgd", "binary_crossentropy")
    with pytest.raises(ValueError, match="fit: y is missing"):
        model.fit(X, None, verbose=0)
    with pytest.raises(ValueError, match="evaluate: y is missing"):
        model.evaluate(X, verbose=0)
    with pytest.raises(ValueError, match=r"fit \(validation_data\): y is missing"):
        model.fit(X, Y, validation_data=(X,), verbose=0)

    def only_x():
        while True:
            yield (X[:8],)

    with pytest.raises(ValueError, match="fit: y is missing: the batches of x give no targets"):
        model.fit(only_x(), steps_per_epoch=1, verbose=0)


def test_validation_freq_is_checked_before_training():
    model = one_unit()
    model.compile("sgd", "binary_crossentropy")
    seen = []
    for bad in (0, -1, 1.5, [], [0]):
        with pytest.raises(ValueError, match=f"validation_freq must be .*received "
                                             f"validation_freq={bad!r}".replace("[", r"\[")
                           .replace("]", r"\]")):
            model.fit(X, Y, validation_split=0.25, validation_freq=bad, verbose=0,
                      augment=lambda b: seen.append(1) or b)
    assert seen == []  # no batch ran
    h = model.fit(X, Y, epochs=3, validation_split=0.25, validation_freq=[2], verbose=0)
    assert len(h.history["loss"]) == 3 and len(h.history["val_loss"]) == 1


def test_several_arrays_for_a_one_input_model_are_refused_clearly():
    x = Input(shape=(3,), name="features")
    functional = Model(x, Dense(1, kernel_initializer=Constant(0.5))(x))
    for model in (one_unit(), functional):
        model.compile("sgd", "mse")
        message = (rf"fit: model '{model.name}' has 1 input\(s\) of shape\(s\) \(None, 3\), so "
                   r"x must be one array; received a list of 2 arrays of shapes \(64, 3\), "
                   r"\(64, 3\)")
        with pytest.raises(ValueError, match=message):
            model.fit([X, X], Y, verbose=0)
        with pytest.raises(ValueError, match="predict: model .* x must be one array"):
            model.predict([X, X], verbose=0)
        with pytest.raises(ValueError, match="evaluate: model .* x must be one array"):
            model.evaluate([X, X], Y, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(functional.predict([X], verbose=0),
                                   X.sum(axis=1, keepdims=True) * 0.5, rtol=1e-6)
