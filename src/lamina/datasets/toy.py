"""The lectures' toy data sets: logic gates, simple functions, spirals and moons.

* Logic gates (OR, AND, XOR, ...): the four input pairs and the gate's output, the
  classic first networks (XOR needs a hidden layer).
* The "necessary data" functions of seed 001: :func:`constant` (``f(x) = w0``),
  :func:`linear` (``w1 x + w0``), :func:`quadratic` (``w2 x² + w1 x + w0``), :func:`sin`
  and :func:`cos`: ``n`` random points ``x`` with ``f(x)`` plus optional Gaussian noise.
* :func:`two_spirals` and :func:`moons`: two interleaved classes in the plane, to draw
  decision boundaries.

Everything random takes ``seed`` (an int or a ``numpy.random.Generator``). Points come in
random order (never sorted by ``x`` or by class), so ``validation_split``, which takes the
last samples, gets a fair share. Arrays are in lamina's floatx (float32 by default);
class labels are int64.

Example:
    >>> from lamina.datasets import toy
    >>> x, y = toy.xor_gate()
    >>> y.ravel().tolist()
    [0.0, 1.0, 1.0, 0.0]
    >>> x, y = toy.linear(n=50, w1=2.0, w0=1.0, noise=0.1, seed=0)
    >>> x.shape, y.shape
    ((50, 1), (50, 1))
"""

from __future__ import annotations

import math

import numpy

from lamina._lookup import lookup
from lamina.backend import floatx
from lamina.random import make_rng

__all__ = [
    "and_gate", "constant", "cos", "linear", "logic_gate", "moons", "or_gate", "quadratic", "sin",
    "two_spirals", "xor_gate",
]

_GATES = {
    "or": (0, 1, 1, 1),
    "and": (0, 0, 0, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str):
    """The truth table of a two-input gate: ``'or'``, ``'and'``, ``'xor'``, ``'nand'``,
    ``'nor'`` or ``'xnor'``.

    Returns:
        ``(x, y)``: ``x`` ``(4, 2)`` the inputs 00, 01, 10, 11; ``y`` ``(4, 1)`` the outputs
        (0 or 1, the shape a ``Dense(1, activation="sigmoid")`` model predicts).
    """
    outputs = lookup(_GATES, name, "logic gate")
    x = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=floatx())
    return x, numpy.array(outputs, dtype=floatx()).reshape(4, 1)


def or_gate():
    """OR's truth table: ``logic_gate('or')``."""
    return logic_gate("or")


def and_gate():
    """AND's truth table: ``logic_gate('and')``."""
    return logic_gate("and")


def xor_gate():
    """XOR's truth table: ``logic_gate('xor')`` (not linearly separable)."""
    return logic_gate("xor")


# ---------------------------------------------------------------- functions of one variable


def _check(fn: str, n, noise) -> None:
    if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{fn}: n must be a positive int; received n={n!r}")
    if not noise >= 0:
        raise ValueError(f"{fn}: noise must be >= 0; received noise={noise!r}")


def _sample(fn: str, f, n, noise, x_range, seed):
    """``n`` points ``x`` uniform in ``x_range`` and ``f(x) + Normal(0, noise)``, as (n, 1)."""
    _check(fn, n, noise)
    low, high = x_range
    if not low < high:
        raise ValueError(f"{fn}: x_range must be (low, high) with low < high; received {x_range!r}")
    rng = make_rng(seed)
    x = rng.uniform(low, high, (n, 1))
    y = f(x) + (rng.normal(0.0, noise, (n, 1)) if noise else 0.0)
    return x.astype(floatx()), numpy.asarray(y, dtype=floatx())


def constant(n: int = 100, w0: float = 1.0, noise: float = 0.0, x_range=(-1.0, 1.0), seed=None):
    """``f(x) = w0``: ``(x, y)``, both ``(n, 1)``."""
    return _sample("constant", lambda x: numpy.full_like(x, w0), n, noise, x_range, seed)


def linear(n: int = 100, w1: float = 2.0, w0: float = 1.0, noise: float = 0.0,
           x_range=(-1.0, 1.0), seed=None):
    """``f(x) = w1 x + w0``: ``(x, y)``, both ``(n, 1)``."""
    return _sample("linear", lambda x: w1 * x + w0, n, noise, x_range, seed)


def quadratic(n: int = 100, w2: float = 1.0, w1: float = 0.0, w0: float = 0.0,
              noise: float = 0.0, x_range=(-1.0, 1.0), seed=None):
    """``f(x) = w2 x² + w1 x + w0``: ``(x, y)``, both ``(n, 1)``.

    (The slide writes the weights squared, ``w2² x² + w1² x + w0``; that is the same family
    with non-negative coefficients, so here the weights are given directly.)
    """
    return _sample("quadratic", lambda x: w2 * x**2 + w1 * x + w0, n, noise, x_range, seed)


def sin(n: int = 100, amplitude: float = 1.0, frequency: float = 1.0, phase: float = 0.0,
        noise: float = 0.0, x_range=(-math.pi, math.pi), seed=None):
    """``f(x) = amplitude * sin(frequency * x + phase)``: ``(x, y)``, both ``(n, 1)``."""
    return _sample("sin", lambda x: amplitude * numpy.sin(frequency * x + phase), n, noise,
                   x_range, seed)


def cos(n: int = 100, amplitude: float = 1.0, frequency: float = 1.0, phase: float = 0.0,
        noise: float = 0.0, x_range=(-math.pi, math.pi), seed=None):
    """``f(x) = amplitude * cos(frequency * x + phase)``: ``(x, y)``, both ``(n, 1)``."""
    return _sample("cos", lambda x: amplitude * numpy.cos(frequency * x + phase), n, noise,
                   x_range, seed)


# ---------------------------------------------------------------- two classes in the plane


def _finish(rng, x0, x1, noise, shuffle):
    """Stack class 0 and class 1 points, add noise, shuffle; return (x float, y int64)."""
    x = numpy.concatenate([x0, x1])
    y = numpy.concatenate([numpy.zeros(len(x0), numpy.int64), numpy.ones(len(x1), numpy.int64)])
    if noise:
        x = x + rng.normal(0.0, noise, x.shape)
    if shuffle:
        order = rng.permutation(len(x))
        x, y = x[order], y[order]
    return x.astype(floatx()), y


def two_spirals(n: int = 200, noise: float = 0.0, turns: float = 1.5, shuffle: bool = True,
                seed=None):
    """Two interleaved spirals (Lang and Witbrock's benchmark), ``n // 2`` points in class 1.

    Class 0 is ``r * (cos θ, sin θ)`` with ``θ`` in ``[0, 2π turns]`` and ``r = θ / (2π turns)``
    (so radii lie in [0, 1], points spread evenly along the arm); class 1 is class 0 turned
    by 180 degrees.

    Args:
        n: number of points; noise: standard deviation of Gaussian noise added to each
        coordinate; turns: how many times each arm winds around; shuffle: mix the classes.

    Returns:
        ``(x, y)``: ``x`` ``(n, 2)``; ``y`` ``(n,)`` int64 in {0, 1}.
    """
    _check("two_spirals", n, noise)
    if not turns > 0:
        raise ValueError(f"two_spirals: turns must be > 0; received turns={turns!r}")
    rng = make_rng(seed)
    n1 = n // 2
    theta = numpy.sqrt(rng.uniform(0.0, 1.0, n - n1)) * (2 * math.pi * turns)
    r = theta / (2 * math.pi * turns)
    x0 = numpy.stack([r * numpy.cos(theta), r * numpy.sin(theta)], axis=1)
    theta1 = numpy.sqrt(rng.uniform(0.0, 1.0, n1)) * (2 * math.pi * turns)
    r1 = theta1 / (2 * math.pi * turns)
    x1 = -numpy.stack([r1 * numpy.cos(theta1), r1 * numpy.sin(theta1)], axis=1)
    return _finish(rng, x0, x1, noise, shuffle)


def moons(n: int = 200, noise: float = 0.0, shuffle: bool = True, seed=None):
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    Class 0 (``n // 2`` points) is the upper half of the unit circle, evenly spaced;
    class 1 (``n - n // 2`` points) is the lower half circle centred at (1, 0.5).

    Returns:
        ``(x, y)``: ``x`` ``(n, 2)``; ``y`` ``(n,)`` int64 in {0, 1}.
    """
    _check("moons", n, noise)
    rng = make_rng(seed)
    t0 = numpy.linspace(0.0, math.pi, n // 2)
    t1 = numpy.linspace(0.0, math.pi, n - n // 2)
    x0 = numpy.stack([numpy.cos(t0), numpy.sin(t0)], axis=1)
    x1 = numpy.stack([1.0 - numpy.cos(t1), 0.5 - numpy.sin(t1)], axis=1)
    return _finish(rng, x0, x1, noise, shuffle)
