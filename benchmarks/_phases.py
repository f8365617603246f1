"""Per-phase timers of a training step for benchmarks/scaling_speed.py ``--phases``.

Wraps the pieces of ``fit`` that a step goes through (fetching the batch, the loss, the
backward pass, the gradient all-reduce, the optimizer update, the metrics) with a timer that
adds their wall time (``perf_counter``) and CPU time (``process_time``) per phase; the
forward pass is the step minus its timed parts, and "loop" is ``fit`` minus the steps and
the data (callbacks, the epoch's logs). In a job of several ranks the all-reduce is split
into the wait for the slowest rank (a barrier just before it) and the transfer itself.
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
        self.wrap(model.optimizer, "apply_gradients", "optimizer")
        self.wrap(Tensor, "backward", "backward")
        if dist.size() > 1:
            self.wrap(_Shards, "__getitem__", "data")
            self.wrap(_Step, "reduce_step", "reduce")
            original = _world.allreduce_
            transfer = self._timed(original, "transfer")
            barrier = self._timed(
                lambda: _world._wait(_world.WORLD.comm.Ibarrier(), "the barrier"), "wait")

            def allreduce_(array, what="allreduce"):
                if what != "the gradient allreduce":
                    return original(array, what)
                barrier()
                return transfer(array, what)

            _world.allreduce_ = allreduce_
        else:
            self.wrap(ArrayAdapter, "_take", "data")
        return self

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
                "forward": clock["step"] - sum(clock[k] for k in timed),
                "copy+scale": clock["reduce"] - clock["wait"] - clock["transfer"],
                "loop": clock["fit"] - clock["step"] - clock["data"] - clock["startup"],
            }
            for phase in NAMES:
                value = derived[phase] if phase in derived else clock[phase]
                out.setdefault(phase, [0.0, 0.0])[name] = value
        return out
