"""Every fast CPU path of the convolutions against the reference (im2col + one product).

Random shapes, strides, dilations and paddings; forward and backward; float64 and float32.
Each path is forced here whatever plans.py would pick for the shape, so every path is tested
on every case. The tolerance is that of two orders of summing the same products
(tests/tolerance.py): a path cuts and chunks the sums differently from the reference.
"""

import math

import numpy as np
import pytest

from lamina.autograd.ops import _conv_cpu, _conv_reference, plans
from lamina.autograd.ops._spatial import output_length, resolve_padding
from tests.tolerance import assert_sums_close

CASES = 12


def _case(seed, dtype):
    """A random conv2d: arrays, padding pairs, strides (or dilation), output size."""
    rng = np.random.default_rng(seed)
    n, h, w = rng.integers(1, 4), rng.integers(3, 9), rng.integers(3, 9)
    c, o = int(rng.choice([1, 2, 3, 5, 8])), int(rng.choice([1, 3, 4, 17]))
    kh, kw = rng.integers(1, 4), rng.integers(1, 4)
    if rng.random() < 0.5:
        strides, dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3))), (1, 1)
    else:
        strides, dilation = (1, 1), (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    padding = ["valid", "same", 1, ((2, 0), (1, 1))][seed % 4]
    try:
        pads = resolve_padding(padding, (h, w), (kh, kw), strides, dilation, "test")
        out_hw = tuple(output_length(a, k, s, p, d, "test", "axis") for a, k, s, p, d in
                       zip((h, w), (kh, kw), strides, pads, dilation))
    except ValueError:  # the window does not fit: another draw
        return _case(seed + 1000, dtype)
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    kernel = rng.standard_normal((kh, kw, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    grad = rng.standard_normal((n, *out_hw, o)).astype(dtype)
    return x, kernel, bias, grad, pads, strides, dilation, out_hw


def _close(actual, desired, terms, dtype):
    """Equal up to the rounding of sums of ``terms`` products of standard normals (|v| < 6)."""
    assert actual.shape == desired.shape
    assert_sums_close(actual, desired, terms=terms, scale=36.0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.CONV_FORWARD)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(CASES))
def test_forward_paths_equal_the_reference(seed, path, relu, dtype):
    x, kernel, bias, _, pads, strides, dilation, out_hw = _case(seed, dtype)
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, strides, dilation, out_hw)
    if relu:
        want = np.maximum(want, 0)
    got, _ = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, strides, dilation, out_hw,
                                      relu=relu, path=path)
    assert got.dtype == np.dtype(dtype)
    _close(got, want, kernel[..., 0].size + 1, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.CONV_BACKWARD)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(CASES))
def test_backward_paths_equal_the_reference(seed, path, relu, dtype):
    x, kernel, bias, grad, pads, strides, dilation, out_hw = _case(seed, dtype)
    if path.startswith("stride1") and strides != (1, 1):
        pytest.skip("a stride-1 path (plans.conv2d_backward never picks it for strides > 1)")
    out, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, strides, dilation, out_hw,
                                         relu=relu)
    g = grad * (out > 0) if relu else grad  # ReLU's backward, done by hand for the reference
    want = _conv_reference.conv2d_backward(np, g, x, kernel, pads, strides, dilation)
    need = (path != "small_c_kernel_grad", True, True)  # that path makes no input gradient
    got = _conv_cpu.conv2d_backward(np, grad, xpad, kernel, kernel.shape, x.shape, pads,
                                    strides, dilation, need, relu_out=out if relu else None,
                                    path=path)
    n_out = math.prod(grad.shape[:3])
    assert (got[0] is None) == (path == "small_c_kernel_grad")  # only what was asked for
    assert got[1].shape == kernel.shape and got[2].shape == bias.shape
    assert got[1].dtype == np.dtype(dtype) and np.abs(want[1]).max() > 0  # not zeros vs zeros
    if need[0]:
        assert got[0].shape == x.shape
        _close(got[0], want[0], kernel[..., 0, :].size, dtype)
    _close(got[1], want[1], n_out, dtype)
    _close(got[2], want[2], n_out, dtype)


def test_the_plan_depends_on_the_shape_only():
    assert plans.conv2d_forward(1) == "transposed_columns"
    assert plans.conv2d_forward(16) == "column_chunks"
    assert plans.conv2d_backward(1, 16, (1, 1), False, True) == "small_c_kernel_grad"
    assert plans.conv2d_backward(16, 32, (2, 2), True, True) == "im2col_col2im"
    assert plans.conv2d_backward(16, 16, (1, 1), True, True) == "stride1_products"
    assert plans.conv2d_backward(64, 128, (1, 1), True, True) == "stride1_products"
    assert plans.conv2d_backward(16, 32, (1, 1), True, True) == "stride1_fused"
    assert plans.conv2d_transpose((8, 8), (2, 2), (16, 16), (2, 2), (1, 1)) == "tiles"
    assert plans.conv2d_transpose((8, 8), (3, 3), (17, 17), (2, 2), (1, 1)) == "col2im"
    assert plans.conv2d_transpose((8, 8), (2, 2), (17, 17), (2, 2), (1, 1)) == "col2im"
