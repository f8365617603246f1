import gzip
import io

import numpy as np
import pytest

from lamina.datasets import _sources, mnist
from tests.datasets.fakes import idx_bytes


def test_missing_says_debian_has_no_package_and_how_to_get_it():
    with pytest.raises(FileNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert message.startswith("mnist: MNIST was not found. Looked in:")
    assert "Debian/Ubuntu have no package for MNIST, so apt cannot help" in message
    assert "apt-get install" not in message
    assert "mnist.load_data(download=True)    (downloads 11 MB from " \
           "https://ossci-datasets.s3.amazonaws.com/mnist/" in message
    assert "mnist.load_data(path=DIR)    where DIR holds train-images-idx3-ubyte.gz" in message


def test_class_names_are_the_digits():
    assert mnist.CLASS_NAMES == ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def test_download_of_something_else_is_rejected_on_every_mirror(monkeypatch, tmp_path):
    fake = gzip.compress(idx_bytes(np.zeros((60000,), np.uint8)))
    asked = []

    def server(url):
        asked.append(url)
        return io.BytesIO(fake)

    monkeypatch.setattr(_sources, "_urlopen", server)
    with pytest.raises(OSError, match=r"mnist: could not download train-images-idx3-ubyte\.gz"
                       r"(.|\n)*checksum mismatch(.|\n)*checksum mismatch"):
        mnist.load_data(download=True)
    assert asked == [m + "train-images-idx3-ubyte.gz" for m in mnist.SPEC.mirrors]


def test_keras_mnist_npz_through_path(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 60000, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 10000, dtype=np.uint8)}
    np.savez(tmp_path / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    assert x_train.shape == (60000, 28, 28) and y_train.dtype == np.uint8
