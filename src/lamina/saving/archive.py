"""Safe file primitives: atomic writes, and zip archives read without trusting them.

Writes go to a temp file beside the target (``.NAME.PID.lamina-tmp``), are fsynced,
renamed over the target, and the directory is fsynced, so a crash leaves either the old
file or the new one. A save also removes the temp files that earlier, interrupted saves
to the same path left behind (those whose process is gone).

Reads never follow what a file declares blindly: only regular files are opened (a FIFO
or a device would block or never end), member names are checked against a fixed set,
duplicates, encrypted members and compression methods other than stored/deflate are
refused, and a member is decompressed only when its declared size is within what the
caller expects, in bounded chunks (a deflate stream cannot expand past that size). Large
members are opened as files rather than read into memory: a stored one is read in place,
a deflated one is decompressed to an anonymous temp file.
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import stat
import tempfile
import zipfile
import zlib

MAX_MEMBER_BYTES = 4 * 1024**3  # no single member of a model file may claim more than 4 GiB
_CHUNK = 1 << 20
_TMP = ".lamina-tmp"


def human(n: int) -> str:
    """``n`` bytes, readable: ``'1.0 GiB'``."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


# -------------------------------------------------------------------- writing
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(path) -> None:
    """Delete the temp files of earlier saves to ``path`` whose process has ended."""
    directory, name = os.path.split(os.path.abspath(path))
    for tmp in glob.glob(os.path.join(glob.escape(directory), f".{glob.escape(name)}.*{_TMP}")):
        pid = os.path.basename(tmp)[len(name) + 2:-len(_TMP)].split(".")[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def fsync_file(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(directory) -> None:
    """Make a rename in ``directory`` durable (where the platform allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temp path beside ``path``; on success fsync it, rename it over ``path`` and
    fsync the directory. A crash or an error midway leaves any earlier file untouched."""
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    remove_stale_temps(path)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}{_TMP}")
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, path)
        fsync_directory(directory)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write(path, write) -> None:
    """Call ``write(file)`` on a temp file beside ``path``, then rename it over ``path``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        write(f)


# -------------------------------------------------------------------- reading
def open_regular(path, kind: str):
    """``path`` opened for reading, only if it is a regular file (checked without blocking)."""
    path = os.fspath(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise FileNotFoundError(f"No such {kind} file: {path!r}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket")
        raise ValueError(f"{path!r} is {what}, not a regular file; refusing to read {kind} "
                         "data from it")
    return os.fdopen(fd, "rb")


def check_regular(path, kind: str) -> None:
    open_regular(path, kind).close()


def check_members(infos, allowed, where: str, label: str = "member") -> dict:
    """``{name: ZipInfo}`` after refusing unexpected names, duplicates, encryption, methods
    other than stored/deflate and declared sizes over :data:`MAX_MEMBER_BYTES`."""
    out = {}
    for info in infos:
        name = info.filename
        if not allowed(name):
            raise ValueError(f"{where}: unexpected {label} {name!r} in the archive; refusing "
                             "to load it")
        if name in out:
            raise ValueError(f"{where}: the archive holds two {label}s named {name!r}; "
                             "refusing to load it (which one would be meant?)")
        if info.flag_bits & 0x1:
            raise ValueError(f"{where}: {label} {name!r} is encrypted; lamina files are never "
                             "encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(f"{where}: {label} {name!r} uses compression method "
                             f"{info.compress_type}; only stored (0) and deflate (8) are "
                             "accepted")
        if info.file_size > MAX_MEMBER_BYTES:
            raise ValueError(f"{where}: {label} {name!r} declares {human(info.file_size)}; "
                             "refusing to load it")
        out[name] = info
    return out


def _chunks(archive: zipfile.ZipFile, info, limit: int, where: str, what: str):
    """The decompressed bytes of one member in chunks of at most 1 MiB, refused before
    decompression if it declares more than ``limit`` bytes."""
    if info.file_size > limit:
        raise ValueError(f"{where}: {what} declares {human(info.file_size)} once "
                         f"decompressed, more than the {human(limit)} it can hold for this "
                         "model; refusing to decompress it")
    total = 0
    try:
        with archive.open(info) as f:
            while chunk := f.read(_CHUNK):
                total += len(chunk)
                if total > info.file_size:  # pragma: no cover - zipfile stops at file_size
                    raise ValueError(f"{where}: {what} is longer than it declares")
                yield chunk
    except zlib.error as err:
        raise ValueError(f"{where}: {what} is corrupt: its compressed data does not "
                         f"decompress ({err})") from None
    except (zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{where}: {what} is corrupt or truncated ({err})") from None


def read_member(archive: zipfile.ZipFile, info, limit: int, where: str, what: str) -> bytes:
    """The bytes of one member, refused before decompression if it declares more than
    ``limit`` bytes, and read in bounded chunks."""
    return b"".join(_chunks(archive, info, limit, where, what))


class Window(io.RawIOBase):
    """Read-only, seekable view of ``size`` bytes of ``file`` from ``start``: a stored
    member read in place, without a copy of it in memory."""

    def __init__(self, file, start: int, size: int):
        super().__init__()
        self._file, self._start, self._size, self._pos = file, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of the member")
        self._pos = base + offset
        return self._pos

    def readinto(self, b) -> int:
        n = min(len(b), self._size - self._pos)
        if n <= 0:
            return 0
        self._file.seek(self._start + self._pos)
        got = self._file.readinto(memoryview(b).cast("B")[:n]) or 0
        self._pos += got
        return got


def open_member(archive: zipfile.ZipFile, file, info, limit: int, where: str, what: str):
    """A seekable file of one member's bytes, holding none of them in memory: a stored
    member is read in place (its CRC checked in one streaming pass first), a deflated one
    is decompressed in bounded chunks to an anonymous temp file."""
    if info.compress_type != zipfile.ZIP_STORED:
        tmp = tempfile.TemporaryFile()
        try:
            for chunk in _chunks(archive, info, limit, where, what):
                tmp.write(chunk)
            tmp.seek(0)
        except BaseException:
            tmp.close()
            raise
        return tmp
    for _ in _chunks(archive, info, limit, where, what):  # zipfile checks size and CRC
        pass
    file.seek(info.header_offset)
    header = file.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04" or \
            info.compress_size != info.file_size:
        raise ValueError(f"{where}: {what} is corrupt (its local header is not a zip "
                         "member's)")
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + \
        int.from_bytes(header[28:30], "little")
    return Window(file, start, info.file_size)


class Archive:
    """A lamina zip archive opened for reading, its members checked (see module doc)."""

    def __init__(self, path, allowed: set, kind: str):
        self.path = os.fspath(path)
        self.where = repr(self.path)
        file = open_regular(self.path, kind)
        try:
            self.zip = zipfile.ZipFile(file)
            self.members = check_members(self.zip.infolist(), allowed.__contains__, self.where)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as err:
            file.close()
            raise ValueError(f"{self.where} is not a lamina {kind} file: expected a zip "
                             "archive (saved by model.save). Is it truncated, or another "
                             f"format? ({err})") from None
        except BaseException:
            file.close()
            raise
        self._file = file

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()
        self._file.close()
        return False

    def __contains__(self, name) -> bool:
        return name in self.members

    def size(self, name) -> int:
        return self.members[name].file_size

    def read(self, name, limit: int) -> bytes:
        return read_member(self.zip, self.members[name], limit, self.where, name)

    def open(self, name, limit: int):
        """Member ``name`` as a seekable file that holds none of it in memory
        (:func:`open_member`); close it before the archive."""
        return open_member(self.zip, self._file, self.members[name], limit, self.where, name)
