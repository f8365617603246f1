"""Reductions and orderings of ``keras.ops``: sum, mean, max, var, prod, norm, logsumexp,
cumsum, argmax, sort...

Sums, means, extremes, variances and products go through the engine (gradients flow);
``argmax``, ``argsort``, ``all``, ``count_nonzero`` give integer or boolean arrays; ``sort``
gathers the entries in order, so the gradient of each goes back to where it came from.
"""

from __future__ import annotations

import numpy

from lamina.autograd import ops as _engine
from lamina.ops._convert import array, integer_path, tensor

__all__ = ["all", "any", "argmax", "argmin", "argsort", "average", "count_nonzero", "cumsum",
           "logsumexp", "max", "mean", "min", "norm", "prod", "sort", "std", "sum", "var"]


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """Sum over ``axis`` (None: all)."""
    if integer_path(x):
        return numpy.sum(array(x), axis=_axis(axis), keepdims=keepdims)
    return _engine.sum(tensor(x, "sum"), axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (None: all); a float result."""
    return _engine.mean(tensor(x, "mean"), axis=_axis(axis), keepdims=keepdims)


def _extreme(name, x, axis, keepdims, initial):
    if integer_path(x, initial):
        kwargs = {} if initial is None else {"initial": initial}
        return getattr(numpy, name)(array(x), axis=_axis(axis), keepdims=keepdims, **kwargs)
    out = getattr(_engine, name)(tensor(x, name), axis=_axis(axis), keepdims=keepdims)
    if initial is None:
        return out
    return (_engine.maximum if name == "max" else _engine.minimum)(out, initial)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Largest entry over ``axis``; ties share the gradient; ``initial`` joins the contest."""
    return _extreme("max", x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Smallest entry over ``axis``; ties share the gradient; ``initial`` joins the contest."""
    return _extreme("min", x, axis, keepdims, initial)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    return _engine.var(tensor(x, "var"), axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    return _engine.sqrt(var(x, axis=axis, keepdims=keepdims))


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis``; exact gradient even at zero entries."""
    if integer_path(x) and (dtype is None or numpy.dtype(dtype).kind != "f"):
        return numpy.prod(array(x), axis=_axis(axis), keepdims=keepdims, dtype=dtype)
    out = _engine.prod(tensor(x, "prod"), axis=_axis(axis), keepdims=keepdims)
    return out if dtype is None else _engine.cast(out, dtype)


def average(x, axis=None, weights=None):
    """Weighted mean over ``axis``: ``sum(x * w) / sum(w)``; 1-D ``weights`` lie along ``axis``."""
    if weights is None:
        return mean(x, axis=axis)
    t = tensor(x, "average")
    w = array(weights)
    if axis is not None and w.ndim == 1 and t.ndim > 1:
        shape = [1] * t.ndim
        shape[axis] = w.shape[0]
        w = w.reshape(shape)
    w = w.astype(t.dtype)
    return _engine.sum(t * w, axis=axis) / numpy.sum(numpy.broadcast_to(w, t.shape), axis=axis)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, shifted by the max so it does not overflow."""
    t = tensor(x, "logsumexp")
    top = numpy.max(t.data, axis=_axis(axis), keepdims=True)
    top = numpy.where(numpy.isfinite(top), top, 0.0)  # a constant shift: no gradient
    out = _engine.log(_engine.sum(_engine.exp(t - top), axis=_axis(axis), keepdims=True)) + top
    if keepdims:
        return out
    return _engine.squeeze(out, axis=_axis(axis)) if axis is not None else _engine.reshape(out, ())


def cumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` (None: over the flattened input)."""
    if integer_path(x) and (dtype is None or numpy.dtype(dtype).kind != "f"):
        return numpy.cumsum(array(x), axis=axis, dtype=dtype)
    out = _engine.cumsum(tensor(x, "cumsum"), axis=axis)
    return out if dtype is None else _engine.cast(out, dtype)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    """Vector norms (``ord`` None/2, 1, inf, -inf or any p > 0) over one axis, and matrix norms
    (None/'fro', 1, -1, inf, -inf) over two axes or of a 2-D input with ``axis=None``."""
    t = tensor(x, "norm")
    axes = (tuple(range(t.ndim)) if t.ndim <= 2 else None) if axis is None else \
        ((axis,) if isinstance(axis, int) else tuple(axis))
    if axes is None or len(axes) == t.ndim and t.ndim > 2:
        if ord is not None:
            raise ValueError(f"norm: ord={ord!r} needs axis when the input has {t.ndim} axes")
        return _engine.sqrt(_engine.sum(_engine.square(t), axis=axis, keepdims=keepdims))
    if len(axes) == 1 or (axis is None and t.ndim == 1):
        a = axes[0]
        if ord is None or ord == 2:
            return _engine.sqrt(_engine.sum(_engine.square(t), axis=a, keepdims=keepdims))
        if ord == numpy.inf or ord == -numpy.inf:
            reduce = _engine.max if ord > 0 else _engine.min
            return reduce(_engine.abs(t), axis=a, keepdims=keepdims)
        if ord == 1:
            return _engine.sum(_engine.abs(t), axis=a, keepdims=keepdims)
        if isinstance(ord, (int, float)) and ord > 0:
            total = _engine.sum(_engine.power(_engine.abs(t), float(ord)), axis=a,
                                keepdims=keepdims)
            return _engine.power(total, 1.0 / ord)
        raise ValueError(f"norm: for a vector norm ord must be None, a number > 0, inf or "
                         f"-inf; received ord={ord!r}")
    if len(axes) != 2:
        raise ValueError(f"norm: axis must be an int or a pair of ints; received axis={axis!r}")
    rows, cols = (a % t.ndim for a in axes)
    if ord is None or ord == "fro":
        return _engine.sqrt(_engine.sum(_engine.square(t), axis=axes, keepdims=keepdims))
    if ord in (1, -1, numpy.inf, -numpy.inf):
        inner, outer = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = _engine.sum(_engine.abs(t), axis=inner, keepdims=True)
        out = (_engine.max if ord > 0 else _engine.min)(sums, axis=outer, keepdims=True)
        return out if keepdims else _engine.squeeze(out, axis=(rows, cols))
    raise ValueError(f"norm: lamina's matrix norms are ord None, 'fro', 1, -1, inf and -inf; "
                     f"received ord={ord!r}")


# ------------------------------------------------------------- orderings (no gradient)
def argmax(x, axis=None, keepdims=False):
    """Index of the largest entry over ``axis`` (None: of the flattened input)."""
    return numpy.argmax(array(x), axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the smallest entry over ``axis`` (None: of the flattened input)."""
    return numpy.argmin(array(x), axis=axis, keepdims=keepdims)


def argsort(x, axis=-1):
    """The indices that sort ``x`` along ``axis`` (a stable sort)."""
    return numpy.argsort(array(x), axis=axis, kind="stable")


def sort(x, axis=-1):
    """``x`` sorted along ``axis``; each entry's gradient returns to its original place."""
    if integer_path(x):
        return numpy.sort(array(x), axis=axis)
    from lamina.ops.manipulation import take_along_axis  # noqa: PLC0415  (a sibling module)

    return take_along_axis(x, argsort(x, axis=axis), axis=axis)


def all(x, axis=None, keepdims=False):  # noqa: A001
    """Whether every entry over ``axis`` is true (non-zero)."""
    return numpy.all(array(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    """Whether some entry over ``axis`` is true (non-zero)."""
    return numpy.any(array(x), axis=_axis(axis), keepdims=keepdims)


def count_nonzero(x, axis=None):
    """How many entries over ``axis`` are non-zero."""
    return numpy.count_nonzero(array(x), axis=_axis(axis))

