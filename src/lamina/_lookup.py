"""Resolve a user's name (``'adam'``, ``'relu'``, ``'he_normal'``) to an object, Keras-style.

Unknown names raise a ValueError that lists the valid names and suggests the
closest one ("did you mean 'adam'?").
"""

from __future__ import annotations

import difflib


def _canonical(name: str) -> str:
    return name.lower().replace("_", "")


def lookup(table: dict, name: str, kind: str):
    """``table[name]`` matched case- and underscore-insensitively; a helpful error otherwise.

    Args:
        table: maps names to objects (classes or functions).
        name: what the user gave.
        kind: what is being looked up, for the message (e.g. ``"optimizer"``).
    """
    if not isinstance(name, str):
        raise TypeError(f"Unknown {kind}: expected a name (str) or an object; received {name!r}")
    wanted = _canonical(name)
    for key, value in table.items():
        if _canonical(key) == wanted:
            return value
    suggestion = difflib.get_close_matches(name, list(table), n=1, cutoff=0.5)
    hint = f" Did you mean {suggestion[0]!r}?" if suggestion else ""
    valid = ", ".join(repr(k) for k in sorted(table))
    raise ValueError(f"Unknown {kind}: {name!r}.{hint} Valid names: {valid}.")
