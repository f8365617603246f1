"""col2im's numba gather (``_col2im_kernels``) against its NumPy add loop: the same bits (the
same products, each cell's terms added from 0 in the same order), on random windows, strides,
dilations and grids; the conv ops that use it against the reference and a float64 gradient
check; and the hand-over to NumPy when numba cannot compile it."""

import numpy as np
import pytest

from lamina import Tensor, accel
from lamina.autograd import ops
from lamina.autograd.ops import _conv_reference, plans
from lamina.autograd.ops._conv_cpu_kernels import COL2IM_KERNELS, col2im
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

pytest.importorskip("numba")


def _case(seed, dtype):
    rng = np.random.default_rng(seed)
    n, ho, wo = (int(v) for v in rng.integers(1, 6, 3))
    o, c = int(rng.choice([1, 3, 8, 33])), int(rng.choice([1, 2, 5, 16]))
    kh, kw = (int(v) for v in rng.integers(1, 4, 2))
    strides = tuple(int(v) for v in rng.integers(1, 4, 2))
    dilation = (1, 1) if seed % 2 else tuple(int(v) for v in rng.integers(1, 3, 2))
    # the windows' extent plus up to 2 cells no window covers (they must come out 0)
    padded = tuple((a - 1) * s + (k - 1) * d + 1 + int(e) for a, s, k, d, e in zip(
        (ho, wo), strides, (kh, kw), dilation, rng.integers(0, 3, 2)))
    grad = rng.standard_normal((n, ho, wo, o)).astype(dtype)
    kernel = rng.standard_normal((kh, kw, c, o)).astype(dtype)
    return grad, kernel, padded, strides, dilation


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", range(16))
def test_gather_has_the_bits_of_the_add_loop(seed, dtype):
    grad, kernel, padded, strides, dilation = _case(seed, dtype)
    with accel.using(False):
        want = col2im(np, grad, kernel, padded, strides, dilation)
    with accel.using(True):
        out = np.full((grad.shape[0], *padded, kernel.shape[2]), np.nan, dtype=dtype)
        got = col2im(np, grad, kernel, padded, strides, dilation, out=out)
    assert got is out and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert COL2IM_KERNELS in accel.loaded()


def test_row_blocks_of_one_image_take_the_add_loop(monkeypatch):
    """An image larger than a chunk is cut into row blocks whose windows overlap: the gather
    (which writes each cell once) is not used, and the result is the same."""
    grad, kernel, padded, strides, dilation = _case(3, "float32")
    monkeypatch.setattr(plans, "CHUNK_BYTES", 1)  # one output row per chunk
    with accel.using(False):
        want = col2im(np, grad, kernel, padded, strides, dilation)
    with accel.using(True):
        got = col2im(np, grad, kernel, padded, strides, dilation)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_strided_conv_gradients_equal_the_reference(dtype):
    """U-Net's down-sampling: 3x3, stride 2, Keras's 'same' pads (0 before, 1 after)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 10, 10, 6)).astype(dtype)
    kernel = rng.standard_normal((3, 3, 6, 5)).astype(dtype)
    grad = rng.standard_normal((3, 5, 5, 5)).astype(dtype)
    pads, strides, one = ((0, 1), (0, 1)), (2, 2), (1, 1)
    with accel.using(True):
        t, k = Tensor(x, requires_grad=True), Tensor(kernel, requires_grad=True)
        ops.conv2d(t, k, strides=2, padding="same").backward(grad)
    want = _conv_reference.conv2d_backward(np, grad, x, kernel, pads, strides, one)
    assert_sums_close(t.grad, want[0], terms=9 * 5, scale=36.0, dtype=dtype)
    assert_sums_close(k.grad, want[1], terms=3 * 25, scale=36.0, dtype=dtype)


def test_float64_gradients_of_a_strided_conv_with_the_gather():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 7, 6, 3))
    kernel = rng.standard_normal((3, 2, 3, 4))
    with accel.using(True):
        check_grad(lambda a, k: ops.conv2d(a, k, strides=(2, 3), padding="same"), x, kernel)
        # row 6 and column 5 are in no window
        check_grad(lambda a, k: ops.conv2d(a, k, strides=3, padding="valid"), x, kernel)
        # the transposed conv's col2im path (its windows overlap: not 'tiles')
        check_grad(lambda a, k: ops.conv2d_transpose(a, k, strides=2, padding="valid"),
                   rng.standard_normal((2, 3, 3, 4)), rng.standard_normal((3, 3, 2, 4)))


def test_a_gather_that_fails_to_compile_hands_over_to_numpy(monkeypatch):
    from numba.core.errors import TypingError

    from lamina.autograd.ops import _col2im_kernels, _conv_cpu_kernels

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    grad, kernel, padded, strides, dilation = _case(5, "float32")
    with accel.using(False):
        want = col2im(np, grad, kernel, padded, strides, dilation)
    monkeypatch.setattr(_col2im_kernels, "warm", broken)
    monkeypatch.setattr(_conv_cpu_kernels, "_COL2IM_READY", set())
    monkeypatch.setitem(accel._modules, COL2IM_KERNELS, _col2im_kernels)
    with accel.using(True):
        with pytest.warns(RuntimeWarning, match="failed to compile .*NumPy path"):
            got = col2im(np, grad, kernel, padded, strides, dilation)
        assert accel._modules[COL2IM_KERNELS] is None
    np.testing.assert_array_equal(got, want)


def test_compile_loads_the_gather_for_a_strided_conv(monkeypatch):
    """Model.compile loads the gather (its one-time cost is then not in the first step) for
    a model with a strided Conv2D, and not for one without."""
    from lamina.layers import Conv2D, Input
    from lamina.models import Sequential

    warmed = []
    monkeypatch.setattr(accel, "_enabled", True)
    monkeypatch.setattr(accel, "_load", lambda name: type("M", (), {
        "warm": staticmethod(lambda dtype: warmed.append(name))}))
    for strides in (1, 2):
        warmed.clear()
        Sequential([Input((8, 8, 2)), Conv2D(3, 3, strides=strides)]).compile(
            optimizer="sgd", loss="mse")
        assert (COL2IM_KERNELS in warmed) == (strides == 2)
