"""``EarlyStopping``: stop training when a monitored metric stops improving."""

from __future__ import annotations

import operator
import warnings

from lamina.callbacks._monitor import improvement_op
from lamina.callbacks.callback import Callback, check_int, check_mode, check_number
from lamina.callbacks.progbar import print_msg


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    At the end of each epoch the value counts as an improvement when it beats the best
    so far by more than ``min_delta``. After ``patience`` epochs in a row without one,
    ``model.stop_training`` is set.

    Args:
        monitor: the name in the epoch logs to watch, e.g. ``"val_loss"``.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement to wait before stopping.
        verbose: 1 prints a message when training stops and when weights are restored.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the name: losses go down;
            accuracy, AUC, precision and recall go up).
        baseline: training stops unless the monitored value beats this within
            ``patience`` epochs.
        restore_best_weights: when training ends (stopped or not), put back the weights of
            the best epoch.
        start_from_epoch: epochs of warm-up before watching starts.

    Attributes:
        stopped_epoch: the epoch (from 0) at which training was stopped; 0 if it was not.
        best_epoch: the epoch with the best value.

    Example:
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: monitor must be a metric name (str); "
                            f"received monitor={monitor!r}")
        check_int(patience, "patience", "EarlyStopping")
        check_int(start_from_epoch, "start_from_epoch", "EarlyStopping")
        check_number(min_delta, "min_delta", "EarlyStopping")
        if baseline is not None:
            check_number(baseline, "baseline", "EarlyStopping")
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = check_mode(mode, "EarlyStopping")
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = None
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _resolve_mode(self):
        self.monitor_op = improvement_op("EarlyStopping", self.mode, self.monitor, self.model,
                                         "stop on")
        self._sign = -1.0 if self.monitor_op is operator.lt else 1.0

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        return self.monitor_op(value - self._sign * self.min_delta, reference)

    def on_train_begin(self, logs=None):
        self._reset()  # an instance can be reused for another fit

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._resolve_mode()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something beats it, the first watched epoch is the best one.
            self.best_weights = self._copy_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self._copy_weights()
            # Patience restarts only when both the best and the baseline are beaten.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg("Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value from ``logs`` as a float; None (with a warning) if absent."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
            return None
        return float(value)

    def _copy_weights(self):
        # Copies: a model may return its live arrays, which the optimizer updates in place.
        return [w.copy() if hasattr(w, "copy") else w for w in self.model.get_weights()]
