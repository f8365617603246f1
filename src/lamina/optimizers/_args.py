"""Argument checks shared by the optimizers: clear messages naming the optimizer and argument."""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
import warnings

# Keras 3 arguments lamina accepts only at their defaults (so Keras configs load).
_KERAS_DEFAULTS = {"use_ema": False, "loss_scale_factor": None,
                   "gradient_accumulation_steps": None}
_KERAS_IGNORED = ("ema_momentum", "ema_overwrite_frequency")


def legacy_and_unknown(cls, learning_rate, kwargs: dict):
    """Handle ``**kwargs`` of an optimizer: Keras 1's ``lr`` (warns), Keras 2's ``decay``
    (refused, pointing to schedules), Keras 3 arguments at their defaults; reject the rest.
    Returns the learning rate to use."""
    owner = cls.__name__
    if "lr" in kwargs:
        warnings.warn(f"{owner}: `lr` is deprecated (Keras 1); use `learning_rate` instead.",
                      DeprecationWarning, stacklevel=4)
        learning_rate = kwargs.pop("lr")
    decay = kwargs.pop("decay", None)
    if decay not in (None, 0, 0.0):
        raise ValueError(
            f"{owner}: `decay` (Keras 1/2 per-step learning-rate decay) is not supported; "
            f"received decay={decay!r}. Use a schedule instead: learning_rate="
            f"lamina.optimizers.schedules.InverseTimeDecay({learning_rate!r}, "
            f"decay_steps=1, decay_rate={decay!r}) computes the same "
            "learning_rate / (1 + decay * iterations)."
        )
    for key, default in _KERAS_DEFAULTS.items():
        if key in kwargs and kwargs.pop(key) not in (default, None):
            raise ValueError(f"{owner}: {key} is not supported by lamina; leave it at its "
                             f"default ({default!r})")
    for key in _KERAS_IGNORED:
        kwargs.pop(key, None)
    if kwargs:
        valid = [p for p in inspect.signature(cls.__init__).parameters
                 if p not in ("self", "kwargs")]
        hints = []
        for key in kwargs:
            close = difflib.get_close_matches(key, valid, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ValueError(f"{owner}: argument(s) not recognized: {', '.join(hints)}. "
                         f"Valid arguments: {', '.join(valid)}.")
    return learning_rate


def learning_rate(owner: str, value):
    """A float >= 0, or a schedule / no-argument callable (returned as is)."""
    if callable(value):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: learning_rate must be a float, a LearningRateSchedule or "
                        f"a callable; received learning_rate={value!r}")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{owner}: learning_rate must be a finite float >= 0; received "
                         f"learning_rate={value}")
    return value


def in_range(owner: str, value, name: str, low=0.0, high=1.0, high_closed=False) -> float:
    """``value`` as a float in [low, high) (or [low, high])."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a float; received {name}={value!r}")
    value = float(value)
    if not (low <= value <= high if high_closed else low <= value < high):
        interval = f"[{low:g}, {high:g}{']' if high_closed else ')'}"
        raise ValueError(f"{owner}: {name} must be in {interval}; received {name}={value}")
    return value


def optional(owner: str, value, name: str, minimum=0.0, positive=False):
    """None, or a float >= minimum (> 0 when ``positive``)."""
    if value is None:
        return None
    value = in_range(owner, value, name, low=minimum, high=math.inf, high_closed=True)
    if positive and value == 0:
        raise ValueError(f"{owner}: {name} must be > 0 (or None); received {name}={value}")
    return value


def clipping(owner: str, clipnorm, clipvalue, global_clipnorm):
    """The three clipping arguments checked (each None or > 0; at most one set)."""
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be set; "
            f"received clipnorm={clipnorm}, clipvalue={clipvalue}, "
            f"global_clipnorm={global_clipnorm}"
        )
    return tuple(optional(owner, value, name, positive=True) for value, name in (
        (clipnorm, "clipnorm"), (clipvalue, "clipvalue"), (global_clipnorm, "global_clipnorm")))
