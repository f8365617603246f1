"""Initializers: the starting values of weights, with Keras 3's names and defaults.

An initializer is called with a shape and returns a NumPy array in ``floatx()``
(float32) unless ``dtype`` is given::

    >>> from lamina import initializers
    >>> w = initializers.get("glorot_uniform")((784, 128))
    >>> w.shape, w.dtype
    ((784, 128), dtype('float32'))

Randomness is explicit. ``seed`` is an int (the same array on every call, as in
Keras 3), a ``numpy.random.Generator`` (draws advance it), or ``None`` (a fresh
draw from lamina's global generator: ``lamina.random.set_random_seed`` makes it repeat).

Fans (used by the Glorot / He / LeCun family) follow Keras: a dense kernel
``(in, out)`` has ``fan_in=in, fan_out=out``; a conv kernel ``(kh, kw, in, out)``
has ``fan_in = kh*kw*in`` and ``fan_out = kh*kw*out``.
"""


from __future__ import annotations

from lamina._lookup import lookup
from lamina.initializers.base import Initializer, compute_fans
from lamina.initializers.constant import Constant, Identity, Ones, Zeros
from lamina.initializers.random import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)
from lamina.saving.registry import get_registered

__all__ = [
    "Initializer", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform",
    "LecunNormal", "LecunUniform", "Orthogonal", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "Zeros", "Ones", "Constant", "Identity", "compute_fans",
    "get", "serialize", "deserialize",
]

_CLASSES = [Initializer, VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform,
            LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
            Zeros, Ones, Constant, Identity]

ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "OrthogonalInitializer": Orthogonal,
    "random_normal": RandomNormal, "normal": RandomNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "identity": Identity, "IdentityInitializer": Identity,
})
# names offered in "did you mean": the snake_case ones users type
_NAMES = {k: v for k, v in ALL_OBJECTS.items() if k[0].islower()}


def _by_name(name: str):
    try:
        return lookup(ALL_OBJECTS, name, "initializer")
    except ValueError:
        pass
    custom = get_registered(name)  # classes registered with register_serializable
    if custom is not None:
        return custom
    return lookup(_NAMES, name, "initializer")  # raises, listing the snake_case names


def serialize(initializer) -> dict:
    """``{"class_name": ..., "config": ...}`` for an initializer instance."""
    if not isinstance(initializer, Initializer):
        raise TypeError(
            f"serialize: expected an Initializer; received {initializer!r}"
        )
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config: dict) -> Initializer:
    """Rebuild an initializer from :func:`serialize`'s dict."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            "deserialize: expected a dict like {'class_name': 'GlorotUniform', 'config': {}}; "
            f"received {config!r}"
        )
    cls = _by_name(config["class_name"])
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """Resolve ``identifier`` to an initializer.

    Accepts a name (``'glorot_uniform'``, ``'he_normal'``, ``'zeros'``, class names too), an
    :class:`Initializer` instance or class, a config dict, a callable ``(shape, dtype)``,
    or None (returned as None).

    Example:
        >>> get("he_normal")
        HeNormal(seed=None)
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _by_name(identifier)()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        "initializers.get: expected a name, an Initializer, a config dict or a callable; "
        f"received {identifier!r}"
    )
