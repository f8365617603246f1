"""Fashion-MNIST's loader: its messages everywhere, the real files where Debian installed them."""

import os
from pathlib import Path

import numpy as np
import pytest

from lamina.datasets import _sources, cache_dir, fashion_mnist

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
needs_real_data = pytest.mark.skipif(
    not all((DEBIAN_DIR / f).is_file() for f in FILES),
    reason=f"Fashion-MNIST is not installed in {DEBIAN_DIR} "
    "(sudo apt-get install dataset-fashion-mnist)",
)


def test_class_names():
    assert fashion_mnist.CLASS_NAMES == (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    )


def test_missing_everywhere_says_exactly_how_to_get_it():
    with pytest.raises(FileNotFoundError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert message.startswith("fashion_mnist: Fashion-MNIST was not found. Looked in:")
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "fashion_mnist.load_data(download=True)    (downloads 30 MB from http" in message
    assert "fashion_mnist.load_data(path=DIR)    where DIR holds " + ", ".join(FILES) in message
    assert str(cache_dir() / "datasets" / "fashion_mnist.npz") in message


def test_directory_without_the_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"fashion_mnist: path='.*' does not hold "
                       r"Fashion-MNIST: no Fashion-MNIST files in .* Expected "
                       r"train-images-idx3-ubyte\.gz"):
        fashion_mnist.load_data(path=tmp_path)


def test_published_checksums_are_well_formed():
    for f in fashion_mnist.SPEC.files:
        assert len(f.md5) == 32 and len(f.gz_md5) == 32 and f.md5 != f.gz_md5
    assert fashion_mnist.SPEC.files[0].gz_md5 == "8d4fb7e6c68d591d4c3dfef9ec88bf0d"  # README


@needs_real_data
def test_real_fashion_mnist_from_the_debian_package(monkeypatch):
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", str(DEBIAN_DIR))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == x_test.dtype == y_train.dtype == y_test.dtype == np.uint8
    assert y_train.min() == 0 and y_train.max() == 9 and y_test.max() == 9
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), [1000] * 10)
    assert x_train.max() == 255 and x_train.min() == 0
    assert fashion_mnist.CLASS_NAMES[y_train[0]] == "Ankle boot"  # the release's first image
    cached = cache_dir() / "datasets" / "fashion_mnist.npz"
    assert cached.is_file()

    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", "/nonexistent")  # the cache alone now
    (x2, y2), (x3, y3) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x2, x_train)
    np.testing.assert_array_equal(y3, y_test)


@needs_real_data
def test_real_files_through_lamina_data(tmp_path, monkeypatch, recwarn):
    folder = tmp_path / "data" / "fashion-mnist"
    folder.mkdir(parents=True)
    for f in FILES:
        os.symlink(DEBIAN_DIR / f, folder / f)
    monkeypatch.setenv("LAMINA_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(_sources, "_write_npz", _refuse)  # skip the 55 MB write: not tested here
    (x_train, y_train), _ = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and y_train[:3].tolist() == [9, 0, 0]


def _refuse(file, arrays):
    raise OSError("caching disabled by the test")
