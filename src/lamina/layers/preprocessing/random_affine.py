"""``RandomRotation``, ``RandomZoom`` and ``RandomTranslation``: one random affine warp per
image (the engine's ``affine_transform`` op), with Keras 3's transforms, fill modes and
interpolations.

Each layer draws its parameters per image, builds Keras's 8-number transform (which
input point each output pixel reads, see ``lamina.autograd.ops.affine_transform``) and
warps. Pixels that read outside the image are filled by ``fill_mode``: ``'reflect'``
(the default), ``'wrap'``, ``'nearest'`` or ``'constant'`` (``fill_value``).
"""

from __future__ import annotations

import math

import numpy

from lamina.autograd.ops.affine_transform import affine_transform
from lamina.layers.preprocessing.random_base import (
    FILL_MODES,
    INTERPOLATIONS,
    RandomImageLayer,
    check_choice,
    factor_range,
)

__all__ = ["RandomRotation", "RandomZoom", "RandomTranslation"]


def rotation_transforms(angles, height, width):
    """Transforms rotating each image by ``angles`` (radians, counter-clockwise on screen
    for positive angles) about its centre ``((width - 1) / 2, (height - 1) / 2)``."""
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = numpy.cos(angles), numpy.sin(angles)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    zero = numpy.zeros_like(angles)
    return numpy.stack([a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1,
                        zero, zero], axis=1)


def zoom_transforms(width_zoom, height_zoom, height, width):
    """Transforms reading ``x_in = zx * x + (W - 1) / 2 * (1 - zx)`` (and likewise y): a
    factor above 1 shows more of the image (zooms out), below 1 zooms in."""
    zero = numpy.zeros_like(width_zoom)
    return numpy.stack([width_zoom, zero, 0.5 * (width - 1) * (1.0 - width_zoom),
                        zero, height_zoom, 0.5 * (height - 1) * (1.0 - height_zoom),
                        zero, zero], axis=1)


def translation_transforms(dx, dy):
    """Transforms moving each image by ``(dx, dy)`` pixels (right, down)."""
    one, zero = numpy.ones_like(dx), numpy.zeros_like(dx)
    return numpy.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=1)


class _RandomAffine(RandomImageLayer):
    def __init__(self, fill_mode, interpolation, seed, fill_value, data_format, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        where = type(self).__name__
        self.fill_mode = check_choice(fill_mode, FILL_MODES, "fill_mode", where)
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation",
                                          where)
        self.fill_value = float(fill_value)

    def transform(self, images):
        n, h, w = images.shape[:3]
        transforms = self._transforms(n, h, w).astype("float32")
        return affine_transform(images, transforms, self.interpolation, self.fill_mode,
                                self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_RandomAffine):
    """Rotate each image by a random angle in training.

    Args:
        factor: a fraction of a full turn: f gives angles in ``[-f * 360, f * 360]``
            degrees; a pair ``(lower, upper)`` gives ``[lower * 360, upper * 360]``.
        fill_mode, fill_value, interpolation: see the module.
        seed: an int for a repeatable sequence of angles.

    Example:
        >>> RandomRotation(0.1, seed=0)(np.ones((2, 8, 8, 3), "float32")).shape
        (2, 8, 8, 3)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(factor, "factor", type(self).__name__)

    def _transforms(self, n, h, w):
        degrees = self._rng.uniform(self.factor[0] * 360.0, self.factor[1] * 360.0, size=n)
        return rotation_transforms(degrees * (math.pi / 180.0), h, w)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_RandomAffine):
    """Zoom each image in or out by a random factor in training.

    Args:
        height_factor: f gives vertical zooms in ``[1 - f, 1 + f]`` (as Keras: a positive
            value zooms out, a negative one zooms in); a pair ``(lower, upper)`` gives
            ``[1 + lower, 1 + upper]``; values in (-1, 1].
        width_factor: the same for the width; None (default) keeps the aspect ratio
            (the height's zoom is used).
        fill_mode, fill_value, interpolation, seed: see the module.

    Example:
        >>> RandomZoom(0.2, seed=0)(np.ones((2, 8, 8, 3), "float32")).shape
        (2, 8, 8, 3)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        where = type(self).__name__
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = factor_range(height_factor, "height_factor", where, strict=True)
        self._width = (None if width_factor is None else
                       factor_range(width_factor, "width_factor", where, strict=True))

    def _transforms(self, n, h, w):
        height_zoom = self._rng.uniform(1.0 + self._height[0], 1.0 + self._height[1], size=n)
        width_zoom = (height_zoom if self._width is None else
                      self._rng.uniform(1.0 + self._width[0], 1.0 + self._width[1], size=n))
        return zoom_transforms(width_zoom, height_zoom, h, w)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_RandomAffine):
    """Shift each image by a random fraction of its size in training.

    Args:
        height_factor: f shifts vertically by ``[-f, f] * height`` pixels; a pair
            ``(lower, upper)`` by ``[lower, upper] * height`` (positive: down); in (-1, 1].
        width_factor: the same horizontally (positive: right).
        fill_mode, fill_value, interpolation, seed: see the module.

    Example:
        >>> RandomTranslation(0.1, 0.1, seed=0)(np.ones((2, 8, 8, 3), "float32")).shape
        (2, 8, 8, 3)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        where = type(self).__name__
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = factor_range(height_factor, "height_factor", where, strict=True)
        self._width = factor_range(width_factor, "width_factor", where, strict=True)

    def _transforms(self, n, h, w):
        dy = self._rng.uniform(self._height[0], self._height[1], size=n) * h
        dx = self._rng.uniform(self._width[0], self._width[1], size=n) * w
        return translation_transforms(dx, dy)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}
