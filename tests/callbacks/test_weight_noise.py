"""WeightNoise: each step's gradient is taken at w + n, the update lands on w."""

import numpy as np
import pytest

from lamina.callbacks import WeightNoise
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import SGD
from lamina.random import make_rng


def linear_model(seed=0):
    model = Sequential([Input((3,)), Dense(2, kernel_initializer="glorot_uniform")])
    model.layers[0].kernel.assign(np.arange(6, dtype="float32").reshape(3, 2) / 10 - 0.2)
    model.layers[0].bias.assign([0.1, -0.1])
    model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
    return model


def data():
    rng = np.random.default_rng(1)
    return (rng.normal(size=(8, 3)).astype("float32"),
            rng.normal(size=(8, 2)).astype("float32"))


def test_one_sgd_step_uses_the_gradient_at_the_noisy_kernel():
    x, t = data()
    model = linear_model()
    w0 = model.layers[0].kernel.numpy().astype("float64")
    b0 = model.layers[0].bias.numpy().astype("float64")   # a copy: numpy() is a view
    model.fit(x, t, epochs=1, batch_size=8, shuffle=False, verbose=0,
              callbacks=[WeightNoise(0.5, seed=7)])
    # by hand in float64: the noise the callback draws first, mse's gradient at w0 + n
    n = make_rng(7).standard_normal((3, 2)).astype("float32").astype("float64") * 0.5
    r = x @ (w0 + n) + b0 - t                       # residuals at the noisy weights
    grad_w = 2.0 / r.size * x.T.astype("float64") @ r
    grad_b = 2.0 / r.size * r.sum(axis=0)
    np.testing.assert_allclose(model.layers[0].kernel.numpy(), w0 - 0.1 * grad_w, atol=2e-6)
    np.testing.assert_allclose(model.layers[0].bias.numpy(), b0 - 0.1 * grad_b, atol=2e-6)
    # and it is not the clean gradient's step (the noise of 0.5 moves it by 0.036 here)
    r_clean = x @ w0 + b0 - t
    clean = w0 - 0.1 * 2.0 / r.size * x.T @ r_clean
    assert np.abs(model.layers[0].kernel.numpy() - clean).max() > 0.02


def test_zero_noise_trains_exactly_as_without_and_biases_only_with_kernels_only_false():
    x, t = data()
    plain, quiet = linear_model(), linear_model()
    plain.fit(x, t, epochs=3, batch_size=4, shuffle=False, verbose=0)
    quiet.fit(x, t, epochs=3, batch_size=4, shuffle=False, verbose=0,
              callbacks=[WeightNoise(0.0, seed=0)])
    for a, b in zip(plain.get_weights(), quiet.get_weights()):
        np.testing.assert_array_equal(a, b)
    # kernels_only=False also shakes the bias: the bias step then differs from the clean one
    kernels, everything = linear_model(), linear_model()
    kernels.fit(x, t, epochs=1, batch_size=8, shuffle=False, verbose=0,
                callbacks=[WeightNoise(0.3, seed=2)])
    everything.fit(x, t, epochs=1, batch_size=8, shuffle=False, verbose=0,
                   callbacks=[WeightNoise(0.3, seed=2, kernels_only=False)])
    assert not np.allclose(kernels.get_weights()[1], everything.get_weights()[1])


def test_evaluation_and_predict_see_the_clean_weights():
    x, t = data()
    model = linear_model()
    seen = []

    class Record(WeightNoise):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(model.layers[0].kernel.numpy().copy())

    model.fit(x, t, epochs=2, batch_size=4, verbose=0, validation_data=(x, t),
              callbacks=[Record(1.0, seed=0)])
    np.testing.assert_array_equal(seen[-1], model.layers[0].kernel.numpy())
    # the clean weights' loss, exactly what evaluate reports
    w, b = model.get_weights()
    expected = np.mean((x @ w + b - t) ** 2)
    assert model.evaluate(x, t, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_stddev_must_be_a_non_negative_float():
    with pytest.raises(ValueError, match=r"WeightNoise: stddev must be a float >= 0; "
                                         r"received stddev=-0.1"):
        WeightNoise(-0.1)
    with pytest.raises(ValueError, match="received stddev='a'"):
        WeightNoise("a")
