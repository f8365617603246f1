import warnings

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(2)

SHAPES = [(), (5,), (2, 3), (2, 3, 4)]
BROADCAST_SHAPES = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((4, 1), (1, 5))]


def away_from_zero(shape, low=0.3, high=2.0):
    """Random values with |x| in [low, high] and random signs (no kinks at 0)."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


UNARY = [  # (op, numpy reference, input generator)
    (ops.exp, np.exp, lambda s: rng.standard_normal(s)),
    (ops.log, np.log, lambda s: rng.uniform(0.2, 3.0, s)),
    (ops.sqrt, np.sqrt, lambda s: rng.uniform(0.2, 3.0, s)),
    (ops.abs, np.abs, away_from_zero),
    (ops.square, np.square, lambda s: rng.standard_normal(s)),
    (ops.log1p, np.log1p, lambda s: rng.uniform(-0.5, 3.0, s)),
    (ops.expm1, np.expm1, lambda s: rng.standard_normal(s)),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op,ref,make", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_forward_and_gradient(op, ref, make, shape):
    x = make(shape)
    np.testing.assert_allclose(op(Tensor(x, dtype="float64")).data, ref(x), rtol=1e-12)
    check_grad(op, x)


@pytest.mark.parametrize("op,ref,make", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_keeps_float32_and_methods_match(op, ref, make):
    x = make((3, 2)).astype(np.float32)
    y = op(Tensor(x))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, ref(x), rtol=1e-6)
    t = Tensor(x, requires_grad=True)
    op(t).sum().backward()
    assert t.grad.dtype == np.float32
    if op not in (ops.square, ops.log1p, ops.expm1):
        np.testing.assert_array_equal(getattr(Tensor(x), op.__name__)().data, y.data)


def test_hand_computed_gradients():
    x = Tensor([0.0, 1.0, 4.0], requires_grad=True, dtype="float64")
    (ops.exp(x) + ops.square(x)).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, np.e + 2.0, np.exp(4.0) + 8.0])
    x = Tensor([0.5, 1.0, 4.0], requires_grad=True)
    (ops.log(x) + ops.sqrt(x)).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0 + 1 / (2 * 0.5**0.5), 1.5, 0.25 + 0.25], rtol=1e-6)


def test_abs_gradient_at_zero_is_zero_and_sqrt_at_zero_is_inf_without_warning():
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    ops.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])
    z = Tensor([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ops.sqrt(z).sum().backward()
    np.testing.assert_array_equal(z.grad, [np.inf, 0.25])


def test_nan_propagates_without_crashing():
    x = Tensor([np.nan, 1.0], requires_grad=True)
    for op in (ops.exp, ops.log, ops.sqrt, ops.abs, ops.square):
        y = op(x)
        assert np.isnan(y.data[0]) and not np.isnan(y.data[1])
        y.sum().backward()
    assert np.isnan(ops.clip(x, 0.0, 0.5).data[0])
    assert np.isnan(ops.maximum(x, 0.0).data[0]) and np.isnan(ops.minimum(0.0, x).data[0])


def test_inference_records_nothing():
    y = ops.exp(Tensor([1.0]))
    assert y._ctx is None and not y.requires_grad


# ----------------------------------------------------------------------------- clip
CLIP_BOUNDS = [(-0.5, 0.5), (None, 0.2), (-0.2, None), (0, 1)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lo,hi", CLIP_BOUNDS)
def test_clip_forward_and_gradient(shape, lo, hi):
    x = rng.standard_normal(shape)
    for bound in (lo, hi):  # keep entries away from the kinks for finite differences
        if bound is not None:
            x = np.where(np.abs(x - bound) < 1e-3, bound + 0.1, x)
    np.testing.assert_allclose(ops.clip(Tensor(x), lo, hi).data, np.clip(x, lo, hi))
    (g,) = check_grad(lambda t: ops.clip(t, lo, hi), x)
    inside = np.ones(shape, bool)
    if lo is not None:
        inside &= x >= lo
    if hi is not None:
        inside &= x <= hi
    np.testing.assert_array_equal(g == 0, ~inside)


def test_clip_boundary_gradient_is_one_and_outside_zero():
    x = Tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    y = x.clip(0.0, 1.0)
    np.testing.assert_array_equal(y.data, [0.0, 0.0, 0.5, 1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_array_and_tensor_bounds_keep_float32():
    x = rng.standard_normal((3, 4)).astype(np.float32)
    lo = np.full(4, -0.5)  # float64 bounds must not upcast
    hi = Tensor(np.full((3, 1), 0.5))
    y = ops.clip(Tensor(x), lo, hi)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, np.clip(x, -0.5, 0.5))
    assert ops.clip(Tensor(x), np.float64(0.1)).dtype == np.float32
    check_grad(lambda t: ops.clip(t, lo, None), rng.uniform(0.2, 1.0, (3, 4)) * [1, -1, 1, -1])


def test_clip_errors():
    with pytest.raises(ValueError, match="clip: at least one of min and max must be given"):
        ops.clip(Tensor([1.0]))
    with pytest.raises(TypeError, match=r"clip: min must be a number.*received min='a'"):
        ops.clip(Tensor([1.0]), "a")
    with pytest.raises(TypeError, match=r"clip: max must be a number.*received max=\['a'\]"):
        ops.clip(Tensor([1.0]), None, ["a"])
    with pytest.raises(ValueError, match=r"clip: the bounds .* do not broadcast against the input "
                                         r"of shape \(3,\)"):
        ops.clip(Tensor([1.0, 2.0, 3.0]), np.zeros(2), 1.0)


# ------------------------------------------------------------------- maximum, minimum
@pytest.mark.parametrize("sa,sb", BROADCAST_SHAPES)
@pytest.mark.parametrize("op,ref", [(ops.maximum, np.maximum), (ops.minimum, np.minimum)])
def test_maximum_minimum_forward_and_gradient(op, ref, sa, sb):
    values = rng.permutation(int(np.prod(sa)) + int(np.prod(sb))) * 0.1  # distinct: no ties
    a, b = values[:int(np.prod(sa))].reshape(sa), values[int(np.prod(sa)):].reshape(sb)
    np.testing.assert_allclose(op(Tensor(a, dtype="float64"), b).data, ref(a, b))
    check_grad(op, a, b)


@pytest.mark.parametrize("op", [ops.maximum, ops.minimum])
def test_ties_split_the_gradient_half_half(op):
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([2.0, 2.0, 2.0], requires_grad=True)
    op(a, b).sum().backward()
    if op is ops.maximum:
        np.testing.assert_array_equal(a.grad, [0.0, 0.5, 1.0])
        np.testing.assert_array_equal(b.grad, [1.0, 0.5, 0.0])
    else:
        np.testing.assert_array_equal(a.grad, [1.0, 0.5, 0.0])
        np.testing.assert_array_equal(b.grad, [0.0, 0.5, 1.0])
    c = Tensor([2.0, 1.0, 2.0], requires_grad=True)  # a broadcast scalar tied twice
    op(c, Tensor(2.0)).sum().backward()
    np.testing.assert_array_equal(c.grad, [0.5, 1.0 * (op is ops.minimum), 0.5])


def test_maximum_with_numbers_keeps_dtype_and_names_broadcast_errors():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = ops.maximum(x, 0)  # relu
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])
    assert ops.minimum(0.5, Tensor(np.ones(2))).dtype == np.float64
    with pytest.raises(ValueError, match=r"minimum: shapes \(3,\) and \(2,\) do not broadcast"):
        ops.minimum(Tensor(np.zeros(3)), np.zeros(2))


# ----------------------------------------------------------------------------- where
WHERE_SHAPES = [((4,), (4,), (4,)), ((2, 3), (3,), ()), ((2, 1), (3,), (2, 3)),
                ((2, 3, 4), (1, 4), (3, 1))]


@pytest.mark.parametrize("sc,sa,sb", WHERE_SHAPES)
def test_where_forward_and_gradient(sc, sa, sb):
    cond = rng.random(sc) > 0.5
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_allclose(ops.where(cond, Tensor(a), b).data, np.where(cond, a, b))
    ga, gb = check_grad(lambda s, t: ops.where(cond, s, t), a, b)
    if sa == sb == sc:
        np.testing.assert_array_equal(ga == 0, ~cond)
        np.testing.assert_array_equal(gb == 0, cond)


def test_where_with_tensor_condition_numbers_and_one_sided_gradient():
    x = Tensor([-1.0, 2.0, 0.0], requires_grad=True)
    y = ops.where(x > 0, x, 0.0)
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
    out = ops.where(Tensor([1.0, 0.0]), 3.0, Tensor([5.0, 6.0]))
    np.testing.assert_array_equal(out.data, [3.0, 6.0])
    np.testing.assert_array_equal(ops.where([True, False], 1.0, 2.0).data, [1.0, 2.0])


def test_where_gradient_reduces_over_a_broadcast_condition():
    a = Tensor(1.0, requires_grad=True)
    b = Tensor([2.0], requires_grad=True)
    ops.where(np.array([True, False, True]), a, b).sum().backward()
    assert a.grad == 2.0 and b.grad.tolist() == [1.0]


def test_where_errors():
    with pytest.raises(ValueError, match=r"where: shapes \(3,\) \(condition\), \(2,\) \(a\)"):
        ops.where(np.ones(3, bool), Tensor(np.zeros(2)), 0.0)
    with pytest.raises(TypeError, match="where: condition must be a boolean array.*dtype=object"):
        ops.where(None, Tensor([1.0]), 0.0)
