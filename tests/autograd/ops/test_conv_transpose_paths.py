"""Every fast CPU path of conv2d_transpose against the reference (col2im of one product).

Random shapes, strides and paddings; forward and backward; float64 and float32. Each path is
forced here whatever plans.py would pick for the shape. The tolerance is that of two orders of
summing the same products (tests/tolerance.py).
"""

import math

import numpy as np
import pytest

from lamina.autograd.ops import _conv_reference, _conv_transpose_cpu, plans
from lamina.autograd.ops._spatial import transpose_crop
from tests.tolerance import assert_sums_close

CASES = 12


def _close(actual, desired, terms, dtype):
    """Equal up to the rounding of sums of ``terms`` products of standard normals (|v| < 6)."""
    assert actual.shape == desired.shape
    assert_sums_close(actual, desired, terms=terms, scale=36.0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.CONV_TRANSPOSE)
@pytest.mark.parametrize("seed", range(CASES))
def test_transpose_equals_the_reference(seed, path, dtype):
    rng = np.random.default_rng(seed)
    n, h, w, c_in, c_out = 3, int(rng.integers(2, 6)), int(rng.integers(2, 6)), 3, 4
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    strides = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    if path == "tiles":  # that path is for windows that tile the output: kernel == strides
        strides = (kh, kw)
    padding = ("valid", "same")[seed % 2]
    x = rng.standard_normal((n, h, w, c_in)).astype(dtype)
    kernel = rng.standard_normal((kh, kw, c_out, c_in)).astype(dtype)
    bias = rng.standard_normal(c_out).astype(dtype)
    crop = tuple(transpose_crop("test", padding, a, k, s, None)
                 for a, k, s in zip((h, w), (kh, kw), strides))
    padded = tuple(max((a - 1) * s + k, before + length) for a, s, k, (before, length)
                   in zip((h, w), strides, (kh, kw), crop))
    args = (crop, padded, strides, (1, 1))
    if path == "tiles":
        assert plans.conv2d_transpose((h, w), (kh, kw), padded, strides, (1, 1)) == "tiles"
    want = _conv_reference.conv2d_transpose_forward(np, x, kernel, bias, *args)
    got = _conv_transpose_cpu.conv2d_transpose_forward(np, x, kernel, bias, *args, path=path)
    assert got.dtype == np.dtype(dtype) and got.flags.c_contiguous
    _close(got, want, kh * kw * c_in, dtype)
    grad = rng.standard_normal(want.shape).astype(dtype)
    want_g = _conv_reference.conv2d_transpose_backward(np, grad, x, kernel, *args)
    got_g = _conv_transpose_cpu.conv2d_transpose_backward(np, grad, x, kernel, (h, w),
                                                          kernel.shape, *args,
                                                          (True, True, True), path=path)
    assert [a.shape for a in got_g] == [x.shape, kernel.shape, bias.shape]
    assert all(np.abs(b).max() > 0 for b in want_g)  # real numbers compared, not zeros
    for a, b in zip(got_g, want_g):
        _close(a, b, math.prod(want.shape[:3]), dtype)
