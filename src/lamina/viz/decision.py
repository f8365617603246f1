"""``plot_decision_boundary``: where a classifier of 2-D inputs says which class."""

from __future__ import annotations

import inspect

import numpy

from lamina.viz._plt import finish, pyplot, to_numpy

__all__ = ["plot_decision_boundary"]


def _predictor(model):
    """A function grid -> outputs, from a model with ``predict`` or a plain callable."""
    predict = getattr(model, "predict", None)
    if predict is None:
        if not callable(model):
            raise TypeError(f"plot_decision_boundary: expected a model with predict() or a "
                            f"function of the inputs; received {type(model).__name__}")
        predict = model
    try:
        quiet = "verbose" in inspect.signature(predict).parameters
    except (TypeError, ValueError):
        quiet = False
    return (lambda grid: predict(grid, verbose=0)) if quiet else predict


def plot_decision_boundary(model, X, y=None, class_names=None, resolution=200, threshold=0.5,
                           feature_names=("x0", "x1"), title=None, ax=None, show=False):
    """Colour the plane by the model's answer and draw the data on top.

    Args:
        model: anything with ``predict(X)`` (a lamina model, :class:`lamina.Perceptron`, a
            scikit-learn classifier) or a function ``X -> outputs``. Outputs may be class
            labels ``(n,)``, one probability/score per example ``(n,)``/``(n, 1)`` (class 1
            where it exceeds ``threshold``; the shading shows the value), or one column per
            class ``(n, k)`` (argmax).
        X: ``(n, 2)`` inputs: they set the plotted region.
        y: ``(n,)`` class labels of ``X`` (or one-hot rows) to colour the points.
        class_names: names for the legend.
        resolution: grid points per axis.
        threshold: the boundary for a single output (0.5 for a sigmoid).
        feature_names: axis labels.
        title: the Axes title.
        ax: draw into this Axes instead of a new figure.
        show: call ``plt.show()``.

    Returns:
        the matplotlib Figure.
    """
    X = to_numpy(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (n_samples, 2); received "
                         f"shape {X.shape}")
    X = X.astype("float64")
    low, high = X.min(axis=0), X.max(axis=0)
    pad = numpy.maximum(0.15 * (high - low), 0.3)
    xs = numpy.linspace(low[0] - pad[0], high[0] + pad[0], int(resolution))
    ys = numpy.linspace(low[1] - pad[1], high[1] + pad[1], int(resolution))
    gx, gy = numpy.meshgrid(xs, ys)
    grid = numpy.column_stack([gx.ravel(), gy.ravel()]).astype("float32")
    out = to_numpy(_predictor(model)(grid))
    if out.shape[0] != grid.shape[0]:
        raise ValueError(f"plot_decision_boundary: the model returned {out.shape[0]} outputs "
                         f"for {grid.shape[0]} inputs")
    out = out.reshape(len(grid), -1)

    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.2, 5.2))
    fig = ax.figure
    colors = plt.get_cmap("tab10").colors
    labels = None if y is None else to_numpy(y)
    if labels is not None and labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    classes = [] if labels is None else sorted(set(labels.ravel().tolist()))

    if out.shape[1] > 1:                        # one column per class: argmax regions
        regions = out.argmax(axis=1).reshape(gx.shape)
        k = out.shape[1]
        ax.contourf(gx, gy, regions, levels=numpy.arange(k + 1) - 0.5,
                    colors=[colors[i % 10] for i in range(k)], alpha=0.25)
        ax.contour(gx, gy, regions, levels=numpy.arange(k) + 0.5, colors="k", linewidths=1)
    else:
        values = out[:, 0].astype("float64").reshape(gx.shape)
        discrete = numpy.all(values == numpy.round(values))
        if discrete and not set(numpy.unique(values).tolist()) <= {0.0, 1.0}:
            k = int(values.max()) + 1               # labels 0..k-1 from predict()
            ax.contourf(gx, gy, values, levels=numpy.arange(k + 1) - 0.5,
                        colors=[colors[i % 10] for i in range(k)], alpha=0.25)
            ax.contour(gx, gy, values, levels=numpy.arange(k) + 0.5, colors="k",
                       linewidths=1)
        else:
            from matplotlib.colors import LinearSegmentedColormap

            cmap = LinearSegmentedColormap.from_list("two", [colors[0], "white", colors[1]])
            if discrete:
                ax.contourf(gx, gy, values, levels=[-0.5, 0.5, 1.5], cmap=cmap, alpha=0.35)
            else:
                span = max(abs(values.min() - threshold), abs(values.max() - threshold), 1e-9)
                shade = ax.contourf(gx, gy, values, levels=21, cmap=cmap, alpha=0.45,
                                    vmin=threshold - span, vmax=threshold + span)
                fig.colorbar(shade, ax=ax, fraction=0.046, pad=0.04, label="model output")
            level = 0.5 if discrete else threshold
            if values.min() < level < values.max():
                ax.contour(gx, gy, values, levels=[level], colors="k", linewidths=1.5)
    for c in classes:
        mask = labels.ravel() == c
        index = classes.index(c)
        name = class_names[index] if class_names is not None else f"class {c}"
        ax.scatter(X[mask, 0], X[mask, 1], s=55 if len(X) <= 50 else 14,
                   color=colors[int(c) % 10 if isinstance(c, (int, float)) else index % 10],
                   edgecolor="k", linewidth=0.6, label=name, zorder=3,
                   marker="os^vDP*"[index % 7])
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=20, color="k", zorder=3)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    if classes:
        ax.legend(loc="best", fontsize=9, framealpha=0.9)
    who = type(model).__name__ if hasattr(model, "predict") else \
        getattr(model, "__name__", "the model")
    ax.set_title(title or f"Decision boundary of {who}")
    if fig.get_layout_engine() is None and len(fig.axes) <= 2:
        fig.tight_layout()
    return finish(fig, show)
