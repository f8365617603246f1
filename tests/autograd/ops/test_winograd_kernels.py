"""The numba kernels of the Winograd transforms against the NumPy path: the same bits."""

import numpy as np
import pytest

from lamina import accel
from lamina.autograd.ops import _conv_cpu, plans

WINOGRAD = "lamina.autograd.ops._winograd_kernels"

pytest.importorskip("numba")

CASES = [  # (n, h, w, c, o, pads)
    (2, 8, 8, 16, 5, ((1, 1), (1, 1))),   # whole tiles (of 2 and of 4)
    (3, 9, 7, 17, 8, ((1, 1), (1, 1))),   # odd sizes: the last tiles cropped
    (1, 6, 5, 16, 3, ((0, 0), (0, 0))),   # 'valid'
]


def _forward(x, kernel, bias, pads, numba, path="winograd_2x2"):
    out_hw = tuple(a + sum(p) - 2 for a, p in zip(x.shape[1:3], pads))
    with accel.using(numba):
        out, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                          relu=True, path=path, inference=True)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["winograd_2x2", "winograd_4x4"])
@pytest.mark.parametrize("case", CASES)
def test_same_bits_as_numpy(case, path, dtype, monkeypatch):
    monkeypatch.setattr(plans, "WINOGRAD_TILES", 2)  # several chunks per image
    monkeypatch.setattr(plans, "WINOGRAD_BYTES", 1)
    n, h, w, c, o, pads = case
    rng = np.random.default_rng(c + o)
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    kernel = rng.standard_normal((3, 3, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    compiled = _forward(x, kernel, bias, pads, True, path)
    assert WINOGRAD in accel.loaded()
    expected = _forward(x, kernel, bias, pads, False, path)
    assert compiled.tobytes() == expected.tobytes()


def test_a_kernel_that_fails_to_compile_hands_over_to_numpy(monkeypatch):
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _winograd_kernels

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 6, 6, 16)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 16, 4)).astype(np.float32)
    expected = _forward(x, kernel, None, ((1, 1), (1, 1)), False)
    monkeypatch.setattr(_winograd_kernels, "input_2x2", broken)
    monkeypatch.setitem(accel._modules, WINOGRAD, _winograd_kernels)
    with pytest.warns(RuntimeWarning, match="failed to compile .*NumPy path"):
        out = _forward(x, kernel, None, ((1, 1), (1, 1)), True)
    assert accel._modules[WINOGRAD] is None
    np.testing.assert_array_equal(out, expected)
