"""Keras-style automatic names: ``dense``, ``dense_1``, ``conv2d``, ``max_pooling2d``..."""

from __future__ import annotations

import re
from collections import defaultdict

_counts: defaultdict = defaultdict(int)
_FIRST = re.compile(r"(.)([A-Z][a-z]+)")
_SECOND = re.compile(r"([a-z])([A-Z])")


def to_snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d``, ``Conv2DTranspose`` -> ``conv2d_transpose``."""
    s = _FIRST.sub(r"\1_\2", name)
    return _SECOND.sub(r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``... (per process, as Keras)."""
    n = _counts[base]
    _counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def reset() -> None:
    """Forget the counts (Keras's ``clear_session``)."""
    _counts.clear()
