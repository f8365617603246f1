"""Interpolation matrices of image resizing, as PyTorch's ``interpolate`` (Keras-torch's
resize) defines them; ``Resizing`` multiplies the image by one on each side.

A resize from ``n`` to ``m`` pixels along one axis is a fixed linear map: row ``i`` of the
``(m, n)`` matrix holds the weights output pixel ``i`` gives the input pixels.

* ``bilinear``: half-pixel centres: output ``i`` reads input point ``(i + 0.5) n / m -
  0.5`` (at least 0) and mixes its two neighbours linearly.
* ``bilinear`` with ``antialias`` when shrinking: a triangle filter stretched by
  ``n / m``, so every input pixel contributes (no aliasing), weights normalized per row.
* ``nearest``: output ``i`` copies input ``floor((i + 0.5) n / m)`` (torch's
  'nearest-exact', the pixel whose centre is nearest).
"""

from __future__ import annotations

import math

import numpy


def bilinear(n: int, m: int, antialias: bool = False):
    scale = n / m
    matrix = numpy.zeros((m, n))
    if antialias and scale > 1.0:
        support = scale  # the triangle's half width, in input pixels
        for i in range(m):
            centre = scale * (i + 0.5)
            lo = max(int(centre - support + 0.5), 0)
            hi = min(int(centre + support + 0.5), n)
            j = numpy.arange(lo, hi)
            w = numpy.maximum(0.0, 1.0 - numpy.abs((j - centre + 0.5) / scale))
            matrix[i, lo:hi] = w / w.sum()
        return matrix
    for i in range(m):
        src = max((i + 0.5) * scale - 0.5, 0.0)
        j0 = min(int(math.floor(src)), n - 1)
        j1 = min(j0 + 1, n - 1)
        frac = src - j0
        matrix[i, j0] += 1.0 - frac
        matrix[i, j1] += frac
    return matrix


def nearest(n: int, m: int):
    matrix = numpy.zeros((m, n))
    scale = n / m
    for i in range(m):
        matrix[i, min(int(math.floor((i + 0.5) * scale)), n - 1)] = 1.0
    return matrix
