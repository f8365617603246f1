"""Lecture 9: overfitting, early stopping, regularization and normalization (seed 002).

    python examples/lectures/overfitting.py [--out DIR] [--quick]

Seed 002: "Learning target is defined by the training data. The parameters achieving the
learning target do not necessarily have good results on the testing data", then Early
Stopping and Dropout ("Testing: Noisy 0.50, + dropout 0.63"). Here, on Fashion-MNIST:

1. Overfitting: a 784-256-256-10 ReLU network (Adam) on 2,000 training images. The
   training loss keeps falling; the validation loss turns up after a few epochs.
2. Early stopping: ``EarlyStopping(monitor="val_loss", restore_best_weights=True)``
   stops the same run and gives back the weights of the best validation epoch.
3. The seed's noisy task: train on clean images, test on images with Gaussian noise
   (``x + Normal(0, 1)`` per pixel, as the seed's demo did with ``np.random.normal``).
   L1, L2, dropout, Gaussian noise on the inputs and noise on the weights (``WeightNoise``,
   seed 003: "Add noise to inputs or weights") are each measured on it, next to the seed.
4. Batch norm and layer norm (seed 004), each where it helps. A 4-hidden-layer sigmoid
   network barely moves under plain SGD. (a) In batches of 100 (SGD(0.1)) batch norm
   before each sigmoid makes it learn fastest; layer norm starts later and more slowly.
   (b) One example per step (batch size 1, SGD(0.03): online learning, or an RNN's time
   steps): batch norm cannot work, as the mean of one example is the example itself, so
   every normalized unit is 0 and the layer outputs its offset beta whatever the input;
   layer norm normalizes over the units of each example and learns. The figure shows
   both: (a) the training loss per epoch, (b) the test accuracy after one epoch of single
   examples.

Writes ``curves.png``, ``regularizers.png``, ``normalization.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina import regularizers
from lamina.callbacks import EarlyStopping, WeightNoise
from lamina.datasets import fashion_mnist
from lamina.layers import (
    Activation,
    BatchNormalization,
    Dense,
    Dropout,
    GaussianNoise,
    Input,
    LayerNormalization,
)
from lamina.models import Sequential
from lamina.optimizers import SGD
from lamina.random import set_random_seed
from lamina.viz import plot_history

NAME = "overfitting"
SEED_RESULT = {"baseline": 0.50, "dropout": 0.63}  # seed 002's "Noisy 0.50, + dropout 0.63"
METHODS = ("baseline", "L1", "L2", "dropout", "gaussian noise", "weight noise")
ONLINE_RATE = 0.03  # SGD's learning rate with one example per step
WEIGHT_NOISE = 0.02  # stddev of the noise on the kernels (Glorot's stddev here is about 0.05)


def load(n_train, n_val, n_test, noise=1.0, seed=0):
    """Fashion-MNIST as flat float32 vectors: train, validation (from the end of the
    training set), test, and the test images with ``Normal(0, noise)`` added."""
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    flat = lambda a: a.reshape(len(a), 784).astype("float32") / 255.0  # noqa: E731
    rng = np.random.default_rng(seed)
    x_test = flat(x_test[:n_test])
    noisy = (x_test + rng.normal(0.0, noise, x_test.shape)).astype("float32")
    return ((flat(x[:n_train]), y[:n_train]), (flat(x[-n_val:]), y[-n_val:]),
            (x_test, y_test[:n_test]), noisy)


def mlp(method="baseline", seed=0):
    """784-256-256-10 ReLU, Adam; ``method`` adds one regularizer."""
    set_random_seed(seed)
    penalty = {"L1": regularizers.L1(1e-4), "L2": regularizers.L2(1e-3)}.get(method)
    layers = [Input((784,))]
    if method == "gaussian noise":
        layers.append(GaussianNoise(0.5, seed=seed))  # training only, like dropout
    for i in range(2):
        layers.append(Dense(256, activation="relu", kernel_regularizer=penalty))
        if method == "dropout":
            layers.append(Dropout(0.5, seed=seed + i))
    layers.append(Dense(10, activation="softmax"))
    model = Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def deep_sigmoid(norm=None, seed=0, learning_rate=0.1):
    """784-(128 sigmoid)x4-10 under SGD; ``norm`` is None, "batch" or "layer"."""
    set_random_seed(seed)
    layers = [Input((784,))]
    for _ in range(4):
        layers.append(Dense(128))
        if norm == "batch":
            layers.append(BatchNormalization())
        elif norm == "layer":
            layers.append(LayerNormalization())
        layers.append(Activation("sigmoid"))
    layers.append(Dense(10, activation="softmax"))
    model = Sequential(layers)
    model.compile(optimizer=SGD(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _save(fig, file):
    import matplotlib.pyplot as plt

    fig.savefig(file, dpi=110)
    plt.close(fig)


def plot_regularizers(results, histories, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax_bar, ax_val = fig.subplots(1, 2)
    at = np.arange(len(results))
    clean = [r["clean"] for r in results.values()]
    noisy = [r["noisy"] for r in results.values()]
    ax_bar.bar(at - 0.2, clean, 0.4, label="clean test images")
    ax_bar.bar(at + 0.2, noisy, 0.4, label="noisy test images (+ Normal(0, 1))")
    for i, (c, n) in enumerate(zip(clean, noisy)):
        ax_bar.text(i - 0.2, c + 0.01, f"{c:.2f}", ha="center", fontsize=8)
        ax_bar.text(i + 0.2, n + 0.01, f"{n:.2f}", ha="center", fontsize=8)
    for key, value in SEED_RESULT.items():
        i = list(results).index(key)
        ax_bar.plot([i + 0.02, i + 0.38], [value, value], color="black", lw=2)
    ax_bar.plot([], [], color="black", lw=2, label="seed 002 (noisy): 0.50, + dropout 0.63")
    ax_bar.set_xticks(at, [name.replace(" ", "\n") for name in results])
    ax_bar.set_ylim(0, 1.25)
    ax_bar.set_yticks(np.linspace(0, 1, 6))
    ax_bar.set_ylabel("test accuracy")
    ax_bar.legend(fontsize=8, loc="upper center", ncol=2)
    ax_bar.set_title("Trained on clean images, tested on clean and noisy ones")
    for name, history in histories.items():
        ax_val.plot(np.arange(1, len(history["val_loss"]) + 1), history["val_loss"], label=name)
    ax_val.set_xlabel("epoch")
    ax_val.xaxis.get_major_locator().set_params(integer=True)
    ax_val.set_ylabel("validation loss (cross-entropy; + the penalty for L1, L2)")
    ax_val.set_title("Validation loss per epoch")
    ax_val.grid(alpha=0.3)
    ax_val.legend(fontsize=8)
    fig.savefig(file, dpi=110)


def plot_normalization(histories, online, n_online, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.8), layout="constrained")
    ax, ax_online = fig.subplots(1, 2, width_ratios=(3, 2))
    styles = {"no normalization": ("o-", "tab:grey"), "BatchNormalization": ("s--", "tab:blue"),
              "LayerNormalization": ("^:", "tab:orange")}
    for name, history in histories.items():
        marker, colour = styles[name]
        epochs = np.arange(1, len(history["loss"]) + 1)
        ax.plot(epochs, history["loss"], marker, color=colour, ms=7, lw=2, label=name)
    ax.set_xticks(epochs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (running mean over the epoch)")
    ax.set_title("(a) batches of 100, SGD(0.1): batch norm learns fastest")
    ax.grid(alpha=0.3)
    ax.legend()
    names = list(online)
    bars = ax_online.bar(range(len(names)), [online[n] for n in names],
                         color=[styles[n][1] for n in names])
    for bar, name in zip(bars, names):
        ax_online.text(bar.get_x() + bar.get_width() / 2, online[name] + 0.02,
                       f"{online[name]:.2f}", ha="center", fontsize=11)
    ax_online.axhline(0.1, color="black", ls=":", lw=1, label="chance (0.10)")
    ax_online.set_xticks(range(len(names)), [n.replace("Normalization", "Norm.")
                                             for n in names])
    ax_online.set_ylim(0, 1)
    ax_online.set_ylabel("test accuracy")
    ax_online.set_title(f"(b) one example per step ({n_online} steps, SGD({ONLINE_RATE})):\n"
                        "layer norm learns, batch norm cannot")
    ax_online.legend(loc="upper left")
    fig.suptitle("784-(128 sigmoid)x4-10: normalization before each sigmoid")
    fig.savefig(file, dpi=110)


def _epochs_to(losses, target):
    hits = [i + 1 for i, value in enumerate(losses) if value <= target]
    return hits[0] if hits else None


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_val, n_test = (500, 500, 500) if quick else (2000, 2000, 2000)
    epochs, batch, norm_epochs, norm_train = (15, 25, 6, 1000) if quick else (25, 100, 10, 2000)
    n_online = 1000 if quick else 2000
    (x, y), (x_val, y_val), (x_test, y_test), noisy = load(n_train, n_val, n_test)
    fit_args = dict(batch_size=batch, verbose=0, seed=0, validation_data=(x_val, y_val))

    # 1 + 3: every regularizer, the same data, epochs and seed
    results, histories = {}, {}
    for method in METHODS:
        model = mlp(method)
        noise = [WeightNoise(WEIGHT_NOISE, seed=0)] if method == "weight noise" else []
        histories[method] = model.fit(x, y, epochs=epochs, callbacks=noise, **fit_args).history
        results[method] = {"clean": float(model.evaluate(x_test, y_test, verbose=0)[1]),
                           "noisy": float(model.evaluate(noisy, y_test, verbose=0)[1])}
    base = histories["baseline"]
    best_epoch = int(np.argmin(base["val_loss"])) + 1
    _save(plot_history(base, title=f"Baseline (no regularizer), {n_train} training images: "
                       f"validation loss is lowest at epoch {best_epoch}"),
          out / "curves.png")
    plot_regularizers(results, histories, out / "regularizers.png")

    # 2: early stopping on the baseline run
    model = mlp("baseline")
    stopper = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    stopped = model.fit(x, y, epochs=epochs, callbacks=[stopper], **fit_args).history
    es_val_loss = float(model.evaluate(x_val, y_val, verbose=0)[0])
    early = {"epochs_run": len(stopped["loss"]),
             "best_epoch": int(np.argmin(stopped["val_loss"])) + 1,
             "restored_val_loss": es_val_loss,
             "test_accuracy": float(model.evaluate(x_test, y_test, verbose=0)[1])}

    # 4: batch norm and layer norm, on as many training images as this part needs
    (x_norm, y_norm), _, _, _ = load(max(norm_train, n_online), n_val, n_test)
    norm_runs = {}
    for label, norm in (("no normalization", None), ("BatchNormalization", "batch"),
                        ("LayerNormalization", "layer")):
        model = deep_sigmoid(norm)
        norm_runs[label] = model.fit(x_norm[:norm_train], y_norm[:norm_train],
                                     epochs=norm_epochs,
                                     batch_size=100, verbose=0, seed=0).history
    online = {}
    for label, norm in (("no normalization", None), ("BatchNormalization", "batch"),
                        ("LayerNormalization", "layer")):
        model = deep_sigmoid(norm, learning_rate=ONLINE_RATE)
        model.fit(x_norm[:n_online], y_norm[:n_online], epochs=1, batch_size=1, verbose=0,
                  seed=0)
        online[label] = float(model.evaluate(x_test, y_test, verbose=0)[1])
    plot_normalization(norm_runs, online, n_online, out / "normalization.png")

    lines = [
        "Lecture 9: overfitting, early stopping, regularization, normalization (seed 002)",
        "",
        f"Overfitting ({n_train} training images, 784-256-256-10 ReLU, Adam, batch {batch}, "
        f"{epochs} epochs):",
        f"  training loss {base['loss'][0]:.3f} -> {base['loss'][-1]:.3f}; validation loss "
        f"lowest at epoch {best_epoch} ({min(base['val_loss']):.3f}), "
        f"{base['val_loss'][-1]:.3f} at the end.",
        f"Early stopping (val_loss, patience=5, restore_best_weights): ran "
        f"{early['epochs_run']} epochs, kept epoch {early['best_epoch']} "
        f"(val loss {es_val_loss:.3f}); test accuracy {early['test_accuracy']:.4f} vs "
        f"{results['baseline']['clean']:.4f} after all {epochs} epochs.",
        "",
        "The seed's noisy task: train on clean images, test on images + Normal(0, 1):",
        "",
        "| method | clean test accuracy | noisy test accuracy | seed 002 (noisy) |",
        "|---|---:|---:|---:|",
    ]
    for method, r in results.items():
        seed = SEED_RESULT.get(method)
        lines.append(f"| {method} | {r['clean']:.4f} | {r['noisy']:.4f} | "
                     f"{'' if seed is None else f'{seed:.2f}'} |")
    lines += ["", "(L1 1e-4 and L2 1e-3 on the kernels, Dropout(0.5) after each hidden "
              "layer, GaussianNoise(0.5) on the input during training, WeightNoise("
              f"{WEIGHT_NOISE}): each step's gradient taken at kernels + Normal(0, "
              f"{WEIGHT_NOISE}²).)",
              f"Seed 002: Noisy 0.50, + dropout 0.63. Ours: Noisy "
              f"{results['baseline']['noisy']:.2f}, + dropout {results['dropout']['noisy']:.2f}.",
              "", f"Normalization ({norm_train} images, 784-(128 sigmoid)x4-10, SGD(0.1), "
              f"{norm_epochs} epochs), training loss per epoch:"]
    normalization = {}
    for label, history in norm_runs.items():
        reach = _epochs_to(history["loss"], 1.0)
        normalization[label] = {"loss": history["loss"], "epochs_to_loss_1": reach}
        lines.append(f"  {label:<20} {' '.join(f'{v:.3f}' for v in history['loss'])}"
                     f"  (loss <= 1.0 {'at epoch ' + str(reach) if reach else 'never'})")
    lines += ["", f"One example per step (batch size 1, SGD({ONLINE_RATE}), {n_online} steps), "
              "test accuracy: " + ", ".join(f"{k} {v:.4f}" for k, v in online.items())
              + " (batch norm of a single example outputs beta whatever the input)."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"history": base, "best_epoch": best_epoch, "early_stopping": early,
            "regularizers": results, "normalization": normalization,
            "normalization_online": online}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
