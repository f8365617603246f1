"""Digits: 1,797 handwritten digits as 8x8 images with values 0..16 (UCI), from scikit-learn.

A small, offline stand-in for MNIST (``make demo`` falls back to it). scikit-learn
ships the data; it comes with lamina's ``interop`` extra (``pip install 'lamina[interop]'``).

Example:
    >>> from lamina.datasets import digits
    >>> x, y = digits.load_data()                  # doctest: +SKIP
    >>> x.shape, y[:3]                             # doctest: +SKIP
    ((1797, 64), array([0, 1, 2]))
"""

from __future__ import annotations

import numpy

from lamina.backend import floatx
from lamina.datasets.iris import _import_sklearn_datasets

__all__ = ["CLASS_NAMES", "load_data"]

#: Label i is the digit i.
CLASS_NAMES = tuple(str(d) for d in range(10))


def load_data(as_images: bool = False):
    """Load the digits as NumPy arrays.

    Args:
        as_images: return ``x`` as images ``(1797, 8, 8)`` (add a channel axis for a CNN:
            ``x[..., None]``) instead of flat rows ``(1797, 64)``.

    Returns:
        ``(x, y)``: ``x`` float (lamina's floatx, float32 by default) with values 0..16;
        ``y`` int64 ``(1797,)`` in 0..9 (names in :data:`CLASS_NAMES`).

    Raises:
        ImportError: scikit-learn is not installed.
    """
    bunch = _import_sklearn_datasets("digits.load_data()").load_digits()
    x = bunch.images if as_images else bunch.data
    return numpy.asarray(x, dtype=floatx()), numpy.asarray(bunch.target, dtype=numpy.int64)
