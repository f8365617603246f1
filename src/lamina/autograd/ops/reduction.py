"""Reductions over axes: sum, mean, max, min, var, prod (each with ``axis`` and ``keepdims``)."""

from __future__ import annotations

import builtins  # this module defines sum, max and min

from lamina.autograd.function import Function
from lamina.autograd.ops._rows import by_rows

__all__ = ["sum", "mean", "max", "min", "var", "prod"]


def _axes(axis, ndim, op):
    """``axis`` as a sorted tuple of non-negative ints, checked against ``ndim``."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, int) or not -ndim <= a < ndim:
            raise ValueError(
                f"{op}: axis={axis!r} is out of range for an input with {ndim} axes "
                f"(expected integers in [{-ndim}, {ndim - 1}])"
            )
        out.append(a % ndim)
    return tuple(sorted(set(out)))


def _expand(grad, axes, keepdims):
    """Put the reduced axes back as size-1 axes so ``grad`` broadcasts over the input."""
    if keepdims or not axes:
        return grad
    shape = list(grad.shape)
    for a in axes:
        shape.insert(a, 1)
    return grad.reshape(shape)


class Sum(Function):
    name = "sum"

    def forward(self, x, *, axis, keepdims):
        self.axes = _axes(axis, x.ndim, self.name)
        self.keepdims, self.in_shape = keepdims, x.shape
        return x.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return self.xp.broadcast_to(_expand(grad, self.axes, self.keepdims), self.in_shape)


class Mean(Function):
    name = "mean"

    def forward(self, x, *, axis, keepdims):
        self.axes = _axes(axis, x.ndim, self.name)
        self.keepdims, self.in_shape = keepdims, x.shape
        return x.mean(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        count = 1
        for a in self.axes:
            count *= self.in_shape[a]
        g = _expand(grad, self.axes, self.keepdims) / builtins.max(count, 1)
        return self.xp.broadcast_to(g, self.in_shape)


class _Extreme(Function):
    """max / min: the gradient goes to the extreme entries, split evenly between ties.

    When the first axis is kept (max over time of a batch of sequences), big arrays are cut
    along it over lamina's threads (``_rows.py``); every slot is reduced whole either way,
    so the bits do not depend on the cut."""

    reducer = "max"

    def forward(self, x, *, axis, keepdims):
        self.axes = _axes(axis, x.ndim, self.name)
        if x.size == 0:
            raise ValueError(f"{self.name}: cannot reduce an empty array of shape {x.shape}")
        self.keepdims, xp = keepdims, self.xp
        out = xp.empty([1 if i in self.axes else n for i, n in enumerate(x.shape)], x.dtype)
        mask = xp.empty(x.shape, dtype=bool) if self.recording else None
        ties = xp.empty(out.shape, dtype=x.dtype) if self.recording else None

        def work(part):  # the extremes, the winners, and how many share each slot
            getattr(x[part], self.reducer)(axis=self.axes, keepdims=True, out=out[part])
            if mask is not None:
                xp.equal(x[part], out[part], out=mask[part])
                mask[part].sum(axis=self.axes, keepdims=True, dtype=x.dtype, out=ties[part])

        self._by_rows(work, x)
        if mask is not None:
            self.save_for_backward(mask, ties)
        return out if keepdims else out.reshape([n for i, n in enumerate(out.shape)
                                                if i not in self.axes])

    def _by_rows(self, fn, x):
        """``fn(part)`` on parts ``lo:hi`` of the first axis when it is kept, else once on
        all of ``x`` (``part``: ``...``)."""
        if x.ndim and 0 not in self.axes:
            by_rows(lambda lo, hi: fn(slice(lo, hi)), x)
        else:
            fn(Ellipsis)

    def backward(self, grad):
        mask, ties = self.saved  # the small gradient is split first, then spread to winners
        share = _expand(grad, self.axes, self.keepdims) / ties
        out = self.xp.empty(mask.shape, dtype=self.xp.result_type(mask, share))
        self._by_rows(lambda part: self.xp.multiply(mask[part], share[part], out=out[part]),
                      mask)
        return out


class Max(_Extreme):
    name = "max"
    reducer = "max"


class Min(_Extreme):
    name = "min"
    reducer = "min"


class Var(Function):
    """Variance ``mean((x - mean(x))**2)``, divided by ``N - ddof`` (population variance)."""

    name = "var"

    def forward(self, x, *, axis, keepdims, ddof):
        self.axes = _axes(axis, x.ndim, self.name)
        self.keepdims = keepdims
        count = 1
        for a in self.axes:
            count *= x.shape[a]
        self.denominator = builtins.max(count - ddof, 1)
        centered = x - x.mean(axis=self.axes, keepdims=True)
        if self.recording:
            self.save_for_backward(centered)
        return (centered * centered).sum(axis=self.axes, keepdims=keepdims) / self.denominator

    def backward(self, grad):
        (centered,) = self.saved
        return _expand(grad, self.axes, self.keepdims) * (2.0 / self.denominator) * centered


class Prod(Function):
    """Product over axes. The gradient of each entry is the product of the *other* entries,
    computed from prefix and suffix products so that a zero entry is handled exactly
    (dividing the product by the entry would give 0/0 there)."""

    name = "prod"

    def forward(self, x, *, axis, keepdims):
        self.axes = _axes(axis, x.ndim, self.name)
        self.keepdims = keepdims
        if self.recording:
            self.save_for_backward(x)
        return x.prod(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        (x,) = self.saved
        xp, axes = self.xp, self.axes
        kept = [a for a in range(x.ndim) if a not in axes]
        order = kept + list(axes)
        moved = x.transpose(order)
        flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
        ones = xp.ones(flat.shape[:-1] + (1,), x.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[..., 1:], ones], axis=-1), -1),
                                   axis=-1), -1)
        others = (before * after).reshape(moved.shape)
        others = others.transpose(sorted(range(x.ndim), key=order.__getitem__))
        return others * _expand(grad, axes, self.keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis`` (None: all axes); the gradient is exact at zero entries.

    >>> from lamina import Tensor
    >>> prod(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1).data
    array([ 2., 12.], dtype=float32)
    """
    return Prod.apply(x, axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """Sum over ``axis`` (all axes when None)."""
    return Sum.apply(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``."""
    return Mean.apply(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Largest entry over ``axis``; ties share the gradient evenly."""
    return Max.apply(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """Smallest entry over ``axis``; ties share the gradient evenly."""
    return Min.apply(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False, ddof=0):
    """Variance over ``axis`` (``ddof=0``: population variance, as Keras and NumPy)."""
    return Var.apply(x, axis=axis, keepdims=keepdims, ddof=ddof)
