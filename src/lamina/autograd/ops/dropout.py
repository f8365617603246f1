"""Inverted dropout (Srivastava et al. 2014), as Keras's ``Dropout`` layer computes it.

In training each unit is kept with probability ``1 - rate`` and the kept units are scaled
by ``1 / (1 - rate)``, so the expected output equals the input and inference needs no
rescaling: there dropout is the identity. The backward multiplies by the same scaled mask.
"""

from __future__ import annotations

import numbers

import numpy

from lamina.autograd.function import Function
from lamina.autograd.tensor import as_tensor

__all__ = ["dropout"]


def _generator(rng, op):
    """A ``numpy.random.Generator`` from ``rng`` (a Generator, an int seed, or None)."""
    if isinstance(rng, numpy.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return numpy.random.default_rng(rng)
    raise TypeError(
        f"{op}: rng must be a numpy.random.Generator, an int seed or None; received "
        f"rng={rng!r} ({type(rng).__name__})"
    )


def _noise_shape(noise_shape, shape, op):
    """Keras's ``noise_shape``: None entries take the input's size; others are 1 or equal it."""
    if noise_shape is None:
        return tuple(shape)
    items = tuple(noise_shape) if isinstance(noise_shape, (tuple, list)) else None
    if items is None or len(items) != len(shape):
        raise ValueError(
            f"dropout: noise_shape must have one entry per input axis ({len(shape)} for input "
            f"shape {tuple(shape)}); received noise_shape={noise_shape!r}"
        )
    out = tuple(n if d is None else d for d, n in zip(items, shape, strict=True))
    for d, n in zip(out, shape, strict=True):
        if not (isinstance(d, int) and not isinstance(d, bool) and d in (1, n)):
            raise ValueError(
                f"{op}: each noise_shape entry must be None, 1 or the input's size on that axis; "
                f"received noise_shape={noise_shape!r} for input shape {tuple(shape)}"
            )
    return out


class Dropout(Function):
    name = "dropout"

    def forward(self, x, *, rate, rng, noise_shape):
        xp = self.xp
        shape = _noise_shape(noise_shape, x.shape, self.name)
        # uniform draws directly in x's dtype (float32 stays float32), then the scaled mask
        draw = x.dtype if x.dtype.name in ("float32", "float64") else "float32"  # f32/f64 only
        uniform = xp.asarray(rng.random(shape, dtype=draw), dtype=x.dtype)
        keep = uniform >= rate
        mask = uniform  # reuse the buffer: mask = keep / (1 - rate)
        xp.multiply(keep, x.dtype.type(1.0 / (1.0 - rate)), out=mask)
        if self.recording:
            self.save_for_backward(mask)
        return x * mask

    def backward(self, grad):
        (mask,) = self.saved
        return grad * mask


def dropout(x, rate, training=True, rng=None, noise_shape=None):
    """Zero each unit with probability ``rate`` and scale the others by ``1 / (1 - rate)``.

    Args:
        x: a tensor of any shape.
        rate: the fraction to drop, in [0, 1).
        training: when False (inference), return ``x`` unchanged.
        rng: a ``numpy.random.Generator``, or an int seed (the same seed gives the same
            mask), or None for fresh randomness.
        noise_shape: the mask's shape, broadcast over ``x``; None entries take ``x``'s size.
            ``(N, 1, 1, C)`` on images drops whole channels (``SpatialDropout2D``).
    Returns a tensor shaped like ``x``. ``rate == 0`` or ``training=False`` returns ``x`` itself.

    Example:
        >>> dropout(Tensor([[1.0, 1.0, 1.0, 1.0]]), 0.5, rng=0).data  # kept units become 2
        array([[2., 2., 2., 0.]], dtype=float32)
    """
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(
            f"dropout: rate must be a number in [0, 1) (the fraction of units to drop); "
            f"received rate={rate!r}"
        )
    if not training or rate == 0:
        return as_tensor(x, where="dropout")
    return Dropout.apply(x, rate=float(rate), rng=_generator(rng, "dropout"),
                         noise_shape=noise_shape)
