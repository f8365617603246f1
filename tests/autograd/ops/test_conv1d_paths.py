"""conv1d's own fast path (``_conv1d_cpu``: stride 1 as shifted products) against the
reference (conv2d on a height-1 image, im2col + one product), and the op on both of
``plans.CONV1D``'s paths.

Random lengths, channels, kernel sizes, dilations and paddings; forward and backward;
float64 and float32; chunks of one sequence, of two and of a whole part of the batch, so
the rows past each sequence's end are crossed. Tolerances: two orders of summing the same
products (tests/tolerance.py).
"""

import math

import numpy as np
import pytest

from lamina.autograd import Tensor
from lamina.autograd import ops as F
from lamina.autograd.ops import _conv1d_cpu, _conv_reference, plans
from lamina.autograd.ops._spatial import output_length, resolve_padding
from tests.tolerance import assert_sums_close

CASES = 12


def _case(seed, dtype):
    """A random stride-1 conv1d: arrays, the (before, after) padding, dilation, output length."""
    rng = np.random.default_rng(seed)
    n, length = int(rng.integers(1, 6)), int(rng.integers(4, 14))
    c, o, k = int(rng.choice([4, 5, 8])), int(rng.choice([1, 3, 17])), int(rng.integers(1, 6))
    d = int(rng.integers(1, 3))
    padding = ["valid", "same", "causal", (2, 1)][seed % 4]
    if padding == "causal":
        pad = ((k - 1) * d, 0)
    else:
        pad = resolve_padding(padding if isinstance(padding, str) else (padding,), (length,),
                              (k,), (1,), (d,), "test")[0]
    try:
        lout = output_length(length, k, 1, pad, d, "test", "length")
    except ValueError:  # the window does not fit: another draw
        return _case(seed + 1000, dtype)
    x = rng.standard_normal((n, length, c)).astype(dtype)
    kernel = rng.standard_normal((k, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    grad = rng.standard_normal((n, lout, o)).astype(dtype)
    return x, kernel, bias, grad, pad, d, lout


def _reference(x, kernel, bias, grad, pad, d, lout):
    """Forward and gradients of the reference conv2d on the height-1 image."""
    args = (((0, 0), pad), (1, 1), (1, d))
    out = _conv_reference.conv2d_forward(np, x[:, None], kernel[None], bias, *args, (1, lout))
    dx, dk, db = _conv_reference.conv2d_backward(np, grad[:, None], x[:, None], kernel[None],
                                                 *args)
    return out[:, 0], dx[:, 0], dk[0], db


def _close(actual, desired, terms, dtype):
    """Equal up to the rounding of sums of ``terms`` products of standard normals (|v| < 6)."""
    assert actual.shape == desired.shape and actual.dtype == np.dtype(dtype)
    assert_sums_close(actual, desired, terms=terms, scale=36.0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("chunk", [1, 2, None])  # sequences per chunk (None: the plan's)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(CASES))
def test_shifted_products_equal_the_reference(seed, relu, chunk, dtype, monkeypatch):
    if chunk is not None:
        monkeypatch.setattr(_conv1d_cpu, "_chunk", lambda n, *sizes: min(n, chunk))
    x, kernel, bias, grad, pad, d, lout = _case(seed, dtype)
    out, xpad = _conv1d_cpu.conv1d_forward(np, x, kernel, bias, pad, d, relu=relu)
    want, *_ = _reference(x, kernel, bias, grad, pad, d, lout)
    if relu:
        want = np.maximum(want, 0)
    assert out.flags.c_contiguous
    _close(out, want, kernel[..., 0].size + 1, dtype)
    g = grad * (out > 0) if relu else grad  # ReLU's backward, done by hand for the reference
    _, *want_g = _reference(x, kernel, bias, g, pad, d, lout)
    got = _conv1d_cpu.conv1d_backward(np, grad, xpad, kernel, kernel.shape, x.shape[1], pad, d,
                                      (True, True, True), relu_out=out if relu else None)
    assert np.abs(want_g[1]).max() > 0  # real numbers compared, not zeros with zeros
    _close(got[0], want_g[0], kernel.shape[0] * kernel.shape[2], dtype)
    _close(got[1], want_g[1], x.shape[0] * lout, dtype)
    _close(got[2], want_g[2], x.shape[0] * lout, dtype)


@pytest.mark.parametrize("need", [(True, False, False), (False, True, False),
                                  (False, False, True), (False, True, True)])
def test_only_the_gradients_asked_for(need):
    x, kernel, bias, grad, pad, d, lout = _case(3, "float64")
    _, xpad = _conv1d_cpu.conv1d_forward(np, x, kernel, bias, pad, d)
    got = _conv1d_cpu.conv1d_backward(np, grad, xpad if need[1] else None,
                                      kernel if need[0] else None, kernel.shape, x.shape[1],
                                      pad, d, need)
    _, *want = _reference(x, kernel, bias, grad, pad, d, lout)
    for asked, g, w in zip(need, got, want, strict=True):
        assert (g is None) == (not asked)
        if asked:
            _close(g, w, math.prod(grad.shape[:2]) * kernel.shape[2], "float64")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", ["conv1d", "conv1d_relu"])
@pytest.mark.parametrize("seed", range(4))
def test_the_op_gives_the_same_on_both_paths(seed, op, dtype, monkeypatch):
    x, kernel, bias, _, _, d, _ = _case(seed, dtype)
    padding = ["valid", "same", "causal", (2, 1)][seed % 4]
    results = []
    for path in plans.CONV1D:
        monkeypatch.setattr(plans, "conv1d", lambda stride, channels, path=path: path)
        tensors = [Tensor(a, requires_grad=True) for a in (x, kernel, bias)]
        out = getattr(F, op)(*tensors, padding=padding, dilation_rate=d)
        weights = np.cos(np.arange(out.data.size)).reshape(out.shape).astype(dtype)
        (out * Tensor(weights)).sum().backward()
        results.append([out.data] + [t.grad for t in tensors])
    assert len(results) == 2 and all(r is not None for run in results for r in run)
    terms = kernel.shape[0] * max(kernel.shape[1], kernel.shape[2]) * x.shape[0] * x.shape[1]
    for a, b in zip(*results, strict=True):
        _close(a, b, terms, dtype)


def test_the_plan_depends_on_the_shape_only():
    assert plans.conv1d(1, 64) == "shifted_products"
    assert plans.conv1d(2, 64) == "as_conv2d"
    assert plans.conv1d(1, plans.CONV1D_MIN_C - 1) == "as_conv2d"
