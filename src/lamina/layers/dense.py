"""``Dense``: ``activation(inputs @ kernel + bias)``, the fully connected layer."""

from __future__ import annotations

import warnings

from lamina import activations, constraints, initializers, regularizers
from lamina._checks import is_int
from lamina.autograd import ops as F
from lamina.layers.layer import InputSpec, Layer, serialize_or_none


def _positive_int(value, name, where):
    if not is_int(value) or value <= 0:
        raise ValueError(f"{where}: received an invalid value for argument `{name}`, expected a "
                         f"positive integer, got {value!r}")
    return int(value)


#: activations the linear op applies itself (one graph node and one array fewer each way)
#: the named ops computing ``activation(x @ kernel + bias)`` as one node
_FUSED = ((activations.relu, F.linear_relu), (activations.sigmoid, F.linear_sigmoid))


class Dense(Layer):
    """Fully connected layer: ``output = activation(inputs @ kernel + bias)``.

    Args:
        units: size of the output.
        activation: name (``'relu'``, ``'softmax'``...) or function; None is linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: Glorot uniform and zeros by default (Keras).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: applied after each optimizer step.

    Shape:
        input ``(batch, ..., in)``, output ``(batch, ..., units)``; weights kernel ``(in, units)``
        and bias ``(units,)``.

    Example:
        >>> layer = Dense(3)
        >>> layer(np.ones((2, 4), "float32")).shape
        (2, 3)
    """

    def __init__(self, units=None, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "output_dim" in kwargs:
            warnings.warn("Dense: `output_dim` is deprecated; use `units`", DeprecationWarning,
                          stacklevel=2)
            units = kwargs.pop("output_dim")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", "Dense")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense '{self.name}': the last axis of the input must be known; "
                             f"received input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight((in_dim, self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = (self.add_weight((self.units,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint, name="bias")
                     if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs):
        for activation, fused in _FUSED:
            if self.activation is activation:
                return fused(inputs, self.kernel, self.bias)
        return self.activation(F.linear(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": serialize_or_none(initializers, self.kernel_initializer),
                "bias_initializer": serialize_or_none(initializers, self.bias_initializer),
                "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
                "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
                "bias_constraint": serialize_or_none(constraints, self.bias_constraint)}
