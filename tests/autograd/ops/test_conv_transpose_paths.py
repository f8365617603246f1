"""Every fast CPU path of conv2d_transpose against the reference (col2im of one product).

Random shapes, strides and paddings; forward and backward, with and without the fused ReLU;
float64 and float32. Each path is forced here whatever plans.py would pick for the shape. The
tolerance is that of two orders of summing the same products (tests/tolerance.py). The fused
op conv2d_transpose_relu is also checked against relu of conv2d_transpose, with gradchecks.
"""

import math

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops import _conv_reference, _conv_transpose_cpu, plans
from lamina.autograd.ops._spatial import transpose_crop
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

CASES = 12


def _close(actual, desired, terms, dtype):
    """Equal up to the rounding of sums of ``terms`` products of standard normals (|v| < 6)."""
    assert actual.shape == desired.shape
    assert_sums_close(actual, desired, terms=terms, scale=36.0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.CONV_TRANSPOSE)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(CASES))
def test_transpose_equals_the_reference(seed, path, relu, dtype):
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
    if relu:
        want = np.maximum(want, 0)
    got = _conv_transpose_cpu.conv2d_transpose_forward(np, x, kernel, bias, *args, path=path,
                                                       relu=relu)
    assert got.dtype == np.dtype(dtype) and got.flags.c_contiguous
    _close(got, want, kh * kw * c_in, dtype)
    grad = rng.standard_normal(want.shape).astype(dtype)
    g = grad * (got > 0) if relu else grad  # ReLU's backward, done by hand for the reference
    want_g = _conv_reference.conv2d_transpose_backward(np, g, x, kernel, *args)
    got_g = _conv_transpose_cpu.conv2d_transpose_backward(
        np, grad, x, kernel, (h, w), kernel.shape, *args, (True, True, True), path=path,
        relu_out=got if relu else None)
    assert [a.shape for a in got_g] == [x.shape, kernel.shape, bias.shape]
    assert all(np.abs(b).max() > 0 for b in want_g)  # real numbers compared, not zeros
    for a, b in zip(got_g, want_g):
        _close(a, b, math.prod(want.shape[:3]), dtype)


@pytest.mark.parametrize("path", plans.CONV_TRANSPOSE)
@pytest.mark.parametrize("need", [(True, False, False), (False, True, False),
                                  (False, False, True), (True, False, True)])
def test_transpose_gives_only_the_gradients_asked_for(path, need):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3, 5, 3))
    kernel = rng.standard_normal((2, 2, 4, 3))
    args = (((0, 6), (0, 10)), (6, 10), (2, 2), (1, 1))  # 'same', stride 2: the tiles case
    out = _conv_transpose_cpu.conv2d_transpose_forward(np, x, kernel, None, *args, relu=True)
    grad = rng.standard_normal(out.shape)
    full = _conv_transpose_cpu.conv2d_transpose_backward(
        np, grad, x, kernel, (3, 5), kernel.shape, *args, (True, True, True), path=path,
        relu_out=out)
    got = _conv_transpose_cpu.conv2d_transpose_backward(
        np, grad, x if need[1] else None, kernel if need[0] else None, (3, 5), kernel.shape,
        *args, need, path=path, relu_out=out)
    for asked, a, b in zip(need, got, full):
        assert (a is None) == (not asked)
        if asked:  # the same sums, cut over the threads perhaps differently
            _close(a, b, out[..., 0].size, "float64")


@pytest.mark.parametrize("strides,padding,output_padding", [
    ((2, 2), "same", None), ((3, 2), "valid", None),  # windows tiling the output: 'tiles'
    ((1, 1), "valid", None), ((2, 1), "valid", (1, 0)), ((2, 2), "same", (1, 1)),
])
@pytest.mark.parametrize("with_bias", [True, False])
def test_fused_relu_op_equals_relu_of_the_op_with_its_gradients(strides, padding,
                                                                output_padding, with_bias):
    rng = np.random.default_rng(11)
    x, k, b = rng.standard_normal((3, 3, 4, 2)), rng.standard_normal((3, 2, 3, 2)), \
        rng.standard_normal(3)
    args = (x, k, b) if with_bias else (x, k)
    kw = dict(strides=strides, padding=padding, output_padding=output_padding)
    tensors = [Tensor(a, dtype="float64") for a in args]
    fused = ops.conv2d_transpose_relu(*tensors, **kw).data
    np.testing.assert_array_equal(fused, np.maximum(ops.conv2d_transpose(*tensors, **kw).data,
                                                    0))
    assert (fused == 0).any() and (fused > 0).any()  # both sides of the kink are exercised
    check_grad(lambda *t: ops.conv2d_transpose_relu(*t, **kw), *args)
