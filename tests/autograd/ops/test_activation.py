import math
import warnings

import numpy as np
import pytest
from scipy import special

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops.activation import ACTIVATIONS, SELU_ALPHA, SELU_SCALE, get
from tests.gradcheck import check_grad

rng = np.random.default_rng(3)


def _away_from_kinks(shape, kinks=(0.0,), low=-4.0, high=4.0):
    """Random values that stay 0.05 away from every kink (central differences use 1e-6)."""
    x = rng.uniform(low, high, shape)
    for k in kinks:
        near = np.abs(x - k) < 0.05
        x = np.where(near, k + 0.1 * np.where(x >= k, 1, -1), x)
    return x


# Independent references: plain NumPy / SciPy / math formulas.
def _elu(x, a=1.0):
    return np.where(x > 0, x, a * (np.exp(np.minimum(x, 0)) - 1))


REFERENCES = {
    "sigmoid": (ops.sigmoid, special.expit, ()),
    "tanh": (ops.tanh, np.tanh, ()),
    "relu": (ops.relu, lambda x: np.where(x > 0, x, 0.0), (0.0,)),
    "leaky_relu": (ops.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), (0.0,)),
    "elu": (ops.elu, _elu, (0.0,)),
    "selu": (ops.selu, lambda x: 1.0507009873554805 * _elu(x, 1.6732632423543772), (0.0,)),
    "softplus": (ops.softplus, lambda x: np.log(1 + np.exp(x)), ()),
    "gelu": (ops.gelu, lambda x: x * 0.5 * (1 + special.erf(x / math.sqrt(2))), ()),
    "gelu_tanh": (lambda t: ops.gelu(t, approximate=True),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
                  ()),
    "silu": (ops.silu, lambda x: x / (1 + np.exp(-x)), ()),
    "hard_sigmoid": (ops.hard_sigmoid, lambda x: np.minimum(np.maximum(x + 3, 0), 6) / 6,
                     (-3.0, 3.0)),
}

SHAPES = [(), (5,), (3, 4), (2, 3, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_elementwise_forward_and_gradient(name, shape):
    op, ref, kinks = REFERENCES[name]
    x = _away_from_kinks(shape, kinks)
    np.testing.assert_allclose(op(Tensor(x, dtype="float64")).data, ref(x), rtol=1e-12,
                               atol=1e-14)
    check_grad(op, x)


@pytest.mark.parametrize("name", sorted(REFERENCES) + ["softmax", "log_softmax", "heaviside"])
def test_float32_stays_float32_and_nan_propagates(name):
    op = REFERENCES[name][0] if name in REFERENCES else getattr(ops, name)
    x = Tensor(np.array([[-2.0, np.nan, 0.5], [1.0, 2.0, 3.0]], dtype=np.float32),
               requires_grad=True)
    out = op(x)
    assert out.dtype == np.float32
    assert np.isnan(out.data[0, 1])
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32
    assert np.all(np.isfinite(out.data[1])) and np.all(np.isfinite(x.grad[1]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_give_exact_limits_without_warnings(dtype):
    x = np.array([-1e30, -1000.0, -100.0, 100.0, 1000.0, 1e30], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        outs = {}
        for name in ["sigmoid", "tanh", "softplus", "elu", "selu", "gelu", "silu",
                     "hard_sigmoid", "relu", "leaky_relu"]:
            t = Tensor(x, requires_grad=True)
            out = getattr(ops, name)(t)
            out.backward(np.ones(x.shape, dtype=dtype))
            assert np.all(np.isfinite(t.grad)), name
            outs[name] = out.data
        gelu_tanh = ops.gelu(Tensor(x), approximate=True).data
    np.testing.assert_allclose(outs["sigmoid"], special.expit(x.astype(np.float64)), rtol=1e-6,
                               atol=1e-43)  # float32 denormals near 1e-44
    assert outs["sigmoid"][[0, 1, 3, 4, 5]].tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]  # exact limits
    np.testing.assert_array_equal(outs["softplus"][[0, 1, 4, 5]], x[[0, 1, 4, 5]].clip(0))
    np.testing.assert_array_equal(outs["gelu"][[0, 1, 4, 5]], x[[0, 1, 4, 5]].clip(0))
    np.testing.assert_array_equal(gelu_tanh[[0, 1, 4, 5]], x[[0, 1, 4, 5]].clip(0))
    np.testing.assert_array_equal(outs["elu"][:2], [-1.0, -1.0])
    np.testing.assert_allclose(outs["selu"][:2], [-SELU_SCALE * SELU_ALPHA] * 2, rtol=1e-6)


def test_sigmoid_and_softplus_keep_precision_in_the_tails():
    x = np.array([-40.0, -20.0, 20.0, 40.0])
    np.testing.assert_allclose(ops.sigmoid(Tensor(x, dtype="float64")).data, special.expit(x),
                               rtol=1e-14)
    np.testing.assert_allclose(ops.softplus(Tensor(x, dtype="float64")).data,
                               np.logaddexp(0, x), rtol=1e-14)
    t = Tensor(x, requires_grad=True, dtype="float64")
    ops.softplus(t).sum().backward()
    np.testing.assert_allclose(t.grad, special.expit(x), rtol=1e-12)  # softplus' = sigmoid


def test_gelu_exact_matches_scipy_erf_over_a_wide_range():
    x = np.concatenate([np.linspace(-40, 40, 2001), [-1.0, -8.0, 1.0, 8.0]])  # branch edges
    want = x * special.ndtr(x)
    got = ops.gelu(Tensor(x, dtype="float64")).data
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300)
    approx = ops.gelu(Tensor(x, dtype="float64"), approximate=True).data
    assert 1e-4 < np.max(np.abs(approx - want)) < 5e-4  # the tanh form is an approximation


def test_heaviside_steps_and_has_zero_gradient():
    x = Tensor([-2.0, -1e-8, 0.0, 1e-8, 3.0], requires_grad=True)
    out = ops.heaviside(x)
    np.testing.assert_array_equal(out.data, [0, 0, 1, 1, 1])  # 1 for x >= 0
    np.testing.assert_array_equal(ops.heaviside(x, value_at_zero=0.0).data, [0, 0, 0, 1, 1])
    (out * Tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(5))
    assert x.grad.dtype == np.float32
    assert ops.heaviside(Tensor(np.zeros((2, 3)))).shape == (2, 3)
    check_grad(ops.heaviside, np.array([-2.0, -0.5, 0.5, 3.0]))  # float64, off the step


def test_perceptron_with_heaviside_computes_logical_or():
    # The lecture's OR neuron: y = H(1 x0 + 1 x1 - 0.5)
    x = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = ops.heaviside(ops.matmul(x, Tensor([1.0, 1.0])) - 0.5)
    np.testing.assert_array_equal(y.data, [0, 1, 1, 1])


def test_relu_family_values_and_kink_gradients():
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    ops.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 1])  # 0 at the kink, as Keras
    np.testing.assert_allclose(ops.leaky_relu(x).data, [-0.4, 0, 3])  # Keras default 0.2
    np.testing.assert_allclose(ops.leaky_relu(x, negative_slope=0.01).data, [-0.02, 0, 3])
    x.grad = None
    ops.leaky_relu(x, negative_slope=0.1).sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 0.1, 1])
    np.testing.assert_allclose(ops.elu(x, alpha=2.0).data, [2 * (np.exp(-2) - 1), 0, 3],
                               rtol=1e-6)
    np.testing.assert_allclose(ops.hard_sigmoid(Tensor([-4.0, -3.0, 0.0, 1.5, 3.0, 9.0])).data,
                               [0, 0, 0.5, 0.75, 1, 1])
    check_grad(lambda t: ops.elu(t, alpha=0.7), _away_from_kinks((6,)))
    check_grad(lambda t: ops.leaky_relu(t, negative_slope=0.3), _away_from_kinks((6,)))


@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1),
                                        ((2, 3, 4), (1, 2)), ((1, 1), -1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_forward_and_gradient(name, shape, axis):
    x = rng.standard_normal(shape) * 3
    op = getattr(ops, name)
    want = getattr(special, name)(x, axis=axis)
    np.testing.assert_allclose(op(Tensor(x, dtype="float64"), axis=axis).data, want, rtol=1e-12,
                               atol=1e-15)
    check_grad(lambda t: op(t, axis=axis), x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_huge_logits(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        t = Tensor(x, requires_grad=True)
        s = ops.softmax(t)
        (s * Tensor(np.arange(9, dtype=dtype).reshape(3, 3))).sum().backward()
        u = Tensor(x, requires_grad=True)
        ls = ops.log_softmax(u)
        (ls * Tensor(np.arange(9, dtype=dtype).reshape(3, 3))).sum().backward()
    np.testing.assert_allclose(s.data, [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], rtol=1e-6)
    np.testing.assert_allclose(ls.data, special.log_softmax(x.astype(np.float64), axis=-1),
                               rtol=1e-6)
    assert np.all(np.isfinite(t.grad)) and np.all(np.isfinite(u.grad))
    assert ls.data[0, 1] == -2e4  # finite where softmax underflows to 0


def test_softmax_rejects_bad_axis_and_scalars():
    with pytest.raises(ValueError, match=r"softmax: axis=2 is out of range for an input with 2"):
        ops.softmax(Tensor(np.ones((2, 3))), axis=2)
    with pytest.raises(ValueError, match="log_softmax: expected an input with at least one axis"):
        ops.log_softmax(Tensor(1.0))
    assert ops.softmax(Tensor(np.ones((0, 3)))).shape == (0, 3)


def test_bad_parameters_name_the_op_and_argument():
    x = Tensor([1.0])
    with pytest.raises(ValueError, match=r"leaky_relu: negative_slope must be a real number >= 0;"
                                         r" received negative_slope=-0.1"):
        ops.leaky_relu(x, negative_slope=-0.1)
    with pytest.raises(ValueError, match=r"elu: alpha must be a real number; received alpha='1'"):
        ops.elu(x, alpha="1")
    with pytest.raises(TypeError, match="sigmoid: expected a float array"):
        ops.sigmoid(np.array([1, 2]))


def test_numpy_scalar_parameters_do_not_upcast_float32():
    x = Tensor([-1.0, 2.0])
    assert ops.leaky_relu(x, negative_slope=np.float64(0.1)).dtype == np.float32
    assert ops.elu(x, alpha=np.float64(0.5)).dtype == np.float32


def test_activation_by_name_resolves_keras_names():
    x = Tensor([-1.0, 0.5, 2.0])
    for name in ["relu", "sigmoid", "softmax", "tanh", "elu", "selu", "softplus", "gelu",
                 "silu", "swish", "hard_sigmoid", "leaky_relu", "log_softmax"]:
        np.testing.assert_array_equal(ops.activation_by_name(name)(x).data,
                                      getattr(ops, name)(x).data)
    assert ops.activation_by_name("linear")(x) is x
    assert ops.activation_by_name(None)(x) is x
    assert get is ops.activation_by_name
    assert ops.activation_by_name(np.tanh) is np.tanh  # callables pass through
    assert {"linear", "relu", "sigmoid", "softmax", "tanh"} <= set(ACTIVATIONS)
    assert "get" not in ops.activation.__all__


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown activation 'ReLu' \(did you mean 'relu'\?\); "
                                         r"valid names are elu, gelu, .*softmax"):
        ops.activation_by_name("ReLu")
    with pytest.raises(TypeError, match="activation_by_name: expected an activation name"):
        ops.activation_by_name(3)


def test_tensor_methods_use_these_ops():
    x = Tensor([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(x.relu().data, [0, 0, 2])
    np.testing.assert_allclose(x.sigmoid().data, special.expit([-1.0, 0.0, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(x.tanh().data, np.tanh([-1.0, 0.0, 2.0]), rtol=1e-6)
