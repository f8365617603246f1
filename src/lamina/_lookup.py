"""Resolve a user's name (``'adam'``, ``'relu'``, ``'he_normal'``) to an object, Keras-style.

Unknown names raise a ValueError that lists the valid names and suggests the
closest one ("did you mean 'adam'?").
"""

from __future__ import annotations

import difflib


def _canonical(name: str) -> str:
    return name.lower().replace("_", "")


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance where swapping two neighbours counts as one edit ('adma'/'adam')."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate nearest to ``name`` (few edits, case and underscores ignored), if any."""
    wanted = _canonical(name)
    scored = []
    for c in candidates:
        cc = _canonical(c)
        distance = _edit_distance(wanted, cc)
        if distance <= max(2, len(wanted) // 3) or cc.startswith(wanted) or wanted in cc:
            ratio = difflib.SequenceMatcher(None, wanted, cc).ratio()
            scored.append((distance, -ratio, c))
    return min(scored)[2] if scored else None


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
    suggestion = closest(name, list(table))
    hint = f" Did you mean {suggestion!r}?" if suggestion else ""
    valid = ", ".join(repr(k) for k in sorted(table))
    raise ValueError(f"Unknown {kind}: {name!r}.{hint} Valid names: {valid}.")
