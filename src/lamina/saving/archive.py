"""Safe file primitives: atomic writes, and zip archives read without pickle or extraction."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile

import numpy

MAX_MEMBER_BYTES = 4 * 1024**3  # no single member of a model file may claim more than 4 GiB


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temp path beside ``path``; on success rename it over ``path``.

    A crash or an error midway leaves any earlier file at ``path`` untouched.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".lamina-", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write(path, write) -> None:
    """Call ``write(file)`` on a temp file beside ``path``, then rename it over ``path``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def npz_bytes(arrays: dict) -> bytes:
    """``arrays`` as the bytes of an uncompressed ``.npz``."""
    buffer = io.BytesIO()
    numpy.savez(buffer, **arrays)
    return buffer.getvalue()


def load_npz(data: bytes, where: str) -> dict:
    """Arrays from ``.npz`` bytes, never unpickling (``allow_pickle=False``)."""
    try:
        with numpy.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{where}: the weights are corrupt or not plain arrays ({err})") from None


def open_archive(path, allowed: set, kind: str) -> dict:
    """Read the members of a zip archive into memory; refuse anything unexpected.

    Members are never extracted to disk, and names outside ``allowed`` (including
    ``../`` tricks or absolute paths) are refused, as are members that claim more
    than :data:`MAX_MEMBER_BYTES`.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such {kind} file: {path!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path!r} is not a lamina {kind} file: expected a zip archive "
                         "(saved by model.save). Is it truncated, or another format?")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            for info in members:
                name = info.filename
                if name not in allowed:
                    raise ValueError(f"{path!r}: unexpected member {name!r} in the archive "
                                     f"(allowed: {sorted(allowed)}); refusing to load it")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise ValueError(f"{path!r}: member {name!r} claims {info.file_size} bytes; "
                                     "refusing to load it")
            return {info.filename: archive.read(info) for info in members}
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as err:
        raise ValueError(f"{path!r} is a corrupt or truncated lamina {kind} file ({err})") \
            from None
