"""Mini-batches of in-memory arrays, shuffled with a seeded generator.

Example:
    >>> x, y = numpy.arange(10.0).reshape(5, 2), numpy.arange(5)
    >>> for xb, yb in batches(x, y, batch_size=2, seed=0):
    ...     pass  # 3 batches: sizes 2, 2, 1; every sample exactly once
"""

from __future__ import annotations

import numpy

from lamina.random import make_rng

__all__ = ["batches", "check_arrays"]


def _is_int(value) -> bool:
    return isinstance(value, (int, numpy.integer)) and not isinstance(value, bool)


def check_arrays(name: str, x, y=None):
    """Validate ``x`` (an array or a list/tuple of arrays) and ``y``; return
    ``(xs, y, num_samples, multi_input)`` with every array as a NumPy array."""
    multi = isinstance(x, (list, tuple))
    if x is None or (multi and not x):
        raise ValueError(f"{name}: x must be an array or a non-empty list of arrays; "
                         f"received x={x!r}")
    xs = [numpy.asarray(a) for a in (x if multi else [x])]
    y = None if y is None else numpy.asarray(y)
    for label, a in [("x", b) for b in xs] + ([("y", y)] if y is not None else []):
        if a.ndim == 0:
            raise ValueError(f"{name}: {label} must have a leading sample axis; received a "
                             f"scalar of shape ()")
    sizes = [len(a) for a in xs] + ([len(y)] if y is not None else [])
    if len(set(sizes)) > 1:
        raise ValueError(f"{name}: x and y must contain the same number of samples; received "
                         f"x sizes {[len(a) for a in xs]} and y size "
                         f"{None if y is None else len(y)}")
    return xs, y, sizes[0], multi


def batches(x, y=None, batch_size=32, shuffle=True, seed=None, drop_remainder=False):
    """Iterate over one epoch of mini-batches; every sample appears exactly once.

    Args:
        x: array ``(N, ...)`` or a list/tuple of such arrays (several inputs).
        y: optional array ``(N, ...)`` of targets.
        batch_size: samples per batch (the last batch may be smaller).
        shuffle: draw a new random order of the samples (from ``seed``).
        seed: int or ``numpy.random.Generator``; the same int gives the same order.
        drop_remainder: skip the last batch when it holds fewer than ``batch_size``
            samples (as ``tf.data.Dataset.batch(drop_remainder=True)``).

    Yields:
        ``x_batch`` when ``y`` is None, else ``(x_batch, y_batch)``; ``x_batch`` is a
        list when ``x`` was a list or tuple.
    """
    if not _is_int(batch_size) or batch_size <= 0:
        raise ValueError(f"batches: batch_size must be a positive int; received "
                         f"batch_size={batch_size!r}")
    xs, y, n, multi = check_arrays("batches", x, y)
    order = make_rng(seed).permutation(n) if shuffle else None
    return _iterate(xs, y, n, multi, batch_size, order, drop_remainder)


def _iterate(xs, y, n, multi, batch_size, order, drop_remainder):
    """The generator behind :func:`batches` (arguments are checked before it starts)."""
    stop = n - n % batch_size if drop_remainder else n
    for start in range(0, stop, batch_size):
        end = min(start + batch_size, n)
        index = slice(start, end) if order is None else order[start:end]
        xb = [a[index] for a in xs]
        xb = xb if multi else xb[0]
        yield xb if y is None else (xb, y[index])
