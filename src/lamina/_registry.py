"""Keras's ``get`` / ``serialize`` / ``deserialize`` for one kind of object, by name.

Initializers, regularizers, constraints, metrics, optimizers and learning-rate schedules
each keep a :class:`Registry` of their classes; their module-level ``get``, ``serialize``
and ``deserialize`` call it. Names match ignoring case and underscores, and an unknown
name raises a ValueError that suggests the closest one (see :mod:`lamina._lookup`)::

    >>> from lamina import regularizers
    >>> regularizers.serialize(regularizers.get("l2"))
    {'class_name': 'L2', 'config': {'l2': 0.01}}
"""

from __future__ import annotations

from lamina._lookup import lookup
from lamina.saving.registry import get_registered


class Configurable:
    """Keras's config protocol: ``get_config()`` gives the constructor's arguments (none
    here), ``from_config(config)`` rebuilds with ``cls(**config)``, and the repr shows them."""

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'AEIOU' else 'a'} {noun}"


class Registry:
    """The classes of one kind of object, by name.

    Args:
        kind: what the objects are, for messages (``"initializer"``).
        base: their base class; ``serialize`` accepts its instances only.
        objects: every accepted name (class names and snake_case aliases) -> class. An
            unknown name's message lists and suggests the snake_case names (the ones users
            type), or every name when there are none.
        config_error: ``(exception class, expected form)``: what ``deserialize`` raises when
            given something other than a dict with a ``class_name``.
        registered: also accept classes registered with ``register_serializable``.
        from_callable: what ``get`` makes of a callable that is not a ``base`` (default: the
            callable itself), and ``callable_text`` how its message calls one.
    """

    def __init__(self, kind, base, objects, *, config_error, registered=True,
                 from_callable=None, callable_text="a callable"):
        self.kind = kind
        self.base = base
        self.objects = objects
        self.suggest = {k: v for k, v in objects.items() if k[0].islower()} or objects
        self.registered = registered
        self.config_error = config_error
        self.from_callable = from_callable
        self.callable_text = callable_text

    def find(self, name: str, custom_objects: dict | None = None):
        """The class called ``name``: from ``custom_objects`` (exact name), ``objects``, then
        the registered classes; otherwise a ValueError listing the ``suggest`` names."""
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        try:
            return lookup(self.objects, name, self.kind)
        except ValueError:
            if not self.registered:
                raise
        custom = get_registered(name)  # classes registered with register_serializable
        if custom is not None:
            return custom
        return lookup(self.suggest, name, self.kind)  # raises, listing the suggested names

    def serialize(self, obj) -> dict:
        """``{"class_name": ..., "config": ...}`` (Keras's form) for an instance of ``base``."""
        if not isinstance(obj, self.base):
            raise TypeError(f"serialize: expected {_a(self.base.__name__)}; received {obj!r}")
        return {"class_name": type(obj).__name__, "config": obj.get_config()}

    def resolve(self, config, custom_objects: dict | None = None):
        """``(class, config)`` from :meth:`serialize`'s dict, for ``class.from_config``."""
        if not isinstance(config, dict) or "class_name" not in config:
            error, expected = self.config_error
            raise error(f"deserialize: expected {expected}; received {config!r}")
        cls = self.find(config["class_name"], custom_objects)
        return cls, dict(config.get("config") or {})

    def deserialize(self, config):
        """The object :meth:`serialize`'s dict describes."""
        cls, config = self.resolve(config)
        return cls.from_config(config)

    def get(self, identifier):
        """An object from a name or a class (made with default arguments), a config dict, an
        instance (returned as is), a callable (see ``from_callable``), or None (gives None)."""
        if identifier is None or isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            return self.find(identifier)()
        if isinstance(identifier, type) and issubclass(identifier, self.base):
            return identifier()
        if callable(identifier):
            return identifier if self.from_callable is None else self.from_callable(identifier)
        raise TypeError(
            f"{self.kind}s.get: expected a name, {_a(self.base.__name__)}, a config dict or "
            f"{self.callable_text}; received {identifier!r}"
        )
