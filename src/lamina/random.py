"""Explicit randomness: one seed makes a whole run repeatable.

Everything random in lamina (initializers, dropout, shuffling in ``fit``, data
augmentation) takes a ``seed`` (an int or a ``numpy.random.Generator``). When it is
left out, it draws from lamina's global generator, which
:func:`set_random_seed` resets, as ``keras.utils.set_random_seed`` does.
"""

from __future__ import annotations

import numpy

from lamina._checks import is_int

_global = numpy.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Reset the global generator so every unseeded component repeats its draws."""
    global _global
    if not is_int(seed) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative int; received {seed!r}")
    _global = numpy.random.default_rng(int(seed))


def make_rng(seed=None) -> numpy.random.Generator:
    """A Generator for ``seed``: a Generator is used as is, an int seeds a new one,
    None derives a new one from the global generator."""
    if isinstance(seed, numpy.random.Generator):
        return seed
    if seed is None:
        return numpy.random.default_rng(_global.integers(2**63))
    if isinstance(seed, (int, numpy.integer)) and not isinstance(seed, bool) and seed >= 0:
        return numpy.random.default_rng(int(seed))
    raise ValueError(
        f"seed must be None, a non-negative int or a numpy.random.Generator; received {seed!r}"
    )
