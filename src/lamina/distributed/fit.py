"""``model.fit(..., distributed=True)``: the same ``fit`` on every rank, data-parallel.

What each rank does (Horovod's recipe, inside ``fit``):

* the shuffling seed and the initial weights (and optimizer state) come from rank 0;
* every global batch of ``batch_size`` samples (the same batches on every rank) is cut in
  ``size()`` equal shards and rank ``r`` trains on shard ``r``; the last batch of an epoch
  is cut to a multiple of the number of ranks (at most ``size() - 1`` samples are left out
  per epoch, a different few each epoch when shuffling);
* after the backward pass the gradients of all ranks, each divided by the number of ranks,
  and the loss are summed on a fused flat buffer: the update is the one-process update for
  the global batch, so the learning rate is per global batch. With lamina's own optimizers
  (without ``clipnorm`` / ``global_clipnorm``) the update is sharded
  (lamina.distributed.sharded): a reduce-scatter, each rank updates its 1/n of the weights,
  an all-gather; the optimizer's slots are made whole on every rank at each epoch's end;
  with other optimizers, a callback that saves every few batches, or
  ``LAMINA_DISTRIBUTED_SHARD=0``, one Allreduce and the whole update on every rank;
* the batch logs' ``loss`` is that global loss (so ``TerminateOnNaN`` stops every rank at
  the same step); the other batch-level metrics are each rank's own; the epoch logs (the
  metrics and the validation results, each rank validating on its own part of the
  validation data) are averaged over the ranks, weighted by their numbers of samples,
  before any callback sees them, so ``EarlyStopping`` and ``ReduceLROnPlateau`` decide
  the same on every rank; a stop asked by any rank at the end of an epoch stops all;
* the progress bar, ``CSVLogger`` and ``ModelCheckpoint`` (and any callback with
  ``rank_zero_only = True``) run on rank 0 only; ``History`` is kept on every rank (it
  writes nothing and holds the same averaged logs everywhere); ``BackupAndRestore`` writes
  on rank 0 only and is read by every rank when a relaunched job starts (the backup
  directory must be on a file system all ranks see, as on any cluster).
"""

from __future__ import annotations

import os
import traceback

import numpy

from lamina.autograd.function import clear_gradient_buffers
from lamina.distributed import _world
from lamina.distributed.broadcast import broadcast_weights, common_seed
from lamina.distributed.fused import FusedAllreduce
from lamina.distributed.sharded import ShardedUpdate, shardable


def _rank_zero_only(callback) -> bool:
    from lamina.callbacks import CSVLogger, ModelCheckpoint, ProgbarLogger

    return isinstance(callback, (CSVLogger, ModelCheckpoint, ProgbarLogger)) or bool(
        getattr(callback, "rank_zero_only", False))


def _cut(value, part):
    """``value[part]`` for an array, each array of a list, tuple or dict (several inputs or
    outputs), or None."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _cut(v, part) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cut(v, part) for v in value)
    return value[part]


class _Shards:
    """The rank's shard of each global batch, as a ``Sequence`` for the inner ``fit``."""

    def __init__(self, adapter, epoch):
        self.adapter, self.epoch = adapter, epoch
        self.n, self.rank = _world.size(), _world.rank()
        self._batches, self._next = None, 0
        self._gathered_alone = hasattr(adapter, "num_samples")  # an ArrayAdapter
        if self._gathered_alone and not adapter.steps_per_epoch:
            # arrays: the last batch counts if it has at least n samples
            full, rest = divmod(adapter.num_samples, adapter.batch_size)
            self.steps = full + (rest >= self.n)
        elif adapter.steps is None:
            raise ValueError("fit(distributed=True): with a generator, pass steps_per_epoch "
                             "(every rank must run the same number of steps)")
        else:
            self.steps = adapter.steps

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        if self._batches is None or index != self._next:
            if index != 0:
                raise IndexError(f"fit(distributed=True) reads the batches in order; asked "
                                 f"for batch {index} after {self._next - 1}")
            self._batches, self._next = self._epoch_batches(), 0
        x, y, sw = next(self._batches)
        self._next = index + 1
        first = next(iter(x.values())) if isinstance(x, dict) else \
            x[0] if isinstance(x, (list, tuple)) else x
        share = len(first) if self._gathered_alone else len(first) // self.n
        if share == 0:
            given = "" if self._gathered_alone else f" ({len(first)})"
            raise ValueError(f"fit(distributed=True): batch {index} has fewer samples{given} "
                             f"than the {self.n} ranks")
        if self._gathered_alone:
            return x, y, sw
        part = slice(self.rank * share, (self.rank + 1) * share)
        return _cut(x, part), _cut(y, part), _cut(sw, part)

    def _epoch_batches(self):
        if self._gathered_alone:  # arrays: gather this rank's share alone, not the batch
            return self.adapter.batches(self.epoch, part=(self.rank, self.n))
        return self.adapter.batches(self.epoch)

    def start_epoch(self, epoch):
        self.epoch, self._batches, self._next = epoch, None, 0


class _Step:
    """``model._distribution`` during ``fit``: the trainer's hook between backward and update.

    Sharded (lamina.distributed.sharded) when the optimizer allows it: the hook then does
    the update itself and empties ``grads_and_vars``, so the trainer's ``apply_gradients``
    has nothing left to do; otherwise one all-reduce, and the trainer updates."""

    def __init__(self, optimizer, shard=True):
        self.optimizer, self.shard = optimizer, shard
        self.allreduce, self.sharded = FusedAllreduce(), None

    def reduce_step(self, grads_and_vars, loss):
        variables = [v for _, v in grads_and_vars]
        if self.shard and self.sharded is None and shardable(self.optimizer, variables):
            self.sharded = ShardedUpdate(self.optimizer)
        if self.sharded is not None:
            (loss_sum,) = self.sharded(grads_and_vars, [loss])
            grads_and_vars.clear()  # updated: nothing left for apply_gradients
            return loss_sum / _world.size()
        grads, _ = zip(*grads_and_vars) if grads_and_vars else ((), ())
        shapes = [v.data.shape for v in variables]
        averaged, (loss_sum,) = self.allreduce(list(grads), shapes, [loss])
        for i, (g, (_, v)) in enumerate(zip(averaged, grads_and_vars)):
            grads_and_vars[i] = (g, v)
        return loss_sum / _world.size()

    def gather_state(self):
        """The optimizer's state whole on every rank (a no-op unless sharded)."""
        if self.sharded is not None:
            self.sharded.gather_state()

    def finish(self):
        """At the end of training: the whole state, and each rank's own weight arrays."""
        if self.sharded is not None:
            self.sharded.gather_state()
            self.sharded.release()


def _shard_allowed(callbacks) -> bool:
    """Sharding leaves the optimizer's slots whole only at epoch ends: not with a callback
    that saves every few batches, nor when LAMINA_DISTRIBUTED_SHARD=0."""
    if os.environ.get("LAMINA_DISTRIBUTED_SHARD", "1") == "0":
        return False
    listed = callbacks if isinstance(callbacks, (list, tuple)) else [callbacks]
    return not any(getattr(c, "save_freq", "epoch") != "epoch" for c in listed if c)


def _average_logs(logs, val_weight):
    """Epoch logs averaged over the ranks (``loss`` is global already); ``val_`` entries
    weighted by each rank's number of validation samples, the others equally."""
    keys = sorted(k for k, v in logs.items() if k != "loss" and isinstance(v, (int, float)))
    weights = [val_weight if k.startswith("val_") else 1.0 for k in keys]
    vec = numpy.array([v * w if w else 0.0 for v, w in zip((logs[k] for k in keys), weights)]
                      + [1.0, val_weight], dtype=numpy.float64)
    _world.allreduce_(vec, "the epoch-log average")
    train_total, val_total = vec[-2], vec[-1]
    for i, k in enumerate(keys):
        total = val_total if k.startswith("val_") else train_total
        logs[k] = float(vec[i] / total) if total else float("nan")


def _callbacks(callbacks, val_weight, shards, step):
    from lamina.callbacks import BackupAndRestore, Callback

    class AverageLogs(Callback):  # first: every later callback sees the averaged logs
        def on_epoch_begin(self, epoch, logs=None):
            shards.start_epoch(epoch)  # also right after a BackupAndRestore resume

        def on_epoch_end(self, epoch, logs=None):
            step.gather_state()  # before any callback saves the optimizer's state
            _average_logs(logs, val_weight)

        def on_train_end(self, logs=None):
            step.finish()

    class RestoreOnly(Callback):  # BackupAndRestore off rank 0: reads the backup, never writes
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def set_model(self, model):
            super().set_model(model)
            self.inner.set_model(model)

        def set_params(self, params):
            super().set_params(params)
            self.inner.set_params(params)

        def on_train_begin(self, logs=None):
            self.inner.on_train_begin(logs)

    class AgreeToStop(Callback):  # last: one rank's stop stops all
        def on_epoch_end(self, epoch, logs=None):
            flag = numpy.array([float(bool(self.model.stop_training))])
            _world.allreduce_(flag, "the stop vote")
            self.model.stop_training = bool(flag[0])

    if callbacks is None:
        callbacks = []
    elif not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    mine = [c for c in callbacks if _world.rank() == 0 or not _rank_zero_only(c)]
    if _world.rank() != 0:
        mine = [RestoreOnly(c) if isinstance(c, BackupAndRestore) else c for c in mine]
    return [AverageLogs(), *mine, AgreeToStop()]


def _validation_part(val, rank, n):
    """This rank's contiguous block of the validation arrays ``(x, y, sw)``."""
    x, y, sw = val
    first = x[0] if isinstance(x, (list, tuple)) else x
    if len(first) < n:
        raise ValueError(f"fit(distributed=True): {len(first)} validation samples for {n} "
                         "ranks; every rank needs at least one")
    lo, hi = (len(first) * rank) // n, (len(first) * (rank + 1)) // n
    return (_cut(x, slice(lo, hi)), _cut(y, slice(lo, hi)), _cut(sw, slice(lo, hi))), hi - lo


def fit_distributed(model, x=None, y=None, batch_size=None, epochs=1, verbose="auto",
                    callbacks=None, validation_split=0.0, validation_data=None, shuffle=True,
                    class_weight=None, sample_weight=None, initial_epoch=0,
                    steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
                    validation_freq=1, seed=None, augment=None, **kwargs):
    """``model.fit`` on every rank with the semantics of the module docstring."""
    from lamina.autograd import no_grad
    from lamina.distributed.optimizer import is_distributed
    from lamina.models import structures
    from lamina.models.data_adapter import ArrayAdapter, is_array_data, make_adapter

    _world.init()
    model._require_compiled("fit")
    if is_distributed(model.optimizer):
        raise ValueError("fit(distributed=True) averages the gradients itself; compile with "
                         "the plain optimizer (DistributedOptimizer is for your own loops)")
    n, rank = _world.size(), _world.rank()
    x, y, sample_weight = model._standardize(x, y, sample_weight, "fit")
    if sample_weight is None and class_weight is not None and y is not None:
        sample_weight = structures.class_weights_to_samples(class_weight, y, model, "fit")
    seed = common_seed(seed) if shuffle else None
    data = make_adapter(x, y, sample_weight, batch_size, shuffle, seed, steps_per_epoch,
                        model.dtype, "fit", "steps_per_epoch",
                        model._compile_loss.names is not None)
    if isinstance(data, ArrayAdapter) and data.batch_size % n:
        raise ValueError(f"fit(distributed=True): batch_size={data.batch_size} is the global "
                         f"batch and must be a multiple of the {n} ranks")
    val, val_weight = None, 0.0
    if validation_data is not None:
        parts = tuple(validation_data) if isinstance(validation_data, (tuple, list)) else ()
        if not (2 <= len(parts) <= 3 and is_array_data(parts[0])):
            raise ValueError("fit(distributed=True): validation_data must be arrays (x, y) or "
                             "(x, y, sample_weight)")
        val, val_weight = _validation_part((parts + (None,))[:3], rank, n)
    elif validation_split:
        if not hasattr(data, "split"):
            raise ValueError("fit: validation_split needs array data")
        data, held = data.split(validation_split)
        held_x = held.xs if held.multi_input else held.xs[0]
        val, val_weight = _validation_part((held_x, held.y, held.sw), rank, n)
    if not model.built:
        if not isinstance(data, ArrayAdapter):
            raise ValueError("fit(distributed=True): build the model first (an Input layer)")
        with no_grad():
            model([a[:1] for a in data.xs] if data.multi_input else data.xs[0][:1])
    broadcast_weights(model)
    step = model._distribution = _Step(model.optimizer, _shard_allowed(callbacks))
    shards = _Shards(data, initial_epoch)
    try:  # a rank leaving fit early (an exception, sys.exit) would leave the others waiting
        return model.fit(
            shards, epochs=epochs, verbose=verbose if rank == 0 else 0,
            callbacks=_callbacks(callbacks, float(val_weight), shards, step), validation_data=val,
            shuffle=False, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps,
            validation_batch_size=validation_batch_size or max(1, (batch_size or 32) // n),
            validation_freq=validation_freq, augment=augment, **kwargs)
    except BaseException:
        _world.fail(traceback.format_exc())  # ends the job when there are several ranks
        raise
    finally:
        model._distribution = None
        clear_gradient_buffers()  # (released at the end of training; also after an error)
