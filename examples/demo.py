"""``make demo``: train the lectures' CNN on Fashion-MNIST, report accuracy, save the model.

    python examples/demo.py [--epochs 5] [--batch-size 128] [--limit N] [--out runs]

1. Loads Fashion-MNIST (the lectures' "product categorization": shoe, bag, shirt...) with
   ``lamina.datasets.fashion_mnist``; when no copy is found it falls back to
   scikit-learn's 8x8 digits with a one-line notice.
2. Trains seed 001's CNN (Conv2D(16, 3x3) -> MaxPooling2D -> Conv2D(16, 3x3) -> Flatten ->
   Dense(128, relu) -> Dense(classes, softmax)), with ReLU after each convolution, using
   Adam and a live progress bar.
3. Prints the test accuracy and a per-class accuracy table.
4. Saves ``runs/<timestamp>/model.lamina``, ``history.csv`` and, when matplotlib is
   installed, ``curves.png``.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time

from lamina.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from lamina.models import Sequential


def load(limit: int | None):
    """Fashion-MNIST as (N, 28, 28, 1) floats in [0, 1]; digits when it is missing."""
    from lamina.datasets import fashion_mnist

    try:
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
        names = list(fashion_mnist.CLASS_NAMES)
        scale = 255.0
    except FileNotFoundError as err:
        first = str(err).splitlines()[0]
        print(f"Fashion-MNIST not found ({first}); using scikit-learn's 8x8 digits instead.")
        from lamina.data import train_test_split
        from lamina.datasets import digits

        x, y = digits.load_data(as_images=True)
        x, names = x.reshape(-1, 8, 8), list(digits.CLASS_NAMES)
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, seed=0,
                                                            stratify=y)
        scale = 16.0
    x_train = (x_train[:limit].astype("float32") / scale)[..., None]
    x_test = (x_test[:limit].astype("float32") / scale)[..., None]
    return x_train, y_train[:limit].astype("int64"), x_test, y_test[:limit].astype("int64"), names


def build(input_shape, n_classes: int) -> Sequential:
    return Sequential([
        Input(shape=input_shape),
        Conv2D(16, (3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(16, (3, 3), activation="relu"),
        Flatten(),
        Dense(128, activation="relu"),
        Dense(n_classes, activation="softmax"),
    ])


def per_class_table(y_true, y_pred, names) -> str:
    rows = [f"{'class':<14} {'accuracy':>9} {'images':>7}"]
    for k, name in enumerate(names):
        mask = y_true == k
        acc = float((y_pred[mask] == k).mean()) if mask.any() else float("nan")
        rows.append(f"{name:<14} {acc:>9.4f} {int(mask.sum()):>7}")
    return "\n".join(rows)


def save_run(model, history, out_dir: str) -> str:
    run = os.path.join(out_dir, time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(run, exist_ok=True)
    model.save(os.path.join(run, "model.lamina"))
    keys = list(history.history)
    with open(os.path.join(run, "history.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *keys])
        for i in range(len(history.history[keys[0]])):
            writer.writerow([i, *(history.history[k][i] for k in keys)])
    try:
        from lamina.viz import plot_history

        plot_history(history).savefig(os.path.join(run, "curves.png"), dpi=100)
    except ImportError:
        print("(matplotlib is not installed: no curves.png; pip install 'lamina[plot]')")
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="use only N images per split")
    parser.add_argument("--out", default="runs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import lamina.random

    lamina.random.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test, names = load(args.limit)
    print(f"train {x_train.shape}, test {x_test.shape}, {len(names)} classes")
    model = build(x_train.shape[1:], len(names))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_split=0.1, seed=args.seed)
    seconds = time.perf_counter() - start
    y_pred = model.predict(x_test, verbose=0).argmax(axis=1)
    accuracy = float((y_pred == y_test).mean())
    print(f"\ntest accuracy: {accuracy:.4f}  ({seconds:.1f} s of training, "
          f"{seconds / max(args.epochs, 1):.1f} s/epoch)")
    print(per_class_table(y_test, y_pred, names))
    run = save_run(model, history, args.out)
    print(f"\nsaved model, history.csv and curves to {run}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
