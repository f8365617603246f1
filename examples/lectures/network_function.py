"""Lecture 17: a network is a function: seed 002's 2-2-2-2 sigmoid network, f(1, -1) = [0.62, 0.83].

    python examples/lectures/network_function.py [--out DIR] [--quick]

Seed 002 ("Fully Connect Feedforward Network") draws a network of three layers of two
sigmoid neurons, ``σ(z) = 1 / (1 + e^-z)``, with its weights and biases written on the
edges, and concludes: "Network is a function. Input vector, output vector":

    f(1, -1) = [0.62, 0.83]        f(0, 0) = [0.51, 0.85]

The weights are on the slide's drawing (Hung-yi Lee's deck), not in the seed's text; here
they are, neuron by neuron (``z = w · a + b``); the four printed numbers check them:

    layer 1:  w = ( 1, -2), b =  1    w = (-1,  1), b = 0
    layer 2:  w = ( 2, -1), b =  0    w = (-2, -1), b = 0
    layer 3:  w = ( 3, -1), b = -2    w = (-1,  4), b = 2

The script builds that network as ``Sequential([Dense(2, 'sigmoid')] * 3)``, sets the
slide's weights (a Keras kernel is ``(inputs, units)``: the transposes of the rows above),
and prints every layer's outputs for both inputs next to a plain NumPy forward pass:
(1, -1) -> [0.98, 0.12] -> [0.86, 0.11] -> [0.62, 0.83] and
(0, 0) -> [0.73, 0.50] -> [0.72, 0.12] -> [0.51, 0.85]; the last are the slide's f.
"Given parameters θ define a function": ``function.png`` draws both outputs over the plane.

Writes ``function.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina.layers import Dense, Input
from lamina.models import Sequential

NAME = "network_function"

#: the slide's weights, one row per neuron (``z = w · a + b``), and biases, layer by layer
WEIGHTS = [np.array([[1.0, -2.0], [-1.0, 1.0]]),
           np.array([[2.0, -1.0], [-2.0, -1.0]]),
           np.array([[3.0, -1.0], [-1.0, 4.0]])]
BIASES = [np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([-2.0, 2.0])]
#: the seed's numbers (two decimals): f(x) for two inputs x
SLIDE = {(1.0, -1.0): [0.62, 0.83], (0.0, 0.0): [0.51, 0.85]}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_by_hand(x):
    """Each layer's outputs ``a = σ(W a + b)`` in float64 NumPy, from input ``x``."""
    a, outputs = np.asarray(x, dtype="float64"), []
    for w, b in zip(WEIGHTS, BIASES, strict=True):
        a = sigmoid(w @ a + b)
        outputs.append(a)
    return outputs


def build_model():
    """The slide's network in lamina, with the slide's weights."""
    model = Sequential([Input((2,))] + [Dense(2, activation="sigmoid") for _ in WEIGHTS])
    for layer, w, b in zip(model.layers, WEIGHTS, BIASES, strict=True):
        layer.set_weights([w.T.astype("float32"), b.astype("float32")])
    return model


def plot_function(model, file):
    from matplotlib.figure import Figure

    grid = np.linspace(-3.0, 3.0, 241)
    x1, x2 = np.meshgrid(grid, grid)
    points = np.stack([x1.ravel(), x2.ravel()], axis=1).astype("float32")
    y = model.predict(points, verbose=0).reshape(*x1.shape, 2)
    fig = Figure(figsize=(12, 5.2), layout="constrained")
    for k, ax in enumerate(fig.subplots(1, 2)):
        image = ax.pcolormesh(x1, x2, y[..., k], cmap="viridis", vmin=0, vmax=1,
                              shading="auto")
        fig.colorbar(image, ax=ax, label=f"output y{k + 1}")
        for x, slide in SLIDE.items():
            ax.plot(*x, "o", color="white", markeredgecolor="black", markersize=9)
            ax.annotate(f"y{k + 1}({x[0]:g}, {x[1]:g}) = {slide[k]:.2f}", x, xytext=(-10, 8),
                        textcoords="offset points", ha="right", color="white", fontsize=12,
                        fontweight="bold")
        ax.set_xlabel("input x1")
        ax.set_ylabel("input x2")
        ax.set_title(f"y{k + 1} = f(x1, x2)[{k}]", fontsize=12)
    fig.suptitle("Seed 002: given its weights, the 2-2-2-2 sigmoid network is a function "
                 "of its two inputs", fontsize=13)
    fig.savefig(file, dpi=110)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write ``function.png`` and ``summary.txt``; return the numbers.
    (Everything here is fast; ``quick`` changes nothing.)"""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = build_model()
    lines = ["Lecture 17: a network is a function (seed 002)", "",
             "The slide's weights (one row per neuron) and biases:"]
    for i, (w, b) in enumerate(zip(WEIGHTS, BIASES, strict=True), start=1):
        lines.append(f"  layer {i}: W = {w.tolist()}, b = {b.tolist()}")
    lines.append("")
    by_hand, by_lamina, layers = {}, {}, {}
    for x, slide in SLIDE.items():
        hand = forward_by_hand(x)
        probe = np.array([x], dtype="float32")
        outputs = []
        for layer in model.layers:
            probe = layer(probe).data
            outputs.append(probe[0].astype("float64"))
        layers[x] = [o.tolist() for o in outputs]
        by_hand[x] = hand[-1].tolist()
        by_lamina[x] = model.predict(np.array([x], dtype="float32"), verbose=0)[0].tolist()
        chain = " -> ".join(f"[{o[0]:.2f}, {o[1]:.2f}]" for o in outputs)
        lines += [f"f{x}: {chain}",
                  f"  the slide: f{x} = {slide}",
                  f"  f{x} = {np.round(by_lamina[x], 4).tolist()} (lamina, float32), "
                  f"{np.round(by_hand[x], 4).tolist()} (NumPy, float64)"]
    matches = all(np.round(by_lamina[x], 2).tolist() == SLIDE[x] for x in SLIDE)
    lines += ["", f"f, rounded to two decimals, equals the slide's at both inputs: {matches}"]
    plot_function(model, out / "function.png")
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"f": by_lamina, "f_by_hand": by_hand, "layers": layers,
            "matches_slides": matches}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
