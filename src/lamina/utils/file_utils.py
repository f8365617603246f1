"""``get_file``: a file from a URL, cached under ``~/.keras/datasets`` as Keras caches it.

lamina is used offline too: a file already in the cache (or ``origin='file:///...'``, or a
local path) is used without any network; a download that cannot happen raises an error
saying where to put the file by hand. Archives are extracted only with paths that stay
inside the target folder (tar's ``'data'`` filter; zip names checked), so a hostile archive
cannot write elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

__all__ = ["get_file"]


def _hasher(algorithm, file_hash):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()  # noqa: S324 - a checksum Keras users publish, not security
    raise ValueError(f"get_file: hash_algorithm must be 'md5', 'sha256' or 'auto'; received "
                     f"hash_algorithm={algorithm!r}")


def _matches(path, file_hash, algorithm) -> bool:
    hasher = _hasher(algorithm, file_hash)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest() == str(file_hash)


def _fetch(origin, target):
    """Copy a local origin, or download a remote one, atomically into ``target``."""
    from lamina.saving.archive import atomic_path  # noqa: PLC0415

    parts = urllib.parse.urlsplit(origin)
    local = urllib.request.url2pathname(parts.path) if parts.scheme == "file" else \
        origin if parts.scheme == "" else None
    with atomic_path(target) as tmp:
        if local is not None:
            if not os.path.isfile(local):
                raise FileNotFoundError(f"get_file: origin {origin!r} is not a file")
            shutil.copyfile(local, tmp)
            return
        try:
            with urllib.request.urlopen(origin, timeout=60) as response, open(tmp, "wb") as out:  # noqa: S310
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise OSError(f"get_file: could not download {origin} ({reason}). Without a "
                          f"network, put the file at {target} yourself (it is then used "
                          f"as is), or pass origin='file:///path/to/file'") from None


def _extract(archive, directory, archive_format):
    formats = ["tar", "zip"] if archive_format == "auto" else \
        [archive_format] if isinstance(archive_format, str) else list(archive_format or [])
    os.makedirs(directory, exist_ok=True)
    if "tar" in formats and tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            tar.extractall(directory, filter="data")  # refuses absolute paths, .., devices
        return True
    if "zip" in formats and zipfile.is_zipfile(archive):
        root = os.path.realpath(directory)
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                dest = os.path.realpath(os.path.join(root, name))
                if os.path.commonpath([root, dest]) != root:
                    raise ValueError(f"get_file: the archive {archive} holds a path outside "
                                     f"its folder ({name!r}); nothing extracted from it")
            z.extractall(root)
        return True
    return False


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """The local path of ``fname`` in ``cache_dir/cache_subdir`` (default ``~/.keras`` or
    ``$KERAS_HOME``), fetched from ``origin`` when it is not there (or ``force_download``);
    with ``extract`` (or ``untar``) the archive is unpacked and the folder returned.
    ``file_hash`` (md5 or sha256 hex) is checked when given."""
    if origin is None:
        raise ValueError("get_file: origin must be given (the URL or file:// path to fetch)")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir or os.environ.get("KERAS_HOME", "~/.keras"))
    datadir = os.path.join(base, cache_subdir)
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"get_file: cannot take a file name from origin={origin!r}; "
                             "pass fname")
    elif os.sep in os.fspath(fname):
        raise ValueError(f"get_file: fname must be a file name, not a path (use cache_dir for "
                         f"the folder); received fname={fname!r}")
    fname = os.fspath(fname)
    unpack = extract or untar
    target = os.path.join(datadir, fname)
    if unpack:
        stem = fname.split(".", 1)[0]
        folder = os.path.join(datadir, f"{stem}_extracted" if "." in fname else fname)
        if "." not in fname:
            target = os.path.join(datadir, f"{fname}_archive")
    fetch = force_download or not os.path.exists(target)
    if not fetch and file_hash is not None and not _matches(target, file_hash, hash_algorithm):
        print(f"get_file: the cached {target} does not match {file_hash}; fetching it again")
        fetch = True
    if fetch:
        _fetch(origin, target)
        if file_hash is not None and not _matches(target, file_hash, hash_algorithm):
            os.unlink(target)
            raise ValueError(f"get_file: {origin} does not match the expected hash "
                             f"{file_hash}; the file was removed")
    if unpack:
        if not _extract(target, folder, "tar" if untar else archive_format):
            raise ValueError(f"get_file: {target} is not a tar or zip archive "
                             f"(archive_format={archive_format!r})")
        return folder
    return target
