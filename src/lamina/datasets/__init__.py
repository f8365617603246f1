"""Data sets as NumPy arrays, like ``keras.datasets``: every ``load_data()`` works offline.

* :mod:`~lamina.datasets.fashion_mnist`, :mod:`~lamina.datasets.mnist`: 28x28 images,
  ``(x_train, y_train), (x_test, y_test)``, read from the IDX files (a directory you pass,
  ``$LAMINA_DATA``, lamina's cache, Debian's ``dataset-fashion-mnist`` package, or a
  download you allow), checked against their published MD5s and cached as ``.npz``.
* :mod:`~lamina.datasets.iris`, :mod:`~lamina.datasets.digits`: ``(x, y)`` from
  scikit-learn (``pip install 'lamina[interop]'``).
* :mod:`~lamina.datasets.housing`: the lectures' (bedrooms, size, age) -> price
  regression, a documented synthetic generator.
* :mod:`~lamina.datasets.fortunes`: short texts in categories (computers, politics...),
  ``(x_train, y_train), (x_test, y_test)`` of Python strings, read from Debian's
  ``fortunes`` package.
* :mod:`~lamina.datasets.toy`: logic gates, the lecture's simple functions, two spirals, moons.
* :mod:`~lamina.datasets.shapes`: synthetic segmentation scenes (disks, squares, triangles
  on textured backgrounds) with per-pixel labels.
* :mod:`~lamina.datasets.patches`: crops of the photographs in scikit-image (``skimage.data``),
  split by source image, for the image-to-image models (``pip install 'lamina[imaging]'``).

Every classification module has ``CLASS_NAMES`` (label i is ``CLASS_NAMES[i]``).

Example:
    >>> from lamina.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
"""

from lamina.datasets import (
    digits,
    fashion_mnist,
    fortunes,
    housing,
    iris,
    mnist,
    patches,
    shapes,
    symbols,
    toy,
)
from lamina.datasets._idx import IdxFormatError, read_idx
from lamina.datasets._sources import ChecksumError, cache_dir

__all__ = [
    "symbols",
    "ChecksumError",
    "IdxFormatError",
    "cache_dir",
    "digits",
    "fashion_mnist",
    "fortunes",
    "housing",
    "iris",
    "mnist",
    "patches",
    "read_idx",
    "shapes",
    "toy",
]
