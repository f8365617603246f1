"""Load a Keras ``.h5`` weights file into a lamina model, matching layers by name.

Keras's published ImageNet files (and ``model.save_weights('w.h5')`` in Keras 2, Keras 3's
legacy format, and lamina) share one layout:

* the root (or its ``model_weights`` group, in a whole-model file) has the attribute
  ``layer_names``;
* each layer is a group of that name with the attribute ``weight_names`` (e.g.
  ``[b'fc1/kernel:0', b'fc1/bias:0']``), one dataset per name, in the order trainable weights
  then non-trainable weights (batch norm: gamma, beta, moving_mean, moving_variance).

Keras 3's own ``model.save_weights('w.weights.h5')`` layout loads too: a group
``layers/<class in snake_case>/vars`` per layer (``conv2d``, ``conv2d_1``...), whose
attribute ``name`` holds the layer's name, datasets ``0``, ``1``, ... in the same order.

The builders of :mod:`lamina.applications` give their layers Keras's names, so a layer of
the model takes the group of the same name; groups of layers the model lacks (the top of an
``include_top=True`` file loaded into a headless model) are skipped, as Keras's
``by_name=True`` does.

The file is treated as hostile: only hard links inside the file are followed (no soft or
external links, no virtual or external-storage datasets), and each dataset's shape and dtype
are checked before a byte of it is read.
"""

from __future__ import annotations

import os

import numpy

from lamina.saving import h5_safety

__all__ = ["load_keras_weights"]


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Loading .h5 weights needs h5py: pip install 'lamina[interop]' "
                          "(or pip install h5py)") from None
    return h5py


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _member(h5py, group, name, path, kind):
    """``group[name]`` when it is a hard link to an object of ``kind`` inside the file."""
    node = group
    for part in [p for p in name.split("/") if p]:
        link = node.get(part, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise ValueError(f"load weights: {path!r}: {name!r} is a {type(link).__name__}; "
                             "only objects stored in the file itself are read")
        node = node[part]
    if not isinstance(node, kind):
        raise ValueError(f"load weights: {path!r}: {name!r} is not a {kind.__name__}")
    return node


def _check(dataset, var, path, name):
    if dataset.is_virtual or dataset.external:
        raise ValueError(f"load weights: {path!r}: dataset {name!r} refers to data outside "
                         "the file; refusing to read it")
    if tuple(dataset.shape) != tuple(var.shape):
        raise ValueError(f"load weights: {path!r}: weight {name!r} has shape "
                         f"{tuple(dataset.shape)} but the model's {var.path!r} has shape "
                         f"{tuple(var.shape)}; the architectures differ")
    if dataset.dtype.kind not in "fiu":
        raise ValueError(f"load weights: {path!r}: weight {name!r} has dtype {dataset.dtype}; "
                         "expected numbers")


def _layer_weights(layer) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _keras3_names(h5py, root, path) -> dict:
    """``{layer name: group}`` of a Keras 3 layout: each ``<key>/vars`` group carries the
    layer's name in its ``name`` attribute (the key is the class in snake_case)."""
    named = {}
    for key in root:
        group = _member(h5py, root, key, path, h5py.Group)
        inner = _member(h5py, group, "vars", path, h5py.Group)
        name = inner.attrs.get("name") if inner is not None else None
        if name is not None:
            named.setdefault(_text(name), group)
    return named


def load_keras_weights(model, filepath) -> None:
    """Assign the weights in the Keras-layout ``.h5`` at ``filepath`` to ``model``'s layers
    of the same names.

    Every layer of ``model`` that has weights must find its group, with as many datasets of
    the same shapes; nothing is assigned unless all of them do.

    Raises:
        FileNotFoundError: no file at ``filepath``.
        ValueError: not HDF5, no group for a layer, a count or shape differs, or the file
            points outside itself.
    """
    h5py = _h5py()
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load weights: no such file: {path!r}")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise ValueError(f"load weights: {path!r} is not a readable HDF5 file ({err})") from None
    with f:
        keras3 = "layer_names" not in f.attrs and _member(h5py, f, "layers", path, h5py.Group)
        root = keras3 or _member(h5py, f, "model_weights", path, h5py.Group) or f
        named = _keras3_names(h5py, root, path) if keras3 else {}
        pending = []
        for layer in model.layers:
            variables = _layer_weights(layer)
            if not variables:
                continue
            group = named[layer.name] if layer.name in named else \
                _member(h5py, root, layer.name, path, h5py.Group)
            if group is None:
                raise ValueError(f"load weights: {path!r} has no weights for layer "
                                 f"'{layer.name}' of model '{model.name}' (the file holds "
                                 f"{sorted(root.keys())[:12]}...); it is not a file of this "
                                 "architecture")
            if keras3:   # Keras 3's .weights.h5: layers/<name>/vars/0, 1, ...
                group = _member(h5py, group, "vars", path, h5py.Group)
                names = sorted(group.keys(), key=lambda k: int(k) if k.isdigit() else -1) \
                    if group is not None else []
            else:
                # split over several attributes past HDF5's 64 KB limit, as Keras writes it
                names = h5_safety.names(group, "weight_names", f"load weights: {path!r}")
            if len(names) != len(variables):
                raise ValueError(f"load weights: {path!r}: layer '{layer.name}' has "
                                 f"{len(names)} weights in the file ({names}); the model's "
                                 f"layer has {len(variables)}")
            for name, var in zip(names, variables):
                dataset = _member(h5py, group, name, path, h5py.Dataset)
                if dataset is None:
                    raise ValueError(f"load weights: {path!r}: layer '{layer.name}' names "
                                     f"weight {name!r}, which the file lacks")
                _check(dataset, var, path, name)
                pending.append((var, dataset))
        for var, dataset in pending:  # all checked: read one at a time
            var.assign(numpy.asarray(dataset[()]).astype(var.dtype, copy=False))
