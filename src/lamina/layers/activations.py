"""Activation layers with arguments: ``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax`` (Keras 3).

``Activation('relu')`` applies a named function with its defaults; these layers take the
function's parameters (a capped ReLU, a leak slope, an axis) and save them in their config.
None has weights; the output has the input's shape.
"""

from __future__ import annotations

import math
import numbers
import warnings

from lamina.autograd import ops as F
from lamina.layers.layer import Layer

__all__ = ["ReLU", "LeakyReLU", "ELU", "Softmax"]


def _non_negative(value, name, where, allow_none=False):
    if allow_none and value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or math.isnan(value) or value < 0):
        what = "a negative value" if allow_none else "None or a negative value"
        raise ValueError(f"{where}: {name} cannot be {what}; expected a float >= 0. "
                         f"Received: {name}={value!r}")
    return float(value)


class _Elementwise(Layer):
    """A layer without weights whose output has the input's shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class ReLU(_Elementwise):
    """Rectified linear unit with an optional cap, threshold and leak::

        f(x) = min(x, max_value)              if x > threshold
        f(x) = negative_slope * (x - threshold)  otherwise

    Args:
        max_value: the largest output (None: no cap). ``ReLU(6.0)`` is ReLU6.
        negative_slope: the slope below the threshold (>= 0).
        threshold: the input below which the unit leaks or is zero (>= 0).

    Example:
        >>> ReLU(max_value=1.0)(np.array([[-3.0, 0.5, 2.0]], "float32")).data
        array([[0. , 0.5, 1. ]], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative(max_value, "max_value", "ReLU", allow_none=True)
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "ReLU")
        self.threshold = _non_negative(threshold, "threshold", "ReLU")

    def call(self, inputs):
        slope, threshold, cap = self.negative_slope, self.threshold, self.max_value
        if cap is None and threshold == 0:
            return F.leaky_relu(inputs, slope) if slope else F.relu(inputs)
        # the positive part: x above the threshold (else 0), capped at max_value
        positive = (F.where(inputs > threshold, inputs, 0.0) if threshold
                    else F.relu(inputs))
        if cap is not None:
            positive = F.minimum(positive, cap)
        if not slope:
            return positive
        # the leak: slope * (x - threshold) below the threshold, 0 above it
        return positive - F.relu(threshold - inputs) * slope

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: the slope for negative inputs (>= 0; Keras 3's layer default 0.3).
            ``alpha`` (Keras 2's name) is accepted with a DeprecationWarning.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            warnings.warn("LeakyReLU: `alpha` is deprecated; use `negative_slope`",
                          DeprecationWarning, stacklevel=2)
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "LeakyReLU")

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: the value the output approaches for very negative inputs is ``-alpha``.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if (isinstance(alpha, bool) or not isinstance(alpha, numbers.Real)
                or not math.isfinite(alpha)):
            raise ValueError(f"ELU: alpha must be a finite float; received alpha={alpha!r}")
        self.alpha = float(alpha)

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """``exp(x) / sum(exp(x))`` over ``axis`` (computed stably): each slice sums to 1.

    Args:
        axis: an int or a list of ints, the axes to normalize over (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        items = axis if isinstance(axis, (list, tuple)) else [axis]
        if not items or any(isinstance(a, bool) or not isinstance(a, numbers.Integral)
                            for a in items):
            raise TypeError(f"Softmax: expected an int or a list of ints for the argument "
                            f"`axis`; received axis={axis!r}")
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        return F.softmax(inputs, axis=axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
