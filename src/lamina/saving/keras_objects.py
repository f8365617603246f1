"""The small objects inside Keras configs (dtype policies, initializers, regularizers,
constraints, optimizers, schedules, losses), to and from lamina's.

Keras 3 writes an object as ``{"module", "class_name", "config", "registered_name"}``;
lamina's configs hold ``{"class_name", "config"}``. Keras 2 files hold the lamina form.
The kind of an object comes from its ``module``, else from the key that holds it
(``kernel_initializer``, ``bias_regularizer``...), so a layer written by Keras with an
object lamina does not know is refused by name instead of being guessed.

Arguments: Keras has arguments lamina does not (``quantization_config``, ``renorm``,
``use_ema``...). Such an argument is dropped when it holds Keras's neutral value (the
one that makes the layer compute what lamina computes, listed in :data:`NEUTRAL`) and
refused, naming the layer and the argument, otherwise: a file never loads into a model
that computes something else than the model that wrote it.
"""

from __future__ import annotations

import inspect

# Keras's value for each argument lamina lacks, with which lamina computes the same thing
NEUTRAL = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None,
    "activity_regularizer": None, "renorm": False, "renorm_clipping": None,
    "renorm_momentum": 0.99, "synchronized": False, "sparse": False, "ragged": False,
    "optional": False, "data_format": "channels_last", "input_axes": None,
    "output_axes": None, "use_ema": False,
    "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None, "autocast": True, "shared_object_id": ...,
    "seed_generator_state": ..., "build_config": ..., "compile_config": ...,
}
# Keras 3's modules of the object kinds lamina reads and writes
MODULES = {
    "initializer": "keras.initializers", "regularizer": "keras.regularizers",
    "constraint": "keras.constraints", "optimizer": "keras.optimizers",
    "schedule": "keras.optimizers.schedules", "loss": "keras.losses",
    "metric": "keras.metrics",
}
_SUFFIXES = {"_initializer": "initializer", "_regularizer": "regularizer",
             "_constraint": "constraint"}
FLOAT_POLICIES = {"float32", "float64", "float16", "bfloat16"}


def kind_of(key: str, value: dict) -> str | None:
    """The kind of the object ``value`` found under ``key`` (None: not an object lamina
    converts, e.g. a nested layer)."""
    module = value.get("module") or ""
    for kind, mod in MODULES.items():
        if module == mod or module.startswith(mod + "."):
            return "schedule" if module.startswith(MODULES["schedule"]) else kind
    if module.startswith("keras.src.backend.") and ".optimizers." in module:
        return "optimizer"  # Keras 3 writes the backend's optimizer module
    if key == "learning_rate":
        return "schedule"
    if key in ("optimizer", "loss"):
        return key
    for suffix, kind in _SUFFIXES.items():
        if key.endswith(suffix):
            return kind
    return None


def _registry(kind: str):
    from lamina import constraints, initializers, losses, metrics, optimizers, regularizers
    from lamina.optimizers import schedules

    return {"initializer": initializers._REGISTRY, "regularizer": regularizers._REGISTRY,
            "constraint": constraints._REGISTRY, "optimizer": optimizers._REGISTRY,
            "schedule": schedules._REGISTRY, "metric": getattr(metrics, "_REGISTRY", None),
            "loss": getattr(losses, "_REGISTRY", None)}[kind]


def _find_class(kind: str, name: str, where: str):
    registry = _registry(kind)
    if registry is None:
        return None
    try:
        return registry.find(name)
    except (ValueError, TypeError):
        raise ValueError(f"{where}: {kind} {name!r} is not one lamina has; register a "
                         "class of that name with @lamina.saving.register_serializable() "
                         "to load it") from None


def accepted_args(cls) -> set | None:
    """The keyword arguments ``cls(**config)`` accepts, following ``**kwargs`` up the
    class's bases (lamina's ``Layer`` takes no others). None: it takes any."""
    from lamina.layers.layer import Layer

    names: set = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        try:
            params = inspect.signature(klass.__init__).parameters.values()
        except (TypeError, ValueError):  # pragma: no cover - C classes
            return None
        names |= {p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
        if not any(p.kind == p.VAR_KEYWORD for p in params) or klass is Layer:
            return names - {"self"}
    return None


def clean_args(cls, config: dict, where: str, what: str) -> dict:
    """``config`` without the Keras arguments ``cls`` lacks that hold their neutral value;
    a ValueError naming ``what`` and the argument for any other one."""
    accepted = accepted_args(cls)
    out = {}
    for key, value in config.items():
        if accepted is None or key in accepted:
            out[key] = value
        elif key in NEUTRAL and (NEUTRAL[key] is ... or _same(value, NEUTRAL[key])):
            continue
        else:
            raise ValueError(f"{where}: {what} has the Keras argument {key}={value!r}, "
                             "which lamina does not support; the model would compute "
                             "something else, so it is not loaded")
    return out


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b or (a is None and b is None)


def dtype_from_keras(value, where: str, what: str):
    """A Keras dtype or dtype policy as lamina's dtype name."""
    if isinstance(value, dict):
        if value.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
            raise ValueError(f"{where}: {what} has dtype policy {value.get('class_name')!r}; "
                             "lamina reads plain float dtype policies only")
        value = (value.get("config") or {}).get("name")
    if value is not None and (not isinstance(value, str) or value not in FLOAT_POLICIES):
        raise ValueError(f"{where}: {what} has dtype {value!r}; lamina computes in "
                         f"{sorted(FLOAT_POLICIES)} (not mixed precision or quantized policies)")
    return value


def dtype_to_keras(name) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}


def object_from_keras(key: str, value, where: str, what: str):
    """A Keras object found under ``key`` in lamina's form (names and None pass through)."""
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    kind = kind_of(key, value)
    if kind is None:
        return value
    name = value.get("registered_name") or value["class_name"]
    if not isinstance(name, str) or not isinstance(value.get("config", {}), (dict, type(None))):
        raise ValueError(f"{where}: {what}: {key} is not a valid {kind} config")
    if name == "function" or value.get("class_name") == "function":
        return value.get("config")  # a loss or activation by function name
    name = name.split(">")[-1] if kind != "loss" else name
    cls = _find_class(kind, name, f"{where}: {what}")
    config = {k: object_from_keras(k, v, where, f"{what}, {key}")
              for k, v in (value.get("config") or {}).items()}
    if cls is not None:
        config = clean_args(cls, config, where, f"{what}, {key} ({value['class_name']})")
    return {"class_name": cls.__name__ if cls is not None else value["class_name"],
            "config": config}


def object_to_keras(key: str, value):
    """A lamina ``{"class_name", "config"}`` object under ``key`` in Keras 3's form."""
    if not isinstance(value, dict) or "class_name" not in value or "module" in value:
        return value
    kind = kind_of(key, value)
    if kind is None:
        return value
    from lamina.saving.registry import get_registered

    name = value["class_name"]
    custom = get_registered(name)
    registered = getattr(custom, "_registered_name", None) if custom is not None else None
    config = {k: object_to_keras(k, v) for k, v in (value.get("config") or {}).items()}
    if kind == "optimizer":
        registered = registered or name
    return {"module": None if registered and kind != "optimizer" else MODULES[kind],
            "class_name": name, "config": config, "registered_name": registered}
