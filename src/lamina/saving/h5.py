"""``.h5`` files in Keras's HDF5 layout (through h5py, extra ``interop``).

Layout, as Keras writes it (``keras.src.legacy.saving.legacy_h5_format``):

* root attributes ``model_config`` and ``training_config`` (JSON), ``keras_version``,
  ``backend``;
* group ``model_weights`` with attribute ``layer_names``; one group per layer with
  attribute ``weight_names`` and one dataset per weight, in the order trainable
  weights then non-trainable weights;
* group ``optimizer_weights`` with the optimizer state.

The architecture is written in Keras 3's form (:mod:`lamina.saving.keras_models`), so Keras
loads lamina's ``.h5`` files, and lamina rebuilds the models of Keras's ``.h5`` files
(Keras 3's and Keras 2's configs), never running code. Weights are matched to layers by
order, as Keras does (:mod:`lamina.saving.h5_legacy_weights`). lamina's optimizer state
goes in group ``lamina_optimizer`` (Keras ignores it and starts a fresh optimizer of the
saved configuration); files of earlier lamina versions (lamina's own architecture config,
``optimizer_weights``) still load.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy

import lamina
from lamina.saving import h5_legacy_weights as legacy
from lamina.saving import h5_safety as safe
from lamina.saving.archive import atomic_path, check_regular

OPTIMIZER_GROUP = "lamina_optimizer"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving and loading .h5 files needs h5py: pip install 'lamina[interop]' "
                          "(or pip install h5py)") from None
    return h5py


def _atomic_h5(path, fill) -> None:
    h5py = _h5py()
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as h5:
            fill(h5)


def save_weights(model, filepath) -> None:
    """``.weights.h5``: Keras 3's layout (what ``keras.Model.save_weights`` writes); any
    other ``.h5``: Keras's full-model layout without the architecture."""
    from lamina.saving import keras_weights

    if os.fspath(filepath).lower().endswith(".weights.h5"):
        return _atomic_h5(filepath, lambda h5: keras_weights.write(h5, model))
    _atomic_h5(filepath, lambda h5: legacy.write(h5, model))


def load_weights(model, filepath, skip_mismatch=False) -> None:
    """Weights in either HDF5 layout, told apart by the file's structure."""
    from lamina.saving import keras_weights

    h5py = _h5py()
    path = os.fspath(filepath)
    with _open(h5py, path) as f:
        where = f"load_weights: {path!r}"
        if keras_weights.is_keras3_layout(f):
            return keras_weights.read(f, model, where, skip_mismatch)
        group = safe.child(f, "model_weights", where) if safe.has(f, "model_weights") else f
        legacy.assign(model, legacy.stored(group, where), where, skip_mismatch)


def _open(h5py, path):
    check_regular(path, "HDF5")
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise ValueError(f"{path!r} is not a readable HDF5 file ({err})") from None


# loss names Keras 3.15's .h5 reader cannot resolve (it fails on its own files with
# loss="mse"), written under their full names
_H5_LOSS_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
                  "mape": "mean_absolute_percentage_error",
                  "msle": "mean_squared_logarithmic_error"}


def training_config(model) -> dict | None:
    """The compile arguments as Keras's ``.h5`` ``training_config`` (optimizer apart)."""
    from lamina.saving import keras_compile
    from lamina.saving.api import compile_config

    config = keras_compile.to_keras(compile_config(model))
    if not config:
        return None
    config["loss"] = keras_compile.each(
        config["loss"], lambda v: _H5_LOSS_NAMES.get(v, v) if isinstance(v, str) else v)
    optimizer = config.pop("optimizer")
    config["optimizer_config"] = {"class_name": optimizer["class_name"],
                                  "config": optimizer["config"]}
    return config


def save_model(model, filepath) -> None:
    from lamina.saving.keras_models import to_keras

    if not model.built:
        raise ValueError(f"save: model '{model.name}' is not built yet")
    config = to_keras(model)
    training = training_config(model)
    state = model.optimizer.get_state() if getattr(model, "optimizer", None) else None

    def fill(h5):
        h5.attrs["lamina_version"] = lamina.__version__
        h5.attrs["keras_version"] = f"lamina-{lamina.__version__}"
        h5.attrs["backend"] = "numpy"
        h5.attrs["model_config"] = json.dumps(config)
        if training is not None:
            h5.attrs["training_config"] = json.dumps(training)
        legacy.write(h5.create_group("model_weights"), model)
        if state is not None:
            g = h5.create_group(OPTIMIZER_GROUP)
            keys = sorted(state)
            legacy.write_names(g, "weight_names", keys)
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


def set_state(model, state: dict) -> None:
    """``model.optimizer.set_state(state)``, the optimizer built first when ``state`` has
    slots, so they are copied into place one at a time (a state given to an unbuilt
    optimizer is copied whole until it is built)."""
    if not model.optimizer.built and set(state) - {"iterations", "learning_rate"}:
        model.optimizer.build(model.trainable_weights)
    model.optimizer.set_state(state)


def _optimizer_state(g, variables, where) -> dict:
    """lamina's optimizer state in group ``g``, each dataset checked and sized like a weight."""
    from lamina.saving.weights import npz_limit

    keys = safe.names(g, "weight_names", where)
    largest = max((int(numpy.prod(v.shape)) * 8 for v in variables), default=8)
    limit = 4 * npz_limit(variables)  # once: per key it made 10,001 weights take hours
    datasets, total = [], 0
    for i, k in enumerate(keys):
        ds = safe.check_dataset(safe.child(g, f"{i:05d}", where), where)
        total += safe.nbytes(ds)
        if safe.nbytes(ds) > max(largest, 8) or total > limit:
            raise ValueError(f"{where}: optimizer state {k!r} declares {safe.nbytes(ds)} "
                             "bytes, more than any weight of this model needs")
        datasets.append((k, ds))
    return {k: safe.Lazy(ds, where) for k, ds in datasets}


def _build(config, lamina_v1: bool, where: str, budget: int):
    from lamina.saving import keras_archive
    from lamina.saving.api import build_from_config

    if lamina_v1:
        return build_from_config(config, where, budget)
    return keras_archive.build(config, where, budget)


def _compile(model, f, training, lamina_v1: bool, where: str) -> None:
    from lamina.saving import keras_compile
    from lamina.saving.api import compile_from_config

    if not lamina_v1:
        training = dict(training)
        training["optimizer"] = training.pop("optimizer_config", None)
        training = keras_compile.from_keras(training, where)
        if training is None:
            return
    compile_from_config(model, training, where)
    group = OPTIMIZER_GROUP if safe.has(f, OPTIMIZER_GROUP) else \
        "optimizer_weights" if lamina_v1 and safe.has(f, "optimizer_weights") else None
    if group is not None:
        g = safe.child(f, group, where)
        set_state(model, _optimizer_state(g, model.weights, where))
    elif safe.has(f, "optimizer_weights"):
        warnings.warn(f"{where}: the optimizer's state (step count, moments) in this Keras "
                      "file is not loaded; training continues with a fresh "
                      f"{type(model.optimizer).__name__}", stacklevel=4)


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    """The model of an ``.h5`` written by lamina or Keras (architecture, weights, compile
    arguments); layers are built by name from the JSON config, no code runs."""
    from lamina.saving.registry import custom_object_scope

    h5py = _h5py()
    path = os.fspath(filepath)
    with _open(h5py, path) as f:
        where = repr(path)
        config = _config(f, "model_config", where)
        if not isinstance(config.get("class_name"), str):
            raise ValueError(f"{where}: model_config describes no model (no 'class_name'); "
                             "for a file of weights only, build the model and call "
                             "model.load_weights(path)")
        # lamina wrote its own architecture config (no "module" keys)
        lamina_v1 = "lamina_version" in f.attrs and "module" not in config
        training = _config(f, "training_config", where, required=False)
        stored = legacy.stored(safe.child(f, "model_weights", where), where)
        budget = sum(safe.nbytes(ds) for _, datasets in stored for ds in datasets)
        with custom_object_scope(custom_objects or {}):
            model = _build(config, lamina_v1, where, budget)
            legacy.assign(model, stored, f"load_model: {where}", by_name=True)
            if compile and training:
                _compile(model, f, training, lamina_v1, where)
    return model
