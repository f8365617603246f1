import numpy as np
import pytest

from lamina.autograd import Tensor
from lamina.layers import Input
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
from lamina.random import set_random_seed
from tests.layers.harness import run_multi_input_layer_test

CLASSES = (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate)
REFERENCE = {Add: lambda xs: sum(xs), Subtract: lambda xs: xs[0] - xs[1],
             Multiply: lambda xs: np.prod(np.broadcast_arrays(*xs), axis=0),
             Average: lambda xs: sum(xs) / len(xs),
             Maximum: lambda xs: np.maximum.reduce(np.broadcast_arrays(*xs)),
             Minimum: lambda xs: np.minimum.reduce(np.broadcast_arrays(*xs))}


@pytest.fixture(autouse=True)
def _seeded():
    set_random_seed(0)  # the harness's Dense kernels: a repeatable training step


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _concat(axis):
    return lambda xs: np.concatenate(xs, axis)


SHARED = [  # (class, kwargs, input shapes, output shape, reference)
    *[(cls, {}, [(4, 3), (4, 3)], (4, 3), REFERENCE[cls]) for cls in CLASSES[:-1]],
    *[(cls, {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)], (2, 3, 4), REFERENCE[cls])
      for cls in (Add, Multiply, Average, Maximum, Minimum)],
    *[(cls, {}, [(2, 3, 4), (2, 3, 1)], (2, 3, 4), REFERENCE[cls]) for cls in CLASSES[:-1]],
    (Concatenate, {"axis": -1}, [(4, 3), (4, 2)], (4, 5), _concat(-1)),
    (Concatenate, {"axis": 1}, [(2, 3, 4), (2, 1, 4), (2, 2, 4)], (2, 6, 4), _concat(1)),
    (Concatenate, {"axis": -2}, [(2, 3, 2, 2), (2, 3, 4, 2)], (2, 3, 6, 2), _concat(-2)),
]


@pytest.mark.parametrize("cls,kwargs,shapes,out_shape,reference", SHARED,
                         ids=[f"{c.__name__}-{len(s)}x{len(s[0])}d-{s[-1][-1]}"
                              for c, _, s, _, _ in SHARED])
def test_shared_layer_test(cls, kwargs, shapes, out_shape, reference, tmp_path):
    """Every merge layer through the shared multi-input layer test (tests/layers/harness.py):
    numbers, shapes, config, dtype policy, float64 gradients, .lamina/.keras/.h5, training."""
    layer = run_multi_input_layer_test(cls, kwargs, shapes, out_shape, reference,
                                       tmp_path=tmp_path)
    assert layer.count_params() == 0 and layer.compute_output_shape(shapes) == out_shape


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
    with pytest.raises(ValueError, match=r"Add 'add\w*': Cannot merge tensors with different "
                                         r"batch sizes. Got tensors with shapes "
                                         r"\[\(2, 3\), \(1, 3\)\]"):
        Add()([a, np.ones((1, 3), "float32")])  # the batch axis does not broadcast
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
