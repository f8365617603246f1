"""``DistributedOptimizer``: Horovod's wrapper for your own training loops.

    opt = lamina.distributed.DistributedOptimizer(lamina.optimizers.Adam(1e-3))
    ... loss.backward(); opt.apply_gradients([(v.grad, v) for v in variables])

Before each update the gradients of all ranks are averaged with one Allreduce on a fused
flat buffer (:mod:`lamina.distributed.fused`). Each rank should compute its gradients as the
mean loss over its own shard (B/n samples of the global batch B): their average is then the
gradient of the mean loss over the global batch, so the learning rate is the one for a
global batch of B, the same as one process training at batch B. Start all ranks from the
same weights with :func:`lamina.distributed.broadcast_weights`.
"""

from __future__ import annotations

from lamina import optimizers
from lamina.distributed.fused import FusedAllreduce

_CLASSES: dict = {}


class _Distributed:
    """Mixed in before the optimizer's own class: ``apply`` averages over the ranks first."""

    _allreduce = None

    def apply(self, grads, variables=None):
        variables = self._variables if variables is None else list(variables)
        grads = list(grads)
        if len(grads) == len(variables):
            if self._allreduce is None:
                self._allreduce = FusedAllreduce()
            grads, _ = self._allreduce(grads, [v.data.shape for v in variables])
        return super().apply(grads, variables)


def is_distributed(optimizer) -> bool:
    return isinstance(optimizer, _Distributed)


def DistributedOptimizer(optimizer):  # noqa: N802 - Horovod's name for a class-like factory
    """A copy of ``optimizer`` (an instance or a name) whose updates use the gradients
    averaged over all ranks. Its class has the wrapped class's name and config, so a model
    saved with it loads with the plain optimizer."""
    optimizer = optimizers.get(optimizer)
    if is_distributed(optimizer):
        return optimizer
    base = type(optimizer)
    cls = _CLASSES.get(base)
    if cls is None:
        cls = type(base.__name__, (_Distributed, base), {"__module__": base.__module__,
                                                         "__qualname__": base.__qualname__})
        _CLASSES[base] = cls
    wrapped = cls.from_config(optimizer.get_config())
    if optimizer.built or optimizer.iterations:
        wrapped.set_state(optimizer.get_state())
    return wrapped
