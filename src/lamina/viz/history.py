"""``plot_history``: the loss and metric curves of ``fit``, train vs validation."""

from __future__ import annotations

import math

import numpy

from lamina.viz._plt import finish, pyplot

__all__ = ["plot_history"]

_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "crossentropy", "hinge")
_LEARNING_RATE = ("lr", "learning_rate")


def _logs_of(history) -> dict:
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise TypeError(f"plot_history: expected the History returned by fit (or its "
                        f".history dict of lists, e.g. {{'loss': [...]}}); received "
                        f"{type(history).__name__}")
    out = {}
    for key, values in logs.items():
        try:
            out[key] = numpy.asarray(values, dtype="float64").ravel()
        except (TypeError, ValueError):
            raise TypeError(f"plot_history: history[{key!r}] must be a list of numbers; "
                            f"received {values!r}") from None
    return out


def plot_history(history, metrics=None, title=None, show=False, validation_epochs=None):
    """One panel per quantity (loss, accuracy, ...), train and validation curves per epoch.

    Args:
        history: the ``History`` returned by ``model.fit`` or a dict of lists such as
            ``{"loss": [...], "val_loss": [...], "accuracy": [...]}``.
        metrics: the names to plot (without ``val_``), e.g. ``["loss"]``; default all.
        title: a title above the panels.
        show: call ``plt.show()``.
        validation_epochs: the epochs (counted from 1) at which the validation values were
            measured, for a ``fit(validation_freq=...)`` that skipped some; default every
            epoch from the first.

    The best validation epoch (lowest loss/error, highest for other metrics) is marked;
    a loss spanning more than two decades is drawn on a log scale.

    Returns:
        the matplotlib Figure.
    """
    logs = _logs_of(history)
    names = []
    for key in logs:
        base = key[4:] if key.startswith("val_") else key
        if base not in names:
            names.append(base)
    if metrics is not None:
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"plot_history: no {unknown[0]!r} in the history; it holds "
                             f"{', '.join(names)}")
        names = metrics
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, len(names), figsize=(4.8 * len(names), 3.8), squeeze=False)
    for ax, name in zip(axes[0], names):
        lower_better = any(word in name for word in _LOWER_IS_BETTER)
        curves = [(logs[k], label) for k, label in ((name, "train"), (f"val_{name}", "validation"))
                  if k in logs]
        for values, label in curves:
            epochs = numpy.arange(1, len(values) + 1)
            if label == "validation" and validation_epochs is not None:
                epochs = numpy.asarray(validation_epochs)
                if len(epochs) != len(values):
                    raise ValueError(f"plot_history: validation_epochs names {len(epochs)} "
                                     f"epochs but the history holds {len(values)} values of "
                                     f"val_{name}")
            ax.plot(epochs, values, "o-" if len(values) <= 25 else "-", ms=3.5, label=label)
        if f"val_{name}" in logs and numpy.isfinite(logs[f"val_{name}"]).any():
            val = logs[f"val_{name}"]
            best = int(numpy.nanargmin(val) if lower_better else numpy.nanargmax(val))
            at = best + 1 if validation_epochs is None else int(validation_epochs[best])
            ax.scatter([at], [val[best]], s=90, facecolors="none", edgecolors="k",
                       zorder=5, label=f"best validation (epoch {at})")
        every = numpy.concatenate([v for v, _ in curves])
        every = every[numpy.isfinite(every)]
        positive = every.size and every.min() > 0
        if name in _LEARNING_RATE or (lower_better and positive
                                      and every.max() / every.min() > 100):
            ax.set_yscale("log")
        ax.set_title(name.replace("_", " ").capitalize() +
                     (" (log scale)" if ax.get_yscale() == "log" else ""))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        if name == "accuracy" or name.endswith("_accuracy"):
            low = every.min() if every.size else 0.0
            ax.set_ylim(max(0.0, math.floor(low * 10) / 10 - 0.02), 1.02)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, show)
