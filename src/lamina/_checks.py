"""Argument checks shared by the public API: NumPy integers count as ints everywhere."""

from __future__ import annotations

import numbers


def is_int(value) -> bool:
    """True for Python and NumPy integers (``3``, ``np.int64(3)``), False for bools."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_int(value, name: str, where: str, minimum: int = 1) -> int:
    """``value`` as a Python int ``>= minimum``, or a ValueError naming the argument.

    >>> as_int(np.int64(4), "epochs", "fit", minimum=0)
    4
    """
    if not is_int(value) or value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{where}: {name} must be {kind}; received {name}={value!r}")
    return int(value)
