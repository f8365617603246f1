"""A reader for IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension, then the
values in row-major order, big-endian::

    magic = 0x00 0x00 <type code> <number of dimensions>
    0x00000803 -> unsigned bytes, 3 dimensions (images: count, rows, cols)
    0x00000801 -> unsigned bytes, 1 dimension  (labels: count)

Files may be gzipped (recognised by content, whatever their name). Every problem
raises :class:`IdxFormatError` naming the file and what is wrong with it.

Example:
    >>> images = read_idx("train-images-idx3-ubyte.gz", magic=IMAGES_MAGIC)  # doctest: +SKIP
    >>> images.shape, images.dtype                                         # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
"""

from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy

__all__ = ["IMAGES_MAGIC", "LABELS_MAGIC", "IdxFormatError", "parse_idx", "read_bytes", "read_idx"]

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

# IDX type code -> big-endian dtype.
_TYPES = {
    0x08: numpy.dtype("u1"),
    0x09: numpy.dtype("i1"),
    0x0B: numpy.dtype(">i2"),
    0x0C: numpy.dtype(">i4"),
    0x0D: numpy.dtype(">f4"),
    0x0E: numpy.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


class IdxFormatError(ValueError):
    """An IDX file that cannot be read: truncated, wrong magic number, corrupted gzip..."""


def describe_magic(magic: int) -> str:
    """``0x00000803`` -> ``'0x00000803 (uint8, 3 dimensions)'``."""
    code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    dtype = _TYPES.get(code)
    kind = dtype.newbyteorder("=").name if dtype is not None else f"unknown type 0x{code:02X}"
    return f"0x{magic:08X} ({kind}, {ndim} dimension{'s' if ndim != 1 else ''})"


def read_bytes(path, max_bytes: int | None = None) -> tuple[bytes, bytes]:
    """Read ``path`` and return ``(file_bytes, content)``; content is gunzipped when gzipped.

    ``max_bytes``: the most the content may hold (what the caller expects, e.g. the size of
    the release's file). A file larger than that, or a gzip stream that inflates past it, is
    refused before more is read or inflated, so a small gzip "bomb" cannot cost gigabytes.

    Raises:
        FileNotFoundError: the file does not exist.
        IdxFormatError: not a regular file, larger than ``max_bytes``, or a gzip stream that
            is corrupted, cut short or inflates past ``max_bytes``.
    """
    from lamina.saving.archive import open_regular

    path = os.fspath(path)
    try:
        f = open_regular(path, "IDX")
    except ValueError as err:  # a FIFO or a device: reading it would block or never end
        raise IdxFormatError(str(err)) from None
    with f:
        size = os.fstat(f.fileno()).st_size
        if max_bytes is not None and size > gzip_bound(max_bytes):
            raise IdxFormatError(f"{path}: the file holds {size} bytes, more than the "
                                 f"{max_bytes} this dataset's file has; refusing to read it")
        raw = f.read()
    if not raw.startswith(_GZIP_MAGIC):
        return raw, raw
    try:
        return raw, _gunzip(raw, max_bytes, path)
    except EOFError as err:
        raise IdxFormatError(
            f"{path}: corrupted gzip file: it ends before the end of the compressed stream "
            f"({len(raw)} bytes; the file was probably cut short while copying or downloading)"
        ) from err
    except (OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise IdxFormatError(f"{path}: corrupted gzip file: {err}") from err


def gzip_bound(n: int) -> int:
    """The most bytes a gzip file of ``n`` bytes of content can take (stored blocks: 5 bytes
    per 64 KiB, plus the header and trailer), with room to spare."""
    return n + 5 * (n // 65535 + 1) + 1024


def _gunzip(raw: bytes, max_bytes: int | None, path: str) -> bytes:
    """The content of the gzip members in ``raw``, inflated in chunks and never past
    ``max_bytes`` (None: no limit)."""
    if max_bytes is None:
        return gzip.decompress(raw)
    parts, total, data = [], 0, raw
    while data:
        stream, tail = zlib.decompressobj(wbits=31), data  # one member: header, deflate, trailer
        while not stream.eof:
            chunk = stream.decompress(tail, max(1, min(1 << 20, max_bytes + 1 - total)))
            total += len(chunk)
            if total > max_bytes:
                raise IdxFormatError(f"{path}: the gzip stream inflates to more than the "
                                     f"{max_bytes} bytes this dataset's file has; refusing to "
                                     "inflate the rest")
            parts.append(chunk)
            tail = stream.unconsumed_tail
            if not chunk and not tail:
                raise EOFError("the compressed stream ends before its end-of-stream marker")
        data = stream.unused_data.lstrip(b"\0")  # gzip allows zero padding after a member
    return b"".join(parts)


def parse_idx(content: bytes, path="<bytes>", magic: int | None = None) -> numpy.ndarray:
    """Decode the IDX bytes ``content`` (already gunzipped) into an array.

    Args:
        content: the whole file.
        path: used in error messages only.
        magic: when given, the magic number the file must have (e.g. :data:`IMAGES_MAGIC`).

    Returns:
        A writable array in native byte order with the file's dimensions.
    """
    path = os.fspath(path)
    if len(content) < 4:
        raise IdxFormatError(
            f"{path}: truncated IDX file: {len(content)} bytes, too short for the 4-byte "
            "magic number"
        )
    if content[0] != 0 or content[1] != 0:
        raise IdxFormatError(
            f"{path}: not an IDX file: it starts with bytes 0x{content[:4].hex().upper()}, "
            "while an IDX file starts with two zero bytes, a type code and the number of dimensions"
        )
    found = int.from_bytes(content[:4], "big")
    if magic is not None and found != magic:
        raise IdxFormatError(
            f"{path}: wrong IDX magic number {describe_magic(found)}; expected "
            f"{describe_magic(magic)}"
            + (" (is this a label file instead of an image file, or the reverse?)"
               if found in (IMAGES_MAGIC, LABELS_MAGIC) else "")
        )
    code, ndim = content[2], content[3]
    if code not in _TYPES:
        raise IdxFormatError(
            f"{path}: unknown IDX type code 0x{code:02X} in magic number 0x{found:08X}; "
            f"known codes: {', '.join(f'0x{c:02X}' for c in _TYPES)}"
        )
    header = 4 + 4 * ndim
    if len(content) < header:
        raise IdxFormatError(
            f"{path}: truncated IDX file: {len(content)} bytes, too short for the header of "
            f"{ndim} dimension sizes ({header} bytes)"
        )
    shape = tuple(int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = _TYPES[code]
    expected = header + math.prod(shape) * dtype.itemsize
    if len(content) < expected:
        raise IdxFormatError(
            f"{path}: truncated IDX file: the header declares shape {shape} ({expected} bytes "
            f"with the header) but the file has only {len(content)} bytes"
        )
    if len(content) > expected:
        raise IdxFormatError(
            f"{path}: IDX file has {len(content) - expected} unexpected bytes after the data: the "
            f"header declares shape {shape} ({expected} bytes with the header), the file has "
            f"{len(content)}"
        )
    values = numpy.frombuffer(content, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path, magic: int | None = None) -> numpy.ndarray:
    """Read an IDX file (gzipped or raw) into an array, checking its magic number and sizes.

    Args:
        path: the file, e.g. ``".../train-images-idx3-ubyte.gz"``.
        magic: when given, the magic number the file must have: :data:`IMAGES_MAGIC`
            (``0x00000803``) or :data:`LABELS_MAGIC` (``0x00000801``).

    Raises:
        IdxFormatError: corrupted gzip, not IDX, wrong magic, truncated or oversized file.
    """
    _, content = read_bytes(path)
    return parse_idx(content, path, magic)
