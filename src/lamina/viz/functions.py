"""2-D test functions for optimizers: Beale, Rosenbrock and a saddle.

Each function takes ``(x, y)`` and uses only ``+ - * **``, so it runs on NumPy grids (for
contour plots) and on lamina Tensors (for gradients from the engine). :data:`FUNCTIONS`
adds what a plot needs: the minimum, the view, a start point, a step count and a
learning rate per optimizer that makes each one's path worth looking at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FUNCTIONS", "TestFunction", "beale", "rosenbrock", "saddle"]


def beale(x, y):
    """Beale's function: a flat valley and steep walls; minimum 0 at (3, 0.5)."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def rosenbrock(x, y):
    """Rosenbrock's banana ``(1 − x)² + 100 (y − x²)²``: a curved, narrow valley; minimum 0
    at (1, 1)."""
    return (1.0 - x) ** 2 + 100.0 * (y - x ** 2) ** 2


def saddle(x, y):
    """A saddle ``x² − y² + y⁴/4``: at (0, 0) the gradient is 0, with a minimum along x and
    a maximum along y; the ``y⁴/4`` term (negligible near the saddle) bounds it below, with
    minima -1 at (0, ±√2). An optimizer that starts near y = 0 must escape along y."""
    return x ** 2 - y ** 2 + 0.25 * y ** 4


@dataclass(frozen=True)
class TestFunction:
    """A 2-D test function and the defaults for plotting optimizer paths on it."""

    __test__ = False  # not a pytest test class

    name: str
    fn: object
    formula: str
    minima: tuple  # the global minima, as ((x, y), ...)
    xlim: tuple
    ylim: tuple
    start: tuple
    steps: int
    learning_rates: dict = field(default_factory=dict)
    log_scale: bool = True  # contour levels and loss curve on a log scale (f >= 0)
    saddles: tuple = ()     # saddle points to mark, ((x, y), ...)


FUNCTIONS = {
    "beale": TestFunction(
        "beale", beale, r"$(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2$", ((3.0, 0.5),),
        (-1.0, 4.5), (-1.5, 2.0), (0.7, 1.4), 300,
        {"SGD": 0.003, "Momentum": 0.001, "Nesterov": 0.001, "AdaGrad": 0.5, "RMSProp": 0.01,
         "Adadelta": 1.0, "Adam": 0.05}),
    "rosenbrock": TestFunction(
        "rosenbrock", rosenbrock, r"$(1-x)^2+100\,(y-x^2)^2$", ((1.0, 1.0),),
        (-2.0, 2.0), (-1.0, 3.0), (-1.2, 1.0), 500,
        {"SGD": 0.001, "Momentum": 0.0003, "Nesterov": 0.0003, "AdaGrad": 0.5,
         "RMSProp": 0.01, "Adadelta": 1.0, "Adam": 0.1}),
    "saddle": TestFunction(
        "saddle", saddle, r"$x^2-y^2+y^4/4$", ((0.0, 2.0 ** 0.5), (0.0, -(2.0 ** 0.5))),
        (-2.0, 2.0), (-2.0, 2.0), (1.0, 0.001), 150,
        {"SGD": 0.01, "Momentum": 0.003, "Nesterov": 0.003, "AdaGrad": 0.1, "RMSProp": 0.01,
         "Adadelta": 1.0, "Adam": 0.01},
        log_scale=False, saddles=((0.0, 0.0),)),
}
