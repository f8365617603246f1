"""depthwise_conv2d: float64 gradients by central differences, and the reference: conv2d
with the block-diagonal kernel that maps channel c only to outputs c*M .. c*M + M - 1."""

import numpy as np
import pytest

from lamina.autograd import Tensor
from lamina.autograd import ops as F
from lamina.autograd.ops.depthwise_conv import depthwise_conv2d
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close


def block_diagonal(kernel):
    kh, kw, c, m = kernel.shape
    full = np.zeros((kh, kw, c, c * m), dtype=kernel.dtype)
    for ch in range(c):
        full[:, :, ch, ch * m:(ch + 1) * m] = kernel[:, :, ch, :]
    return full


CASES = [  # (x shape, kernel shape, strides, padding, dilation)
    ((2, 5, 6, 3), (3, 3, 3, 1), 1, "valid", 1),
    ((2, 5, 6, 3), (3, 2, 3, 2), (2, 1), "same", 1),
    ((1, 7, 7, 2), (3, 3, 2, 3), 1, "same", 2),
    ((1, 6, 5, 4), (2, 2, 4, 1), 2, "valid", 1),
]


@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation", CASES)
def test_matches_conv2d_with_a_block_diagonal_kernel(x_shape, k_shape, strides, padding,
                                                     dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype("float32")
    k = rng.standard_normal(k_shape).astype("float32")
    b = rng.standard_normal(k_shape[2] * k_shape[3]).astype("float32")
    got = depthwise_conv2d(Tensor(x), Tensor(k), Tensor(b), strides=strides,
                             padding=padding, dilation_rate=dilation)
    want = F.conv2d(Tensor(x.astype("float64")), Tensor(block_diagonal(k).astype("float64")),
                    Tensor(b.astype("float64")), strides=strides, padding=padding,
                    dilation_rate=dilation)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.abs(want.data).max() > 1  # a non-trivial reference
    assert_sums_close(got.data, want.data, terms=k_shape[0] * k_shape[1], scale=4.0,
                      dtype="float32")


@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation", CASES)
def test_gradients_in_float64(x_shape, k_shape, strides, padding, dilation):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal(k_shape)
    b = rng.standard_normal(k_shape[2] * k_shape[3])
    gx, gk, gb = check_grad(lambda xx, kk, bb: depthwise_conv2d(
        xx, kk, bb, strides=strides, padding=padding, dilation_rate=dilation), x, k, b)
    assert np.abs(gx).max() > 0 and np.abs(gk).max() > 0 and np.abs(gb).max() > 0


def test_errors_name_the_op_and_the_shapes():
    with pytest.raises(ValueError, match=r"depthwise_conv2d: expected a kernel \(kh, kw, C=3"):
        depthwise_conv2d(np.ones((1, 4, 4, 3)), np.ones((2, 2, 2, 1)))
    with pytest.raises(ValueError, match=r"bias must have shape \(6,\)"):
        depthwise_conv2d(np.ones((1, 4, 4, 3)), np.ones((2, 2, 3, 2)), np.ones(3))
