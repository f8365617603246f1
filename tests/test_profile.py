"""lamina.profile: per-layer forward/backward rows, shares, restoring what it wrapped, the CLI."""

import numpy as np
import pytest

import lamina.profile
import lamina.random
from lamina.autograd import Tensor, function, tensor
from lamina.layers import (
    Activation,
    BatchNormalization,
    Conv2D,
    Dense,
    Flatten,
    Input,
    MaxPooling2D,
)
from lamina.layers.layer import Layer
from lamina.models import Model, Sequential
from lamina.models.trainer import Trainer
from lamina.models.training_graph import Pair
from lamina.optimizers.base import Optimizer


def _cnn(seed=0):
    lamina.random.set_random_seed(seed)
    model = Sequential([Input(shape=(8, 8, 1)), Conv2D(4, (3, 3), activation="relu"),
                        MaxPooling2D(pool_size=(2, 2)), Flatten(), Dense(16, activation="relu"),
                        Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((40, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 3, size=40)
    return model, x, y


def _wrapped_places():
    return [vars(Layer)["_call_with_training"], vars(function.Function)["apply"],
            vars(tensor)["_run_backward"], vars(Optimizer)["apply_gradients"],
            vars(Trainer)["_compute_loss"], vars(Trainer)["_train_step"], vars(Pair)["run"]]


def test_a_fused_batch_norm_relu_pair_counts_as_its_batch_norm_layer():
    lamina.random.set_random_seed(0)
    x = Input((6, 6, 2))
    h = Activation("relu")(BatchNormalization(name="bn")(Conv2D(4, 3, name="conv")(x)))
    model = Model(x, Dense(3, activation="softmax")(Flatten()(h)))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    p = lamina.profile.profile_model(model, rng.random((16, 6, 6, 2)), rng.integers(0, 3, 16),
                                     batch_size=8, steps=2)
    by_name = {r["name"]: r for r in p.rows()}
    bn = by_name["bn (BatchNormalization)"]
    assert bn["calls"] == 2 and bn["forward_s"] > 0 and bn["backward_s"] > 0
    assert any(r["name"] == "BatchNormReLU" for r in p.rows(by="op"))
    assert sum(r["total_s"] for r in p.rows()) == pytest.approx(p.wall, rel=1e-6)


def test_profile_model_has_a_row_per_layer_with_real_times():
    model, x, y = _cnn()
    p = lamina.profile.profile_model(model, x, y, batch_size=16, steps=3)
    rows = p.rows()
    by_name = {r["name"]: r for r in rows}
    for layer in model.layers:
        row = by_name[f"{layer.name} ({type(layer).__name__})"]
        assert row["calls"] == 3
        assert row["forward_s"] > 0
        assert row["backward_s"] > 0  # even Flatten's reshape has a backward node
        assert row["total_s"] == pytest.approx(row["forward_s"] + row["backward_s"])
    assert p.steps == 3
    kinds = {r["kind"]: r for r in rows}
    assert kinds["optimizer"]["total_s"] > 0 and kinds["optimizer"]["calls"] == 3
    assert kinds["loss"]["forward_s"] > 0 and kinds["loss"]["calls"] == 3
    assert kinds["engine"]["backward_s"] >= 0
    assert sum(r["share"] for r in rows) == pytest.approx(100.0)
    # the timed rows cover (nearly) the whole block: nothing is counted twice
    assert sum(r["total_s"] for r in rows) == pytest.approx(p.wall, rel=1e-6)
    assert p.wall > 0


def test_report_tables_name_every_layer_and_op():
    model, x, y = _cnn()
    p = lamina.profile.profile_model(model, x, y, batch_size=8, steps=2)
    text = p.report()
    assert str(p) == text
    assert "ms/step (mean of 2 steps)" in text
    for layer in model.layers:
        assert layer.name in text
    assert "optimizer step" in text
    ops = p.rows(by="op")
    assert any(r["kind"] == "op" and r["forward_s"] > 0 and r["backward_s"] > 0 for r in ops)
    assert sum(r["share"] for r in ops) == pytest.approx(100.0)
    assert "op" in p.report(by="op").splitlines()[1]
    with pytest.raises(ValueError, match="by must be 'layer' or 'op'"):
        p.rows(by="module")


def test_fit_under_profiler_and_everything_is_restored():
    model, x, y = _cnn()
    before = _wrapped_places()
    with lamina.profile.Profiler() as p:
        assert vars(Layer)["_call_with_training"] is not before[0]
        model.fit(x, y, batch_size=10, epochs=2, verbose=0, validation_split=0.25, seed=0)
    assert _wrapped_places() == before
    assert p.steps == 6  # 30 training rows, batch 10, 2 epochs
    rows = p.rows()
    assert sum(r["share"] for r in rows) == pytest.approx(100.0)
    # nodes made after the profiler ended are plain again
    t = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    out = (t * 2.0).sum()
    assert "backward" not in vars(out._ctx)
    out.backward()
    np.testing.assert_array_equal(t.grad, np.full(3, 2.0, dtype=np.float32))


def test_restored_after_an_error_and_no_nesting():
    before = _wrapped_places()
    with pytest.raises(KeyError):
        with lamina.profile.Profiler():
            {}["missing"]
    assert _wrapped_places() == before
    with lamina.profile.Profiler():
        with pytest.raises(RuntimeError, match="already running"):
            lamina.profile.Profiler().__enter__()
    assert _wrapped_places() == before


def test_profile_model_checks_its_arguments():
    model = Sequential([Input(shape=(4,)), Dense(2)])
    x = np.zeros((8, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="must be compiled"):
        lamina.profile.profile_model(model, x, np.zeros(8))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="steps must be a positive int; received steps=0"):
        lamina.profile.profile_model(model, x, np.zeros((8, 2)), steps=0)


def test_profiled_training_matches_unprofiled_training():
    results = []
    for profiled in (False, True):
        model, x, y = _cnn(seed=3)
        if profiled:
            lamina.profile.profile_model(model, x, y, batch_size=8, steps=3, warmup=1)
        else:
            for i in range(4):
                idx = np.arange(i * 8, (i + 1) * 8)
                model.train_on_batch(x[idx], y[idx])
        results.append(model.get_weights())
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_command_line_runs_a_script(tmp_path, capsys):
    script = tmp_path / "train.py"
    script.write_text(
        "import sys\n"
        "import numpy as np\n"
        "from lamina.layers import Dense, Input\n"
        "from lamina.models import Sequential\n"
        "model = Sequential([Input(shape=(5,)), Dense(7, activation='relu', name='hidden'),\n"
        "                    Dense(2, name='out')])\n"
        "model.compile(optimizer='sgd', loss='mse')\n"
        "x = np.ones((20, 5), dtype='float32')\n"
        "model.fit(x, np.zeros((20, 2)), batch_size=5, epochs=1, verbose=0)\n"
        "print('argv', sys.argv[1:])\n"
    )
    code = lamina.profile.main([str(script), "--flag", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "argv ['--flag', '1']" in out
    assert "hidden (Dense)" in out and "out (Dense)" in out
    assert "mean of 4 steps" in out
    assert "outside ops" in out  # the per-op table too
