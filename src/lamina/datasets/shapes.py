"""Synthetic segmentation scenes: disks, squares and triangles on textured backgrounds.

Each image is ``size x size`` RGB: a background of random colour with a random stripe or
checker texture, one to ``max_shapes`` shapes (a disk, an axis-aligned square, a triangle
of random rotation) of random size, position and colour painted over it in turn (later
shapes hide earlier ones), then Gaussian noise. The label of each pixel is the class of
what is visible there: 0 background, 1 disk, 2 square, 3 triangle (:data:`CLASS_NAMES`).
A shape's colour always differs from the background's by at least ``0.35`` in RGB
distance, so every shape is visible; the class is told by the shape, never by the colour.

Everything is drawn from ``seed``: the same arguments give the same scenes on every machine.

Example:
    >>> from lamina.datasets import shapes
    >>> (x, y), (x_test, y_test) = shapes.load_data(n_train=8, n_test=4, size=32, seed=0)
    >>> x.shape, y.shape, x.dtype.name, y.dtype.name
    ((8, 32, 32, 3), (8, 32, 32), 'float32', 'int64')
    >>> sorted(set(y.ravel().tolist())) <= [0, 1, 2, 3]
    True
"""

from __future__ import annotations

import math

import numpy

from lamina.backend import floatx
from lamina.random import make_rng

__all__ = ["CLASS_NAMES", "load_data", "make_scenes"]

CLASS_NAMES = ("background", "disk", "square", "triangle")


def _texture(rng, yy, xx, size):
    """A background: random base colour and stripes or checks of a second colour."""
    base, other = rng.uniform(0.0, 1.0, 3), rng.uniform(0.0, 1.0, 3)
    period = rng.uniform(0.25, 0.6) * size
    angle = rng.uniform(0.0, math.pi)
    u = (xx * math.cos(angle) + yy * math.sin(angle)) * 2 * math.pi / period
    if rng.random() < 0.5:
        mix = 0.5 + 0.5 * numpy.sin(u + rng.uniform(0, 2 * math.pi))
    else:
        v = (-xx * math.sin(angle) + yy * math.cos(angle)) * 2 * math.pi / period
        mix = 0.5 + 0.5 * numpy.sin(u) * numpy.sin(v)
    strength = rng.uniform(0.1, 0.35)
    image = base + strength * mix[..., None] * (other - base)
    return image, image.reshape(-1, 3).mean(axis=0)


def _mask(kind, rng, yy, xx, size):
    """The pixels of one shape of class ``kind`` (1 disk, 2 square, 3 triangle)."""
    r = rng.uniform(0.14, 0.26) * size              # radius / half-side / circumradius
    cy, cx = rng.uniform(r * 0.6, size - r * 0.6, 2)
    if kind == 1:
        return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    if kind == 2:
        return (numpy.abs(yy - cy) <= r * 0.85) & (numpy.abs(xx - cx) <= r * 0.85)
    theta = rng.uniform(0, 2 * math.pi)
    corners = [(cy + 1.2 * r * math.sin(theta + k * 2 * math.pi / 3),
                cx + 1.2 * r * math.cos(theta + k * 2 * math.pi / 3)) for k in range(3)]
    sides = [(x1 - x0) * (yy - y0) - (y1 - y0) * (xx - x0)
             for (y0, x0), (y1, x1) in zip(corners, corners[1:] + corners[:1])]
    # inside: on the same side of all three edges
    return ((sides[0] >= 0) & (sides[1] >= 0) & (sides[2] >= 0)) | (
        (sides[0] <= 0) & (sides[1] <= 0) & (sides[2] <= 0))


def _colour(rng, background):
    while True:
        colour = rng.uniform(0.0, 1.0, 3)
        if numpy.linalg.norm(colour - background) >= 0.35:
            return colour


def make_scenes(n, size=32, max_shapes=3, noise=0.05, seed=None):
    """``n`` scenes: images ``(n, size, size, 3)`` in [0, 1] (floatx) and labels
    ``(n, size, size)`` (int64, 0 background, 1 disk, 2 square, 3 triangle).

    Args:
        n: how many scenes.
        size: height and width in pixels (at least 16).
        max_shapes: each scene has 1 to ``max_shapes`` shapes (classes drawn uniformly).
        noise: standard deviation of the Gaussian pixel noise (then clipped to [0, 1]).
        seed: an int or a ``numpy.random.Generator``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"shapes.make_scenes: `n` must be a non-negative integer; received "
                         f"n={n!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 16:
        raise ValueError(f"shapes.make_scenes: `size` must be an integer >= 16; received "
                         f"size={size!r}")
    if isinstance(max_shapes, bool) or not isinstance(max_shapes, int) or max_shapes < 1:
        raise ValueError(f"shapes.make_scenes: `max_shapes` must be a positive integer; "
                         f"received max_shapes={max_shapes!r}")
    if not noise >= 0:
        raise ValueError(f"shapes.make_scenes: `noise` must be >= 0; received noise={noise!r}")
    rng = make_rng(seed)
    yy, xx = numpy.mgrid[0:size, 0:size] + 0.5
    images = numpy.empty((n, size, size, 3), dtype=numpy.float64)
    labels = numpy.zeros((n, size, size), dtype=numpy.int64)
    for i in range(n):
        image, background = _texture(rng, yy, xx, size)
        for _ in range(rng.integers(1, max_shapes + 1)):
            kind = int(rng.integers(1, 4))
            mask = _mask(kind, rng, yy, xx, size)
            image[mask] = _colour(rng, background)
            labels[i][mask] = kind
        images[i] = image
    images += rng.normal(0.0, noise, images.shape)
    return numpy.clip(images, 0.0, 1.0).astype(floatx()), labels


def load_data(n_train=2000, n_test=500, size=32, max_shapes=3, noise=0.05, seed=0):
    """``(x_train, y_train), (x_test, y_test)`` as ``keras.datasets``' ``load_data``; the test
    scenes come from a separate stream of ``seed``, so they are held out (never copies of
    training scenes). See :func:`make_scenes` for the arguments."""
    train_rng, test_rng = make_rng(seed).spawn(2)
    train = make_scenes(n_train, size, max_shapes, noise, train_rng)
    test = make_scenes(n_test, size, max_shapes, noise, test_rng)
    return train, test
