"""Regularization layers, active only in training: ``Dropout``, ``SpatialDropout2D``,
``GaussianNoise`` (Keras 3 names and defaults).

``fit`` calls the model with ``training=True``; ``predict`` and ``evaluate`` with
``training=False``, where these layers return their input unchanged. Each layer draws
from its own ``numpy.random.Generator`` made once from ``seed``, so the same seed gives
the same masks in the same order.
"""

from __future__ import annotations

import numbers
import warnings

from lamina._checks import is_int
from lamina.autograd import ops as F
from lamina.backend import get_array_module
from lamina.layers.layer import InputSpec, Layer
from lamina.random import make_rng

__all__ = ["Dropout", "SpatialDropout2D", "GaussianNoise"]


def _rate(rate, where):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"{where}: invalid value received for argument `rate`; expected a float "
                         f"in [0, 1) (the fraction of units to drop), received rate={rate!r}")
    return float(rate)


def _seed(seed, where):
    try:
        return make_rng(seed)
    except ValueError:
        raise ValueError(f"{where}: seed must be None or a non-negative int; received "
                         f"seed={seed!r}") from None


def _config_seed(seed):
    """The seed as written to a config (a Generator is not JSON: it is saved as None)."""
    return int(seed) if isinstance(seed, numbers.Integral) else None


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability ``rate`` and scale the
    kept ones by ``1 / (1 - rate)`` (so the expected output equals the input).

    Args:
        rate: the fraction of the units to drop, in [0, 1).
        noise_shape: the mask's shape, batch axis included, broadcast over the input; None
            entries take the input's size. ``(batch, 1, features)`` drops the same features at
            every timestep.
        seed: an int for a repeatable sequence of masks.

    Shape: any input; the output has the input's shape.

    Example:
        >>> layer = Dropout(0.5, seed=0)
        >>> layer(np.ones((1, 4), "float32"), training=True).data  # kept units become 2.0
        >>> layer(np.ones((1, 4), "float32")).data  # inference: the identity
        array([[1., 1., 1., 1.]], dtype=float32)
    """

    def __init__(self, rate=None, noise_shape=None, seed=None, **kwargs):
        if "p" in kwargs:  # Keras 1
            warnings.warn("Dropout: `p` is deprecated; use `rate`", DeprecationWarning,
                          stacklevel=2)
            rate = kwargs.pop("p")
        super().__init__(**kwargs)
        where = type(self).__name__
        self.rate = _rate(rate, where)
        if noise_shape is not None:
            ok = isinstance(noise_shape, (tuple, list)) and all(
                d is None or (is_int(d) and d > 0)
                for d in noise_shape)
            if not ok:
                raise ValueError(f"{where}: noise_shape must be a tuple of positive ints or None "
                                 f"(batch axis included); received noise_shape={noise_shape!r}")
            noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
        self.noise_shape = noise_shape
        self.seed = seed
        self._rng = _seed(seed, where)
        self.built = True

    def _noise_shape(self, inputs):
        return self.noise_shape

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        return F.dropout(inputs, self.rate, training=True, rng=self._rng,
                         noise_shape=self._noise_shape(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": _config_seed(self.seed)}


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: each channel of each image is kept or zeroed entirely
    (Tompson et al. 2015), which suits convolutional features whose neighbours are correlated.

    Args:
        rate: the fraction of the channels to drop, in [0, 1).
        data_format: ``'channels_last'`` (default, mask ``(N, 1, 1, C)``) or
            ``'channels_first'`` (mask ``(N, C, 1, 1)``).
        seed: an int for a repeatable sequence of masks.

    Shape: input and output ``(batch, height, width, channels)``.
    """

    def __init__(self, rate=None, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"SpatialDropout2D: data_format must be 'channels_last' or "
                             f"'channels_first'; received data_format={data_format!r}")
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        n, _, _, last = inputs.shape
        if self.data_format == "channels_first":
            return (n, inputs.shape[1], 1, 1)
        return (n, 1, 1, last)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]
        return {**config, "data_format": self.data_format}


class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` in training
    (a form of data augmentation for real-valued inputs); the identity at inference.

    Args:
        stddev: the noise's standard deviation (a float >= 0).
        seed: an int for a repeatable sequence of noise.

    Shape: any input; the output has the input's shape.
    """

    def __init__(self, stddev=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if (isinstance(stddev, bool) or not isinstance(stddev, numbers.Real)
                or not 0 <= stddev < float("inf")):
            raise ValueError("GaussianNoise: invalid value received for argument `stddev`; "
                             f"expected a float >= 0, received stddev={stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed
        self._rng = _seed(seed, "GaussianNoise")
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        dtype = inputs.dtype if inputs.dtype.itemsize >= 4 else "float32"
        noise = self._rng.standard_normal(inputs.shape, dtype=dtype)
        noise *= self.stddev
        noise = get_array_module(inputs.data).asarray(noise, dtype=inputs.dtype)
        return inputs + noise

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": _config_seed(self.seed)}
