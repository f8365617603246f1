"""``normalize``: scale vectors to unit norm (``keras.utils.normalize``)."""

from __future__ import annotations

import numpy

__all__ = ["normalize"]


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = numpy.asarray(getattr(x, "data", x))
    norms = numpy.atleast_1d(numpy.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / numpy.expand_dims(norms, axis)
