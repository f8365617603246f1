"""Hold out data for testing: ``train_test_split`` (scikit-learn) and
``validation_split`` (the last fraction of the samples, as Keras's ``fit`` does)."""

from __future__ import annotations

import math
import numbers

import numpy

from lamina.data.batching import check_arrays
from lamina.random import make_rng

__all__ = ["train_test_split", "validation_split"]


def _count(name: str, value, n: int):
    """``test_size``/``train_size`` as a number of samples (float: fraction, int: count)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, numbers.Real)):
        raise ValueError(f"train_test_split: {name} must be a float in (0, 1) or an int in "
                         f"[1, n_samples); received {name}={value!r}")
    if isinstance(value, numbers.Integral):
        if not 0 < value < n:
            raise ValueError(f"train_test_split: {name}={value} should be a positive int "
                             f"smaller than the number of samples {n}")
        return int(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"train_test_split: {name}={value} should be a float in the open "
                         "interval (0, 1)")
    return value


def _sizes(n: int, test_size, train_size):
    """(n_train, n_test) with scikit-learn's rounding: test up, train down."""
    if test_size is None and train_size is None:
        test_size = 0.25
    test = None if test_size is None else _count("test_size", test_size, n)
    train = None if train_size is None else _count("train_size", train_size, n)
    n_test = None if test is None else (math.ceil(test * n) if isinstance(test, float) else test)
    n_train = None if train is None else (
        math.floor(train * n) if isinstance(train, float) else train)
    if n_train is None:
        n_train = n - n_test
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(f"train_test_split: train_size + test_size = {n_train + n_test} "
                         f"samples; more than the {n} available")
    if n_train == 0 or n_test == 0:
        raise ValueError(f"train_test_split: with n_samples={n}, test_size={test_size} and "
                         f"train_size={train_size}, the {'train' if n_train == 0 else 'test'} "
                         "set would be empty; adjust test_size or train_size")
    return n_train, n_test


def _allocate(counts, total: int, rng):
    """Split ``total`` draws over classes in proportion to ``counts``: the floor of each
    share, then one more for the classes with the largest remainders (ties at random)."""
    share = counts * (total / counts.sum())
    taken = numpy.floor(share).astype(numpy.int64)
    left = total - int(taken.sum())
    if left:
        remainder = share - taken
        order = numpy.lexsort((rng.random(len(counts)), -remainder))
        room = order[taken[order] < counts[order]]
        taken[room[:left]] += 1
    return taken


def _stratified(labels, n_train, n_test, rng):
    axis = None if labels.ndim == 1 else 0  # rows of one-hot / multi-column labels
    classes, codes = numpy.unique(labels, axis=axis, return_inverse=True)
    codes = codes.reshape(-1)
    counts = numpy.bincount(codes)
    if counts.min() < 2:
        raise ValueError("train_test_split: the least populated class in stratify has only "
                         f"{counts.min()} member; every class needs at least 2 to appear in "
                         "both sets")
    for name, size in (("train", n_train), ("test", n_test)):
        if size < len(classes):
            raise ValueError(f"train_test_split: the {name} set has {size} samples, fewer "
                             f"than the {len(classes)} classes in stratify; enlarge it")
    per_train = _allocate(counts, n_train, rng)
    per_test = _allocate(counts - per_train, n_test, rng)
    train, test = [], []
    for k in range(len(classes)):
        members = rng.permutation(numpy.flatnonzero(codes == k))
        train.append(members[:per_train[k]])
        test.append(members[per_train[k]:per_train[k] + per_test[k]])
    return rng.permutation(numpy.concatenate(train)), rng.permutation(numpy.concatenate(test))


def train_test_split(*arrays, test_size=None, train_size=None, shuffle=True, stratify=None,
                     seed=None, random_state=None):
    """Split arrays into random train and test subsets (scikit-learn's semantics).

    Args:
        *arrays: arrays (or lists) with the same first dimension ``N``.
        test_size: float in (0, 1): fraction of the samples (rounded up); int: count.
            Defaults to the complement of ``train_size``, or 0.25 when both are None.
        train_size: float fraction (rounded down) or int count; defaults to the rest.
        shuffle: shuffle before splitting; False keeps the order (train first).
        stratify: labels ``(N,)`` (or one-hot ``(N, K)``); each set then keeps the
            class proportions. Needs ``shuffle=True``.
        seed: int or ``numpy.random.Generator`` (``random_state`` is scikit-learn's name).

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``, two entries per input array.

    Example:
        >>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, seed=0)
    """
    if not arrays:
        raise ValueError("train_test_split: at least one array is required as input")
    if random_state is not None:
        if seed is not None:
            raise ValueError("train_test_split: pass seed or random_state, not both")
        seed = random_state
    data = [a if hasattr(a, "shape") else numpy.asarray(a) for a in arrays]
    lengths = [len(a) for a in data]
    if len(set(lengths)) > 1:
        raise ValueError("train_test_split: found input arrays with inconsistent numbers of "
                         f"samples: {lengths}")
    n = lengths[0]
    n_train, n_test = _sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: stratified splitting needs shuffle=True; "
                             "received shuffle=False with stratify")
        train, test = numpy.arange(n_train), numpy.arange(n_train, n_train + n_test)
    else:
        rng = make_rng(seed)
        if stratify is not None:
            labels = numpy.asarray(stratify)
            if len(labels) != n:
                raise ValueError(f"train_test_split: stratify has {len(labels)} labels; "
                                 f"expected {n}, one per sample")
            train, test = _stratified(labels, n_train, n_test, rng)
        else:
            order = rng.permutation(n)
            train, test = order[n_test:n_test + n_train], order[:n_test]
    out = []
    for a in data:
        out += [a[train], a[test]]
    return out


def validation_split(x, y=None, fraction=0.2):
    """Keras's ``validation_split``: the last ``fraction`` of the samples, unshuffled.

    Args:
        x: array ``(N, ...)`` or a list/tuple of arrays; y: optional targets ``(N, ...)``.
        fraction: float in (0, 1); the validation set is the last
            ``N - floor(N * (1 - fraction))`` samples.

    Returns:
        ``(x_train, y_train), (x_val, y_val)`` (``y_*`` are None without ``y``).
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) \
            or not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split: fraction must be a float in (0, 1); received "
                         f"fraction={fraction!r}")
    xs, y, n, multi = check_arrays("validation_split", x, y)
    cut = int(math.floor(n * (1.0 - fraction)))
    if cut == 0 or cut == n:
        raise ValueError(f"validation_split: fraction={fraction} leaves an empty training or "
                         f"validation set for {n} samples")

    def part(index):
        parts = [a[index] for a in xs]
        return (parts if multi else parts[0]), (None if y is None else y[index])

    return part(slice(0, cut)), part(slice(cut, None))
