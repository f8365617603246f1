import gzip

import numpy as np
import pytest

from lamina.datasets import IdxFormatError, read_idx
from lamina.datasets._idx import IMAGES_MAGIC, LABELS_MAGIC, parse_idx
from tests.datasets.fakes import idx_bytes, write_idx

IMAGES = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
LABELS = np.array([3, 1, 4, 1, 5], dtype=np.uint8)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_reads_raw_and_gzipped_images(tmp_path, name):
    path = write_idx(tmp_path / name, IMAGES)
    out = read_idx(path, magic=IMAGES_MAGIC)
    assert out.shape == (2, 3, 4) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, IMAGES)
    out[0, 0, 0] = 99  # a writable copy, like Keras's arrays
    assert out.flags.writeable


def test_header_bytes_match_the_format(tmp_path):
    # magic 0x00000801, then the count 5 as a big-endian uint32, then the values
    path = tmp_path / "labels"
    path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 5, 3, 1, 4, 1, 5]))
    np.testing.assert_array_equal(read_idx(path, magic=LABELS_MAGIC), [3, 1, 4, 1, 5])


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    path = write_idx(tmp_path / "labels-without-suffix", LABELS, gz=True)
    np.testing.assert_array_equal(read_idx(path), LABELS)


@pytest.mark.parametrize("dtype", [">i2", ">i4", ">f4", ">f8", "i1"])
def test_other_types_come_back_in_native_byte_order(tmp_path, dtype):
    values = np.array([[-3, 0, 2], [7, 100, -1]]).astype(dtype)
    out = read_idx(write_idx(tmp_path / "v.idx", values))
    assert out.dtype == np.dtype(dtype).newbyteorder("=") and out.dtype.isnative
    np.testing.assert_array_equal(out, values)


def test_wrong_magic_names_the_path_and_both_numbers(tmp_path):
    path = write_idx(tmp_path / "train-labels-idx1-ubyte.gz", LABELS)
    with pytest.raises(IdxFormatError, match=r"train-labels-idx1-ubyte\.gz: wrong IDX magic "
                       r"number 0x00000801 \(uint8, 1 dimension\); expected 0x00000803 "
                       r"\(uint8, 3 dimensions\) \(is this a label file"):
        read_idx(path, magic=IMAGES_MAGIC)


def test_not_an_idx_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello, world")
    with pytest.raises(IdxFormatError, match=r"notes\.txt: not an IDX file: it starts with "
                       r"bytes 0x68656C6C"):
        read_idx(path)


def test_unknown_type_code(tmp_path):
    path = tmp_path / "odd"
    path.write_bytes(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 9]))
    with pytest.raises(IdxFormatError, match=r"odd: unknown IDX type code 0x07"):
        read_idx(path)


def test_truncated_data(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(idx_bytes(IMAGES)[:-5])  # 16-byte header + 24 values, minus 5
    with pytest.raises(IdxFormatError, match=r"images: truncated IDX file: the header declares "
                       r"shape \(2, 3, 4\) \(40 bytes with the header\) but the file has only "
                       r"35 bytes"):
        read_idx(path)


def test_truncated_header(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(idx_bytes(IMAGES)[:10])
    with pytest.raises(IdxFormatError, match=r"truncated IDX file: 10 bytes, too short for the "
                       r"header of 3 dimension sizes \(16 bytes\)"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(IdxFormatError, match=r"2 bytes, too short for the 4-byte magic number"):
        read_idx(path)


def test_trailing_bytes(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(LABELS) + b"\x00\x00\x00")
    with pytest.raises(IdxFormatError, match=r"3 unexpected bytes after the data"):
        read_idx(path)


def test_truncated_gzip_names_the_path(tmp_path):
    data = gzip.compress(idx_bytes(np.zeros((50, 28, 28), np.uint8) + 7), mtime=0)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IdxFormatError, match=r"train-images-idx3-ubyte\.gz: corrupted gzip "
                       r"file: it ends before the end of the compressed stream"):
        read_idx(path)


def test_corrupted_gzip_stream(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(np.arange(4000, dtype=np.uint8) % 251), mtime=0))
    data[20:40] = b"\xff" * 20  # garbage in the deflate stream
    path = tmp_path / "labels.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(IdxFormatError, match=r"labels\.gz: corrupted gzip file"):
        read_idx(path)


def test_gzip_crc_mismatch(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(LABELS), mtime=0))
    data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    path = tmp_path / "labels.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(IdxFormatError, match=r"labels\.gz: corrupted gzip file: CRC check failed"):
        read_idx(path)


def test_errors_are_value_errors_and_missing_files_are_not_found(tmp_path):
    assert issubclass(IdxFormatError, ValueError)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.gz")


def test_parse_idx_accepts_bytes_directly():
    np.testing.assert_array_equal(parse_idx(idx_bytes(LABELS), magic=LABELS_MAGIC), LABELS)
