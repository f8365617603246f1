"""``model.save`` / ``load_model`` / ``save_weights`` / ``load_weights``.

A ``.lamina`` (or any non-``.h5``) file is a zip with four members:

* ``metadata.json``: format name and version, lamina version;
* ``config.json``: the model's architecture and compile settings (JSON);
* ``model.weights.npz``: every weight, in ``model.weights`` order, named by its path;
* ``optimizer.npz``: the optimizer's state (step count and slots), when compiled.

Nothing is pickled: arrays load with ``allow_pickle=False`` and JSON is plain data.
Files are written to a temp file and renamed, so a failed save never leaves half a file.
``.h5`` paths go through :mod:`lamina.saving.h5` (Keras's HDF5 layout, extra ``interop``).
"""

from __future__ import annotations

import json
import os
import zipfile

import lamina
from lamina.saving.archive import atomic_write, load_npz, npz_bytes, open_archive

FORMAT = "lamina"
FORMAT_VERSION = 1
MEMBERS = {"metadata.json", "config.json", "model.weights.npz", "optimizer.npz"}


def _is_h5(path) -> bool:
    return os.fspath(path).lower().endswith((".h5", ".hdf5", ".keras.h5"))


def _check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{os.fspath(path)!r} exists; pass overwrite=True to replace it")


def weights_dict(model) -> dict:
    return {f"{i:04d}|{v.path}": v.data for i, v in enumerate(model.weights)}


def apply_weights(model, arrays: dict, where: str, skip_mismatch=False) -> None:
    variables = model.weights
    keys = sorted(arrays)
    if len(keys) != len(variables):
        raise ValueError(f"{where}: the file holds {len(keys)} weights but model "
                         f"'{model.name}' has {len(variables)}; the architectures differ")
    for key, var in zip(keys, variables):
        value = arrays[key]
        if value.shape != var.shape:
            if skip_mismatch:
                continue
            raise ValueError(f"{where}: weight {key.split('|', 1)[-1]!r} has shape {value.shape} "
                             f"in the file but {var.path!r} has shape {var.shape}")
        var.assign(value)


def compile_config(model) -> dict | None:
    from lamina import losses, optimizers

    if not getattr(model, "compiled", False):
        return None
    loss = model.loss
    if isinstance(loss, losses.Loss):
        loss = losses.serialize(loss)
    elif callable(loss) and not isinstance(loss, str):
        loss = None
    metrics = [m if isinstance(m, str) else None for m in model._metric_specs]
    return {"optimizer": optimizers.serialize(model.optimizer), "loss": loss,
            "metrics": [m for m in metrics if m is not None]}


def save_model(model, filepath, overwrite=True, include_optimizer=True) -> None:
    if _is_h5(filepath):
        from lamina.saving import h5

        _check_overwrite(filepath, overwrite)
        return h5.save_model(model, filepath)
    _check_overwrite(filepath, overwrite)
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


def _json(members: dict, name: str, path) -> dict:
    if name not in members:
        raise ValueError(f"{os.fspath(path)!r} is not a lamina model file: {name} is missing")
    try:
        return json.loads(members[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{os.fspath(path)!r}: {name} is corrupt ({err})") from None


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras's name
    """The model saved at ``filepath``, with its weights (and compiled, with optimizer state)."""
    if _is_h5(filepath):
        from lamina.saving import h5

        return h5.load_model(filepath, custom_objects=custom_objects, compile=compile)
    from lamina.layers.serialization import deserialize
    from lamina.saving.registry import custom_object_scope

    members = open_archive(filepath, MEMBERS, "model")
    metadata = _json(members, "metadata.json", filepath)
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(filepath)!r} is not a lamina model file "
                         f"(format={metadata.get('format')!r})")
    if int(metadata.get("format_version", 0)) > FORMAT_VERSION:
        raise ValueError(f"{os.fspath(filepath)!r} was written by a newer lamina (format "
                         f"version {metadata['format_version']}); upgrade lamina to load it")
    config = _json(members, "config.json", filepath)
    if "model.weights.npz" not in members:
        raise ValueError(f"{os.fspath(filepath)!r}: model.weights.npz is missing")
    with custom_object_scope(custom_objects or {}):
        try:
            model = deserialize(config["model"])
        except (KeyError, TypeError) as err:
            raise ValueError(f"{os.fspath(filepath)!r}: the model config is invalid ({err})") \
                from None
        apply_weights(model, load_npz(members["model.weights.npz"], "load_model"), "load_model")
        cc = config.get("compile_config")
        if compile and cc:
            _compile_from_config(model, cc)
            if "optimizer.npz" in members:
                model.optimizer.set_state(load_npz(members["optimizer.npz"], "load_model"))
    return model


def _compile_from_config(model, cc: dict) -> None:
    from lamina import losses, optimizers

    loss = cc.get("loss")
    if isinstance(loss, dict):
        loss = losses.deserialize(loss)
    model.compile(optimizer=optimizers.deserialize(cc["optimizer"]), loss=loss,
                  metrics=cc.get("metrics") or None)


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
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_weights: no such file: {path!r}")
    with open(path, "rb") as f:
        arrays = load_npz(f.read(), "load_weights")
    apply_weights(model, arrays, "load_weights", skip_mismatch)
