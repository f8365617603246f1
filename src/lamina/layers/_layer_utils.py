"""Helpers of ``Layer`` (``layer.py``): users' shapes and configs, inputs' shapes, the nesting
of calls, where ``call`` takes ``training``, and the de-duplicated weight lists."""

from __future__ import annotations

import inspect

import numpy

from lamina._checks import is_int
from lamina.autograd import Tensor

_SHAPE_HINT = "a tuple of positive ints (without the batch axis)"


def standardize_shape(shape, where: str, name: str = "input_shape") -> tuple:
    """A user's shape as a tuple of ints or None, with a clear error otherwise."""
    if is_int(shape):
        shape = (shape,)
    try:
        out = tuple(None if s is None else int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be {_SHAPE_HINT}; "
                         f"received {name}={shape!r}") from None
    if any(s is not None and s <= 0 for s in out):
        raise ValueError(f"{where}: {name} must be {_SHAPE_HINT}; received {name}={shape!r}")
    return out


def serialize_or_none(module, obj):
    """``module.serialize(obj)``, or None for None (initializers, regularizers, constraints)."""
    return None if obj is None else module.serialize(obj)


def _unique(own: list, groups) -> list:
    """``own`` then the variables of ``groups`` not seen yet, in order (linear in their number:
    models with many thousands of weights list them at once)."""
    out = list(own)
    seen = {id(v) for v in out}
    for group in groups:
        for v in group:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def _as_text(inputs):
    """``inputs`` as an array when they are strings (a list holding a str or bytes, or a str,
    bytes or object array), else None."""
    if isinstance(inputs, (list, tuple)):
        if not any(isinstance(t, (str, bytes)) for t in inputs):
            return None
        array = numpy.empty(len(inputs), dtype=object)
        array[:] = list(inputs)
        return array
    kind = getattr(getattr(inputs, "dtype", None), "kind", None)
    return inputs if kind in ("U", "S", "O") and not isinstance(inputs, Tensor) else None


def _is_shape_list(shape) -> bool:
    return isinstance(shape, list) and all(isinstance(s, (tuple, list)) for s in shape)


def _with_batch_none(shape):
    if type(shape) is tuple:  # one input: the common case, decided at once
        return (None, *shape[1:]) if shape else shape
    if _is_shape_list(shape):
        return [(None, *s[1:]) for s in shape]
    return (None, *shape[1:]) if len(shape) else shape


def _restore_batch(shape, input_shape):
    first = input_shape[0] if input_shape else None
    batch = first[0] if _is_shape_list(input_shape) else first
    return (batch, *shape[1:]) if len(shape) else tuple(shape)


class _Calls:
    """How deep the current layer calls are nested, and how many outermost calls began
    (losses added with ``add_loss`` belong to one of them)."""

    depth = 0
    number = 0


calls = _Calls()

_TRAINING_CACHE: dict = {}
_UNKNOWN = object()


def _training_position(cls):
    """Where ``training`` sits among ``call``'s arguments after ``inputs`` (None: absent;
    a large number when it is keyword-only)."""
    if cls not in _TRAINING_CACHE:
        params = list(inspect.signature(cls.call).parameters.values())[2:]  # self, inputs
        names = [p.name for p in params]
        position = None
        if "training" in names:
            i = names.index("training")
            position = i if params[i].kind == params[i].POSITIONAL_OR_KEYWORD else 10 ** 6
        _TRAINING_CACHE[cls] = position
    return _TRAINING_CACHE[cls]
