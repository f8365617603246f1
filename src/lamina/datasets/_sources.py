"""Finding, verifying, caching and downloading the IDX datasets (MNIST, Fashion-MNIST).

:func:`load` looks in these places, in order, and uses the first that has all four files:

1. the ``path`` the user passes (a directory, or a ``.npz`` with Keras's keys);
2. ``$LAMINA_DATA`` (the directory itself, then its ``<subdir>/``, e.g. ``fashion-mnist/``);
3. lamina's cache: ``<cache>/datasets/<name>.npz``, then the IDX files in
   ``<cache>/datasets/<subdir>/`` (where downloads go); ``<cache>`` is ``$LAMINA_CACHE``
   or ``~/.cache/lamina``;
4. the Debian package's directory (``/usr/share/datasets/fashion-mnist/``);
5. the public mirrors, only when ``download=True``.

Every IDX file is checked against its published MD5 (of the uncompressed file, so
re-gzipped copies such as Debian's pass too; downloads are also checked against the
MD5 of the published ``.gz``). Arrays read from IDX files are then cached as ``.npz``,
written to a temporary file and renamed, so no half-written cache file ever exists; if
caching fails (full disk, read-only home) loading still succeeds, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import sys
import urllib.request
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy

from lamina.datasets._idx import gzip_bound, parse_idx, read_bytes

__all__ = ["ChecksumError", "IdxDataset", "IdxFile", "cache_dir", "load"]

KEYS = ("x_train", "y_train", "x_test", "y_test")


class ChecksumError(ValueError):
    """A file whose MD5 differs from the published one (damaged, or not the official release)."""


@dataclass(frozen=True)
class IdxFile:
    """One file of a release: where its array goes and its published checksums."""

    key: str  # "x_train", "y_train", "x_test" or "y_test"
    name: str  # "train-images-idx3-ubyte" (found as name.gz or name)
    magic: int  # IMAGES_MAGIC or LABELS_MAGIC
    md5: str  # published MD5 of the uncompressed file
    gz_md5: str  # published MD5 of name.gz on the mirrors


@dataclass(frozen=True)
class IdxDataset:
    """What :func:`load` needs to know about a dataset."""

    name: str  # module name: error prefix and cache file stem, "fashion_mnist"
    title: str  # "Fashion-MNIST"
    subdir: str  # "fashion-mnist"
    files: tuple[IdxFile, ...]
    counts: tuple[int, int]  # (train, test) examples
    mirrors: tuple[str, ...]  # base URLs, tried in order
    download_size: str  # "30 MB"
    debian_package: str | None = None  # "dataset-fashion-mnist"
    image_shape: tuple[int, int] = (28, 28)
    n_classes: int = 10


def cache_dir() -> Path:
    """lamina's cache directory: ``$LAMINA_CACHE``, or ``~/.cache/lamina``."""
    return Path(os.environ.get("LAMINA_CACHE") or Path.home() / ".cache" / "lamina").expanduser()


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _urlopen(url: str):
    """Open ``url`` for reading (tests replace this function: they never download)."""
    return urllib.request.urlopen(url, timeout=60)  # noqa: S310 - fixed https/http mirrors


def _write_npz(file, arrays: dict) -> None:
    numpy.savez(file, **arrays)


def _temp_path(target: Path, suffix: str) -> Path:
    """A fresh hidden name beside ``target`` (same filesystem, so os.replace is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{suffix}")


# ---------------------------------------------------------------- finding the files


def _expected_names(spec: IdxDataset) -> str:
    return ", ".join(f"{f.name}.gz" for f in spec.files)


def _find_files(spec: IdxDataset, root: Path) -> tuple[dict | None, str]:
    """Paths of the four files in ``root`` or ``root/<subdir>``, else (None, what is missing)."""
    best_missing = None
    for directory in (root, root / spec.subdir):
        found, missing = {}, []
        for f in spec.files:
            for candidate in (directory / f"{f.name}.gz", directory / f.name):
                if candidate.is_file():
                    found[f.key] = candidate
                    break
            else:
                missing.append(f.name)
        if not missing:
            return found, ""
        if found and best_missing is None:
            best_missing = f"{directory} has only some of the files; missing: {', '.join(missing)}"
    if best_missing is not None:
        return None, best_missing
    if not root.exists():
        return None, f"{root} does not exist"
    return None, f"no {spec.title} files in {root} or {root / spec.subdir}"


def _shape(spec: IdxDataset, key: str) -> tuple:
    """The shape of array ``key`` in the release (``x_*``: images, ``y_*``: labels)."""
    count = spec.counts[0] if key.endswith("train") else spec.counts[1]
    return (count, *spec.image_shape) if key.startswith("x") else (count,)


def _idx_bytes(spec: IdxDataset, key: str) -> int:
    """The size of the release's (uncompressed) IDX file of ``key``: header, then uint8s."""
    shape = _shape(spec, key)
    return 4 + 4 * len(shape) + math.prod(shape)


def _read_files(spec: IdxDataset, paths: dict) -> dict:
    """Parse and MD5-check the four IDX files; return the arrays by key. A file is never
    read or inflated past the size of the release's file."""
    arrays = {}
    for f in spec.files:
        path = paths[f.key]
        raw, content = read_bytes(path, _idx_bytes(spec, f.key))
        arrays[f.key] = parse_idx(content, path, f.magic)
        got = _md5(content)
        if got != f.md5:
            what = "decompressed content" if raw is not content else "content"
            raise ChecksumError(
                f"{path}: checksum mismatch: the MD5 of its {what} is {got}, but the published "
                f"MD5 of {spec.title}'s {f.name} is {f.md5}. The file is damaged or not the "
                f"official release: replace it (e.g. delete it and call "
                f"{spec.name}.load_data(download=True))."
            )
    return arrays


def _npz_arrays(spec: IdxDataset, path: Path, where: str) -> dict:
    """The arrays of a ``.npz`` with Keras's keys, each declared shape and dtype checked
    against the release before its data is read or inflated (a ValueError starting with
    ``where`` otherwise): a small file cannot make the load allocate more than the dataset."""
    from lamina.saving.archive import human, open_regular
    from lamina.saving.npz import NpzReader

    limit = sum(math.prod(_shape(spec, k)) + 4096 for k in KEYS) + 4096
    with open_regular(path, "dataset") as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise ValueError(f"{where}: the file holds {human(size)}, more than the arrays of "
                             f"{spec.title} ({human(limit)}); refusing to read it")
        data = f.read()
    reader = NpzReader(data, where, "arrays")
    missing = [k for k in KEYS if k not in reader.keys]
    if missing:
        raise ValueError(f"{where}: missing arrays {missing} (expected {', '.join(KEYS)})")
    for key in KEYS:
        shape, dtype = reader.header(key)
        if shape != _shape(spec, key) or dtype != numpy.uint8:
            raise ValueError(f"{where}: {key} has shape {shape} and dtype {dtype}; expected "
                             f"{_shape(spec, key)} uint8")
    arrays = {k: reader.read(k) for k in KEYS}
    for key in ("y_train", "y_test"):
        if arrays[key].max(initial=0) >= spec.n_classes:
            raise ValueError(f"{where}: {key} has labels outside 0..{spec.n_classes - 1}")
    return arrays


def _read_npz(spec: IdxDataset, path: Path, strict: bool) -> dict | None:
    """Arrays from a .npz with Keras's keys; a damaged file raises (strict) or warns (cache)."""
    where = f"{spec.name}: {path}"
    try:
        return _npz_arrays(spec, path, where)
    except (ValueError, OSError) as err:  # OSError: unreadable (permissions, I/O)
        if strict:
            raise
        problem = str(err).removeprefix(f"{where}: ")
    warnings.warn(
        f"{spec.name}: ignoring the damaged cache file {path} ({problem}); it will be rebuilt",
        stacklevel=4,
    )
    return None


# ---------------------------------------------------------------- cache and download


def _write_cache(spec: IdxDataset, arrays: dict) -> None:
    """Save ``arrays`` to the cache atomically; on OSError warn and leave no file behind."""
    target = cache_dir() / "datasets" / f"{spec.name}.npz"
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_path(target, ".tmp")
        with open(tmp, "xb") as f:
            _write_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        warnings.warn(
            f"{spec.name}: could not cache the arrays in {target} ({err}); the data is loaded "
            "anyway, and the next load will read the IDX files again",
            stacklevel=5,  # _write_cache <- _from_files <- load <- load_data <- the user
        )
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.remove(tmp)


def _download_matches(tmp: Path, digest: str, f: IdxFile, size: int) -> bool:
    """A download is good when it is the published .gz, or any gzip of the published file
    (of ``size`` bytes)."""
    if digest == f.gz_md5:
        return True
    try:
        return _md5(read_bytes(tmp, size)[1]) == f.md5
    except ValueError:  # IdxFormatError: a corrupted gzip
        return False


def _fetch(url: str, target: Path, f: IdxFile, size: int) -> None:
    """Download ``url`` to ``target`` via a temporary file, checking the published MD5s;
    ``size``: the bytes of the published file uncompressed (the download may not be larger)."""
    tmp = None
    try:
        tmp = _temp_path(target, ".part")
        digest = hashlib.md5(usedforsecurity=False)
        with open(tmp, "xb") as out, _urlopen(url) as response:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                if out.tell() > gzip_bound(size):
                    raise ChecksumError(f"the download is larger than the {size} bytes of "
                                        "the published file")
        if not _download_matches(tmp, digest.hexdigest(), f, size):
            raise ChecksumError(
                f"checksum mismatch: the MD5 of the download is {digest.hexdigest()}, "
                f"the published MD5 is {f.gz_md5}"
            )
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.remove(tmp)


def _download(spec: IdxDataset, directory: Path) -> None:
    """Fetch the missing ``.gz`` files of ``spec`` into ``directory``, trying each mirror."""
    directory.mkdir(parents=True, exist_ok=True)
    for f in spec.files:
        target = directory / f"{f.name}.gz"
        if target.is_file():
            continue
        errors = []
        for mirror in spec.mirrors:
            url = mirror + f"{f.name}.gz"
            print(f"{spec.name}: downloading {url}", file=sys.stderr)
            try:
                _fetch(url, target, f, _idx_bytes(spec, f.key))
                break
            except (OSError, ChecksumError) as err:  # urllib's URLError is an OSError
                errors.append(f"{url}: {err}")
        else:
            raise OSError(
                f"{spec.name}: could not download {f.name}.gz into {directory}:\n  "
                + "\n  ".join(errors)
                + f"\n{_how_to_get(spec, with_download=False)}"
            )


# ---------------------------------------------------------------- the loader


def _how_to_get(spec: IdxDataset, with_download: bool = True) -> str:
    lines = ["Get it one of these ways:"]
    if spec.debian_package:
        lines.append(f"  - sudo apt-get install {spec.debian_package}    (Debian/Ubuntu)")
    else:
        lines.append(f"  - (Debian/Ubuntu have no package for {spec.title}, so apt cannot help)")
    if with_download:
        lines.append(
            f"  - {spec.name}.load_data(download=True)    (downloads {spec.download_size} from "
            f"{spec.mirrors[0]} into {cache_dir() / 'datasets' / spec.subdir})"
        )
    lines.append(
        f"  - {spec.name}.load_data(path=DIR)    where DIR holds {_expected_names(spec)} "
        "(gzipped or not); or set $LAMINA_DATA=DIR"
    )
    return "\n".join(lines)


def _from_files(spec: IdxDataset, paths: dict) -> dict:
    arrays = _read_files(spec, paths)
    _write_cache(spec, arrays)
    return arrays


def load(spec: IdxDataset, path=None, download: bool = False, debian_dir=None) -> dict:
    """The four arrays of ``spec`` by key (``x_train``, ``y_train``, ``x_test``, ``y_test``).

    Raises:
        FileNotFoundError: no source has the data (the message says how to get it), or
            ``path`` does not hold the files.
        IdxFormatError, ChecksumError: a file is corrupted, truncated or not the release.
    """
    if path is not None:
        root = Path(os.fspath(path)).expanduser()
        if root.suffix == ".npz" and root.is_file():
            return _read_npz(spec, root, strict=True)
        if root.is_file():
            raise FileNotFoundError(
                f"{spec.name}: path={os.fspath(path)!r} is a file; pass the directory that holds "
                f"{_expected_names(spec)} (gzipped or not), or a .npz with arrays {', '.join(KEYS)}"
            )
        paths, problem = _find_files(spec, root)
        if paths is None:
            raise FileNotFoundError(
                f"{spec.name}: path={os.fspath(path)!r} does not hold {spec.title}: {problem}. "
                f"Expected {_expected_names(spec)} (gzipped or not) in that directory or in its "
                f"{spec.subdir}/ subdirectory."
            )
        return _from_files(spec, paths)

    looked = []
    env = os.environ.get("LAMINA_DATA")
    if env:
        paths, problem = _find_files(spec, Path(env).expanduser())
        if paths is not None:
            return _from_files(spec, paths)
        looked.append(f"$LAMINA_DATA: {problem}")
    else:
        looked.append("$LAMINA_DATA: not set")

    cached = cache_dir() / "datasets" / f"{spec.name}.npz"
    if cached.is_file():
        arrays = _read_npz(spec, cached, strict=False)
        if arrays is not None:
            return arrays
    downloads = cache_dir() / "datasets" / spec.subdir
    paths, problem = _find_files(spec, downloads)
    if paths is not None:
        return _from_files(spec, paths)
    looked.append(f"cache: no {cached}; {problem}")

    if debian_dir is not None:
        paths, problem = _find_files(spec, Path(debian_dir))
        if paths is not None:
            return _from_files(spec, paths)
        looked.append(f"Debian package {spec.debian_package}: {problem}")

    if download:
        _download(spec, downloads)
        return _from_files(spec, _find_files(spec, downloads)[0])

    raise FileNotFoundError(
        f"{spec.name}: {spec.title} was not found. Looked in:\n"
        + "".join(f"  - {line}\n" for line in looked)
        + _how_to_get(spec)
    )
