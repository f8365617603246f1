"""Lecture 3: Heaviside, sigmoid, tanh, ReLU and identity, and their derivatives.

    python examples/lectures/activation_functions.py [--out DIR] [--quick]

Seeds 003/004 list the activations: Heaviside ``H(x) = 1 if x > 0 else 0`` (the
perceptron's), the sigmoid ``1 / (1 + e^-x)``, ``tanh(x) = 2 / (1 + e^-2x) - 1``, ReLU
``max(0, x)`` and the identity. The derivatives drawn here come from lamina's autograd
(``f(x).sum().backward()``), and the script checks them against the formulas:
``σ' = σ(1 − σ)``, ``tanh' = 1 − tanh²``, ``ReLU' = 1 if x > 0 else 0``, ``I' = 1``,
``H' = 0`` (almost everywhere; it is why backpropagation cannot train a perceptron).

It also measures what seed 004 says about the vanishing gradient: the sigmoid's slope is
at most 0.25, so backpropagating through ``n`` sigmoid layers multiplies the gradient by
at most ``0.25^n``; ReLU's slope is 1 wherever the unit is active.

Writes ``activations.png``, ``vanishing_gradient.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina.viz import plot_activation_functions
from lamina.viz.activations import activation_and_derivative

NAME = "activation_functions"
NAMES = ("heaviside", "sigmoid", "tanh", "relu", "identity")


def formulas(x):
    """Each activation and its derivative written out by hand (plain NumPy)."""
    s = 1.0 / (1.0 + np.exp(-x))
    t = 2.0 / (1.0 + np.exp(-2.0 * x)) - 1.0
    return {
        "heaviside": ((x > 0).astype(float), np.zeros_like(x)),
        "sigmoid": (s, s * (1.0 - s)),
        "tanh": (t, 1.0 - t * t),
        "relu": (np.maximum(x, 0.0), (x > 0).astype(float)),
        "identity": (x.copy(), np.ones_like(x)),
    }


def chained_slopes(depth, points):
    """The largest factor ``Π f'(z_l)`` over ``depth`` layers, for inputs ``z`` in
    ``points``: ``max f'`` to the power ``depth`` (sigmoid: 0.25^n, tanh and ReLU: 1)."""
    out = {}
    for name in ("sigmoid", "tanh", "relu"):
        _, slope = activation_and_derivative(name, points)
        out[name] = float(slope.max()) ** np.arange(depth + 1)
    return out


def plot_vanishing(chains, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.subplots()
    for (name, values), style in zip(chains.items(), ("o-", "s-", "^--")):
        ax.plot(np.arange(len(values)), values, style, ms=5 if style == "s-" else 4,
                label=f"{name}: max f' = {values[1]:.2f}")
    ax.set(yscale="log", xlabel="layers the gradient passes back through",
           ylabel="largest possible factor  Π f'(z)",
           title="Vanishing gradient: each sigmoid layer scales it by at most 0.25")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    grid = np.linspace(-4.0, 4.0, 161 if quick else 801)
    x = grid[np.abs(grid) > 1e-12]  # leave out x = 0, where H and ReLU have no derivative
    by_hand = formulas(x)
    errors = {}
    for name in NAMES:
        f, df = activation_and_derivative(name, x)
        f_ref, df_ref = by_hand[name]
        errors[name] = (float(np.abs(f - f_ref).max()), float(np.abs(df - df_ref).max()))

    fig = plot_activation_functions(NAMES, x_range=(-4.0, 4.0))
    fig.suptitle("Activation functions (solid) and their derivatives from lamina's autograd "
                 "(dashed)", y=1.02)
    fig.savefig(out / "activations.png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    depth = 10
    chains = chained_slopes(depth, grid)
    plot_vanishing(chains, out / "vanishing_gradient.png")

    points = np.array([-2.0, -0.5, 0.5, 2.0])
    lines = ["Lecture 3: activation functions and their derivatives (seeds 003, 004)", "",
             "Derivatives from lamina's autograd vs the formulas, on "
             f"{len(x)} points in [-4, 4] (x = 0 left out):",
             f"  {'activation':<10} {'max |f - formula|':>18} {'max |df - formula|':>19}   "
             f"f'(x) at x = {', '.join(f'{p:g}' for p in points)}"]
    for name in NAMES:
        slope = activation_and_derivative(name, points)[1]
        lines.append(f"  {name:<10} {errors[name][0]:>18.1e} {errors[name][1]:>19.1e}   "
                     + ", ".join(f"{v:.4f}" for v in slope))
    lines += [
        "", f"Largest slopes: sigmoid {chains['sigmoid'][1]:.4f} (at 0), tanh "
        f"{chains['tanh'][1]:.4f}, ReLU {chains['relu'][1]:.4f}.",
        f"Through {depth} sigmoid layers the gradient is multiplied by at most "
        f"0.25^{depth} = {chains['sigmoid'][depth]:.2e}; through ReLUs by exactly 1 where "
        "the units are active.",
        "Heaviside: f' = 0 everywhere (except at 0, where it jumps), so no gradient reaches "
        "the weights: the perceptron needs its own rule.",
    ]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {
        "max_error": {name: max(e) for name, e in errors.items()},
        "max_slope": {name: float(v[1]) for name, v in chains.items()},
        "sigmoid_chain": float(chains["sigmoid"][depth]),
        "depth": depth,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
