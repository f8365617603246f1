"""Lecture 12: inside a small CNN trained on Fashion-MNIST (seeds 001 and 002).

    python examples/lectures/cnn_inside.py [--out DIR] [--quick]

Seed 002's "whole CNN": convolution, max pooling, convolution, max pooling, flatten, a
fully connected network. Here::

    Conv2D(16, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(32, 3x3, relu) -> MaxPooling2D(2)
    -> Flatten -> Dense(64, relu) -> Dense(10, softmax)

trained with Adam on Fashion-MNIST, then opened up:

* ``filters.png``: the 16 learned 3x3 kernels of the first layer (``plot_filters``);
  ``filters_before.png``: the same kernels at initialization;
* ``feature_maps.png``: what each convolution and pooling layer outputs for one test
  image (``plot_feature_maps``): edges and blobs first, coarser parts after;
* ``history.png`` and ``confusion.png``: the learning curves and the test confusions.

Seed 004's "looking inside": first-layer filters look like Gabor filters (oriented edges,
blobs); deeper filters respond to combinations of them. 3x3 kernels are too small to show
it, so a second network starts with large kernels::

    Conv2D(32, 7x7, relu) -> MaxPooling2D(2) -> Conv2D(32, 5x5, relu) -> MaxPooling2D(2)
    -> Flatten -> Dense(10, softmax)

* ``filters_7x7.png``: its 32 first-layer filters tiled into one picture
  (``plot_filter_grid``);
* ``top_patches.png``: 16 second-layer filters, each shown by the nine 16x16 test-image
  patches (its receptive field) that excite it most (``plot_top_patches``).

Writes those figures and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from lamina.datasets import fashion_mnist
from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from lamina.models import Sequential
from lamina.random import set_random_seed
from lamina.viz import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_feature_maps,
    plot_filter_grid,
    plot_filters,
    plot_history,
    plot_top_patches,
)

NAME = "cnn_inside"


def load(n_train, n_test):
    """Fashion-MNIST images ``(n, 28, 28, 1)`` in [0, 1] and their labels."""
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    prep = lambda a: (a.astype("float32") / 255.0)[..., None]  # noqa: E731
    return (prep(x[:n_train]), y[:n_train]), (prep(x_test[:n_test]), y_test[:n_test])


def small_cnn(seed=0):
    """The lecture's CNN (named layers, so the figures can say which is which)."""
    set_random_seed(seed)
    model = Sequential([
        Input((28, 28, 1)),
        Conv2D(16, (3, 3), activation="relu", name="conv1"),
        MaxPooling2D((2, 2), name="pool1"),
        Conv2D(32, (3, 3), activation="relu", name="conv2"),
        MaxPooling2D((2, 2), name="pool2"),
        Flatten(name="flatten"),
        Dense(64, activation="relu", name="dense"),
        Dense(10, activation="softmax", name="output"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def large_kernel_cnn(seed=0):
    """The network with 7x7 first-layer kernels, to look at its filters."""
    set_random_seed(seed)
    model = Sequential([
        Input((28, 28, 1)),
        Conv2D(32, (7, 7), padding="same", activation="relu", name="conv1"),
        MaxPooling2D((2, 2), name="pool1"),
        Conv2D(32, (5, 5), padding="same", activation="relu", name="conv2"),
        MaxPooling2D((2, 2), name="pool2"),
        Flatten(name="flatten"),
        Dense(10, activation="softmax", name="output"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def look_inside(x, y, x_test, y_test, epochs, out):
    """Train the large-kernel network; draw its first-layer filters and the patches that
    drive its second-layer filters."""
    model = large_kernel_cnn()
    start = time.perf_counter()
    model.fit(x, y, batch_size=64, epochs=epochs, verbose=0, seed=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    fig = plot_filter_grid(model, "conv1", columns=8,
                           title=f"First layer after training: 32 filters of 7x7 (test accuracy "
                                 f"{accuracy:.3f}); grey = 0, white = positive, black = "
                                 "negative")
    _save(fig, out / "filters_7x7.png")
    fig = plot_top_patches(model, "conv2", x_test, k=9, channels=range(16))
    _save(fig, out / "top_patches.png")
    from lamina.viz import top_patches

    _, scores = top_patches(model, "conv2", x_test, k=9, channels=range(16))
    return {"accuracy": float(accuracy), "seconds": seconds, "params": model.count_params(),
            "top_scores": scores}


def layer_shapes(model, x):
    """``[(layer name, output shape without the batch axis)]`` for the input ``x``."""
    from lamina import Tensor, no_grad

    shapes, h = [], Tensor(x)
    with no_grad():
        for layer in model.layers:
            h = layer(h)
            shapes.append((layer.name, tuple(h.shape[1:])))
    return shapes


def _save(fig, file):
    import matplotlib.pyplot as plt

    fig.savefig(file, dpi=110)
    plt.close(fig)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_test, epochs = (1500, 500, 2) if quick else (12000, 2000, 4)
    (x, y), (x_test, y_test) = load(n_train, n_test)

    model = small_cnn()
    kernel_before = np.array(model.get_layer("conv1").kernel.data)
    fig = plot_filters(kernel_before)
    fig.suptitle("conv1 before training: 16 random 3x3 kernels (GlorotUniform)", fontsize=10)
    _save(fig, out / "filters_before.png")

    start = time.perf_counter()
    history = model.fit(x, y, batch_size=64, epochs=epochs, validation_split=0.1, verbose=0,
                        seed=0)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)

    _save(plot_filters(model), out / "filters.png")
    index = 0
    fig = plot_feature_maps(model, x_test[index], layers=["conv1", "pool1", "conv2", "pool2"])
    label = fashion_mnist.CLASS_NAMES[int(y_test[index])]
    guess = fashion_mnist.CLASS_NAMES[int(predicted[index])]
    fig.suptitle(f"Feature maps of test image {index} ({label}; predicted: {guess})",
                 fontsize=11)
    _save(fig, out / "feature_maps.png")
    _save(plot_history(history, title=f"Small CNN, {n_train} images (10% for validation)"),
          out / "history.png")
    _save(plot_confusion_matrix(y_test, predicted, class_names=fashion_mnist.CLASS_NAMES,
                                title=f"Test confusions ({n_test} images, accuracy "
                                      f"{accuracy:.3f})"),
          out / "confusion.png")

    inside = look_inside(x, y, x_test, y_test, epochs, out)
    counts = confusion_matrix(y_test, predicted, n_classes=10)
    off = counts - np.diag(np.diag(counts))
    worst = np.unravel_index(int(off.argmax()), off.shape)
    names = fashion_mnist.CLASS_NAMES
    kernel_after = np.array(model.get_layer("conv1").kernel.data)
    change = float(np.abs(kernel_after - kernel_before).mean() / np.abs(kernel_before).mean())
    lines = [
        "Lecture 12: inside a small CNN (Fashion-MNIST)", "",
        "conv1(16, 3x3) -> pool -> conv2(32, 3x3) -> pool -> flatten -> dense(64) -> 10; "
        f"{model.count_params()} parameters.",
        f"Trained on {n_train} images (10% held out for validation), {epochs} epochs, "
        f"batch 64, Adam: {seconds:.1f} s.",
        f"Test accuracy on {n_test} images: {accuracy:.4f} (loss {loss:.4f}).",
        f"Most frequent confusion: {names[worst[0]]} taken for {names[worst[1]]} "
        f"({int(off[worst])} times).",
        f"conv1's kernels moved by {change:.0%} of their initial mean size.",
        "Output shape of each layer for one image: "
        + ", ".join(f"{name} {shape}" for name, shape in layer_shapes(model, x_test[:1])),
        "",
        f"Large-kernel CNN (conv 7x7 -> pool -> conv 5x5 -> pool -> 10; "
        f"{inside['params']} parameters): {inside['seconds']:.1f} s, test accuracy "
        f"{inside['accuracy']:.4f}. filters_7x7.png shows its first layer, top_patches.png "
        "what 16 second-layer filters respond to (each sees a 16x16 patch).",
    ]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"test_accuracy": float(accuracy), "test_loss": float(loss), "seconds": seconds,
            "history": history.history, "kernel_change": change,
            "params": model.count_params(), "confusion": counts, "inside": inside}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
