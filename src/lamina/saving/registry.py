"""Custom classes (layers, losses, metrics...) register here so saved configs can name them."""

from __future__ import annotations

_REGISTRY: dict[str, type] = {}


def register_serializable(package: str = "Custom", name: str | None = None):
    """Class decorator: make a custom class loadable from a saved config.

    >>> @register_serializable()
    ... class MyLayer: ...
    """

    def decorator(cls):
        key = name or cls.__name__
        _REGISTRY[key] = cls
        _REGISTRY[f"{package}>{key}"] = cls
        cls._registered_name = f"{package}>{key}"
        return cls

    return decorator


def get_registered(name: str | None):
    """The registered class for ``name`` (``'MyLayer'`` or ``'package>MyLayer'``), else None."""
    return _REGISTRY.get(name) if name else None


class custom_object_scope:  # noqa: N801 - Keras's name
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes classes loadable meanwhile."""

    def __init__(self, custom_objects: dict):
        self.objects = dict(custom_objects)
        self.saved: dict = {}

    def __enter__(self):
        for name, obj in self.objects.items():
            self.saved[name] = _REGISTRY.get(name)
            _REGISTRY[name] = obj
        return self

    def __exit__(self, *exc):
        for name, previous in self.saved.items():
            if previous is None:
                _REGISTRY.pop(name, None)
            else:
                _REGISTRY[name] = previous
        return False
