"""What the random image layers share: the seed, the factor arguments, and Keras's rule for
when they act.

As in Keras 3, a random layer transforms its input when ``training`` is True *or not
given* (``layer(images)`` augments), and returns the input unchanged when it is False:
``fit`` passes True, ``predict`` and ``evaluate`` pass False. Each layer draws from its
own ``numpy.random.Generator`` made once from ``seed``, so the same seed gives the same
sequence of transformations.
"""

from __future__ import annotations

import numbers

from lamina.autograd import ops as F
from lamina.layers.conv import standardize_data_format
from lamina.layers.layer import Layer
from lamina.layers.regularization import _config_seed, _seed

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def factor_range(factor, name, where, bounds=(-1.0, 1.0), strict=False):
    """Keras's ``(lower, upper)`` from ``factor``: a number f gives (-f, f) clipped to
    ``bounds``, a pair is sorted. Keras's checks: a number must lie in ``bounds``, a pair
    must overlap them; with ``strict`` (zoom, translation) every value in ``(low, high]``."""
    low, high = bounds

    def real(v):
        return isinstance(v, numbers.Real) and not isinstance(v, bool)

    if isinstance(factor, (tuple, list)) and len(factor) == 2 and all(map(real, factor)):
        a, b = factor
        valid = (all(low < v <= high for v in factor) if strict
                 else not (a > high or b < low))
        if valid:
            lower, upper = sorted((float(a), float(b)))
            return lower, upper
    elif real(factor) and ((low < factor <= high) if strict else (low <= factor <= high)):
        f = abs(float(factor))
        return max(-f, low), f
    interval = f"({low}, {high}]" if strict else f"[{low}, {high}]"
    raise ValueError(f"{where}: `{name}` must be a number or a pair of numbers in {interval}; "
                     f"received {name}={factor!r}")


def check_choice(value, choices, name, where):
    if value not in choices:
        raise ValueError(f"{where}: `{name}` must be one of {choices}; received "
                         f"{name}={value!r}")
    return value


def on_batch(layer, inputs, fn):
    """``fn`` applied to images ``(batch, H, W, C)``; one image ``(H, W, C)`` is passed as a
    batch of one and returned without the batch axis."""
    if inputs.ndim not in (3, 4):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': expected images of shape "
                         f"(batch, height, width, channels) or (height, width, channels); "
                         f"received shape {tuple(inputs.shape)}")
    if inputs.ndim == 3:
        return F.squeeze(fn(F.expand_dims(inputs, 0)), 0)
    return fn(inputs)


class RandomImageLayer(Layer):
    """Base of the random image layers: ``transform(images_4d)`` does the work."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.seed = seed
        self._rng = _seed(seed, where)
        self.data_format = standardize_data_format(data_format, where)

    def call(self, inputs, training=True):
        if training is False:
            return inputs
        return on_batch(self, inputs, self.transform)

    def transform(self, images):  # pragma: no cover - abstract
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": _config_seed(self.seed),
                "data_format": self.data_format}
