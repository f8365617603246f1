"""Trigonometric functions: sin, cos, arcsin, arctan, arctan2.

Elementwise like ``elementwise.py``; tan, the hyperbolic functions and arccos are built
from these in ``lamina.ops`` and need no derivative of their own.
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops.arithmetic import _broadcast_error, _pair

__all__ = ["sin", "cos", "arcsin", "arctan", "arctan2"]


class Sin(Function):
    name = "sin"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.sin(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * self.xp.cos(x)


class Cos(Function):
    name = "cos"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.cos(x)

    def backward(self, grad):
        (x,) = self.saved
        return -grad * self.xp.sin(x)


class Arcsin(Function):
    """``arcsin(x)`` on [-1, 1]; d/dx = 1 / sqrt(1 - x^2), +inf at x = +-1."""

    name = "arcsin"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.arcsin(x)

    def backward(self, grad):
        (x,) = self.saved
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return grad / self.xp.sqrt(1 - x * x)


class Arctan(Function):
    name = "arctan"

    def forward(self, x):
        if self.recording:
            self.save_for_backward(x)
        return self.xp.arctan(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / (1 + x * x)


class Arctan2(Function):
    """The angle of the point (x, y) = (b, a): d/da = b / r^2, d/db = -a / r^2."""

    name = "arctan2"

    def forward(self, a, b):
        try:
            out = self.xp.arctan2(a, b)
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        if self.recording:
            self.save_for_backward(a, b)
        return out

    def backward(self, grad):
        a, b = self.saved
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            g = grad / (a * a + b * b)
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (-g * a if need_b else None)


def sin(x):
    """``sin(x)`` elementwise (radians).

    >>> from lamina import Tensor
    >>> sin(Tensor([0.0])).data
    array([0.], dtype=float32)
    """
    return Sin.apply(x)


def cos(x):
    """``cos(x)`` elementwise (radians)."""
    return Cos.apply(x)


def arcsin(x):
    """Inverse sine elementwise; ``nan`` outside [-1, 1]."""
    return Arcsin.apply(x)


def arctan(x):
    """Inverse tangent elementwise, in (-pi/2, pi/2)."""
    return Arctan.apply(x)


def arctan2(a, b):
    """The angle of the point ``(b, a)`` in (-pi, pi] (NumPy's ``arctan2(y, x)``); broadcasts."""
    return Arctan2.apply(*_pair(a, b, "arctan2"))
