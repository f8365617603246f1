"""A stranger's dataset directory or ``.npz`` (``load_data(path=...)``) cannot cost more memory
than the dataset itself (issue 14, section 2): a gzip stream is never inflated past the size
of the release's file, and an ``.npz`` array's declared shape and dtype are checked before its
data is read. Before, a 1 MB gzip of 1 GiB of zeros peaked at 2,089 MB and a 1 MB ``.npz``
declaring a 9.6 GB array at 1,066 MB. Bombs are loaded in a subprocess that reports its peak
resident memory (``VmHWM``).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lamina.datasets import IdxFormatError, _sources
from lamina.datasets._idx import read_bytes
from tests.datasets.fakes import ARRAYS, TINY
from tests.saving.hostile import Entry, deflated_zeros, npy, npy_header, stored, zip_bytes

ROOT = Path(__file__).parents[2]
CHILD = r"""
import json, sys
from lamina.datasets import _sources, mnist
out = {}
try:
    _sources.load(mnist.SPEC, path=sys.argv[1])
    out["outcome"] = "loaded"
except Exception as err:
    out["outcome"], out["message"] = type(err).__name__, str(err)
with open("/proc/self/status") as f:
    out["peak_mb"] = [int(l.split()[1]) / 1024 for l in f if l.startswith("VmHWM:")][0]
print(json.dumps(out))
"""


def _load_mnist_in_subprocess(path, tmp_path) -> dict:
    env = {**os.environ, "LAMINA_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    env.pop("LAMINA_DATA", None)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _gzip_of_zeros(n_mib: int, prefix: bytes) -> bytes:
    """A gzip file of ``prefix`` then ``n_mib`` MiB of zeros, about a MB per GiB."""
    payload, size, crc = deflated_zeros(n_mib, prefix)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + payload
            + struct.pack("<II", crc, size & 0xFFFFFFFF))


def _idx_header(shape) -> bytes:
    return bytes([0, 0, 0x08, len(shape)]) + b"".join(int(s).to_bytes(4, "big") for s in shape)


def test_a_gzip_bomb_in_a_dataset_directory_stops_at_the_release_size(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    bomb = _gzip_of_zeros(1024, _idx_header((60000, 28, 28)))  # 1 GiB of content
    (d / "train-images-idx3-ubyte.gz").write_bytes(bomb)
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (d / f"{name}.gz").write_bytes(b"\x1f\x8b")  # never reached: the images come first
    assert len(bomb) < 2 * 1024**2
    result = _load_mnist_in_subprocess(d, tmp_path)
    assert result["outcome"] == "IdxFormatError", result
    assert "train-images-idx3-ubyte.gz: the gzip stream inflates to more than the 47040016 " \
           "bytes" in result["message"]
    assert result["peak_mb"] < 300, result  # was 2,089 MB


def test_an_npz_declaring_a_huge_array_is_refused_before_reading_it(tmp_path):
    payload, size, crc = deflated_zeros(1024, npy_header((2**33,), "uint8"))
    entries = [Entry("x_train.npy", payload, size, crc)] + [
        stored(f"{k}.npy", npy(v)) for k, v in ARRAYS.items() if k != "x_train"]
    path = tmp_path / "bomb.npz"
    path.write_bytes(zip_bytes(entries))
    result = _load_mnist_in_subprocess(path, tmp_path)
    assert result["outcome"] == "ValueError", result
    assert "x_train has shape (8589934592,) and dtype uint8; expected (60000, 28, 28) uint8" \
           in result["message"]
    assert result["peak_mb"] < 300, result  # was 1,066 MB


def test_an_npz_larger_than_the_dataset_is_not_read(tmp_path):
    path = tmp_path / "big.npz"
    np.savez(path, **ARRAYS, padding=np.zeros(1 << 20, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"big\.npz: the file holds 1\.0 MiB, more than the "
                                         r"arrays of Tiny-MNIST"):
        _sources.load(TINY, path=path)


@pytest.mark.parametrize("array, message", [
    (np.array(["abc"] * 6), r"array 'y_train' has dtype <U3; arrays must be plain numbers"),
    (np.array([0, 1, 2, 0, 1, 5], dtype=np.uint8), r"y_train has labels outside 0\.\.2"),
])
def test_an_npz_with_strings_or_unknown_labels_is_refused(tmp_path, array, message):
    np.savez(tmp_path / "bad.npz", **{**ARRAYS, "y_train": array})
    with pytest.raises(ValueError, match=message):
        _sources.load(TINY, path=tmp_path / "bad.npz")


def test_a_gzip_that_inflates_past_the_expected_size_is_refused(tmp_path):
    import gzip

    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(bytes(10_000)))
    with pytest.raises(IdxFormatError, match=r"x\.gz: the gzip stream inflates to more than "
                                             r"the 9999 bytes"):
        read_bytes(path, 9999)
    assert read_bytes(path, 10_000)[1] == bytes(10_000)


def test_concatenated_gzip_members_and_padding_are_read(tmp_path):
    import gzip

    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"ab") + gzip.compress(b"cd") + bytes(8))
    assert read_bytes(path, 4)[1] == b"abcd"


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "train-images-idx3-ubyte"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(IdxFormatError, match=r"is a FIFO, not a regular file"):
        read_bytes(fifo, 100)
