"""``RandomErasing`` (Keras 3's): overwrite a random rectangle of each image in training
(Zhong et al. 2017, "Random Erasing Data Augmentation")."""

from __future__ import annotations

import numbers

import numpy

from lamina.autograd import ops as F
from lamina.layers.preprocessing.random_base import RandomImageLayer, factor_range


class RandomErasing(RandomImageLayer):
    """In training, each image is erased with a probability drawn per image from
    ``factor``: a rectangle of it is replaced by ``fill_value``. The identity at inference.

    Keras 3's sampling, reproduced here: the rectangle's width is ``sqrt(u) * W`` and its
    height ``sqrt(v) * H`` for ``u``, ``v`` drawn separately and uniformly from ``scale``
    (so the erased fraction of the image is ``sqrt(u * v)``: 0.161 on average with the
    default scale), its corner uniform among the positions where it fits; a pixel is
    erased when its integer coordinates fall in ``[x0, x0 + width)`` and
    ``[y0, y0 + height)``. Each image is erased when a uniform draw falls below its
    probability, itself drawn uniformly from ``factor`` (a number f means ``(0, f)``, so
    ``factor=1.0``, the default, erases half of the images on average).

    Args:
        factor: a number in [0, 1] or a pair ``(min, max)``: the range of the per-image
            probability of erasing.
        scale: a pair ``(min, max)`` in [0, 1] (or a number f: ``(0, f)``): the range of
            the squared width and height fractions of the rectangle (Keras's docstring
            calls it an aspect ratio range; this is what Keras computes).
        fill_value: None (Keras's default: normal noise times ``value_range[1]``), a
            number, or three numbers (one per channel of an RGB image); clipped to
            ``value_range``.
        value_range: ``(low, high)``, the range of the pixel values (the fill is clipped
            to it).
        seed: an int for a repeatable sequence of rectangles.
        data_format: None or ``'channels_last'``.

    Example:
        >>> erase = RandomErasing(factor=1.0, value_range=(0, 1), seed=0)
        >>> erase(np.ones((2, 8, 8, 1), "float32")).shape
        (2, 8, 8, 1)
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        where = type(self).__name__
        self.factor = factor_range(factor, "factor", where, bounds=(0.0, 1.0))
        self.scale = factor_range(scale, "scale", where, bounds=(0.0, 1.0))

        def real(v):
            return isinstance(v, numbers.Real) and not isinstance(v, bool)

        if not (fill_value is None or real(fill_value) or (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3
                and all(map(real, fill_value)))):
            raise ValueError(f"{where}: `fill_value` must be None, a number or a list of three "
                             f"numbers; received fill_value={fill_value!r}")
        self.fill_value = list(fill_value) if isinstance(fill_value, tuple) else fill_value
        if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
                or not all(map(real, value_range)) or not value_range[0] < value_range[1]):
            raise ValueError(f"{where}: `value_range` must be a pair (low, high) with low < "
                             f"high; received value_range={value_range!r}")
        self.value_range = tuple(value_range)

    def _masks(self, n, height, width):
        """Boolean ``(n, height, width, 1)``: the pixels to erase (rectangles of the images
        chosen for erasing; all False for the others)."""
        rng = self._rng
        sides = numpy.sqrt(rng.uniform(self.scale[0], self.scale[1], (n, 2)))
        spans = []
        for length, side in ((width, sides[:, 0]), (height, sides[:, 1])):
            extent = side * length
            start = rng.uniform(0.0, 1.0, n) * (length - extent)
            grid = numpy.arange(length)
            spans.append((grid >= start[:, None]) & (grid < (start + extent)[:, None]))
        probability = rng.uniform(self.factor[0], self.factor[1], n)
        chosen = rng.uniform(0.0, 1.0, n) < probability
        in_cols, in_rows = spans
        return (in_rows[:, :, None] & in_cols[:, None, :] & chosen[:, None, None])[..., None]

    def transform(self, images):
        n, height, width, channels = images.shape
        mask = self._masks(n, height, width)
        low, high = self.value_range
        if self.fill_value is None:
            fill = self._rng.standard_normal((n, height, width, channels)) * high
        else:
            if isinstance(self.fill_value, list) and channels != 3:
                raise ValueError(f"RandomErasing '{self.name}': a `fill_value` of three numbers "
                                 f"needs images with 3 channels; received fill_value="
                                 f"{self.fill_value!r} for images of shape "
                                 f"{tuple(images.shape)}")
            fill = numpy.broadcast_to(numpy.asarray(self.fill_value, numpy.float64),
                                      (n, height, width, channels))
        fill = numpy.clip(fill, low, high).astype(images.dtype)
        return F.where(mask, fill, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range}
