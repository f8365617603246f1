"""Batch norm in training (and ``batch_norm_relu``) on each path against the formula.

The NumPy reference and the numba kernels of ``_batch_norm_cpu`` (``kernel_path``), random
shapes with the channels last and elsewhere, with and without gamma / beta and the ReLU;
forward, moving statistics and every gradient, in float64 and float32; and the same bits on
one thread and on two. Each test asserts which path ran: the kernels' four passes
(``_batch_norm_cpu``'s functions, counted by a spy) on the numba path when
``plans.batch_norm`` picks them, none of them otherwise.
"""

import math

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops import _batch_norm_cpu, plans
from lamina.parallel import num_threads, set_num_threads
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

#: the passes of the compiled path (forward: the first two; backward: the last two)
PASSES = ("statistics", "normalize", "grad_sums", "input_grad")


@pytest.fixture
def passes(monkeypatch):
    """How many times each pass of ``_batch_norm_cpu`` ran during the test."""
    counts = {}

    def spy(name, original):
        def counted(*args):
            counts[name] = counts.get(name, 0) + 1
            return original(*args)
        return counted

    for name in PASSES:
        monkeypatch.setattr(_batch_norm_cpu, name, spy(name, getattr(_batch_norm_cpu, name)))
    return counts


def _assert_path(passes, kernel_path, shape, axis):
    """The compiled passes ran (each at least once) exactly when the test runs on the numba
    path and the plan picks the kernels for ``shape``'s channel ``axis``."""
    inner = math.prod(shape[axis % len(shape) + 1:])
    compiled = kernel_path == "numba" and plans.batch_norm(inner) == "channels_last"
    assert set(passes) == (set(PASSES) if compiled else set()), (kernel_path, inner, passes)


def _case(seed, dtype):
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(2, 5))
    shape = tuple(int(v) for v in rng.integers(1, 9, ndim))
    shape = (shape[0] + 1, *shape[1:])  # at least 2 values per channel
    axis = -1 if seed % 3 else int(rng.integers(1, ndim))
    c = shape[axis]
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, c).astype(dtype) if seed % 4 != 1 else None
    beta = rng.standard_normal(c).astype(dtype) if seed % 4 != 2 else None
    grad = rng.standard_normal(shape).astype(dtype)
    return x, gamma, beta, grad, axis


def _expected(x, gamma, beta, grad, axis, relu, eps=1e-3, momentum=0.9):
    """Forward, moving statistics and gradients from the formulas, in float64."""
    x, grad = x.astype(np.float64), grad.astype(np.float64)
    axis = axis % x.ndim
    axes = tuple(a for a in range(x.ndim) if a != axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    g = np.ones(x.shape[axis]) if gamma is None else gamma.astype(np.float64)
    y = xhat * g.reshape(shape) + (0 if beta is None else beta.astype(np.float64).reshape(shape))
    if relu:
        grad = grad * (y > 0)
        y = np.maximum(y, 0)
    n = x.size // x.shape[axis]
    dxhat = grad * g.reshape(shape)
    dx = (dxhat - dxhat.mean(axis=axes, keepdims=True)
          - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)) / np.sqrt(
        var.reshape(shape) + eps)
    moving = (0.1 * mean, 0.9 + 0.1 * var)
    return y, moving, dx, (grad * xhat).sum(axis=axes), grad.sum(axis=axes), n


def _run(x, gamma, beta, grad, axis, relu):
    c = x.shape[axis]
    xt = Tensor(x, requires_grad=True)
    gt = None if gamma is None else Tensor(gamma, requires_grad=True)
    bt = None if beta is None else Tensor(beta, requires_grad=True)
    mm, mv = np.zeros(c, x.dtype), np.ones(c, x.dtype)
    op = ops.batch_norm_relu if relu else ops.batch_norm
    out = op(xt, gt, bt, mm, mv, training=True, momentum=0.9, axis=axis)
    out.backward(grad)
    return out.data, (mm, mv), xt.grad, None if gt is None else gt.grad, \
        None if bt is None else bt.grad


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_batch_norm_training_equals_the_formula(seed, relu, dtype, kernel_path, passes):
    x, gamma, beta, grad, axis = _case(seed, dtype)
    out, moving, dx, dgamma, dbeta = _run(x, gamma, beta, grad, axis, relu)
    _assert_path(passes, kernel_path, x.shape, axis)
    y, want_moving, want_dx, want_dgamma, want_dbeta, n = _expected(x, gamma, beta, grad,
                                                                    axis, relu)
    assert out.dtype == dx.dtype == np.dtype(dtype)
    # every value depends on the channel's sums of n terms; x_hat is at most sqrt(n)
    scale = float(np.sqrt(n)) * 2
    assert_sums_close(out, y, terms=n, scale=scale, dtype=dtype, ulps=16)
    for got, want in zip(moving, want_moving):
        assert_sums_close(got, want, terms=n, scale=10.0, dtype=dtype, ulps=16)
    g_scale = float(np.abs(grad).max()) * scale
    assert_sums_close(dx, want_dx, terms=n, scale=g_scale * 4, dtype=dtype, ulps=16)
    if gamma is not None:
        assert_sums_close(dgamma, want_dgamma, terms=n, scale=g_scale, dtype=dtype, ulps=16)
    if beta is not None:
        assert_sums_close(dbeta, want_dbeta, terms=n, scale=g_scale, dtype=dtype, ulps=16)


@pytest.mark.parametrize("relu", [False, True])
def test_the_same_bits_on_one_thread_and_on_two(relu, kernel_path, passes):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 9, 9, 24)).astype(np.float32)  # above ROWS_SPLIT_ELEMENTS
    assert plans.split_rows(x.size)
    gamma, beta = np.linspace(0.5, 2, 24, dtype=np.float32), np.zeros(24, np.float32)
    grad = rng.standard_normal(x.shape).astype(np.float32)
    before = num_threads()
    try:
        set_num_threads(1)
        one = _run(x, gamma, beta, grad, -1, relu)
        set_num_threads(2)
        two = _run(x, gamma, beta, grad, -1, relu)
    finally:
        set_num_threads(before)
    _assert_path(passes, kernel_path, x.shape, -1)
    for a, b in zip(one, two):
        for u, v in zip(a, b) if isinstance(a, tuple) else ((a, b),):
            np.testing.assert_array_equal(u, v)


def test_batch_norm_relu_gradient(kernel_path, passes):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 3, 2, 4))
    gamma, beta = rng.uniform(0.5, 1.5, 4), rng.standard_normal(4) * 0.3
    mm, mv = np.zeros(4), np.ones(4)

    def fn(xt, g, b):
        return ops.batch_norm_relu(xt, g, b, mm, mv, training=True)

    check_grad(fn, x, gamma, beta, atol=1e-6, rtol=1e-5)
    _assert_path(passes, kernel_path, x.shape, -1)


def test_batch_norm_relu_equals_the_two_ops_in_inference():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((6, 5, 3))
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    mm, mv = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
    fused = ops.batch_norm_relu(Tensor(x), Tensor(gamma), Tensor(beta), mm, mv, False)
    plain = ops.relu(ops.batch_norm(Tensor(x), Tensor(gamma), Tensor(beta), mm, mv, False))
    np.testing.assert_array_equal(fused.data, plain.data)


def test_plan_picks_the_kernels_for_channels_last_only():
    assert plans.batch_norm(1) == "channels_last"
    assert plans.batch_norm(49) == "reference"
