"""lamina.distributed in a plain one-process run: everything is the identity, nothing loads MPI."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lamina
import lamina.distributed as dist
from lamina.layers import BatchNormalization, Dense, Input
from lamina.models import Sequential
from lamina.optimizers import Adam


def test_importing_lamina_and_init_never_import_mpi4py():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_LOCAL"))}
    env["PYTHONPATH"] = str(Path(lamina.__file__).parents[1])
    code = ("import sys, lamina, lamina.distributed as d; import lamina.models, lamina.layers; "
            "d.init(); print(d.rank(), d.size(), d.local_rank(), 'mpi4py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert out.split() == ["0", "1", "0", "False"]


def test_init_checks_the_timeout():
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        dist.init(timeout=0)


def _model(bn=False):
    import lamina.random

    lamina.random.set_random_seed(0)
    extra = [BatchNormalization(synchronized=True)] if bn else []
    model = Sequential([Input(shape=(5,)), Dense(8, activation="tanh"), *extra,
                        Dense(3, activation="softmax")])
    model.compile(optimizer=Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(100, 5)).astype("float32"), rng.integers(0, 3, 100)


@pytest.mark.parametrize("bn", [False, True])
def test_fit_distributed_alone_is_fit_bit_for_bit(bn):
    x, y = _data()
    plain, spread = _model(bn), _model(bn)
    h1 = plain.fit(x, y, batch_size=16, epochs=2, seed=1, verbose=0, validation_split=0.2)
    h2 = spread.fit(x, y, batch_size=16, epochs=2, seed=1, verbose=0, validation_split=0.2,
                    distributed=True)
    for a, b in zip(plain.weights, spread.weights):
        np.testing.assert_array_equal(a.data, b.data)
    assert h1.history == h2.history
    assert spread._distribution is None  # the hook is removed after fit


def test_distributed_optimizer_alone_is_the_optimizer():
    x, y = _data()
    plain, wrapped = _model(), _model()
    wrapped.compile(optimizer=dist.DistributedOptimizer(Adam(1e-2)),
                    loss="sparse_categorical_crossentropy")
    plain.fit(x, y, batch_size=20, epochs=1, shuffle=False, verbose=0)
    wrapped.fit(x, y, batch_size=20, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(plain.weights, wrapped.weights):
        np.testing.assert_array_equal(a.data, b.data)
    assert type(wrapped.optimizer).__name__ == "Adam"
    assert wrapped.optimizer.get_config() == Adam(1e-2).get_config()
    with pytest.raises(ValueError, match="compile with the plain optimizer"):
        wrapped.fit(x, y, distributed=True, verbose=0)


def test_distributed_optimizer_keeps_the_state_of_a_trained_optimizer():
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=20, epochs=1, verbose=0)
    wrapped = dist.DistributedOptimizer(model.optimizer)
    assert wrapped.iterations == model.optimizer.iterations == 5


def test_collectives_alone_are_the_identity():
    a = np.arange(4.0)
    np.testing.assert_array_equal(dist.allreduce(a, average=True), a)
    model = _model()
    before = [w.data.copy() for w in model.weights]
    dist.broadcast_weights(model)
    for w, b in zip(model.weights, before):
        np.testing.assert_array_equal(w.data, b)


def test_synchronized_is_saved_in_the_config():
    layer = BatchNormalization(synchronized=True)
    assert layer.get_config()["synchronized"] is True
    assert BatchNormalization.from_config(layer.get_config()).synchronized is True


def test_synchronized_alone_normalizes_with_float64_statistics():
    # synchronized=True runs the same arithmetic alone as on several ranks: the statistics
    # of a float32 batch in float64, so the moving mean is the float64 mean, rounded once
    rng = np.random.default_rng(2)
    x = (rng.normal(size=(4096, 3)) * 1e-3 + 1.0).astype("float32")
    layer = BatchNormalization(synchronized=True, momentum=0.0)
    out = layer(x, training=True)
    mean = x.astype(np.float64).mean(axis=0)
    np.testing.assert_array_equal(layer.moving_mean.data, mean.astype(np.float32))
    var = ((x.astype(np.float64) - mean) ** 2).mean(axis=0)
    np.testing.assert_allclose(layer.moving_variance.data, var, rtol=4 * 2.0**-24)
    # the output: x_hat of the float64 statistics, rounded to float32 (a few float32 ulps
    # of x_hat, whose values are below 5 here)
    expected = (x - mean) / np.sqrt(var + layer.epsilon)
    np.testing.assert_allclose(np.asarray(out.data if hasattr(out, "data") else out),
                               expected, atol=8 * 5 * 2.0**-24)
