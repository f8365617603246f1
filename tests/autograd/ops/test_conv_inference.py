"""conv2d_batch_norm against conv2d, batch_norm (moving statistics), add and relu as separate
ops, float64 and float32; and that it refuses to record a gradient."""

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import no_grad
from lamina.autograd import ops as F
from tests.tolerance import assert_sums_close


def _arrays(rng, dtype, c=16, o=8):
    x = rng.standard_normal((2, 9, 7, c)).astype(dtype)
    kernel = rng.standard_normal((3, 3, c, o)).astype(dtype)
    bias, beta, mean = (rng.standard_normal(o).astype(dtype) for _ in range(3))
    gamma = rng.uniform(0.5, 2.0, o).astype(dtype)
    variance = rng.uniform(0.5, 2.0, o).astype(dtype)
    return x, kernel, bias, gamma, beta, mean, variance


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("affine", [True, False])
def test_equals_conv_batch_norm_add_relu(dtype, residual, relu, strides, affine):
    rng = np.random.default_rng(int(residual) + 2 * relu + 4 * strides)
    x, kernel, bias, gamma, beta, mean, variance = _arrays(rng, dtype)
    if not affine:  # batch norm with center=False, scale=False; a conv without a bias
        bias = gamma = beta = None
    with no_grad():
        conv = F.conv2d(x, kernel, bias, strides=strides, padding="same")
        res = rng.standard_normal(conv.shape).astype(dtype) if residual else None
        want = F.batch_norm(conv, gamma, beta, mean, variance, training=False, epsilon=1e-3)
        if residual:
            want = want + Tensor(res)
        if relu:
            want = F.relu(want)
        got = F.conv2d_batch_norm(x, kernel, bias, gamma, beta, mean, variance, 1e-3,
                                  residual=res, relu=relu, strides=strides, padding="same")
    assert got.dtype == np.dtype(dtype) and got.shape == want.shape
    # the conv's 9*C-term sums (Winograd's terms up to 9x larger: test_conv_inference_paths)
    # times the batch norm scale (< 2 / sqrt(0.5)), plus the shift's few roundings
    assert_sums_close(got.data, want.data, terms=9 * 16 + 4, scale=9 * 36.0 * 3, dtype=dtype)


def test_records_no_gradient():
    x, kernel, bias, gamma, beta, mean, variance = _arrays(np.random.default_rng(0), "float32")
    k = Tensor(kernel, requires_grad=True)
    with pytest.raises(RuntimeError, match="conv2d_batch_norm: an inference op"):
        F.conv2d_batch_norm(x, k, bias, gamma, beta, mean, variance, 1e-3)


def test_a_residual_of_another_shape_is_refused():
    x, kernel, bias, gamma, beta, mean, variance = _arrays(np.random.default_rng(0), "float32")
    with no_grad(), pytest.raises(ValueError, match="the residual must have the output's shape"):
        F.conv2d_batch_norm(x, kernel, bias, gamma, beta, mean, variance, 1e-3,
                            residual=np.zeros((2, 3, 3, 8), "float32"), padding="same")
