"""Fashion-MNIST: 70,000 grayscale 28x28 images of 10 kinds of clothing (Zalando, MIT license).

The lectures' "product categorization" (shoe, bag, shirt...). Same layout as
``keras.datasets.fashion_mnist``: 60,000 training and 10,000 test images.

Where the files come from, in order (see :mod:`lamina.datasets._sources`): ``path``,
``$LAMINA_DATA``, lamina's cache, Debian's ``dataset-fashion-mnist`` package in
:data:`DEBIAN_DIR`, and the public mirrors when ``download=True``.

Example:
    >>> from lamina.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, fashion_mnist.CLASS_NAMES[y_train[0]]  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), 'Ankle boot')
"""

from __future__ import annotations

from lamina.datasets import _sources
from lamina.datasets._sources import IdxDataset
from lamina.datasets.mnist import idx_files

__all__ = ["CLASS_NAMES", "load_data"]

#: Label i is ``CLASS_NAMES[i]``.
CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

#: Where Debian/Ubuntu's ``dataset-fashion-mnist`` package puts the files.
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

# Published checksums: gz_md5 from the fashion-mnist README's download table, md5 of the
# uncompressed files as listed by dataset libraries (the Debian package re-gzips the files,
# so only the latter match its copies).
SPEC = IdxDataset(
    name="fashion_mnist",
    title="Fashion-MNIST",
    subdir="fashion-mnist",
    files=idx_files(
        x_train=("f4a8712d7a061bf5bd6d2ca38dc4d50a", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        y_train=("9018921c3c673c538a1fc5bad174d6f9", "25c81989df183df01b3e8a0aad5dffbe"),
        x_test=("8181f5470baa50b63fa0f6fddb340f0a", "bef4ecab320f06d8554ea6380940ec79"),
        y_test=("15d484375f8d13e6eb1aabb0c3f46965", "bb300cfdad3c16e7a12a480ee83cd310"),
    ),
    counts=(60000, 10000),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",  # Zalando (torchvision)
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",  # Keras
    ),
    download_size="30 MB",
    debian_package="dataset-fashion-mnist",
)


def load_data(path=None, download: bool = False):
    """Load Fashion-MNIST as NumPy arrays, like ``keras.datasets.fashion_mnist.load_data()``.

    Args:
        path: a directory holding ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
            ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` (gzipped or not,
            directly or in a ``fashion-mnist/`` subdirectory), or a ``.npz`` with arrays
            ``x_train, y_train, x_test, y_test``. Only this source is used when given.
        download: allow downloading the files (30 MB) when no local source has them.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with values 0..255, uint8 labels ``(60000,)`` and ``(10000,)``
        in 0..9 (names in :data:`CLASS_NAMES`).

    Raises:
        FileNotFoundError: no source has the data; the message says how to get it.
        ValueError: a file is corrupted, truncated or fails its MD5 check (the message names it).
    """
    a = _sources.load(SPEC, path=path, download=download, debian_dir=DEBIAN_DIR)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
