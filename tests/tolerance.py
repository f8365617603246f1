"""Tolerances derived from the arithmetic, for comparing two float computations.

Two ways of computing the same sum (a BLAS kernel for one CPU against another, a product cut
into row blocks against one call, a fast path against the reference) agree only up to
rounding. Each of the K additions of a sum rounds by at most half an ulp of the running
total; rounding errors of random sign add up like a random walk, so two orders of summation
of K terms of magnitude ``s`` differ by about ``eps * sqrt(K) * s``. We allow four times
that (the bound of the issue that introduced this helper), and never less than a few ulps
of the values compared.

Use :func:`assert_sums_close` (or :func:`assert_matmul_close` for ``a @ b``) instead of a
hand-picked ``rtol``/``atol``: the tolerance then follows the dtype and the sizes, and holds on
every CPU. Bit equality (``assert_array_equal``) is for what lamina promises: the same code
path, the same thread count, the same machine.
"""

from __future__ import annotations

import math

import numpy as np

#: the multiple of ``eps * sqrt(K) * s`` two summation orders may differ by
SAFETY = 4.0


def eps(dtype) -> float:
    """Machine epsilon of ``dtype`` (float32: 1.19e-7, float64: 2.22e-16)."""
    return float(np.finfo(np.dtype(dtype)).eps)


def sum_atol(terms: int, scale: float, dtype) -> float:
    """Absolute tolerance for two computations of a sum of ``terms`` values of magnitude
    ``scale`` in ``dtype``: ``SAFETY * eps * sqrt(terms) * scale``."""
    return SAFETY * eps(dtype) * math.sqrt(max(int(terms), 1)) * float(scale)


def assert_sums_close(actual, desired, terms: int, scale: float, dtype=None, ulps: int = 4):
    """``actual`` equals ``desired`` up to the rounding of sums of ``terms`` terms of
    magnitude ``scale`` (plus ``ulps`` ulps of ``desired``, for a final rounding)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    dtype = dtype or np.result_type(actual, desired)
    np.testing.assert_allclose(actual, desired, rtol=ulps * eps(dtype),
                               atol=sum_atol(terms, scale, dtype))


def assert_matmul_close(actual, a, b, dtype=None, extra=None):
    """``actual`` equals ``a @ b`` (computed here in float64) up to the rounding of the K-term
    sums in ``dtype``; ``extra`` is added to the product (e.g. a bias)."""
    a, b = np.asarray(a), np.asarray(b)
    dtype = dtype or np.result_type(a, b)
    desired = a.astype(np.float64) @ b.astype(np.float64)
    if extra is not None:
        desired = desired + extra
    scale = float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0))
    assert_sums_close(actual, desired, a.shape[-1], scale, dtype)


def elementwise_atol(ops: int, scale: float, dtype) -> float:
    """Absolute tolerance for two computations of ``ops`` chained roundings (no long sum) of
    values of magnitude ``scale``: ``SAFETY * eps * ops * scale``."""
    return SAFETY * eps(dtype) * max(int(ops), 1) * float(scale)
