"""Activation functions by name, as ``keras.activations`` (each one an engine op)."""

from __future__ import annotations

from lamina.autograd.ops.activation import (
    ACTIVATIONS,
    elu,
    gelu,
    hard_sigmoid,
    heaviside,
    identity,
    leaky_relu,
    log_softmax,
    relu,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    swish,
    tanh,
)
from lamina.autograd.ops.activation import get as _get

linear = identity

__all__ = ["elu", "gelu", "get", "hard_sigmoid", "heaviside", "identity", "leaky_relu", "linear",
           "log_softmax", "relu", "selu", "serialize", "sigmoid", "silu", "softmax", "softplus",
           "swish", "tanh"]


def get(identifier):
    """A function from a name (``'relu'``), a callable, or None (``linear``)."""
    return _get(identifier)


def serialize(fn) -> str:
    """The name under which ``fn`` can be found again by :func:`get`."""
    if fn is identity or fn is None:
        return "linear"
    for name, candidate in ACTIVATIONS.items():
        if candidate is fn:
            return name
    registered = getattr(fn, "_registered_name", None)
    if registered:
        return registered
    raise ValueError(f"Cannot serialize activation {fn!r}: use a built-in name or register it "
                     "with @lamina.saving.register_serializable()")
