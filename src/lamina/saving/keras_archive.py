"""Keras 3's native ``.keras`` archive, written and read.

A zip with three members, as ``keras.saving.save_model`` writes it:

* ``metadata.json``: ``keras_version`` (the Keras version whose layout this follows) and
  ``lamina_version``;
* ``config.json``: the model's architecture and ``compile_config`` in Keras 3's form
  (:mod:`lamina.saving.keras_models`, :mod:`lamina.saving.keras_compile`);
* ``model.weights.h5``: the weights in Keras 3's HDF5 layout
  (:mod:`lamina.saving.keras_weights`).

lamina's own archive (``.lamina``: ``model.weights.npz`` inside) is told apart by its
members, so files of either kind load whatever their name. Reading trusts nothing:
member names, sizes and compression are checked (:class:`lamina.saving.archive.Archive`),
the config is plain JSON built into layers by name (no code runs), the weights member is
decompressed only if it declares no more than the model's weights can need (and read in
place, or through a temp file, never whole into memory), and every dataset is checked
against its variable before it is read. The optimizer's configuration
and state (step count, moments: :mod:`lamina.saving.keras_optimizer`) travel both ways.
"""

from __future__ import annotations

import io
import json
import zipfile

import lamina
from lamina.saving import keras_compile, keras_models, keras_optimizer, keras_weights
from lamina.saving.archive import atomic_write

MEMBERS = {"metadata.json", "config.json", "model.weights.h5"}
KERAS_VERSION = "3.15.1"  # the Keras release whose files these are checked against


def _h5py():
    from lamina.saving.h5 import _h5py

    return _h5py()


def model_config(model, include_optimizer=True) -> dict:
    """``config.json`` of ``model``: its architecture, and how it was compiled."""
    from lamina.saving.api import compile_config

    config = keras_models.to_keras(model)
    compiled = compile_config(model) if include_optimizer else None
    config["compile_config"] = keras_compile.to_keras(compiled)
    return config


def weights_bytes(model, include_optimizer=False) -> bytes:
    """``model``'s weights (and its optimizer's state) as the bytes of a Keras 3
    ``model.weights.h5``."""
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        keras_weights.write(h5, model)
        if include_optimizer:
            keras_optimizer.write(h5, model)
    return buffer.getvalue()


def save(model, filepath, include_optimizer=True) -> None:
    if not model.built:
        raise ValueError(f"save: model '{model.name}' is not built yet; call it on data or give "
                         "it an input shape first")
    config = model_config(model, include_optimizer)
    metadata = {"keras_version": KERAS_VERSION, "lamina_version": lamina.__version__}
    weights = weights_bytes(model, include_optimizer and bool(config["compile_config"]))

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("metadata.json", json.dumps(metadata))
            archive.writestr("config.json", json.dumps(config))
            archive.writestr("model.weights.h5", weights)

    atomic_write(filepath, write)


def is_keras(archive) -> bool:
    return "model.weights.h5" in archive or ("config.json" in archive
                                             and "model.weights.npz" not in archive
                                             and "model.weights.h5" not in archive
                                             and _is_keras_metadata(archive))


def _is_keras_metadata(archive) -> bool:
    from lamina.saving.api import MAX_JSON_BYTES, parse_json

    if "metadata.json" not in archive:
        return False
    meta = parse_json(archive.read("metadata.json", MAX_JSON_BYTES), archive.where,
                      "metadata.json")
    return isinstance(meta, dict) and "keras_version" in meta


def build(config, where: str, budget: int):
    """The model a Keras ``config.json`` describes; its weights may total ``budget`` bytes."""
    from lamina.saving.api import CONFIG_ERRORS
    from lamina.saving.budget import weight_budget

    try:
        with weight_budget(budget, where):
            return keras_models.from_keras(config, where)
    except CONFIG_ERRORS as err:
        detail = "nested too deeply" if isinstance(err, RecursionError) else \
            f"{type(err).__name__}: {err}"
        raise ValueError(f"{where}: the Keras model config is invalid ({detail})") from None


def load(archive, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    """The model of an opened Keras archive (:class:`lamina.saving.archive.Archive`)."""
    from lamina.saving.api import _json, compile_from_config
    from lamina.saving.registry import custom_object_scope

    where = archive.where
    _json(archive, "metadata.json")
    config = _json(archive, "config.json")
    if "model.weights.h5" not in archive:
        raise ValueError(f"{where}: model.weights.h5 is missing; the archive holds no weights")
    h5py = _h5py()
    with custom_object_scope(custom_objects or {}):
        model = build(config, where, archive.size("model.weights.h5"))
        member = archive.open("model.weights.h5", keras_weights.expected_bytes(model))
        try:
            h5 = h5py.File(member, "r")
        except OSError as err:
            member.close()
            raise ValueError(f"{where}: model.weights.h5 is not a readable HDF5 file "
                             f"({err})") from None
        with member, h5:
            keras_weights.read(h5, model, f"load_model: {where}")
            cc = keras_compile.from_keras(config.get("compile_config"), where) \
                if compile else None
            if cc:
                compile_from_config(model, cc, where)
                keras_optimizer.read(h5, model, where)
    return model
