"""The fused numba Adam update (lamina[fast]) against the NumPy update: the same bits."""

import numpy as np
import pytest

from lamina import Variable, accel, optimizers, parallel

pytest.importorskip("numba")


def _train(make, fused, dtype, shape, steps=4, threads=1):
    rng = np.random.default_rng(3)
    w = Variable(rng.standard_normal(shape).astype(dtype))
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]
    grads[1].flat[0] = 0.0          # a zero gradient: the moments only decay
    grads[2].flat[1] *= 1e4         # one very large gradient: AMSGrad's v_hat keeps it
    opt = make()
    before = parallel.num_threads()
    parallel.set_num_threads(threads)
    try:
        with accel.using(fused):
            for g in grads:
                opt.apply_gradients([(g, w)])
    finally:
        parallel.set_num_threads(before)
    assert "lamina.optimizers._kernels" in accel.loaded() or not fused
    return w.data.copy(), {k: np.asarray(v) for k, v in opt.get_state().items()}


OPTIMIZERS = {
    "adam": lambda: optimizers.Adam(0.01),
    "amsgrad": lambda: optimizers.Adam(0.05, beta_1=0.5, beta_2=0.7, amsgrad=True),
    "adamw": lambda: optimizers.AdamW(0.01, weight_decay=0.1),
    "schedule": lambda: optimizers.Adam(optimizers.schedules.ExponentialDecay(0.1, 2, 0.5)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fused_adam_gives_the_numpy_bits(name, dtype):
    w0, state0 = _train(OPTIMIZERS[name], False, dtype, (7, 5))
    w1, state1 = _train(OPTIMIZERS[name], True, dtype, (7, 5))
    assert w1.dtype == dtype
    np.testing.assert_array_equal(w1, w0)
    assert sorted(state1) == sorted(state0)
    for key in state0:
        np.testing.assert_array_equal(state1[key], state0[key])
    start = np.random.default_rng(3).standard_normal((7, 5)).astype(dtype)
    assert np.abs(w1 - start).min() > 0  # every weight moved


def test_fused_adam_on_parts_of_a_big_variable(monkeypatch):
    """A big variable is updated in parts on two threads, each part fused."""
    make = OPTIMIZERS["amsgrad"]
    w0, state0 = _train(make, False, "float32", (300, 250), threads=1)
    w1, state1 = _train(make, True, "float32", (300, 250), threads=2)
    np.testing.assert_array_equal(w1, w0)
    for key in state0:
        np.testing.assert_array_equal(state1[key], state0[key])


def test_a_non_contiguous_variable_takes_the_numpy_path(monkeypatch):
    class Refuse:  # a kernel module whose Adam must not run
        COMPILE_ERRORS = ()

        @staticmethod
        def adam(*args):
            raise AssertionError("the fused kernel ran")

    monkeypatch.setattr(accel, "kernels", lambda xp, name, *arrays: Refuse)
    w = Variable(np.ones((4, 3), "float32"))
    w.data = np.ones((3, 4), "float32").T  # a transposed view: not C-contiguous
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(np.ones((4, 3), "float32"), w)])
    np.testing.assert_allclose(w.data, 1 - 0.1 / (1 + 1e-7), rtol=1e-6)
    w.data = np.ascontiguousarray(w.data)
    with pytest.raises(AssertionError, match="the fused kernel ran"):  # contiguous: fused
        opt.apply_gradients([(np.ones((4, 3), "float32"), w)])


def test_slots_of_another_dtype_take_the_numpy_path():
    """A variable whose array became float64 after its float32 slots were made."""
    results = []
    for fused in (False, True):
        w = Variable(np.array([1.0, -2.0, 3.0], "float32"))
        opt = optimizers.Adam(0.1)
        with accel.using(fused):
            opt.apply_gradients([(np.ones(3, "float32"), w)])
            w.data = w.data.astype("float64")
            opt.apply_gradients([(np.array([0.5, -1.0, 2.0]), w)])
        results.append((w.data.copy(), np.asarray(opt.get_state()["momentum/0"])))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])
