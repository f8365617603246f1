"""Explicit randomness: one seed makes a whole run repeatable (``keras.random``).

Everything random in lamina (initializers, dropout, shuffling in ``fit``, data
augmentation) takes a ``seed``: an int, a ``numpy.random.Generator`` or a
:class:`SeedGenerator`. When it is left out, it draws from lamina's global generator,
which :func:`set_random_seed` resets, as ``keras.utils.set_random_seed`` does.

The Keras draws: :func:`normal`, :func:`uniform`, :func:`truncated_normal` give float
Tensors (``floatx()`` unless ``dtype`` says otherwise); :func:`randint` and
:func:`categorical` integer arrays; :func:`shuffle` and :func:`dropout` work on a tensor
(dropout's gradient flows through the engine's dropout op).
"""

from __future__ import annotations

import numpy

from lamina._checks import is_int

__all__ = ["SeedGenerator", "categorical", "dropout", "make_rng", "normal", "randint",
           "set_random_seed", "shuffle", "truncated_normal", "uniform"]

_global = numpy.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Reset the global generator so every unseeded component repeats its draws."""
    global _global
    if not is_int(seed) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative int; received {seed!r}")
    _global = numpy.random.default_rng(int(seed))


class SeedGenerator:
    """A stateful source of randomness (``keras.random.SeedGenerator``): each draw that takes
    it advances it, so two calls give different numbers and a rerun gives the same ones.

    >>> gen = SeedGenerator(42)
    >>> a, b = normal((2,), seed=gen), normal((2,), seed=gen)  # different draws
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"SeedGenerator: unexpected arguments {sorted(kwargs)}")
        if seed is not None and (not is_int(seed) or seed < 0):
            raise ValueError(f"SeedGenerator: seed must be None or a non-negative int; "
                             f"received seed={seed!r}")
        self.name = name or "seed_generator"
        self.rng = make_rng(seed)

    def next(self) -> int:
        """A fresh int seed from this generator."""
        return int(self.rng.integers(2**63))


def make_rng(seed=None) -> numpy.random.Generator:
    """A Generator for ``seed``: a Generator is used as is (so is a SeedGenerator's), an int
    seeds a new one, None derives a new one from the global generator."""
    if isinstance(seed, numpy.random.Generator):
        return seed
    if isinstance(seed, SeedGenerator):
        return seed.rng
    if seed is None:
        return numpy.random.default_rng(_global.integers(2**63))
    if isinstance(seed, (int, numpy.integer)) and not isinstance(seed, bool) and seed >= 0:
        return numpy.random.default_rng(int(seed))
    raise ValueError(
        "seed must be None, a non-negative int, a numpy.random.Generator or a SeedGenerator; "
        f"received {seed!r}"
    )


def _shape(shape, op):
    items = ((shape,) if is_int(shape) else
             tuple(shape) if isinstance(shape, (tuple, list)) else None)
    if items is None or not all(is_int(n) and n >= 0 for n in items):
        raise ValueError(f"{op}: shape must be a tuple of non-negative ints; received "
                         f"shape={shape!r}")
    return tuple(int(n) for n in items)


def _float(values, dtype, op):
    from lamina.autograd import Tensor  # noqa: PLC0415  (keeps import lamina light)
    from lamina.backend import floatx  # noqa: PLC0415

    dt = numpy.dtype(dtype or floatx())
    if dt.kind != "f":
        raise ValueError(f"{op}: dtype must be a float dtype; received dtype={dtype!r}")
    return Tensor(values.astype(dt))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A float Tensor of ``shape`` drawn from N(mean, stddev^2)."""
    values = make_rng(seed).normal(mean, stddev, _shape(shape, "normal"))
    return _float(values, dtype, "normal")


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A float Tensor of ``shape`` drawn uniformly from ``[minval, maxval)``."""
    if not minval < maxval:
        raise ValueError(f"uniform: minval must be below maxval; received minval={minval!r}, "
                         f"maxval={maxval!r}")
    values = make_rng(seed).uniform(minval, maxval, _shape(shape, "uniform"))
    return _float(values, dtype, "uniform")


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev^2) with every value beyond two standard deviations drawn again."""
    rng, size = make_rng(seed), _shape(shape, "truncated_normal")
    values = rng.standard_normal(size)
    bad = numpy.abs(values) > 2.0
    while bad.any():
        values[bad] = rng.standard_normal(int(bad.sum()))
        bad = numpy.abs(values) > 2.0
    return _float(mean + stddev * values, dtype, "truncated_normal")


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """An integer array of ``shape`` drawn uniformly from ``[minval, maxval)``."""
    if numpy.dtype(dtype).kind not in "iu":
        raise ValueError(f"randint: dtype must be an integer dtype; received dtype={dtype!r}")
    return make_rng(seed).integers(minval, maxval, _shape(shape, "randint")).astype(dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """For each row of ``logits`` (batch, classes), ``num_samples`` class indices drawn from
    softmax(row): an integer array (batch, num_samples)."""
    z = numpy.asarray(getattr(logits, "data", logits), dtype=numpy.float64)
    if z.ndim != 2:
        raise ValueError(f"categorical: logits must be 2-D (batch, classes); received shape "
                         f"{z.shape}")
    p = numpy.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rng = make_rng(seed)
    out = numpy.stack([rng.choice(z.shape[1], size=int(num_samples), p=row) for row in p])
    return out.astype(dtype)


def shuffle(x, axis=0, seed=None):
    """``x`` with its entries along ``axis`` in a random order (a Tensor keeps its graph)."""
    from lamina import ops  # noqa: PLC0415

    x = ops.convert_to_tensor(x)
    order = make_rng(seed).permutation(x.shape[axis])
    return ops.take(x, order, axis=axis)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability ``rate`` and scale the rest by ``1 / (1 - rate)``."""
    from lamina import ops  # noqa: PLC0415
    from lamina.autograd.ops import dropout as _dropout  # noqa: PLC0415

    return _dropout(ops.convert_to_tensor(inputs), rate, training=True, rng=make_rng(seed),
                    noise_shape=noise_shape)
