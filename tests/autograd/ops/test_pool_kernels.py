"""The numba max-pooling kernels against the NumPy path: the same numbers, bit for bit."""

import numpy as np
import pytest

from lamina import Tensor, accel
from lamina.autograd import ops

POOL = "lamina.autograd.ops._pool_kernels"

pytest.importorskip("numba")

rng = np.random.default_rng(5)

CASES = [  # (shape, pool_size, strides, padding)
    ((3, 8, 8, 4), 2, None, "valid"),        # windows tile the input
    ((2, 7, 9, 3), 2, None, "valid"),        # the last row and column are dropped
    ((2, 7, 9, 3), 3, 2, "same"),            # overlapping windows with padding
    ((2, 8, 8, 5), (2, 3), (1, 2), "same"),
    ((3, 6, 6, 2), 2, None, "same"),
    ((2, 5, 6, 2), 3, 1, "same"),            # padding on both sides
    ((1, 13, 12, 1), (12, 11), 1, "valid"),  # more than 127 offsets: int32 winners
]


def _both_paths(x, grad, pool, strides, padding):
    results = []
    for flag in (False, True):
        with accel.using(flag):
            t = Tensor(x, requires_grad=True)
            out = ops.max_pool2d(t, pool, strides, padding)
            assert (out._ctx.kernels is not None) is flag  # the path asked for ran
            (best,) = out._ctx.saved  # the backward releases it
            out.backward(grad)
            results.append((out.data, t.grad, best))
    return results


def _same_bytes(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,pool,strides,padding", CASES)
def test_same_values_winners_and_gradients(shape, pool, strides, padding, dtype):
    x = rng.integers(0, 4, shape).astype(dtype)  # many ties: the first maximum must win
    x.flat[rng.choice(x.size, 2, replace=False)] = np.nan  # NaN wins and stays, as in NumPy
    x.flat[0] = -np.inf
    with accel.using(False):
        shape_out = ops.max_pool2d(Tensor(x), pool, strides, padding).shape
    grad = rng.standard_normal(shape_out).astype(dtype)
    (out0, gx0, best0), (out1, gx1, best1) = _both_paths(x, grad, pool, strides, padding)
    assert out1.dtype == dtype and gx1.dtype == dtype
    np.testing.assert_array_equal(out1, out0)  # NaN positions equal too
    _same_bytes(best1, best0)
    _same_bytes(gx1, gx0)  # bit for bit, the sign of zeros included
    assert np.isnan(out1).any()  # the NaN case was exercised


@pytest.mark.parametrize("shape,pool,strides,padding", CASES[:4])
def test_inf_and_nan_gradients_reach_only_the_winners(shape, pool, strides, padding):
    x = rng.standard_normal(shape).astype(np.float32)
    with accel.using(False):
        shape_out = ops.max_pool2d(Tensor(x), pool, strides, padding).shape
    grad = -rng.random(shape_out).astype(np.float32)  # negative: non-winners get +0, not -0
    grad.flat[0], grad.flat[-1] = np.inf, np.nan
    (_, gx0, best0), (_, gx1, _) = _both_paths(x, grad, pool, strides, padding)
    _same_bytes(gx1, gx0)
    assert np.isinf(gx0).sum() == 1 and np.isnan(gx0).sum() == 1  # one winner each
    assert not np.signbit(gx0[gx0 == 0]).any()


def test_float16_and_integer_inputs_use_the_numpy_path():
    with accel.using(True):
        assert accel.kernels(np, POOL, np.ones(2, np.float16)) is None
        assert accel.kernels(np, POOL, np.ones(2, np.int64)) is None
        assert accel.kernels(np, POOL, np.ones(2, np.float32)) is not None
        x = np.arange(16, dtype=np.float16).reshape(1, 4, 4, 1)
        out = ops.max_pool2d(Tensor(x), 2).data
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out[0, :, :, 0], [[5, 7], [13, 15]])


def test_a_batch_split_over_threads_gives_the_same_result(monkeypatch):
    from lamina import parallel
    x = rng.standard_normal((9, 6, 6, 3)).astype(np.float32)
    grad = rng.standard_normal((9, 3, 3, 3)).astype(np.float32)
    outs = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(parallel, "_threads", threads)
        with accel.using(True):
            t = Tensor(x, requires_grad=True)
            out = ops.max_pool2d(t, 2)
            out.backward(grad)
        outs.append((out.data, t.grad))
    for out, gx in outs[1:]:
        np.testing.assert_array_equal(out, outs[0][0])
        np.testing.assert_array_equal(gx, outs[0][1])


@pytest.mark.parametrize("kernel,pool", [("max_pool_forward", 3),
                                         ("max_pool_forward_2x2", 2)])
def test_a_kernel_that_fails_to_compile_hands_over_to_numpy(kernel, pool, monkeypatch):
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _pool_kernels

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    x = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    with accel.using(False):
        expected = ops.max_pool2d(Tensor(x), pool).data
    monkeypatch.setattr(_pool_kernels, kernel, broken)
    monkeypatch.setitem(accel._modules, POOL, _pool_kernels)
    with accel.using(True):
        with pytest.warns(RuntimeWarning, match="failed to compile .*NumPy path"):
            out = ops.max_pool2d(Tensor(x, requires_grad=True), pool)
        assert out._ctx.kernels is None and accel._modules[POOL] is None
        np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 6, 8, 37), (1, 7, 5, 16)])
def test_the_2x2_kernel_is_the_general_one(shape, dtype):
    """max_pool_forward_2x2 against max_pool_forward (2x2, stride 2, no padding) on windows
    full of NaN, infinities, signed zeros and ties, over enough channels for vector lanes
    and a remainder: the same maxima (bits) and winners."""
    from lamina.autograd.ops import _pool_kernels

    values = np.array([np.nan, -np.inf, np.inf, -1.0, -0.0, 0.0, 1.0], dtype=dtype)
    x = values[rng.integers(0, len(values), shape)]
    out_shape = (shape[0], shape[1] // 2, shape[2] // 2, shape[3])
    out0, out1 = np.empty(out_shape, dtype=dtype), np.empty(out_shape, dtype=dtype)
    best0, best1 = np.empty(out_shape, np.int8), np.empty(out_shape, np.int8)
    _pool_kernels.max_pool_forward(x, 2, 2, 2, 2, 0, 0, out0, best0)
    _pool_kernels.max_pool_forward_2x2(x, out1, best1)
    # the data reach the cases named above: NaN maxima, ties won by an index other than 0
    assert np.isnan(out0).any() and (best0 > 0).any()
    _same_bytes(out1, out0)
    _same_bytes(best1, best0)
