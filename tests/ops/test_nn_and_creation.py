"""lamina.ops.nn (conv, pooling, one_hot, cross-entropies, moments), creation and core ops."""

import numpy as np
import pytest

from lamina import Tensor, ops
from lamina.autograd import ops as engine
from tests.gradcheck import check_grad

rng = np.random.default_rng(13)


def test_conv_and_pooling_are_the_engine_ops_under_keras_names():
    x, k = rng.standard_normal((2, 5, 5, 2)), rng.standard_normal((3, 3, 2, 4))
    np.testing.assert_array_equal(ops.conv(Tensor(x), Tensor(k), padding="same").data,
                                  engine.conv2d(Tensor(x), Tensor(k), padding="same").data)
    x1, k1 = rng.standard_normal((2, 7, 3)), rng.standard_normal((2, 3, 4))
    np.testing.assert_array_equal(ops.conv(Tensor(x1), Tensor(k1), strides=2).data,
                                  engine.conv1d(Tensor(x1), Tensor(k1), strides=2).data)
    np.testing.assert_array_equal(ops.max_pool(Tensor(x), 2).data, engine.max_pool2d(
        Tensor(x), 2).data)
    np.testing.assert_array_equal(ops.average_pool(Tensor(x1), 2, 1).data,
                                  engine.avg_pool1d(Tensor(x1), 2, 1).data)
    check_grad(lambda a, b: ops.conv(a, b, padding="same"), x[:1, :4, :4], k)
    with pytest.raises(ValueError, match="received data_format='channels_first'"):
        ops.conv(Tensor(x), Tensor(k), data_format="channels_first")


def test_one_hot_puts_ones_on_the_label_axis():
    out = ops.one_hot(np.array([2, 0, 5]), 4)
    assert isinstance(out, Tensor) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(ops.one_hot([1, 0], 2, axis=0).data, [[0, 1], [1, 0]])
    assert ops.one_hot([1], 3, dtype="int32").dtype == np.int32


def test_cross_entropies_match_their_formulas_and_have_gradients():
    t = rng.uniform(0, 1, (3, 4))
    p = rng.uniform(0.05, 0.95, (3, 4))
    z = rng.standard_normal((3, 4))
    np.testing.assert_allclose(ops.binary_crossentropy(t, Tensor(p, dtype="float64")).data,
                               -(t * np.log(p) + (1 - t) * np.log(1 - p)), rtol=1e-12)
    np.testing.assert_allclose(
        ops.binary_crossentropy(t, Tensor(z, dtype="float64"), from_logits=True).data,
        -(t * np.log(1 / (1 + np.exp(-z))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-z)))),
        rtol=1e-10)
    onehot = np.eye(4)[[0, 3, 1]]
    q = p / p.sum(-1, keepdims=True)
    cce = ops.categorical_crossentropy(onehot, Tensor(p, dtype="float64")).data
    np.testing.assert_allclose(cce,
                               -(onehot * np.log(q)).sum(-1), rtol=1e-12)
    logq = z - np.log(np.exp(z).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        ops.sparse_categorical_crossentropy([0, 3, 1], Tensor(z, dtype="float64"),
                                            from_logits=True).data,
        -logq[[0, 1, 2], [0, 3, 1]], rtol=1e-12)
    check_grad(lambda a: ops.binary_crossentropy(t, a, from_logits=True), z)
    check_grad(lambda a: ops.categorical_crossentropy(onehot, a), p)
    check_grad(lambda a: ops.sparse_categorical_crossentropy([0, 3, 1], a, from_logits=True), z)


def test_moments_and_gelu_follow_keras_defaults():
    x = rng.standard_normal((4, 3))
    mean, var = ops.moments(Tensor(x, dtype="float64"), axes=[0])
    np.testing.assert_allclose(mean.data, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(var.data, x.var(0), rtol=1e-12)
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(ops.gelu(Tensor(x, dtype="float64")).data, tanh_form, rtol=1e-6)


def test_creation_ops_give_float_tensors_or_integer_arrays():
    z = ops.zeros((2, 3))
    assert isinstance(z, Tensor) and z.dtype == np.float32 and z.shape == (2, 3)
    assert ops.ones((2,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(ops.eye(3, k=1).data, np.eye(3, k=1))
    a = ops.arange(5)
    assert isinstance(a, np.ndarray) and a.dtype == np.int32 and a.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(ops.arange(0.0, 1.0, 0.25).data, [0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(ops.linspace(0, 1, 5).data, np.linspace(0, 1, 5), rtol=1e-7)
    assert ops.full_like(np.zeros((2, 2)), 7.0).data.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert ops.identity(2).data.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_core_conversions_and_stop_gradient():
    t = ops.convert_to_tensor([1.0, 2.0])
    assert isinstance(t, Tensor) and t.dtype == np.float32
    assert isinstance(ops.convert_to_tensor([1, 2]), np.ndarray)
    assert ops.convert_to_numpy(t).tolist() == [1.0, 2.0]
    assert ops.shape(t) == (2,) and ops.ndim(t) == 1 and ops.size(t) == 2
    w = Tensor([3.0], requires_grad=True)
    (ops.stop_gradient(w) * w).sum().backward()
    assert w.grad.tolist() == [3.0]  # only the second factor passes a gradient
    with pytest.raises(ValueError, match="no sparse or ragged tensors"):
        ops.convert_to_tensor([1.0], sparse=True)
