"""Shape ops of ``keras.ops``: reshape, transpose, concatenate, stack, split, take, tile,
repeat, flip, roll, pad, tril, diagonal...

Every one moves or copies entries, so each is written with the engine's reshape,
transpose, concatenate and indexing (``getitem`` with integer arrays): the gradient of an
output entry returns to the input entry it was copied from, and entries copied twice add.
"""

from __future__ import annotations

import numpy

from lamina.autograd import ops as _engine
from lamina.ops._convert import array, integer_path, tensor, tensors

__all__ = ["append", "broadcast_to", "concatenate", "diag", "diagonal", "diff", "expand_dims",
           "flip", "hstack", "moveaxis", "pad", "ravel", "repeat", "reshape", "roll", "split",
           "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "transpose",
           "tril", "triu", "vstack"]


def _take_axis(t, indices, axis):
    """``t`` indexed by the integer array ``indices`` along ``axis`` (the engine's getitem)."""
    axis = axis % t.ndim
    return t[(slice(None),) * axis + (numpy.asarray(indices),)]


def reshape(x, newshape):
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    if integer_path(x):
        return numpy.reshape(array(x), newshape)
    return _engine.reshape(tensor(x, "reshape"), tuple(newshape) if not isinstance(
        newshape, int) else (newshape,))


def transpose(x, axes=None):
    """``x`` with its axes permuted (None: reversed)."""
    if integer_path(x):
        return numpy.transpose(array(x), axes)
    return _engine.transpose(tensor(x, "transpose"), None if axes is None else tuple(axes))


def expand_dims(x, axis):
    """``x`` with a new axis of size 1 at ``axis``."""
    if integer_path(x):
        return numpy.expand_dims(array(x), axis)
    return _engine.expand_dims(tensor(x, "expand_dims"), axis)


def squeeze(x, axis=None):
    """``x`` without its size-1 axes (or only ``axis``)."""
    if integer_path(x):
        return numpy.squeeze(array(x), axis)
    return _engine.squeeze(tensor(x, "squeeze"), axis)


def ravel(x):
    """``x`` flattened to one axis."""
    return reshape(x, (-1,))


def moveaxis(x, source, destination):
    """``x`` with axis ``source`` moved to ``destination`` (ints or sequences of ints)."""
    nd = len(numpy.shape(array(x)))
    src = [a % nd for a in ([source] if isinstance(source, int) else source)]
    dst = [a % nd for a in ([destination] if isinstance(destination, int) else destination)]
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source and destination must name as many axes; received "
                         f"source={source!r}, destination={destination!r}")
    order = [a for a in range(nd) if a not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(x, order)


def swapaxes(x, axis1, axis2):
    """``x`` with two axes exchanged."""
    order = list(range(len(numpy.shape(array(x)))))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(x, order)


def concatenate(xs, axis=0):
    """The tensors of ``xs`` joined along an existing ``axis``."""
    if integer_path(*xs):
        return numpy.concatenate([array(x) for x in xs], axis=axis)
    return _engine.concatenate(tensors(list(xs), "concatenate"), axis=axis)


def stack(x, axis=0):
    """The tensors of ``x`` joined along a new ``axis``."""
    if integer_path(*x):
        return numpy.stack([array(v) for v in x], axis=axis)
    return _engine.stack(tensors(list(x), "stack"), axis=axis)


def hstack(xs):
    """Joined along axis 1 (axis 0 for 1-D inputs), as ``numpy.hstack``."""
    return concatenate(xs, axis=0 if numpy.ndim(array(xs[0])) == 1 else 1)


def vstack(xs):
    """Joined along axis 0, 1-D inputs first made rows, as ``numpy.vstack``."""
    rows = [reshape(x, (1, -1)) if numpy.ndim(array(x)) == 1 else x for x in xs]
    return concatenate(rows, axis=0)


def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` along ``axis`` (None: both flattened)."""
    if axis is None:
        return concatenate([ravel(x1), ravel(x2)], axis=0)
    return concatenate([x1, x2], axis=axis)


def split(x, indices_or_sections, axis=0):
    """A list of pieces of ``x`` along ``axis``: ``n`` equal sections or cuts at indices."""
    n = numpy.shape(array(x))[axis]
    pieces = numpy.split(numpy.arange(n), indices_or_sections)  # NumPy checks equal division
    if integer_path(x):
        return [numpy.take(array(x), p, axis=axis) for p in pieces]
    t = tensor(x, "split")
    axis = axis % t.ndim
    return [t[(slice(None),) * axis + (slice(int(p[0]), int(p[-1]) + 1) if p.size
                                       else slice(0, 0),)] for p in pieces]


def take(x, indices, axis=None):
    """Entries of ``x`` at integer ``indices`` along ``axis`` (None: of the flattened input)."""
    idx = array(indices)
    if idx.dtype.kind not in "iu":
        idx = idx.astype(numpy.int64)
    if integer_path(x):
        return numpy.take(array(x), idx, axis=axis)
    t = tensor(x, "take")
    if axis is None:
        return _take_axis(_engine.reshape(t, (-1,)), idx, 0)
    return _take_axis(t, idx, axis)


def take_along_axis(x, indices, axis=None):
    """``numpy.take_along_axis``: per position, the entry of ``x`` at ``indices`` on ``axis``."""
    idx = array(indices).astype(numpy.int64)
    if integer_path(x):
        return numpy.take_along_axis(array(x), idx, axis=axis)
    t = tensor(x, "take_along_axis")
    if axis is None:
        t, axis = _engine.reshape(t, (-1,)), 0
    axis %= t.ndim
    if idx.ndim != t.ndim:
        raise ValueError(f"take_along_axis: indices must have as many axes as x ({t.ndim}); "
                         f"received indices of shape {idx.shape}")
    shape = numpy.broadcast_shapes(
        tuple(1 if i == axis else n for i, n in enumerate(t.shape)),
        tuple(1 if i == axis else n for i, n in enumerate(idx.shape)))
    grid = [numpy.arange(n).reshape([-1 if i == d else 1 for i in range(t.ndim)])
            for d, n in enumerate(shape)]
    grid[axis] = idx
    return t[tuple(grid)]


def flip(x, axis=None):
    """``x`` with the order of entries reversed along ``axis`` (None: all axes)."""
    nd = numpy.ndim(array(x))
    axes = range(nd) if axis is None else [axis] if isinstance(axis, int) else axis
    index = [slice(None)] * nd
    for a in axes:
        index[a % nd] = slice(None, None, -1)
    return array(x)[tuple(index)] if integer_path(x) else tensor(x, "flip")[tuple(index)]


def roll(x, shift, axis=None):
    """``x`` shifted by ``shift`` places along ``axis``, wrapping around (None: flattened)."""
    if axis is None:
        flat = ravel(x)
        return reshape(roll(flat, shift, axis=0), numpy.shape(array(x)))
    shifts = [shift] if isinstance(shift, int) else list(shift)
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = x
    for s, a in zip(shifts, axes, strict=True):
        n = numpy.shape(array(x))[a]
        out = take(out, (numpy.arange(n) - s) % n, axis=a)
    return out


def repeat(x, repeats, axis=None):
    """Each entry repeated ``repeats`` times along ``axis`` (None: of the flattened input)."""
    if axis is None:
        x, axis = ravel(x), 0
    n = numpy.shape(array(x))[axis]
    return take(x, numpy.repeat(numpy.arange(n), repeats), axis=axis)


def tile(x, repeats):
    """``x`` repeated as whole blocks, ``repeats[i]`` times along axis i."""
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    shape = numpy.shape(array(x))
    if len(reps) > len(shape):
        shape = (1,) * (len(reps) - len(shape)) + tuple(shape)
        x = reshape(x, shape)
    reps = [1] * (len(shape) - len(reps)) + reps
    for a, r in enumerate(reps):
        if r != 1:
            x = take(x, numpy.tile(numpy.arange(shape[a]), r), axis=a)
    return x


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``; the gradient sums over the broadcast axes."""
    if integer_path(x):
        return numpy.broadcast_to(array(x), shape)
    t = tensor(x, "broadcast_to")
    return t + numpy.zeros(shape, t.dtype)


def pad(x, pad_width, mode="constant", constant_values=None):
    """``x`` padded by ``pad_width`` ((before, after) per axis): ``'constant'`` with
    ``constant_values`` (default 0), or ``'reflect'``, ``'symmetric'``, ``'edge'``, ``'wrap'``
    (entries copied from inside, so their gradients add back to where they came from)."""
    if integer_path(x):
        kwargs = {"constant_values": constant_values or 0} if mode == "constant" else {}
        return numpy.pad(array(x), pad_width, mode=mode, **kwargs)
    t = tensor(x, "pad")
    if mode == "constant":
        return _engine.pad(t, pad_width, constant_values=constant_values or 0.0)
    if mode not in ("reflect", "symmetric", "edge", "wrap"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'symmetric', 'edge' or "
                         f"'wrap'; received mode={mode!r}")
    if constant_values is not None:
        raise ValueError(f"pad: constant_values goes with mode='constant' only; received "
                         f"mode={mode!r}, constant_values={constant_values!r}")
    widths = numpy.broadcast_to(numpy.asarray(pad_width), (t.ndim, 2))
    for a, (lo, hi) in enumerate(widths):
        if lo or hi:
            t = _take_axis(t, numpy.pad(numpy.arange(t.shape[a]), (int(lo), int(hi)), mode=mode),
                           a)
    return t


def _band(x, k, lower):
    t = tensor(x, "tril" if lower else "triu")
    n, m = t.shape[-2:]
    mask = numpy.tri(n, m, k, dtype=bool)
    return _engine.where(mask if lower else ~numpy.tri(n, m, k - 1, dtype=bool), t, 0.0)


def tril(x, k=0):
    """``x`` with the entries above the k-th diagonal set to 0 (last two axes)."""
    return numpy.tril(array(x), k) if integer_path(x) else _band(x, k, lower=True)


def triu(x, k=0):
    """``x`` with the entries below the k-th diagonal set to 0 (last two axes)."""
    return numpy.triu(array(x), k) if integer_path(x) else _band(x, k, lower=False)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of the plane (axis1, axis2), on a new last axis."""
    if integer_path(x):
        return numpy.diagonal(array(x), offset, axis1, axis2)
    t = moveaxis(tensor(x, "diagonal"), (axis1, axis2), (-2, -1))
    n, m = t.shape[-2:]
    rows = numpy.arange(max(0, min(n + min(offset, 0), m - max(offset, 0))))
    return t[..., rows - min(offset, 0), rows + max(offset, 0)]


def diag(x, k=0):
    """A 1-D input placed on the k-th diagonal of a square matrix, or a 2-D input's k-th
    diagonal."""
    if integer_path(x):
        return numpy.diag(array(x), k)
    t = tensor(x, "diag")
    if t.ndim == 2:
        return diagonal(t, k)
    if t.ndim != 1:
        raise ValueError(f"diag: x must be 1-D or 2-D; received shape {t.shape}")
    n = t.shape[0] + abs(k)
    rows, cols = numpy.indices((n, n))
    on = cols - rows == k
    position = numpy.where(on, numpy.minimum(rows, cols), 0)
    return _engine.where(on, t[position], 0.0)


def diff(a, n=1, axis=-1):
    """The ``n``-th difference along ``axis``: ``a[1:] - a[:-1]``, ``n`` times."""
    if integer_path(a):
        return numpy.diff(array(a), n=n, axis=axis)
    t = tensor(a, "diff")
    axis %= t.ndim
    head = (slice(None),) * axis
    for _ in range(n):
        t = t[head + (slice(1, None),)] - t[head + (slice(None, -1),)]
    return t
