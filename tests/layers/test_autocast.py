"""Keras's autocast in every layer (lamina.layers.autocast): floating inputs and extra
arguments of another float dtype are cast to the layer's dtype before ``call``; integers
pass as they are; ``autocast=False`` turns it off; models cast as Keras's do."""

import numpy as np
import pytest

from lamina import Tensor
from lamina import layers as L
from lamina.autograd import no_grad
from lamina.layers.layer import Layer
from lamina.models import Model, Sequential, inference_graph
from lamina.random import set_random_seed
from tests.tolerance import assert_sums_close


class Probe(Layer):
    """Records the dtypes ``call`` receives and returns its input."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, *args, training=None, **kwargs):
        self.seen.append((inputs.dtype, [_dtype(a) for a in args],
                          {k: _dtype(v["b"] if isinstance(v, dict) else v)
                           for k, v in kwargs.items()}))
        return inputs


def _dtype(value):
    return value.dtype if isinstance(value, (Tensor, np.ndarray)) else np.asarray(value).dtype


def _x(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


#: layers of each kind, with an input shape (batch included)
LAYERS = [
    (lambda dtype: L.Dense(3, dtype=dtype), (4, 5)),
    (lambda dtype: L.Conv2D(2, 3, dtype=dtype), (2, 5, 5, 3)),
    (lambda dtype: L.Activation("relu", dtype=dtype), (4, 5)),
    (lambda dtype: L.Flatten(dtype=dtype), (2, 3, 4)),
    (lambda dtype: L.Dropout(0.5, dtype=dtype), (4, 5)),
    (lambda dtype: L.MaxPooling2D(2, dtype=dtype), (2, 4, 4, 3)),
    (lambda dtype: L.LayerNormalization(dtype=dtype), (4, 5)),
]


@pytest.mark.parametrize("make, shape", LAYERS)
@pytest.mark.parametrize("layer_dtype, input_dtype", [("float32", "float64"),
                                                      ("float64", "float32")])
def test_every_layer_computes_in_its_dtype(make, shape, layer_dtype, input_dtype):
    x = Tensor(_x(shape, input_dtype), requires_grad=True)
    layer = make(layer_dtype)
    out = layer(x, training=True)
    assert out.dtype == np.dtype(layer_dtype)
    out.backward(np.ones(out.shape, dtype=layer_dtype))
    assert x.grad.dtype == np.dtype(input_dtype)  # the cast's gradient: back to the input's
    # the cast comes first: the same numbers as the layer on the input cast by hand
    same = layer(Tensor(x.data.astype(layer_dtype)), training=False)
    np.testing.assert_array_equal(layer(x, training=False).data, same.data)


def test_a_list_of_inputs_is_cast_and_indices_stay_exact():
    out = L.Add(dtype="float64")([Tensor(_x((2, 3), "float32")), Tensor(_x((2, 3), "float32"))])
    assert out.dtype == np.float64
    table = L.Embedding(2**24 + 3, 1, embeddings_initializer="zeros")
    table.build(None)
    table.embeddings.data[2**24 + 1] = 5.0  # float32 cannot hold 2**24 + 1: no cast of ids
    np.testing.assert_array_equal(table(np.array([[2**24 + 1, 2**24]])).data, [[[5.0], [0.0]]])


def test_extra_arguments_are_cast_and_keep_their_type():
    probe = Probe()  # float32
    a64 = _x((2, 3), "float64")
    probe(Tensor(a64), Tensor(a64), np.arange(3), a64, offsets={"b": a64}, flag=True)
    main, args, kwargs = probe.seen[-1]
    assert main == np.float32 and args == [np.float32, np.int64, np.float32]
    assert kwargs == {"offsets": np.float32, "flag": np.bool_}


def test_autocast_off_passes_floats_as_given_and_is_saved():
    probe = Probe(autocast=False)
    probe(Tensor(_x((2, 3), "float64")), Tensor(_x((2, 3), "float64")))
    assert probe.seen[-1][:2] == (np.float64, [np.float64])
    dense = L.Dense(2, autocast=False)
    assert dense(Tensor(_x((2, 3), "float64"))).dtype == np.float64  # NumPy's promotion
    assert L.Dense.from_config(dense.get_config()).autocast is False
    assert "autocast" not in L.Dense(2).get_config()


def test_a_layer_of_another_kind_of_dtype_casts_nothing():
    probe = Probe(dtype="int32")
    probe(Tensor(_x((2, 3), "float64")))
    assert probe.seen[-1][0] == np.float64


def test_a_functional_model_casts_each_input_to_its_input_dtype():
    a, b = L.Input((3,), dtype="float64"), L.Input((3,), dtype="float32")
    pa, pb = Probe(autocast=False), Probe(autocast=False)
    model = Model([a, b], [pa(a), pb(b)])
    out = model([Tensor(_x((2, 3), "float32")), Tensor(_x((2, 3), "float64"))])
    assert [pa.seen[-1][0], pb.seen[-1][0]] == [np.float64, np.float32]
    assert [o.dtype for o in out] == [np.float64, np.float32]


def test_a_sequential_model_casts_to_its_input_else_its_first_layer():
    first = Probe(autocast=False)
    Sequential([L.Input((3,), dtype="float64"), first])(Tensor(_x((2, 3), "float32")))
    assert first.seen[-1][0] == np.float64
    first = Probe(dtype="float64", autocast=False)
    Sequential([first])(Tensor(_x((2, 3), "float32")))
    assert first.seen[-1][0] == np.float64


def test_a_subclassed_model_casts_to_its_dtype():
    class Wrapper(Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.probe = Probe(autocast=False)

        def call(self, inputs):
            return self.probe(inputs)

    model = Wrapper(dtype="float64")
    model(Tensor(_x((2, 3), "float32")))
    assert model.probe.seen[-1][0] == np.float64


def _conv_bn_relu(input_dtype, conv_dtype="float32", bn_dtype="float32"):
    set_random_seed(5)
    x = L.Input((6, 6, 4), dtype=input_dtype)
    h = L.Conv2D(8, 3, padding="same", dtype=conv_dtype)(x)
    h = L.Activation("relu", dtype=bn_dtype)(L.BatchNormalization(dtype=bn_dtype)(h))
    return Model(x, h)


def test_the_fused_inference_chain_casts_its_input_as_the_layers(monkeypatch):
    """A float64 Input before a float32 conv + BN + ReLU: the fused op gets the conv's dtype,
    as the layers would (a spy shows that the fused op ran)."""
    model = _conv_bn_relu("float64")
    ran = []
    fused_op = inference_graph.F.conv2d_batch_norm

    def spy(x, *args, **kwargs):
        ran.append(x.dtype)
        return fused_op(x, *args, **kwargs)

    monkeypatch.setattr(inference_graph.F, "conv2d_batch_norm", spy)
    x = _x((2, 6, 6, 4), "float64", seed=1)
    with no_grad():
        fused = model(Tensor(x))
    layers = model(Tensor(x), training=False)  # records: the layers one by one
    assert ran == [np.float32] and fused.dtype == layers.dtype == np.float32
    assert_sums_close(fused.data, layers.data, terms=9 * 4 + 2, scale=36.0, dtype="float32")


def test_a_chain_of_layers_in_two_dtypes_runs_unfused(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("fused op called")

    monkeypatch.setattr(inference_graph.F, "conv2d_batch_norm", refuse)
    model = _conv_bn_relu("float32", conv_dtype="float64")
    with no_grad():
        out = model(Tensor(_x((2, 6, 6, 4), "float32")))
    assert out.dtype == np.float32  # the batch norm and ReLU cast the conv's float64 output
