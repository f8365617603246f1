"""``timeseries_dataset_from_array``: sliding windows over a series, batched.

Window ``i`` is ``data[start_i : start_i + sequence_length * sampling_rate : sampling_rate]``
and its target ``targets[start_i]``; starts go from ``start_index`` in steps of
``sequence_stride``. Keras returns a ``tf.data.Dataset``; lamina returns a
:class:`TimeseriesDataset` (a PyDataset) that ``fit`` takes.
"""

from __future__ import annotations

import numpy

from lamina._checks import is_int
from lamina.data.sequence import PyDataset
from lamina.random import make_rng

__all__ = ["TimeseriesDataset", "timeseries_dataset_from_array"]


class TimeseriesDataset(PyDataset):
    """Batches of windows of ``data`` (and their targets), the windows cut when read."""

    def __init__(self, data, targets, starts, sequence_length, sampling_rate, batch_size):
        super().__init__()
        self.data, self.targets, self.starts = data, targets, starts
        self.offsets = numpy.arange(sequence_length) * sampling_rate
        self.batch_size = batch_size

    def __len__(self) -> int:
        return -(-len(self.starts) // self.batch_size)

    def __getitem__(self, index):
        if not is_int(index) or not -len(self) <= index < len(self):
            raise IndexError(f"TimeseriesDataset: batch index {index!r} out of range for "
                             f"{len(self)} batches")
        index %= len(self)
        starts = self.starts[index * self.batch_size:(index + 1) * self.batch_size]
        x = self.data[starts[:, None] + self.offsets]
        return x if self.targets is None else (x, self.targets[starts])


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """Keras's ``timeseries_dataset_from_array``; returns :class:`TimeseriesDataset`.
    ``shuffle`` orders the windows randomly once, from ``seed``. ``format`` ('tf' or 'grain')
    picks the kind of dataset in Keras; lamina has one kind and returns it for both."""
    where = "timeseries_dataset_from_array"
    for name, value in (("sequence_length", sequence_length),
                        ("sequence_stride", sequence_stride), ("sampling_rate", sampling_rate),
                        ("batch_size", batch_size)):
        if not is_int(value) or value < 1:
            raise ValueError(f"{where}: {name} must be a positive int; received "
                             f"{name}={value!r}")
    if format not in ("tf", "grain"):
        raise ValueError(f"{where}: format must be 'tf' or 'grain'; received format={format!r}")
    data = numpy.asarray(getattr(data, "data", data))
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    if not 0 <= start_index < end_index <= len(data):
        raise ValueError(f"{where}: need 0 <= start_index < end_index <= len(data) = "
                         f"{len(data)}; received start_index={start_index}, "
                         f"end_index={end_index}")
    if targets is not None:
        targets = numpy.asarray(getattr(targets, "data", targets))
        if len(targets) != len(data):
            raise ValueError(f"{where}: targets has {len(targets)} entries; expected "
                             f"len(data) = {len(data)}")
    last = end_index - (sequence_length - 1) * sampling_rate
    starts = numpy.arange(start_index, max(last, start_index), sequence_stride)
    if shuffle:
        starts = make_rng(seed).permutation(starts)
    return TimeseriesDataset(data, targets, starts, sequence_length, sampling_rate, batch_size)
