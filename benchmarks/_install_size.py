"""Installed size of a distribution with everything it requires, from the RECORD files."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path


def _requirement_names(dist) -> list[str]:
    """Names of a distribution's unconditional requirements (markers evaluated here)."""
    try:
        from packaging.markers import Marker
    except ImportError:  # pragma: no cover - pip vendors packaging, venvs have it
        Marker = None
    names = []
    for req in dist.requires or []:
        spec, _, marker = req.partition(";")
        if "extra" in marker:
            continue
        if marker.strip() and Marker is not None and not Marker(marker.strip()).evaluate():
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if match:
            names.append(match.group(1))
    return names


def _tree_bytes(root: Path) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [n for n in dirnames if n != "__pycache__"]
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in filenames)
    return total


def installed_size(name: str) -> dict:
    """Bytes on disk of distribution ``name`` and everything it requires (transitively).

    Files come from each distribution's RECORD (``__pycache__`` left out, as it is
    rebuilt on use). An editable install (lamina in development) is measured as its
    package directory.
    """
    from importlib import metadata

    sizes, todo = {}, [name]
    while todo:
        current = todo.pop()
        key = re.sub(r"[-_.]+", "-", current).lower()
        if key in sizes:
            continue
        try:
            dist = metadata.distribution(current)
        except metadata.PackageNotFoundError:
            sizes[key] = None
            continue
        files = [f for f in dist.files or [] if "__pycache__" not in f.parts]
        size = sum(f.size or 0 for f in files)
        spec = importlib.util.find_spec(current.replace("-", "_"))
        if size < 100_000 and spec is not None and spec.submodule_search_locations:
            size = sum(_tree_bytes(Path(p)) for p in spec.submodule_search_locations)
        sizes[key] = size
        todo.extend(_requirement_names(dist))
    return {"total_mb": sum(v or 0 for v in sizes.values()) / 1e6,
            "packages_mb": {k: (v / 1e6 if v is not None else None) for k, v in sizes.items()}}
