"""Keras-style ``Sequence``: a dataset that hands out batches by index.

``model.fit`` accepts any object with ``__len__`` (batches per epoch) and
``__getitem__`` (batch ``i`` as ``(x, y)`` or ``(x, y, sample_weight)``), and calls
``on_epoch_end()`` after each epoch. Subclass :class:`Sequence` to stream data that
does not fit in memory, or use :class:`ArraySequence` for arrays with augmentation.
"""

from __future__ import annotations

import numpy

from lamina.data.batching import _is_int, check_arrays
from lamina.random import make_rng

__all__ = ["ArraySequence", "PyDataset", "Sequence"]


class Sequence:
    """Base class for batch-indexed datasets (``keras.utils.Sequence``).

    Override ``__len__`` and ``__getitem__``; ``on_epoch_end`` is an optional hook,
    e.g. to reshuffle. Example::

        class Squares(Sequence):
            def __len__(self):
                return 10
            def __getitem__(self, i):
                x = numpy.full((4, 1), float(i))
                return x, x ** 2
    """

    workers, use_multiprocessing, max_queue_size = 1, False, 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        """Keras's ``PyDataset`` arguments, kept as attributes. lamina reads the batches in the
        training loop itself, in index order, one at a time: the batches Keras's workers would
        load, without parallel loading."""
        self.workers, self.use_multiprocessing = workers, use_multiprocessing
        self.max_queue_size = max_queue_size

    @property
    def num_batches(self) -> int:
        """Batches per epoch (Keras's ``PyDataset.num_batches``)."""
        return len(self)

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ "
                                  "(the number of batches per epoch)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__ "
                                  "(batch `index` as (x, y))")

    def on_epoch_end(self) -> None:
        """Called by ``fit`` after every epoch; does nothing by default."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence  # Keras 3's name for the same idea


class ArraySequence(Sequence):
    """Batches of in-memory arrays, reshuffled every epoch, optionally augmented.

    Args:
        x: array ``(N, ...)`` or a list/tuple of arrays (several inputs).
        y: optional targets ``(N, ...)``; without them a batch is ``x`` alone.
        batch_size: samples per batch (the last batch may be smaller).
        shuffle: draw a new sample order every epoch (from ``seed`` and the epoch).
        seed: int or ``numpy.random.Generator``; the same int gives the same orders.
        augment: callable ``x_batch -> x_batch`` (e.g. :class:`ImageAugmenter`) applied
            to ``x`` of each batch, never to ``y``.
        sample_weight: optional per-sample weights ``(N,)``, returned as a third item.

    Example::

        seq = ArraySequence(x_train, y_train, batch_size=64, seed=0,
                            augment=ImageAugmenter(rotation_range=10, seed=0))
        model.fit(seq, epochs=5)
    """

    def __init__(self, x, y=None, batch_size=32, shuffle=True, seed=None, augment=None,
                 sample_weight=None):
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(f"ArraySequence: batch_size must be a positive int; received "
                             f"batch_size={batch_size!r}")
        if augment is not None and not callable(augment):
            raise TypeError(f"ArraySequence: augment must be a callable batch -> batch; "
                            f"received augment={augment!r}")
        self.xs, self.y, self.num_samples, self.multi_input = check_arrays("ArraySequence", x, y)
        if self.num_samples == 0:
            raise ValueError("ArraySequence: x has 0 samples")
        self.sample_weight = None if sample_weight is None else numpy.asarray(sample_weight)
        if self.sample_weight is not None and len(self.sample_weight) != self.num_samples:
            raise ValueError(f"ArraySequence: sample_weight has {len(self.sample_weight)} "
                             f"entries; expected {self.num_samples}, one per sample")
        self.batch_size, self.shuffle, self.augment = batch_size, shuffle, augment
        self.seed = int(make_rng(seed).integers(2**62)) if shuffle else None
        self.epoch = 0
        self._order = self._make_order()

    def _make_order(self):
        if not self.shuffle:
            return None
        return numpy.random.default_rng([self.seed, self.epoch]).permutation(self.num_samples)

    def __len__(self) -> int:
        return -(-self.num_samples // self.batch_size)

    def __getitem__(self, index):
        if not _is_int(index):
            raise TypeError(f"ArraySequence: batch index must be an int; received {index!r}")
        steps = len(self)
        if not -steps <= index < steps:
            raise IndexError(f"ArraySequence: batch index {index} out of range for "
                             f"{steps} batches")
        index %= steps
        start = index * self.batch_size
        end = min(start + self.batch_size, self.num_samples)
        rows = slice(start, end) if self._order is None else self._order[start:end]
        xs = [a[rows] for a in self.xs]
        x = xs if self.multi_input else xs[0]
        if self.augment is not None:
            x = self.augment(x)
        if self.y is None:
            return x
        if self.sample_weight is None:
            return x, self.y[rows]
        return x, self.y[rows], self.sample_weight[rows]

    def on_epoch_end(self) -> None:
        """Advance to the next epoch and draw its sample order."""
        self.epoch += 1
        self._order = self._make_order()
