"""Optimizers: update weights in place from their gradients (Keras 3's names and formulas).

Example:
    >>> from lamina import Variable
    >>> from lamina import optimizers
    >>> x = Variable([3.0, -1.0])
    >>> opt = optimizers.get("adam")
    >>> loss = (x * x).sum()
    >>> loss.backward()
    >>> opt.apply_gradients([(x.grad, x)])
    1
    >>> x.data
    array([ 2.999, -0.999], dtype=float32)
"""

from __future__ import annotations

from lamina._registry import Registry
from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.base import Optimizer
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

_OPTIMIZERS = {cls.__name__.lower(): cls for cls in (
    SGD, Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, RMSprop)}
_REGISTRY = Registry("optimizer", Optimizer, _OPTIMIZERS, registered=False,
                     config_error=(ValueError, "a dict with 'class_name' and 'config'"))


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": ..., "config": ...}`` (Keras's form) for :func:`deserialize`."""
    return _REGISTRY.serialize(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """An optimizer from :func:`serialize`'s output; ``class_name`` ignores case."""
    cls, config = _REGISTRY.resolve(config, custom_objects)
    return cls.from_config(config, custom_objects)


def get(identifier) -> Optimizer | None:
    """An optimizer from a name (``'adam'``, ``'SGD'``, ``'rmsprop'``: default arguments), a
    config dict, or an instance (returned as is). None gives None.

    Unknown names raise a ValueError suggesting the closest ("did you mean 'adam'?").
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _REGISTRY.find(identifier)()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}; expected a "
                     f"name such as 'adam', a config dict or an Optimizer")
