"""Grouped convolution (``groups=`` of conv2d, conv2d_relu, conv1d): the reference is the
same convolution with a block-diagonal kernel, where group g's filters see only group g's
channels (zeros elsewhere); the gradients are checked by central differences in float64."""

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

rng = np.random.default_rng(11)


def block_diagonal(kernel, groups):
    """(..., C_in / G, O) grouped kernel -> the (..., C_in, O) kernel of the same map."""
    *k, cg, o = kernel.shape
    full = np.zeros((*k, cg * groups, o), dtype=kernel.dtype)
    og = o // groups
    for g in range(groups):
        full[..., g * cg:(g + 1) * cg, g * og:(g + 1) * og] = kernel[..., g * og:(g + 1) * og]
    return full


@pytest.mark.parametrize("groups, c, o, strides, padding", [
    (2, 4, 6, 1, "same"), (3, 6, 3, 2, "valid"), (4, 4, 8, (2, 1), "same"), (1, 3, 2, 1, "valid")])
def test_grouped_conv2d_equals_the_block_diagonal_conv(groups, c, o, strides, padding):
    x = rng.standard_normal((2, 7, 6, c)).astype("float32")
    kernel = rng.standard_normal((3, 3, c // groups, o)).astype("float32")
    bias = rng.standard_normal(o).astype("float32")
    got = ops.conv2d(Tensor(x), Tensor(kernel), Tensor(bias), strides=strides,
                     padding=padding, groups=groups)
    expected = ops.conv2d(Tensor(x), Tensor(block_diagonal(kernel, groups)), Tensor(bias),
                          strides=strides, padding=padding)
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.abs(expected.data).max() > 1  # the reference is not all zeros
    assert_sums_close(got.data, expected.data, terms=9 * c + 1,
                      scale=np.abs(x).max() * np.abs(kernel).max(), dtype=np.float32)
    fused = ops.conv2d_relu(Tensor(x), Tensor(kernel), Tensor(bias), strides=strides,
                            padding=padding, groups=groups)
    np.testing.assert_allclose(fused.data, np.maximum(got.data, 0), atol=0, rtol=0)


def test_grouped_conv1d_equals_the_block_diagonal_conv():
    x = rng.standard_normal((2, 9, 6)).astype("float32")
    kernel = rng.standard_normal((3, 2, 6)).astype("float32")
    got = ops.conv1d(Tensor(x), Tensor(kernel), padding="causal", groups=3)
    expected = ops.conv1d(Tensor(x), Tensor(block_diagonal(kernel, 3)), padding="causal")
    assert got.shape == (2, 9, 6)
    assert_sums_close(got.data, expected.data, terms=18,
                      scale=np.abs(x).max() * np.abs(kernel).max(), dtype=np.float32)


def test_grouped_conv2d_gradients():
    x = rng.standard_normal((2, 5, 4, 4))
    kernel = rng.standard_normal((3, 2, 2, 6))
    bias = rng.standard_normal(6)
    grads = check_grad(lambda a, k, b: ops.conv2d(a, k, b, strides=(2, 1), padding="same",
                                                  groups=2), x, kernel, bias)
    assert all(np.abs(g).max() > 0 for g in grads)
    # a filter of group 0 does not see group 1's channels: the input gradient of channel 2
    # comes from group 1's filters alone
    only_first = check_grad(lambda a, k: ops.conv2d(a, k, padding="same", groups=2)[..., :3],
                            x, kernel)
    assert np.all(only_first[0][..., 2:] == 0) and np.all(only_first[1][..., 3:] == 0)


def test_grouped_conv2d_relu_and_conv1d_gradients():
    x = np.abs(rng.standard_normal((2, 5, 5, 4))) + 0.1
    kernel = rng.standard_normal((2, 2, 1, 4))
    check_grad(lambda a, k: ops.conv2d_relu(a, k, groups=4), x, kernel)
    check_grad(lambda a, k: ops.conv1d(a, k, strides=2, groups=2),
               rng.standard_normal((2, 7, 4)), rng.standard_normal((3, 2, 4)))


def test_groups_that_do_not_divide_the_channels_are_refused():
    x, kernel = Tensor(np.ones((1, 5, 5, 6))), Tensor(np.ones((3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"conv2d: with groups=2 the input's 6 channels must "
                                         r"be groups x the kernel's 2 input channels"):
        ops.conv2d(x, kernel, groups=2)
    with pytest.raises(ValueError, match=r"kernel's 5 filters a multiple of groups"):
        ops.conv2d(x, Tensor(np.ones((3, 3, 2, 5))), groups=3)
    with pytest.raises(ValueError, match=r"groups must be a positive int; received groups=0"):
        ops.conv2d(x, kernel, groups=0)
