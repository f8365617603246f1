"""Elementwise maths: exp, expm1, log, log1p, sqrt, square, abs, clip, maximum, minimum, where.

Each output entry depends on the matching input entries only, so every backward
is ``grad`` times a local derivative of the same shape. Two-input ops broadcast;
the engine reduces their gradients back to the input shapes.
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops.arithmetic import _broadcast_error, _pair
from lamina.autograd.tensor import Tensor

__all__ = ["exp", "expm1", "log", "log1p", "sqrt", "square", "abs", "clip", "maximum", "minimum",
           "where"]


class Exp(Function):
    name = "exp"

    def forward(self, x):
        out = self.xp.exp(x)
        if self.recording:
            self.save_for_backward(out)  # d exp(x) = exp(x): the output is all we need
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out


class Log(Function):
    """Natural logarithm; log(0) = -inf and log(x < 0) = nan, with NumPy's warning."""

    name = "log"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.log(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / x


class Expm1(Function):
    """``exp(x) - 1``, exact for small x where ``exp(x) - 1`` would lose digits."""

    name = "expm1"

    def forward(self, x):
        out = self.xp.expm1(x)
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (out + 1)  # d expm1(x) = exp(x) = expm1(x) + 1


class Log1p(Function):
    """``log(1 + x)``, exact for small x; -inf at -1, nan below."""

    name = "log1p"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.log1p(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / (1 + x)


class Sqrt(Function):
    name = "sqrt"

    def forward(self, x):
        out = self.xp.sqrt(x)
        if self.recording:
            self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        # d sqrt(x) = 1 / (2 sqrt(x)): +inf at x = 0, as in PyTorch (no warning)
        with self.xp.errstate(divide="ignore"):
            return grad * 0.5 / out


class Square(Function):
    name = "square"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        (x,) = self.saved
        return grad * (x + x)


class Abs(Function):
    """``|x|``; the gradient is ``sign(x)``, so 0 at x = 0 (PyTorch's choice)."""

    name = "abs"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.abs(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * self.xp.sign(x)


def _bound(value, x, which, xp):
    """A clip bound as a Python number or an array of ``x``'s dtype (never upcasting)."""
    if value is None or type(value) in (int, float):  # not np.float64, a float subclass
        return value
    if isinstance(value, Tensor):
        value = value.data
    if hasattr(value, "shape") or isinstance(value, (list, tuple)):
        try:
            return xp.asarray(value, dtype=x.dtype)
        except (TypeError, ValueError):
            pass
    raise TypeError(
        f"clip: {which} must be a number, an array, a Tensor or None; "
        f"received {which}={value!r} ({type(value).__name__})"
    )


class Clip(Function):
    """Gradient 1 where ``min <= x <= max`` (bounds included, as PyTorch and TensorFlow), else 0."""

    name = "clip"

    def forward(self, x, *, lo, hi):
        xp = self.xp
        lo, hi = _bound(lo, x, "min", xp), _bound(hi, x, "max", xp)
        try:
            out = x if lo is None else xp.maximum(x, lo)
            out = out if hi is None else xp.minimum(out, hi)
        except ValueError:
            shapes = [getattr(b, "shape", ()) for b in (lo, hi)]
            raise ValueError(
                f"clip: the bounds (shapes min {shapes[0]}, max {shapes[1]}) do not broadcast "
                f"against the input of shape {x.shape}"
            ) from None
        if self.recording:
            if lo is None:
                mask = x <= hi
            else:
                mask = x >= lo
                if hi is not None:
                    mask = mask & (x <= hi)
            self.save_for_backward(mask)
        return out

    def backward(self, grad):
        (mask,) = self.saved
        return grad * mask


class _Extreme(Function):
    """maximum / minimum: the winner gets the gradient; ties give each side half (as PyTorch)."""

    def forward(self, a, b):
        xp = self.xp
        try:
            out = xp.maximum(a, b) if self.name == "maximum" else xp.minimum(a, b)
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        if self.recording:
            wins = a > b if self.name == "maximum" else a < b
            share = xp.broadcast_to(wins, out.shape).astype(out.dtype)
            share[xp.broadcast_to(a == b, out.shape)] = 0.5
            self.save_for_backward(share)  # a's share of the gradient; b gets the rest
        return out

    def backward(self, grad):
        (share,) = self.saved
        need_a, need_b = self.needs_input_grad
        return (grad * share if need_a else None), (grad * (1 - share) if need_b else None)


class Maximum(_Extreme):
    name = "maximum"


class Minimum(_Extreme):
    name = "minimum"


class Where(Function):
    """``a`` where ``condition`` holds, else ``b``; ``condition`` gets no gradient."""

    name = "where"

    def forward(self, a, b, *, condition):
        xp = self.xp
        if isinstance(condition, Tensor):
            condition = condition.data != 0
        else:
            condition = xp.asarray(condition)
            if condition.dtype.kind not in "biuf":
                raise TypeError(f"where: condition must be a boolean array (e.g. x > 0) or a "
                                f"Tensor; received dtype={condition.dtype}")
            if condition.dtype.kind != "b":
                condition = condition != 0
        try:
            out = xp.where(condition, a, b)
        except ValueError:
            raise ValueError(
                f"where: shapes {condition.shape} (condition), {a.shape} (a) and {b.shape} (b) "
                "do not broadcast; each axis, counted from the right, must be equal or 1"
            ) from None
        if self.recording:
            self.save_for_backward(condition)
        return out

    def backward(self, grad):
        (condition,) = self.saved
        xp = self.xp
        need_a, need_b = self.needs_input_grad
        ga = xp.where(condition, grad, 0) if need_a else None
        gb = xp.where(condition, 0, grad) if need_b else None
        return ga, gb


def exp(x):
    """``e ** x`` elementwise.

    >>> exp(Tensor([0.0, 1.0])).data
    array([1.      , 2.718282], dtype=float32)
    """
    return Exp.apply(x)


def log(x):
    """Natural logarithm elementwise (``-inf`` at 0, ``nan`` below 0)."""
    return Log.apply(x)


def expm1(x):
    """``exp(x) - 1`` elementwise, accurate near 0."""
    return Expm1.apply(x)


def log1p(x):
    """``log(1 + x)`` elementwise, accurate near 0."""
    return Log1p.apply(x)


def sqrt(x):
    """Square root elementwise; its gradient is ``+inf`` at 0."""
    return Sqrt.apply(x)


def square(x):
    """``x * x`` elementwise (one saved input, a cheap backward: handy for losses)."""
    return Square.apply(x)


def abs(x):  # noqa: A001 - NumPy's name
    """``|x|`` elementwise; the gradient at 0 is 0."""
    return Abs.apply(x)


def clip(x, min=None, max=None):  # noqa: A002 - NumPy's names
    """Limit ``x`` to ``[min, max]``; either bound may be None (unbounded on that side).

    Bounds are numbers, arrays or Tensors (no gradient flows into a bound). The gradient
    is 1 where ``min <= x <= max``, boundaries included (as PyTorch), and 0 outside.

    >>> clip(Tensor([-2.0, 0.5, 3.0]), 0.0, 1.0).data
    array([0. , 0.5, 1. ], dtype=float32)
    """
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given; received both None")
    return Clip.apply(x, lo=min, hi=max)


def maximum(a, b):
    """Elementwise larger of ``a`` and ``b`` (broadcasting); ties split the gradient evenly."""
    return Maximum.apply(*_pair(a, b, "maximum"))


def minimum(a, b):
    """Elementwise smaller of ``a`` and ``b`` (broadcasting); ties split the gradient evenly."""
    return Minimum.apply(*_pair(a, b, "minimum"))


def where(condition, a, b):
    """Pick from ``a`` where ``condition`` is true, else from ``b`` (all three broadcast).

    Args:
        condition: a boolean array (e.g. ``x > 0``), or a Tensor/number array read as
            ``!= 0``. It receives no gradient.
        a, b: tensors, arrays or numbers; numbers beside a tensor take its dtype.

    >>> x = Tensor([-1.0, 2.0])
    >>> where(x > 0, x, 0.0).data
    array([0., 2.], dtype=float32)
    """
    return Where.apply(*_pair(a, b, "where"), condition=condition)
