import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(0)

BROADCAST_SHAPES = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((4, 1), (1, 5))]


@pytest.mark.parametrize("sa,sb", BROADCAST_SHAPES)
@pytest.mark.parametrize("op,ref", [(ops.add, np.add), (ops.sub, np.subtract),
                                    (ops.mul, np.multiply), (ops.div, np.divide)])
def test_binary_ops_forward_and_gradient(op, ref, sa, sb):
    a = rng.standard_normal(sa)
    b = rng.uniform(0.5, 2.0, sb)  # away from 0 for div
    np.testing.assert_allclose(op(Tensor(a, dtype="float64"), b).data, ref(a, b))
    check_grad(op, a, b)


def test_operators_and_scalars_keep_float32():
    x = Tensor([1.0, 2.0, 4.0])
    y = 2 * x + 1 - x / 2 + np.ones(3, dtype=np.float64)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, [3.5, 5.0, 8.0])
    np.testing.assert_allclose((1 / x).data, [1.0, 0.5, 0.25])
    np.testing.assert_allclose((3 - x).data, [2.0, 1.0, -1.0])


@pytest.mark.parametrize("p", [2, 3, 0.5, -1.5])
def test_power_scalar(p):
    x = rng.uniform(0.5, 2.0, (2, 3))
    check_grad(lambda t: t**p, x)
    np.testing.assert_allclose((Tensor(x) ** p).data, (x**p).astype(np.float32), rtol=1e-6)


def test_power_tensor_exponent():
    check_grad(lambda a, b: a**b, rng.uniform(0.5, 2, (3,)), rng.uniform(-1, 2, (2, 3)))
    check_grad(lambda b: 2.0**b, rng.uniform(-1, 2, (4,)))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                                   ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                   ((4,), (2, 4, 3))])
def test_matmul(sa, sb):
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_allclose(ops.matmul(Tensor(a, dtype="float64"), b).data, a @ b)
    check_grad(ops.matmul, a, b)


def test_matmul_shape_errors_name_the_op():
    with pytest.raises(ValueError, match=r"matmul: cannot multiply shapes \(2, 3\) and \(4, 5\)"):
        ops.matmul(Tensor(np.zeros((2, 3))), Tensor(np.zeros((4, 5))))
    with pytest.raises(ValueError, match="matmul: operands must have at least one axis"):
        ops.matmul(Tensor(1.0), Tensor(np.zeros(3)))


def test_broadcast_error_names_the_op():
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\) do not broadcast"):
        Tensor(np.zeros(3)) + Tensor(np.zeros(4))


def test_int_and_object_arrays_are_refused():
    with pytest.raises(TypeError, match="expected a float array.*int64"):
        Tensor(np.arange(3))
    with pytest.raises(TypeError, match="matmul: expected a float array"):
        ops.matmul(np.ones((2, 2), dtype=np.int64), np.ones((2, 2), dtype=np.int64))
    with pytest.raises(TypeError, match="received dtype=object"):
        Tensor(np.array([object(), 1], dtype=object))
    with pytest.raises(TypeError, match="cannot make a float array from list"):
        Tensor([[1.0], "a"])


def test_nan_propagates():
    y = Tensor([np.nan, 1.0], requires_grad=True)
    z = (y * 2 + 1).sum()
    z.backward()
    assert np.isnan(z.item())
    np.testing.assert_array_equal(y.grad, [2.0, 2.0])


def test_neg_forward_and_gradient():
    x = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(ops.neg(Tensor(x, dtype="float64")).data, -x)
    np.testing.assert_array_equal((-Tensor(x, dtype="float64")).data, -x)
    check_grad(ops.neg, x)


def test_cast_gradient_in_float64():
    """float64 -> float32 -> float64: the gradient is the upstream one, cast back (checked
    against central differences with steps float32 can hold)."""
    x = rng.uniform(0.5, 2.0, (2, 3))
    check_grad(lambda t: ops.cast(ops.cast(t, "float32"), "float64") * t, x, eps=1e-3,
               atol=1e-5, rtol=1e-4)


def test_cast_round_trips_gradient_dtype():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = ops.cast(x, "float64")
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [2.0, 4.0])
