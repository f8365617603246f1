"""Layers to and from ``{"class_name": ..., "config": ...}`` dicts (JSON, never pickle)."""

from __future__ import annotations


def serialize(layer) -> dict:
    name = getattr(type(layer), "_registered_name", None) or type(layer).__name__
    return {"class_name": name, "config": layer.get_config()}


def deserialize(config: dict):
    """A new layer (or model) from a serialized dict; custom classes must be registered."""
    import lamina.layers as layers_module
    import lamina.models as models_module
    from lamina.saving.registry import get_registered

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Not a serialized layer: expected a dict with 'class_name' and "
                         f"'config'; received {str(config)[:200]}")
    name = config["class_name"]
    if not isinstance(name, str) or name.startswith("_"):
        raise ValueError(f"Unknown layer class {name!r}: register custom layers with "
                         "@lamina.saving.register_serializable() before loading")
    cls = (get_registered(name) or getattr(layers_module, name, None)
           or getattr(models_module, name, None))
    if not isinstance(cls, type) or not issubclass(cls, layers_module.Layer):
        raise ValueError(f"Unknown layer class {name!r}: register custom layers with "
                         "@lamina.saving.register_serializable() before loading")
    if cls.call is layers_module.Layer.call or cls in (layers_module.Layer, models_module.Model):
        raise ValueError(f"Layer class {name!r} is an abstract base class, not a layer a "
                         "config can build")
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"The config of layer class {name!r} must be a dict; received "
                         f"{type(inner).__name__}")
    return cls.from_config(dict(inner))
