"""Lecture 8: full-batch gradient descent vs mini-batches (seed 002, "Mini-batch").

    python examples/lectures/minibatch.py [--out DIR] [--quick]

Seed 002: "Original gradient descent: update after seeing all examples. With
mini-batch: if there are 20 batches, update 20 times in one epoch." and "Mini-batch is
faster. Not always true with parallel computing." This script measures both claims.

1. A picture with two parameters: fit ``y = w x + b`` (200 points) with full-batch GD
   and with batches of 10 (20 updates per epoch), and draw the paths of ``(w, b)`` over
   the contours of the total loss, as on the slide.
2. Fashion-MNIST (a 784-128-128-10 sigmoid network, cross-entropy, SGD(lr=0.1)):
   batch sizes N (full batch), 1000, 100 and 10, each from the same initial weights.
   Per epoch: the wall time of the updates and the loss on the whole training set.
   Large batches make cheap epochs (a few big matrix products, run in parallel), but
   full batch is one update per epoch: for the same wall time the mini-batches get much
   further.
3. Seed 004: "Batch sizes too small may be identified by a noisy function of loss over
   time, as the loss on one batch differs significantly from the loss of the next batch.
   With a batch size equal to the dataset size, variation should be minimal." The same
   network, from the same weights, trained step by step (``train_on_batch``) with batches
   of 10, 100 and the whole set; every step's batch loss is plotted next to the loss of
   the whole set at the same weights, and the noise is measured as the root mean square
   of their difference (0 for the full batch, up to rounding).

Writes ``paths.png``, ``loss_per_epoch.png``, ``loss_per_step.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from lamina.callbacks import Callback
from lamina.datasets import fashion_mnist, toy
from lamina.initializers import Constant
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import SGD
from lamina.random import set_random_seed

NAME = "minibatch"


# ---------------------------------------------------------------- 1. the 2-D picture
class _RecordWeights(Callback):
    """Keeps ``(w, b)`` of a one-input Dense(1) model after every update."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_train_batch_end(self, batch, logs=None):
        dense = self.model.layers[0]
        self.path.append((float(dense.kernel.data[0, 0]), float(dense.bias.data[0])))


def parameter_paths(epochs=5, n=200, batch_size=10, lr=0.05, start=(-1.5, -2.0)):
    """Paths of ``(w, b)`` for full-batch GD and for mini-batches on ``y = 2x + 1``."""
    x, y = toy.linear(n=n, w1=2.0, w0=1.0, noise=0.3, x_range=(-2.0, 2.0), seed=0)
    paths = {}
    for name, size in (("full batch", n), (f"batch_size={batch_size}", batch_size)):
        model = Sequential([Input((1,)), Dense(1, kernel_initializer=Constant(start[0]),
                                               bias_initializer=Constant(start[1]))])
        model.compile(optimizer=SGD(learning_rate=lr), loss="mse")
        path = [start]
        model.fit(x, y, batch_size=size, epochs=epochs, verbose=0, seed=0,
                  callbacks=[_RecordWeights(path)])
        paths[name] = np.array(path)
    return x.astype("float64"), y.astype("float64"), paths


def plot_paths(x, y, paths, epochs, file):
    from matplotlib.figure import Figure

    ws = np.linspace(-2.0, 4.0, 121)
    bs = np.linspace(-3.0, 3.0, 121)
    W, B = np.meshgrid(ws, bs)
    loss = ((W[..., None] * x.ravel() + B[..., None] - y.ravel()) ** 2).mean(axis=-1)
    fig = Figure(figsize=(11, 4.8), layout="constrained")
    axes = fig.subplots(1, len(paths))
    for ax, (name, path) in zip(axes, paths.items()):
        filled = ax.contourf(W, B, loss, levels=np.geomspace(0.05, loss.max(), 25),
                             cmap="viridis", norm="log")
        ax.plot(path[:, 0], path[:, 1], "o-", color="white", ms=3, lw=1)
        ax.plot(*path[0], "s", color="red", ms=8, label="start")
        ax.plot(2.0, 1.0, "*", color="orange", ms=14, label="true (w, b) = (2, 1)")
        ax.set_title(f"{name}: {len(path) - 1} updates in {epochs} epochs")
        ax.set_xlabel("w")
        ax.set_ylabel("b")
        ax.legend(loc="lower right", fontsize=8)
    bar = fig.colorbar(filled, ax=axes, label="total loss (mean squared error, log scale)")
    bar.set_ticks([0.1, 0.3, 1, 3, 10, 30])
    bar.set_ticklabels(["0.1", "0.3", "1", "3", "10", "30"])
    fig.suptitle("Mini-batch: 20 updates per epoch instead of one (colours: the total loss)")
    fig.savefig(file, dpi=110)


# ---------------------------------------------------------- 2. Fashion-MNIST timings
class _EpochClock(Callback):
    """Wall time of each epoch's updates, and the loss on the whole training set after
    it (measured outside the clock)."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y
        self.seconds, self.losses = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
        self.losses.append(float(self.model.evaluate(self.x, self.y, batch_size=1000,
                                                     verbose=0)[0]))


def _network(seed):
    set_random_seed(seed)
    model = Sequential([Input((784,)), Dense(128, activation="sigmoid"),
                        Dense(128, activation="sigmoid"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def compare_batch_sizes(x, y, x_test, y_test, batch_sizes, epochs, seed=0):
    """One run per batch size from the same initial weights; returns a dict per size."""
    initial = _network(seed).get_weights()
    runs = {}
    for size in batch_sizes:
        model = _network(seed)
        model.set_weights(initial)
        clock = _EpochClock(x, y)
        start_loss = float(model.evaluate(x, y, batch_size=1000, verbose=0)[0])
        model.fit(x, y, batch_size=size, epochs=epochs, verbose=0, seed=seed, callbacks=[clock])
        runs[size] = {
            "updates_per_epoch": -(-len(x) // size),
            "seconds": np.array(clock.seconds),
            "loss": np.array([start_loss, *clock.losses]),
            "test_accuracy": float(model.evaluate(x_test, y_test, verbose=0)[1]),
        }
    return runs


def time_to_loss(run, target):
    """``(epoch, seconds)``: the first epoch whose training loss is <= ``target`` and the
    update time spent until its end, or ``(None, None)`` if no epoch got there."""
    hits = np.nonzero(run["loss"][1:] <= target)[0]
    if not len(hits):
        return None, None
    epoch = int(hits[0]) + 1
    return epoch, float(run["seconds"][:epoch].sum())


def start_loss(runs):
    """The training loss before any update (the same for every run)."""
    return float(next(iter(runs.values()))["loss"][0])


def plot_runs(runs, n, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax_epoch, ax_time = fig.subplots(1, 2)
    for size, run in runs.items():
        updates = run["updates_per_epoch"]
        label = "full batch" if size >= n else f"batch_size={size}"
        label += f" ({updates} update{'s' if updates > 1 else ''}/epoch)"
        epochs = np.arange(len(run["loss"]))
        ax_epoch.plot(epochs, run["loss"], "o-", ms=3, label=label)
        ax_time.plot(np.cumsum(run["seconds"]), run["loss"][1:], "o-", ms=3, label=label)
    ax_time.axhline(start_loss(runs), color="grey", ls="--", lw=1, label="before training")
    ax_epoch.set_xlabel("epoch")
    ax_epoch.xaxis.get_major_locator().set_params(integer=True)
    ax_time.set_xscale("log")
    ax_time.set_xlabel("wall time of the updates, one point per epoch (s, log scale)")
    for ax in (ax_epoch, ax_time):
        ax.set_ylabel("loss on the whole training set")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    ax_epoch.set_title("Per epoch: smaller batches learn more")
    ax_time.set_title("Per second: what the clock says")
    fig.suptitle(f"Fashion-MNIST, {n} training images, 784-128-128-10 sigmoid, SGD(0.1)")
    fig.savefig(file, dpi=110)


# ---------------------------------------------------------- 3. the loss of every step
def per_step_losses(x, y, batch_sizes, epochs, seed=0):
    """For each batch size, from the same initial weights (one shuffle per epoch):
    ``(batch, whole)``, each step's batch loss (what the optimizer sees, before its
    update) and the loss of the whole set at the same weights."""
    initial = _network(seed).get_weights()
    losses = {}
    for size in batch_sizes:
        model = _network(seed)
        model.set_weights(initial)
        rng = np.random.default_rng(seed)
        batch_losses, whole = [], []
        for _ in range(epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(x), size):
                batch = order[start:start + size]
                whole.append(float(model.test_on_batch(x, y)[0]))
                batch_losses.append(float(model.train_on_batch(x[batch], y[batch])[0]))
        losses[size] = (np.array(batch_losses), np.array(whole))
    return losses


def step_noise(batch, whole):
    """Root mean square of (batch loss - whole-set loss) over the steps."""
    return float(np.sqrt(np.mean((batch - whole) ** 2)))


def plot_steps(losses, n, epochs, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="constrained")
    ax = fig.subplots()
    for size, (steps, whole) in sorted(losses.items()):
        label = "full batch" if size >= n else f"batch_size={size}"
        at = np.arange(len(steps)) * epochs / len(steps)   # in epochs, at the step's start
        line, = ax.plot(at, steps, "o-" if len(steps) < 50 else "-", ms=5,
                        lw=0.8 if size < 50 else 1.8, label=f"{label}: {len(steps)} steps, "
                        f"rms off the whole set {step_noise(steps, whole):.3f}")
        if size < n:
            ax.plot(at, whole, "--", color=line.get_color(), lw=1.5,
                    label=f"{label}: loss of the whole set at the same weights")
    ax.set_xlabel("epochs of training (one point per step)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("loss of the step's batch (cross-entropy)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(f"Seed 004: small batches give a noisy loss from step to step ({n} "
                 "Fashion-MNIST images, 784-128-128-10 sigmoid, SGD(0.1))")
    fig.savefig(file, dpi=110)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path_epochs = 5
    x1, y1, paths = parameter_paths(epochs=path_epochs)
    plot_paths(x1, y1, paths, path_epochs, out / "paths.png")

    n, n_test, epochs, target = (600, 500, 3, 2.0) if quick else (10000, 2000, 20, 1.0)
    batch_sizes = (n, 100, 10) if quick else (n, 1000, 100, 10)
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    x = x[:n].reshape(n, 784).astype("float32") / 255.0
    x_test = x_test[:n_test].reshape(n_test, 784).astype("float32") / 255.0
    runs = compare_batch_sizes(x, y[:n], x_test, y_test[:n_test], batch_sizes, epochs)
    plot_runs(runs, n, out / "loss_per_epoch.png")
    step_epochs = 3 if quick else 5
    steps = per_step_losses(x[:600], y[:600], (10, 100, 600), step_epochs)
    plot_steps(steps, 600, step_epochs, out / "loss_per_step.png")

    full_path, mini_path = paths.values()
    lines = [
        "Lecture 8: full-batch gradient descent vs mini-batch (seed 002)",
        "",
        f"y = w x + b, 200 points, {path_epochs} epochs: full batch made "
        f"{len(full_path) - 1} updates and ended at (w, b) = ({full_path[-1, 0]:.3f}, "
        f"{full_path[-1, 1]:.3f});",
        f"batch_size=10 made {len(mini_path) - 1} updates and ended at "
        f"({mini_path[-1, 0]:.3f}, {mini_path[-1, 1]:.3f}). True: (2, 1).",
        "",
        f"Fashion-MNIST, {n} training images, {epochs} epochs, same initial weights "
        f"(loss: cross-entropy on the whole training set, {start_loss(runs):.4f} at the start):",
        "",
        f"| batch size | updates/epoch | s/epoch | loss after 1 epoch | loss after {epochs} "
        f"| first reaches loss {target} | test accuracy |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary = {"target_loss": target, "runs": {}}
    for size, run in runs.items():
        epoch, seconds = time_to_loss(run, target)
        summary["runs"][size] = {
            "updates_per_epoch": run["updates_per_epoch"],
            "seconds_per_epoch": float(run["seconds"].mean()),
            "loss_per_epoch": run["loss"].tolist(),
            "epochs_to_target": epoch,
            "seconds_to_target": seconds,
            "test_accuracy": run["test_accuracy"],
        }
        name = f"{size} (full)" if size == n else str(size)
        reached = f"epoch {epoch}, {seconds:.2f} s" if epoch else f"not in {epochs} epochs"
        lines.append(f"| {name} | {run['updates_per_epoch']} | {run['seconds'].mean():.3f} | "
                     f"{run['loss'][1]:.4f} | {run['loss'][-1]:.4f} | {reached} | "
                     f"{run['test_accuracy']:.4f} |")
    per_epoch = {size: float(run["seconds"].mean()) for size, run in runs.items()}
    cheapest, dearest = min(per_epoch, key=per_epoch.get), max(per_epoch, key=per_epoch.get)
    reached = {size: r["seconds_to_target"] for size, r in summary["runs"].items()
               if r["seconds_to_target"] is not None}
    lines += ["", "s/epoch counts the updates only (the loss is measured outside the clock).",
              f"Per epoch, batch size {cheapest} was the cheapest ({per_epoch[cheapest]:.3f} s) "
              f"and {dearest} the dearest ({per_epoch[dearest]:.3f} s): big batches are few "
              "large matrix products that run in parallel (\"mini-batch is faster: not always "
              "true with parallel computing\").",
              "Per update of the weights, though, full batch pays for the whole data set: "
              + (f"the fastest to a loss of {target} was batch size "
                 f"{min(reached, key=reached.get)} ({min(reached.values()):.2f} s)"
                 if reached else f"no run reached a loss of {target}")
              + (f", while full batch never got there in {epochs} epochs."
                 if n not in reached else ".")]
    noise = {size: step_noise(*loss) for size, loss in steps.items()}
    lines += ["", f"Loss per step (seed 004), 600 images, {step_epochs} epochs: the distance "
              "of the batch loss from the whole set's loss (rms) is "
              + ", ".join(f"{noise[s]:.4f} with batches of {s}" for s in sorted(noise))
              + " (the whole set): the smaller the batch, the noisier the loss."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    summary["paths"] = {k: v.tolist() for k, v in paths.items()}
    summary["loss_per_step"] = {size: loss[0].tolist() for size, loss in steps.items()}
    summary["step_noise"] = noise
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
