"""Arithmetic with NumPy broadcasting, and matrix products.

Broadcast inputs get their gradient reduced back to shape by the engine
(:func:`lamina.autograd.function.unbroadcast`), so these backward methods
return full-size gradients.
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops._rows import by_rows
from lamina.autograd.tensor import Tensor, as_tensor
from lamina.parallel import matmul as split_matmul

__all__ = ["add", "sub", "mul", "div", "neg", "power", "matmul", "cast"]


def _pair(a, b, op):
    """Two tensors; a number or array beside a tensor takes the tensor's dtype."""
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else as_tensor(b, like=a, where=op))
    if isinstance(b, Tensor):
        return as_tensor(a, like=b, where=op), b
    return as_tensor(a, where=op), as_tensor(b, where=op)


def _broadcast_error(op, a, b):
    return ValueError(
        f"{op}: shapes {a.shape} and {b.shape} do not broadcast; each axis, counted from the "
        "right, must be equal or 1"
    )


class Add(Function):
    name = "add"

    def forward(self, a, b):
        if a.shape == b.shape and a.dtype == b.dtype and a.ndim:  # a residual's sum: by
            xp, out = self.xp, self.xp.empty(a.shape, dtype=a.dtype)  # parts over threads
            by_rows(lambda lo, hi: xp.add(a[lo:hi], b[lo:hi], out=out[lo:hi]), a)
            return out
        try:
            return a + b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    name = "sub"

    def forward(self, a, b):
        try:
            return a - b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    name = "mul"

    def forward(self, a, b):
        try:
            out = a * b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        if self.recording:
            self.save_for_backward(a, b)
        return out

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    name = "div"

    def forward(self, a, b):
        try:
            out = a / b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        if self.recording:
            self.save_for_backward(b, out)
        return out

    def backward(self, grad):
        b, out = self.saved
        ga = grad / b
        # d(a/b)/db = -a/b^2 = -(a/b)/b
        gb = -ga * out if self.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class PowScalar(Function):
    """``x ** p`` for a constant exponent ``p``."""

    name = "power"

    def forward(self, x, *, p):
        if self.recording:
            self.save_for_backward(x)
        self.p = p
        return x**p

    def backward(self, grad):
        (x,) = self.saved
        p = self.p
        if p == 2:
            return grad * (2 * x)
        return grad * (p * x ** (p - 1))


class Pow(Function):
    """``a ** b`` with both sides tensors: d/db = a**b * log(a) (defined for a > 0)."""

    name = "power"

    def forward(self, a, b):
        try:
            out = a**b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        if self.recording:
            self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        xp = self.xp
        ga = grad * b * a ** (b - 1) if need_a else None
        gb = None
        if need_b:
            with self.xp.errstate(divide="ignore", invalid="ignore"):
                gb = grad * out * xp.log(xp.where(a > 0, a, 1))
        return ga, gb


class MatMul(Function):
    """``a @ b`` with NumPy's rules: 1-D operands are promoted, leading axes broadcast."""

    name = "matmul"

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"matmul: operands must have at least one axis; received shapes {a.shape} "
                f"and {b.shape} (use mul for scalars)"
            )
        ka = a.shape[-1]
        kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if ka != kb:
            raise ValueError(
                f"matmul: cannot multiply shapes {a.shape} and {b.shape}: the last axis of the "
                f"first ({ka}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                f"axis of the second ({kb})"
            )
        try:
            out = split_matmul(self.xp, a, b) if a.ndim == 2 and b.ndim == 2 else a @ b
        except ValueError:
            raise ValueError(
                f"matmul: the batch axes of shapes {a.shape} and {b.shape} do not broadcast"
            ) from None
        if self.recording:
            self.save_for_backward(a, b)
        return out

    def backward(self, grad):
        a, b = self.saved
        xp = self.xp
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # dot product: a scalar output
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # Promote 1-D operands to matrices so one rule covers every case.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = xp.expand_dims(g, -2)
        if b.ndim == 1:
            g = xp.expand_dims(g, -1)
        ga = gb = None
        plain = a.ndim == 2 and b.ndim == 2  # split over threads by lamina.parallel.matmul
        if need_a and plain:
            ga = split_matmul(xp, g, b.T)
        elif need_a:
            ga = g @ xp.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],))
                ga = ga.reshape(-1, a.shape[0]).sum(axis=0) if ga.ndim > 1 else ga
        if need_b and plain:
            gb = split_matmul(xp, a.T, g)
        elif need_b:
            gb = xp.swapaxes(a2, -1, -2) @ g
            if b.ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
                gb = gb.reshape(-1, b.shape[0]).sum(axis=0) if gb.ndim > 1 else gb
        return ga, gb


class Cast(Function):
    name = "cast"

    def forward(self, x, *, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.in_dtype)


def add(a, b):
    """``a + b`` with broadcasting."""
    return Add.apply(*_pair(a, b, "add"))


def sub(a, b):
    """``a - b`` with broadcasting."""
    return Sub.apply(*_pair(a, b, "sub"))


def mul(a, b):
    """``a * b`` elementwise, with broadcasting."""
    return Mul.apply(*_pair(a, b, "mul"))


def div(a, b):
    """``a / b`` elementwise, with broadcasting."""
    return Div.apply(*_pair(a, b, "div"))


def neg(a):
    """``-a``."""
    return Neg.apply(a)


def power(x, p):
    """``x ** p``; ``p`` a number (fast path) or a tensor (then it gets a gradient too)."""
    if isinstance(p, (int, float)) and isinstance(x, Tensor):
        return PowScalar.apply(x, p=p)
    return Pow.apply(*_pair(x, p, "power"))


def matmul(a, b):
    """Matrix product ``a @ b`` (NumPy semantics, including batched and 1-D operands).

    >>> matmul(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])).data
    array([[11.]], dtype=float32)
    """
    return MatMul.apply(*_pair(a, b, "matmul"))


def cast(x, dtype):
    """``x`` converted to ``dtype``; the gradient is converted back."""
    return Cast.apply(x, dtype=dtype)
