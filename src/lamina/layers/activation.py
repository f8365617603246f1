"""``Activation``: applies an activation function by name, e.g. ``Activation('relu')``."""

from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer


class Activation(Layer):
    """Applies ``activation`` (a name or a function) to its input; no weights.

    >>> Activation("relu")(np.array([[-1.0, 2.0]], "float32")).data
    array([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
