"""``Rescaling``: ``inputs * scale + offset``, e.g. pixels [0, 255] to [0, 1] or [-1, 1]."""

from __future__ import annotations

import numbers

import numpy

from lamina.layers.layer import Layer


def _number_or_list(value, name):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    try:
        array = numpy.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim != 1 or array.size == 0:
        raise ValueError(f"Rescaling: `{name}` must be a number or a list of numbers (one per "
                         f"channel); received {name}={value!r}")
    return [float(v) for v in array]


class Rescaling(Layer):
    """``inputs * scale + offset``: ``Rescaling(1 / 255)`` maps [0, 255] to [0, 1],
    ``Rescaling(1 / 127.5, offset=-1)`` to [-1, 1].

    Args:
        scale: a number, or a list with one number per channel (last axis).
        offset: a number or a list, added after scaling (default 0).

    Example:
        >>> Rescaling(1 / 255)(np.full((1, 2), 255.0, "float32")).data
        array([[1., 1.]], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _number_or_list(scale, "scale")
        self.offset = _number_or_list(offset, "offset")

    def call(self, inputs):
        dtype = inputs.dtype
        scale = numpy.asarray(self.scale, dtype=dtype)
        offset = numpy.asarray(self.offset, dtype=dtype)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
