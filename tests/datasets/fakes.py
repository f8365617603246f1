"""Small IDX files written by the tests, and a tiny dataset spec that the loader accepts.

``TINY`` has the four files of a release (6 training and 4 test images of 3x2 pixels,
labels 0..2) with MD5s computed from the arrays below, so ``_sources.load(TINY, ...)``
exercises the real search, checksum and cache code in milliseconds.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

from lamina.datasets._idx import IMAGES_MAGIC, LABELS_MAGIC
from lamina.datasets._sources import IdxDataset, IdxFile

_CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B,
          np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of ``array``, written out by hand (header + big-endian values)."""
    big = np.dtype(array.dtype).newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    header = bytes([0, 0, _CODES[np.dtype(big)], array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(big).tobytes()


def write_idx(path: Path, array: np.ndarray, gz: bool | None = None) -> Path:
    """Write ``array`` as IDX to ``path``, gzipped when the name ends in .gz (or ``gz=True``)."""
    data = idx_bytes(array)
    if gz if gz is not None else str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


_rng = np.random.default_rng(7)
ARRAYS = {
    "x_train": _rng.integers(0, 256, (6, 3, 2), dtype=np.uint8),
    "y_train": np.array([0, 1, 2, 0, 1, 2], dtype=np.uint8),
    "x_test": _rng.integers(0, 256, (4, 3, 2), dtype=np.uint8),
    "y_test": np.array([2, 1, 0, 2], dtype=np.uint8),
}
NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


TINY = IdxDataset(
    name="tiny",
    title="Tiny-MNIST",
    subdir="tiny-mnist",
    files=tuple(
        IdxFile(key, NAMES[key], IMAGES_MAGIC if key.startswith("x") else LABELS_MAGIC,
                _md5(idx_bytes(ARRAYS[key])), _md5(gzip.compress(idx_bytes(ARRAYS[key]), mtime=0)))
        for key in ("x_train", "y_train", "x_test", "y_test")
    ),
    counts=(6, 4),
    mirrors=("https://mirror-one.invalid/tiny/", "https://mirror-two.invalid/tiny/"),
    download_size="1 kB",
    debian_package="dataset-tiny-mnist",
    image_shape=(3, 2),
    n_classes=3,
)


def write_release(directory: Path, gz: bool = True, skip=()) -> Path:
    """Write the four TINY files into ``directory`` (gzipped or raw), leaving out ``skip`` keys."""
    for key, array in ARRAYS.items():
        if key not in skip:
            write_idx(directory / (NAMES[key] + (".gz" if gz else "")), array)
    return directory


def assert_tiny(arrays: dict) -> None:
    """``arrays`` are exactly TINY's, with the Keras dtypes."""
    assert set(arrays) == set(ARRAYS)
    for key, expected in ARRAYS.items():
        assert arrays[key].dtype == np.uint8
        np.testing.assert_array_equal(arrays[key], expected)
