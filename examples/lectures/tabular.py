"""Lecture 19: seed 001's tables: product categories, and the data a function needs.

    python examples/lectures/tabular.py [--out DIR] [--quick]

Seed 001 names two small tabular problems before any image:

1. "Product categorization: (weight, volume, price) -> {shoe, handbag, shirt}". The
   products here are drawn from a documented rule (:func:`products`): per category, the
   logarithms of weight (kg), volume (litres) and price (EUR) are normal, with means
   ``CATEGORIES`` gives. Shoes and handbags overlap (similar weight and volume); shirts
   are light and small. Since the rule is known, so is the best any classifier can do:
   the Bayes classifier (the category of highest density), computed exactly. A lamina MLP
   3-16-16-3 on the standardised logarithms is compared with it and with a single
   softmax layer (a linear classifier in the log features).
2. "Necessary data": ``f(x) = w0``, ``w1 x + w0``, ``w2² x² + w1² x + w0`` (the slide
   squares the weights: coefficients >= 0), ``sin``. Each model family is trained by
   gradient descent (lamina ops and Adam) on ``n`` noisy points of its own function and
   scored on the whole interval: a family with ``k`` weights needs ``n >= k`` points (with
   fewer, many functions of the family pass through the points and the one gradient
   descent finds is a guess), and ``sin``, learned by an MLP without knowing it is a sine,
   needs many more. With noisy points, ``k`` is the least, not enough: measured (median of
   5 draws, quick mode) the test MSE settles within 2.5 times the noise floor from n = 1
   (constant), 5 (linear), 5 (quadratic) and 30 (the MLP's sine).

Writes ``products.png``, ``necessary_data.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina.data import StandardScaler
from lamina.datasets import toy
from lamina.layers import Dense, Input, Layer
from lamina.models import Sequential
from lamina.optimizers import Adam
from lamina.random import set_random_seed

NAME = "tabular"
FEATURES = ("weight (kg)", "volume (litres)", "price (EUR)")
# per category: the medians of weight, volume and price, and the std of their logarithms
CATEGORIES = {"shoe": ((0.9, 7.0, 70.0), (0.25, 0.25, 0.5)),
              "handbag": ((0.7, 9.0, 120.0), (0.4, 0.5, 0.6)),
              "shirt": ((0.25, 2.0, 35.0), (0.3, 0.4, 0.5))}
NOISE = 0.1          # std of the noise on the "necessary data" points
COUNTS = (1, 2, 3, 5, 10, 30, 100)
FUNCTIONS = {"constant: w0": (1, lambda n, seed: toy.constant(n, w0=1.0, noise=NOISE,
                                                             seed=seed)),
             "linear: w1 x + w0": (2, lambda n, seed: toy.linear(n, w1=2.0, w0=1.0,
                                                                 noise=NOISE, seed=seed)),
             "quadratic: w2² x² + w1² x + w0": (3, lambda n, seed: toy.quadratic(
                 n, w2=1.5, w1=0.5, w0=-1.0, noise=NOISE, seed=seed)),
             "sin, by an MLP 1-32-32-1": (None, lambda n, seed: toy.sin(n, noise=NOISE,
                                                                        seed=seed))}


def products(n, seed=0):
    """``n`` products of each category: ``x`` (3n, 3) weight, volume, price; ``y`` (3n,)."""
    rng = np.random.default_rng(seed)
    x, y = [], []
    for label, (median, spread) in enumerate(CATEGORIES.values()):
        x.append(np.exp(rng.normal(np.log(median), spread, (n, 3))))
        y.append(np.full(n, label))
    order = rng.permutation(3 * n)
    return np.concatenate(x)[order].astype("float32"), np.concatenate(y)[order]


def bayes_predict(x):
    """The category of highest density under the rule (equal priors): the best possible."""
    logs = np.log(np.asarray(x, dtype="float64"))
    scores = []
    for median, spread in CATEGORIES.values():
        z = (logs - np.log(median)) / np.asarray(spread)
        scores.append(-0.5 * (z ** 2).sum(axis=1) - np.log(spread).sum())
    return np.argmax(scores, axis=0)


def classifier(hidden, seed=0):
    set_random_seed(seed)
    layers = [Input((3,))] + [Dense(h, activation="relu") for h in hidden]
    model = Sequential(layers + [Dense(3, activation="softmax")])
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class SlidePolynomial(Layer):
    """The slide's families: ``w0``; ``w1 x + w0``; ``w2² x² + w1² x + w0`` (``degree`` 0,
    1, 2), built from lamina ops, so autograd differentiates them. Weights start at 0.5."""

    def __init__(self, degree, **kwargs):
        super().__init__(**kwargs)
        self.degree = degree

    def build(self, input_shape):
        self.w = self.add_weight(shape=(self.degree + 1,), initializer="ones", name="w")
        self.w.assign(np.full(self.degree + 1, 0.5))

    def call(self, x):
        w = self.w
        if self.degree == 0:
            return x * 0.0 + w[0]
        if self.degree == 1:
            return w[1] * x + w[0]
        return w[2] * w[2] * x * x + w[1] * w[1] * x + w[0]


def family(k, seed=0):
    set_random_seed(seed)
    if k is None:
        model = Sequential([Input((1,)), Dense(32, activation="tanh"),
                            Dense(32, activation="tanh"), Dense(1)])
    else:
        model = Sequential([Input((1,)), SlidePolynomial(k - 1)])
    model.compile(optimizer=Adam(0.02), loss="mse")
    return model


def necessary_data(steps, repeats, counts=COUNTS):
    """Per function and ``n``: the median over ``repeats`` draws of the training points of
    the test MSE on 200 points over the interval, and the first draw's fits."""
    errors, curves = {}, {}
    for name, (k, make) in FUNCTIONS.items():
        # the test targets are noisy too: a perfect fit scores the noise floor NOISE²
        grid, truth = make(200, 99)
        errors[name], curves[name] = {}, {"grid": (grid, truth)}
        for n in counts:
            draws = []
            for repeat in range(repeats):
                x, y = make(n, 1000 * repeat + n)
                model = family(k, seed=repeat)
                model.fit(x, y, epochs=steps, batch_size=n, verbose=0, shuffle=False)
                pred = model.predict(grid, verbose=0)
                draws.append(float(np.mean((pred - truth) ** 2)))
                if repeat == 0:
                    curves[name][n] = (x, y, pred)
            errors[name][n] = float(np.median(draws))
    return errors, curves


def needed(errors, tolerance=2.5 * NOISE ** 2):
    """The smallest ``n`` from which the test MSE stays within ``tolerance`` (2.5 times the
    noise floor)."""
    found = {}
    for name, by_n in errors.items():
        ns = sorted(by_n)
        good = [n for i, n in enumerate(ns) if all(by_n[m] <= tolerance for m in ns[i:])]
        found[name] = good[0] if good else None
    return found


def plot_products(x, y, confusion, accuracy, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4.6), layout="constrained")
    axes = fig.subplots(1, 3)
    colours = ("tab:blue", "tab:orange", "tab:green")
    for ax, (i, j) in zip(axes[:2], ((0, 1), (0, 2))):
        for label, (name, colour) in enumerate(zip(CATEGORIES, colours)):
            pick = y == label
            ax.scatter(x[pick, i], x[pick, j], s=8, alpha=0.5, color=colour, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(f"{FEATURES[i]}, log scale")
        ax.set_ylabel(f"{FEATURES[j]}, log scale")
        ax.grid(alpha=0.3)
        ax.legend(markerscale=2)
    axes[0].set_title("Shoes and handbags overlap")
    axes[1].set_title("Price separates a little more")
    ax = axes[2]
    ax.imshow(confusion, cmap="Blues")
    for (r, c), value in np.ndenumerate(confusion):
        ax.text(c, r, str(value), ha="center", va="center",
                color="white" if value > confusion.max() / 2 else "black", fontsize=12)
    names = list(CATEGORIES)
    ax.set_xticks(range(3), names)
    ax.set_yticks(range(3), names)
    ax.set_xlabel("predicted category")
    ax.set_ylabel("true category")
    ax.set_title(f"MLP on the test products: accuracy {accuracy:.3f}")
    fig.savefig(file, dpi=110)


def plot_necessary_data(errors, curves, shown, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 7.5), layout="constrained")
    axes = fig.subplots(2, len(FUNCTIONS))
    for col, name in enumerate(FUNCTIONS):
        ax = axes[0, col]
        grid, truth = curves[name]["grid"]
        order = np.argsort(grid.ravel())
        ax.plot(grid.ravel()[order], truth.ravel()[order], ".", color="lightgrey", ms=3,
                label="test points")
        for n, colour in zip(shown, ("tab:red", "tab:orange", "tab:green")):
            x, y, pred = curves[name][n]
            ax.plot(grid.ravel()[order], pred.ravel()[order], color=colour,
                    label=f"fit to n = {n}")
            ax.plot(x.ravel(), y.ravel(), "o", color=colour, ms=6, mec="black", mew=0.5)
        ax.set_title(name, fontsize=11)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax = axes[1, col]
        ns = sorted(errors[name])
        ax.plot(ns, [errors[name][n] for n in ns], "o-", color="tab:blue", label="test MSE")
        ax.axhline(NOISE ** 2, color="black", ls=":", label=f"noise floor ({NOISE ** 2:g})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.set_ylim(0.005, 5)   # the same decades on every panel, each labelled
        ax.set_yticks([0.01, 0.1, 1], ["0.01", "0.1", "1"])
        ax.minorticks_off()
        ax.set_xlabel("training points n (log scale)")
        ax.set_ylabel("test mean squared error (log scale)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Necessary data: how many points each family needs (dots: the training "
                 "points of each fit)")
    fig.savefig(file, dpi=110)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    per_class, epochs, steps, repeats = (200, 30, 300, 5) if quick else (1000, 60, 1500, 9)

    # 1. products
    x, y = products(per_class, seed=0)
    x_test, y_test = products(500, seed=1)
    scaler = StandardScaler().fit(np.log(x))
    features, test_features = scaler.transform(np.log(x)), scaler.transform(np.log(x_test))
    accuracy = {"Bayes classifier (knows the rule)":
                float(np.mean(bayes_predict(x_test) == y_test))}
    mlp_pred = None
    for name, hidden in (("softmax layer (linear in the log features)", ()),
                         ("MLP 3-16-16-3", (16, 16))):
        model = classifier(hidden)
        model.fit(features, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
        pred = model.predict(test_features, verbose=0).argmax(axis=1)
        accuracy[name] = float(np.mean(pred == y_test))
        mlp_pred = pred
    confusion = np.zeros((3, 3), dtype=int)
    np.add.at(confusion, (y_test, mlp_pred), 1)
    plot_products(x, y, confusion, accuracy["MLP 3-16-16-3"], out / "products.png")

    # 2. necessary data
    errors, curves = necessary_data(steps, repeats)
    need = needed(errors)
    plot_necessary_data(errors, curves, (1, 3, 30), out / "necessary_data.png")

    lines = ["Lecture 19: seed 001's tables", "",
             f"Products: {3 * per_class} for training, 1500 for the test; (weight, volume, "
             "price) -> {shoe, handbag, shirt}, the logarithms standardised; Adam(0.01), "
             f"batch 32, {epochs} epochs.", "", "| classifier | test accuracy |", "|---|---:|"]
    lines += [f"| {name} | {acc:.4f} |" for name, acc in accuracy.items()]
    lines += ["", "Confusion of the MLP (rows: true shoe, handbag, shirt; columns: predicted):"]
    lines += ["  " + " ".join(f"{v:4d}" for v in row) for row in confusion]
    lines += ["", f"Necessary data: n noisy points (noise std {NOISE}) of each function, its "
              f"family trained by Adam(0.02), full batch, {steps} steps; test MSE on 200 "
              f"points (noise floor {NOISE ** 2:g}), the median over {repeats} draws of the "
              "n points:", "",
              "| function | weights | " + " | ".join(f"n={n}" for n in COUNTS)
              + " | enough from |", "|---|---:|" + "---:|" * (len(COUNTS) + 1)]
    for name, (k, _) in FUNCTIONS.items():
        weights = f"{family(k).count_params():,}"
        lines.append(f"| {name} | {weights} | "
                     + " | ".join(f"{errors[name][n]:.3g}" for n in COUNTS)
                     + f" | n = {need[name]} |")
    lines += ["", "'enough from': the smallest n from which the test MSE stays within 2.5 "
              "times the noise floor."]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"accuracy": accuracy, "confusion": confusion, "errors": errors, "needed": need}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
