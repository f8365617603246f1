"""The ``all_sum`` op in one process: the reduction is a parameter, so a stand-in for "k ranks
holding the same x" (``k * x``) checks the gradient; the MPI runs are in tests/distributed."""

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops as F
from lamina.autograd.ops.collective import all_sum
from tests.gradcheck import check_grad


def test_all_sum_of_identical_ranks_gradient_in_float64():
    # k ranks holding the same x: y = k x, and the job's objective is k L(y), whose gradient
    # on one rank's x is the sum over ranks of dL/dy, i.e. k dL/dy: the op's backward.
    x = np.random.default_rng(0).normal(size=(3, 4))
    check_grad(lambda t: F.tanh(all_sum(t, lambda a: 3.0 * a)), x)


def test_all_sum_forward_and_backward_against_numpy():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, dtype="float64")
    y = all_sum(x, lambda a: a + 10.0)       # "another rank" holding 10 everywhere
    np.testing.assert_array_equal(y.data, np.arange(6.0).reshape(2, 3) + 10.0)
    (y * Tensor(np.full((2, 3), 2.0))).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 12.0))  # reduce(2) = 2 + 10


def test_all_sum_checks_its_reduction():
    with pytest.raises(TypeError, match="reduce must be a callable"):
        all_sum(Tensor([1.0]), None)
    with pytest.raises(ValueError, match=r"returned shape \(1,\) for an input of shape \(2,\)"):
        all_sum(Tensor([1.0, 2.0]), lambda a: a[:1])
