"""The pooling ops (NumPy chunks over threads, and the numba kernels) against the reference.

Random shapes, windows, strides and paddings; forward and backward; float64 and float32.
"""

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops import _pool_reference
from lamina.autograd.ops._spatial import output_length, resolve_padding
from tests.tolerance import assert_sums_close


def _case(seed, dtype):
    rng = np.random.default_rng(seed)
    n, h, w, c = (int(v) for v in rng.integers((1, 2, 2, 1), (4, 10, 10, 6)))
    pool = tuple(int(v) for v in rng.integers(1, 4, 2))
    strides = tuple(int(v) for v in rng.integers(1, 4, 2))
    padding = ("valid", "same")[seed % 2]
    pads = resolve_padding(padding, (h, w), pool, strides, (1, 1), "test")
    try:
        out_hw = tuple(output_length(a, k, s, p, 1, "test", "axis")
                       for a, k, s, p in zip((h, w), pool, strides, pads))
    except ValueError:
        return _case(seed + 1000, dtype)
    # distinct values, so the first maximum is the only one and ties do not blur the test
    x = rng.permutation(n * h * w * c).reshape(n, h, w, c).astype(dtype) / (n * h * w * c)
    grad = rng.standard_normal((n, *out_hw, c)).astype(dtype)
    return x, grad, pool, strides, padding, pads, out_hw


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("seed", range(10))
def test_pool_ops_equal_the_reference(seed, kind, dtype, kernel_path):
    x, grad, pool, strides, padding, pads, out_hw = _case(seed, dtype)
    xt = Tensor(x, requires_grad=True)
    out = getattr(ops, f"{kind}_pool2d")(xt, pool_size=pool, strides=strides, padding=padding)
    out.backward(grad)
    want = getattr(_pool_reference, f"{kind}_pool2d_forward")(np, x, pool, strides, pads,
                                                               out_hw)
    want_g = getattr(_pool_reference, f"{kind}_pool2d_backward")(np, grad, x, pool, strides,
                                                                 pads, out_hw)
    assert out.data.dtype == np.dtype(dtype)
    terms = pool[0] * pool[1]  # an average sums this many cells; a cell gets as many shares
    assert_sums_close(out.data, want, terms=terms, scale=1.0, dtype=dtype)
    assert_sums_close(xt.grad, want_g, terms=terms, scale=float(np.abs(grad).max()),
                      dtype=dtype)
    if kind == "max":  # a max is one of the cells: exact
        np.testing.assert_array_equal(out.data, want)
