"""Label encoding: integer class labels to one-hot rows (``keras.utils.to_categorical``)."""

from __future__ import annotations

import numpy

__all__ = ["to_categorical"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer labels, as ``keras.utils.to_categorical``.

    Args:
        y: integer labels of any shape; a trailing axis of size 1 (labels ``(N, 1)``)
            is dropped, as Keras does. Floats are accepted when they hold whole numbers.
        num_classes: number of classes; defaults to ``max(y) + 1``.
        dtype: dtype of the result.

    Returns:
        Array of shape ``y.shape + (num_classes,)`` (without the trailing 1).

    Example:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    labels = numpy.asarray(y)
    if labels.dtype.kind not in "iufb":
        raise TypeError(f"to_categorical: y must hold integer class labels; received dtype "
                        f"{labels.dtype}")
    if labels.dtype.kind == "f":
        if not numpy.all(numpy.isfinite(labels)) or not numpy.all(labels == numpy.round(labels)):
            bad = labels[~(numpy.isfinite(labels) & (labels == numpy.round(labels)))][0]
            raise ValueError(f"to_categorical: y must hold whole-number class labels; "
                             f"received {bad.item()!r}")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1).astype(numpy.int64)
    if num_classes is not None and (isinstance(num_classes, bool)
                                    or not isinstance(num_classes, (int, numpy.integer))
                                    or num_classes < 1):
        raise ValueError(f"to_categorical: num_classes must be a positive int; received "
                         f"num_classes={num_classes!r}")
    if flat.size and flat.min() < 0:
        raise ValueError(f"to_categorical: labels must be non-negative class indices; "
                         f"received {int(flat.min())}")
    if num_classes is None:
        if not flat.size:
            raise ValueError("to_categorical: y is empty; pass num_classes")
        num_classes = int(flat.max()) + 1
    elif flat.size and flat.max() >= num_classes:
        raise ValueError(f"to_categorical: label {int(flat.max())} is out of range for "
                         f"num_classes={num_classes}; labels must be in [0, {num_classes - 1}]")
    out = numpy.zeros((flat.size, int(num_classes)), dtype=dtype)
    out[numpy.arange(flat.size), flat] = 1
    return out.reshape(shape + (int(num_classes),))
