"""The numba kernel of the fused convolution's epilogue against the NumPy passes: the same
bits, for every combination of its steps, on chunks of output rows. A spy on the kernel
(``finish_calls``) shows which path each run took."""

import numpy as np
import pytest

from lamina import accel
from lamina.autograd.ops import _conv_epilogue

KERNELS = "lamina.autograd.ops._epilogue_kernels"

pytest.importorskip("numba")


@pytest.fixture
def finish_calls(monkeypatch):
    """The dtypes of the chunks the compiled kernel finished during the test, in order."""
    from lamina.autograd.ops import _epilogue_kernels

    calls = []
    compiled = _epilogue_kernels.finish

    def counted(result, *args):
        calls.append(result.dtype)
        return compiled(result, *args)

    monkeypatch.setattr(_epilogue_kernels, "finish", counted)
    return calls


def _run(numba, result, scale, shift, residual, relu, lo=1, hi=3, starts=(0, 5)):
    """The finish of images ``lo:hi`` on two chunks of their rows (from ``starts``)."""
    out = result.copy()
    with accel.using(numba):
        finish = _conv_epilogue.epilogue(np, scale, shift, residual, relu)(lo, hi)
        rows = out[lo:hi].reshape(-1, out.shape[-1])
        bounds = [*starts, rows.shape[0]]
        for start, stop in zip(bounds, bounds[1:]):
            finish(rows[start:stop], start)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("given", ["scale shift residual", "shift residual", "shift",
                                   "scale", "residual", ""])
def test_same_bits_as_numpy(given, relu, dtype, finish_calls):
    if not given and not relu:
        pytest.skip("nothing to do: no finish")
    rng = np.random.default_rng(len(given) + relu)
    n, h, w, o = 4, 3, 5, 7
    result = rng.standard_normal((n, h, w, o)).astype(dtype)
    result[1, 0, 0, :4] = [-0.0, np.nan, -np.inf, np.inf]  # relu keeps NaN, gives +0.0
    scale = rng.uniform(0.5, 2.0, o).astype(dtype) if "scale" in given else None
    shift = rng.standard_normal(o).astype(dtype) if "shift" in given else None
    residual = rng.standard_normal((n, h, w, o)).astype(dtype) if "residual" in given else None
    compiled = _run(True, result, scale, shift, residual, relu)
    assert KERNELS in accel.loaded()
    assert finish_calls == [np.dtype(dtype)] * 2  # the kernel finished both chunks
    expected = _run(False, result, scale, shift, residual, relu)
    assert len(finish_calls) == 2  # NumPy's passes: no kernel call
    assert compiled.tobytes() == expected.tobytes()
    untouched = np.ones(n, bool)
    untouched[1:3] = False
    assert compiled[untouched].tobytes() == result[untouched].tobytes()


def test_mixed_dtypes_take_numpy(finish_calls):
    """A float64 scale on a float32 result rounds as NumPy's passes do: the kernel is not
    called (it is on the same arrays with the scale in float32)."""
    rng = np.random.default_rng(0)
    result = rng.standard_normal((2, 2, 3, 4)).astype(np.float32)
    scale = rng.uniform(0.5, 2.0, 4)
    shift = rng.standard_normal(4).astype(np.float32)
    mixed = _run(True, result, scale, shift, None, True)
    assert finish_calls == []
    expected = _run(False, result, scale, shift, None, True)
    assert mixed.dtype == np.float32 and mixed.tobytes() == expected.tobytes()
    _run(True, result, scale.astype(np.float32), shift, None, True)
    assert finish_calls == [np.dtype(np.float32)] * 2


def test_a_kernel_that_fails_to_compile_hands_over_to_numpy(monkeypatch):
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _epilogue_kernels

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    rng = np.random.default_rng(1)
    result = rng.standard_normal((3, 2, 2, 5)).astype(np.float32)
    shift = rng.standard_normal(5).astype(np.float32)
    expected = _run(False, result, None, shift, None, True)
    monkeypatch.setattr(_epilogue_kernels, "finish", broken)
    monkeypatch.setitem(accel._modules, KERNELS, _epilogue_kernels)
    with pytest.warns(RuntimeWarning, match="failed to compile .*NumPy path"):
        out = _run(True, result, None, shift, None, True)
    assert accel._modules[KERNELS] is None
    np.testing.assert_array_equal(out, expected)
