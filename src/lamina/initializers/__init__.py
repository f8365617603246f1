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

from lamina._registry import Registry
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
from lamina.initializers.sparse import Sparse

__all__ = [
    "Initializer", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform",
    "LecunNormal", "LecunUniform", "Orthogonal", "Sparse", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "Zeros", "Ones", "Constant", "Identity", "compute_fans",
    "get", "serialize", "deserialize",
]

_CLASSES = [Initializer, VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform,
            LecunNormal, LecunUniform, Orthogonal, Sparse, RandomNormal, RandomUniform,
            TruncatedNormal, Zeros, Ones, Constant, Identity]

ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "OrthogonalInitializer": Orthogonal,
    "sparse": Sparse, "SparseInitializer": Sparse,
    "random_normal": RandomNormal, "normal": RandomNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "identity": Identity, "IdentityInitializer": Identity,
})
_REGISTRY = Registry("initializer", Initializer, ALL_OBJECTS, config_error=(
    TypeError, "a dict like {'class_name': 'GlorotUniform', 'config': {}}"))


def serialize(initializer) -> dict:
    """``{"class_name": ..., "config": ...}`` for an initializer instance."""
    return _REGISTRY.serialize(initializer)


def deserialize(config: dict) -> Initializer:
    """Rebuild an initializer from :func:`serialize`'s dict."""
    return _REGISTRY.deserialize(config)


def get(identifier):
    """Resolve ``identifier`` to an initializer.

    Accepts a name (``'glorot_uniform'``, ``'he_normal'``, ``'zeros'``, class names too), an
    :class:`Initializer` instance or class, a config dict, a callable ``(shape, dtype)``,
    or None (returned as None).

    Example:
        >>> get("he_normal")
        HeNormal(seed=None)
    """
    return _REGISTRY.get(identifier)
