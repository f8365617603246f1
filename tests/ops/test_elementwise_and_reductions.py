"""lamina.ops against NumPy (the reference) in float64, and a central-difference gradient
check of every differentiable op (the gradient comes from the engine's ops)."""

import numpy as np
import pytest

from lamina import Tensor, ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(11)
X = rng.uniform(0.3, 0.9, (2, 3)) * np.array([[1, -1, 1], [-1, 1, 1]])  # away from 0 and +-1
Y = rng.uniform(0.5, 1.5, (3,))
POS = rng.uniform(0.5, 2.0, (2, 3))

UNARY = [  # (name, input, NumPy reference)
    ("abs", X, np.abs), ("absolute", X, np.abs), ("negative", X, np.negative),
    ("square", X, np.square), ("sqrt", POS, np.sqrt), ("rsqrt", POS, lambda a: 1 / np.sqrt(a)),
    ("reciprocal", POS, np.reciprocal), ("exp", X, np.exp), ("expm1", X, np.expm1),
    ("log", POS, np.log), ("log1p", X, np.log1p), ("log2", POS, np.log2),
    ("log10", POS, np.log10), ("sin", X, np.sin), ("cos", X, np.cos), ("tan", X, np.tan),
    ("arcsin", X, np.arcsin), ("arccos", X, np.arccos), ("arctan", X, np.arctan),
    ("sinh", X, np.sinh), ("cosh", X, np.cosh), ("tanh", X, np.tanh),
    ("relu", X, lambda a: np.maximum(a, 0)), ("sigmoid", X, lambda a: 1 / (1 + np.exp(-a))),
    ("softplus", X, lambda a: np.log1p(np.exp(a))), ("softsign", X, lambda a: a / (1 + abs(a))),
    ("silu", X, lambda a: a / (1 + np.exp(-a))), ("swish", X, lambda a: a / (1 + np.exp(-a))),
    ("relu6", X * 8, lambda a: np.clip(a, 0, 6)),
    ("elu", X, lambda a: np.where(a > 0, a, np.expm1(a))),
    ("leaky_relu", X, lambda a: np.where(a > 0, a, 0.2 * a)),
    ("hard_sigmoid", X, lambda a: np.clip(a + 3, 0, 6) / 6),
    ("softmax", X, lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
    ("log_softmax", X, lambda a: a - np.log(np.exp(a).sum(-1, keepdims=True))),
    ("ravel", X, np.ravel), ("transpose", X, np.transpose), ("flip", X, np.flip),
    ("sort", X, np.sort), ("diff", X, np.diff), ("tril", X, np.tril), ("triu", X, np.triu),
    ("diagonal", X, np.diagonal), ("diag", X[0], np.diag), ("copy", X, np.copy),
]

BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.divide), ("true_divide", np.divide), ("maximum", np.maximum),
    ("minimum", np.minimum), ("arctan2", np.arctan2), ("logaddexp", np.logaddexp),
    ("power", lambda a, b: np.power(np.abs(a), b)), ("mod", np.mod),
]

REDUCTIONS = [  # (name, kwargs, NumPy reference)
    ("sum", {"axis": 1}, lambda a: a.sum(1)), ("mean", {"axis": 0}, lambda a: a.mean(0)),
    ("max", {"axis": 1}, lambda a: a.max(1)), ("min", {}, np.min),
    ("var", {"axis": 1}, lambda a: a.var(1)), ("std", {}, np.std),
    ("prod", {"axis": 1}, lambda a: a.prod(1)), ("cumsum", {"axis": 1}, lambda a: a.cumsum(1)),
    ("logsumexp", {"axis": 1}, lambda a: np.log(np.exp(a).sum(1))),
    ("norm", {}, np.linalg.norm), ("norm", {"ord": 1, "axis": 1},
                                   lambda a: np.linalg.norm(a, 1, axis=1)),
    ("norm", {"ord": np.inf}, lambda a: np.linalg.norm(a, np.inf)),
    ("average", {"axis": 1, "weights": [1.0, 2.0, 3.0]},
     lambda a: np.average(a, 1, [1.0, 2.0, 3.0])),
    ("max", {"axis": 1, "initial": 0.5}, lambda a: np.max(a, 1, initial=0.5)),
]


@pytest.mark.parametrize("name,x,ref", UNARY, ids=[u[0] for u in UNARY])
def test_unary_op_matches_numpy_and_has_its_gradient(name, x, ref):
    op = getattr(ops, name)
    out = op(Tensor(x, dtype="float64"))
    assert isinstance(out, Tensor) and out.dtype == np.float64
    np.testing.assert_allclose(out.data, ref(x), rtol=1e-12, atol=1e-15)
    check_grad(op, x)


@pytest.mark.parametrize("name,ref", BINARY, ids=[b[0] for b in BINARY])
def test_binary_op_broadcasts_matches_numpy_and_has_its_gradient(name, ref):
    a = np.abs(X) if name == "power" else X
    op = getattr(ops, name)
    np.testing.assert_allclose(op(Tensor(a, dtype="float64"), Y).data, ref(a, Y), rtol=1e-12)
    check_grad(op, a, Y)


@pytest.mark.parametrize("name,kwargs,ref", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reduction_matches_numpy_and_has_its_gradient(name, kwargs, ref):
    op = getattr(ops, name)
    np.testing.assert_allclose(op(Tensor(X, dtype="float64"), **kwargs).data, ref(X),
                               rtol=1e-12)
    check_grad(lambda t: op(t, **kwargs), X)


def test_integer_inputs_stay_integer_arrays_as_in_numpy():
    a = np.array([[1, -2], [3, 4]])
    for name in ("add", "subtract", "multiply", "maximum", "minimum"):
        out = getattr(ops, name)(a, 2)
        assert isinstance(out, np.ndarray) and out.dtype.kind == "i"
    assert ops.sum(a).dtype.kind == "i" and int(ops.sum(a)) == 6
    assert ops.abs(a).tolist() == [[1, 2], [3, 4]]
    assert isinstance(ops.exp(a), Tensor)  # exp always gives floats: a float32 Tensor
    assert ops.exp(a).dtype == np.float32


def test_comparisons_orderings_and_rounding_have_no_gradient_and_match_numpy():
    t = Tensor(X, requires_grad=True)
    assert ops.equal(t, t).all() and not ops.not_equal(t, t).any()
    np.testing.assert_array_equal(ops.greater(t, 0.0), X > 0)
    np.testing.assert_array_equal(ops.argmax(t, axis=1), X.argmax(1))
    np.testing.assert_array_equal(ops.argsort(t), np.argsort(X.astype(np.float32), kind="stable"))
    assert not ops.floor(t).requires_grad
    np.testing.assert_array_equal(ops.round(Tensor([0.5, 1.5, 2.26]), 1).data,
                                  np.round(np.float32([0.5, 1.5, 2.26]), 1))
    np.testing.assert_array_equal(ops.logical_and(X > 0, Y > 1), np.logical_and(X > 0, Y > 1))
    assert ops.count_nonzero(np.array([0, 1, 2])) == 2
    np.testing.assert_array_equal(ops.isfinite(Tensor([1.0, np.inf])), [True, False])


def test_where_clip_and_cast_send_the_gradient_where_keras_does():
    t = Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    ops.sum(ops.where(t.data > 0, t, ops.square(t)) + ops.clip(t, 0.0, 1.0)).backward()
    np.testing.assert_array_equal(t.grad, [-2.0 + 0.0, 1.0 + 1.0, 1.0 + 0.0])
    assert ops.cast(Tensor([1.7, -1.2]), "int32").tolist() == [1, -1]
    assert ops.cast(t, "float64").dtype == np.float64
    np.testing.assert_array_equal(ops.where([True, False]), (np.array([0]),))
    with pytest.raises(ValueError, match="give both x1 and x2"):
        ops.where([True], x1=1.0)
