"""The engine itself: backward order, accumulation, graph release, no_grad, detach."""

import numpy as np
import pytest

from lamina import Tensor, enable_grad, is_grad_enabled, no_grad
from lamina.autograd import unbroadcast


def test_chain_of_thousand_ops_has_no_recursion_limit():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001**5000, rtol=1e-3)


def test_gradients_accumulate_across_backward_calls_and_paths():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()          # 2x
    (x * 3 + x).sum().backward()      # 4, two paths into x
    np.testing.assert_allclose(x.grad, [2 + 4, 4 + 4])


def test_diamond_graph_sums_both_paths():
    # f = a*b + a ; a = x^2, b = 3x -> f = 3x^3 + x^2, f' = 9x^2 + 2x
    x = Tensor(2.0, requires_grad=True, dtype="float64")
    a = x * x
    f = a * (x * 3) + a
    f.backward()
    assert x.grad == pytest.approx(9 * 4 + 4)


def test_graph_is_released_after_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, [4.0, 8.0])


def test_retain_grad_keeps_intermediate_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 2).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, [4.0, 8.0])
    np.testing.assert_allclose(x.grad, [8.0, 16.0])


def test_no_grad_records_nothing_and_enable_grad_restores():
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = w * 2
        with enable_grad():
            z = w * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y._ctx is None
    assert z.requires_grad


def test_detach_cuts_the_graph():
    w = Tensor([3.0], requires_grad=True)
    y = (w.detach() * w).sum()
    y.backward()
    np.testing.assert_allclose(w.grad, [3.0])  # only the non-detached factor counts


def test_backward_needs_grad_for_non_scalar_and_checks_its_shape():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    with pytest.raises(ValueError, match="single-element tensor.*shape \\(2, 2\\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match="grad has shape \\(3,\\)"):
        (x * 2).backward(np.ones(3))
    (x * 2).backward(np.ones((2, 2)))
    np.testing.assert_allclose(x.grad, 2 * np.ones((2, 2)))


def test_backward_on_constant_tensor_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()


def test_unbroadcast_reduces_leading_and_stretched_axes():
    g = np.ones((2, 3, 4))
    assert unbroadcast(g, (3, 4)).tolist() == (2 * np.ones((3, 4))).tolist()
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), 8 * np.ones((3, 1)))
    np.testing.assert_array_equal(unbroadcast(g, ()), 24.0)


def test_default_dtype_is_float32_and_float64_on_request():
    assert Tensor([1, 2]).dtype == np.float32
    assert Tensor([1, 2], dtype="float64").dtype == np.float64
    assert Tensor(np.zeros(2)).dtype == np.float64  # float arrays keep their dtype


def test_gradient_dtype_follows_the_input():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (x * np.ones(3, dtype=np.float64)).sum().backward()
    assert x.grad.dtype == np.float32


def test_unused_input_gets_no_gradient():
    x = Tensor([1.0], requires_grad=True)
    c = Tensor([2.0])
    (x * c).sum().backward()
    assert c.grad is None
