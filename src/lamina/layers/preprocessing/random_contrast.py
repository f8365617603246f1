"""``RandomContrast``: scale each image's deviation from its mean by a random factor."""

from __future__ import annotations

from lamina.autograd import ops as F
from lamina.layers.preprocessing.random_base import RandomImageLayer, factor_range


class RandomContrast(RandomImageLayer):
    """In training, ``(x - mean) * f + mean`` per image and channel, clipped to
    ``value_range``; ``mean`` is over the image's pixels, ``f`` is drawn per image from
    ``[1 - lower, 1 + upper]``.

    Args:
        factor: a number f in [0, 1] (``f`` in [1 - f, 1 + f]) or a pair ``(lower, upper)``.
        value_range: the range of the pixel values, ``(0, 255)`` by default.
        seed: an int for a repeatable sequence of factors.

    Example:
        >>> RandomContrast(0.2, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape
        (2, 4, 4, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        where = type(self).__name__
        self.factor = factor_range(factor, "factor", where, bounds=(0.0, 1.0))
        if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
                or not value_range[0] < value_range[1]):
            raise ValueError(f"{where}: `value_range` must be a pair (low, high) with low < "
                             f"high; received value_range={value_range!r}")
        self.value_range = tuple(value_range)

    def transform(self, images):
        lower, upper = self.factor
        f = self._rng.uniform(1.0 - lower, 1.0 + upper, size=(images.shape[0], 1, 1, 1))
        mean = F.mean(images, axis=(1, 2), keepdims=True)
        out = (images - mean) * f.astype(images.dtype) + mean
        return F.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = {**super().get_config(), "factor": self.factor,
                  "value_range": self.value_range}
        del config["data_format"]  # Keras's RandomContrast has no data_format argument
        return config
