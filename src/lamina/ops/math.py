"""Elementwise NumPy-like ops of ``keras.ops``: arithmetic, powers, logs, trigonometry,
rounding, comparisons and logic.

Differentiable ones run on the autograd engine (their derivative is the engine's, or they
are written with engine ops); integer inputs alone stay integer NumPy arrays where NumPy
keeps them integer (``add``, ``abs``, ``maximum``...). Rounding and comparisons have no
gradient (it is zero almost everywhere): they return values outside the graph.
"""

from __future__ import annotations

import math as _math

import numpy

from lamina.autograd import ops as _engine
from lamina.ops._convert import array, integer_path, result, tensor, tensors

__all__ = [
    "abs", "absolute", "add", "arccos", "arcsin", "arctan", "arctan2", "ceil", "clip", "cos",
    "cosh", "divide", "equal", "exp", "expm1", "floor", "greater", "greater_equal", "isclose",
    "isfinite", "isinf", "isnan", "less", "less_equal", "log", "log10", "log1p", "log2",
    "logaddexp", "logical_and", "logical_not", "logical_or", "maximum", "minimum", "mod",
    "multiply", "negative", "not_equal", "power", "reciprocal", "round", "rsqrt", "sign", "sin",
    "sinh", "sqrt", "square", "subtract", "tan", "tanh", "true_divide", "where",
]


def _binary(engine_fn, numpy_fn, x1, x2, name):
    if integer_path(x1, x2):
        return numpy_fn(array(x1), array(x2))
    return engine_fn(*tensors([x1, x2], name))


# ------------------------------------------------------------------------ arithmetic
def add(x1, x2):
    """``x1 + x2`` (broadcasting)."""
    return _binary(_engine.add, numpy.add, x1, x2, "add")


def subtract(x1, x2):
    """``x1 - x2`` (broadcasting)."""
    return _binary(_engine.sub, numpy.subtract, x1, x2, "subtract")


def multiply(x1, x2):
    """``x1 * x2`` (broadcasting)."""
    return _binary(_engine.mul, numpy.multiply, x1, x2, "multiply")


def divide(x1, x2):
    """``x1 / x2``: always a float result, as NumPy's true division."""
    return _engine.div(*tensors([x1, x2], "divide"))


true_divide = divide


def negative(x):
    """``-x``."""
    return -array(x) if integer_path(x) else _engine.neg(tensor(x, "negative"))


def power(x1, x2):
    """``x1 ** x2``; the exponent may be a number or a tensor (then it gets a gradient too)."""
    if integer_path(x1, x2):
        return numpy.power(array(x1), array(x2))
    if isinstance(x2, (int, float)):
        return _engine.power(tensor(x1, "power"), x2)
    return _engine.power(*tensors([x1, x2], "power"))


def mod(x1, x2):
    """``x1 - floor(x1 / x2) * x2`` (NumPy's sign convention: the sign of ``x2``)."""
    if integer_path(x1, x2):
        return numpy.mod(array(x1), array(x2))
    a, b = tensors([x1, x2], "mod")
    return a - _engine.mul(b, numpy.floor(a.data / b.data))  # the floor is a constant


def abs(x):  # noqa: A001 - NumPy's name
    """``|x|``; the gradient at 0 is 0."""
    return numpy.abs(array(x)) if integer_path(x) else _engine.abs(tensor(x, "abs"))


absolute = abs


def square(x):
    """``x * x``."""
    return numpy.square(array(x)) if integer_path(x) else _engine.square(tensor(x, "square"))


def sqrt(x):
    """Square root (a float result)."""
    return _engine.sqrt(tensor(x, "sqrt"))


def rsqrt(x):
    """``1 / sqrt(x)``."""
    return 1.0 / _engine.sqrt(tensor(x, "rsqrt"))


def reciprocal(x):
    """``1 / x``."""
    return 1.0 / tensor(x, "reciprocal")


def maximum(x1, x2):
    """Elementwise larger value; ties share the gradient."""
    return _binary(_engine.maximum, numpy.maximum, x1, x2, "maximum")


def minimum(x1, x2):
    """Elementwise smaller value; ties share the gradient."""
    return _binary(_engine.minimum, numpy.minimum, x1, x2, "minimum")


def clip(x, x_min, x_max):
    """``x`` limited to ``[x_min, x_max]``; gradient 1 inside (bounds included), 0 outside."""
    if integer_path(x, x_min, x_max):
        return numpy.clip(array(x), x_min, x_max)
    return _engine.clip(tensor(x, "clip"), x_min, x_max)


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` holds, else ``x2``; with neither, the indices where
    ``condition`` is true (a tuple of integer arrays, as ``numpy.nonzero``)."""
    cond = array(condition)
    if x1 is None and x2 is None:
        return numpy.nonzero(cond)
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither; received "
                         f"x1={'None' if x1 is None else '...'}, "
                         f"x2={'None' if x2 is None else '...'}")
    if integer_path(x1, x2):
        return numpy.where(cond, array(x1), array(x2))
    a, b = tensors([x1, x2], "where")
    return _engine.where(cond.astype(bool), a, b)


# ---------------------------------------------------------------- exponentials and logs
def exp(x):
    """``e ** x``."""
    return _engine.exp(tensor(x, "exp"))


def expm1(x):
    """``exp(x) - 1``, accurate near 0."""
    return _engine.expm1(tensor(x, "expm1"))


def log(x):
    """Natural logarithm."""
    return _engine.log(tensor(x, "log"))


def log1p(x):
    """``log(1 + x)``, accurate near 0."""
    return _engine.log1p(tensor(x, "log1p"))


def log2(x):
    """Base-2 logarithm."""
    return _engine.log(tensor(x, "log2")) * (1.0 / _math.log(2.0))


def log10(x):
    """Base-10 logarithm."""
    return _engine.log(tensor(x, "log10")) * (1.0 / _math.log(10.0))


def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` without overflow (shifted by the larger value)."""
    a, b = tensors([x1, x2], "logaddexp")
    top = numpy.maximum(a.data, b.data)
    top = numpy.where(numpy.isfinite(top), top, 0.0)  # a constant shift: no gradient
    return _engine.log(_engine.exp(a - top) + _engine.exp(b - top)) + top


# ------------------------------------------------------------------------ trigonometry
def sin(x):
    """Sine (radians)."""
    return _engine.sin(tensor(x, "sin"))


def cos(x):
    """Cosine (radians)."""
    return _engine.cos(tensor(x, "cos"))


def tan(x):
    """Tangent, ``sin(x) / cos(x)``."""
    t = tensor(x, "tan")
    return _engine.sin(t) / _engine.cos(t)


def arcsin(x):
    """Inverse sine."""
    return _engine.arcsin(tensor(x, "arcsin"))


def arccos(x):
    """Inverse cosine, ``pi/2 - arcsin(x)``."""
    return (_math.pi / 2) - _engine.arcsin(tensor(x, "arccos"))


def arctan(x):
    """Inverse tangent."""
    return _engine.arctan(tensor(x, "arctan"))


def arctan2(x1, x2):
    """The angle of the point ``(x2, x1)``, in (-pi, pi]."""
    return _engine.arctan2(*tensors([x1, x2], "arctan2"))


def sinh(x):
    """Hyperbolic sine ``(e^x - e^-x) / 2``."""
    t = tensor(x, "sinh")
    return (_engine.exp(t) - _engine.exp(-t)) * 0.5


def cosh(x):
    """Hyperbolic cosine ``(e^x + e^-x) / 2``."""
    t = tensor(x, "cosh")
    return (_engine.exp(t) + _engine.exp(-t)) * 0.5


def tanh(x):
    """Hyperbolic tangent."""
    return _engine.tanh(tensor(x, "tanh"))


# ------------------------------------------------------- rounding (no gradient: a constant)
def sign(x):
    """-1, 0 or 1 by the sign of ``x``."""
    return result(numpy.sign(array(x)))


def floor(x):
    """The largest whole number <= x."""
    return result(numpy.floor(array(x)))


def ceil(x):
    """The smallest whole number >= x."""
    return result(numpy.ceil(array(x)))


def round(x, decimals=0):  # noqa: A001 - NumPy's name
    """Round half to even, to ``decimals`` places."""
    return result(numpy.round(array(x), decimals))


# ------------------------------------------------------- comparisons and logic (booleans)
def equal(x1, x2):
    """``x1 == x2`` as a boolean array."""
    return numpy.equal(array(x1), array(x2))


def not_equal(x1, x2):
    """``x1 != x2`` as a boolean array."""
    return numpy.not_equal(array(x1), array(x2))


def greater(x1, x2):
    """``x1 > x2`` as a boolean array."""
    return numpy.greater(array(x1), array(x2))


def greater_equal(x1, x2):
    """``x1 >= x2`` as a boolean array."""
    return numpy.greater_equal(array(x1), array(x2))


def less(x1, x2):
    """``x1 < x2`` as a boolean array."""
    return numpy.less(array(x1), array(x2))


def less_equal(x1, x2):
    """``x1 <= x2`` as a boolean array."""
    return numpy.less_equal(array(x1), array(x2))


def logical_and(x1, x2):
    """Elementwise AND of the truth values."""
    return numpy.logical_and(array(x1), array(x2))


def logical_or(x1, x2):
    """Elementwise OR of the truth values."""
    return numpy.logical_or(array(x1), array(x2))


def logical_not(x):
    """Elementwise NOT of the truth values."""
    return numpy.logical_not(array(x))


def isnan(x):
    """Where ``x`` is NaN."""
    return numpy.isnan(array(x))


def isinf(x):
    """Where ``x`` is +-inf."""
    return numpy.isinf(array(x))


def isfinite(x):
    """Where ``x`` is neither NaN nor infinite."""
    return numpy.isfinite(array(x))


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where ``|x1 - x2| <= atol + rtol * |x2|``."""
    return numpy.isclose(array(x1), array(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)
