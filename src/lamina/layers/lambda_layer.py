"""``Lambda``: a function of tensors as a layer, saved by the *name* of the function.

Keras saves a Python lambda as its bytecode and, in ``safe_mode``, refuses to load it.
lamina never writes nor runs code from a file: a ``Lambda`` layer is saved with the name
under which its function was registered (``@lamina.saving.register_keras_serializable()``
or ``register_serializable``), in Keras 3's format (``{"class_name": "function",
"config": "package>name", ...}``), and loading looks that name up in the registry. A
function that is not registered (a ``lambda``, or a plain ``def``) can be used and saved,
but loading the file raises an error that says how to register it.
"""

from __future__ import annotations

import inspect
import warnings

from lamina.layers.layer import Layer


def _serialize_function(fn, what: str, where: str):
    """Keras 3's dict for a function: by registered name, or by plain name (loadable once
    registered); a lambda is written without its code."""
    if getattr(fn, "__name__", None) == "<lambda>":
        warnings.warn(f"{where}: the {what} is a Python lambda; lamina saves functions by "
                      "name only, so the saved model cannot be loaded. Use a def registered "
                      "with @lamina.saving.register_keras_serializable()", stacklevel=4)
        return {"class_name": "__lambda__", "config": {"code": None, "defaults": None,
                                                       "closure": None}}
    name = getattr(fn, "_registered_name", None) or getattr(fn, "__name__", None)
    if name is None:
        raise ValueError(f"{where}: the {what} must be a function; received {fn!r}")
    return {"module": getattr(fn, "__module__", "builtins"), "class_name": "function",
            "config": name, "registered_name": "function"}


def deserialize_function(config, what: str, where: str):
    """The registered function a config names; never code from the file."""
    from lamina.saving.registry import get_registered

    if callable(config):
        return config
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        raise ValueError(
            f"{where}: the saved {what} is a Python lambda stored as code. lamina never runs "
            "code from a file (as Keras's safe_mode refuses it): define the function with "
            "def, register it with @lamina.saving.register_keras_serializable(), and "
            "rebuild the layer with it")
    name = config.get("config") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError(f"{where}: expected the {what} as a registered function's name; "
                         f"received {str(config)[:200]}")
    fn = get_registered(name)
    if fn is None and ">" not in name:
        fn = get_registered(f"Custom>{name}")
    if fn is None or not callable(fn) or isinstance(fn, type):
        raise ValueError(
            f"{where}: the {what} {name!r} is not registered. lamina loads functions only by "
            "registered name, never as code: decorate it with "
            "@lamina.saving.register_keras_serializable() (or pass it in custom_objects / a "
            "custom_object_scope) before loading")
    return fn


class Lambda(Layer):
    """Wrap a function of tensors as a layer: ``Lambda(lambda x: x ** 2)``.

    Args:
        function: called as ``function(inputs, **arguments)`` (with ``training=`` too, if
            it takes that argument); build it from lamina ops.
        output_shape: the output shape without the batch axis, or a function of the
            input shape; by default found by running the function.
        mask: accepted for Keras compatibility; must be None (lamina has no masks).
        arguments: keyword arguments passed to ``function``.

    Saving: see the module. Example:
        >>> square = Lambda(lambda x: x * x)
        >>> square(np.array([[3.0]], "float32")).data
        array([[9.]], dtype=float32)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        where = f"Lambda '{self.name}'"
        self.function = deserialize_function(function, "function", where)
        if output_shape is not None and not callable(output_shape):
            if isinstance(output_shape, dict):
                output_shape = deserialize_function(output_shape, "output_shape", where)
            else:
                output_shape = tuple(output_shape)
        self._shape_arg = output_shape
        if mask is not None:
            raise ValueError(f"{where}: lamina has no masks; received mask={mask!r} "
                             "(expected None)")
        self.mask = None
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(f"{where}: `arguments` must be a dict of keyword arguments for "
                             f"the function; received arguments={arguments!r}")
        self.arguments = dict(arguments or {})
        try:
            self._takes_training = "training" in inspect.signature(self.function).parameters
        except (TypeError, ValueError):
            self._takes_training = False

    def call(self, inputs, training=None):
        kwargs = dict(self.arguments)
        if self._takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._shape_arg is None:
            return super().compute_output_shape(input_shape)
        if callable(self._shape_arg):
            return tuple(self._shape_arg(input_shape))
        first = input_shape[0] if input_shape else None
        batch = first[0] if isinstance(first, (tuple, list)) else first
        return (batch, *self._shape_arg)

    def get_config(self):
        where = f"Lambda '{self.name}'"
        config = {**super().get_config(),
                  "function": _serialize_function(self.function, "function", where),
                  "arguments": dict(self.arguments)}
        if self._shape_arg is not None:
            config["output_shape"] = (
                _serialize_function(self._shape_arg, "output_shape", where)
                if callable(self._shape_arg) else list(self._shape_arg))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("mask") is None:
            config.pop("mask", None)
        return cls(**config)
