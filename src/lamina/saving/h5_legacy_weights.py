"""Weights in Keras's HDF5 layout of full-model ``.h5`` files (Keras 2's, kept by Keras 3
as ``legacy_h5_format``).

Group ``model_weights`` (or the file's root) has the attribute ``layer_names``; each
layer's group has ``weight_names`` and one dataset per weight, trainable weights first.
A list of names over HDF5's 64 KB attribute limit (thousands of weights or layers) is
split as Keras splits it: ``weight_names0``, ``weight_names1``... (:func:`write_names`).
A model inside a model is one layer whose weights are those of all its layers (names
``<model>/<layer>/<weight>``). Layers are listed, and matched, in Keras's ``model.layers``
order (for a functional model, Keras's graph order: :mod:`lamina.saving.keras_graph`), so
a file matches the model whichever library wrote it.
"""

from __future__ import annotations

import numpy

import lamina
from lamina.saving import h5_safety as safe


def model_layers(model) -> list:
    """``model.layers`` in Keras's order (a functional model's ``Input`` layers included)."""
    from lamina.models.functional import Functional

    if isinstance(model, Functional):
        from lamina.saving.keras_graph import keras_layer_order

        return keras_layer_order(model)
    return list(model.layers)


def _ordered(layer, trainable: bool) -> list:
    """The trainable (or the other) weights of ``layer``, nested models in Keras's order
    (a frozen model's weights are all non-trainable, in its layers' order)."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if not isinstance(layer, (Functional, Sequential)):
        return list(layer.trainable_weights if trainable else layer.non_trainable_weights)
    if layer.trainable:
        found = [v for sub in model_layers(layer) for v in _ordered(sub, trainable)]
    else:
        found = [] if trainable else [v for sub in model_layers(layer) for v in sub.weights]
    out, seen = [], set()
    for v in found:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def layer_weights(layer) -> list:
    """A layer's weights as Keras lists them in ``.h5`` files: trainable ones first."""
    return _ordered(layer, True) + _ordered(layer, False)


def _names(layer, weights) -> list:
    own = {id(v) for v in getattr(layer, "_variables", [])}
    names, used = [], set()
    for i, w in enumerate(weights):
        name = w.path if id(w) in own else f"{layer.name}/{w.path}"
        if name in used:
            name = f"{name}_{i}"
        used.add(name)
        names.append(name)
    return names


HDF5_OBJECT_HEADER_LIMIT = 64512  # bytes an attribute may take (Keras's constant)


def write_names(obj, attr: str, names) -> None:
    """Attribute ``attr`` of ``obj``: ``names`` (str) as UTF-8, split into ``attr0``,
    ``attr1``... when one attribute would pass HDF5's limit (Keras's
    ``save_attributes_to_hdf5_group``, which Keras's and lamina's readers undo)."""
    data = numpy.asarray([n.encode("utf8") for n in names], dtype=bytes)
    if data.dtype.itemsize > HDF5_OBJECT_HEADER_LIMIT:
        raise ValueError(f"a name in {attr!r} is longer than the {HDF5_OBJECT_HEADER_LIMIT} "
                         "bytes an HDF5 attribute can hold")
    chunks = 1
    while any(part.nbytes > HDF5_OBJECT_HEADER_LIMIT for part in numpy.array_split(data, chunks)):
        chunks += 1
    if chunks == 1:
        obj.attrs[attr] = data
        return
    for i, part in enumerate(numpy.array_split(data, chunks)):
        obj.attrs[f"{attr}{i}"] = part


def write(group, model) -> None:
    """Write ``model``'s weights into ``group`` (a file's root or ``model_weights``)."""
    layers = model_layers(model)
    write_names(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = b"numpy"
    group.attrs["keras_version"] = f"lamina-{lamina.__version__}".encode()
    for layer in layers:
        g = group.create_group(layer.name)
        weights = layer_weights(layer)
        names = _names(layer, weights)
        write_names(g, "weight_names", names)
        for name, w in zip(names, weights):
            g.create_dataset(name, data=numpy.asarray(w.data))


def stored(group, where: str) -> list:
    """``[(layer name, [dataset, ...]), ...]`` of the layers with weights, every dataset
    checked (inside the file, plain numbers, written) but none of them read."""
    out = []
    for name in safe.names(group, "layer_names", where):
        g = safe.child(group, name, where)
        weight_names = safe.names(g, "weight_names", where)
        if weight_names:
            out.append((name, [safe.check_dataset(safe.child(g, w, where), where)
                               for w in weight_names]))
    return out


def assign(model, found, where, skip_mismatch=False, by_name=False) -> None:
    """Check every stored shape against the model, then read and assign. Layers pair up by
    position among those with weights (Keras's rule), or by name when ``by_name``."""
    layers = [layer for layer in model_layers(model) if layer_weights(layer)]
    if by_name:
        by = {layer.name: layer for layer in layers}
        pairs = [(by.get(name), name, datasets) for name, datasets in found]
        missing = [name for layer, name, _ in pairs if layer is None]
        if missing or len(pairs) != len(layers):
            raise ValueError(f"{where}: the file holds weights for layers "
                             f"{[n for n, _ in found]} but model '{model.name}' has layers "
                             f"with weights {[la.name for la in layers]}")
    else:
        if len(found) != len(layers):
            raise ValueError(f"{where}: the file holds weights for {len(found)} layers "
                             f"({[n for n, _ in found]}) but model '{model.name}' has "
                             f"{len(layers)} layers with weights "
                             f"({[la.name for la in layers]})")
        pairs = [(layer, name, datasets) for layer, (name, datasets) in zip(layers, found)]
    wanted = []
    for layer, name, datasets in pairs:
        weights = layer_weights(layer)
        if len(datasets) != len(weights):
            raise ValueError(f"{where}: layer '{name}' in the file has {len(datasets)} "
                             f"weights; layer '{layer.name}' expects {len(weights)}")
        for var, ds in zip(weights, datasets):
            if tuple(ds.shape) != tuple(var.shape):
                if skip_mismatch:
                    continue
                raise ValueError(f"{where}: weight {var.path!r} has shape {var.shape} but the "
                                 f"file's layer '{name}' gives {tuple(ds.shape)}")
            wanted.append((var, ds))
    for var, ds in wanted:
        safe.read_into(ds, var, where)
