"""Lecture 14: a regression, house prices from (bedrooms, size, age) (seed 001).

    python examples/lectures/housing_regression.py [--out DIR] [--quick]

Seed 001's first example of a multi-layer perceptron: "Predict housing prices:
(bed rooms, size, age) -> Price". ``lamina.datasets.housing`` draws such houses from a
documented rule (price = 40 + 12 bedrooms + 2.5 size - 0.6 age + noise, in thousands,
noise standard deviation 15), so we know what the best possible model is.

* A linear model: one ``Dense(1)`` unit with the identity activation, trained on the
  mean squared error. It is the true model's form: it should recover the rule's
  coefficients (checked against NumPy's least squares) and reach the noise floor.
* An MLP, ``Dense(64, relu) -> Dense(64, relu) -> Dense(1)``: more flexible, but there
  is nothing non-linear to find, so it cannot beat the linear model by more than noise.

Both see standardised inputs and a standardised price (the scalers are fitted on the
training part only), and are scored in thousands on a held-out test set: mean absolute
error (MAE) and the coefficient of determination R² = 1 - SS_res / SS_tot. The noise
floor: MAE = 15 sqrt(2 / pi) = 11.97 for a perfect model.

Writes ``predictions.png``, ``history.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from lamina.data import StandardScaler, train_test_split
from lamina.datasets import housing
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import Adam
from lamina.random import set_random_seed

NAME = "housing_regression"
NOISE = 15.0


def linear_model(seed=0):
    set_random_seed(seed)
    model = Sequential([Input((3,)), Dense(1, activation="linear", name="price")])
    model.compile(optimizer=Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return model


def mlp(seed=0):
    set_random_seed(seed)
    model = Sequential([Input((3,)), Dense(64, activation="relu"), Dense(64, activation="relu"),
                        Dense(1, name="price")])
    model.compile(optimizer=Adam(learning_rate=0.003), loss="mse", metrics=["mae"])
    return model


def scores(y_true, y_pred):
    """``{"mae": ..., "r2": ...}`` in the price's units (thousands)."""
    y_true = np.asarray(y_true, dtype="float64").ravel()
    y_pred = np.asarray(y_pred, dtype="float64").ravel()
    residual = ((y_true - y_pred) ** 2).sum()
    total = ((y_true - y_true.mean()) ** 2).sum()
    return {"mae": float(np.abs(y_true - y_pred).mean()), "r2": float(1.0 - residual / total)}


def plot_predictions(y_test, predictions, results, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 5), layout="constrained")
    axes = fig.subplots(1, len(predictions), sharex=True, sharey=True)
    low, high = float(y_test.min()), float(y_test.max())
    for ax, (name, pred) in zip(axes, predictions.items()):
        ax.scatter(y_test, pred, s=10, alpha=0.6)
        ax.plot([low, high], [low, high], color="black", lw=1, label="perfect prediction")
        ax.fill_between([low, high], [low - NOISE, high - NOISE], [low + NOISE, high + NOISE],
                        color="grey", alpha=0.2, label=f"± the noise's std ({NOISE:g})")
        r = results[name]
        ax.set_title(f"{name}: MAE {r['mae']:.2f}, R² {r['r2']:.4f}", fontsize=10)
        ax.set_xlabel("true price (thousands)")
        ax.set_ylabel("predicted price (thousands)")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle("Test houses: predicted vs true price")
    fig.savefig(file, dpi=110)


def plot_histories(histories, y_scale, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.subplots()
    for (name, history), colour in zip(histories.items(), ("tab:blue", "tab:red")):
        epochs = np.arange(1, len(history["mae"]) + 1)
        ax.plot(epochs, np.asarray(history["mae"]) * y_scale, color=colour,
                label=f"{name}, training")
        ax.plot(epochs, np.asarray(history["val_mae"]) * y_scale, color=colour, ls="--",
                label=f"{name}, validation")
    ax.axhline(NOISE * math.sqrt(2 / math.pi), color="black", lw=1, ls=":",
               label="noise floor (a perfect model)")
    ax.set_yscale("log")
    ticks = [10, 12, 15, 20, 30, 50, 100, 200]
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean absolute error (thousands, log scale)")
    ax.set_title("Learning curves")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(file, dpi=110)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n, epochs = (400, 100) if quick else (2000, 150)
    x, y = housing.load_data(n=n, seed=0, noise=NOISE)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, seed=0)
    x_scaler = StandardScaler().fit(x_train)
    y_scaler = StandardScaler().fit(y_train[:, None])
    xs_train, xs_test = x_scaler.transform(x_train), x_scaler.transform(x_test)
    ys_train = y_scaler.transform(y_train[:, None])
    y_mean = float(np.asarray(y_scaler.mean_).ravel()[0])
    y_scale = float(np.asarray(y_scaler.scale_).ravel()[0])

    models = {"linear, Dense(1)": linear_model(), "MLP 3-64-64-1": mlp()}
    histories, predictions, results = {}, {}, {}
    for name, model in models.items():
        histories[name] = model.fit(xs_train, ys_train, epochs=epochs, batch_size=32,
                                    validation_split=0.2, verbose=0, seed=0).history
        scaled = model.predict(xs_test, verbose=0)
        predictions[name] = (scaled.ravel().astype("float64") * y_scale + y_mean)
        results[name] = scores(y_test, predictions[name])

    # What the linear unit learned, in the original units, vs the rule and least squares
    dense = models["linear, Dense(1)"].get_layer("price")
    w = np.asarray(dense.kernel.data, dtype="float64").ravel()
    b = float(np.asarray(dense.bias.data).ravel()[0])
    x_mean = np.asarray(x_scaler.mean_, dtype="float64").ravel()
    x_scale = np.asarray(x_scaler.scale_, dtype="float64").ravel()
    coefficients = w * y_scale / x_scale
    intercept = b * y_scale + y_mean - float(coefficients @ x_mean)
    design = np.column_stack([np.ones(len(x_train)), x_train.astype("float64")])
    least_squares = np.linalg.lstsq(design, y_train.astype("float64"), rcond=None)[0]
    results["least squares (NumPy)"] = scores(
        y_test, np.column_stack([np.ones(len(x_test)), x_test]) @ least_squares)
    results["the true rule"] = scores(
        y_test, housing.INTERCEPT + x_test.astype("float64") @ np.array(housing.COEFFICIENTS))

    plot_predictions(y_test, predictions, results, out / "predictions.png")
    plot_histories(histories, y_scale, out / "history.png")

    floor = NOISE * math.sqrt(2 / math.pi)
    lines = ["Lecture 14: house prices from (bedrooms, size, age) (seed 001)", "",
             f"{n} houses (noise std {NOISE:g} thousand), {len(x_train)} for training "
             f"(20% of them for validation), {len(x_test)} for the test; {epochs} epochs, "
             "batch 32, Adam.", "",
             "| model | test MAE (thousands) | test R² |", "|---|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['mae']:.3f} | {r['r2']:.4f} |")
    names = ("intercept", *housing.FEATURE_NAMES)
    lines += ["", f"Noise floor: MAE {floor:.2f} for a perfect model (on average; this test "
              f"set's draw of the noise gives the true rule's line above).", "",
              "Linear unit's weights in the original units:", "",
              "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names),
              "| true rule | " + " | ".join(f"{v:g}" for v in (housing.INTERCEPT,
                                                             *housing.COEFFICIENTS)) + " |",
              "| lamina Dense(1) | " + " | ".join(f"{v:.3f}" for v in (intercept,
                                                                    *coefficients)) + " |",
              "| least squares | " + " | ".join(f"{v:.3f}" for v in least_squares) + " |"]
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"results": results, "coefficients": coefficients, "intercept": intercept,
            "least_squares": least_squares, "noise_floor_mae": floor,
            "history": histories}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
