"""Lecture 5: gradient descent with momentum on a 1-D function, step by step.

    python examples/lectures/gradient_descent.py [--out DIR] [--quick]

Seed 002 gives ``GD_momentum(x_start, df, epochs, lr, momentum)``: ``v = -df(x) * lr +
momentum * v; x += v``, returning the position after every step. This script runs it
(copied as on the slide) and shows:

1. the learning rate ("set the learning rate η carefully") on ``f(x) = (x − 2)² + 1``
   from ``x = −3``: too small (0.02: after 20 steps still far away), right (0.3), large
   (0.9: it zig-zags across the minimum) and too large (1.05: every step overshoots
   further, it diverges). For this ``f`` each step multiplies the distance to the
   minimum by ``1 − 2·lr``, so ``lr > 1`` must diverge;
2. momentum (0, 0.5, 0.9) with the small learning rate: momentum accelerates, too much
   of it overshoots and oscillates;
3. local minima ("gradient descent never guarantees global minima") on
   ``g(x) = x⁴ − 3x² + x``: from ``x = 2`` plain gradient descent stops in the local
   minimum near 1.13; with momentum 0.9 it rolls through into the global one near
   −1.30; with a larger learning rate the same momentum swings back. Where you start
   decides as much as how you step.

Every run is repeated with lamina's ``SGD(learning_rate, momentum)`` on a 1-D
``Variable`` (gradient from autograd): Keras's update ``v = momentum·v − lr·g;
w += v`` is the slide's, and the positions agree to rounding.

Writes ``learning_rates.png``, ``momentum.png``, ``local_minima.png``, ``positions.csv``
(every position of every run) and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from lamina import Variable
from lamina.optimizers import SGD

NAME = "gradient_descent"


def GD_momentum(x_start, df, epochs, lr, momentum):  # noqa: N802 - the slide's name
    """Gradient descent with momentum (seed 002, verbatim apart from this docstring).

    Returns the positions of x after each step, the start included (epochs + 1 values).
    """
    xs = np.zeros(epochs + 1)
    x = x_start
    xs[0] = x
    v = 0
    for i in range(epochs):
        dx = df(x)
        # v is how far x moves in this step
        v = - dx * lr + momentum * v
        x += v
        xs[i + 1] = x
    return xs


def f(x):
    """A bowl with its minimum f(2) = 1."""
    return (x - 2.0) ** 2 + 1.0


def df(x):
    return 2.0 * (x - 2.0)


def g(x):
    """Two valleys: a local minimum near x = 1.13 and the global one near x = -1.30."""
    return x ** 4 - 3.0 * x ** 2 + x


def dg(x):
    return 4.0 * x ** 3 - 6.0 * x + 1.0


def lamina_positions(function, x_start, epochs, lr, momentum):
    """The same walk with lamina: ``SGD`` updates a 1-D float64 ``Variable`` whose
    gradient comes from autograd (``function`` is written with + - * **)."""
    x = Variable(np.array([x_start]), dtype="float64")
    optimizer = SGD(learning_rate=lr, momentum=momentum)
    xs = [x_start]
    for _ in range(epochs):
        loss = function(x).sum()
        loss.backward()
        optimizer.apply_gradients([(x.grad, x)])
        x.grad = None
        xs.append(float(x.data[0]))
    return np.array(xs)


def draw_path(ax, function, xs, title, view=None):
    """``function`` as a curve and the walk ``xs`` on it, light to dark by step."""
    low, high = view or (min(xs.min(), -1.0), max(xs.max(), 5.0))
    pad = 0.08 * (high - low)
    grid = np.linspace(low - pad, high + pad, 400)
    ax.plot(grid, function(grid), color="0.35", lw=1.5, zorder=1)
    ys = function(xs)
    ax.plot(xs, ys, "-", color="C1", lw=0.9, alpha=0.8, zorder=2)
    ax.scatter(xs, ys, c=np.arange(len(xs)), cmap="viridis", s=26, zorder=3,
               edgecolor="k", linewidth=0.3)
    ax.scatter(xs[:1], ys[:1], marker="s", s=60, color="red", zorder=4, label="start")
    ax.set(title=title, xlabel="x", ylabel="f(x)", xlim=(low - pad, high + pad))
    ax.grid(alpha=0.3)


def plot_learning_rates(runs, epochs, file):
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, NullLocator

    fig = Figure(figsize=(16, 8.2), layout="constrained")
    axes = fig.subplot_mosaic([["0", "1", "2", "3"], ["x", "x", "d", "d"]])
    for i, (label, (lr, xs)) in enumerate(runs.items()):
        view = (-3.5, 7.5) if abs(xs).max() < 10 else None
        draw_path(axes[str(i)], f, xs, f"lr = {lr}: {label}\nx after {epochs} steps = "
                  f"{xs[-1]:.3g}", view)
        axes["x"].plot(np.arange(len(xs)), xs, "o-", ms=3, label=f"lr = {lr} ({label})")
        axes["d"].plot(np.arange(len(xs)), np.abs(xs - 2.0), "o-", ms=3, label=f"lr = {lr}")
    axes["0"].legend(loc="upper center")
    axes["x"].axhline(2.0, color="k", lw=0.8, ls=":")
    # symmetric log: linear within ±10, where the converging runs live, logarithmic beyond,
    # so the diverging run's every position stays in the frame
    ticks = [-30, -20, -10, -5, 0, 2, 5, 10, 20, 30]
    axes["x"].set(xlabel="step", ylabel="position x (linear within ±10, log beyond)",
                  title="Positions per step (dotted: the minimum x = 2)")
    axes["x"].set_yscale("symlog", linthresh=10)
    reach = 1.4 * max(float(np.abs(xs).max()) for _, xs in runs.values())
    axes["x"].set_ylim(-reach, reach)   # a margin in the log part: no marker on the frame
    axes["x"].set_yticks(ticks, [str(t) for t in ticks])
    axes["x"].yaxis.set_minor_locator(NullLocator())
    axes["d"].set(xlabel="step", ylabel="|x − 2|", yscale="log",
                  title="Distance to the minimum (log scale)")
    for key in ("x", "d"):
        axes[key].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[key].grid(alpha=0.3, which="both")
        axes[key].legend(fontsize=8)
    fig.suptitle("GD_momentum(x_start=-3, df, epochs, lr, momentum=0) on f(x) = (x − 2)² + 1: "
                 "set the learning rate carefully\n(dots: positions, dark → light = first → "
                 "last step)")
    fig.savefig(file, dpi=90)


def plot_momentum(runs, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4.6), layout="constrained")
    ax_x, ax_path = fig.subplots(1, 2)
    for momentum, xs in runs.items():
        ax_x.plot(np.arange(len(xs)), xs, "o-", ms=2.5, label=f"momentum = {momentum}: "
                  f"|x − 2| = {abs(xs[-1] - 2):.1e} at the end")
    ax_x.axhline(2.0, color="k", lw=0.8, ls=":")
    ax_x.set(xlabel="step", ylabel="position x", title="lr = 0.02: positions per step")
    ax_x.grid(alpha=0.3)
    ax_x.legend(fontsize=8)
    draw_path(ax_path, f, runs[0.9], "momentum = 0.9: past the minimum and back\n"
              "(dark → light = first → last step)",
              view=(-3.5, 7.5))
    fig.savefig(file, dpi=90)


def plot_local_minima(runs, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(17, 4.6), layout="constrained")
    axes = fig.subplots(1, len(runs))
    for ax, (label, (start, lr, momentum, xs)) in zip(axes, runs.items()):
        view = (min(-2.1, xs.min()), max(2.3, xs.max()))
        draw_path(ax, g, xs, f"{label}: start {start:g},\nlr {lr}, momentum {momentum}: "
                  f"ends at x = {xs[-1]:.3f}", view=view)
        ax.set_ylim(-4.5, 6.0)
        ax.set_ylabel("g(x) = x⁴ − 3x² + x")
    fig.suptitle("Gradient descent never guarantees the global minimum "
                 "(dots: positions, dark → light = first → last step)")
    fig.savefig(file, dpi=90)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    epochs = 20
    lr_runs = {label: (lr, GD_momentum(-3.0, df, epochs, lr, 0.0)) for label, lr in (
        ("too small", 0.02), ("right", 0.3), ("large: zig-zags", 0.9),
        ("too large: diverges", 1.05))}
    momentum_steps = 50
    momentum_runs = {m: GD_momentum(-3.0, df, momentum_steps, 0.02, m) for m in (0, 0.5, 0.9)}
    local_steps = 100
    local_runs = {
        "plain gradient descent": (2.0, 0.01, 0.0),
        "with momentum": (2.0, 0.01, 0.9),
        "momentum, larger lr": (2.0, 0.05, 0.9),
        "plain, starting left": (-2.0, 0.01, 0.0),
    }
    local_runs = {k: (*v, GD_momentum(v[0], dg, local_steps, v[1], v[2]))
                  for k, v in local_runs.items()}

    # the same walks with lamina's SGD
    checks = [(f, -3.0, epochs, lr, 0.0, xs) for lr, xs in lr_runs.values()]
    checks += [(f, -3.0, momentum_steps, 0.02, m, xs) for m, xs in momentum_runs.items()]
    checks += [(g, s, local_steps, lr, m, xs) for s, lr, m, xs in local_runs.values()]
    sgd_error = max(float(np.abs(lamina_positions(fn, s, n, lr, m) - xs).max()
                          / max(1.0, np.abs(xs).max()))
                    for fn, s, n, lr, m, xs in checks)

    plot_learning_rates(lr_runs, epochs, out / "learning_rates.png")
    plot_momentum(momentum_runs, out / "momentum.png")
    plot_local_minima(local_runs, out / "local_minima.png")
    columns = {f"f lr={lr} momentum=0": xs for lr, xs in lr_runs.values()}
    columns |= {f"f lr=0.02 momentum={m}": xs for m, xs in momentum_runs.items()}
    columns |= {f"g start={s:g} lr={lr} momentum={m}": xs
                for s, lr, m, xs in local_runs.values()}
    with open(out / "positions.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["step", *columns])
        for step in range(max(len(xs) for xs in columns.values())):
            writer.writerow([step, *(f"{xs[step]:.10g}" if step < len(xs) else ""
                                     for xs in columns.values())])

    shown = list(range(11)) + [epochs]
    lines = ["Lecture 5: gradient descent and momentum in one dimension (seed 002's "
             "GD_momentum)", "",
             "f(x) = (x − 2)² + 1 from x = −3, momentum 0, positions per step:", "",
             "| step | " + " | ".join(f"lr = {lr} ({label})" for label, (lr, _) in
                                     lr_runs.items()) + " |",
             "|---:|" + "---:|" * len(lr_runs)]
    for step in shown:
        lines.append(f"| {step} | " + " | ".join(f"{xs[step]:.4f}" for _, xs in
                                                 lr_runs.values()) + " |")
    lines += ["", f"Momentum, lr = 0.02, |x − 2| after {momentum_steps} steps: "
              + ", ".join(f"momentum {m}: {abs(xs[-1] - 2):.2e}"
                          for m, xs in momentum_runs.items()), "",
              f"Local minima, g(x) = x⁴ − 3x² + x, {local_steps} steps:"]
    for label, (start, lr, momentum, xs) in local_runs.items():
        lines.append(f"  {label:<24} start {start:>4g}, lr {lr}, momentum {momentum}: "
                     f"x = {xs[-1]:.4f}, g(x) = {g(xs[-1]):.4f}")
    lines += ["", f"lamina's SGD(learning_rate, momentum) retraces every run: largest "
              f"difference {sgd_error:.1e} (relative to the run's scale).",
              "All positions: positions.csv."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {
        "final_x": {lr: float(xs[-1]) for lr, xs in lr_runs.values()},
        "lr_positions": {lr: xs.tolist() for lr, xs in lr_runs.values()},
        "momentum_distance": {m: float(abs(xs[-1] - 2.0)) for m, xs in momentum_runs.items()},
        "local_minima": {label: float(v[3][-1]) for label, v in local_runs.items()},
        "sgd_max_difference": sgd_error,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
