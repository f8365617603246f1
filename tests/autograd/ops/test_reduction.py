import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(1)

CASES = [((), None), ((5,), None), ((5,), 0), ((3, 4), 1), ((3, 4), (0, 1)), ((2, 3, 4), (0, 2)),
         ((2, 3, 4), -1)]


@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var"])
def test_reduction_matches_numpy_and_gradient(name, shape, axis, keepdims):
    x = rng.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.1
    op = getattr(ops, name)
    np.testing.assert_allclose(op(Tensor(x), axis=axis, keepdims=keepdims).data,
                               getattr(np, name)(x, axis=axis, keepdims=keepdims), atol=1e-12)
    check_grad(lambda t: op(t, axis=axis, keepdims=keepdims), x)


def test_max_ties_share_the_gradient():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.5, 0.5])


@pytest.mark.parametrize("name", ["max", "min"])
def test_extreme_backward_stays_in_the_input_dtype(name):
    # max over time (GlobalMaxPooling1D): the op's own gradient is float32 for float32 input,
    # not a float64 array of the input's size cast back later
    from lamina.autograd.ops.reduction import Max, Min

    x = np.array([[[1.0, 5.0], [3.0, 5.0], [3.0, 2.0]]], dtype=np.float32)
    fn = (Max if name == "max" else Min)()
    fn.needs_input_grad, fn.xp = (True,), np
    out = fn.forward(x, axis=1, keepdims=False)
    (grad,) = [fn.backward(np.ones_like(out))]
    assert grad.dtype == np.float32
    expected = ([[[0, 0.5], [0.5, 0.5], [0.5, 0]]] if name == "max"
                else [[[1, 0], [0, 0], [0, 1]]])
    np.testing.assert_array_equal(grad, np.array(expected, dtype=np.float32))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("threads", [1, 2])
def test_extreme_cut_over_threads_gives_the_same_bits(name, threads, monkeypatch):
    """Max over time of a big batch (cut along the batch over lamina's threads, ties
    included) equals the formula on the whole array, bit for bit, for any thread count."""
    from lamina import parallel
    from lamina.autograd.ops import plans

    monkeypatch.setattr(parallel, "_threads", threads)
    rng = np.random.default_rng(3)
    x = np.round(rng.standard_normal((8, 120, 100)), 1).astype(np.float32)  # many ties
    g = rng.standard_normal((8, 100)).astype(np.float32)
    assert x.size >= plans.ROWS_SPLIT_ELEMENTS
    t = Tensor(x, requires_grad=True)
    out = getattr(ops, name)(t, axis=1)
    (out * Tensor(g)).sum().backward()
    want = getattr(x, name)(axis=1, keepdims=True)
    winners = x == want
    np.testing.assert_array_equal(out.data, want[:, 0])
    np.testing.assert_array_equal(t.grad, winners * (g[:, None] / winners.sum(
        axis=1, keepdims=True, dtype=np.float32)))
    assert t.grad.dtype == np.float32


def test_var_ddof():
    x = rng.standard_normal((4, 3))
    np.testing.assert_allclose(ops.var(Tensor(x), axis=0, ddof=1).data, x.var(axis=0, ddof=1))
    check_grad(lambda t: ops.var(t, axis=0, ddof=1), x)


def test_bad_axis_names_the_op():
    with pytest.raises(ValueError, match=r"mean: axis=3 is out of range for an input with 2 axes"):
        ops.mean(Tensor(np.ones((2, 2))), axis=3)


def test_methods_on_tensor():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.sum().item() == 10.0
    np.testing.assert_allclose(x.mean(axis=0).data, [2.0, 3.0])
    np.testing.assert_allclose(x.max(axis=1, keepdims=True).data, [[2.0], [4.0]])


@pytest.mark.parametrize("shape,axis,keepdims", [((4,), None, False), ((2, 3), 1, False),
                                                 ((2, 3, 2), (0, 2), True), ((3, 2), -2, False)])
def test_prod_matches_numpy_and_its_gradient(shape, axis, keepdims):
    x = np.random.default_rng(7).uniform(0.5, 1.5, shape) * np.where(
        np.arange(np.prod(shape)).reshape(shape) % 3 == 0, -1.0, 1.0)
    got = ops.prod(Tensor(x, dtype="float64"), axis=axis, keepdims=keepdims).data
    np.testing.assert_allclose(got,
                               np.prod(x, axis=axis, keepdims=keepdims), rtol=1e-12)
    check_grad(lambda t: ops.prod(t, axis=axis, keepdims=keepdims), x)


def test_prod_gradient_is_exact_at_a_zero_entry():
    x = Tensor([2.0, 0.0, 3.0], requires_grad=True)
    ops.prod(x).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 6.0, 0.0])  # the product of the others
