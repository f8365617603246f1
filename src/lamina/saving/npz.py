"""``.npz`` bytes written by NumPy, read back without trusting them.

:class:`NpzReader` never unpickles and never lets a header decide an allocation: it reads
each ``.npy`` header first (at most 10,000 bytes), so the caller can check the declared
shape and dtype against what the model expects, and only then reads exactly that many
bytes of data. Only plain numbers are accepted (bool, int, uint, float): strings,
structured, complex and object arrays are refused with the name of the array.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import numpy

from lamina.saving.archive import check_members, human

_ACCEPTED_KINDS = "biuf"


def npz_bytes(arrays: dict) -> bytes:
    """``arrays`` as the bytes of an uncompressed ``.npz``."""
    buffer = io.BytesIO()
    numpy.savez(buffer, **arrays)
    return buffer.getvalue()


class NpzReader:
    """The arrays of ``.npz`` bytes, read one at a time after their header is checked.

    Args:
        data: the bytes of the ``.npz``, or a seekable binary file of them.
        where: the start of every error message (e.g. ``"load_model: 'm.lamina'"``).
        what: what the arrays are, for the messages (``"weights"``, ``"arrays"``).
    """

    def __init__(self, data: bytes, where: str, what: str = "weights"):
        self.where, self.what = where, what
        try:
            self.zip = zipfile.ZipFile(data if hasattr(data, "read") else io.BytesIO(data))
            members = check_members(self.zip.infolist(), lambda n: n.endswith(".npy"), where,
                                    "array")
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as err:
            raise ValueError(f"{where}: the {what} are corrupt or not an .npz archive "
                             f"({err})") from None
        self.infos = {name[:-len(".npy")]: info for name, info in members.items()}
        self._headers: dict = {}

    @property
    def keys(self) -> list:
        return list(self.infos)

    def header(self, key) -> tuple[tuple, numpy.dtype]:
        """The declared ``(shape, dtype)`` of array ``key``; refuses non-numeric dtypes."""
        if key not in self._headers:
            self._headers[key] = self._read_header(key)
        shape, _, dtype, _ = self._headers[key]
        return shape, dtype

    def _read_header(self, key):
        try:
            with self.zip.open(self.infos[key]) as f:
                version = numpy.lib.format.read_magic(f)
                read = (numpy.lib.format.read_array_header_1_0 if version == (1, 0)
                        else numpy.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read(f, max_header_size=10000)
                offset = f.tell()
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, SyntaxError, TypeError) \
                as err:
            raise ValueError(f"{self.where}: array {key!r} is not a plain .npy array "
                             f"({err})") from None
        if (dtype.kind not in _ACCEPTED_KINDS or dtype.fields is not None
                or dtype.subdtype is not None or dtype.hasobject):
            raise ValueError(f"{self.where}: array {key!r} has dtype {dtype}; {self.what} must "
                             "be plain numbers (bool, int or float), not strings, records, "
                             "complex numbers or objects")
        if not all(isinstance(s, int) and s >= 0 for s in shape):
            raise ValueError(f"{self.where}: array {key!r} declares an invalid shape {shape}")
        return tuple(shape), fortran, dtype, offset

    def fits(self, key, out) -> bool:
        """Whether array ``key`` can be read straight into ``out``."""
        shape, fortran, dtype, _ = self._headers.get(key) or self._read_header(key)
        return (isinstance(out, numpy.ndarray) and out.ndim > 0 and out.flags.c_contiguous
                and out.flags.writeable and not fortran and dtype == out.dtype
                and tuple(shape) == out.shape)

    def lazy(self, key):
        """Array ``key``, read only when an array of it is asked for (``set_state`` copies
        one slot at a time)."""
        reader = self

        class _Lazy:
            shape = self.header(key)[0]

            def __array__(self, dtype=None, copy=None):
                array = reader.read(key)
                return array if dtype is None else array.astype(dtype, copy=False)

        return _Lazy()

    def nbytes(self, key) -> int:
        shape, dtype = self.header(key)
        n = 1
        for s in shape:
            n *= s
        return n * dtype.itemsize

    def read(self, key, out=None) -> numpy.ndarray:
        """Array ``key``: exactly the bytes its (already checked) header declares; read
        straight into ``out`` (a C-ordered array of its shape and dtype) when given."""
        shape, fortran, dtype, offset = self._headers.get(key) or self._read_header(key)
        nbytes = self.nbytes(key)
        info = self.infos[key]
        if offset + nbytes > info.file_size:
            raise ValueError(f"{self.where}: array {key!r} declares {human(nbytes)} of data "
                             f"but its member holds {human(info.file_size - offset)}")
        try:
            with self.zip.open(info) as f:
                f.read(offset)
                data = bytearray(nbytes) if out is None else out
                view, done = memoryview(data).cast("B"), 0
                while done < nbytes:
                    chunk = f.read(min(nbytes - done, 1 << 20))
                    if not chunk:
                        break
                    view[done:done + len(chunk)] = chunk
                    done += len(chunk)
        except (OSError, EOFError, zipfile.BadZipFile) as err:
            raise ValueError(f"{self.where}: array {key!r} is corrupt ({err})") from None
        except zlib.error as err:
            raise ValueError(f"{self.where}: array {key!r} is corrupt: its compressed data "
                             f"does not decompress ({err})") from None
        if done < nbytes:
            raise ValueError(f"{self.where}: array {key!r} is truncated")
        if out is not None:
            return out
        array = numpy.frombuffer(data, dtype=dtype)
        return array.reshape(shape[::-1]).T if fortran else array.reshape(shape)
