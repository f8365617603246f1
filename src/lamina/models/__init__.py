"""Models: ``Sequential``, functional ``Model(inputs, outputs)``, subclassed ``Model``."""

from lamina.models.functional import Functional
from lamina.models.model import Model
from lamina.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    """Load a model saved with ``model.save`` (``.lamina`` zip or ``.h5``)."""
    from lamina.saving import api

    return api.load_model(filepath, custom_objects=custom_objects, compile=compile)


__all__ = ["Functional", "Model", "Sequential", "load_model"]
