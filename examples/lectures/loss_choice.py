"""Lecture 7: square error vs cross-entropy behind a softmax output (seed 002).

    python examples/lectures/loss_choice.py [--out DIR] [--quick]

Seed 002, "Choosing proper loss": the "hello world" network (784-500-500-10, sigmoid
hidden layers, softmax output, ``SGD(lr=0.1)``, batch 100) trained once with
``loss='mse'`` and once with ``loss='categorical_crossentropy'``; "when using softmax
output layer, choose cross entropy". The slides use MNIST digits; this machine has
Fashion-MNIST (same shapes, ten classes, harder), flattened to 784 inputs in [0, 1].
Both runs start from the same initial weights and see the batches in the same order.

Why: for a one-hot target and softmax outputs ``p``, cross-entropy's gradient with
respect to the correct class's logit is ``p − 1``: largest when the network is
confidently wrong. The square error's gradient carries an extra factor ``p (1 − p)``
from the softmax and vanishes exactly there; the slide's "total loss" surface is flat
far from the target. The second figure draws both gradients (from autograd).

Writes ``accuracy.png``, ``gradients.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from lamina.datasets import fashion_mnist
from lamina.layers import Activation, Dense, Input
from lamina.models import Sequential
from lamina.optimizers import SGD
from lamina.random import set_random_seed

NAME = "loss_choice"
LOSSES = {"square error (mse)": "mse", "cross-entropy": "categorical_crossentropy"}


def load(n_train, n_test):
    """Fashion-MNIST flattened to ``(n, 784)`` float32 in [0, 1], labels one-hot."""
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    eye = np.eye(10, dtype="float32")
    x = x[:n_train].reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test[:n_test].reshape(-1, 784).astype("float32") / 255.0
    return (x, eye[y[:n_train]]), (x_test, eye[y_test[:n_test]])


def hello_world(loss):
    """Seed 002's network with its Step 3.1 configuration, for ``loss``."""
    model = Sequential([
        Input((28 * 28,)),
        Dense(500), Activation("sigmoid"),
        Dense(500), Activation("sigmoid"),
        Dense(10), Activation("softmax"),
    ])
    model.compile(loss=loss, optimizer=SGD(learning_rate=0.1), metrics=["accuracy"])
    return model


def train_both(train, test, epochs, seed=0):
    """One run per loss, from the same initial weights; returns histories, test scores
    and seconds."""
    set_random_seed(seed)
    initial = hello_world("mse").get_weights()
    runs = {}
    for label, loss in LOSSES.items():
        model = hello_world(loss)
        model.set_weights(initial)
        start = time.perf_counter()
        history = model.fit(*train, batch_size=100, epochs=epochs, verbose=0, seed=seed,
                            validation_data=test)
        seconds = time.perf_counter() - start
        score = model.evaluate(*test, verbose=0)
        runs[label] = {"history": history.history, "test_loss": float(score[0]),
                       "test_accuracy": float(score[1]), "seconds": seconds}
    return runs


def output_gradients(p_correct, classes=10):
    """``|∂L/∂z|`` for the correct class's logit ``z``, with softmax outputs whose correct
    class gets probability ``p_correct`` (the others share the rest), from autograd.
    ``L`` is Keras's ``mse`` (mean over the classes) or categorical cross-entropy."""
    from lamina.autograd import Tensor
    from lamina.autograd import ops as F

    p = np.asarray(p_correct, dtype="float64")
    # logits [z, 0, ..., 0] give p_correct = e^z / (e^z + classes - 1)
    z = np.zeros((p.size, classes))
    z[:, 0] = np.log(p * (classes - 1) / (1.0 - p))
    target = np.zeros_like(z)
    target[:, 0] = 1.0
    grads = {}
    for label in LOSSES:
        logits = Tensor(z, requires_grad=True, dtype="float64")
        probs = F.softmax(logits, axis=-1)
        if "mse" in label:
            loss = ((probs - Tensor(target, dtype="float64")) ** 2).mean(axis=-1).sum()
        else:
            loss = -(Tensor(target, dtype="float64") * F.log(probs)).sum()
        loss.backward()
        grads[label] = np.abs(logits.grad[:, 0])
    return grads


def plot_accuracy(runs, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 5.8), layout="constrained")
    ax = fig.subplots()
    for i, (label, run) in enumerate(runs.items()):
        epochs = np.arange(1, len(run["history"]["accuracy"]) + 1)
        ax.plot(epochs, run["history"]["accuracy"], "o--", ms=3, color=f"C{i}",
                label=f"{label}: training")
        ax.plot(epochs, run["history"]["val_accuracy"], "o-", ms=3, color=f"C{i}",
                label=f"{label}: test ({run['test_accuracy']:.3f} at the end)")
    ax.axhline(0.1, color="0.5", lw=0.8, ls=":", label="chance (10 classes)")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1),
           title="Softmax output: square error vs cross-entropy\n"
                 "(784-500-500-10 sigmoid, SGD(lr=0.1), batch 100, Fashion-MNIST)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.savefig(file, dpi=100)


def plot_gradients(p, grads, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.subplots()
    for label, g in grads.items():
        ax.plot(p, g, lw=2, label=label)
    ax.set(xscale="log", yscale="log", xlabel="softmax output of the correct class",
           ylabel="|∂L / ∂(correct logit)|",
           title="The gradient the output layer receives (from autograd)")
    mse = grads["square error (mse)"]
    ax.annotate("confidently wrong:\nmse's gradient vanishes", (p[3], mse[3]),
                xytext=(20, 40), textcoords="offset points", fontsize=9,
                arrowprops={"arrowstyle": "->"})
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_test, epochs = (2000, 1000, 5) if quick else (20000, 10000, 20)
    train, test = load(n_train, n_test)
    runs = train_both(train, test, epochs)
    plot_accuracy(runs, out / "accuracy.png")
    p = np.geomspace(1e-4, 0.999, 200)
    grads = output_gradients(p)
    plot_gradients(p, grads, out / "gradients.png")

    mse, ce = runs["square error (mse)"], runs["cross-entropy"]
    shown = sorted({1, min(5, epochs), epochs})
    lines = ["Lecture 7: choosing the loss behind a softmax output (seed 002)", "",
             f"Fashion-MNIST (MNIST-style: 28x28 -> 784 inputs), {n_train} training and "
             f"{n_test} test images; 784-500-500-10, sigmoid/softmax, SGD(lr=0.1), "
             f"batch 100, {epochs} epochs, same initial weights:", "",
             "| loss | " + " | ".join(f"test accuracy after {e} epoch{'s' * (e > 1)}"
                                      for e in shown) + " | s/epoch |",
             "|---|" + "---:|" * (len(shown) + 1)]
    for label, run in runs.items():
        acc = run["history"]["val_accuracy"]
        lines.append(f"| {label} | " + " | ".join(f"{acc[e - 1]:.4f}" for e in shown)
                     + f" | {run['seconds'] / epochs:.2f} |")
    at = {f"{v:g}": (grads["square error (mse)"][i], grads["cross-entropy"][i])
          for v in (1e-3, 0.1, 0.9) for i in [int(np.argmin(np.abs(p - v)))]}
    lines += ["", f"Test accuracy: square error {mse['test_accuracy']:.4f}, cross-entropy "
              f"{ce['test_accuracy']:.4f}. When using a softmax output layer, choose "
              "cross-entropy.", "",
              "|∂L/∂z| of the correct class's logit (mse vs cross-entropy) when its softmax "
              "output is " + "; ".join(f"{k}: {a:.2e} vs {b:.2e}" for k, (a, b) in at.items())
              + "."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"n_train": n_train, "epochs": epochs,
            "test_accuracy": {label: run["test_accuracy"] for label, run in runs.items()},
            "val_accuracy": {label: run["history"]["val_accuracy"]
                             for label, run in runs.items()},
            "gradient_at": {k: {"mse": float(a), "cross_entropy": float(b)}
                            for k, (a, b) in at.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
