"""Lecture 15: CNN architectures from LeNet to ResNet and U-Net, counted and trained (seed 004).

    python examples/lectures/architectures.py [--out DIR] [--quick]

Seed 004's "CNN parameters and volumes" as numbers: every builder of
:mod:`lamina.applications` at its published input size, with its parameters, multiply-adds
per image (FLOPs are twice that) and the memory its activations take for one image in
float32 (``lamina.applications.cost``). The big ones are really built (VGG19 allocates
575 MB of weights for a few seconds). Where the parameters sit: VGG16's first fully
connected layer alone holds three quarters of them (25,088 x 4,096).

Then the small variants of four families train side by side on Fashion-MNIST with the
same budget (Adam, batch 64): LeNet-5, a VGG-ish (VGG16 at 1/8 width, three blocks), an
Inception-ish (InceptionV1 at 1/8 width, small-image stem) and a ResNet-ish (ResNet18 at
1/8 width, small-image stem; its batch norm's momentum set to 0.9, so the moving statistics
used at test time settle within the short budget). ``architectures.png``: test accuracy
against training time, each point sized by its parameters, and the accuracy after each
epoch.

Writes ``architectures.md`` (the table), ``architectures.png`` and ``summary.txt``.

Measured (2026-12-07 16:35 UTC, 2 cores shared with other jobs, load average ~15, wall
times): 12,000 images, 3 epochs, 2,000 test images: LeNet-5 0.8315 in 75 s, VGG-ish 0.8320
in 109 s, Inception-ish 0.7190 in 423 s, ResNet-ish 0.8560 in 280 s. ``--quick`` (2,048
images, 2 epochs, 500 test images) concludes the same, all four above 0.3 (chance 0.1):
Inception-ish, the slowest to start, about 0.47; after one epoch of 1,024 images it and
ResNet-ish were still at chance.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import numpy as np

from lamina import applications as A
from lamina.applications.cost import model_cost
from lamina.random import set_random_seed

NAME = "architectures"

BIG = [  # (label, builder, kwargs, what)
    ("LeNet-5", A.LeNet5, {}, "32x32x1, 10 classes"),
    ("AlexNet", A.AlexNet, {}, "227x227x3, two towers as groups=2"),
    ("VGG16", A.VGG16, {}, "224x224x3"),
    ("VGG19", A.VGG19, {}, "224x224x3"),
    ("InceptionV1", A.InceptionV1, {}, "224x224x3, no auxiliary heads"),
    ("ResNet18", A.ResNet18, {}, "224x224x3"),
    ("ResNet50", A.ResNet50, {}, "224x224x3"),
    ("U-Net", A.UNet, {"input_shape": (256, 256, 1)}, "256x256x1, 2 classes"),
]

SMALL = [  # (label, builder, kwargs)
    ("LeNet-5", A.LeNet5, {}),
    ("VGG-ish", A.VGG16, {"alpha": 1 / 8, "blocks": 3}),
    ("Inception-ish", A.InceptionV1, {"alpha": 1 / 8, "stem": "cifar"}),
    ("ResNet-ish", A.ResNet18, {"alpha": 1 / 8, "stem": "cifar"}),
]


def cost_table():
    """One row per big architecture: label, input, params, macs, activation bytes, and the
    share of the parameters in dense layers."""
    rows = []
    for label, builder, kwargs, what in BIG:
        model = builder(**kwargs)
        cost = model_cost(model)
        dense = sum(layer.count_params() for layer in model.layers
                    if type(layer).__name__ == "Dense")
        rows.append({"name": label, "input": what, "params": cost["params"],
                     "macs": cost["macs"], "activation_bytes": cost["activation_bytes"],
                     "dense_share": dense / cost["params"]})
        del model
        gc.collect()
    return rows


def markdown(rows):
    lines = ["| network | input | parameters | multiply-adds / image | activations / image "
             "(float32) | in dense layers |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        macs = r["macs"]
        macs_text = f"{macs / 1e9:.2f} G" if macs >= 1e8 else f"{macs / 1e6:.2f} M"
        size = r["activation_bytes"]
        size_text = f"{size / 2 ** 20:.1f} MiB" if size >= 2 ** 20 else f"{size / 2 ** 10:.0f} KiB"
        lines.append(f"| {r['name']} | {r['input']} | {r['params']:,} | {macs_text} | "
                     f"{size_text} | {r['dense_share']:.0%} |")
    return "\n".join(lines) + "\n"


def load(n_train, n_test):
    from lamina.datasets import fashion_mnist

    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    prep = lambda a: (a.astype("float32") / 255.0)[..., None]  # noqa: E731
    return (prep(x[:n_train]), y[:n_train].astype("int64")), \
        (prep(x_test[:n_test]), y_test[:n_test].astype("int64"))


def train_small(n_train, n_test, epochs):
    """Each small variant: params, multiply-adds, seconds, accuracy after each epoch."""
    (x, y), (x_test, y_test) = load(n_train, n_test)
    results = []
    for label, builder, kwargs in SMALL:
        set_random_seed(0)
        model = builder(input_shape=(28, 28, 1), classes=10, **kwargs)
        for layer in model.layers:
            if type(layer).__name__ == "BatchNormalization":
                layer.momentum = 0.9
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        curve, seconds = [], 0.0
        for epoch in range(epochs):
            start = time.perf_counter()
            model.fit(x, y, batch_size=64, epochs=1, verbose=0, seed=epoch)
            seconds += time.perf_counter() - start
            curve.append(float(model.evaluate(x_test, y_test, verbose=0)[1]))
        cost = model_cost(model)
        results.append({"name": label, "params": cost["params"], "macs": cost["macs"],
                        "seconds": seconds, "curve": curve, "accuracy": curve[-1]})
        print(f"{label}: {cost['params']:,} parameters, {cost['macs'] / 1e6:.1f} M "
              f"multiply-adds/image, {seconds:.1f} s, test accuracy {curve[-1]:.4f}",
              flush=True)
    return results


def figure(results, n_train, n_test, path):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained")
    biggest = max(r["params"] for r in results)
    # names beside the bubbles, alternately left and right in order of time, so that two
    # networks trained in about the same time do not write over each other
    side = {r["name"]: k % 2 for k, r in enumerate(sorted(results, key=lambda r: r["seconds"]))}
    for i, r in enumerate(results):
        colour = f"C{i}"
        size = 120 + 1500 * r["params"] / biggest   # area in points²: diameter sqrt(size)
        left.scatter(r["seconds"], r["accuracy"], s=size,
                     color=colour, alpha=0.7, edgecolor="black",
                     label=f"{r['name']}: {r['params']:,} params, "
                           f"{r['macs'] / 1e6:.1f} M mult-adds/image")
        gap = np.sqrt(size) / 2 + 4
        left.annotate(r["name"], (r["seconds"], r["accuracy"]), textcoords="offset points",
                      xytext=(gap if side[r["name"]] else -gap, 0), va="center",
                      ha="left" if side[r["name"]] else "right", fontsize=11)
        epochs = np.arange(1, len(r["curve"]) + 1)
        right.plot(epochs, r["curve"], marker="o", color=colour, label=r["name"])
    left.set_xlabel("training time (s, this machine)", fontsize=12)
    left.set_ylabel("test accuracy", fontsize=12)
    left.set_title("Accuracy vs training time (area ~ parameters)", fontsize=12)
    left.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.14), markerscale=0.4)
    left.margins(x=0.25, y=0.25)
    right.set_xlabel("epoch", fontsize=12)
    right.set_ylabel("test accuracy", fontsize=12)
    right.set_title("Test accuracy after each epoch", fontsize=12)
    right.set_xticks(np.arange(1, len(results[0]["curve"]) + 1))
    right.legend(fontsize=10)
    fig.suptitle(f"Small variants on Fashion-MNIST ({n_train:,} training images, "
                 f"{n_test:,} test images, Adam, batch 64)", fontsize=13)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write the table, the figure and ``summary.txt``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = cost_table()
    table = markdown(rows)
    (out / "architectures.md").write_text(table)
    print(table)
    # quick: 64 steps of Adam, the fewest after which all four learn (measured: after 16
    # steps Inception-ish and ResNet-ish were still at chance, 0.10)
    n_train, n_test, epochs = (2048, 500, 2) if quick else (12000, 2000, 3)
    results = train_small(n_train, n_test, epochs)
    figure(results, n_train, n_test, out / "architectures.png")
    vgg = next(r for r in rows if r["name"] == "VGG16")
    lines = ["Lecture 15: CNN architectures, counted and trained", "", table,
             f"VGG16 keeps {vgg['dense_share']:.0%} of its {vgg['params']:,} parameters in its "
             "three dense layers; fc1 alone has 25,088 x 4,096 + 4,096 = 102,764,544.",
             "", f"Small variants, {n_train} Fashion-MNIST images, {epochs} epochs:"]
    lines += [f"  {r['name']}: {r['params']:,} parameters, {r['macs'] / 1e6:.1f} M "
              f"multiply-adds/image, {r['seconds']:.1f} s, test accuracy {r['accuracy']:.4f}"
              for r in results]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    return {"table": rows, "small": results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
