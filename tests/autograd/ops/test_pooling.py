import math

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops import plans
from tests.gradcheck import check_grad

rng = np.random.default_rng(2)


def distinct(shape):
    """Distinct values in random order (no ties, so max pooling has a unique winner)."""
    return rng.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.1


def reference_pool(x, pool, strides, padding, kind):
    """Pooling by explicit loops over windows; 'same' windows use only the real cells."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        ho, wo = math.ceil(h / sh), math.ceil(w / sw)
        top = max((ho - 1) * sh + ph - h, 0) // 2
        left = max((wo - 1) * sw + pw - w, 0) // 2
    else:
        ho, wo, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    out = np.zeros((n, ho, wo, c))
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for ch in range(c):
                    cells = [x[b, r, q, ch]
                             for r in range(i * sh - top, i * sh - top + ph)
                             for q in range(j * sw - left, j * sw - left + pw)
                             if 0 <= r < h and 0 <= q < w]
                    out[b, i, j, ch] = max(cells) if kind == "max" else sum(cells) / len(cells)
    return out


POOL_CASES = [  # (shape, pool_size, strides, padding)
    ((2, 4, 4, 3), 2, None, "valid"),
    ((2, 5, 7, 2), 2, None, "valid"),       # odd sizes: 'valid' drops the last row/column
    ((2, 5, 7, 2), 2, None, "same"),        # odd sizes: 'same' pads after
    ((1, 6, 6, 2), 3, 2, "valid"),          # overlapping windows
    ((1, 7, 6, 2), 3, 2, "same"),
    ((2, 5, 5, 1), (2, 3), (1, 2), "valid"),
    ((1, 5, 6, 2), (3, 2), (2, 1), "same"),
    ((1, 4, 5, 2), 3, 1, "same"),           # padding on both sides
    ((1, 3, 4, 2), (1, 1), (2, 3), "valid"),  # strides larger than the window
    ((1, 5, 5, 1), 2, 3, "same"),
]


#: max pooling runs on both paths (NumPy and the numba kernels); average pooling on NumPy
KINDS = [("max", "numpy"), ("max", "numba"), ("avg", "numpy")]


def _strides(pool, strides):
    pool = (pool, pool) if isinstance(pool, int) else pool
    strides = pool if strides is None else strides
    return pool, (strides, strides) if isinstance(strides, int) else strides


@pytest.mark.parametrize("shape,pool,strides,padding", POOL_CASES)
@pytest.mark.parametrize("kind,kernel_path", KINDS, indirect=["kernel_path"])
def test_pool2d_forward_matches_loops(kind, kernel_path, shape, pool, strides, padding):
    x = rng.standard_normal(shape)
    op = ops.max_pool2d if kind == "max" else ops.avg_pool2d
    got = op(Tensor(x), pool_size=pool, strides=strides, padding=padding).data
    expected = reference_pool(x, *_strides(pool, strides), padding, kind)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape,pool,strides,padding", POOL_CASES)
@pytest.mark.parametrize("kind,kernel_path", KINDS, indirect=["kernel_path"])
def test_pool2d_gradient(kind, kernel_path, shape, pool, strides, padding):
    op = ops.max_pool2d if kind == "max" else ops.avg_pool2d
    check_grad(lambda t: op(t, pool, strides, padding), distinct(shape))


@pytest.mark.parametrize("samples_per_chunk", [1, 2])
@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (3, 2, "same"),
                                                  (2, 1, "valid")])
@pytest.mark.parametrize("kind,kernel_path", KINDS, indirect=["kernel_path"])
def test_batch_chunks_give_the_same_result(monkeypatch, kind, kernel_path, pool, strides,
                                           padding, samples_per_chunk):
    x = distinct((3, 5, 4, 2))  # 3 samples: chunks of 1, or of 2 with a shorter last one
    monkeypatch.setattr(plans, "POOL_CHUNK_BYTES", samples_per_chunk * 5 * 4 * 2 * 8)
    op = ops.max_pool2d if kind == "max" else ops.avg_pool2d
    got = op(Tensor(x), pool, strides, padding).data
    np.testing.assert_allclose(got, reference_pool(x, *_strides(pool, strides), padding, kind),
                               atol=1e-12)
    check_grad(lambda t: op(t, pool, strides, padding), x)


@pytest.mark.parametrize("kind,kernel_path", KINDS, indirect=["kernel_path"])
def test_window_larger_than_127_cells(kind, kernel_path):  # the offset no longer fits an int8
    x = distinct((1, 13, 12, 1))
    op = ops.max_pool2d if kind == "max" else ops.avg_pool2d
    got = op(Tensor(x), (12, 11), 1, "valid").data
    np.testing.assert_allclose(got, reference_pool(x, (12, 11), (1, 1), "valid", kind))
    check_grad(lambda t: op(t, (12, 11), 1), x)


def test_max_pool_same_padding_never_picks_padding(kernel_path):
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # all negative: a zero pad would win
    out = ops.max_pool2d(Tensor(x), 2, padding="same").data[0, :, :, 0]
    np.testing.assert_array_equal(out, [[-1.0, -3.0], [-7.0, -9.0]])


def test_avg_pool_same_averages_real_cells_only():
    x = np.ones((1, 3, 3, 1))
    out = ops.avg_pool2d(Tensor(x), 2, padding="same").data
    np.testing.assert_array_equal(out, np.ones((1, 2, 2, 1)))  # not 0.5 / 0.25 at the border
    t = Tensor(x, requires_grad=True)
    ops.avg_pool2d(t, 2, padding="same").sum().backward()
    np.testing.assert_allclose(t.grad[0, :, :, 0], [[0.25, 0.25, 0.5], [0.25, 0.25, 0.5],
                                                    [0.5, 0.5, 1.0]])


def test_max_pool_ties_send_gradient_to_first_max_only(kernel_path):
    x = Tensor(np.zeros((1, 2, 4, 1)), requires_grad=True)
    ops.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad[0, :, :, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])
    # overlapping windows: every window picks its own first maximum
    y = Tensor(np.zeros((1, 3, 3, 1)), requires_grad=True)
    ops.max_pool2d(y, 2, strides=1).sum().backward()
    np.testing.assert_array_equal(y.grad[0, :, :, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_max_pool_overlapping_windows_add_up_in_backward(kernel_path):
    x = np.array([[1.0, 2.0, 1.0], [0.0, 9.0, 0.0], [1.0, 2.0, 1.0]]).reshape(1, 3, 3, 1)
    t = Tensor(x, requires_grad=True)
    ops.max_pool2d(t, 2, strides=1).sum().backward()  # the 9 wins all four windows
    assert t.grad[0, 1, 1, 0] == 4.0 and t.grad.sum() == 4.0


def test_float32_stays_float32_and_inference_saves_nothing(kernel_path):
    x = Tensor(rng.standard_normal((2, 6, 6, 3)).astype(np.float32), requires_grad=True)
    for op in (ops.max_pool2d, ops.avg_pool2d):
        y = op(x, 3, 2, "same")
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32
        x.grad = None
    y = ops.max_pool2d(Tensor(x.data), 2)
    assert y._ctx is None


def test_max_pool_saves_only_the_winning_offsets(kernel_path):
    x = Tensor(distinct((2, 6, 6, 3)), requires_grad=True)
    y = ops.max_pool2d(x, 3, strides=2, padding="same")
    (best,) = y._ctx.saved  # one small int8 array per output, not the input
    assert best.dtype == np.int8 and best.shape == y.shape
    windows = np.pad(x.data, ((0, 0), (0, 1), (0, 1), (0, 0)), constant_values=-np.inf)
    for i in range(3):
        for j in range(3):
            window = windows[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3].reshape(2, 9, 3)
            np.testing.assert_array_equal(best[:, i, j], window.argmax(axis=1))


@pytest.mark.parametrize("kind,kernel_path", KINDS, indirect=["kernel_path"])
@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (3, 2, "same"),
                                                  (3, 1, "valid")])
def test_pool1d_forward_and_gradient(kind, kernel_path, pool, strides, padding):
    x = distinct((2, 7, 3))
    op1 = getattr(ops, f"{kind}_pool1d")
    op2 = getattr(ops, f"{kind}_pool2d")
    got = op1(Tensor(x), pool, strides, padding).data
    s = pool if strides is None else strides
    expected = op2(Tensor(x[:, :, None, :]), (pool, 1), (s, 1), padding).data[:, :, 0, :]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    ref = reference_pool(x[:, :, None, :], (pool, 1), (s, 1), padding, kind)[:, :, 0, :]
    np.testing.assert_allclose(got, ref, atol=1e-12)
    check_grad(lambda t: op1(t, pool, strides, padding), x)


@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pools(keepdims):
    x = distinct((2, 3, 4, 5))
    avg = ops.global_avg_pool2d(Tensor(x), keepdims=keepdims).data
    mx = ops.global_max_pool2d(Tensor(x), keepdims=keepdims).data
    np.testing.assert_allclose(avg, x.mean(axis=(1, 2), keepdims=keepdims), atol=1e-12)
    np.testing.assert_array_equal(mx, x.max(axis=(1, 2), keepdims=keepdims))
    assert avg.shape == ((2, 1, 1, 5) if keepdims else (2, 5))
    check_grad(lambda t: ops.global_avg_pool2d(t, keepdims=keepdims), x)
    check_grad(lambda t: ops.global_max_pool2d(t, keepdims=keepdims), x)


def test_global_max_pool_ties_go_to_first():
    t = Tensor(np.ones((1, 2, 2, 1)), requires_grad=True)
    ops.global_max_pool2d(t).sum().backward()
    np.testing.assert_array_equal(t.grad[0, :, :, 0], [[1, 0], [0, 0]])


def test_nan_propagates(kernel_path):
    x = np.ones((1, 4, 4, 1))
    x[0, 0, 1, 0] = np.nan
    t = Tensor(x, requires_grad=True)
    out = ops.max_pool2d(t, 2)
    assert np.isnan(out.data[0, 0, 0, 0]) and np.isfinite(out.data[0, 1, 1, 0])
    out.sum().backward()
    assert t.grad.shape == x.shape
    assert np.isnan(ops.avg_pool2d(Tensor(x), 2).data[0, 0, 0, 0])


@pytest.mark.parametrize("kwargs,message", [
    (dict(pool_size=0), r"max_pool2d: the `pool_size` argument must be a positive integer .* "
                        r"received pool_size=0"),
    (dict(pool_size=(2, 2, 2)), r"max_pool2d: the `pool_size` argument must be .*received "
                                r"pool_size=\(2, 2, 2\)"),
    (dict(pool_size=2.5), r"max_pool2d: the `pool_size` argument must be .*received "
                          r"pool_size=2.5"),
    (dict(strides=-1), r"max_pool2d: the `strides` argument must be a positive .*received "
                       r"strides=-1"),
    (dict(padding="full"), r"max_pool2d: padding must be 'valid' or 'same'; "
                           r"received padding='full'"),
    (dict(padding=1), r"max_pool2d: padding must be 'valid' or 'same'; received padding=1"),
    (dict(pool_size=5), r"max_pool2d: the window \(5 along H.*larger than the padded input"),
    (dict(pool_size=(1, 6)), r"max_pool2d: the window \(6 along W"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ops.max_pool2d(Tensor(np.zeros((1, 4, 5, 1))), **kwargs)


def test_bad_input_ranks():
    with pytest.raises(ValueError, match=r"avg_pool2d: expected a 4-D input \(N, H, W, C\); "
                                         r"received shape \(4, 4\)"):
        ops.avg_pool2d(Tensor(np.zeros((4, 4))))
    with pytest.raises(ValueError, match=r"max_pool1d: expected a 3-D input \(N, L, C\)"):
        ops.max_pool1d(Tensor(np.zeros((1, 4, 4, 1))))
    with pytest.raises(ValueError,
                       match=r"avg_pool1d: the `pool_size` argument must be .*received "
                             r"pool_size=\(2, 2\)"):
        ops.avg_pool1d(Tensor(np.zeros((1, 4, 1))), pool_size=(2, 2))
    with pytest.raises(ValueError, match=r"avg_pool1d: the window \(5 along L"):
        ops.avg_pool1d(Tensor(np.zeros((1, 4, 1))), pool_size=5)
    with pytest.raises(ValueError, match=r"global_max_pool2d: expected a 4-D input"):
        ops.global_max_pool2d(Tensor(np.zeros((2, 3, 4))))
    with pytest.raises(ValueError, match=r"global_max_pool2d: cannot pool an empty image"):
        ops.global_max_pool2d(Tensor(np.zeros((2, 0, 4, 1))))
