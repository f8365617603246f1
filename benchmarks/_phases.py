"""Per-phase timers of a training step for benchmarks/scaling_speed.py ``--phases``.

Wraps the pieces of ``fit`` that a step goes through (fetching the batch, the loss, the
backward pass, the gradient all-reduce, the optimizer update, the metrics) with a timer that
adds their wall time (``perf_counter``) and CPU time (``process_time``) per phase; the
forward pass is the step minus its timed parts, and "loop" is ``fit`` minus the steps and
the data (callbacks, the epoch's logs). In a job of several ranks the gradient reduction is
split into the wait for the slowest rank (a barrier just before it) and the transfer itself
(with the sharded update, lamina.distributed.sharded, the reduce-scatter and the all-gather
of the weights; the optimizer, on the rank's chunk, then runs between the two).
"""

from __future__ import annotations

import time
from collections import defaultdict

#: the phases in the order printed
NAMES = ("startup", "data", "forward", "loss", "backward", "copy+scale", "wait", "transfer",
         "optimizer", "metrics", "loop")


class Phases:
    def __init__(self):
        self.wall, self.cpu = defaultdict(float), defaultdict(float)
        self.steps, self._fit_start = 0, None
        self.sharded = False  # whether the optimizer ran inside the reduction (sharded)

    def _timed(self, inner, label, first=None):
        def timed(*args, **kwargs):
            if first is not None and not self.steps:
                first()
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.wall[label] += time.perf_counter() - wall
                self.cpu[label] += time.process_time() - cpu
        return timed

    def wrap(self, owner, attribute, label, first=None):
        setattr(owner, attribute, self._timed(getattr(owner, attribute), label, first))

    def install(self, model):
        """Wrap the model's step and the library functions it calls (before ``fit``)."""
        import lamina.distributed as dist
        from lamina.autograd.tensor import Tensor
        from lamina.distributed import _world
        from lamina.distributed.fit import _Shards, _Step
        from lamina.models.data_adapter import ArrayAdapter

        def started():
            self.wall["startup"] = time.perf_counter() - self._fit_start[0]
            self.cpu["startup"] = time.process_time() - self._fit_start[1]

        def counted(inner):
            def step(*args, **kwargs):
                value = inner(*args, **kwargs)
                self.steps += 1
                return value
            return step

        model._train_step = counted(self._timed(model._train_step, "step", started))
        self.wrap(model, "_compute_loss", "loss")
        self.wrap(model, "_update_metrics", "metrics")
        self.wrap(model.optimizer, "apply", "optimizer")  # inside "reduce" when sharded
        self.wrap(Tensor, "backward", "backward")
        if dist.size() > 1:
            self.wrap(_Shards, "__getitem__", "data")
            reduce_step = self._timed(_Step.reduce_step, "reduce")

            def reduce(step, *args):
                value = reduce_step(step, *args)
                self.sharded = step.sharded is not None
                return value
            _Step.reduce_step = reduce
            barrier = self._timed(
                lambda: _world._wait(_world.WORLD.comm.Ibarrier(), "the barrier"), "wait")
            for name in ("allreduce_", "reduce_scatter_", "allgather_"):
                setattr(_world, name, self._split_wait(getattr(_world, name), barrier))
            self._shared_memory(_world)
        else:
            self.wrap(ArrayAdapter, "_take", "data")
        return self

    def _split_wait(self, original, barrier):
        """``original`` (a collective) timed as "transfer" for the step's gradients and
        weights, after a barrier timed as "wait" before the gradients' reduction."""
        transfer = self._timed(original, "transfer")

        def collective(*args, **kwargs):
            what = args[-1] if isinstance(args[-1], str) else kwargs.get("what", "")
            if what in ("the gradient allreduce", "the gradient reduce-scatter"):
                barrier()
            elif what != "the weight all-gather":
                return original(*args, **kwargs)
            return transfer(*args, **kwargs)
        return collective

    def _shared_memory(self, _world):
        """The shared-memory exchange (lamina.distributed._node): its first barrier is the
        "wait"; the sum of the gradient rows and the barrier after the update, "transfer"."""
        from lamina.distributed._node import NodeExchange

        original_barrier, original_reduce = _world.barrier_, NodeExchange.reduce
        wait, after = self._timed(original_barrier, "wait"), self._timed(original_barrier,
                                                                          "transfer")

        def barrier_(what="barrier", nbytes=0):
            if what == "the gradient reduce-scatter":
                return wait(what, nbytes)
            if what == "the weight update":
                return after(what, nbytes)
            return original_barrier(what, nbytes)

        def reduce(exchange, received, what):
            wall, cpu = time.perf_counter(), time.process_time()
            waited = (self.wall["wait"], self.cpu["wait"])
            try:
                return original_reduce(exchange, received, what)
            finally:  # the time in it but not in its barrier
                self.wall["transfer"] += time.perf_counter() - wall - (
                    self.wall["wait"] - waited[0])
                self.cpu["transfer"] += time.process_time() - cpu - (
                    self.cpu["wait"] - waited[1])

        _world.barrier_, NodeExchange.reduce = barrier_, reduce

    def fit(self, fit, **kwargs):
        self._fit_start = (time.perf_counter(), time.process_time())
        history = fit(**kwargs)
        self.wall["fit"] = time.perf_counter() - self._fit_start[0]
        self.cpu["fit"] = time.process_time() - self._fit_start[1]
        return history

    def table(self) -> dict:
        """``{phase: (wall s, CPU s)}`` over the whole ``fit``; the phases add up to it."""
        out = {}
        for clock, name in ((self.wall, 0), (self.cpu, 1)):
            timed = ("loss", "backward", "reduce", "optimizer", "metrics")
            derived = {
                "forward": clock["step"] - sum(clock[k] for k in timed)
                + (clock["optimizer"] if self.sharded else 0.0),
                "copy+scale": clock["reduce"] - clock["wait"] - clock["transfer"]
                - (clock["optimizer"] if self.sharded else 0.0),
                "loop": clock["fit"] - clock["step"] - clock["data"] - clock["startup"],
            }
            for phase in NAMES:
                value = derived[phase] if phase in derived else clock[phase]
                out.setdefault(phase, [0.0, 0.0])[name] = value
        return out
