"""Turn what ``fit``/``evaluate``/``predict`` receive into batches.

Accepted, as in Keras: NumPy arrays (or lists/tuples of arrays for several inputs),
a ``Sequence``-like object (``__len__`` and ``__getitem__`` giving ``(x, y)`` or
``(x, y, sample_weight)`` batches), or a Python generator/iterator of such batches.
"""

from __future__ import annotations

import warnings

import numpy

from lamina._checks import as_int, is_int
from lamina.random import make_rng


def _base_seed(seed) -> int:
    """An int from which each epoch's shuffling order is derived (``[seed, epoch]``), so
    that resuming at ``initial_epoch`` replays the same orders as an unbroken run."""
    if is_int(seed):
        return int(seed)
    return int(make_rng(seed).integers(2**62))


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def is_array_data(x) -> bool:
    return all(hasattr(a, "shape") and hasattr(a, "dtype") for a in _as_list(x))


def _float(a, dtype):
    return a if a.dtype == dtype else a.astype(dtype)


def _target_array(a, dtype):
    if a is None:
        return None
    a = numpy.asarray(a)
    return _float(a, numpy.dtype(dtype)) if a.dtype.kind == "f" else a


def _slice(arrays, index):
    """``arrays`` (one array, a list of arrays or Nones, or None) cut to ``index``."""
    if isinstance(arrays, list):
        return [None if a is None else a[index] for a in arrays]
    return None if arrays is None else arrays[index]


def _lengths(arrays) -> list[int]:
    items = arrays if isinstance(arrays, list) else [arrays]
    return [len(a) for a in items if a is not None]


class ArrayAdapter:
    """Batches of in-memory arrays, shuffled per epoch with a seeded generator.

    ``x`` is an array or a list of arrays (several inputs); with ``several_outputs``,
    ``y`` and ``sample_weight`` are lists with one array (or None) per output, and a
    batch gives lists too."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, seed=None,
                 dtype="float32", steps=None, several_outputs=False):
        self.multi_input = isinstance(x, (list, tuple))
        self.xs = [_float(numpy.asarray(a), numpy.dtype(dtype)) if numpy.asarray(a).dtype.kind
                   in "fiub" else numpy.asarray(a) for a in _as_list(x)]
        if several_outputs and y is not None:
            self.y = [_target_array(a, dtype) for a in y]
        else:
            self.y = _target_array(y, dtype)
        if several_outputs and isinstance(sample_weight, (list, tuple)):
            self.sw = [None if w is None else numpy.asarray(w, dtype=dtype)
                       for w in sample_weight]
        else:
            self.sw = None if sample_weight is None else numpy.asarray(sample_weight, dtype=dtype)
        sizes = {"x": [len(a) for a in self.xs]}
        if _lengths(self.y):
            sizes["y"] = _lengths(self.y)
        if _lengths(self.sw):
            sizes["sample_weight"] = _lengths(self.sw)
        flat = {n for v in sizes.values() for n in v}
        if len(flat) > 1:
            detail = " ".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
            raise ValueError("Data cardinality is ambiguous: x, y and sample_weight must contain "
                             f"the same number of samples. {detail}")
        self.num_samples = flat.pop() if flat else 0
        if self.num_samples == 0:
            raise ValueError("The data is empty: x has 0 samples")
        if batch_size is None:  # as Keras: steps alone fix the batch size
            batch_size = -(-self.num_samples // steps) if steps else 32
        self.batch_size, self.shuffle, self.steps_per_epoch = batch_size, shuffle, steps
        self.seed = _base_seed(seed) if shuffle else None

    @property
    def num_batches(self) -> int:
        """Batches in one pass over the data."""
        return -(-self.num_samples // self.batch_size)

    @property
    def steps(self) -> int:
        """Steps of one epoch: ``steps_per_epoch`` when given, else one pass."""
        return self.steps_per_epoch or self.num_batches

    def _take(self, index):
        xs = [a[index] for a in self.xs]
        x = xs if self.multi_input else xs[0]
        return x, _slice(self.y, index), _slice(self.sw, index)

    def _epoch_span(self, epoch: int):
        """``(pass, first batch, batch count)`` of an epoch, as Keras 3 iterates arrays:
        with ``steps_per_epoch`` each epoch continues the current pass over the data, and
        an epoch that reaches the end of a pass stops there (a new pass, reshuffled, starts
        the next epoch). Computed from the epoch number, so resuming replays it."""
        total, steps = self.num_batches, self.steps_per_epoch
        if steps is None:
            return epoch, 0, total
        per_pass = -(-total // steps)
        pass_index, k = divmod(epoch, per_pass)
        first = k * steps
        return pass_index, first, min(steps, total - first)

    def batches(self, epoch: int = 0, part=None):
        """The batches of one epoch (passes shuffled by ``[seed, pass]`` when shuffling).
        ``part=(k, n)``: only the k-th of n equal contiguous slices of each batch (a
        data-parallel rank's share, ``len(batch) // n`` samples), gathered alone."""
        n, bs = self.num_samples, self.batch_size
        pass_index, first, count = self._epoch_span(epoch)
        if count < self.steps:
            warnings.warn(
                f"steps_per_epoch={self.steps} is more than the {count} batches left in this "
                f"pass over the data ({n} samples in batches of {bs}); the epoch ends after "
                f"{count} steps, as in Keras", stacklevel=2)
        order = numpy.random.default_rng([self.seed, pass_index]).permutation(n) \
            if self.shuffle else None
        for b in range(first, first + count):
            start = b * bs
            stop = min(start + bs, n)
            if part is not None:
                share = (stop - start) // part[1]
                start, stop = start + part[0] * share, start + (part[0] + 1) * share
            yield self._take(slice(start, stop) if order is None else order[start:stop])

    def split(self, fraction: float):
        """Keras's ``validation_split``: the last ``fraction`` of the samples, before shuffling."""
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"validation_split must be in (0, 1); received {fraction!r}")
        cut = int(self.num_samples * (1.0 - fraction))
        if cut == 0 or cut == self.num_samples:
            raise ValueError(f"validation_split={fraction} leaves an empty training or validation "
                             f"set for {self.num_samples} samples")

        def part(index):
            adapter = object.__new__(ArrayAdapter)
            adapter.__dict__.update(self.__dict__)
            adapter.xs = [a[index] for a in self.xs]
            adapter.y, adapter.sw = _slice(self.y, index), _slice(self.sw, index)
            adapter.num_samples = len(adapter.xs[0])
            return adapter

        val = part(slice(cut, None))
        val.shuffle, val.seed = False, None
        return part(slice(0, cut)), val


def _unpack(batch):
    if isinstance(batch, tuple):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch
    if isinstance(batch, list):
        return batch, None, None
    return batch, None, None


class SequenceAdapter:
    """Batches from a Keras-style ``Sequence`` (``len()`` batches, ``seq[i]``)."""

    def __init__(self, sequence, shuffle=False, seed=None, steps=None):
        self.sequence, self.shuffle = sequence, shuffle
        self.seed = _base_seed(seed) if shuffle else None
        self.steps = min(len(sequence), steps) if steps is not None else len(sequence)

    def batches(self, epoch: int = 0):
        n = len(self.sequence)
        order = numpy.random.default_rng([self.seed, epoch]).permutation(n) if self.shuffle \
            else range(n)
        for i, index in enumerate(order):
            if i >= self.steps:
                break
            yield _unpack(self.sequence[int(index)])
        if hasattr(self.sequence, "on_epoch_end"):
            self.sequence.on_epoch_end()


class GeneratorAdapter:
    """Batches from a generator; ``steps`` batches per epoch (all it gives when None)."""

    def __init__(self, generator, steps=None):
        self.iterator, self.steps = iter(generator), steps

    def batches(self, epoch: int = 0):
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(self.iterator)
            except StopIteration:
                if self.steps is not None and count < self.steps:
                    raise ValueError(f"The generator ran out after {count} batches; expected "
                                     f"steps={self.steps}") from None
                return
            count += 1
            yield _unpack(batch)


def unwrap_tensors(value):
    """Tensors given as data (``fit(x, ops.one_hot(y, 10))``) as their arrays, inside lists,
    tuples and dicts too: Keras takes its backend's tensors wherever it takes arrays."""
    from lamina.autograd import Tensor

    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(unwrap_tensors(v) for v in value)
    if isinstance(value, dict):
        return {k: unwrap_tensors(v) for k, v in value.items()}
    return value


def make_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, seed=None,
                 steps=None, dtype="float32", where="fit", steps_name="steps",
                 several_outputs=False):
    """Pick the adapter for ``x`` (arrays, Tensors, Sequence or generator).

    ``batch_size`` and ``steps`` (called ``steps_name`` in errors from ``where``) are
    None or positive ints (NumPy integers too)."""
    x, y, sample_weight = unwrap_tensors(x), unwrap_tensors(y), unwrap_tensors(sample_weight)
    if x is None:
        raise ValueError(f"{where}: no data: x is None")
    if batch_size is not None:
        batch_size = as_int(batch_size, "batch_size", where)
    if steps is not None:
        steps = as_int(steps, steps_name, where)
    if isinstance(x, (list, tuple)) and x and not is_array_data(x):
        text = any(isinstance(i, (str, bytes)) for i in x)  # strings stay Python objects
        x = numpy.asarray(x, dtype=object if text else None)  # or a nested list of numbers
    if is_array_data(x):
        return ArrayAdapter(x, y, sample_weight, batch_size, shuffle, seed, dtype, steps,
                            several_outputs)
    if y is not None:
        raise ValueError("When x is a Sequence or a generator it must yield (x, y) batches; "
                         "do not pass y separately")
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):
        return SequenceAdapter(x, shuffle, seed, steps)
    if hasattr(x, "__iter__") or hasattr(x, "__next__"):
        return GeneratorAdapter(x, steps)
    raise TypeError(f"Unrecognized data type for x: {type(x).__name__}; expected NumPy arrays, a "
                    "Sequence or a generator")
