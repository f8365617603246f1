"""Fortunes: short texts (quotes, jokes, poems) in categories, from Debian's ``fortunes``.

The ``fortune`` program's data files (``apt-get install fortunes``) live in
``/usr/share/games/fortunes/``: one file per category, entries separated by lines
holding only ``%``, encoded in Latin-1. Nothing is downloaded; lamina reads those files.

The default task is 4 categories, about 3,100 texts: ``computers`` (1,051),
``politics`` (703), ``science`` (625) and ``songs-poems`` (720). On 5-fold
cross-validation (``StratifiedKFold(5, shuffle=True, random_state=0)``): majority class
33.9%, TF-IDF with naive Bayes 71.8%, TF-IDF (sublinear, English stop words removed)
with logistic regression 72.7%; see ``examples/text_cnn.py``.

Each entry is stripped of surrounding whitespace; typewriter overstrikes (``"_\\bx"`` or
``"___\\bword"``: underscores or a character, then backspaces, for underlining or bold)
keep only the text written last; empty entries are dropped.

Example:
    >>> from lamina.datasets import fortunes
    >>> (x_train, y_train), (x_test, y_test) = fortunes.load_data()   # doctest: +SKIP
    >>> fortunes.CLASS_NAMES[y_train[0]], x_train[0][:40]             # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy

__all__ = ["CLASS_NAMES", "DEBIAN_DIR", "load_data", "load_texts"]

#: The default categories; label i is ``CLASS_NAMES[i]`` when ``categories`` is the default.
CLASS_NAMES = ("computers", "politics", "science", "songs-poems")
#: Where Debian's ``fortunes`` package puts the category files.
DEBIAN_DIR = "/usr/share/games/fortunes"
#: A category file larger than this is refused (the largest Debian one is about 0.5 MB).
MAX_FILE_BYTES = 64 * 2**20

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_SEPARATOR = re.compile(r"^%[ \t\r]*$", re.MULTILINE)
_OVERSTRIKE = re.compile(r"_+\x08+|[^\n]?\x08")


def _how_to_get(directory: Path) -> str:
    return (f"Debian's fortune files were not found in {directory}. Install them with "
            "`apt-get install fortunes` (Debian/Ubuntu), or pass path= to a directory that "
            "holds the category files (text, entries separated by lines holding '%').")


def _check_categories(categories) -> tuple[str, ...]:
    if isinstance(categories, str) or not isinstance(categories, (list, tuple)):
        raise TypeError("fortunes: categories must be a list or tuple of category names, e.g. "
                        f"{list(CLASS_NAMES)}; received categories={categories!r}")
    names = tuple(categories)
    if not names:
        raise ValueError("fortunes: categories is empty; give at least one category name")
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"fortunes: {name!r} is not a category name (a file name such as "
                             "'computers', without directories)")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"fortunes: categories lists {duplicates} more than once")
    return names


def parse(text: str) -> list[str]:
    """The entries of one fortune file's text: split at ``%`` lines, overstrikes resolved,
    stripped, empty ones dropped."""
    entries = (_OVERSTRIKE.sub("", part).strip() for part in _SEPARATOR.split(text))
    return [entry for entry in entries if entry]


def _read_category(directory: Path, name: str) -> list[str]:
    path = directory / name
    if not path.is_file():
        available = sorted(p.name for p in directory.iterdir()
                           if p.is_file() and _NAME.match(p.name) and "." not in p.name)
        raise ValueError(f"fortunes: no category {name!r} in {directory}; the categories there "
                         f"are: {', '.join(available)}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"fortunes: {path} holds {size} bytes, more than a fortune file "
                         f"(limit {MAX_FILE_BYTES}); refusing to read it")
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:  # it grew after the check
        raise ValueError(f"fortunes: {path} is larger than {MAX_FILE_BYTES} bytes")
    entries = parse(raw.decode("latin-1"))
    if not entries:
        raise ValueError(f"fortunes: {path} holds no entries (texts separated by '%' lines)")
    return entries


def _directory(path) -> Path:
    directory = Path(path if path is not None else os.environ.get("LAMINA_FORTUNES", DEBIAN_DIR))
    if not directory.is_dir():
        raise FileNotFoundError(_how_to_get(directory))
    return directory


def load_texts(categories=CLASS_NAMES, path=None):
    """Every text of ``categories``, in file order.

    Args:
        categories: category (file) names; label i is ``categories[i]``.
        path: the directory of fortune files (default ``$LAMINA_FORTUNES`` or
            :data:`DEBIAN_DIR`).

    Returns:
        ``(x, y)``: ``x`` an object array of Python ``str``, ``y`` int64 labels.

    Raises:
        FileNotFoundError: the directory is missing (the message says how to install it).
        ValueError: an unknown or empty category.
    """
    names = _check_categories(categories)
    directory = _directory(path)
    texts: list[str] = []
    labels: list[int] = []
    for label, name in enumerate(names):
        entries = _read_category(directory, name)
        texts.extend(entries)
        labels.extend([label] * len(entries))
    x = numpy.empty(len(texts), dtype=object)
    x[:] = texts
    return x, numpy.asarray(labels, dtype=numpy.int64)


def load_data(categories=CLASS_NAMES, seed=113, test_split=0.2, path=None):
    """The texts of ``categories`` split into training and test sets, stratified.

    Each category gives ``round(test_split * n)`` of its ``n`` texts to the test set,
    chosen at random with ``seed``; both sets are then shuffled with it.

    Args:
        categories: category (file) names; label i is ``categories[i]``.
        seed: the seed of the split and the shuffling (Keras's data sets use 113).
        test_split: the fraction of each category held out, in ``[0, 1)``.
        path: the directory of fortune files (default ``$LAMINA_FORTUNES`` or
            :data:`DEBIAN_DIR`).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of ``str`` and int64 labels.
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) \
            or not 0.0 <= test_split < 1.0:
        raise ValueError(f"fortunes.load_data: test_split must be a number in [0, 1); "
                         f"received test_split={test_split!r}")
    x, y = load_texts(categories, path)
    rng = numpy.random.default_rng(seed)
    test = numpy.zeros(len(y), dtype=bool)
    for label in range(len(categories)):
        members = numpy.flatnonzero(y == label)
        count = int(round(test_split * len(members)))
        test[rng.permutation(members)[:count]] = True
    train_idx = rng.permutation(numpy.flatnonzero(~test))
    test_idx = rng.permutation(numpy.flatnonzero(test))
    return (x[train_idx], y[train_idx]), (x[test_idx], y[test_idx])
