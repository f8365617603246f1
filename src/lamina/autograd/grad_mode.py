"""Switch graph recording on and off (``no_grad`` for inference, ``enable_grad`` inside it)."""

from __future__ import annotations

import contextlib
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    """True when new ops record themselves for backward."""
    return getattr(_state, "enabled", True)


@contextlib.contextmanager
def _grad_mode(enabled: bool):
    previous = is_grad_enabled()
    _state.enabled = enabled
    try:
        yield
    finally:
        _state.enabled = previous


def no_grad():
    """Context manager: ops inside it build no graph and keep nothing for backward.

    >>> from lamina import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 3
    >>> y.requires_grad
    False
    """
    return _grad_mode(False)


def enable_grad():
    """Context manager that turns recording back on inside ``no_grad``."""
    return _grad_mode(True)
