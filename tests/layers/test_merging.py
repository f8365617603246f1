import numpy as np
import pytest

import lamina.layers
from lamina.autograd import Tensor
from lamina.layers import Dense, Input
from lamina.layers.merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    concatenate,
    maximum,
)
from lamina.models import Model, load_model
from lamina.optimizers import SGD
from lamina.random import set_random_seed

CLASSES = (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate)
REFERENCE = {Add: lambda xs: sum(xs), Subtract: lambda xs: xs[0] - xs[1],
             Multiply: lambda xs: np.prod(np.broadcast_arrays(*xs), axis=0),
             Average: lambda xs: sum(xs) / len(xs),
             Maximum: lambda xs: np.maximum.reduce(np.broadcast_arrays(*xs)),
             Minimum: lambda xs: np.minimum.reduce(np.broadcast_arrays(*xs))}


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports these)."""
    for cls in CLASSES:
        monkeypatch.setattr(lamina.layers, cls.__name__, cls, raising=False)
    set_random_seed(0)


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _two_input_model(merge):
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    h = Dense(4, activation="tanh", name="h")(b)
    return Model(inputs=[a, b], outputs=Dense(2, name="out")(merge([a, h])))


@pytest.mark.parametrize("cls,kwargs", [(Add, {}), (Subtract, {}), (Multiply, {}),
                                        (Average, {}), (Maximum, {}), (Minimum, {}),
                                        (Concatenate, {"axis": -1})])
def test_functional_model_predicts_trains_and_reloads(cls, kwargs, tmp_path):
    """The shared test for list-input layers: shapes, numbers, a training step, save/load."""
    merge = cls(**kwargs)
    model = _two_input_model(merge)
    a, b = _data(8, 4, seed=1), _data(8, 4, seed=2)
    h_layer, out_layer = model.get_layer("h"), model.get_layer("out")
    h = np.tanh(b @ h_layer.kernel.data + h_layer.bias.data)
    merged = np.concatenate([a, h], -1) if cls is Concatenate else REFERENCE[cls]([a, h])
    expected = merged @ out_layer.kernel.data + out_layer.bias.data
    np.testing.assert_allclose(model.predict([a, b], verbose=0), expected, rtol=1e-5, atol=1e-5)
    assert merge.compute_output_shape([(None, 4), (None, 4)]) == \
        ((None, 8) if cls is Concatenate else (None, 4))

    config = merge.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config

    model.compile(optimizer=SGD(learning_rate=0.05), loss="mse")
    target = _data(8, 2, seed=3)
    path = tmp_path / "merged.lamina"
    model.save(path)
    np.testing.assert_allclose(load_model(path).predict([a, b], verbose=0),
                               model.predict([a, b], verbose=0), rtol=1e-6)
    before = model.evaluate([a, b], target, verbose=0)
    model.train_on_batch([a, b], target)
    assert model.evaluate([a, b], target, verbose=0) < before


@pytest.mark.parametrize("cls", [Add, Multiply, Average, Maximum, Minimum])
def test_elementwise_numbers_three_inputs_and_broadcasting(cls):
    xs = [_data(3, 4, seed=i) for i in range(3)]
    np.testing.assert_allclose(cls()(xs).data, REFERENCE[cls](xs), rtol=1e-6)
    ys = [_data(3, 4, seed=4), _data(3, 1, seed=5)]  # a size-1 axis broadcasts
    out = cls()(ys)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out.data, REFERENCE[cls](ys), rtol=1e-6)
    assert cls().compute_output_shape([(None, 3, 1), (None, 1, 5)]) == (None, 3, 5)


def test_subtract_numbers_and_gradients():
    a = Tensor(_data(2, 3, seed=1), requires_grad=True)
    b = Tensor(_data(2, 3, seed=2), requires_grad=True)
    out = Subtract()([a, b])
    np.testing.assert_allclose(out.data, a.data - b.data)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.ones((2, 3)))
    np.testing.assert_array_equal(b.grad, -np.ones((2, 3)))


def test_average_and_maximum_gradients():
    a = Tensor([[1.0, 5.0]], requires_grad=True)
    b = Tensor([[3.0, 2.0]], requires_grad=True)
    Average()([a, b]).sum().backward()
    np.testing.assert_allclose(a.grad, [[0.5, 0.5]])
    a.grad = b.grad = None
    Maximum()([a, b]).sum().backward()
    np.testing.assert_array_equal(a.grad, [[0.0, 1.0]])
    np.testing.assert_array_equal(b.grad, [[1.0, 0.0]])


def test_concatenate_numbers_axes_and_shapes():
    a, b = _data(2, 3, 4, seed=1), _data(2, 5, 4, seed=2)
    np.testing.assert_array_equal(Concatenate(axis=1)([a, b]).data, np.concatenate([a, b], 1))
    c = _data(2, 3, 1, seed=3)
    np.testing.assert_array_equal(Concatenate()([a, c]).data, np.concatenate([a, c], -1))
    layer = Concatenate(axis=1)
    assert layer.compute_output_shape([(None, 3, 4), (None, 5, 4)]) == (None, 8, 4)
    assert layer.compute_output_shape([(None, None, 4), (None, 5, 4)]) == (None, None, 4)
    assert layer.get_config()["axis"] == 1
    x = Tensor(a, requires_grad=True)
    (Concatenate(axis=1)([x, b]) * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(a.shape, 2.0))


def test_lower_case_functions():
    a, b = _data(2, 3, seed=1), _data(2, 3, seed=2)
    np.testing.assert_allclose(add([a, b]).data, a + b)
    np.testing.assert_allclose(maximum([a, b]).data, np.maximum(a, b))
    assert concatenate([a, b], axis=0).shape == (4, 3)
    x, y = Input(shape=(3,)), Input(shape=(2,))
    assert concatenate([x, y]).shape == (None, 5)


def test_errors_speak_keras():
    a, b = np.ones((2, 3), "float32"), np.ones((2, 4), "float32")
    with pytest.raises(ValueError, match=r"A merge layer \(Add 'add\w*'\) should be called on a "
                                         r"list of inputs. Received: input_shape=\(2, 3\)"):
        Add()(a)
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes. Received shapes "
                                         r"\(2, 3\) and \(2, 4\)"):
        Add()([a, b])
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes. Received shapes "
                                         r"\(None, 3\) and \(None, 4\)"):
        Multiply()([Input(shape=(3,)), Input(shape=(4,))])  # caught when building the graph
    with pytest.raises(ValueError, match="same number of axes"):
        Add()([a, np.ones((2, 3, 1), "float32")])
    with pytest.raises(ValueError, match=r"A `Subtract` layer should be called on exactly 2 "
                                         r"inputs. Received: input_shape=\[\(2, 3\), \(2, 3\), "
                                         r"\(2, 3\)\]"):
        Subtract()([a, a, a])
    with pytest.raises(ValueError, match="A `Concatenate` layer requires inputs with matching "
                                         "shapes except for the concatenation axis"):
        Concatenate(axis=0)([a, b])
    with pytest.raises(ValueError, match="axis=2 is out of range for inputs with 2 axes"):
        Concatenate(axis=2)([a, b])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        Concatenate()(a)
    with pytest.raises(TypeError, match="Concatenate: expected an int for the argument `axis`; "
                                        "received axis='last'"):
        Concatenate(axis="last")
