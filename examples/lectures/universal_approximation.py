"""Lecture 4: one hidden layer of sigmoids fits a sine, a polynomial and a step.

    python examples/lectures/universal_approximation.py [--out DIR] [--quick]

Seed 003 quotes the universal approximation theorem: a feed-forward network with a
linear output and one hidden layer of a "squashing" activation can approximate any
continuous function on a bounded interval as closely as we like, "provided that the
network is given enough hidden units", and adds: that says nothing about the hidden layer
size, nor that training finds the weights.

Here ``Dense(width, sigmoid) -> Dense(1)`` networks of widths 1, 2, 4, ... 32 are
trained (Adam with a cosine-decaying learning rate, full batch) on three targets on
``[-π, π]``: ``sin(3x)``, the cubic ``(x³ − 4x)/8`` and a step up at ``x = -1`` and down
at ``x = 1`` (a box). The error is measured on 1,001 points between the training points.

Each hidden unit is one sigmoid "ramp" ``σ(w x + b)``; the output adds the ramps up.
A sine with three periods needs about six ramps, so its error falls steeply with width;
the box's two jumps need two steep ramps: more units help little, steeper ones would.
The hidden weights start large and spread out (``N(0, 4²)`` and biases ``U(-12, 12)``)
so that the ramps begin scattered over the interval; with Keras's default initialiser
(small weights, zero biases) every ramp starts nearly flat and centred at ``x = 0``, and
the same training ends about ten times less accurate.

Writes ``fits.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina.initializers import RandomNormal, RandomUniform
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import Adam, schedules

NAME = "universal_approximation"
TARGETS = {
    "sin(3x)": lambda x: np.sin(3.0 * x),
    "(x³ − 4x)/8": lambda x: (x ** 3 - 4.0 * x) / 8.0,
    "step up at −1, down at 1": lambda x: (np.abs(x) < 1.0).astype(x.dtype),
}


def network(width, seed=0):
    """``Dense(width, sigmoid) -> Dense(1)``, the theorem's network, with seeded weights."""
    model = Sequential([
        Input((1,)),
        Dense(width, activation="sigmoid",
              kernel_initializer=RandomNormal(stddev=4.0, seed=seed),
              bias_initializer=RandomUniform(-12.0, 12.0, seed=seed + 1)),
        Dense(1, kernel_initializer=RandomNormal(stddev=0.1, seed=seed + 2)),
    ])
    return model


def fit(target, width, epochs, n_train=256, seed=0):
    """Train one network on ``n_train`` points of ``target``; return it and its final
    training loss."""
    x = np.linspace(-np.pi, np.pi, n_train, dtype="float32")[:, None]
    model = network(width, seed)
    model.compile(optimizer=Adam(schedules.CosineDecay(0.05, epochs, alpha=0.01)), loss="mse")
    history = model.fit(x, target(x), batch_size=n_train, epochs=epochs, verbose=0, seed=seed)
    return model, history.history["loss"][-1]


def plot(results, grid, widths_to_draw, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 9.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (name, runs) in zip(axes, results.items()):
        ax.plot(grid, TARGETS[name](grid), color="k", lw=2.5, label="target")
        for i, width in enumerate(widths_to_draw):
            run = runs[width]
            ax.plot(grid, run["prediction"], lw=1.5, color=f"C{i}",
                    label=f"{width} unit{'s' * (width > 1)}: MSE {run['mse']:.1e}")
        ax.set(title=name, xlabel="x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax = axes[-1]
    for name, runs in results.items():
        widths = sorted(runs)
        ax.plot(widths, [runs[w]["mse"] for w in widths], "o-", label=name)
    ax.set(xscale="log", yscale="log", xlabel="hidden units (width)",
           ylabel="mean squared error on 1,001 points", title="Error vs width")
    ax.set_xticks(sorted(next(iter(results.values()))), minor=False)
    ax.xaxis.set_major_formatter("{x:g}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.suptitle("One hidden layer of sigmoids, linear output: more units, closer fit")
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    widths = (1, 16) if quick else (1, 2, 4, 8, 16, 32)
    epochs = 600 if quick else 3000
    grid = np.linspace(-np.pi, np.pi, 1001, dtype="float32")[:, None]
    results = {}
    for name, target in TARGETS.items():
        results[name] = {}
        for width in widths:
            model, train_loss = fit(target, width, epochs)
            prediction = model.predict(grid, verbose=0)
            mse = float(np.mean((prediction.astype("float64") - target(grid)) ** 2))
            results[name][width] = {"mse": mse, "train_loss": float(train_loss),
                                    "prediction": prediction.ravel()}
    drawn = widths if quick else (1, 4, 32)
    plot(results, grid.ravel(), drawn, out / "fits.png")

    lines = ["Lecture 4: universal approximation with one hidden layer (seed 003)", "",
             f"Dense(width, sigmoid) -> Dense(1), Adam + cosine decay from 0.05, {epochs} "
             "full-batch epochs on 256 points in [-π, π];",
             "mean squared error on 1,001 points:", "",
             "| target | " + " | ".join(f"width {w}" for w in widths) + " |",
             "|---|" + "---:|" * len(widths)]
    for name, runs in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{runs[w]['mse']:.2e}" for w in widths)
                     + " |")
    lines += ["", "The sine and the cubic: the error falls by orders of magnitude with width.",
              "The step: one sigmoid cannot go up and down; from two units on, the error left "
              "sits at the two jumps, which a continuous function can only steepen towards."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"widths": list(widths), "epochs": epochs,
            "mse": {name: {w: r["mse"] for w, r in runs.items()}
                    for name, runs in results.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
