"""``plot_activation_functions``: each activation and its derivative, the derivative
computed by the engine's autograd (not written out a second time)."""

from __future__ import annotations

import functools
import math

import numpy

from lamina.viz._plt import finish, pyplot

__all__ = ["activation_and_derivative", "plot_activation_functions"]

_FORMULAS = {
    "heaviside": r"$H(x) = 1$ if $x > 0$ else $0$",
    "sigmoid": r"$\sigma(x) = 1 / (1 + e^{-x})$",
    "tanh": r"$\tanh(x) = 2 / (1 + e^{-2x}) - 1$",
    "relu": r"$\mathrm{ReLU}(x) = \max(0, x)$",
    "identity": r"$I(x) = x$",
    "linear": r"$I(x) = x$",
    "leaky_relu": r"$x$ if $x > 0$ else $0.2x$",
    "elu": r"$x$ if $x > 0$ else $e^x - 1$",
    "softplus": r"$\ln(1 + e^x)$",
    "silu": r"$x\,\sigma(x)$",
    "swish": r"$x\,\sigma(x)$",
    "gelu": r"$x\,\Phi(x)$",
}
_NOT_ELEMENTWISE = ("softmax", "log_softmax")


def activation_and_derivative(name, x):
    """``(f(x), f'(x))`` for the activation ``name`` on the array ``x`` (float64), the
    derivative from lamina's autograd: ``f(x).sum().backward()`` leaves ``f'(x)`` in
    ``x.grad`` because the function acts element by element."""
    from lamina import activations
    from lamina.autograd import Tensor

    if name in _NOT_ELEMENTWISE:
        raise ValueError(f"plot_activation_functions: {name!r} is not element-wise (each "
                         f"output depends on the whole vector), so it has no curve f(x)")
    if name == "heaviside":  # the slides' H: 0 at x = 0
        fn = functools.partial(activations.heaviside, value_at_zero=0.0)
    else:
        fn = activations.get(name)
    t = Tensor(numpy.asarray(x, dtype="float64"), requires_grad=True)
    out = fn(t)
    out.sum().backward()
    grad = t.grad if t.grad is not None else numpy.zeros_like(t.data)
    return numpy.asarray(out.data, dtype="float64"), numpy.asarray(grad, dtype="float64")


def plot_activation_functions(names=("heaviside", "sigmoid", "tanh", "relu", "identity"),
                              x_range=(-4.0, 4.0), derivatives=True, show=False):
    """One panel per activation: ``f(x)`` and, dashed, ``f'(x)`` from autograd.

    Args:
        names: activation names (``lamina.activations``), e.g. ``("sigmoid", "relu")``.
        x_range: the interval of x.
        derivatives: also draw the derivatives.
        show: call ``plt.show()``.

    Returns:
        the matplotlib Figure (one Axes per name).
    """
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError("plot_activation_functions: names is empty")
    low, high = (float(v) for v in x_range)
    if not low < high:
        raise ValueError(f"plot_activation_functions: x_range must be (low, high) with "
                         f"low < high; received {x_range!r}")
    x = numpy.linspace(low, high, 801)
    if low < 0 < high:  # put x = 0 on the grid (the kinks and the jump sit there)
        x = numpy.union1d(x, [0.0])
    curves = {name: activation_and_derivative(name, x) for name in names}

    plt = pyplot()
    cols = min(len(names), 3)
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.4 * rows), squeeze=False)
    for ax in axes.ravel()[len(names):]:
        ax.remove()
    for ax, name in zip(axes.ravel(), names):
        f, df = curves[name]
        ax.axhline(0.0, color="0.75", lw=0.8, zorder=0)
        ax.axvline(0.0, color="0.75", lw=0.8, zorder=0)
        ax.plot(x, f, lw=2.2, color="C0", label="f(x)")
        if derivatives:
            label = "f'(x) = 0 (spike at 0)" if name == "heaviside" else "f'(x) (autograd)"
            ax.plot(x, df, "--", lw=1.8, color="C3", label=label)
        ax.set_title(f"{name}: {_FORMULAS.get(name, name)}", fontsize=10)
        ax.set_xlabel("x")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        span = numpy.concatenate([f, df]) if derivatives else f
        finite = span[numpy.isfinite(span)]
        low_y, high_y = float(finite.min()), float(finite.max())
        margin = 0.1 * max(high_y - low_y, 1.0)
        ax.set_ylim(low_y - margin, high_y + margin + 0.25 * (high_y - low_y + 1.0))
    fig.tight_layout()
    return finish(fig, show)
