import numpy as np
import pytest

import lamina.layers
from lamina.autograd import Tensor
from lamina.layers.activations import ELU, LeakyReLU, ReLU, Softmax
from lamina.random import set_random_seed
from tests.layers.harness import run_layer_test


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in (ReLU, LeakyReLU, ELU, Softmax):
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)
    set_random_seed(0)


def relu_reference(x, max_value=None, negative_slope=0.0, threshold=0.0):
    """Keras's formula, one element at a time (the threshold cast to x's dtype, as Keras)."""
    t = x.dtype.type(threshold)

    def one(v):
        if v > t:
            return float(v) if max_value is None else min(float(v), max_value)
        return negative_slope * (float(v) - threshold)
    return np.vectorize(one, otypes=["float64"])(x)


def softmax_reference(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (ReLU, {}, (4, 5)),
    (ReLU, {"max_value": 6.0}, (4, 5)),
    (ReLU, {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.5}, (3, 2, 4)),
    (LeakyReLU, {}, (4, 5)),
    (LeakyReLU, {"negative_slope": 0.1}, (4, 5)),
    (ELU, {}, (4, 5)),
    (ELU, {"alpha": 0.5}, (2, 3, 3)),
    (Softmax, {}, (4, 5)),
    (Softmax, {"axis": 1}, (3, 4, 5)),
    (Softmax, {"axis": [1, 2]}, (3, 4, 5)),
])
def test_shared_layer_test(cls, kwargs, shape, tmp_path):
    run_layer_test(cls, kwargs, shape, shape, 0, tmp_path=tmp_path)


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 6.0}, {"negative_slope": 0.2}, {"threshold": 0.7},
    {"max_value": 1.5, "negative_slope": 0.3, "threshold": 0.4},
    {"max_value": 0.0}, {"negative_slope": 0.5, "max_value": 2.0},
])
def test_relu_matches_the_keras_formula(kwargs):
    x = np.linspace(-3, 3, 61, dtype="float32").reshape(1, -1)
    out = ReLU(**kwargs)(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, relu_reference(x, **kwargs), rtol=1e-6, atol=1e-7)


def test_relu_keras_doc_examples():
    x = np.array([-10, -5, 0.0, 5, 10], "float32")
    np.testing.assert_allclose(ReLU(max_value=10, negative_slope=0.5)(x).data,
                               [-5.0, -2.5, 0.0, 5.0, 10.0])
    np.testing.assert_allclose(ReLU(threshold=5.0)(x).data, [0.0, 0.0, 0.0, 0.0, 10.0])
    np.testing.assert_allclose(ReLU(max_value=5.0)(x).data, [0.0, 0.0, 0.0, 5.0, 5.0])


def test_relu_gradient():
    x = Tensor([[-2.0, 0.2, 0.8, 1.4, 3.0]], requires_grad=True)
    ReLU(max_value=1.2, negative_slope=0.25, threshold=0.5)(x).sum().backward()
    # leak below the threshold, identity between threshold and cap, flat above the cap
    np.testing.assert_allclose(x.grad, [[0.25, 0.25, 1.0, 0.0, 0.0]])


def test_leaky_relu_elu_softmax_numbers():
    x = np.random.default_rng(0).standard_normal((3, 4, 5)).astype("float32")
    np.testing.assert_allclose(LeakyReLU()(x).data, np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(LeakyReLU(0.05)(x).data, np.where(x > 0, x, 0.05 * x), rtol=1e-6)
    np.testing.assert_allclose(ELU(0.7)(x).data, np.where(x > 0, x, 0.7 * np.expm1(x)),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(Softmax()(x).data, softmax_reference(x, -1), rtol=1e-5)
    np.testing.assert_allclose(Softmax(axis=1)(x).data, softmax_reference(x, 1), rtol=1e-5)
    out = Softmax(axis=[1, 2])(x).data
    np.testing.assert_allclose(out, softmax_reference(x, (1, 2)), rtol=1e-5)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), 1.0, rtol=1e-5)


def test_defaults_and_configs():
    assert LeakyReLU().negative_slope == 0.3  # the Keras 3 layer's default
    assert ELU().alpha == 1.0 and Softmax().axis == -1
    config = ReLU(max_value=6.0).get_config()
    assert {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}.items() <= config.items()
    assert Softmax(axis=(1, 2)).get_config()["axis"] == [1, 2]
    for layer in (ReLU(6.0, 0.1, 0.2), LeakyReLU(0.1), ELU(0.5), Softmax(axis=1)):
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


def test_keras2_alpha_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="use `negative_slope`"):
        assert LeakyReLU(alpha=0.1).negative_slope == 0.1


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"ReLU: max_value cannot be a negative value; expected "
                                         r"a float >= 0. Received: max_value=-1"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="ReLU: negative_slope cannot be None or a negative "
                                         "value.*Received: negative_slope=-0.1"):
        ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="ReLU: threshold cannot be None or a negative value.*"
                                         "Received: threshold=None"):
        ReLU(threshold=None)
    with pytest.raises(ValueError, match="LeakyReLU: negative_slope cannot be None or a "
                                         "negative value.*Received: negative_slope=-1"):
        LeakyReLU(-1)
    with pytest.raises(ValueError, match="ELU: alpha must be a finite float; received "
                                         "alpha='x'"):
        ELU("x")
    with pytest.raises(TypeError, match="Softmax: expected an int or a list of ints for the "
                                        "argument `axis`; received axis=1.5"):
        Softmax(axis=1.5)
    with pytest.raises(ValueError, match="softmax: axis"):
        Softmax(axis=3)(np.ones((2, 3), "float32"))
