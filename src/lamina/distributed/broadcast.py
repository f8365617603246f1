"""Start every rank from rank 0's weights (and optimizer state): one broadcast of raw bytes."""

from __future__ import annotations

import numpy

from lamina.distributed import _world


def _broadcast_arrays(arrays, what):
    """Overwrite each array (in place) with rank 0's, bit for bit, in one broadcast."""
    arrays = list(arrays)
    if _world.size() == 1 or not arrays:
        return
    sizes = [a.nbytes for a in arrays]
    buf = numpy.empty(sum(sizes), dtype=numpy.uint8)
    lo = 0
    for a, n in zip(arrays, sizes):
        buf[lo:lo + n] = numpy.ascontiguousarray(a).reshape(-1).view(numpy.uint8)
        lo += n
    _world.broadcast_(buf, 0, what)
    lo = 0
    for a, n in zip(arrays, sizes):
        a[...] = buf[lo:lo + n].view(a.dtype).reshape(a.shape)
        lo += n


def broadcast_weights(model, optimizer=None) -> None:
    """Give every rank rank 0's weights (trainable and not) and, if ``optimizer`` (default
    ``model.optimizer``) has state already, its slots and step count. The model must be built.
    A no-op in a one-process run."""
    if _world.size() == 1:
        return
    if not getattr(model, "built", True):
        raise ValueError(f"broadcast_weights: model '{model.name}' is not built; give it an "
                         "Input layer or call it on a batch first")
    _broadcast_arrays([w.data for w in model.weights], "the weight broadcast")
    optimizer = optimizer if optimizer is not None else getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        state = optimizer.get_state()
        keys = sorted(state)
        arrays = [numpy.array(state[k]) for k in keys]
        _broadcast_arrays(arrays, "the optimizer-state broadcast")
        optimizer.set_state(dict(zip(keys, arrays)))


def common_seed(seed):
    """``seed`` if it is an int, else a seed drawn on rank 0 and sent to every rank: all ranks
    must shuffle the same way to take disjoint shards of the same global batches."""
    if isinstance(seed, (int, numpy.integer)) and not isinstance(seed, bool):
        return int(seed)
    from lamina.random import make_rng

    value = numpy.array([make_rng(seed).integers(2**62)], dtype=numpy.int64)
    _world.broadcast_(value, 0, "the seed broadcast")
    return int(value[0])
