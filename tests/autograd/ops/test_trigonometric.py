import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(5)

UNARY = [  # (op, numpy reference, inputs away from the edges of the domain)
    (ops.sin, np.sin, lambda s: rng.uniform(-4.0, 4.0, s)),
    (ops.cos, np.cos, lambda s: rng.uniform(-4.0, 4.0, s)),
    (ops.arcsin, np.arcsin, lambda s: rng.uniform(-0.9, 0.9, s)),
    (ops.arctan, np.arctan, lambda s: rng.uniform(-3.0, 3.0, s)),
]


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
@pytest.mark.parametrize("op,ref,make", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_forward_and_gradient(op, ref, make, shape):
    x = make(shape)
    np.testing.assert_allclose(op(Tensor(x, dtype="float64")).data, ref(x), rtol=1e-12)
    check_grad(op, x)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4))])
def test_arctan2_matches_numpy_and_broadcasts_its_gradient(shapes):
    a, b = rng.uniform(0.3, 2.0, shapes[0]), rng.uniform(-2.0, 2.0, shapes[1])
    np.testing.assert_allclose(ops.arctan2(Tensor(a, dtype="float64"), b).data,
                               np.arctan2(a, b), rtol=1e-12)
    check_grad(ops.arctan2, a, b)


def test_hand_computed_gradients_and_float32_kept():
    x = Tensor([0.0, np.pi / 2], requires_grad=True, dtype="float64")
    (ops.sin(x) + ops.cos(x)).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, -1.0], atol=1e-15)  # cos - sin
    y = Tensor([1.0], requires_grad=True)
    ops.arctan(y).sum().backward()
    assert y.grad.dtype == np.float32 and y.grad[0] == np.float32(0.5)  # 1 / (1 + 1)
    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    ops.arctan2(a, b).sum().backward()  # the angle of (1, 1): d/da = 1/2, d/db = -1/2
    np.testing.assert_array_equal([a.grad[0], b.grad[0]], [0.5, -0.5])
