"""Shape ops: reshape, expand_dims, squeeze, flatten, transpose, getitem, concatenate, stack, pad.

None changes a value, they only move entries, so each backward moves the gradient back:
reshapes it, transposes it inversely, slices it, or writes it into zeros.
"""

from __future__ import annotations

import math
import operator
from itertools import accumulate

from lamina.autograd.function import Function
from lamina.autograd.ops import _rows, _scatter
from lamina.autograd.tensor import Tensor, as_tensor

__all__ = ["reshape", "transpose", "getitem", "concatenate", "stack", "pad", "expand_dims",
           "squeeze", "flatten"]


def _int(value):
    """``value`` as a Python int (NumPy integers included), or None if it is not an integer."""
    try:
        return None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        return None


def _axis(axis, ndim, op):
    """One axis as a non-negative int, checked against ``ndim`` axes."""
    a = _int(axis)
    if a is None or not -ndim <= a < ndim:
        raise ValueError(f"{op}: axis={axis!r} is out of range for {ndim} axes "
                         f"(expected an integer in [{-ndim}, {ndim - 1}])")
    return a % ndim


def _axes(axis, ndim, op):
    """An int or a sequence of ints as a set of distinct non-negative axes."""
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = {_axis(a, ndim, op) for a in items}
    if len(axes) != len(items):
        raise ValueError(f"{op}: axis={axis!r} repeats an axis")
    return axes


# ----------------------------------------------------------------------- reshape family
class Reshape(Function):
    """Every op that only changes the shape; subclasses compute the target shape."""

    name = "reshape"

    def forward(self, x, **params):
        self.in_shape, dims = x.shape, self.target(x.shape, **params)
        try:
            return x.reshape(dims)
        except ValueError:  # sizes that do not multiply out, or two -1 (only plain reshape)
            raise self.error(x.shape, params["shape"]) from None

    def backward(self, grad):
        return grad.reshape(self.in_shape)

    def target(self, in_shape, *, shape):
        dims = (shape,) if _int(shape) is not None else shape
        if isinstance(dims, (tuple, list)) and all(_int(d) is not None and d >= -1 for d in dims):
            return tuple(dims)
        raise self.error(in_shape, shape)

    @staticmethod
    def error(in_shape, shape):
        size = math.prod(in_shape)
        return ValueError(
            f"reshape: cannot reshape an input of shape {tuple(in_shape)} ({size} elements) "
            f"into shape={shape!r}; expected non-negative sizes multiplying to {size}, with "
            "at most one -1 for a size to infer")


class ExpandDims(Reshape):
    name = "expand_dims"

    def target(self, in_shape, *, axis):
        n = len(in_shape) + (len(axis) if isinstance(axis, (tuple, list)) else 1)
        axes, rest = _axes(axis, n, self.name), iter(in_shape)
        return tuple(1 if i in axes else next(rest) for i in range(n))


class Squeeze(Reshape):
    name = "squeeze"

    def target(self, in_shape, *, axis):
        axes = ({i for i, n in enumerate(in_shape) if n == 1} if axis is None
                else _axes(axis, len(in_shape), self.name))
        for a in sorted(axes):
            if in_shape[a] != 1:
                raise ValueError(
                    f"squeeze: cannot remove axis {a} of size {in_shape[a]} from shape "
                    f"{tuple(in_shape)}; only axes of size 1 can be squeezed; received "
                    f"axis={axis!r}")
        return tuple(n for i, n in enumerate(in_shape) if i not in axes)


class Flatten(Reshape):
    name = "flatten"

    def target(self, in_shape):
        if not in_shape:
            raise ValueError("flatten: expected an input with a batch axis (at least 1-D); "
                             "received shape ()")
        return (in_shape[0], math.prod(in_shape[1:]))


class Transpose(Function):
    name = "transpose"

    def forward(self, x, *, axes):
        n = x.ndim
        if axes is None:
            axes = tuple(range(n - 1, -1, -1))
        else:
            items = [_int(a) for a in axes] if isinstance(axes, (tuple, list)) else [None]
            if (len(items) != n or None in items
                    or sorted(a % n for a in items if -n <= a < n) != list(range(n))):
                raise ValueError(
                    f"transpose: axes must be a permutation of the {n} axes of shape {x.shape} "
                    f"(each of 0..{n - 1} once; negative axes allowed); received axes={axes!r}")
            axes = tuple(a % n for a in items)
        self.inverse = tuple(sorted(range(n), key=axes.__getitem__))
        return x.transpose(axes)

    def backward(self, grad):
        return grad.transpose(self.inverse)


# ----------------------------------------------------------------------------- getitem
def _show(index):
    """A short text of an index: slices as ``a:b``, arrays by shape and dtype."""
    def one(item):
        if getattr(item, "ndim", 0) > 0:
            return f"array(shape={tuple(item.shape)}, dtype={item.dtype})"
        if isinstance(item, slice):
            parts = ["" if v is None else str(v) for v in (item.start, item.stop, item.step)]
            return ":".join(parts[:2] if item.step is None else parts)
        return "..." if item is Ellipsis else repr(item)
    return one(index[0]) if len(index) == 1 else "(" + ", ".join(map(one, index)) + ")"


def _index_items(index, xp):
    """The index as a tuple NumPy accepts, and whether it has integer arrays (repeats possible).

    A Tensor stands for its data. Tensors hold floats, so its entries must be whole numbers
    and act as integer indices (for a mask use a boolean array such as ``x > 0``).
    """
    items, accumulate_ = [], False
    for item in index if isinstance(index, tuple) else (index,):
        if item is None or item is Ellipsis or isinstance(item, (slice, int)):
            items.append(item)  # True/False (ints too) add an axis and never repeat
            continue
        if isinstance(item, Tensor):
            if not bool((item.data == xp.floor(item.data)).all()):
                raise TypeError("getitem: a Tensor used as an index must hold whole numbers "
                                "(they are used as integer indices); for a mask use a boolean "
                                "array such as x > 0")
            item = item.data.astype(xp.intp)
        elif isinstance(item, (list, tuple)) or hasattr(item, "dtype"):
            item = xp.asarray(item)
            if item.size == 0 and item.dtype.kind == "f":  # x[[]]: an empty integer index
                item = item.astype(xp.intp)
        else:
            raise TypeError(f"getitem: an index must be made of ints, slices, None, ..., boolean "
                            f"arrays or integer arrays; received {item!r} ({type(item).__name__})")
        if item.dtype.kind not in "biu":
            raise TypeError(f"getitem: index arrays must hold integers or booleans; received "
                            f"dtype={item.dtype}")
        accumulate_ = accumulate_ or (item.dtype.kind != "b" and item.ndim > 0)
        items.append(item)
    return tuple(items), accumulate_


def _index_error(index, shape):
    """Our message for an index NumPy refused (runs only when indexing failed)."""
    where = f"(input shape {tuple(shape)}, index {_show(index)})"
    masks = [getattr(i, "dtype", None) is not None and i.dtype.kind == "b" for i in index]
    widths = [i.ndim if m else int(i is not None and i is not Ellipsis and not isinstance(i, bool))
              for i, m in zip(index, masks, strict=True)]  # the input axes each item consumes
    if sum(widths) > len(shape):
        return IndexError(f"getitem: too many indices: the index uses {sum(widths)} axes but the "
                          f"input has {len(shape)} {where}")
    if sum(i is Ellipsis for i in index) > 1:
        return IndexError(f"getitem: an index can hold only one Ellipsis (...) {where}")
    axis, arrays = 0, 0
    for item, mask, width in zip(index, masks, widths, strict=True):
        axis += (len(shape) - sum(widths)) if item is Ellipsis else 0
        axes = tuple(shape[axis:axis + width])
        if mask and tuple(item.shape) != axes:
            return IndexError(f"getitem: a boolean mask of shape {tuple(item.shape)} does not "
                              f"match the shape {axes} of the axes it indexes {where}")
        if width and not mask and not isinstance(item, slice):  # an int or an integer array
            arrays += hasattr(item, "shape")
            ends = ([item] if isinstance(item, int) else
                    [int(item.min()), int(item.max())] if item.size else [])
            bad = [v for v in ends if not -axes[0] <= v < axes[0]]
            if bad:
                return IndexError(f"getitem: index {bad[0]} is out of range for axis {axis} of "
                                  f"size {axes[0]} {where}")
        axis += width
    if arrays > 1:
        return IndexError(f"getitem: the index arrays do not broadcast together {where}")
    return IndexError(f"getitem: invalid index {where}")


class GetItem(Function):
    """``x[index]``; backward writes the gradient into zeros at the indexed places."""

    name = "getitem"

    def forward(self, x, *, index):
        xp = self.xp
        index, accumulate_ = _index_items(index, xp)
        try:
            out = x[index]
        except (IndexError, ValueError):
            raise _index_error(index, x.shape) from None
        except TypeError as err:  # e.g. a slice with float bounds
            raise TypeError(f"getitem: invalid index {_show(index)}: {err}") from None
        if not isinstance(out, xp.ndarray):  # NumPy returns a scalar for a single element
            out = xp.asarray(out)
        if self.recording:
            self.index, self.accumulate, self.in_shape = index, accumulate_, x.shape
        return out

    def backward(self, grad):
        g = self.xp.zeros(self.in_shape, grad.dtype)
        if self.accumulate:
            _scatter.scatter_add(self.xp, g, self.index, grad)  # x[[0, 0]]: both add into x[0]
        else:
            g[self.index] = grad  # slices, ints and masks never reach an entry twice
        return g


# --------------------------------------------------------------- concatenate, stack, pad
def _tensors(tensors, op):
    """A non-empty sequence as tensors; arrays and numbers take the first tensor's dtype."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors; received "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected at least one tensor; received an empty sequence")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [as_tensor(t, like=like, where=op) for t in tensors]


class Concatenate(Function):
    name = "concatenate"

    def forward(self, *arrays, axis):
        first = arrays[0]
        if first.ndim == 0:
            raise ValueError("concatenate: inputs must have at least one axis; received shape "
                             "(); use stack to join scalars")
        ax = _axis(axis, first.ndim, self.name)
        rest = first.shape[:ax] + first.shape[ax + 1:]
        for i, a in enumerate(arrays):
            if a.ndim != first.ndim or a.shape[:ax] + a.shape[ax + 1:] != rest:
                raise ValueError(f"concatenate: input {i} has shape {a.shape} but input 0 has "
                                 f"shape {first.shape}; all sizes must match except on axis {ax}")
        self.axis = ax
        self.bounds = [0, *accumulate(a.shape[ax] for a in arrays)]
        return _rows.concatenate(self.xp, arrays, ax)  # by parts of axis 0, over the threads

    def backward(self, grad):
        head = (slice(None),) * self.axis
        return tuple(grad[head + (slice(lo, hi),)] if need else None
                     for need, lo, hi in zip(self.needs_input_grad, self.bounds[:-1],
                                             self.bounds[1:], strict=True))


class Stack(Function):
    name = "stack"

    def forward(self, *arrays, axis):
        first = arrays[0]
        self.axis = _axis(axis, first.ndim + 1, self.name)
        for i, a in enumerate(arrays):
            if a.shape != first.shape:
                raise ValueError(f"stack: all inputs must have the same shape; input 0 has shape "
                                 f"{first.shape}, input {i} has shape {a.shape}")
        return self.xp.stack(arrays, axis=self.axis)

    def backward(self, grad):
        head = (slice(None),) * self.axis
        return tuple(grad[head + (i,)] if need else None
                     for i, need in enumerate(self.needs_input_grad))


def _pad_pairs(pad_width, ndim):
    """NumPy's pad_width forms (anything that broadcasts to ``(ndim, 2)``) as ``ndim`` pairs."""
    rows = None
    pad_width = pad_width.tolist() if hasattr(pad_width, "tolist") else pad_width
    if _int(pad_width) is not None:
        rows = [[pad_width]]
    elif isinstance(pad_width, (tuple, list)) and pad_width:
        if all(_int(v) is not None for v in pad_width):
            rows = [list(pad_width)]
        elif all(isinstance(r, (tuple, list)) for r in pad_width):
            rows = [list(r) for r in pad_width]
    ok = (rows is not None and len(rows) in (1, ndim) and len({len(r) for r in rows}) == 1
          and len(rows[0]) in (1, 2)
          and all(_int(v) is not None and _int(v) >= 0 for r in rows for v in r))
    if not ok:
        raise ValueError(
            f"pad: pad_width must be a non-negative int, (before, after), or one (before, after) "
            f"pair per axis ({ndim} axes here); received pad_width={pad_width!r}")
    rows = rows * ndim if len(rows) == 1 else rows
    return tuple((_int(r[0]), _int(r[-1])) for r in rows)


class Pad(Function):
    name = "pad"

    def forward(self, x, *, pad_width, constant_values):
        if isinstance(constant_values, bool) or not isinstance(constant_values, (int, float)):
            raise ValueError(f"pad: constant_values must be a number; received "
                             f"constant_values={constant_values!r}")
        xp = self.xp
        pairs = _pad_pairs(pad_width, x.ndim)
        self.inner = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, pairs, strict=True))
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, pairs, strict=True))
        out = (xp.zeros(shape, x.dtype) if constant_values == 0
               else xp.full(shape, constant_values, x.dtype))
        out[self.inner] = x
        return out

    def backward(self, grad):
        return grad[self.inner]


# ------------------------------------------------------------------------- public API
def reshape(x, shape):
    """``x`` with a new shape of the same size; one size may be -1 (inferred).

    >>> reshape(Tensor([1.0, 2.0, 3.0, 4.0]), (2, -1)).shape
    (2, 2)
    """
    return Reshape.apply(x, shape=shape)


def transpose(x, axes=None):
    """Permute the axes (``axes[i]`` is the input axis that becomes axis ``i``); None reverses."""
    return Transpose.apply(x, axes=axes)


def getitem(x, index):
    """``x[index]`` with NumPy's rules: ints, slices, None, ``...``, boolean masks and integer
    arrays (Tensors in ``index`` act as integer arrays). Repeated integer indices add their
    gradients. Out-of-range indices raise IndexError, unusable index types TypeError.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> getitem(x, [0, 0, 2]).sum().backward()
    >>> x.grad
    array([2., 0., 1.], dtype=float32)
    """
    return GetItem.apply(x, index=index)


def concatenate(tensors, axis=0):
    """Join a list of tensors along an existing ``axis``; the other sizes must match."""
    return Concatenate.apply(*_tensors(tensors, "concatenate"), axis=axis)


def stack(tensors, axis=0):
    """Join same-shape tensors along a new ``axis`` (in ``[-(ndim + 1), ndim]``)."""
    return Stack.apply(*_tensors(tensors, "stack"), axis=axis)


def pad(x, pad_width, constant_values=0.0):
    """Pad with a constant number, NumPy style: ``pad_width`` is an int, ``(before, after)``,
    or one ``(before, after)`` pair per axis.

    >>> pad(Tensor([[1.0]]), ((0, 1), (1, 0))).data
    array([[0., 1.],
           [0., 0.]], dtype=float32)
    """
    return Pad.apply(x, pad_width=pad_width, constant_values=constant_values)


def expand_dims(x, axis):
    """Insert size-1 axes at ``axis`` (an int or a tuple of positions in the output)."""
    return ExpandDims.apply(x, axis=axis)


def squeeze(x, axis=None):
    """Remove size-1 axes: all of them when ``axis`` is None, else the given ones."""
    return Squeeze.apply(x, axis=axis)


def flatten(x):
    """Keep axis 0 (the batch) and flatten the rest, as Keras ``Flatten``: (N, ...) -> (N, D).
    A 1-D input (N,) becomes (N, 1)."""
    return Flatten.apply(x)
