"""One layer's config to and from Keras's form, driven by tables, not by layer.

lamina's layers take Keras's argument names, so a layer's ``get_config`` is already
Keras's config, except for the objects inside it (dtype policy, initializers...: see
:mod:`lamina.saving.keras_objects`). A new layer plugs in through its ``get_config`` and
``from_config``; only what differs is listed here:

* :data:`NOT_IN_KERAS`: lamina layers Keras lacks; they are written as custom objects
  (``registered_name: "lamina>LPPooling2D"``), which Keras loads only if given a class
  of that name, and lamina loads as its own.
* :data:`RENAMED`: Keras 2 arguments that Keras 3 (and lamina) call otherwise.
* :data:`KERAS_FORM`: arguments Keras writes in another (equivalent) form.
* :data:`NOT_KERAS_ARGS`: arguments a Keras class does not accept (they change nothing
  it computes), left out of what lamina writes.
* :data:`NO_BUILD_CONFIG`: layers Keras builds in their constructor, written without
  ``build_config`` as Keras writes them.

Nothing in a config is executed: classes are looked up by name among lamina's layers and
the classes registered with ``register_serializable``; a ``Lambda`` holding code
(``__lambda__``) or an unknown class is refused with a message that says how to load it.
"""

from __future__ import annotations

NOT_IN_KERAS = {"LPPooling2D", "L2Pooling2D", "DepthToSpace", "SpaceToDepth"}
RENAMED = {"InputLayer": {"batch_input_shape": "batch_shape", "input_shape": "shape"}}
KERAS_FORM = {("LayerNormalization", "axis"): lambda v: [v] if isinstance(v, int) else v}
NOT_KERAS_ARGS = {"SpatialDropout2D": {"trainable"}}
NO_BUILD_CONFIG = {
    "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Dropout", "GaussianNoise",
    "SpatialDropout2D", "MaxPooling1D", "AveragePooling1D", "MaxPooling2D",
    "AveragePooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Reshape",
}
KERAS_PREFIX = "lamina>"
_CODE_CLASSES = ("__lambda__", "__bytecode__")


def _layers_module():
    import lamina.layers

    return lamina.layers


def layer_class(entry: dict, where: str):
    """The lamina class a Keras layer entry names (registered custom classes first)."""
    from lamina.layers.layer import Layer
    from lamina.saving.registry import get_registered

    name = entry.get("class_name")
    registered = entry.get("registered_name")
    if not isinstance(name, str) or name.startswith("_"):
        raise ValueError(f"{where}: a layer has class name {name!r}; not a layer class")
    cls = None
    if isinstance(registered, str) and registered:
        cls = get_registered(registered)
        if cls is None and registered.startswith(KERAS_PREFIX):
            cls = getattr(_layers_module(), registered[len(KERAS_PREFIX):], None)
    cls = cls or get_registered(name) or getattr(_layers_module(), name, None)
    if not isinstance(cls, type) or not issubclass(cls, Layer) or cls is Layer \
            or cls.call is Layer.call:
        custom = registered or name
        raise ValueError(f"{where}: layer class {custom!r} is not one of lamina's layers. If "
                         "it is your own class, register it with "
                         "@lamina.saving.register_serializable() (or pass custom_objects=) "
                         "before loading; lamina never runs code stored in a file")
    return cls


def _refuse_code(value, where: str, what: str) -> None:
    if isinstance(value, dict):
        if value.get("class_name") in _CODE_CLASSES:
            raise ValueError(f"{where}: {what} holds Python code (a lambda serialized as "
                             "bytecode); lamina never runs code from a file. Rewrite it as "
                             "a named function registered with "
                             "@lamina.saving.register_serializable() and save again")
        for k, v in value.items():
            _refuse_code(v, where, f"{what}, {k}")
    elif isinstance(value, list):
        for v in value:
            _refuse_code(v, where, what)


def config_from_keras(cls, entry: dict, where: str) -> dict:
    """The arguments of ``cls`` that rebuild the layer of a Keras entry."""
    from lamina.saving import keras_objects as ko

    config = entry.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"{where}: the config of layer class {entry.get('class_name')!r} "
                         f"must be a dict; found {type(config).__name__}")
    what = f"layer {config.get('name', '?')!r} ({entry.get('class_name')})"
    _refuse_code(config, where, what)
    renamed = RENAMED.get(cls.__name__, {})
    out = {}
    for key, value in config.items():
        key = renamed.get(key, key)
        if key == "dtype":
            value = ko.dtype_from_keras(value, where, what)
        elif key == "activation" and isinstance(value, dict):
            value = _activation_name(value, where, what)
        else:
            value = ko.object_from_keras(key, value, where, what)
        out[key] = value
    return ko.clean_args(cls, out, where, what)


def _activation_name(value: dict, where: str, what: str) -> str:
    name = value.get("config")
    if value.get("class_name") == "function" and isinstance(name, str):
        return name
    if isinstance(value.get("class_name"), str) and not value.get("config"):
        return value["class_name"]
    raise ValueError(f"{where}: {what} has activation {value!r}; lamina reads activations by "
                     "name (register your own with @lamina.saving.register_serializable())")


def layer_from_keras(entry: dict, where: str):
    """A new lamina layer from a Keras layer entry (not a model: see keras_models)."""
    cls = layer_class(entry, where)
    config = config_from_keras(cls, entry, where)
    try:
        return cls.from_config(config)
    except TypeError as err:
        raise ValueError(f"{where}: layer {config.get('name', '?')!r} "
                         f"({entry.get('class_name')}) cannot be built from its config "
                         f"({err})") from None


def class_entry(layer) -> dict:
    """``module``, ``class_name`` and ``registered_name`` of ``layer`` as Keras 3 writes them."""
    registered = getattr(type(layer), "_registered_name", None)
    name = type(layer).__name__
    if registered:
        return {"module": None, "class_name": name, "registered_name": registered}
    if name in NOT_IN_KERAS:
        return {"module": None, "class_name": name, "registered_name": KERAS_PREFIX + name}
    return {"module": "keras.layers", "class_name": name, "registered_name": None}


def config_to_keras(config: dict, class_name: str = "") -> dict:
    """A lamina ``get_config`` dict in Keras 3's form (objects and dtype policies wrapped)."""
    from lamina.saving import keras_objects as ko

    out = {}
    for key, value in config.items():
        if key in NOT_KERAS_ARGS.get(class_name, ()):
            continue
        if (class_name, key) in KERAS_FORM:
            value = KERAS_FORM[(class_name, key)](value)
        if key == "dtype" and isinstance(value, str):
            value = ko.dtype_to_keras(value)
        elif isinstance(value, tuple):
            value = list(value)
        else:
            value = ko.object_to_keras(key, value)
        out[key] = value
    return out


def layer_to_keras(layer, input_shape=None) -> dict:
    """A plain layer (not a model) as a Keras 3 entry, with its ``build_config``."""
    entry = class_entry(layer)
    entry["config"] = config_to_keras(layer.get_config(), entry["class_name"])
    entry = {"module": entry["module"], "class_name": entry["class_name"],
             "config": entry["config"], "registered_name": entry["registered_name"]}
    if input_shape is not None and entry["class_name"] not in NO_BUILD_CONFIG:
        entry["build_config"] = {"input_shape": json_shape(input_shape)}
    return entry


def json_shape(shape):
    """A shape (or a list of shapes) as JSON lists."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [json_shape(s) for s in shape]
    return [None if s is None else int(s) for s in shape]
