"""``plot_confusion_matrix``: how often each true class is predicted as each class."""

from __future__ import annotations

import numpy

from lamina.viz._plt import finish, pyplot, to_numpy

__all__ = ["confusion_matrix", "plot_confusion_matrix"]

_NORMALIZE = {False: None, None: None, True: "true", "true": "true", "pred": "pred",
              "all": "all"}


def _labels(y, name):
    """Class indices from labels, one-hot rows / probabilities (argmax) or sigmoid outputs."""
    y = to_numpy(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.ravel()
    if y.dtype.kind == "f":
        if not numpy.all(numpy.isfinite(y)):
            raise ValueError(f"plot_confusion_matrix: {name} holds NaN or inf")
        if numpy.any(y != numpy.round(y)):      # probabilities of one sigmoid unit
            return (y > 0.5).astype("int64")
    if y.dtype.kind not in "iufb" or (y.size and y.min() < 0):
        raise ValueError(f"plot_confusion_matrix: {name} must hold class indices 0, 1, 2... "
                         f"(or one-hot rows / probabilities); received values like "
                         f"{y[:5].tolist()}")
    return y.astype("int64")


def confusion_matrix(y_true, y_pred, n_classes=None, normalize=False):
    """``C[i, j]``: the number of examples of true class ``i`` predicted as ``j``.

    Args:
        y_true, y_pred: class indices ``(n,)``, or one-hot / probability rows ``(n, k)``
            (argmax), or one sigmoid output per example (threshold 0.5).
        n_classes: size of the matrix (default: the largest class seen + 1).
        normalize: False (counts), True or ``'true'`` (each row sums to 1: recall per
            class), ``'pred'`` (each column sums to 1: precision) or ``'all'``.
    """
    if normalize not in _NORMALIZE:
        raise ValueError(f"confusion_matrix: normalize must be False, True, 'true', 'pred' "
                         f"or 'all'; received normalize={normalize!r}")
    t, p = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: y_true has {t.size} examples but y_pred has "
                         f"{p.size}")
    k = int(max(t.max(initial=-1), p.max(initial=-1)) + 1) if n_classes is None else \
        int(n_classes)
    if t.size and max(t.max(), p.max()) >= k:
        raise ValueError(f"confusion_matrix: a class index is >= n_classes={k}")
    matrix = numpy.bincount(t * k + p, minlength=k * k).reshape(k, k)
    how = _NORMALIZE[normalize]
    if how is None:
        return matrix
    total = {"true": matrix.sum(axis=1, keepdims=True), "pred": matrix.sum(axis=0, keepdims=True),
             "all": matrix.sum()}[how]
    with numpy.errstate(invalid="ignore", divide="ignore"):
        return numpy.where(total > 0, matrix / numpy.maximum(total, 1), 0.0)


def plot_confusion_matrix(y_true, y_pred, class_names=None, normalize=False, title=None,
                          cmap="Blues", ax=None, show=False):
    """The confusion matrix as a heat map, each cell labelled with its count (or rate).

    Args:
        y_true, y_pred: as for :func:`confusion_matrix`.
        class_names: labels for the classes (their number sets the matrix size).
        normalize: False, True/``'true'`` (rows), ``'pred'`` (columns) or ``'all'``.
        title: default "Confusion matrix (accuracy 0.91)".
        cmap: matplotlib colour map.
        ax: draw into this Axes instead of a new figure.
        show: call ``plt.show()``.

    Returns:
        the matplotlib Figure.
    """
    n = None if class_names is None else len(class_names)
    counts = confusion_matrix(y_true, y_pred, n)
    values = confusion_matrix(y_true, y_pred, counts.shape[0], normalize)
    k = counts.shape[0]
    names = [str(c) for c in class_names] if class_names is not None else \
        [str(i) for i in range(k)]
    plt = pyplot()
    if ax is None:
        side = min(max(4.5, 0.55 * k + 2.5), 14)
        fig, ax = plt.subplots(figsize=(side + 1.0, side))
    fig = ax.figure
    image = ax.imshow(values, cmap=cmap, vmin=0, interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                 label="count" if _NORMALIZE[normalize] is None else "rate")
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0,
                  ha="right" if max(map(len, names)) > 3 else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if k <= 30:
        top = values.max() if values.size else 0
        integer = _NORMALIZE[normalize] is None
        for i in range(k):
            for j in range(k):
                text = f"{int(values[i, j])}" if integer else f"{values[i, j]:.2f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8 if k > 12 else 10,
                        color="white" if values[i, j] > 0.5 * top else "black")
    accuracy = numpy.trace(counts) / max(counts.sum(), 1)
    how = {None: "", "true": ", rows sum to 1", "pred": ", columns sum to 1",
           "all": ", all cells sum to 1"}[_NORMALIZE[normalize]]
    ax.set_title(title or f"Confusion matrix{how} (accuracy {accuracy:.3f})")
    if ax.figure.get_layout_engine() is None:
        fig.tight_layout()
    return finish(fig, show)
