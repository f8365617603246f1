"""Elementwise passes over big arrays, cut along the first axis over lamina's threads.

NumPy's ufuncs run on one core; an op whose work is one or a few elementwise passes (ReLU,
batch norm's centring and scaling) cuts its arrays into parts of the first axis and runs
each part's pass on a thread of :func:`lamina.parallel.parallel_for`. Every element is
computed by the same operations in any part, so the result has the same bits whatever the
thread count. Arrays below ``plans.ROWS_SPLIT_ELEMENTS`` run in one call (a thread hand-off
costs more than the pass), and so does a pass that reads an array varying along the first
axis whole (a per-channel scale when the channels are the first axis): a part of the first
axis would not broadcast against it.
"""

from __future__ import annotations

from lamina.autograd.ops import plans
from lamina.parallel import parallel_for


def _spans_rows(a, ndim: int) -> bool:
    """Whether ``a`` (an array, a scalar or None), broadcast against an array with ``ndim``
    axes, varies along that array's first axis."""
    shape = getattr(a, "shape", ())
    return len(shape) >= ndim and shape[len(shape) - ndim] != 1


def by_rows(fn, x, shared=()) -> None:
    """``fn(lo, hi)`` on parts ``lo:hi`` of the first axis of ``x`` (and of the arrays shaped
    like it that ``fn`` reads and writes): in parallel when ``plans.split_rows(x.size)``,
    else ``fn(0, len(x))``. ``shared``: the other operands ``fn`` broadcasts whole against
    each part (scalars, per-channel arrays); one that varies along the first axis keeps the
    pass in one call."""
    n = x.shape[0]
    if plans.split_rows(x.size) and not any(_spans_rows(a, x.ndim) for a in shared):
        parallel_for(fn, n)
    else:
        fn(0, n)


def unary(xp, ufunc, x, *args):
    """``ufunc(x, *args)`` (``args``: scalars or arrays broadcasting against ``x``) into a
    new array, by parts of the first axis."""
    if not x.ndim:
        return ufunc(x, *args)
    out = xp.empty(x.shape, dtype=xp.result_type(x, *args))
    by_rows(lambda lo, hi: ufunc(x[lo:hi], *args, out=out[lo:hi]), x, args)
    return out


def concatenate(xp, arrays, axis: int):
    """``xp.concatenate(arrays, axis)``; for ``axis`` >= 1 by parts of the first axis (a copy:
    the same bits on any thread count). U-Net's skips join channels this way."""
    if axis == 0:
        return xp.concatenate(arrays, axis=0)
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = xp.empty(shape, dtype=xp.result_type(*arrays))
    by_rows(lambda lo, hi: xp.concatenate([a[lo:hi] for a in arrays], axis=axis,
                                          out=out[lo:hi]), out)
    return out
