"""``.h5`` files in Keras's HDF5 layout (through h5py, extra ``interop``).

Layout, as Keras writes it (``keras.src.legacy.saving.legacy_h5_format``):

* root attributes ``model_config`` and ``training_config`` (JSON), ``keras_version``,
  ``backend``;
* group ``model_weights`` with attribute ``layer_names``; one group per layer with
  attribute ``weight_names`` and one dataset per weight, in the order trainable
  weights then non-trainable weights;
* group ``optimizer_weights`` with the optimizer state.

Weights are matched to layers by order, as Keras does, so the weights of a Keras
``.h5`` of the same architecture load into a lamina model with ``load_weights``.
lamina writes its own architecture config; rebuilding a model from a Keras-written
config is not supported (build the model in lamina, then ``load_weights``).
"""

from __future__ import annotations

import json
import os

import numpy

import lamina
from lamina.saving import h5_safety as safe
from lamina.saving.archive import atomic_path, check_regular


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving and loading .h5 files needs h5py: pip install 'lamina[interop]' "
                          "(or pip install h5py)") from None
    return h5py


def _legacy_weights(layer) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _write_weights(group, model) -> None:
    layers = model.layers
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in layers]
    group.attrs["backend"] = b"numpy"
    group.attrs["keras_version"] = f"lamina-{lamina.__version__}".encode()
    for layer in layers:
        g = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = [f"{layer.name}/{(w.name or 'variable')}:0" for w in weights]
        if len(set(names)) < len(names):  # a nested model: its layers' paths, as Keras
            names = [f"{w.path}:0" for w in weights]
        if len(set(names)) < len(names):  # still ambiguous: numbered
            names = [f"{layer.name}/{i}:0" for i in range(len(weights))]
        g.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for name, w in zip(names, weights):
            g.create_dataset(name, data=numpy.asarray(w.data))


def _stored_weights(group, where: str) -> list:
    """``[(layer name, [dataset, ...]), ...]`` of the layers with weights, every dataset
    checked (inside the file, plain numbers, written) but none of them read."""
    stored = []
    for name in safe.names(group, "layer_names", where):
        g = safe.child(group, name, where)
        weight_names = safe.names(g, "weight_names", where)
        if weight_names:
            stored.append((name, [safe.check_dataset(safe.child(g, w, where), where)
                                  for w in weight_names]))
    return stored


def _assign(model, stored, where, skip_mismatch=False) -> None:
    """Check every stored shape against the model, then read and assign."""
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    if len(stored) != len(layers):
        raise ValueError(f"{where}: the file holds weights for {len(stored)} layers "
                         f"({[n for n, _ in stored]}) but model '{model.name}' has "
                         f"{len(layers)} layers with weights ({[la.name for la in layers]})")
    wanted = []
    for layer, (name, datasets) in zip(layers, stored):
        weights = _legacy_weights(layer)
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
        var.assign(safe.read_dataset(ds, where))


def _atomic_h5(path, fill) -> None:
    h5py = _h5py()
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as h5:
            fill(h5)


def save_weights(model, filepath) -> None:
    _atomic_h5(filepath, lambda h5: _write_weights(h5, model))


def load_weights(model, filepath, skip_mismatch=False) -> None:
    h5py = _h5py()
    path = os.fspath(filepath)
    with _open(h5py, path) as f:
        where = f"load_weights: {path!r}"
        group = safe.child(f, "model_weights", where) if safe.has(f, "model_weights") else f
        _assign(model, _stored_weights(group, where), where, skip_mismatch)


def _open(h5py, path):
    check_regular(path, "HDF5")
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise ValueError(f"{path!r} is not a readable HDF5 file ({err})") from None


def save_model(model, filepath) -> None:
    from lamina.layers.serialization import serialize
    from lamina.saving.api import compile_config

    if not model.built:
        raise ValueError(f"save: model '{model.name}' is not built yet")
    config = serialize(model)
    training = compile_config(model)
    state = model.optimizer.get_state() if getattr(model, "optimizer", None) else None

    def fill(h5):
        h5.attrs["lamina_version"] = lamina.__version__
        h5.attrs["keras_version"] = f"lamina-{lamina.__version__}"
        h5.attrs["backend"] = "numpy"
        h5.attrs["model_config"] = json.dumps(config)
        if training is not None:
            h5.attrs["training_config"] = json.dumps(training)
        _write_weights(h5.create_group("model_weights"), model)
        if state is not None:
            g = h5.create_group("optimizer_weights")
            keys = sorted(state)
            g.attrs["weight_names"] = [k.encode("utf8") for k in keys]
            for i, k in enumerate(keys):
                g.create_dataset(f"{i:05d}", data=numpy.asarray(state[k]))

    _atomic_h5(filepath, fill)


def _config(f, name, where, required=True):
    from lamina.saving.api import parse_json

    value = safe.attribute(f, name, where, required)
    if value is None:
        return None
    config = parse_json(safe.text(value, where, name), where, name)
    if not isinstance(config, dict):
        raise ValueError(f"{where}: {name} must hold a JSON object; found "
                         f"{type(config).__name__}")
    return config


def _optimizer_state(f, variables, where) -> dict:
    """The ``optimizer_weights`` group, each dataset checked and sized like a weight."""
    from lamina.saving.weights import npz_limit

    g = safe.child(f, "optimizer_weights", where)
    keys = safe.names(g, "weight_names", where)
    largest = max((int(numpy.prod(v.shape)) * 8 for v in variables), default=8)
    datasets, total = [], 0
    for i, k in enumerate(keys):
        ds = safe.check_dataset(safe.child(g, f"{i:05d}", where), where)
        total += safe.nbytes(ds)
        if safe.nbytes(ds) > max(largest, 8) or total > 4 * npz_limit(variables):
            raise ValueError(f"{where}: optimizer state {k!r} declares {safe.nbytes(ds)} "
                             "bytes, more than any weight of this model needs")
        datasets.append((k, ds))
    return {k: safe.read_dataset(ds, where) for k, ds in datasets}


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    from lamina.saving.api import build_from_config, compile_from_config
    from lamina.saving.registry import custom_object_scope

    h5py = _h5py()
    path = os.fspath(filepath)
    with _open(h5py, path) as f:
        where = repr(path)
        if "lamina_version" not in f.attrs:
            raise ValueError(f"{where} was not written by lamina: lamina cannot rebuild a Keras "
                             "architecture config. Build the same model in lamina and call "
                             "model.load_weights(path) to load its weights.")
        config = _config(f, "model_config", where)
        training = _config(f, "training_config", where, required=False)
        stored = _stored_weights(safe.child(f, "model_weights", where), where)
        budget = sum(safe.nbytes(ds) for _, datasets in stored for ds in datasets)
        with custom_object_scope(custom_objects or {}):
            model = build_from_config(config, where, budget)
            _assign(model, stored, f"load_model: {where}")
            if compile and training:
                compile_from_config(model, training, where)
                if safe.has(f, "optimizer_weights"):
                    model.optimizer.set_state(_optimizer_state(f, model.weights, where))
    return model
