"""The engine's gradient buffers (lamina.autograd.function.set_gradient_buffers): the backward
writes a leaf's gradient into a given array where the op can (the Dense kernel's product),
as the sharded update's shared gradient row needs; everything else is as without them."""

import numpy as np
import pytest

from lamina.autograd import Variable
from lamina.autograd.function import clear_gradient_buffers, set_gradient_buffers
from lamina.autograd.ops.linear import linear, linear_relu


@pytest.fixture(autouse=True)
def _cleared():
    yield
    clear_gradient_buffers()


def _leaves(dtype=np.float64):
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((6, 5)).astype(dtype), name="x")
    kernel = Variable(rng.standard_normal((5, 4)).astype(dtype), name="kernel")
    bias = Variable(rng.standard_normal(4).astype(dtype), name="bias")
    return x, kernel, bias


def _grads(op, leaves, twice=False):
    out = op(*leaves)
    (out * out).sum().backward(retain_graph=twice)
    if twice:
        (out * out).sum().backward()
    return [v.grad for v in leaves]


@pytest.mark.parametrize("op", [linear, linear_relu])
def test_the_kernel_gradient_is_written_into_its_buffer_with_the_same_bits(op):
    plain = _grads(op, _leaves())
    leaves = _leaves()
    buffer = np.full((5, 4), np.nan)
    set_gradient_buffers([(leaves[1], buffer)])
    grads = _grads(op, leaves)
    assert grads[1] is buffer  # no copy: the leaf's grad is the buffer itself
    for a, b in zip(plain, grads):
        np.testing.assert_array_equal(a, b)


def test_a_second_backward_accumulates_outside_the_buffer():
    plain = _grads(linear, _leaves(), twice=True)
    leaves = _leaves()
    buffer = np.zeros((5, 4))
    set_gradient_buffers([(leaves[1], buffer)])
    grads = _grads(linear, leaves, twice=True)
    np.testing.assert_array_equal(grads[1], plain[1])  # 2x the gradient, not overwritten
    np.testing.assert_array_equal(buffer, plain[1] / 2)


def test_a_leaf_used_twice_gets_the_sum_of_both():
    def twice(x, kernel, bias):
        return linear(x, kernel, bias) + linear(x * 0.5, kernel, bias)

    expected = _grads(twice, _leaves())[1]
    leaves = _leaves()
    buffer = np.zeros((5, 4))
    set_gradient_buffers([(leaves[1], buffer)])
    np.testing.assert_array_equal(_grads(twice, leaves)[1], expected)


def test_cleared_buffers_are_not_used():
    leaves = _leaves()
    buffer = np.zeros((5, 4))
    set_gradient_buffers([(leaves[1], buffer)])
    clear_gradient_buffers()
    assert _grads(linear, leaves)[1] is not buffer
    assert not buffer.any()


def test_a_buffer_of_another_dtype_or_shape_is_refused():
    leaves = _leaves()
    with pytest.raises(ValueError, match="'kernel' has shape .* expected .*float64"):
        set_gradient_buffers([(leaves[1], np.zeros((5, 4), np.float32))])
    with pytest.raises(ValueError, match=r"shape \(4, 5\)"):
        set_gradient_buffers([(leaves[1], np.zeros((4, 5)))])
