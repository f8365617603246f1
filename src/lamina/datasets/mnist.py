"""MNIST: 70,000 grayscale 28x28 images of handwritten digits (LeCun, Cortes and Burges).

Same layout as ``keras.datasets.mnist``: 60,000 training and 10,000 test images. The
loader is the one of :mod:`lamina.datasets.fashion_mnist` (``path``, ``$LAMINA_DATA``,
lamina's cache, the mirrors when ``download=True``); Debian has no MNIST package.

Example:
    >>> from lamina.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data(download=True)  # doctest: +SKIP
"""

from __future__ import annotations

from lamina.datasets import _sources
from lamina.datasets._idx import IMAGES_MAGIC, LABELS_MAGIC
from lamina.datasets._sources import IdxDataset, IdxFile

__all__ = ["CLASS_NAMES", "load_data"]

#: Label i is the digit i.
CLASS_NAMES = tuple(str(d) for d in range(10))


def idx_files(**checksums):
    """The four files of MNIST's layout (Fashion-MNIST uses it too) as ``IdxFile`` entries.

    Args:
        **checksums: ``key=(md5, gz_md5)`` for ``x_train``, ``y_train``, ``x_test`` and
            ``y_test``: the published MD5s of the uncompressed and of the ``.gz`` file.
    """
    return (
        IdxFile("x_train", "train-images-idx3-ubyte", IMAGES_MAGIC, *checksums["x_train"]),
        IdxFile("y_train", "train-labels-idx1-ubyte", LABELS_MAGIC, *checksums["y_train"]),
        IdxFile("x_test", "t10k-images-idx3-ubyte", IMAGES_MAGIC, *checksums["x_test"]),
        IdxFile("y_test", "t10k-labels-idx1-ubyte", LABELS_MAGIC, *checksums["y_test"]),
    )


# Published checksums of the uncompressed files and of the .gz files on the mirrors
# (the ones torchvision checks).
SPEC = IdxDataset(
    name="mnist",
    title="MNIST",
    subdir="mnist",
    files=idx_files(
        x_train=("6bbc9ace898e44ae57da46a324031adb", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        y_train=("a25bea736e30d166cdddb491f175f624", "d53e105ee54ea40749a09fcbcd1e9432"),
        x_test=("2646ac647ad5339dbf082846283269ea", "9fb629c4189551a2d022fa330f9573f3"),
        y_test=("27ae3e4e09519cfbb04c329615203637", "ec29112dd5afa0611ce80d1b7f02629c"),
    ),
    counts=(60000, 10000),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",  # torchvision's first mirror
        "http://yann.lecun.com/exdb/mnist/",  # the original host
    ),
    download_size="11 MB",
)


def load_data(path=None, download: bool = False):
    """Load MNIST as NumPy arrays, like ``keras.datasets.mnist.load_data()``.

    Args:
        path: a directory holding ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
            ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` (gzipped or not,
            directly or in an ``mnist/`` subdirectory), or a ``.npz`` with arrays
            ``x_train, y_train, x_test, y_test`` (Keras's ``mnist.npz`` works).
        download: allow downloading the files (11 MB) when no local source has them.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(60000, 28, 28)`` and
        ``(10000, 28, 28)``, uint8 labels ``(60000,)`` and ``(10000,)`` in 0..9.

    Raises:
        FileNotFoundError: no source has the data; the message says how to get it.
        ValueError: a file is corrupted, truncated or fails its MD5 check (the message names it).
    """
    a = _sources.load(SPEC, path=path, download=download, debian_dir=None)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
