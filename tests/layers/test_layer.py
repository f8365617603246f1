import numpy as np
import pytest

from lamina.layers import Dense, Input, Layer
from lamina.models import Sequential


def test_output_shape_after_a_symbolic_call():
    layer = Dense(3, name="proj")
    layer(Input(shape=(5, 4)))
    assert layer.output_shape == (None, 5, 3)
    layer(Input(shape=(5, 4)))  # called again on the same shape: still well defined
    assert layer.output_shape == (None, 5, 3)


def test_output_shape_inside_a_sequential_model():
    model = Sequential([Input(shape=(4,)), Dense(6, name="a"), Dense(2, name="b")])
    assert model.get_layer("a").output_shape == (None, 6)
    assert model.get_layer("b").output_shape == (None, 2)


def test_output_shape_is_undefined_until_called_or_built_in_a_model():
    layer = Dense(3, name="lonely")
    with pytest.raises(AttributeError, match=r"Layer 'lonely' has no defined output shape yet.*"
                                             r"Dense\.compute_output_shape\(input_shape\)"):
        layer.output_shape  # noqa: B018
    layer(np.ones((2, 4), dtype="float32"))  # an eager call, as in tf.keras, leaves it undefined
    assert not hasattr(layer, "output_shape")
    assert layer.compute_output_shape((None, 4)) == (None, 3)


def test_output_shape_of_a_layer_called_on_different_shapes_is_ill_defined():
    shared = Dense(4, name="shared")
    shared(Input(shape=(3,)))
    shared(Input(shape=(2, 3)))
    with pytest.raises(AttributeError, match=r"Layer 'shared' was called on inputs of different "
                                             r"shapes.*\[\(None, 4\), \(None, 2, 4\)\]"):
        shared.output_shape  # noqa: B018


def test_custom_layers_may_assign_output_shape():
    class Fixed(Layer):  # Keras 3 layers have no output_shape attribute, so this is legal there
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.output_shape = (None, 7)

        def call(self, inputs):
            return inputs

    assert Fixed().output_shape == (None, 7)
