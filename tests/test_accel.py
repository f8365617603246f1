"""The switch for the optional numba kernels."""

import numpy as np
import pytest

from lamina import Tensor, accel
from lamina.autograd import ops

POOL = "lamina.autograd.ops._pool_kernels"


@pytest.fixture
def fresh(monkeypatch):
    """Undecided state and no loaded kernel modules, restored afterwards."""
    monkeypatch.setattr(accel, "_enabled", None)
    monkeypatch.setattr(accel, "_modules", {})


@pytest.mark.parametrize("value,expected", [("0", False), ("off", False), ("1", True),
                                            ("", True)])
def test_environment_variable(fresh, monkeypatch, value, expected):
    monkeypatch.setenv("LAMINA_NUMBA", value)
    assert accel.enabled() is (expected and accel.available())


def test_bad_environment_value_names_the_variable(fresh, monkeypatch):
    monkeypatch.setenv("LAMINA_NUMBA", "maybe")
    with pytest.raises(ValueError, match="LAMINA_NUMBA must be 0 or 1; received 'maybe'"):
        accel.enabled()


def test_a_bad_environment_value_can_be_overridden(fresh, monkeypatch):
    monkeypatch.setenv("LAMINA_NUMBA", "maybe")
    with accel.using(False):
        assert accel.enabled() is False


def test_using_restores_the_previous_setting(fresh, monkeypatch):
    monkeypatch.setenv("LAMINA_NUMBA", "0")
    assert accel.enabled() is False
    with accel.using(False):
        assert accel.enabled() is False
        assert accel.kernels(np, POOL, np.ones(2, np.float32)) is None
    assert accel.enabled() is False
    with pytest.raises(TypeError, match="flag must be True or False; received 1"):
        accel.set_enabled(1)


def test_enabling_without_numba_says_how_to_install(fresh, monkeypatch):
    monkeypatch.setattr(accel, "available", lambda: False)
    with pytest.raises(ImportError, match=r'pip install "lamina\[fast\]"'):
        accel.set_enabled(True)
    assert accel.enabled() is False


def test_a_kernel_module_that_fails_to_load_warns_once_and_numpy_takes_over(fresh,
                                                                           monkeypatch):
    monkeypatch.setattr(accel, "_enabled", True)

    def broken(name):
        raise ImportError("numba was built for another NumPy")

    monkeypatch.setattr(accel.importlib, "import_module", broken)
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    with pytest.warns(RuntimeWarning, match="could not be loaded .*another NumPy.*NumPy path"):
        out = ops.max_pool2d(Tensor(x), 2).data
    np.testing.assert_array_equal(out[0, :, :, 0], [[5, 7], [13, 15]])
    assert accel._modules == {POOL: None}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ops.max_pool2d(Tensor(x), 2)  # no second warning


def test_import_lamina_does_not_import_numba():
    import subprocess
    import sys
    code = "import sys, lamina; print('numba' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def _model(pool=True):
    from lamina.layers import Dense, Flatten, Input, MaxPooling2D
    from lamina.models import Sequential

    layers = [Input(shape=(4, 4, 1))] + ([MaxPooling2D()] if pool else []) + [Flatten(),
                                                                             Dense(2)]
    return Sequential(layers)


@pytest.mark.parametrize("pool,optimizer,expected", [
    (True, "adam", ["lamina.autograd.ops._pool_kernels", "lamina.optimizers._kernels"]),
    (True, "sgd", ["lamina.autograd.ops._pool_kernels"]),
    (False, "adamw", ["lamina.optimizers._kernels"]),
    (False, "sgd", []),
])
def test_compile_loads_the_kernels_the_model_uses(fresh, monkeypatch, pool, optimizer,
                                                  expected):
    monkeypatch.setattr(accel, "_enabled", True)
    warmed = []
    monkeypatch.setattr(accel, "_load", lambda name: type("M", (), {
        "warm": staticmethod(lambda dtype: warmed.append((name, np.dtype(dtype).name)))}))
    _model(pool).compile(optimizer=optimizer, loss="mse")
    assert sorted(warmed) == [(name, "float32") for name in expected]


def test_kernels_that_fail_to_compile_warn_and_numpy_takes_over(fresh, monkeypatch):
    monkeypatch.setattr(accel, "_enabled", True)

    def broken(dtype):
        raise RuntimeError("LLVM ERROR: no target")

    monkeypatch.setattr(accel, "_load", lambda name: accel._modules.setdefault(
        name, type("M", (), {"warm": staticmethod(broken)})))
    with pytest.warns(RuntimeWarning, match="failed to compile .*LLVM ERROR.*NumPy path"):
        _model().compile(optimizer="sgd", loss="mse")
    assert accel._modules == {POOL: None}


def test_compile_loads_nothing_when_disabled(fresh, monkeypatch):
    monkeypatch.setattr(accel, "_enabled", False)
    loads = []
    monkeypatch.setattr(accel, "_load", loads.append)
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    assert loads == [] and accel.loaded() == []
    assert model.compiled


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_preloaded_kernels_train_the_same_as_numpy(dtype):
    pytest.importorskip("numba")
    import lamina

    x = np.random.default_rng(0).standard_normal((8, 4, 4, 1))
    y = np.random.default_rng(1).standard_normal((8, 2))
    weights = []
    previous = lamina.floatx()
    lamina.set_floatx(dtype)
    try:
        for flag in (False, True):
            with accel.using(flag):
                lamina.random.set_random_seed(0)
                model = _model()
                model.compile(optimizer="adam", loss="mse")
                model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
                weights.append([w.copy() for w in model.get_weights()])
    finally:
        lamina.set_floatx(previous)
    assert weights[1][0].dtype == dtype
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)
