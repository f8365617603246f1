"""Elementwise passes cut over threads (``_rows.py``): the same bits with 1 and 2 threads."""

import numpy as np
import pytest

from lamina import parallel
from lamina.autograd.ops import _rows, plans
from lamina.autograd.ops.activation import relu, relu_grad
from lamina.autograd.ops.normalization import batch_norm, layer_norm
from lamina.autograd.tensor import Tensor


@pytest.fixture
def threads():
    """Run the body with a given thread count; the default comes back after the test."""
    yield parallel.set_num_threads
    parallel.set_num_threads(parallel._default_threads())


def test_big_arrays_are_cut_and_small_ones_are_not(threads):
    threads(2)
    seen = []
    big = np.empty((10, plans.ROWS_SPLIT_ELEMENTS // 10 + 1), np.float32)
    _rows.by_rows(lambda lo, hi: seen.append((lo, hi)), big)
    assert sorted(seen) == [(0, 5), (5, 10)]
    seen.clear()
    _rows.by_rows(lambda lo, hi: seen.append((lo, hi)), big[:, :-1])  # below the threshold
    assert seen == [(0, 10)]
    assert _rows.unary(np, np.maximum, np.array(-2.0), 0) == 0  # a 0-d array: one call


@pytest.mark.parametrize("shape,parts", [((1,), 2), ((1, 1, 1), 2), ((10, 1, 1), 1)])
def test_an_operand_varying_along_the_first_axis_keeps_the_pass_whole(threads, shape, parts):
    threads(2)  # e.g. batch norm's per-channel scale when the channels are the first axis
    big = np.empty((10, plans.ROWS_SPLIT_ELEMENTS // 10 + 1, 1), np.float32)
    seen = []
    _rows.by_rows(lambda lo, hi: seen.append((lo, hi)), big, (2.0, np.ones(shape)))
    assert len(seen) == parts


def _run(dtype):
    """ReLU, training batch norm and layer norm, forward and backward, on a batch to cut."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((9, 40, 30, 8)).astype(dtype)  # 86,400 elements, 9 rows
    g = rng.standard_normal(x.shape).astype(dtype)
    gamma, beta = rng.standard_normal(8).astype(dtype), rng.standard_normal(8).astype(dtype)
    xt, gt, bt = (Tensor(a, requires_grad=True) for a in (x, gamma, beta))
    moving = [np.zeros(8, dtype), np.ones(8, dtype)]
    out = batch_norm(xt, gt, bt, *moving, training=True, momentum=0.9)
    y = relu(out) + layer_norm(xt, gt, bt)
    y.backward(Tensor(g))
    inference = batch_norm(Tensor(x), Tensor(gamma), Tensor(beta), *moving, training=False)
    return [y.data, xt.grad, gt.grad, bt.grad, *moving, inference.data,
            relu_grad(np, g, x)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalization_and_relu_give_the_same_bits_on_one_and_two_threads(threads, dtype):
    assert plans.split_rows(9 * 40 * 30 * 8)
    threads(1)
    one = _run(dtype)
    threads(2)
    two = _run(dtype)
    for a, b in zip(one, two):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("axis", [0, 1, 3, -1])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_concatenate_by_rows_equals_numpys(threads, axis, n_threads):
    threads(n_threads)
    rng = np.random.default_rng(3)
    rows = plans.ROWS_SPLIT_ELEMENTS // 64 + 1  # big enough to be cut over the threads
    a = rng.standard_normal((4, rows, 4, 3)).astype(np.float32)
    b = rng.standard_normal((4, rows, 4, 5)).astype(np.float64)  # the result type is numpy's
    if axis in (0, 1):
        b = b[..., :3]
    got = _rows.concatenate(np, [a, b[:, :, :, ::-1]], axis % 4)  # a strided input too
    want = np.concatenate([a, b[:, :, :, ::-1]], axis=axis)
    assert got.dtype == want.dtype and got.flags.c_contiguous
    np.testing.assert_array_equal(got, want)
