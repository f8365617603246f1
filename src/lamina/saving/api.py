"""``model.save`` / ``load_model`` / ``save_weights`` / ``load_weights``.

``.keras`` paths get Keras 3's native archive (:mod:`lamina.saving.keras_archive`), which
Keras loads; ``load_model`` tells the two kinds of zip apart by their members. A
``.lamina`` (or any other non-``.h5``) file is lamina's own zip with four members:

* ``metadata.json``: format name and version, lamina version;
* ``config.json``: the model's architecture and compile settings (JSON);
* ``model.weights.npz``: every weight, in ``model.weights`` order, named by its path;
* ``optimizer.npz``: the optimizer's state (step count and slots), when compiled.

Nothing is pickled: arrays are plain numbers read after their declared shape is checked
against the model, and JSON is plain data. Hostile files are refused with a clear error
before they cost memory (see :mod:`lamina.saving.archive`, :mod:`lamina.saving.npz`,
:mod:`lamina.saving.budget`). Writes are atomic (temp file, fsync, rename, directory fsync).
``.h5`` paths go through :mod:`lamina.saving.h5` (Keras's HDF5 layout, extra ``interop``).
"""

from __future__ import annotations

import json
import os
import zipfile

import lamina
from lamina.saving.archive import Archive, atomic_write, human, open_regular
from lamina.saving.budget import weight_budget
from lamina.saving.npz import NpzReader, npz_bytes
from lamina.saving.weights import npz_limit, read_state, read_weights, weights_dict

FORMAT = "lamina"
FORMAT_VERSION = 1
MEMBERS = {"metadata.json", "config.json", "model.weights.npz", "optimizer.npz"}
MAX_JSON_BYTES = 64 * 1024**2
# what deserializing a config may raise besides a clear ValueError
CONFIG_ERRORS = (KeyError, TypeError, IndexError, AttributeError, RecursionError)


def _is_h5(path) -> bool:
    return os.fspath(path).lower().endswith((".h5", ".hdf5", ".keras.h5"))


def _check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{os.fspath(path)!r} exists; pass overwrite=True to replace it")


def compile_config(model) -> dict | None:
    """The model's compile arguments as JSON (``Model.get_compile_config``), or None."""
    if not getattr(model, "compiled", False):
        return None
    return model.get_compile_config()


def _is_keras(path) -> bool:
    return os.fspath(path).lower().endswith(".keras")


def save_model(model, filepath, overwrite=True, include_optimizer=True) -> None:
    if _is_h5(filepath):
        from lamina.saving import h5

        _check_overwrite(filepath, overwrite)
        return h5.save_model(model, filepath)
    _check_overwrite(filepath, overwrite)
    if _is_keras(filepath):
        from lamina.saving import keras_archive

        return keras_archive.save(model, filepath, include_optimizer)
    if not model.built:
        raise ValueError(f"save: model '{model.name}' is not built yet; call it on data or give "
                         "it an input shape first")
    from lamina.layers.serialization import serialize

    config = {"model": serialize(model), "compile_config": compile_config(model)}
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "lamina_version": lamina.__version__,
                "weights": [v.path for v in model.weights]}
    optimizer_state = None
    if include_optimizer and getattr(model, "optimizer", None) is not None:
        optimizer_state = model.optimizer.get_state()

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("metadata.json", json.dumps(metadata, indent=1))
            archive.writestr("config.json", json.dumps(config, indent=1))
            archive.writestr("model.weights.npz", npz_bytes(weights_dict(model)))
            if optimizer_state is not None:
                archive.writestr("optimizer.npz", npz_bytes(optimizer_state))

    atomic_write(filepath, write)


def parse_json(text, where: str, name: str):
    """JSON text (bytes or str) as plain data; a clear error if it is corrupt or too deep."""
    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except UnicodeDecodeError as err:
        raise ValueError(f"{where}: {name} is not valid UTF-8 ({err})") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: {name} is corrupt ({err})") from None
    except RecursionError:
        raise ValueError(f"{where}: {name} is nested too deeply to be a model config") \
            from None


def _json(archive: Archive, name: str) -> dict:
    if name not in archive:
        raise ValueError(f"{archive.where} is not a lamina model file: {name} is missing")
    value = parse_json(archive.read(name, MAX_JSON_BYTES), archive.where, name)
    if not isinstance(value, dict):
        raise ValueError(f"{archive.where}: {name} must hold a JSON object; found "
                         f"{type(value).__name__}")
    return value


def check_version(metadata: dict, where: str) -> None:
    version = metadata.get("format_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError(f"{where}: format_version must be a non-negative integer; found "
                         f"{version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(f"{where} was written by a newer lamina (format version {version}); "
                         "upgrade lamina to load it")


def build_from_config(config, where: str, budget: int):
    """The model of a config dict, refused (ValueError) if invalid or if its weights would
    exceed ``budget`` bytes (what the file holds for them)."""
    from lamina.layers.serialization import deserialize

    try:
        with weight_budget(budget, where):
            return deserialize(config)
    except CONFIG_ERRORS as err:
        detail = "nested too deeply" if isinstance(err, RecursionError) else \
            f"{type(err).__name__}: {err}"
        raise ValueError(f"{where}: the model config is invalid ({detail})") from None
    except ValueError as err:
        if str(err).startswith(where):
            raise
        raise ValueError(f"{where}: {err}") from None


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    """The model saved at ``filepath``, with its weights (and compiled, with optimizer state)."""
    if _is_h5(filepath):
        from lamina.saving import h5

        return h5.load_model(filepath, custom_objects=custom_objects, compile=compile)
    from lamina.saving import keras_archive
    from lamina.saving.registry import custom_object_scope

    with Archive(filepath, MEMBERS | keras_archive.MEMBERS, "model") as archive:
        if keras_archive.is_keras(archive):
            return keras_archive.load(archive, custom_objects, compile)
        where = archive.where
        metadata = _json(archive, "metadata.json")
        if metadata.get("format") != FORMAT:
            raise ValueError(f"{where} is not a lamina model file "
                             f"(format={metadata.get('format')!r})")
        check_version(metadata, where)
        config = _json(archive, "config.json")
        if "model.weights.npz" not in archive:
            raise ValueError(f"{where}: model.weights.npz is missing")
        if not isinstance(config.get("model"), dict):
            raise ValueError(f"{where}: config.json has no model config")
        with custom_object_scope(custom_objects or {}):
            model = build_from_config(config["model"], where, archive.size("model.weights.npz"))
            variables = model.weights
            limit = npz_limit(variables)
            with archive.open("model.weights.npz", limit) as member:
                read_weights(NpzReader(member, f"load_model: {where}"), model,
                             f"load_model: {where}")
            cc = config.get("compile_config")
            if compile and cc:
                from lamina.saving.h5 import set_state

                compile_from_config(model, cc, where)
                if "optimizer.npz" in archive:
                    with archive.open("optimizer.npz", 4 * limit) as member:
                        reader = NpzReader(member, f"load_model: {where}")
                        state = read_state(reader, variables, f"load_model: {where}")
                        set_state(model, state)
    return model


def compile_from_config(model, cc, where: str) -> None:
    try:  # losses and metrics per output included (Model.compile_from_config)
        model.compile_from_config(cc)
    except CONFIG_ERRORS as err:
        raise ValueError(f"{where}: the compile config is invalid ({type(err).__name__}: "
                         f"{err})") from None


def save_weights(model, filepath, overwrite=True) -> None:
    if _is_h5(filepath):
        from lamina.saving import h5

        _check_overwrite(filepath, overwrite)
        return h5.save_weights(model, filepath)
    if not os.fspath(filepath).endswith(".npz"):
        raise ValueError(f"save_weights: the file name must end in .weights.npz (or .weights.h5); "
                         f"received {os.fspath(filepath)!r}")
    _check_overwrite(filepath, overwrite)
    data = npz_bytes(weights_dict(model))
    atomic_write(filepath, lambda f: f.write(data))


def load_weights(model, filepath, skip_mismatch=False) -> None:
    if _is_h5(filepath):
        from lamina.saving import h5

        return h5.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    path = os.fspath(filepath)
    variables = model.weights
    with open_regular(path, "weights") as f:
        size = os.fstat(f.fileno()).st_size
        limit = npz_limit(variables)
        if size > limit:
            raise ValueError(f"load_weights: {path!r} holds {human(size)}, more than the weights "
                             f"of model '{model.name}' can need ({human(limit)}); it is not "
                             "this model's weights file")
        where = f"load_weights: {path!r}"
        read_weights(NpzReader(f, where), model, where, skip_mismatch)
