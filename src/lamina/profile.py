"""Where training time goes: forward and backward time per layer, loss, optimizer, the rest.

Three ways in::

    import lamina.profile

    with lamina.profile.Profiler() as p:          # around any code
        model.fit(x, y, epochs=1)
    print(p.report())                              # per layer; p.report(by="op"): per op

    p = lamina.profile.profile_model(model, x, y, batch_size=128, steps=20)
    print(p)                                       # 20 training steps, after 1 warm-up step

    python -m lamina.profile examples/demo.py --epochs 1   # a whole script

While a :class:`Profiler` is active it temporarily wraps these places, and puts them
back on exit (nothing is left when it is not running, so it costs nothing otherwise):

* ``Layer._call_with_training``, which runs every layer's ``call`` (and the batch norm +
  ReLU pairs that ``models/training_graph`` runs as one op, counted as the batch norm):
  the layer's forward time, excluding the layers it calls (a model's own code is "other");
* ``Function.apply``, which runs every op: the op's forward time, and the graph
  node it records is tagged with the innermost running layer;
* each tagged node's ``backward``: its time goes to that layer (nodes made outside
  any layer, such as the loss, go to the loss row); what the engine spends
  between nodes (ordering, summing gradients) is the "autograd engine" row;
* ``Optimizer.apply_gradients``, ``Trainer._compute_loss`` and ``Trainer._train_step``
  (what a training step spends outside the rows above: metrics, glue).

The shares add up to 100% of the wall time inside the ``with`` block. Forward
time includes inference (``predict``, validation) run inside the block.
"""

from __future__ import annotations

import sys
import threading
import time
from functools import partial

__all__ = ["Profiler", "profile_model", "main"]

_perf = time.perf_counter
_active: list = []  # the running Profiler, if any (one at a time)


class _Stat:
    __slots__ = ("label", "forward", "backward", "calls", "container")

    def __init__(self, label, container=False):
        self.label, self.container = label, container
        self.forward = self.backward = 0.0
        self.calls = 0


class Profiler:
    """Time layers, ops, loss and optimizer for the code run inside ``with Profiler() as p:``.

    After the block, :meth:`report` formats the table, :meth:`rows` returns it as
    dicts (seconds), ``p.wall`` is the block's wall time and ``p.steps`` the number of
    optimizer steps. One profiler can run at a time; it sees the thread that started it.
    """

    def __init__(self):
        self.wall = 0.0
        self.steps = 0
        self._layers: dict[int, _Stat] = {}  # id(layer) -> stat, in first-call order
        self._keep: list = []  # the layers themselves, so their ids stay unique
        self._ops: dict[str, _Stat] = {}
        self._loss = _Stat("loss (and ops outside layers)")
        self._engine = 0.0
        self._optimizer = 0.0
        self._node_backward = 0.0
        self._timed = 0.0  # every second attributed to a row so far
        self._step_glue = 0.0  # time in training steps that no row measured
        self._layer_stack: list = []  # [layer, child seconds]
        self._op_stack: list = []  # [child seconds]
        self._saved: list = []
        self._running = False

    # ------------------------------------------------------------ patching
    def __enter__(self):
        if _active:
            raise RuntimeError("lamina.profile.Profiler: another Profiler is already running; "
                               "profilers cannot be nested")
        from lamina.autograd import function, tensor
        from lamina.layers.layer import Layer
        from lamina.models.trainer import Trainer
        from lamina.models.training_graph import Pair
        from lamina.optimizers.base import Optimizer

        self._patch(Layer, "_call_with_training", self._wrap_layer_call)
        self._patch(function.Function, "apply",
                    lambda original: classmethod(self._wrap_apply(original.__func__)))
        self._patch(tensor, "_run_backward", self._wrap_backward)
        self._patch(Optimizer, "apply_gradients", self._wrap_optimizer)
        self._patch(Trainer, "_compute_loss", self._wrap_loss)
        self._patch(Trainer, "_train_step", self._wrap_train_step)
        self._patch(Pair, "run", lambda run: lambda pair, value: self._wrap_layer_call(
            lambda _, v, training: run(pair, v))(pair.bn.layer, value, None))  # as its BN
        _active.append(self)
        self._thread = threading.get_ident()
        self._running = True
        self._start = _perf()
        return self

    def __exit__(self, *exc):
        self.wall += _perf() - self._start
        self._running = False
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
        _active.remove(self)
        return False

    def _patch(self, owner, name, make):
        original = vars(owner)[name]
        self._saved.append((owner, name, original))
        if make is not None:
            setattr(owner, name, make(original))

    def _wrap_layer_call(self, original):
        stack = self._layer_stack

        def _call_with_training(layer, inputs, training, *args, **kwargs):
            if threading.get_ident() != self._thread:  # other threads are not profiled
                return original(layer, inputs, training, *args, **kwargs)
            frame = [layer, 0.0]
            stack.append(frame)
            start = _perf()
            try:
                return original(layer, inputs, training, *args, **kwargs)
            finally:
                elapsed = _perf() - start
                stack.pop()
                if stack:
                    stack[-1][1] += elapsed
                stat = self._layer_stat(layer)
                stat.forward += elapsed - frame[1]
                self._timed += elapsed - frame[1]
                stat.calls += 1

        return _call_with_training

    def _wrap_apply(self, original):
        layers, ops = self._layer_stack, self._op_stack

        def apply(cls, *inputs, **params):
            if threading.get_ident() != self._thread:
                return original(cls, *inputs, **params)
            frame = [0.0]
            ops.append(frame)
            start = _perf()
            try:
                out = original(cls, *inputs, **params)
            finally:
                elapsed = _perf() - start
                ops.pop()
                if ops:
                    ops[-1][0] += elapsed
            stat = self._op_stat(cls)
            stat.forward += elapsed - frame[0]
            stat.calls += 1
            node = getattr(out, "_ctx", None)
            if node is not None and "backward" not in vars(node):
                owner = self._layer_stat(layers[-1][0]) if layers else self._loss
                node.backward = partial(self._timed_backward, node.backward, owner, stat)
            return out

        return apply

    def _timed_backward(self, original, owner, op, grad):
        if not self._running:
            return original(grad)
        start = _perf()
        out = original(grad)
        elapsed = _perf() - start
        owner.backward += elapsed
        op.backward += elapsed
        self._node_backward += elapsed
        self._timed += elapsed
        return out

    def _wrap_backward(self, original):
        def run_backward(root, grad, retain_graph=False):
            nodes_before = self._node_backward
            start = _perf()
            try:
                return original(root, grad, retain_graph)
            finally:
                elapsed = _perf() - start - (self._node_backward - nodes_before)
                self._engine += elapsed
                self._timed += elapsed

        return run_backward

    def _wrap_optimizer(self, original):
        def apply_gradients(optimizer, grads_and_vars):
            start = _perf()
            try:
                return original(optimizer, grads_and_vars)
            finally:
                elapsed = _perf() - start
                self._optimizer += elapsed
                self._timed += elapsed
                self.steps += 1

        return apply_gradients

    def _wrap_loss(self, original):
        def _compute_loss(model, y, y_pred, sample_weight):
            start = _perf()
            try:
                return original(model, y, y_pred, sample_weight)
            finally:
                elapsed = _perf() - start
                self._loss.forward += elapsed
                self._timed += elapsed
                self._loss.calls += 1

        return _compute_loss

    def _wrap_train_step(self, original):
        def _train_step(model, x, y, sample_weight):
            timed_before = self._timed
            start = _perf()
            try:
                return original(model, x, y, sample_weight)
            finally:
                self._step_glue += _perf() - start - (self._timed - timed_before)

        return _train_step

    def _layer_stat(self, layer) -> _Stat:
        stat = self._layers.get(id(layer))
        if stat is None:
            from lamina.models.model import Model

            stat = _Stat(f"{layer.name} ({type(layer).__name__})", isinstance(layer, Model))
            self._layers[id(layer)] = stat
            self._keep.append(layer)
        return stat

    def _op_stat(self, cls) -> _Stat:
        key = cls.__name__
        stat = self._ops.get(key)
        if stat is None:
            stat = self._ops[key] = _Stat(key)
        return stat

    # ------------------------------------------------------------- results
    def rows(self, by: str = "layer") -> list[dict]:
        """The table as dicts: ``name``, ``forward_s``, ``backward_s``, ``total_s``, ``share``
        (percent of the wall time), ``calls``. ``by="layer"`` adds the loss, autograd engine,
        optimizer step, other-in-steps and outside-steps rows; ``by="op"`` lists the ops, the
        engine, the optimizer and the time outside ops."""
        if by not in ("layer", "op"):
            raise ValueError(f"Profiler.rows: by must be 'layer' or 'op'; received by={by!r}")
        out = []

        def add(name, forward, backward, calls, kind):
            out.append({"name": name, "kind": kind, "forward_s": forward,
                        "backward_s": backward, "total_s": (forward or 0.0) + (backward or 0.0),
                        "calls": calls})

        if by == "layer":
            for stat in self._layers.values():
                if not stat.container:
                    add(stat.label, stat.forward, stat.backward, stat.calls, "layer")
            add(self._loss.label, self._loss.forward, self._loss.backward, self._loss.calls,
                "loss")
            add("autograd engine (between nodes)", None, self._engine, None, "engine")
        else:
            for stat in sorted(self._ops.values(), key=lambda s: -(s.forward + s.backward)):
                add(stat.label, stat.forward, stat.backward, stat.calls, "op")
            add("autograd engine (between nodes)", None, self._engine, None, "engine")
        add("optimizer step", None, None, self.steps, "optimizer")
        out[-1]["total_s"] = self._optimizer
        if by == "layer":
            add("other in training steps (metrics, glue)", None, None, None, "other")
            out[-1]["total_s"] = max(self._step_glue, 0.0)
            label = "outside training steps (data, callbacks, I/O)"
        else:
            label = "outside ops (layers' Python code, metrics, data, callbacks)"
        other = self.wall - sum(row["total_s"] for row in out)
        add(label, None, None, None, "outside")
        out[-1]["total_s"] = max(other, 0.0)
        wall = sum(row["total_s"] for row in out) or 1.0
        for row in out:
            row["share"] = 100.0 * row["total_s"] / wall
        return out

    def report(self, by: str = "layer") -> str:
        """The table as text: ms per optimizer step (totals when no step ran) and share %."""
        rows = self.rows(by)
        per = self.steps or 1
        unit = f"ms/step (mean of {self.steps} steps)" if self.steps else "ms (total)"
        width = max(len(r["name"]) for r in rows)

        def ms(value):
            return "-" if value is None else f"{1000.0 * value / per:.2f}"

        head = (f"{'layer' if by == 'layer' else 'op':<{width}}  {'forward':>9}  "
                f"{'backward':>9}  {'total':>9}  {'share %':>7}")
        lines = [f"lamina.profile: {self.wall:.3f} s wall, {unit}", head, "-" * len(head)]
        for r in rows:
            lines.append(f"{r['name']:<{width}}  {ms(r['forward_s']):>9}  "
                         f"{ms(r['backward_s']):>9}  {ms(r['total_s']):>9}  {r['share']:>7.1f}")
        return "\n".join(lines)

    def __str__(self):
        return self.report()


def _take(x, idx):
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: _take(v, idx) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_take(v, idx) for v in x]
    import numpy

    return numpy.asarray(x)[idx]


def profile_model(model, x, y=None, batch_size=32, steps=10, warmup=1) -> Profiler:
    """Profile ``steps`` training steps (``train_on_batch``) of a compiled model.

    Batches are consecutive slices of ``x``/``y`` (wrapping around). ``warmup`` steps run
    first, unprofiled (they build the model and the optimizer's slots). The steps update
    the model's weights, as training does. Returns the finished :class:`Profiler`:
    ``print(p)`` shows the per-layer table, ``p.rows()`` the numbers.
    """
    import numpy

    if getattr(model, "optimizer", None) is None:
        raise ValueError("profile_model: the model must be compiled first "
                         "(model.compile(optimizer=..., loss=...))")
    for name, value in (("batch_size", batch_size), ("steps", steps), ("warmup", warmup)):
        if not isinstance(value, int) or value < (0 if name == "warmup" else 1):
            raise ValueError(f"profile_model: {name} must be a "
                             f"{'non-negative' if name == 'warmup' else 'positive'} int; "
                             f"received {name}={value!r}")
    first = x
    while isinstance(first, (list, tuple, dict)):
        first = next(iter(first.values() if isinstance(first, dict) else first))
    n = len(first)

    def batch(i):
        idx = numpy.arange(i * batch_size, (i + 1) * batch_size) % n
        return _take(x, idx), _take(y, idx)

    for i in range(warmup):
        model.train_on_batch(*batch(i))
    with Profiler() as p:
        for i in range(warmup, warmup + steps):
            model.train_on_batch(*batch(i))
    return p


def main(argv=None) -> int:
    """``python -m lamina.profile script.py [args]``: run a script, then print where time went."""
    import argparse
    import os
    import runpy

    parser = argparse.ArgumentParser(
        prog="python -m lamina.profile",
        description="Run a Python script under lamina's profiler and print the time per layer "
                    "(forward, backward), loss, optimizer step and the rest.")
    parser.add_argument("--by", choices=["layer", "op", "both"], default="both",
                        help="tables to print (default: both)")
    parser.add_argument("script", help="the Python file to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.script):
        parser.error(f"script {args.script!r} not found")
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [args.script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
    code = 0
    try:
        with Profiler() as p:
            try:
                runpy.run_path(args.script, run_name="__main__")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    print()
    for by in (["layer", "op"] if args.by == "both" else [args.by]):
        print(p.report(by))
        print()
    return code


if __name__ == "__main__":
    sys.exit(main())
