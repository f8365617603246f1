"""Lecture 10: weight initialization in a deep network, and vanishing gradients.

    python examples/lectures/initialization.py [--out DIR] [--quick]

A 784-(256)x8-10 network, with sigmoid or ReLU hidden layers, starts from six
initializations (biases zero):

* zeros: every unit of a layer computes the same thing, and the hidden layers get no
  gradient at all (the weights after them are zero): nothing but the output layer learns
  (with ReLU only its bias, as the hidden layers output relu(0) = 0);
* small random, ``RandomNormal(stddev=0.01)``: the signal shrinks by about
  ``0.01 * sqrt(256) = 0.16`` per layer (times ``1/4``, sigmoid's slope at 0, on the way
  back), so the gradients vanish towards the first layers;
* Xavier/Glorot, ``GlorotNormal``: variance ``2 / (fan_in + fan_out)`` keeps the signal's
  scale from layer to layer for a function that is linear near 0;
* He, ``HeNormal``: variance ``2 / fan_in`` makes up for ReLU zeroing half its inputs;
* orthogonal, ``Orthogonal`` (Saxe et al. 2014): the columns of each kernel are orthonormal,
  so a linear layer keeps the length of every vector exactly (its singular values are all
  1), not only on average; ReLU still halves the signal's energy at each layer with
  Keras's default gain 1, and the script measures that ``gain=sqrt(2)`` (He's factor)
  keeps the ReLU network's activations at their scale;
* sparse, ``Sparse`` (Martens 2010, seed 003's "or *sparsity* (Martens) of weights"): each
  unit gets exactly 15 non-zero inputs drawn from N(0, 1), whatever the layer's width. With
  sigmoid the gradient reaches the first layer far better (layer 1 / layer 8 about 2e-2,
  against 6e-5 for Xavier), and it is the one start from which the deep sigmoid network
  trains at all: after 200 steps of SGD (quick) or 400 (full) its test accuracy has left
  chance, while every other start still sits at 0.10 (Martens's point); with ReLU
  the signal grows by about ``sqrt(15 / 2) = 2.7`` per layer and training fails: the
  softmax saturates, so the cross-entropy of its probabilities sits at Keras's clip
  (``-ln 1e-7 = 16.1`` at most; about 14 here, against chance's 2.30) and the clipped
  samples pass no gradient (docs/losses.md). The script shows it next to
  ``Sparse(stddev=sqrt(2 / 15))``, He's rule applied to the 15 inputs, which keeps the
  scale and trains.

For one batch of 512 standardised Fashion-MNIST images, the script records per hidden
layer the standard deviation of the activations (forward) and of the loss gradient with
respect to the layer's kernel (backward, what the optimizer sees). Then each network
trains for a few epochs (SGD(0.1)) to show what the statistics mean for learning.

Writes ``statistics.png``, ``training.png`` and ``summary.txt`` to the output directory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina import Tensor, initializers
from lamina.data import StandardScaler
from lamina.datasets import fashion_mnist
from lamina.layers import Dense, Input
from lamina.losses import SparseCategoricalCrossentropy
from lamina.models import Sequential
from lamina.optimizers import SGD
from lamina.random import set_random_seed

NAME = "initialization"
SPARSE = "sparse (Sparse, 15 x N(0, 1))"
DEPTH, WIDTH = 8, 256
INITIALIZERS = {
    "zeros": lambda seed: initializers.Zeros(),
    "small random N(0, 0.01²)": lambda seed: initializers.RandomNormal(stddev=0.01, seed=seed),
    "Xavier (GlorotNormal)": lambda seed: initializers.GlorotNormal(seed=seed),
    "He (HeNormal)": lambda seed: initializers.HeNormal(seed=seed),
    "orthogonal (Orthogonal)": lambda seed: initializers.Orthogonal(seed=seed),
    SPARSE: lambda seed: initializers.Sparse(seed=seed),
}
COLOURS = dict(zip(INITIALIZERS, ("tab:grey", "tab:orange", "tab:green", "tab:red", "tab:blue",
                                  "tab:purple")))
SPARSE_HE = float(np.sqrt(2.0 / 15))  # He's variance 2 / fan_in over the 15 connected inputs
ACTIVATIONS = ("sigmoid", "relu")


def network(activation, init, seed=0):
    """The deep network with every kernel drawn by ``INITIALIZERS[init]`` (or by ``init``
    itself when it is a function ``seed -> initializer``)."""
    make = init if callable(init) else INITIALIZERS[init]
    set_random_seed(seed)
    layers = [Input((784,))]
    for i in range(DEPTH):
        layers.append(Dense(WIDTH, activation=activation,
                            kernel_initializer=make(seed + i)))
    layers.append(Dense(10, activation="softmax",
                        kernel_initializer=make(seed + DEPTH)))
    model = Sequential(layers)
    model.compile(optimizer=SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def layer_statistics(model, x, y):
    """Per hidden layer: std of the activations, and std of dJ/dkernel and dJ/dactivation
    for one forward and backward pass on the batch ``(x, y)``."""
    h = Tensor(x)
    outputs = []
    for layer in model.layers:
        h = layer(h)
        h.retain_grad()
        outputs.append(h)
    loss = SparseCategoricalCrossentropy()(y, h)
    for v in model.trainable_weights:
        v.grad = None
    loss.backward()
    hidden = list(zip(model.layers[:DEPTH], outputs[:DEPTH]))
    std = lambda a: 0.0 if a is None else float(np.std(a))  # noqa: E731
    return {
        "loss": float(loss.item()),
        "activation_mean": [float(np.mean(out.data)) for _, out in hidden],
        "activation_std": [std(out.data) for _, out in hidden],
        "activation_grad_std": [std(out.grad) for _, out in hidden],
        "kernel_grad_std": [std(layer.kernel.grad) for layer, _ in hidden],
        "output_kernel_grad_std": std(model.layers[DEPTH].kernel.grad),
    }


def plot_statistics(stats, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 8.5), layout="constrained")
    axes = fig.subplots(len(ACTIVATIONS), 2)
    layers = np.arange(1, DEPTH + 1)
    for row, activation in zip(axes, ACTIVATIONS):
        for col, key in enumerate(("activation_std", "kernel_grad_std")):
            ax = row[col]
            for init in INITIALIZERS:
                values = np.asarray(stats[activation][init][key])
                # exact zeros have no place on a log scale: they are left out
                ax.plot(layers, np.where(values > 0, values, np.nan), "o-",
                        color=COLOURS[init], label=init)
            ax.set_yscale("log")
            ax.set_xlabel("hidden layer (1 = next to the input)")
            ax.set_xticks(layers)
            ax.grid(alpha=0.3)
        row[0].set_title(f"{activation}: spread of the activations (forward)")
        row[0].set_ylabel("std of the layer's output")
        row[1].set_title(f"{activation}: spread of dJ/dW (backward)")
        row[1].set_ylabel("std of the kernel's gradient")
    handles, labels = axes[0, 1].get_legend_handles_labels()
    labels = [f"{lab} (exactly 0 everywhere: not drawn)" if lab == "zeros" else lab
              for lab in labels]
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    fig.suptitle(f"784-({WIDTH})x{DEPTH}-10 at initialization, one batch of 512 "
                 "standardised Fashion-MNIST images")
    fig.savefig(file, dpi=110)


def plot_training(histories, epochs, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 6), layout="constrained")
    axes = fig.subplots(1, len(ACTIVATIONS), sharey=True)
    # log scale: ReLU with sparse N(0, 1) kernels sits near 14, the rest at or below ln 10;
    # labelled ticks at 1-2-5 steps over the losses drawn (automatic minor labels overlap)
    drawn = [v for runs in histories.values() for h in runs.values() for v in h["loss"]
             if np.isfinite(v) and v > 0]
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50)
             if min(drawn) / 2 <= t <= 2 * max(drawn)]
    for ax, activation in zip(axes, ACTIVATIONS):
        for init in INITIALIZERS:
            loss = histories[activation][init]["loss"]
            label = init if np.isfinite(loss).all() else f"{init}: diverged (NaN), not drawn"
            ax.plot(np.arange(1, len(loss) + 1), loss, "o-", ms=4, color=COLOURS[init],
                    label=label)
        ax.axhline(np.log(10), color="black", ls=":", lw=1,
                   label="chance: ln 10 = 2.30 (curves on it overlap)")
        ax.set_title(f"{activation} hidden layers, SGD(0.1), {epochs} epochs")
        ax.set_xlabel("epoch")
        ax.set_xticks(np.arange(1, epochs + 1))
        ax.set_yscale("log")
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.tick_params(labelleft=True)
        ax.set_ylabel("training loss (log scale)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.savefig(file, dpi=110)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # the deep sigmoid network from sparse kernels needs about 150 steps of SGD(0.1) to
    # leave its plateau: quick takes 200 steps of 100 images (full: 400)
    n_train, n_test, epochs = (2000, 500, 10) if quick else (5000, 2000, 8)
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    scaler = StandardScaler().fit(x[:n_train].reshape(n_train, 784).astype("float32"))
    x = scaler.transform(x[:n_train].reshape(n_train, 784).astype("float32"))
    x_test = scaler.transform(x_test[:n_test].reshape(n_test, 784).astype("float32"))
    y, y_test = y[:n_train], y_test[:n_test]

    stats, histories, accuracy = {}, {}, {}
    for activation in ACTIVATIONS:
        stats[activation], histories[activation], accuracy[activation] = {}, {}, {}
        for init in INITIALIZERS:
            model = network(activation, init)
            # sparse N(0, 1) with ReLU overflows and saturates: the lesson, in the summary
            with np.errstate(over="ignore", invalid="ignore"):
                stats[activation][init] = layer_statistics(model, x[:512], y[:512])
                histories[activation][init] = model.fit(x, y, epochs=epochs, batch_size=100,
                                                        verbose=0, seed=0).history
                accuracy[activation][init] = float(model.evaluate(x_test, y_test,
                                                                  verbose=0)[1])
    orthogonal_relu = {}
    for gain in (1.0, float(np.sqrt(2.0))):
        def orthogonal(seed, gain=gain):
            return initializers.Orthogonal(gain=gain, seed=seed)

        spread = layer_statistics(network("relu", orthogonal), x[:512],
                                  y[:512])["activation_std"]
        orthogonal_relu[gain] = spread[-1] / spread[0]
    sparse_relu = {}
    for stddev in (1.0, SPARSE_HE):
        def sparse(seed, stddev=stddev):
            return initializers.Sparse(num_nonzero=15, stddev=stddev, seed=seed)

        model = network("relu", sparse)
        spread = layer_statistics(model, x[:512], y[:512])["activation_std"]
        with np.errstate(over="ignore", invalid="ignore"):
            model.fit(x, y, epochs=epochs, batch_size=100, verbose=0, seed=0)
            sparse_relu[stddev] = {"activation_ratio": spread[-1] / spread[0],
                                   "test_accuracy": float(model.evaluate(x_test, y_test,
                                                                         verbose=0)[1])}
    plot_statistics(stats, out / "statistics.png")
    plot_training(histories, epochs, out / "training.png")

    lines = ["Lecture 10: initialization of a deep network, vanishing gradients", "",
             f"784-({WIDTH})x{DEPTH}-10, one batch of 512 standardised Fashion-MNIST images "
             "at initialization; then SGD(0.1) on "
             f"{n_train} images for {epochs} epochs.", "",
             "| hidden | initialization | activation std, layer 1 -> 8 | dJ/dW std, layer 1 "
             "-> 8 | layer 1 / layer 8 | test accuracy |",
             "|---|---|---|---|---:|---:|"]
    ratios = {}
    for activation in ACTIVATIONS:
        ratios[activation] = {}
        for init in INITIALIZERS:
            s = stats[activation][init]
            g = s["kernel_grad_std"]
            ratio = g[0] / g[-1] if g[-1] > 0 else float("nan")
            ratios[activation][init] = ratio
            lines.append(f"| {activation} | {init} | {s['activation_std'][0]:.2e} -> "
                         f"{s['activation_std'][-1]:.2e} | {g[0]:.2e} -> {g[-1]:.2e} | "
                         f"{'n/a (no gradient)' if np.isnan(ratio) else f'{ratio:.2e}'} | "
                         f"{accuracy[activation][init]:.4f} |")
    lines += ["", "'layer 1 / layer 8' is how much smaller (< 1) or larger the first layer's "
              "gradient is than the last hidden layer's: far below 1, the gradient vanishes.",
              "With zeros every hidden gradient is exactly 0: only the output layer learns "
              "(with ReLU only its bias: the last hidden layer outputs relu(0) = 0), and the "
              "network stays at chance (0.10) or close to it.",
              "Orthogonal kernels with ReLU: the activations' std at layer 8 over layer 1 is "
              + " and ".join(f"{r:.3f} with gain {g:.3f}" for g, r in orthogonal_relu.items())
              + ": ReLU halves the energy per layer unless the gain (√2, He's) makes up.",
              "Sparse kernels (15 non-zero inputs per unit) with ReLU: "
              + "; ".join(f"stddev {sd:.3f}: layer 8 / layer 1 activation std "
                          f"{r['activation_ratio']:.3g}, test accuracy "
                          f"{r['test_accuracy']:.4f}" for sd, r in sparse_relu.items())
              + f". Martens's N(0, 1) grows the signal by about sqrt(15 / 2) = "
              f"{np.sqrt(7.5):.2f} per layer and training fails (the softmax saturates: loss "
              f"{histories['relu'][SPARSE]['loss'][-1]:.2f} at the 1e-7 clip); He's rule on "
              f"the 15 inputs (stddev sqrt(2 / 15) = {SPARSE_HE:.3f}) keeps the scale."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"statistics": stats, "gradient_ratio": ratios, "test_accuracy": accuracy,
            "orthogonal_relu_activation_ratio": orthogonal_relu, "sparse_relu": sparse_relu,
            "loss": {a: {i: h["loss"] for i, h in hs.items()} for a, hs in histories.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
