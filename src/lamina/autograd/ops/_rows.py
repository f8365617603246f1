"""Elementwise passes over big arrays, cut along the first axis over lamina's threads.

NumPy's ufuncs run on one core; an op whose work is one or a few elementwise passes (ReLU,
batch norm's centring and scaling) cuts its arrays into parts of the first axis and runs
each part's pass on a thread of :func:`lamina.parallel.parallel_for`. Every element is
computed by the same operations in any part, so the result has the same bits whatever the
thread count. Arrays below ``plans.ROWS_SPLIT_ELEMENTS`` run in one call (a thread hand-off
costs more than the pass).
"""

from __future__ import annotations

from lamina.autograd.ops import plans
from lamina.parallel import parallel_for


def by_rows(fn, n: int, size: int) -> None:
    """``fn(lo, hi)`` on parts ``lo:hi`` of a first axis of length ``n`` of arrays with
    ``size`` elements: in parallel when ``plans.split_rows(size)``, else ``fn(0, n)``."""
    if plans.split_rows(size):
        parallel_for(fn, n)
    else:
        fn(0, n)


def unary(xp, ufunc, x, *args):
    """``ufunc(x, *args)`` (``args``: scalars or arrays broadcasting against one row) into a
    new array, by parts of the first axis."""
    if not x.ndim:
        return ufunc(x, *args)
    out = xp.empty(x.shape, dtype=xp.result_type(x, *args))
    by_rows(lambda lo, hi: ufunc(x[lo:hi], *args, out=out[lo:hi]), x.shape[0], x.size)
    return out
