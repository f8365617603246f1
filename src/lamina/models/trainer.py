"""``compile``, ``fit``, ``evaluate``, ``predict`` and the ``*_on_batch`` methods.

One training step is the lectures' loop, in the open: forward pass, loss (plus the
layers' regularization penalties), ``loss.backward()``, one optimizer update.
Evaluation and prediction run under ``no_grad()``: no graph is built.
"""

from __future__ import annotations

import math
import warnings

import numpy

from lamina._checks import as_int
from lamina.autograd import no_grad
from lamina.models import arguments as args
from lamina.models.data_adapter import make_adapter
from lamina.parallel import lamina_threads


def _legacy(kwargs: dict, old: str, new: str, where: str):
    if old in kwargs:
        warnings.warn(f"{where}: `{old}` is deprecated; use `{new}`", DeprecationWarning,
                      stacklevel=3)
        return kwargs.pop(old)
    return None


class _RunningMean:
    """Sample-weighted mean of the loss over an epoch (what the progress bar shows)."""

    def __init__(self):
        self.total, self.count = 0.0, 0

    def update(self, value: float, n: int) -> None:
        self.total += value * n
        self.count += n

    def result(self) -> float:
        return self.total / self.count if self.count else float("nan")


class Trainer:
    """Mixed into ``Model``: everything that trains and evaluates it."""

    compiled = False
    optimizer = None
    stop_training = False

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, jit_compile=None, **kwargs):
        """Choose the optimizer, the loss and the metrics (names or objects), as in Keras.

        ``run_eagerly`` and ``jit_compile`` are accepted for compatibility: lamina always
        runs eagerly on NumPy. With ``lamina[fast]`` installed, compile also loads the numba
        kernels the model's layers and optimizer use (:mod:`lamina.accel`), once per process.
        """
        from lamina import losses, optimizers

        if kwargs:
            raise TypeError(f"compile: unrecognized keyword argument(s): {', '.join(kwargs)}")
        if loss_weights is not None:
            raise ValueError("compile: loss_weights applies to models with several outputs, "
                             "which lamina does not support yet")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = losses.get(loss)
        self._metric_specs = list(args.check_metrics(metrics) or [])
        self._weighted_metric_specs = list(
            args.check_metrics(weighted_metrics, "weighted_metrics") or [])
        self._metrics = None  # resolved at the first batch, when shapes are known
        self.compiled = True
        self._preload_kernels()

    def _preload_kernels(self) -> None:
        """Load the numba kernels (lamina[fast]) that this model's layers and optimizer use,
        so their one-time cost is paid here rather than in the first step (lamina.accel)."""
        from lamina import accel

        if not accel.enabled():
            return
        names = set(getattr(self.optimizer, "accel_kernels", ()))
        stack = [self]
        while stack:
            layer = stack.pop()
            names.update(getattr(layer, "accel_kernels", ()))
            stack.extend(layer._tracked_layers())
        accel.preload(*sorted(names))

    def _require_compiled(self, what: str) -> None:
        if not self.compiled or self._loss_fn is None:
            raise RuntimeError(f"You must call compile() with a loss before {what}() "
                               f"(model '{self.name}')")

    def _resolve_metrics(self, y, y_pred) -> None:
        from lamina import metrics

        if self._metrics is not None:
            return
        y_shape = None if y is None else numpy.shape(y)
        resolved = []
        for specs, weighted in ((self._metric_specs, False), (self._weighted_metric_specs, True)):
            for spec in specs:
                m = metrics.get(spec, loss=self.loss, y_true_shape=y_shape,
                                y_pred_shape=tuple(y_pred.shape))
                if weighted:
                    m.name = f"weighted_{m.name}"
                resolved.append((m, weighted))
        self._metrics = resolved

    @property
    def metrics_names(self) -> list[str]:
        return ["loss"] + [m.name for m, _ in (self._metrics or [])]

    # -------------------------------------------------------------------- steps
    def _compute_loss(self, y, y_pred, sample_weight):
        loss = self._loss_fn(y, y_pred, sample_weight=sample_weight)
        penalties = self.losses
        if penalties:
            total = penalties[0]
            for p in penalties[1:]:
                total = total + p
            loss = loss + total
        return loss

    def _update_metrics(self, y, y_pred, sample_weight) -> None:
        for metric, weighted in self._metrics:
            metric.update_state(y, y_pred, sample_weight=sample_weight if weighted else None)

    def _train_step(self, x, y, sample_weight):
        with lamina_threads():  # one BLAS-threads scope for the whole step (see lamina.parallel)
            return self._train_step_body(x, y, sample_weight)

    def _train_step_body(self, x, y, sample_weight):
        args.batch_targets(y, self.loss, "fit")
        y_pred = self(x, training=True)
        self._resolve_metrics(y, y_pred)
        loss = self._compute_loss(y, y_pred, sample_weight)
        variables = self.trainable_weights
        for v in variables:
            v.grad = None
        loss.backward()
        self.optimizer.apply_gradients([(v.grad, v) for v in variables])
        with no_grad():
            self._update_metrics(y, y_pred.data, sample_weight)
        return float(loss.data)

    def _test_step(self, x, y, sample_weight):
        with no_grad(), lamina_threads():
            y_pred = self(x, training=False)
            self._resolve_metrics(y, y_pred)
            args.batch_targets(y, self.loss, "evaluate")
            loss = self._compute_loss(y, y_pred, sample_weight)
            self._update_metrics(y, y_pred.data, sample_weight)
        return float(loss.data)

    def _reset_metrics(self) -> None:
        for metric, _ in self._metrics or []:
            metric.reset_state()

    def _logs(self, loss_mean: _RunningMean, prefix: str = "") -> dict:
        logs = {f"{prefix}loss": loss_mean.result()}
        for metric, _ in self._metrics or []:
            logs[f"{prefix}{metric.name}"] = float(metric.result())
        return logs

    # ---------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, seed=None, augment=None, **kwargs):
        """Train for ``epochs`` epochs; returns the ``History`` (``history.history`` dict).

        ``seed`` fixes the shuffling order (lamina's explicit randomness); ``augment`` is a
        callable ``x_batch -> x_batch`` (e.g. ``lamina.data.ImageAugmenter``) applied to each
        training batch, so every epoch sees new variants; validation data is never augmented.
        The Keras 1 name ``nb_epoch`` is accepted with a deprecation warning.
        """
        from lamina.callbacks import CallbackList

        legacy_epochs = _legacy(kwargs, "nb_epoch", "epochs", "fit")
        if legacy_epochs is not None:
            epochs = legacy_epochs
        if kwargs:
            raise TypeError(f"fit: unrecognized keyword argument(s): {', '.join(kwargs)}")
        self._require_compiled("fit")
        epochs, initial_epoch = args.check_epochs(epochs, initial_epoch)
        validation_freq = args.check_validation_freq(validation_freq)
        args.check_inputs(self, x, "fit")
        args.check_targets(y, x, self.loss, "fit")
        if sample_weight is None and class_weight is not None and y is not None:
            sample_weight = _class_weights_to_samples(class_weight, numpy.asarray(y))
        if augment is not None and not callable(augment):
            raise TypeError(f"fit: augment must be a callable batch -> batch; received {augment!r}")
        data = make_adapter(x, y, sample_weight, batch_size, shuffle, seed, steps_per_epoch,
                            self.dtype, "fit", "steps_per_epoch")
        val = None
        if validation_data is not None:
            vx, vy, vsw = (tuple(validation_data) + (None, None))[:3] if isinstance(
                validation_data, (tuple, list)) else (validation_data, None, None)
            args.check_inputs(self, vx, "fit (validation_data)")
            args.check_targets(vy, vx, self.loss, "fit (validation_data)")
            val = make_adapter(vx, vy, vsw, validation_batch_size or batch_size, False, None,
                               validation_steps, self.dtype, "fit", "validation_steps")
        elif validation_split:
            if not hasattr(data, "split"):
                raise ValueError("fit: validation_split needs array data; pass validation_data "
                                 "for Sequences and generators")
            data, val = data.split(validation_split)
            if validation_batch_size is not None:
                val.batch_size = as_int(validation_batch_size, "validation_batch_size", "fit")
            if validation_steps is not None:
                val.steps_per_epoch = as_int(validation_steps, "validation_steps", "fit")
        steps = getattr(data, "steps", None)
        verbose = 1 if verbose == "auto" else verbose
        cbs = CallbackList(callbacks, model=self, add_history=True, add_progbar=verbose != 0,
                           epochs=epochs, steps=steps, verbose=verbose)
        self.stop_training = False
        cbs.on_train_begin()
        # where a relaunched run resumes, set by BackupAndRestore (Keras's model._initial_epoch)
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        skip = self.__dict__.pop("_initial_step", 0)
        epoch_logs: dict = {}
        validations = 0  # validation runs so far: validation_steps continue across them
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            cbs.on_epoch_begin(epoch)
            loss_mean = _RunningMean()
            for step, (xb, yb, swb) in enumerate(data.batches(epoch)):
                if skip:  # steps a resumed run already took
                    skip -= 1
                    continue
                cbs.on_train_batch_begin(step)
                if augment is not None:
                    xb = augment(xb)
                value = self._train_step(xb, yb, swb)
                loss_mean.update(value, _batch_len(xb))
                logs = self._logs(loss_mean)
                logs["loss"] = value if math.isnan(value) else logs["loss"]
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            skip = 0
            epoch_logs = self._logs(loss_mean)
            if val is not None and args.should_validate(epoch, validation_freq):
                epoch_logs.update(self._evaluate_adapter(val, prefix="val_", run=validations))
                validations += 1
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(epoch_logs)
        return self.history

    # ----------------------------------------------------------------- evaluate
    def _evaluate_adapter(self, data, prefix="", callbacks=None, run=0) -> dict:
        self._reset_metrics()
        loss_mean = _RunningMean()
        for step, (xb, yb, swb) in enumerate(data.batches(run)):
            if callbacks is not None:
                callbacks.on_test_batch_begin(step)
            loss_mean.update(self._test_step(xb, yb, swb), _batch_len(xb))
            if callbacks is not None:
                callbacks.on_test_batch_end(step, self._logs(loss_mean))
        return self._logs(loss_mean, prefix)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on ``(x, y)``: a float, a list ``[loss, *metrics]``, or a dict."""
        from lamina.callbacks import CallbackList

        self._require_compiled("evaluate")
        args.check_inputs(self, x, "evaluate")
        args.check_targets(y, x, self.loss, "evaluate")
        data = make_adapter(x, y, sample_weight, batch_size, False, None, steps, self.dtype,
                            "evaluate")
        cbs = CallbackList(callbacks, model=self, add_history=False, add_progbar=False,
                           epochs=1, steps=getattr(data, "steps", None), verbose=verbose)
        cbs.on_test_begin()
        train_metrics_state = self._metrics
        logs = self._evaluate_adapter(data, callbacks=cbs)
        cbs.on_test_end(logs)
        self._metrics = train_metrics_state
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` as a NumPy array, computed in batches without a graph."""
        args.check_inputs(self, x, "predict")
        data = make_adapter(x, None, None, batch_size, False, None, steps, self.dtype, "predict")
        outputs = []
        with no_grad(), lamina_threads():
            for xb, _, _ in data.batches():
                outputs.append(self(xb, training=False).data)
        if not outputs:
            raise ValueError("predict: the input has no samples")
        return numpy.concatenate(outputs, axis=0)

    # ---------------------------------------------------------------- on_batch
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        if sample_weight is None and class_weight is not None:
            sample_weight = _class_weights_to_samples(class_weight, numpy.asarray(y))
        data = make_adapter(x, y, sample_weight, _batch_len(x), False, None, None, self.dtype)
        self._reset_metrics()
        xb, yb, swb = next(data.batches())
        loss = self._train_step(xb, yb, swb)
        logs = {"loss": loss, **{m.name: float(m.result()) for m, _ in self._metrics}}
        return logs if return_dict else _single_or_list(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) of one batch, without updating the model."""
        self._require_compiled("test_on_batch")
        data = make_adapter(x, y, sample_weight, _batch_len(x), False, None, None, self.dtype)
        self._reset_metrics()
        xb, yb, swb = next(data.batches())
        loss = self._test_step(xb, yb, swb)
        logs = {"loss": loss, **{m.name: float(m.result()) for m, _ in self._metrics}}
        return logs if return_dict else _single_or_list(logs)

    def predict_on_batch(self, x):
        """Outputs for one batch as a NumPy array."""
        with no_grad():
            return self(x, training=False).data


def _single_or_list(logs: dict):
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _batch_len(x) -> int:
    first = x[0] if isinstance(x, (list, tuple)) else x
    return len(first)


def _class_weights_to_samples(class_weight: dict, y):
    """Keras's ``class_weight``: each sample weighs as much as its class."""
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y))
    labels = labels.astype(int)
    missing = set(numpy.unique(labels).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f"class_weight has no entry for class(es) {sorted(missing)}; it has "
                         f"{sorted(class_weight)}")
    table = numpy.zeros(int(labels.max()) + 1, dtype="float32")
    for k, w in class_weight.items():
        if 0 <= int(k) < len(table):
            table[int(k)] = w
    return table[labels]

