"""Models to and from Keras's architecture config (``config.json`` of a ``.keras`` archive,
``model_config`` of an ``.h5``).

Written: Keras 3's form (``Sequential``, or ``Functional`` with each layer's
``inbound_nodes`` as ``__keras_tensor__`` references), layers in Keras's order (see
:mod:`lamina.saving.keras_graph`). Read: that form and Keras 2's (``inbound_nodes`` as
``[[name, node_index, tensor_index, kwargs], ...]``). Layers come from
:mod:`lamina.saving.keras_layers`; models inside models are followed to any depth.
"""

from __future__ import annotations

from lamina.saving import keras_layers as kl

MODEL_CLASSES = {"Sequential", "Functional", "Model"}
_INPUT_CONFIG = {"sparse": False, "ragged": False, "optional": False}


# ------------------------------------------------------------------------ writing
def to_keras(layer, input_shape=None) -> dict:
    """A layer or a model as a Keras 3 entry (``module``, ``class_name``, ``config``...)."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if type(layer) is Sequential:
        return _sequential_to_keras(layer)
    if type(layer) is Functional:
        return _functional_to_keras(layer)
    if _is_subclassed_model(layer):
        raise ValueError(f"save: model '{layer.name}' is a subclass of Model; Keras files hold "
                         "Sequential and functional models (and layers registered with "
                         "register_serializable)")
    return kl.layer_to_keras(layer, input_shape)


def _is_subclassed_model(layer) -> bool:
    from lamina.models.model import Model

    return isinstance(layer, Model) and not getattr(type(layer), "_registered_name", None)


def _input_entry(name, batch_shape, dtype) -> dict:
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": kl.json_shape(batch_shape), "dtype": dtype,
                       **_INPUT_CONFIG, "name": name},
            "registered_name": None}


def _sequential_to_keras(model) -> dict:
    from lamina.saving import keras_objects as ko

    shape = model._input_shape
    layers = []
    if shape is not None:
        layers.append(_input_entry("input_layer", shape, model.dtype))
    for layer in model.layers:
        layers.append(to_keras(layer, shape))
        shape = tuple(layer.compute_output_shape(shape)) if shape is not None else None
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": ko.dtype_to_keras(model.dtype), "layers": layers}
    if model._input_shape is not None:
        config["build_input_shape"] = kl.json_shape(model._input_shape)
    entry = {"module": "keras", "class_name": "Sequential", "config": config,
             "registered_name": None}
    if model._input_shape is not None:
        entry["build_config"] = {"input_shape": kl.json_shape(model._input_shape)}
    return entry


def _functional_to_keras(model) -> dict:
    from lamina.layers.input_layer import InputLayer
    from lamina.saving.keras_graph import keras_layer_order, model_nodes, node_indices

    index = node_indices(model)
    nodes = model_nodes(model)

    def tensor(t) -> dict:
        return {"class_name": "__keras_tensor__",
                "config": {"shape": kl.json_shape(t.shape), "dtype": t.dtype,
                           "keras_history": [t.node.layer.name, index[id(t.node)],
                                             getattr(t, "index", 0)]}}

    def ref(t) -> list:  # Keras counts a nested functional model's own node here
        return [t.node.layer.name, index[id(t.node)] + _own_node(t.node.layer),
                getattr(t, "index", 0)]

    layers = []
    for layer in keras_layer_order(model):
        if isinstance(layer, InputLayer):
            entry = _input_entry(layer.name, (layer.batch_size, *layer.input_shape_),
                                 layer.dtype)
            entry.update(name=layer.name, inbound_nodes=[])
            layers.append(entry)
            continue
        calls = sorted((n for n in nodes if n.layer is layer), key=lambda n: index[id(n)])
        shapes = [p.shape for p in calls[0].parents]
        entry = to_keras(layer, shapes if isinstance(calls[0].inputs, list) else shapes[0])
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": [[tensor(p) for p in n.parents] if isinstance(n.inputs, list)
                      else tensor(n.parents[0])],
             "kwargs": dict(getattr(n, "kwargs", None) or {})}
            for n in calls]
        layers.append(entry)

    def refs(tensors, keys, as_list):
        if keys:
            return dict(zip(keys, map(ref, tensors)))
        return [ref(t) for t in tensors] if as_list or len(tensors) > 1 else ref(tensors[0])

    config = {"name": model.name, "trainable": model.trainable, "layers": layers,
              "input_layers": refs(model.inputs, model._input_keys, model._list_input),
              "output_layers": refs(model.outputs, model._output_keys,
                                    model._output_kind == "list")}
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": config, "registered_name": "Functional",
            "build_config": {"input_shape": None}}


def _own_node(layer) -> int:
    """1 for a functional model: Keras counts the node linking its own inputs to its
    outputs before its calls in a model's ``input_layers``/``output_layers`` (not in
    ``inbound_nodes``)."""
    from lamina.models.functional import Functional

    return int(isinstance(layer, Functional))


# ------------------------------------------------------------------------ reading
def from_keras(entry, where: str):
    """A new lamina layer or model from a Keras entry (Keras 3 or Keras 2 form)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise ValueError(f"{where}: expected a layer or model config (a dict with "
                         f"'class_name' and 'config'); found {str(entry)[:120]}")
    name = entry.get("class_name")
    config = entry["config"]
    if name == "Sequential":
        return _sequential_from_keras(config, where)
    if name in ("Functional", "Model") and "layers" in config:
        return _functional_from_keras(config, where)
    return kl.layer_from_keras(entry, where)


def _list(config, key, where):
    value = config.get(key)
    if not isinstance(value, list):
        raise ValueError(f"{where}: the model config's {key!r} must be a list; found "
                         f"{type(value).__name__}")
    return value


def _input_shape(entry: dict, where: str):
    config = entry["config"]
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if not isinstance(shape, list) or not all(s is None or isinstance(s, int) and s >= 0
                                              for s in shape):
        raise ValueError(f"{where}: input layer {config.get('name')!r} has an invalid batch "
                         f"shape {shape!r}")
    return tuple(shape)


def _sequential_from_keras(config: dict, where: str):
    from lamina.models.sequential import Sequential

    shape = config.get("build_input_shape")
    layers = []
    for entry in _list(config, "layers", where):
        if isinstance(entry, dict) and entry.get("class_name") == "InputLayer" \
                and isinstance(entry.get("config"), dict):
            shape = _input_shape(entry, where)
            continue
        layers.append(from_keras(entry, where))
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    if isinstance(shape, (list, tuple)):
        model._input_shape = tuple(shape)
    for layer in layers:
        model.add(layer)
    return model


def _tensor_ref(value):
    """``(layer name, node index, tensor index)`` if ``value`` is a Keras tensor reference."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        value = (value.get("config") or {}).get("keras_history")
    if isinstance(value, (list, tuple)) and len(value) >= 3 and isinstance(value[0], str) \
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3]):
        return value[0], value[1], value[2]
    return None


class _NotReady(Exception):
    pass


def _resolve(value, outputs: dict, where: str):
    """``value`` with every tensor reference replaced by its tensor (``_NotReady`` if one
    is not computed yet)."""
    ref = _tensor_ref(value) if isinstance(value, dict) else None
    if ref is not None:
        name, node, index = ref
        if (name, node) not in outputs:
            raise _NotReady
        return _pick(outputs[(name, node)], index, name, where)
    if isinstance(value, list):
        return [_resolve(v, outputs, where) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, outputs, where) for k, v in value.items()}
    return value


def _pick(result, index: int, name: str, where: str):
    """Output ``index`` of a call's result (one tensor, or a list or dict of them)."""
    from lamina.layers.input_layer import flatten_outputs

    flat = flatten_outputs(result)
    if not 0 <= index < len(flat):
        raise ValueError(f"{where}: the config uses output {index} of layer {name!r}, which "
                         f"has {len(flat)}")
    return flat[index]


def _call_args(data, outputs: dict, where: str):
    """``(args, kwargs)`` of one inbound node, Keras 3's form or Keras 2's."""
    if isinstance(data, dict):
        args = _resolve(list(data.get("args") or []), outputs, where)
        kwargs = _resolve(dict(data.get("kwargs") or {}), outputs, where)
        # training comes from the model's call, as in Keras (its files record
        # training=True for augmentation layers); an absent mask is no argument
        kwargs = {k: v for k, v in kwargs.items()
                  if k != "training" and not (k == "mask" and v is None)}
        return args, kwargs
    if isinstance(data, list) and all(_tensor_ref(r) for r in data) and data:
        tensors = [_resolve({"class_name": "__keras_tensor__",
                             "config": {"keras_history": list(r[:3])}}, outputs, where)
                   for r in data]
        kwargs = data[0][3] if len(data[0]) > 3 and isinstance(data[0][3], dict) else {}
        return [tensors if len(tensors) > 1 else tensors[0]], dict(kwargs)
    raise ValueError(f"{where}: an inbound node is neither Keras 3's {{'args', 'kwargs'}} nor "
                     f"Keras 2's list of [layer, node, tensor, kwargs]: {str(data)[:120]}")


def _structure(value, outputs: dict, layers: dict, where: str):
    """Model inputs/outputs: one reference, a list of them or a dict of them."""
    if _tensor_ref(value):
        return _lookup(value, outputs, layers, where)
    if isinstance(value, dict):
        return {k: _lookup(v, outputs, layers, where) for k, v in value.items()}
    if isinstance(value, list) and value:
        return [_lookup(v, outputs, layers, where) for v in value]
    raise ValueError(f"{where}: invalid model inputs/outputs {str(value)[:120]}")


def _lookup(ref, outputs, layers, where):
    found = _tensor_ref(ref)
    key = None if found is None else \
        (found[0], found[1] - _own_node(layers.get(found[0])))
    if key not in outputs:
        raise ValueError(f"{where}: the model config refers to {str(ref)[:80]}, which no "
                         "layer of the config produces")
    return _pick(outputs[key], found[2], found[0], where)


def _functional_from_keras(config: dict, where: str):
    from lamina.layers.input_layer import Input
    from lamina.models.functional import Functional

    outputs, pending, layers = {}, [], {}
    for entry in _list(config, "layers", where):
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            raise ValueError(f"{where}: a layer entry is not a config dict")
        name = entry.get("name", entry["config"].get("name"))
        if not isinstance(name, str) or name in layers:
            raise ValueError(f"{where}: layer name {name!r} is missing or used twice")
        layers[name] = None
        if entry.get("class_name") == "InputLayer":
            dtype = entry["config"].get("dtype")
            outputs[(name, 0)] = Input(batch_shape=_input_shape(entry, where), name=name,
                                       dtype=dtype if isinstance(dtype, str) else None)
            continue
        layer = layers[name] = from_keras(entry, where)
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise ValueError(f"{where}: inbound_nodes of layer {name!r} must be a list")
        pending.append([name, layer, list(nodes), 0])
    while pending:
        progress = False
        for item in pending:
            name, layer, nodes, done = item
            while nodes:
                try:
                    args, kwargs = _call_args(nodes[0], outputs, where)
                except _NotReady:
                    break
                outputs[(name, done)] = layer(*args, **kwargs)
                nodes.pop(0)
                done = item[3] = done + 1
                progress = True
        pending = [item for item in pending if item[2]]
        if pending and not progress:
            raise ValueError(f"{where}: the inputs of layer {pending[0][0]!r} are never "
                             "produced by the model config (a broken or cyclic graph)")
    return Functional(_structure(config.get("input_layers"), outputs, layers, where),
                      _structure(config.get("output_layers"), outputs, layers, where),
                      name=config.get("name"), trainable=config.get("trainable", True))
