"""``plot_optimizer_paths``: how SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta and Adam
walk down a 2-D test function (seed 004's optimizer comparison), run by lamina's own
optimizer classes on a 2-D ``Variable`` whose gradient comes from the engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from lamina.viz._plt import finish, pyplot
from lamina.viz.functions import FUNCTIONS, TestFunction

__all__ = ["DEFAULT_OPTIMIZERS", "OptimizerPath", "optimize_path", "plot_optimizer_paths"]

DEFAULT_OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adadelta", "Adam")
_ESCAPE = 1e6  # a path further out than this has diverged; its recording stops


@dataclass
class OptimizerPath:
    """One optimizer's walk: ``path`` ``(steps + 1, 2)`` positions, ``losses`` ``(steps + 1,)``
    (shorter when it diverged)."""

    name: str
    path: numpy.ndarray
    losses: numpy.ndarray
    diverged: bool = False

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def final_position(self) -> tuple:
        return tuple(float(v) for v in self.path[-1])


_MAKERS = {
    "SGD": lambda opt, lr: opt.SGD(lr),
    "Momentum": lambda opt, lr: opt.SGD(lr, momentum=0.9),
    "Nesterov": lambda opt, lr: opt.SGD(lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda opt, lr: opt.Adagrad(lr),
    "RMSProp": lambda opt, lr: opt.RMSprop(lr),
    "Adadelta": lambda opt, lr: opt.Adadelta(lr, epsilon=1e-6),  # the paper's epsilon
    "Adam": lambda opt, lr: opt.Adam(lr),
}


def _canonical(name: str) -> str:
    """The key of ``_MAKERS`` for ``name`` (any case, underscores ignored), or a
    ValueError with a suggestion."""
    from lamina._lookup import lookup

    maker = lookup(_MAKERS, name, "optimizer for plot_optimizer_paths")
    return next(key for key, value in _MAKERS.items() if value is maker)


def optimize_path(function, optimizer, start, steps: int, name: str = "") -> OptimizerPath:
    """Run ``optimizer`` for ``steps`` steps on ``function(x, y)`` from ``start``.

    Each step evaluates ``function`` on the engine's tensors, calls ``backward`` and hands
    the gradient to ``optimizer.apply_gradients`` (float64 throughout).
    """
    from lamina.autograd import Variable

    point = Variable(numpy.array(start, dtype="float64"), dtype="float64", name="point")
    path, losses = [point.data.copy()], []
    diverged = False
    for _ in range(int(steps)):
        loss = function(point[0], point[1])
        losses.append(float(loss.data))
        loss.backward()
        optimizer.apply_gradients([(point.grad, point)])
        point.grad = None
        if not numpy.all(numpy.isfinite(point.data)) or numpy.abs(point.data).max() > _ESCAPE:
            diverged = True
            break
        path.append(point.data.copy())
    x, y = path[-1]
    losses = losses[:len(path) - 1] + [float(function(x, y))]
    return OptimizerPath(name or type(optimizer).__name__, numpy.array(path),
                         numpy.array(losses), diverged)


def plot_optimizer_paths(function="beale", optimizers=DEFAULT_OPTIMIZERS, steps=None,
                         start=None, learning_rates=None, show=False):
    """Paths of several optimizers on a 2-D test function, and their loss per step.

    Args:
        function: ``'beale'``, ``'rosenbrock'``, ``'saddle'``, or a
            :class:`~lamina.viz.functions.TestFunction`.
        optimizers: names among ``SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adadelta,
            Adam`` (momentum 0.9 for Momentum/Nesterov), lamina ``Optimizer`` instances, or
            a dict ``{label: name or Optimizer}``.
        steps: update steps (default: the function's, e.g. 300 on Beale).
        start: the start point ``(x, y)`` (default: the function's).
        learning_rates: ``{name: learning_rate}`` overriding the function's defaults for
            named optimizers (instances keep their own).
        show: call ``plt.show()``.

    Returns:
        ``(fig, result)``: the Figure (contour plot with the paths, and loss per step) and
        ``{label: OptimizerPath}`` with each ``path``, ``losses`` and ``final_loss``.

    Example:
        >>> fig, result = plot_optimizer_paths("beale", steps=200)
        >>> {name: round(r.final_loss, 4) for name, r in result.items()}
    """
    spec = _function_spec(function)
    steps = spec.steps if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, (int, numpy.integer)) or steps < 1:
        raise ValueError(f"plot_optimizer_paths: steps must be a positive int; received "
                         f"steps={steps!r}")
    start = spec.start if start is None else tuple(float(v) for v in start)
    if len(start) != 2:
        raise ValueError(f"plot_optimizer_paths: start must be a point (x, y); received "
                         f"start={start!r}")
    rates = {**spec.learning_rates,
             **{_canonical(k): v for k, v in (learning_rates or {}).items()}}
    result = {}
    for label, optimizer in _optimizer_items(optimizers, rates):
        result[label] = optimize_path(spec.fn, optimizer, start, steps, name=label)

    plt = pyplot()
    fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(13, 5.5),
                                          gridspec_kw={"width_ratios": [1.25, 1]})
    _draw_contours(ax_map, spec)
    colors = plt.get_cmap("tab10").colors
    for i, (label, run) in enumerate(result.items()):
        color = colors[i % len(colors)]
        ax_map.plot(run.path[:, 0], run.path[:, 1], "-", color=color, lw=1.8, label=label)
        ax_map.scatter(*run.path[-1], color=color, s=30, zorder=4, edgecolor="k", lw=0.5)
        ax_loss.plot(numpy.arange(len(run.losses)), run.losses, color=color, lw=1.6,
                     label=f"{label}: {run.final_loss:.3g}" + (" (diverged)" if run.diverged
                                                               else ""))
    ax_map.scatter(*start, marker="o", s=60, color="k", zorder=5, label="start")
    if spec.minima:
        ax_map.scatter(*numpy.array(spec.minima).T, marker="*", s=220, color="gold",
                       edgecolor="k", zorder=5, label="minimum")
    if spec.saddles:
        ax_map.scatter(*numpy.array(spec.saddles).T, marker="X", s=90, color="w",
                       edgecolor="k", zorder=5, label="saddle point")
    ax_map.set(xlim=spec.xlim, ylim=spec.ylim, xlabel="x", ylabel="y",
               title=f"{spec.name.capitalize()}: f(x, y) = {spec.formula}")
    ax_map.legend(loc="best", fontsize=8, framealpha=0.9)
    if spec.log_scale:
        ax_loss.set_yscale("log")
    ax_loss.set(xlabel="step", ylabel="f(x, y)" + (" (log scale)" if spec.log_scale else ""),
                title=f"Loss per step ({steps} steps); legend: final loss")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend(fontsize=8)
    fig.tight_layout()
    return finish(fig, show), result


def _function_spec(function) -> TestFunction:
    if isinstance(function, TestFunction):
        return function
    from lamina._lookup import lookup

    return lookup(FUNCTIONS, function, "test function for plot_optimizer_paths")


def _optimizer_items(optimizers, rates):
    from lamina.optimizers import Optimizer

    if isinstance(optimizers, (str, Optimizer)):
        optimizers = [optimizers]
    items = optimizers.items() if isinstance(optimizers, dict) else \
        [(None, opt) for opt in optimizers]
    out = []
    for label, opt in items:
        if isinstance(opt, str):
            from lamina import optimizers as module

            key = _canonical(opt)
            if key not in rates:
                raise ValueError(f"plot_optimizer_paths: no learning rate for {opt!r}; pass "
                                 f"learning_rates={{{opt!r}: ...}} or an Optimizer instance")
            out.append((label or key, _MAKERS[key](module, rates[key])))
        elif isinstance(opt, Optimizer):
            out.append((label or type(opt).__name__, opt))
        else:
            raise TypeError(f"plot_optimizer_paths: optimizers must be names or lamina "
                            f"Optimizer instances; received {type(opt).__name__} {opt!r}")
    if not out:
        raise ValueError("plot_optimizer_paths: optimizers is empty")
    return out


def _draw_contours(ax, spec):
    from matplotlib.colors import LogNorm

    xs = numpy.linspace(*spec.xlim, 200)
    ys = numpy.linspace(*spec.ylim, 200)
    X, Y = numpy.meshgrid(xs, ys)
    Z = spec.fn(X, Y)
    if spec.log_scale:
        low = max(float(Z.min()), 1e-3)
        levels = numpy.logspace(numpy.log10(low), numpy.log10(float(Z.max())), 30)
        ax.contourf(X, Y, Z, levels=levels, norm=LogNorm(), cmap="Greys_r", alpha=0.35,
                    extend="both")
        ax.contour(X, Y, Z, levels=levels, norm=LogNorm(), cmap="Greys", linewidths=0.5,
                   alpha=0.6)
    else:
        levels = numpy.linspace(float(Z.min()), float(Z.max()), 25)
        ax.contourf(X, Y, Z, levels=levels, cmap="Greys_r", alpha=0.35)
        ax.contour(X, Y, Z, levels=levels, cmap="Greys", linewidths=0.5, alpha=0.6)
