"""Lecture 2: backpropagation by hand on seed 003's 2-2-2-1 network, every number shown.

    python examples/lectures/backprop_by_hand.py [--out DIR] [--quick]

Seed 003's network: inputs ``x0, x1``; sigmoid nodes ``A, B`` then ``C, D``; an identity
output ``y``; the loss ``J = ½(d − y)²``. ``lamina.explain`` writes the forward pass
(every node's value, stored for the way back) and the backward pass (every partial
derivative named and valued, as on the slides:
``∂J/∂w20 = ∂J/∂y · ∂y/∂y_in · ∂y_in/∂w20 = (y − d) · 1 · C``). The script then checks
the trace three ways, none of which uses the trace's own code:

1. lamina's autograd on the same weights (``trace.max_error``);
2. central finite differences ``(J(w + h) − J(w − h)) / 2h`` with a plain NumPy forward pass;
3. the same network as a float64 ``Sequential`` model: one gradient-descent step by hand,
   ``w ← w − α ∂J/∂w``, equals one ``train_on_batch`` step of ``SGD(α)``.

Then it repeats the hand step and shows the loss falling. Writes ``trace.txt`` (the
full trace), ``network.png`` (values and gradients on the drawing of the network),
``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import lamina
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import SGD

NAME = "backprop_by_hand"
X = np.array([1.0, 0.5])  # the example (x0, x1)
D = 1.0                   # its desired output d
ALPHA = 0.5               # the learning rate α of the hand-made steps


def forward_loss(network, x, d):
    """``J = ½(d − y)²`` with a plain NumPy forward pass (no lamina), for finite differences."""
    a = x
    for kernel, _, activation in network:
        z = a @ kernel
        a = 1.0 / (1.0 + np.exp(-z)) if activation == "sigmoid" else z
    return 0.5 * float(((d - a) ** 2).sum())


def finite_differences(network, x, d, h=1e-6):
    """``∂J/∂w`` of every weight by central differences, per layer, in float64."""
    grads = []
    for l, (kernel, _, _) in enumerate(network):
        grad = np.zeros_like(kernel)
        for index in np.ndindex(kernel.shape):
            values = []
            for step in (h, -h):
                moved = [(k.copy(), b, act) for k, b, act in network]
                moved[l][0][index] += step
                values.append(forward_loss(moved, x, d))
            grad[index] = (values[0] - values[1]) / (2 * h)
        grads.append(grad)
    return grads


def slides_model(network):
    """The same network as a float64 ``Sequential`` of ``Dense`` layers without biases."""
    layers = [Input((2,), dtype="float64")]
    for kernel, _, activation in network:
        layers.append(Dense(kernel.shape[1], activation=activation, use_bias=False,
                            dtype="float64"))
    model = Sequential(layers)
    model.set_weights([kernel for kernel, _, _ in network])
    return model


def half_squared_error(y_true, y_pred):
    """The slides' ``J = ½(d − y)²`` as a Keras-style loss function."""
    return 0.5 * (y_true - y_pred) ** 2


def hand_step(network, trace, alpha):
    """``w ← w − α ∂J/∂w`` for every weight, from the trace's gradients."""
    return [(kernel - alpha * grads["kernel"], bias, act)
            for (kernel, bias, act), grads in zip(network, trace.layer_gradients)]


def plot_network(network, trace, losses, file):
    """The network with node values (forward) and ``∂J/∂w`` on the edges (backward)."""
    from matplotlib.figure import Figure

    columns = [["x0", "x1"], ["A", "B"], ["C", "D"], ["y"]]
    position = {}
    for c, names in enumerate(columns):
        for r, name in enumerate(names):
            position[name] = (4.0 * c, (len(names) - 1) / 2 * 2.0 - 2.0 * r)
    fig = Figure(figsize=(15, 5.6), layout="constrained")
    ax, ax_loss = fig.subplots(1, 2, width_ratios=[3.2, 1])
    biggest = max(abs(v) for v in trace.gradients.values())
    for l in range(3):
        for i, src in enumerate(columns[l]):
            for j, dst in enumerate(columns[l + 1]):
                name = f"w{l}{i * len(columns[l + 1]) + j}"
                (x0, y0), (x1, y1) = position[src], position[dst]
                grad = trace.gradients[name]
                ax.plot([x0, x1], [y0, y1], color="C3" if grad > 0 else "C0", zorder=1,
                        lw=0.8 + 5 * abs(grad) / biggest, alpha=0.7)
                t = 0.5 if y0 == y1 else 0.27   # keep labels of crossing edges apart
                weight = network[l][0][i, j]
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0),
                        f"{name} = {weight:.3g}\n∂J/∂{name} = {grad:.4f}", fontsize=8.5,
                        ha="center", va="center", zorder=3,
                        bbox={"boxstyle": "round", "fc": "white", "ec": "0.8", "alpha": 0.95})
    for name, (x, y) in position.items():
        ax.scatter(x, y, s=1900, color="#f4f1de" if name.startswith("x") else "#cde4f7",
                   edgecolor="k", zorder=2)
        ax.text(x, y, f"{name}\n{trace.values[name]:.4f}", ha="center", va="center",
                fontsize=10, zorder=4)
        step = f"∂J/∂{name}"
        if not name.startswith("x"):
            grad = next(s.value for s in trace.steps if s.symbol == step)
            above = y > 0
            ax.text(x, y + (0.42 if above else -0.42), f"{step} = {grad:.4f}", ha="center",
                    va="bottom" if above else "top", fontsize=9,
                    color="C3" if grad > 0 else "C0")
    ax.text(position["y"][0] + 0.6, position["y"][1],
            f"J = ½(d − y)²\n= ½({D:g} − {trace.values['y']:.4f})²\n= {trace.loss:.5f}",
            va="center", fontsize=10)
    ax.set(xlim=(-0.7, 14.6), ylim=(-1.7, 1.6), title="Forward values in the nodes; "
           "∂J/∂w on the edges (blue: negative, so w grows; width: size)")
    ax.axis("off")
    ax_loss.plot(np.arange(len(losses)), losses, "o-", ms=3)
    ax_loss.set(xlabel="hand-made step  w ← w − α ∂J/∂w", ylabel="J", yscale="log",
                title=f"J per step (α = {ALPHA})")
    ax_loss.grid(alpha=0.3, which="both")
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    network = lamina.explain.slides_network()
    trace = lamina.explain(network, x=X, d=D)
    (out / "trace.txt").write_text(trace.text() + "\n")
    print(trace.text())

    # 2. finite differences, independent of lamina
    numeric = finite_differences(network, X, D)
    fd_error = max(float(np.abs(n - g["kernel"]).max())
                   for n, g in zip(numeric, trace.layer_gradients))

    # 3. the same network as a lamina model: trace from the model, and one SGD step
    model = slides_model(network)
    model_trace = lamina.explain(model, x=X, d=D)
    model_vs_list = max(abs(model_trace.gradients[k] - v) for k, v in trace.gradients.items())
    model.compile(optimizer=SGD(learning_rate=ALPHA), loss=half_squared_error)
    model.train_on_batch(X[None], np.array([[D]]))
    by_hand = hand_step(network, trace, ALPHA)
    step_error = max(float(np.abs(w - k).max())
                     for w, (k, _, _) in zip(model.get_weights(), by_hand))

    # repeat the hand-made step: the loss falls
    steps = 20
    losses, current = [trace.loss], network
    for _ in range(steps):
        current = hand_step(current, lamina.explain(current, x=X, d=D), ALPHA)
        losses.append(forward_loss(current, X, D))
    plot_network(network, trace, losses, out / "network.png")

    w20 = trace.step("∂J/∂w20")
    lines = [
        "Lecture 2: backpropagation by hand (seed 003's 2-2-2-1 network)", "",
        f"Example x = ({X[0]:g}, {X[1]:g}), d = {D:g}: y = {trace.values['y']:.6f}, "
        f"J = ½(d − y)² = {trace.loss:.6f}",
        "The slide's gradient:",
        "  " + w20.text().replace("\n", "\n  "), "",
        "Gradients ∂J/∂w: " + ", ".join(f"{k} = {v:.6f}" for k, v in trace.gradients.items()),
        "",
        "Checks (largest absolute difference over all 10 weights):",
        *(f"  {label:<58} {value:.1e}" for label, value in (
            ("trace vs lamina's autograd", trace.max_error),
            ("trace vs central finite differences (h = 1e-6)", fd_error),
            ("trace of the float64 Sequential model vs the list", model_vs_list),
            (f"hand step w − {ALPHA}·∂J/∂w vs SGD({ALPHA}).train_on_batch", step_error))),
        "",
        f"Repeating the hand step: J = {losses[0]:.6f} -> {losses[1]:.6f} after one step -> "
        f"{losses[-1]:.2e} after {steps} steps.",
        "The full trace is in trace.txt.",
    ]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print("\n" + text)
    return {
        "loss": trace.loss,
        "y": trace.values["y"],
        "gradients": dict(trace.gradients),
        "dJ_dw20_factors": [f.value for f in w20.factors],
        "max_error_autograd": trace.max_error,
        "max_error_finite_differences": fd_error,
        "max_error_model_trace": model_vs_list,
        "max_error_sgd_step": step_error,
        "losses": losses,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
