"""Saving and loading models (zip of JSON + .npz, no pickle) and the custom-object registry."""

from lamina.saving.registry import custom_object_scope, get_registered, register_serializable

__all__ = ["custom_object_scope", "get_registered", "get_registered_object", "load_model",
           "register_keras_serializable", "register_serializable", "save_model"]


# ``keras.saving`` as a Keras program calls it (the file formats live in lamina.saving.api).
def register_keras_serializable(package="Custom", name=None):
    """Class decorator: saved configs name the class ``package>name`` and load it back."""
    return register_serializable(package, name)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class registered (or passed in ``custom_objects`` / ``module_objects``) as ``name``."""
    for table in (custom_objects, module_objects):
        if table and name in table:
            return table[name]
    return get_registered(name)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model written by ``save_model``. lamina never runs code from a file, whatever
    ``safe_mode`` says: a class must be registered or passed in ``custom_objects``."""
    from lamina.saving import api  # noqa: PLC0415  (api imports the models)

    return api.load_model(filepath, custom_objects=custom_objects, compile=compile)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save ``model`` (architecture, weights, compile and optimizer state) to ``filepath``;
    ``include_optimizer=False`` leaves the optimizer state out."""
    from lamina.saving import api  # noqa: PLC0415

    include_optimizer = kwargs.pop("include_optimizer", True)
    if kwargs:
        raise TypeError(f"save_model: unexpected arguments {sorted(kwargs)}")
    if zipped is False:
        raise ValueError("save_model: lamina writes its archives zipped; received zipped=False")
    return api.save_model(model, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer)
