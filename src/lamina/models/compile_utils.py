"""What ``compile`` was given, applied to a model's outputs with Keras 3's semantics.

A model with several outputs (``Model(x, [a, b])`` or a dict of outputs) takes one loss
for every output, a list (one per output, None for none) or a dict keyed by output name;
``loss_weights`` likewise. The total loss is the sum of the weighted per-output losses;
each output's *unweighted* loss is logged as ``<output>_loss``. Metrics are a list with
one entry (a metric or a list of them) per output, or a dict by output name, and are
logged as ``<output>_<metric>``. A model with one output keeps the plain names.
"""

from __future__ import annotations

import numpy


class RunningMean:
    """Sample-weighted mean of a loss over an epoch (what the progress bar shows)."""

    def __init__(self):
        self.total, self.count = 0.0, 0

    def update(self, value: float, n: int) -> None:
        self.total += value * n
        self.count += n

    def result(self) -> float:
        return self.total / self.count if self.count else float("nan")


def output_names(model) -> list[str] | None:
    """The output names of a model with several outputs; None for one output."""
    names = getattr(model, "output_names", None)
    return list(names) if names is not None and len(names) > 1 else None


def _describe(value) -> str:
    if isinstance(value, dict):
        return f"a dict with keys {list(value)}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"one {type(value).__name__}"


def per_output(spec, names: list[str], argument: str, where: str = "compile") -> list:
    """``spec`` spread over the outputs: a dict by output name (missing names give None),
    a list with one entry per output, or one value for every output."""
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"{where}: in the dict argument `{argument}`, key {unknown[0]!r} "
                             f"is not an output of the model; the outputs are {names}")
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(names):
            raise ValueError(f"{where}: the model has {len(names)} outputs {names}, so "
                             f"`{argument}` as a list needs {len(names)} entries (one per "
                             f"output); received {argument}={list(spec)!r} of length {len(spec)}")
        return list(spec)
    return [spec] * len(names)


def flatten_targets(value, names: list[str], argument: str, where: str,
                    needed: list[bool] | None = None) -> list:
    """``y`` or ``sample_weight`` of a model with several outputs, in output order: a list
    (one array per output) or a dict keyed by output name (outputs without a loss may be
    left out)."""
    if isinstance(value, dict):
        return per_output(value, names, argument, where)
    if isinstance(value, (list, tuple)) and len(value) == len(names):
        return list(value)
    wanted = [n for n, need in zip(names, needed or [True] * len(names)) if need]
    raise ValueError(f"{where}: the model has {len(names)} outputs {names}, so {argument} must "
                     f"be a list of {len(names)} arrays or a dict keyed by output name (at "
                     f"least {wanted}); received {_describe(value)}")


class CompileLoss:
    """The loss (or losses) of ``compile`` and their ``loss_weights``, over the outputs."""

    def __init__(self, loss, loss_weights=None, names: list[str] | None = None):
        from lamina import losses

        self.names = names
        if names is None:
            if loss_weights is not None and not isinstance(loss_weights, (int, float)):
                raise ValueError(f"compile: a model with one output takes one number as "
                                 f"loss_weights; received loss_weights={loss_weights!r}")
            specs, weights = [loss], [loss_weights]
        else:
            specs = per_output(loss, names, "loss")
            weights = ([None] * len(names) if loss_weights is None else
                       per_output(loss_weights, names, "loss_weights"))
            if isinstance(loss_weights, (int, float)):
                raise ValueError(f"compile: the model has {len(names)} outputs {names}; give "
                                 "loss_weights as a list (one per output) or a dict by output "
                                 f"name; received loss_weights={loss_weights!r}")
        for w in weights:
            if w is not None and (isinstance(w, bool) or not isinstance(w, (int, float))):
                raise ValueError(f"compile: loss_weights must be numbers; received {w!r}")
        self.specs = specs
        self.fns = [None if s is None else losses.get(s) for s in specs]
        self.weights = [None if w is None else float(w) for w in weights]
        self.means = [RunningMean() for _ in specs] if names is not None else []

    @property
    def ready(self) -> bool:
        return any(fn is not None for fn in self.fns)

    def _logged(self) -> list[int]:
        """The outputs whose loss is logged: all that have one, when more than one does
        (as Keras 3: one loss alone is just ``loss``)."""
        having = [i for i, fn in enumerate(self.fns) if fn is not None]
        return having if self.names is not None and len(having) > 1 else []

    def loss_names(self) -> list[str]:
        """``<output>_loss`` for each logged output."""
        return [f"{self.names[i]}_loss" for i in self._logged()]

    def reset(self) -> None:
        for m in self.means:
            m.__init__()

    def results(self) -> dict:
        return {f"{self.names[i]}_loss": self.means[i].result() for i in self._logged()}

    def flatten(self, y, y_pred, sample_weight, where: str = "fit") -> tuple[list, list, list]:
        """Targets, predictions and sample weights as lists in output order; one sample
        weight array (not a list) weighs every output, as in Keras."""
        if self.names is None:
            return [y], [y_pred], [sample_weight]
        preds = flatten_targets(y_pred, self.names, "the model's output", where)
        ys = flatten_targets(y, self.names, "y", where, [fn is not None for fn in self.fns])
        sws = (flatten_targets(sample_weight, self.names, "sample_weight", where)
               if isinstance(sample_weight, (list, tuple, dict))
               else [sample_weight] * len(self.names))
        return ys, preds, sws

    def __call__(self, y, y_pred, sample_weight=None):
        """The total loss Tensor: ``sum(weight_i * loss_i(y_i, y_pred_i))``."""
        if self.names is None:
            value = self.fns[0](y, y_pred, sample_weight=sample_weight)
            return value if self.weights[0] is None else value * self.weights[0]
        ys, preds, sws = self.flatten(y, y_pred, sample_weight)
        total = None
        for name, fn, w, mean, yt, yp, sw in zip(self.names, self.fns, self.weights,
                                                 self.means, ys, preds, sws):
            if fn is None:
                continue
            if yt is None:
                raise ValueError(f"fit: y has no targets for output {name!r}, which has the "
                                 f"loss {fn.name!r}")
            value = fn(yt, yp, sample_weight=sw)
            mean.update(float(value.data), len(yp))
            weighted = value if w is None else value * w
            total = weighted if total is None else total + weighted
        return total


class CompileMetrics:
    """The metrics (and weighted metrics) of ``compile``, per output; resolved at the first
    batch, when the shapes of targets and predictions decide what ``'accuracy'`` means."""

    def __init__(self, metrics, weighted_metrics, names: list[str] | None, loss_specs: list):
        self.names, self.loss_specs = names, loss_specs
        self.specs = [self._spread(metrics, "metrics"),
                      self._spread(weighted_metrics, "weighted_metrics")]
        self.metrics: list | None = None  # [(metric, weighted, output index, log name)]

    def _spread(self, specs, argument) -> list[list]:
        if self.names is None:
            return [list(specs or [])]
        if not specs:
            return [[] for _ in self.names]
        entries = per_output(specs, self.names, argument)
        return [[] if e is None else list(e) if isinstance(e, (list, tuple)) else [e]
                for e in entries]

    def build(self, ys: list, preds: list) -> None:
        from lamina import metrics

        if self.metrics is not None:
            return
        resolved, taken = [], {}
        for weighted, per_out in zip((False, True), self.specs):
            for i, specs in enumerate(per_out):
                y_shape = None if ys[i] is None else getattr(ys[i], "shape", None)
                for spec in specs:
                    m = metrics.get(spec, loss=self.loss_specs[i], y_true_shape=y_shape,
                                    y_pred_shape=tuple(preds[i].shape))
                    name = f"weighted_{m.name}" if weighted else m.name
                    if self.names is not None:
                        name = f"{self.names[i]}_{name}"
                    count = taken.get(name, 0)
                    taken[name] = count + 1
                    resolved.append((m, weighted, i, name if count == 0 else f"{name}_{count}"))
        self.metrics = resolved

    def update(self, ys: list, preds: list, sws: list) -> None:
        for metric, weighted, i, _ in self.metrics:
            metric.update_state(ys[i], preds[i], sample_weight=sws[i] if weighted else None)

    def reset(self) -> None:
        for metric, _, _, _ in self.metrics or []:
            metric.reset_state()

    def log_names(self) -> list[str]:
        return [name for _, _, _, name in self.metrics or []]

    def results(self) -> dict:
        out = {}
        for m, _, _, name in self.metrics or []:
            value = m.result()  # one number, or an array (F1Score(average=None): per class)
            out[name] = float(value) if numpy.ndim(value) == 0 else numpy.asarray(value)
        return out
