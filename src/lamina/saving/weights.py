"""A model's weights as ``.npz`` arrays keyed ``"{index:04d}|{path}"``, and back.

The index is the position in ``model.weights``; reading orders by the index as a
number (``"10000|..."`` comes after ``"9999|..."``, which string order gets wrong),
and every declared shape and dtype is checked against the model before any data is
read, so a file can never make a load allocate more than the model's own weights.
"""

from __future__ import annotations

import numpy

from lamina.saving.npz import NpzReader

_ENTRY_OVERHEAD = 512  # zip headers and the .npy header of one array, with room to spare


def weights_dict(model) -> dict:
    return {f"{i:04d}|{v.path}": v.data for i, v in enumerate(model.weights)}


def _nbytes(var) -> int:
    return int(numpy.prod(var.shape, dtype=numpy.int64)) * 8  # room for float64 files


def npz_limit(variables) -> int:
    """The most bytes an ``.npz`` of ``variables`` can need (float64 counted for all)."""
    return sum(_nbytes(v) + _ENTRY_OVERHEAD + 2 * len(v.path) for v in variables) + 4096


def _index(key: str, count: int, where: str) -> int:
    head = key.split("|", 1)[0]
    if not head.isdigit() or "|" not in key or int(head) >= count:
        raise ValueError(f"{where}: unexpected array {key!r} in the weights; expected names "
                         f"'<index>|<path>' with an index below {count}")
    return int(head)


def read_weights(reader: NpzReader, model, where: str, skip_mismatch=False) -> None:
    """Assign the arrays of ``reader`` to ``model.weights``, matched by their index."""
    variables = model.weights
    keys = reader.keys
    if len(keys) != len(variables):
        raise ValueError(f"{where}: the file holds {len(keys)} weights but model "
                         f"'{model.name}' has {len(variables)}; the architectures differ")
    by_index = {}
    for key in keys:
        i = _index(key, len(variables), where)
        if i in by_index:
            raise ValueError(f"{where}: weights {by_index[i]!r} and {key!r} have the same "
                             "index; refusing to guess which one is meant")
        by_index[i] = key
    wanted = []
    for i, var in enumerate(variables):
        key = by_index[i]
        shape, _ = reader.header(key)  # refuses strings, records, complex, objects
        if shape != tuple(var.shape):
            if skip_mismatch:
                continue
            raise ValueError(f"{where}: weight {key.split('|', 1)[-1]!r} has shape {shape} "
                             f"in the file but {var.path!r} has shape {var.shape}")
        wanted.append((var, key))
    for var, key in wanted:
        if reader.fits(key, var.data):
            reader.read(key, out=var.data)  # in place: no second copy of the weight
        else:
            var.assign(reader.read(key))


def read_state(reader: NpzReader, variables, where: str) -> dict:
    """The optimizer state in ``reader``, each array no larger than the largest of
    ``variables`` (slots are shaped like them) and all within :func:`npz_limit` x 4."""
    largest = max((_nbytes(v) for v in variables), default=8)
    limit = 4 * npz_limit(variables)
    total = 0
    for key in reader.keys:
        nbytes = reader.nbytes(key)
        total += nbytes
        if nbytes > max(largest, 8) or total > limit:
            raise ValueError(f"{where}: optimizer state {key!r} declares {nbytes} bytes, more "
                             "than any weight of this model needs; refusing to read it")
    return {key: reader.lazy(key) for key in reader.keys}
