"""Weights in Keras 3's HDF5 layout (``model.weights.h5`` in a ``.keras`` archive, and
``save_weights("x.weights.h5")``).

Keras 3 stores each object's own variables under ``<path>/vars/0``, ``1``... (trainable
ones first, each group in creation order) with the object's name in the ``name``
attribute of ``vars``. Paths follow the model's structure, as ``keras.src.saving.
saving_lib._walk_saveable`` does: the model itself is ``""`` (``/vars``); the layers of a
Sequential or functional model are ``layers/<class in snake_case>``, numbered by class
in ``model.layers`` order (``layers/dense``, ``layers/dense_1``, ``layers/input_layer``);
a model inside a model continues below its own path; a custom layer's sublayers are
found under the attribute that holds them. Paths never depend on the layers' names.

Reading checks, before a byte of data is read, that every dataset is stored inside the
file, holds plain numbers and has exactly the shape of the variable it is for
(:mod:`lamina.saving.h5_safety`), so a file can never allocate more than the model's own
weights.
"""

from __future__ import annotations

import numpy

from lamina.saving import h5_safety as safe

LEGACY_LAYERS = "_layer_checkpoint_dependencies"  # tf.keras 2.13's name for "layers"


def own_variables(layer) -> list:
    """A layer's own variables in Keras's order: trainable ones, then the others."""
    own = list(getattr(layer, "_variables", []))
    return [v for v in own if v._trainable] + [v for v in own if not v._trainable]


def _snake(name: str) -> str:
    from lamina.layers.naming import to_snake_case

    return to_snake_case(name)


def _children(obj) -> list:
    """``[(relative path, child), ...]`` of an object, in Keras's walking order."""
    from lamina.layers.layer import Layer
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if isinstance(obj, Functional):
        from lamina.saving.keras_graph import keras_layer_order

        return _container("layers", keras_layer_order(obj))
    if isinstance(obj, Sequential):
        return _container("layers", obj.layers)
    out = []
    attrs = sorted(vars(obj), key=lambda a: f"~{a}" if a.startswith("_") else a)
    for attr in attrs:
        if attr.startswith("__") or attr in ("_inbound_nodes", "_variables"):
            continue
        value = vars(obj)[attr]
        if isinstance(value, Layer) and value is not obj:
            out.append((attr, value))
        elif isinstance(value, (list, tuple, dict)):
            items = list(value.values()) if isinstance(value, dict) else list(value)
            if any(isinstance(v, Layer) for v in items):
                out.extend(_container(attr, items))
    return out


def _container(prefix: str, items) -> list:
    from lamina.layers.layer import Layer

    used: dict = {}
    out = []
    for item in items:
        if not isinstance(item, Layer):
            continue
        base = _snake(type(item).__name__)
        if base in used:
            used[base] += 1
            name = f"{base}_{used[base]}"
        else:
            used[base] = 0
            name = base
        out.append((f"{prefix}/{name}", item))
    return out


def layout(model) -> list:
    """``[(path, object name, [variables]), ...]`` for every object of ``model``, each
    once (a shared layer is stored where it is first met)."""
    out, seen = [], set()
    stack = [("", model)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        out.append((path, obj.name, own_variables(obj)))
        children = [(f"{path}/{p}" if path else p, c) for p, c in _children(obj)]
        stack.extend(reversed(children))
    return out


def write(h5, model) -> None:
    """Fill an open, empty ``h5py.File`` with ``model``'s weights in Keras 3's layout."""
    for path, name, variables in layout(model):
        group = h5.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = name
        for i, var in enumerate(variables):
            group.create_dataset(str(i), data=numpy.asarray(var.data))


def _vars_group(h5, path: str, where: str):
    """The ``vars`` group of ``path`` (None if the file has none there)."""
    candidates = [path]
    if path.startswith("layers") or "/layers/" in path:
        candidates.append(path.replace("layers", LEGACY_LAYERS))
    for candidate in candidates:
        full = f"{candidate}/vars" if candidate else "vars"
        node = h5
        found = True
        for part in full.split("/"):
            if not safe.has(node, part):
                found = False
                break
            node = safe.child(node, part, where)
        if found:
            return node
    return None


def is_keras3_layout(h5) -> bool:
    """Whether an open ``.h5`` holds weights in Keras 3's layout (not Keras 2's)."""
    return any(safe.has(h5, key) for key in ("vars", "layers", LEGACY_LAYERS)) and not \
        safe.has(h5, "model_weights") and "layer_names" not in h5.attrs


def read(h5, model, where: str, skip_mismatch: bool = False) -> None:
    """Assign the weights of an open Keras 3 layout ``.h5`` to ``model``, every dataset
    checked against its variable first; a clear error for anything missing or extra."""
    wanted = []
    for path, name, variables in layout(model):
        group = _vars_group(h5, path, where)
        label = f"layer '{name}' ({path or 'the model'})"
        if group is None:
            if variables and not skip_mismatch:
                raise ValueError(f"{where}: the file has no weights for {label}, which has "
                                 f"{len(variables)}; it was saved from another architecture")
            continue
        keys = sorted(group.keys(), key=lambda k: (len(k), k))
        if keys != [str(i) for i in range(len(keys))] or len(keys) != len(variables):
            if skip_mismatch:
                continue
            raise ValueError(f"{where}: {label} has {len(variables)} weights but the file "
                             f"holds {len(keys)} for it ({keys[:8]}); it was saved from "
                             "another architecture")
        for i, var in enumerate(variables):
            ds = safe.check_dataset(safe.child(group, str(i), where), where)
            if tuple(ds.shape) != tuple(var.shape):
                if skip_mismatch:
                    continue
                raise ValueError(f"{where}: weight {i} of {label} has shape "
                                 f"{tuple(ds.shape)} in the file but {var.path!r} has shape "
                                 f"{tuple(var.shape)}")
            wanted.append((var, ds))
    for var, ds in wanted:
        safe.read_into(ds, var, where)


OPTIMIZER_SLOTS = 3  # the most slots an optimizer keeps per variable (Adam with amsgrad)


def expected_bytes(model) -> int:
    """The most bytes a Keras 3 weights file of ``model`` can need: its weights, and the
    optimizer's state (up to :data:`OPTIMIZER_SLOTS` slots per trainable weight), float64
    allowed for all, with room for HDF5's headers."""
    total = 1 << 20
    for _, _, variables in layout(model):
        total += 16 * 1024
        for v in variables:
            total += int(numpy.prod(v.shape, dtype=numpy.int64)) * 8 + 16 * 1024
    for v in model.trainable_weights:
        total += OPTIMIZER_SLOTS * (int(numpy.prod(v.shape, dtype=numpy.int64)) * 8 + 16 * 1024)
    return total
