"""Iris: 150 flowers, 4 measurements (cm), 3 species (Fisher, 1936), from scikit-learn.

scikit-learn ships the data, so no download is needed; it comes with lamina's
``interop`` extra (``pip install 'lamina[interop]'``).

Example:
    >>> from lamina.datasets import iris
    >>> x, y = iris.load_data()                        # doctest: +SKIP
    >>> x.shape, iris.CLASS_NAMES[y[0]]                # doctest: +SKIP
    ((150, 4), 'setosa')
"""

from __future__ import annotations

import numpy

from lamina.backend import floatx

__all__ = ["CLASS_NAMES", "FEATURE_NAMES", "load_data"]

#: Label i is ``CLASS_NAMES[i]`` (scikit-learn's ``target_names``).
CLASS_NAMES = ("setosa", "versicolor", "virginica")
#: Column j of ``x`` is ``FEATURE_NAMES[j]``, in centimetres.
FEATURE_NAMES = ("sepal length", "sepal width", "petal length", "petal width")


def _import_sklearn_datasets(who: str):
    """``sklearn.datasets``, or an ImportError that says how to install it."""
    try:
        from sklearn import datasets  # noqa: PLC0415 - optional dependency, loaded on use
    except ImportError as err:
        raise ImportError(
            f"{who} needs scikit-learn, which ships this dataset: pip install 'lamina[interop]' "
            "(or pip install scikit-learn)"
        ) from err
    return datasets


def load_data():
    """Load Iris as NumPy arrays (ordered by class, 50 of each: shuffle or stratify to split).

    Returns:
        ``(x, y)``: ``x`` float ``(150, 4)`` in lamina's floatx (float32 by default), columns as
        in :data:`FEATURE_NAMES`; ``y`` int64 ``(150,)`` in 0..2, names in :data:`CLASS_NAMES`.

    Raises:
        ImportError: scikit-learn is not installed.
    """
    bunch = _import_sklearn_datasets("iris.load_data()").load_iris()
    return numpy.asarray(bunch.data, dtype=floatx()), numpy.asarray(bunch.target, dtype=numpy.int64)
