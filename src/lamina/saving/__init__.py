"""Saving and loading models (zip of JSON + .npz, no pickle) and the custom-object registry."""

from lamina.saving.registry import get_registered, register_serializable

__all__ = ["get_registered", "register_serializable"]
