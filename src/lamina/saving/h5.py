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
from lamina.saving.archive import atomic_path


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
        g.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for name, w in zip(names, weights):
            g.create_dataset(name, data=numpy.asarray(w.data))


def _read_weights(group, model, path, skip_mismatch=False) -> None:
    names = [_text(n) for n in group.attrs.get("layer_names", [])]
    stored = []
    for name in names:
        g = group[name]
        weight_names = [_text(w) for w in g.attrs.get("weight_names", [])]
        if weight_names:
            stored.append((name, [numpy.asarray(g[w]) for w in weight_names]))
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    if len(stored) != len(layers):
        raise ValueError(f"load_weights: {path!r} holds weights for {len(stored)} layers "
                         f"({[n for n, _ in stored]}) but model '{model.name}' has "
                         f"{len(layers)} layers with weights ({[la.name for la in layers]})")
    for layer, (name, arrays) in zip(layers, stored):
        weights = _legacy_weights(layer)
        if len(arrays) != len(weights):
            raise ValueError(f"load_weights: layer '{name}' in the file has {len(arrays)} "
                             f"weights; layer '{layer.name}' expects {len(weights)}")
        for var, value in zip(weights, arrays):
            if value.shape != var.shape:
                if skip_mismatch:
                    continue
                raise ValueError(f"load_weights: weight {var.path!r} has shape {var.shape} but "
                                 f"the file's layer '{name}' gives {value.shape}")
            var.assign(value)


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
        group = f["model_weights"] if "model_weights" in f else f
        _read_weights(group, model, path, skip_mismatch)


def _open(h5py, path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path!r}")
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


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    from lamina.layers.serialization import deserialize
    from lamina.saving.api import _compile_from_config
    from lamina.saving.registry import custom_object_scope

    h5py = _h5py()
    path = os.fspath(filepath)
    with _open(h5py, path) as f:
        if "lamina_version" not in f.attrs:
            raise ValueError(f"{path!r} was not written by lamina: lamina cannot rebuild a Keras "
                             "architecture config. Build the same model in lamina and call "
                             "model.load_weights(path) to load its weights.")
        try:
            config = json.loads(f.attrs["model_config"])
            training = json.loads(f.attrs["training_config"]) \
                if "training_config" in f.attrs else None
        except (KeyError, json.JSONDecodeError) as err:
            raise ValueError(f"{path!r}: the model config is missing or corrupt ({err})") \
                from None
        with custom_object_scope(custom_objects or {}):
            model = deserialize(config)
            _read_weights(f["model_weights"], model, path)
            if compile and training:
                _compile_from_config(model, training)
                if "optimizer_weights" in f:
                    g = f["optimizer_weights"]
                    keys = [_text(k) for k in g.attrs["weight_names"]]
                    model.optimizer.set_state(
                        {k: numpy.asarray(g[f"{i:05d}"]) for i, k in enumerate(keys)})
    return model
