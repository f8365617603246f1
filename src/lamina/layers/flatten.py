"""``Flatten``: (batch, d1, d2, ...) -> (batch, d1*d2*...)."""

from __future__ import annotations

import math

from lamina.autograd import ops as F
from lamina.layers.layer import Layer


class Flatten(Layer):
    """Flattens every axis but the batch axis (channels_last, as Keras)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Flatten: only data_format='channels_last' is supported; received "
                             f"data_format={data_format!r}")
        self.built = True

    def call(self, inputs):
        return F.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape)[1:]
        size = None if any(s is None for s in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": "channels_last"}
