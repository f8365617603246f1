"""Lecture 20: classical methods as pictures: decision regions on Iris, and SVR (seed 002).

    python examples/lectures/decision_regions.py [--out DIR] [--quick]

Seed 002 shows the classical methods one slide each ("SVM kernels: Linear Kernel, Poly
kernel, Rbf Kernel", "Decision Tree", "Random Forest", "KNN", "SVM-Regression"). Here
they are drawn side by side on the same data, next to a lamina MLP:

1. Decision regions on two Iris features, sepal length and sepal width (the pair of
   scikit-learn's SVM-kernels example: setosa stands apart, versicolor and virginica
   overlap), standardised; 70/30 stratified split. A linear SVM cuts the plane with
   straight lines, the polynomial and RBF kernels bend them, a decision tree cuts it into
   axis-parallel boxes, a random forest averages many such boxes (both reach 0.94 in
   training and the lowest test accuracies, 0.64 and 0.71: they memorise), KNN follows the
   points, and the MLP draws smooth borders. No method beats the overlap: the best test
   accuracy is 0.76 (linear SVM, KNN, the MLP; quick mode).
2. Support vector regression on a 1-D example (``sin`` on [0, 5] with noise on every
   fifth point, as scikit-learn's SVR example): linear, polynomial and RBF kernels with
   their epsilon-tube and support vectors, next to a lamina MLP regression. Only the
   points outside the tube (or on its edge) are support vectors; the RBF kernel follows
   the sine (MSE against sin 0.007, 15 support vectors of 40), the linear one cannot
   (0.19). The MLP, trained on the squared error, bends towards the moved points (0.011):
   the epsilon-insensitive loss of SVR grows only linearly with a point's distance, so an
   outlier pulls it less.

Writes ``decision_regions.png``, ``svr.png`` and ``summary.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import Adam
from lamina.random import set_random_seed
from lamina.viz import plot_decision_boundary

NAME = "decision_regions"
FEATURES = ("sepal length (standardised)", "sepal width (standardised)")
EPSILON = 0.1   # SVR's tube half-width


def classifiers(seed=0):
    """The seed's classical methods, by name (scikit-learn)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    return {"SVM, linear kernel": SVC(kernel="linear", C=1.0),
            "SVM, polynomial kernel (degree 3)": SVC(kernel="poly", degree=3, C=1.0),
            "SVM, RBF kernel": SVC(kernel="rbf", gamma=0.7, C=1.0),
            "decision tree": DecisionTreeClassifier(random_state=seed),
            "random forest (100 trees)": RandomForestClassifier(100, random_state=seed),
            "KNN (k = 5)": KNeighborsClassifier(5)}


def mlp(inputs, outputs, activation="softmax", seed=0):
    """A lamina MLP 2-32-32-k (tanh hidden layers) trained with Adam."""
    set_random_seed(seed)
    model = Sequential([Input((inputs,)), Dense(32, activation="tanh"),
                        Dense(32, activation="tanh"), Dense(outputs, activation=activation)])
    loss = "sparse_categorical_crossentropy" if activation == "softmax" else "mse"
    model.compile(optimizer=Adam(0.01), loss=loss)
    return model


def iris_two_features(seed=0):
    """Sepal length and width, standardised on the training part; 70/30 stratified."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data[:, :2], iris.target, test_size=0.3, stratify=iris.target, random_state=seed)
    scaler = StandardScaler().fit(x_train)
    return (scaler.transform(x_train).astype("float32"), y_train,
            scaler.transform(x_test).astype("float32"), y_test, list(iris.target_names))


def svr_data(seed=0):
    """scikit-learn's SVR example: 40 points of sin on [0, 5], every fifth one moved."""
    rng = np.random.default_rng(seed)
    x = np.sort(5 * rng.random((40, 1)), axis=0)
    y = np.sin(x).ravel()
    y[::5] += 3 * (0.5 - rng.random(8))
    return x.astype("float32"), y.astype("float32")


def plot_regions(models, results, x_train, y_train, names, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(17, 8.6), layout="constrained")
    axes = fig.subplots(2, 4).ravel()
    for ax, (name, model) in zip(axes, models.items()):
        r = results[name]
        plot_decision_boundary(model, x_train, y_train, class_names=names, ax=ax,
                               feature_names=FEATURES, resolution=150,
                               title=f"{name}\ntrain {r['train']:.2f}, test {r['test']:.2f}")
        ax.title.set_fontsize(11)
        ax.get_legend().remove()
    handles, labels = axes[0].get_legend_handles_labels()
    axes[-1].axis("off")
    axes[-1].legend(handles, labels, loc="center", fontsize=14, markerscale=2.5,
                    title="training flowers", title_fontsize=14)
    fig.suptitle("Iris, two features: where each method says which species (points: the "
                 "training flowers; titles: accuracy)", fontsize=13)
    fig.savefig(file, dpi=100)


def plot_svr(x, y, fits, file):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(16, 4.6), layout="constrained")
    axes = fig.subplots(1, len(fits), sharey=True)
    grid = np.linspace(0, 5, 300)
    for ax, (name, fit) in zip(axes, fits.items()):
        ax.plot(grid, np.sin(grid), color="grey", ls=":", label="sin(x), the truth")
        ax.plot(grid, fit["curve"], color="tab:red", lw=2, label="prediction")
        if fit["support"] is not None:
            ax.plot(grid, fit["curve"] + EPSILON, color="tab:red", lw=0.8, ls="--",
                    label=f"epsilon-tube (± {EPSILON})")
            ax.plot(grid, fit["curve"] - EPSILON, color="tab:red", lw=0.8, ls="--")
            support = fit["support"]
            ax.scatter(x[support, 0], y[support], s=80, facecolor="none", edgecolor="black",
                       label=f"support vectors ({len(support)} of {len(x)})", zorder=3)
        ax.scatter(x[:, 0], y, s=14, color="tab:blue", label="training points", zorder=4)
        ax.set_title(f"{name}\nMSE against sin: {fit['mse']:.3f}", fontsize=11)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
    axes[0].set_ylabel("y")
    fig.suptitle("Support vector regression: only points on or outside the tube are "
                 "support vectors", fontsize=13)
    fig.savefig(file, dpi=100)


def main(out_dir, quick=False) -> dict:
    """Run the lecture; write figures and ``summary.txt`` to ``out_dir``; return numbers."""
    from sklearn.svm import SVR

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    epochs = 150 if quick else 400

    # 1. decision regions
    x_train, y_train, x_test, y_test, names = iris_two_features()
    models = classifiers()
    for model in models.values():
        model.fit(x_train, y_train)
    net = mlp(2, 3)
    net.fit(x_train, y_train, epochs=epochs, batch_size=16, verbose=0, seed=0)
    models["lamina MLP 2-32-32-3"] = net

    def accuracy(model, x, y):
        pred = model.predict(x, verbose=0) if model is net else model.predict(x)
        return float(np.mean((pred.argmax(axis=1) if pred.ndim == 2 else pred) == y))

    results = {name: {"train": accuracy(model, x_train, y_train),
                      "test": accuracy(model, x_test, y_test)}
               for name, model in models.items()}
    plot_regions(models, results, x_train, y_train, names, out / "decision_regions.png")

    # 2. support vector regression
    x, y = svr_data()
    grid = np.linspace(0, 5, 300)[:, None].astype("float32")
    fits = {}
    for name, svr in (("SVR, linear kernel", SVR(kernel="linear", C=100, epsilon=EPSILON)),
                      ("SVR, polynomial kernel (degree 3)",
                       SVR(kernel="poly", C=100, degree=3, epsilon=EPSILON, coef0=1)),
                      ("SVR, RBF kernel", SVR(kernel="rbf", C=100, gamma=0.1,
                                              epsilon=EPSILON))):
        svr.fit(x, y)
        curve = svr.predict(grid)
        fits[name] = {"curve": curve, "support": svr.support_,
                      "outside_tube": int(np.sum(np.abs(svr.predict(x) - y) > EPSILON + 1e-3)),
                      "mse": float(np.mean((curve - np.sin(grid.ravel())) ** 2))}
    reg = mlp(1, 1, activation="linear")
    reg.fit(x, y, epochs=4 * epochs, batch_size=40, verbose=0, seed=0)
    curve = reg.predict(grid, verbose=0).ravel()
    fits["lamina MLP 1-32-32-1 (mse)"] = {
        "curve": curve, "support": None, "outside_tube": None,
        "mse": float(np.mean((curve - np.sin(grid.ravel())) ** 2))}
    plot_svr(x, y, fits, out / "svr.png")

    lines = ["Lecture 20: classical methods as pictures (seed 002)", "",
             f"Iris, sepal length and width, {len(x_train)} training and {len(x_test)} test "
             f"flowers (the MLP: Adam(0.01), {epochs} epochs):", "",
             "| method | training accuracy | test accuracy |", "|---|---:|---:|"]
    lines += [f"| {name} | {r['train']:.3f} | {r['test']:.3f} |" for name, r in results.items()]
    lines += ["", f"SVR on {len(x)} points of sin(x) on [0, 5] (8 of them moved), C = 100, "
              f"epsilon = {EPSILON}; MSE of the prediction against sin on 300 points:", "",
              "| model | support vectors | points outside the tube | MSE against sin |",
              "|---|---:|---:|---:|"]
    for name, fit in fits.items():
        sv = "n/a" if fit["support"] is None else str(len(fit["support"]))
        outside = "n/a" if fit["outside_tube"] is None else str(fit["outside_tube"])
        lines.append(f"| {name} | {sv} | {outside} | {fit['mse']:.4f} |")
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text)
    print(text)
    return {"classifiers": results,
            "svr": {name: {k: v for k, v in fit.items() if k != "curve"}
                    for name, fit in fits.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"runs/lectures/{NAME}", help="output directory")
    parser.add_argument("--quick", action="store_true", help="a small budget (seconds)")
    args = parser.parse_args()
    main(args.out, quick=args.quick)
