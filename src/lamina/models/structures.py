"""Data of models with several inputs or outputs: lists in the model's order.

``fit``/``evaluate``/``predict`` accept, as Keras does, a list of arrays (one per input
or output) or a dict keyed by input/output name; inside, everything is a list in the
model's order, and ``predict`` gives back the structure the model returns.
"""

from __future__ import annotations

import numpy

from lamina.autograd import Tensor
from lamina.models.compile_utils import flatten_targets
from lamina.models.data_adapter import is_array_data

__all__ = ["arrays", "concatenate", "inputs_in_order", "targets_in_order", "is_array_data",
           "class_weights_to_samples"]


def arrays(value):
    """Tensors as arrays, keeping the structure (one value, a list or a dict)."""
    if isinstance(value, dict):
        return {k: arrays(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [arrays(v) for v in value]
    return value.data if isinstance(value, Tensor) else value


def concatenate(batches: list):
    """Per-batch outputs (arrays, lists or dicts of arrays) joined along the batch axis."""
    first = batches[0]
    if isinstance(first, dict):
        return {k: numpy.concatenate([b[k] for b in batches], axis=0) for k in first}
    if isinstance(first, list):
        return [numpy.concatenate([b[i] for b in batches], axis=0) for i in range(len(first))]
    return numpy.concatenate(batches, axis=0)


def inputs_in_order(model, x):
    """A dict of inputs keyed by input name, as a list in the model's input order."""
    if isinstance(x, dict) and hasattr(model, "flatten_inputs"):
        flat = model.flatten_inputs(x)
        return flat if len(flat) > 1 else flat[0]
    if isinstance(x, dict):  # a model of one input (Sequential): its one entry, as Keras
        if len(x) != 1:
            raise ValueError(f"Model '{model.name}' has one input, so x as a dict must have one "
                             f"entry (keyed by the input's name); received keys {list(x)}")
        return next(iter(x.values()))
    return x


def targets_in_order(value, names: list[str], argument: str, where: str, fns=None) -> list:
    """``y`` (or ``sample_weight``) as a list in output order; every output with a loss
    needs targets."""
    needed = [True] * len(names) if fns is None else [fn is not None for fn in fns]
    flat = flatten_targets(value, names, argument, where, needed)
    missing = [n for n, v, need in zip(names, flat, needed) if v is None and need]
    if missing and argument == "y":
        raise ValueError(f"{where}: y has no targets for the output(s) {missing}, which have a "
                         f"loss; the outputs are {names}")
    return flat


def class_weights_to_samples(class_weight: dict, y, model, where: str):
    """Keras's ``class_weight``: each sample weighs as much as its class (one output only)."""
    if isinstance(y, (list, tuple)):
        raise ValueError(f"{where}: class_weight is only supported for models with one output; "
                         f"model '{model.name}' has {len(y)}. Pass sample_weight instead")
    y = numpy.asarray(y)
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y))
    labels = labels.astype(int)
    missing = set(numpy.unique(labels).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f"class_weight has no entry for class(es) {sorted(missing)}; it has "
                         f"{sorted(class_weight)}")
    table = numpy.zeros(int(labels.max()) + 1, dtype="float32")
    for k, w in class_weight.items():
        if 0 <= int(k) < len(table):
            table[int(k)] = w
    return table[labels]
