"""``compile``, ``fit``, ``evaluate``, ``predict`` and the ``*_on_batch`` methods.

One training step is the lectures' loop, in the open: forward pass, loss (plus the
layers' regularization penalties), ``loss.backward()``, one optimizer update.
Evaluation and prediction run under ``no_grad()``: no graph is built.
"""

from __future__ import annotations

import math
import warnings

from lamina._checks import as_int
from lamina.autograd import no_grad
from lamina.models import arguments as args
from lamina.models import structures
from lamina.models.compile_utils import CompileLoss, CompileMetrics, RunningMean, output_names
from lamina.models.data_adapter import make_adapter
from lamina.parallel import lamina_threads


def _legacy(kwargs: dict, old: str, new: str, where: str):
    if old in kwargs:
        warnings.warn(f"{where}: `{old}` is deprecated; use `{new}`", DeprecationWarning,
                      stacklevel=3)
        return kwargs.pop(old)
    return None


class Trainer:
    """Mixed into ``Model``: everything that trains and evaluates it."""

    compiled = False
    optimizer = None
    stop_training = False
    _distribution = None  # set by fit(distributed=True): reduces gradients and loss over ranks

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, jit_compile=None, **kwargs):
        """Choose the optimizer, the loss and the metrics (names or objects), as in Keras.

        ``run_eagerly`` and ``jit_compile`` are accepted for compatibility: lamina always
        runs eagerly on NumPy. With ``lamina[fast]`` installed, compile also loads the numba
        kernels the model's layers and optimizer use (:mod:`lamina.accel`), once per process.
        """
        from lamina import optimizers

        if kwargs:
            raise TypeError(f"compile: unrecognized keyword argument(s): {', '.join(kwargs)}")
        names = output_names(self)
        self.optimizer = optimizers.get(optimizer)
        self.loss, self.loss_weights = loss, loss_weights
        self._compile_loss = CompileLoss(loss, loss_weights, names)
        self._metric_specs = args.check_metrics(metrics) or []
        self._weighted_metric_specs = args.check_metrics(weighted_metrics, "weighted_metrics") or []
        # resolved at the first batch, when the shapes are known
        self._compile_metrics = CompileMetrics(self._metric_specs, self._weighted_metric_specs,
                                               names, self._compile_loss.specs)
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

    def get_compile_config(self) -> dict | None:
        """What ``compile`` received, as JSON (Keras's name): saved with the model."""
        from lamina.models.compile_config import get_compile_config

        return get_compile_config(self) if self.compiled else None

    def compile_from_config(self, config: dict) -> None:
        """``compile`` again from :meth:`get_compile_config`'s dict (Keras's name)."""
        from lamina.models.compile_config import compile_from_config

        compile_from_config(self, config)

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call compile() before {what}() (model "
                               f"'{self.name}'): with a loss, or without one when the model "
                               "adds its own with add_loss()")

    @property
    def _has_loss(self) -> bool:
        """Whether compile() received a loss (else the model's add_loss() losses train it)."""
        return self._compile_loss.ready

    @property
    def metrics_names(self) -> list[str]:
        """``loss``, then each output's loss (several outputs), then the metrics."""
        if not self.compiled:
            return []
        return ["loss", *self._compile_loss.loss_names(), *self._compile_metrics.log_names()]

    # -------------------------------------------------------------------- steps
    def _compute_loss(self, y, y_pred, sample_weight):
        loss = self._compile_loss(y, y_pred, sample_weight) if self._has_loss else None
        penalties = self.losses
        if penalties:
            total = penalties[0]
            for p in penalties[1:]:
                total = total + p
            loss = total if loss is None else loss + total
        if loss is None:
            raise ValueError(f"Model '{self.name}' has no loss to minimize: compile() received "
                             "loss=None and no layer called add_loss() in call(); pass loss= "
                             "to compile()")
        return loss

    def _update_metrics(self, y, y_pred, sample_weight) -> None:
        """Build the metrics at the first batch, then add the batch to them (``y_pred``
        as arrays)."""
        if y is None and not self._has_loss:
            return  # no targets (the model's own add_loss() losses): nothing to compare
        ys, preds, sws = self._compile_loss.flatten(y, y_pred, sample_weight)
        self._compile_metrics.build(ys, preds)
        self._compile_metrics.update(ys, preds, sws)

    def _train_step(self, x, y, sample_weight):
        with lamina_threads():  # one BLAS-threads scope for the whole step (see lamina.parallel)
            return self._train_step_body(x, y, sample_weight)

    def _train_step_body(self, x, y, sample_weight):
        if self._has_loss:
            args.batch_targets(y, self.loss, "fit")
        y_pred = self(x, training=True)
        loss = self._compute_loss(y, y_pred, sample_weight)
        variables = self.trainable_weights
        for v in variables:
            v.grad = None
        loss.backward()
        grads_and_vars, value = [(v.grad, v) for v in variables], float(loss.data)
        if self._distribution is not None:  # lamina.distributed: one Allreduce over the ranks
            value = self._distribution.reduce_step(grads_and_vars, value)
        self.optimizer.apply_gradients(grads_and_vars)
        with no_grad():
            self._update_metrics(y, structures.arrays(y_pred), sample_weight)
        return value

    def _test_step(self, x, y, sample_weight):
        with no_grad(), lamina_threads():
            if self._has_loss:
                args.batch_targets(y, self.loss, "evaluate")
            y_pred = self(x, training=False)
            loss = self._compute_loss(y, y_pred, sample_weight)
            self._update_metrics(y, structures.arrays(y_pred), sample_weight)
        return float(loss.data)

    def _reset_metrics(self) -> None:
        self._compile_loss.reset()
        self._compile_metrics.reset()

    def _logs(self, loss_mean: RunningMean, prefix: str = "") -> dict:
        logs = {"loss": loss_mean.result(), **self._compile_loss.results(),
                **self._compile_metrics.results()}
        return {f"{prefix}{k}": v for k, v in logs.items()}

    def _standardize(self, x, y, sample_weight, where: str):
        """Check ``x`` and ``y`` against the model; several inputs/outputs as lists in
        input/output order (dicts keyed by name are accepted)."""
        args.check_inputs(self, x, where)
        if self._has_loss:
            args.check_targets(y, x, self.loss, where)
        x = structures.inputs_in_order(self, x)
        names = self._compile_loss.names
        if names is not None and y is not None and structures.is_array_data(x):
            y = structures.targets_in_order(y, names, "y", where, self._compile_loss.fns)
            if isinstance(sample_weight, (list, tuple, dict)):
                sample_weight = structures.targets_in_order(sample_weight, names,
                                                            "sample_weight", where)
        return x, y, sample_weight

    # ---------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, seed=None, augment=None,
            distributed=False, **kwargs):
        """Train for ``epochs`` epochs; returns the ``History`` (``history.history`` dict).

        ``seed`` fixes the shuffling order (lamina's explicit randomness); ``augment`` is a
        callable ``x_batch -> x_batch`` (e.g. ``lamina.data.ImageAugmenter``) applied to each
        training batch, so every epoch sees new variants; validation data is never augmented.
        The Keras 1 name ``nb_epoch`` is accepted with a deprecation warning.
        ``distributed=True`` trains data-parallel on the ranks of an MPI job (``mpiexec``):
        see lamina.distributed.fit for what each rank does.
        """
        if distributed:
            from lamina.distributed.fit import fit_distributed

            given = {k: v for k, v in locals().items()
                    if k not in ("self", "kwargs", "distributed", "fit_distributed")}
            return fit_distributed(self, **given, **kwargs)
        from lamina.callbacks import CallbackList

        legacy_epochs = _legacy(kwargs, "nb_epoch", "epochs", "fit")
        if legacy_epochs is not None:
            epochs = legacy_epochs
        if kwargs:
            raise TypeError(f"fit: unrecognized keyword argument(s): {', '.join(kwargs)}")
        self._require_compiled("fit")
        epochs, initial_epoch = args.check_epochs(epochs, initial_epoch)
        validation_freq = args.check_validation_freq(validation_freq)
        x, y, sample_weight = self._standardize(x, y, sample_weight, "fit")
        if sample_weight is None and class_weight is not None and y is not None:
            sample_weight = structures.class_weights_to_samples(class_weight, y, self, "fit")
        if augment is not None and not callable(augment):
            raise TypeError(f"fit: augment must be a callable batch -> batch; received {augment!r}")
        several = self._compile_loss.names is not None
        data = make_adapter(x, y, sample_weight, batch_size, shuffle, seed, steps_per_epoch,
                            self.dtype, "fit", "steps_per_epoch", several)
        val = None
        if validation_data is not None:
            vx, vy, vsw = (tuple(validation_data) + (None, None))[:3] if isinstance(
                validation_data, (tuple, list)) else (validation_data, None, None)
            vx, vy, vsw = self._standardize(vx, vy, vsw, "fit (validation_data)")
            val = make_adapter(vx, vy, vsw, validation_batch_size or batch_size, False, None,
                               validation_steps, self.dtype, "fit", "validation_steps", several)
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
        batch_logs = cbs.listens("on_train_batch_end")
        # where a relaunched run resumes, set by BackupAndRestore (Keras's model._initial_epoch)
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        skip = self.__dict__.pop("_initial_step", 0)
        epoch_logs: dict = {}
        validations = 0  # validation runs so far: validation_steps continue across them
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            cbs.on_epoch_begin(epoch)
            loss_mean = RunningMean()
            for step, (xb, yb, swb) in enumerate(data.batches(epoch)):
                if skip:  # steps a resumed run already took
                    skip -= 1
                    continue
                cbs.on_train_batch_begin(step)
                if augment is not None:
                    xb = augment(xb)
                value = self._train_step(xb, yb, swb)
                loss_mean.update(value, _batch_len(xb))
                if batch_logs:  # the running metrics, built only for a callback to read
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
        loss_mean = RunningMean()
        for step, (xb, yb, swb) in enumerate(data.batches(run)):
            if callbacks is not None:
                callbacks.on_test_batch_begin(step)
            loss_mean.update(self._test_step(xb, yb, swb), _batch_len(xb))
            if callbacks is not None:
                callbacks.on_test_batch_end(step, self._logs(loss_mean))
        return self._logs(loss_mean, prefix)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on ``(x, y)``: a float, a list ``[loss, *metrics]``, or a dict.

        For several outputs the list is ``[loss, *output losses, *metrics]``, the order of
        :attr:`metrics_names`; ``loss`` is the sum of the weighted output losses (plus the
        layers' penalties), each ``<output>_loss`` the output's unweighted loss."""
        from lamina.callbacks import CallbackList

        self._require_compiled("evaluate")
        x, y, sample_weight = self._standardize(x, y, sample_weight, "evaluate")
        data = make_adapter(x, y, sample_weight, batch_size, False, None, steps, self.dtype,
                            "evaluate", several_outputs=self._compile_loss.names is not None)
        cbs = CallbackList(callbacks, model=self, add_history=False, add_progbar=False,
                           epochs=1, steps=getattr(data, "steps", None), verbose=verbose)
        cbs.on_test_begin()
        logs = self._evaluate_adapter(data, callbacks=cbs)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` as a NumPy array (a list or dict of them for several outputs),
        computed in batches without a graph."""
        from lamina.callbacks import CallbackList

        args.check_inputs(self, x, "predict")
        x = structures.inputs_in_order(self, x)
        data = make_adapter(x, None, None, batch_size, False, None, steps, self.dtype, "predict")
        cbs = CallbackList(callbacks, model=self, add_history=False, add_progbar=False,
                           epochs=1, steps=getattr(data, "steps", None), verbose=verbose)
        cbs.on_predict_begin()
        outputs = []
        with no_grad(), lamina_threads():
            for step, (xb, _, _) in enumerate(data.batches()):
                cbs.on_predict_batch_begin(step)
                outputs.append(structures.arrays(self(xb, training=False)))
                cbs.on_predict_batch_end(step, {"outputs": outputs[-1]})
        if not outputs:
            raise ValueError("predict: the input has no samples")
        cbs.on_predict_end()
        return structures.concatenate(outputs)

    # ---------------------------------------------------------------- on_batch
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = self._standardize(x, y, sample_weight, "train_on_batch")
        if sample_weight is None and class_weight is not None:
            sample_weight = structures.class_weights_to_samples(class_weight, y, self,
                                                                "train_on_batch")
        return self._on_batch(self._train_step, x, y, sample_weight, return_dict)

    def _on_batch(self, step, x, y, sample_weight, return_dict):
        data = make_adapter(x, y, sample_weight, _batch_len(x), False, None, None, self.dtype,
                            several_outputs=self._compile_loss.names is not None)
        self._reset_metrics()
        xb, yb, swb = next(data.batches())
        mean = RunningMean()
        mean.update(step(xb, yb, swb), 1)
        logs = self._logs(mean)
        return logs if return_dict else _single_or_list(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) of one batch, without updating the model."""
        self._require_compiled("test_on_batch")
        x, y, sample_weight = self._standardize(x, y, sample_weight, "test_on_batch")
        return self._on_batch(self._test_step, x, y, sample_weight, return_dict)

    def predict_on_batch(self, x):
        """Outputs for one batch as a NumPy array (a list or dict for several outputs)."""
        with no_grad():
            return structures.arrays(self(structures.inputs_in_order(self, x), training=False))


def _single_or_list(logs: dict):
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _batch_len(x) -> int:
    first = x[0] if isinstance(x, (list, tuple)) else x
    return len(first)
