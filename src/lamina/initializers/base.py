"""The Initializer base class and what every initializer shares: seeds, dtypes, fans."""

from __future__ import annotations

import math
import numbers

import numpy

from lamina._registry import Configurable
from lamina.backend import floatx
from lamina.random import make_rng


def _check_seed(seed, where):
    if seed is None or isinstance(seed, numpy.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise TypeError(
        f"{where}: seed must be a non-negative int, a numpy.random.Generator or None; "
        f"received seed={seed!r}"
    )


def _dtype(dtype, where, random=True):
    dt = numpy.dtype(floatx() if dtype is None else dtype)
    if random and dt.kind != "f":
        raise ValueError(
            f"{where}: random initializers need a float dtype; received dtype={dt.name}"
        )
    return dt


def _shape(shape, where):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: shape must be a tuple of ints; received shape={shape!r}"
        ) from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{where}: shape entries must be >= 0; received shape={shape}")
    return shape


def compute_fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape, as Keras computes them.

    Scalars count as 1; a vector ``(n,)`` as ``(n, n)``; ``(in, out)`` as is; a conv kernel
    ``(*window, in, out)`` multiplies both by the window size (the receptive field).
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer(Configurable):
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype)")

    def clone(self):
        return type(self).from_config(self.get_config())


class _RandomInitializer(Initializer):
    """Shared ``seed`` handling: an int seed repeats, a Generator advances, None is global."""

    def __init__(self, seed=None):
        self.seed = _check_seed(seed, type(self).__name__)

    def _rng(self) -> numpy.random.Generator:
        # a Generator is used as is; an int seeds a fresh Generator on every call; None
        # derives one from lamina's global generator (lamina.random.set_random_seed)
        return make_rng(self.seed)

    def get_config(self) -> dict:
        # a Generator cannot be written to JSON; the restored initializer is unseeded
        return {"seed": self.seed if isinstance(self.seed, int) else None}


def _draw_dtype(dtype):
    # NumPy's Generator draws float32 or float64; other floats (float16) are cast after
    return dtype if dtype in (numpy.float32, numpy.float64) else numpy.dtype("float32")


def _normal(rng, shape, dtype):
    return rng.standard_normal(shape, dtype=_draw_dtype(dtype))


def _truncated_normal(rng, shape, dtype):
    """Standard normal draws, each redrawn until it lies within 2 standard deviations."""
    dt = _draw_dtype(dtype)
    out = rng.standard_normal(shape, dtype=dt)
    bad = numpy.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=dt)
        bad = numpy.abs(out) > 2.0
    return out


def _uniform(rng, shape, dtype, low, high):
    out = rng.random(shape, dtype=_draw_dtype(dtype)) * (high - low) + low
    return out.astype(dtype, copy=False)
