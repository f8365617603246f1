"""``ReduceLROnPlateau``: lower the learning rate when a metric stops improving."""

from __future__ import annotations

import warnings

import numpy

from lamina.callbacks.callback import (
    Callback,
    check_int,
    check_mode,
    check_number,
    get_learning_rate,
    infer_mode,
)
from lamina.callbacks.progbar import print_msg


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    Args:
        monitor: the log name to watch.
        factor: ``new_lr = lr * factor``; between 0 and 1.
        patience: epochs without improvement before reducing.
        verbose: 1 prints a message at each reduction.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the name; unknown names: ``"min"``).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.

    It also writes the learning rate used in the epoch into ``logs["learning_rate"]``.

    Example:
        >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
        ...                               min_lr=0.001)
        >>> model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:  # the Keras 1/2 name of min_delta
            min_delta = kwargs.pop("epsilon")
            warnings.warn("ReduceLROnPlateau: `epsilon` is deprecated; use `min_delta`.",
                          DeprecationWarning, stacklevel=2)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected arguments {sorted(kwargs)}")
        check_number(factor, "factor", "ReduceLROnPlateau")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        if factor <= 0.0:
            raise ValueError("ReduceLROnPlateau: factor must be > 0 (new_lr = lr * factor); "
                             f"received factor={factor}")
        check_int(patience, "patience", "ReduceLROnPlateau")
        check_int(cooldown, "cooldown", "ReduceLROnPlateau")
        check_number(min_delta, "min_delta", "ReduceLROnPlateau")
        check_number(min_lr, "min_lr", "ReduceLROnPlateau")
        if min_lr < 0:
            raise ValueError(f"ReduceLROnPlateau: min_lr must be >= 0; received min_lr={min_lr}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = check_mode(mode, "ReduceLROnPlateau")
        self.min_delta = abs(min_delta)
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self):
        self.wait = 0
        self.cooldown_counter = 0
        self.best = None
        self._mode = None

    def on_train_begin(self, logs=None):
        self._reset()

    def _is_improvement(self, current):
        if self._mode is None:
            mode = self.mode if self.mode != "auto" else infer_mode(self.monitor, self.model)
            self._mode = mode or "min"
        if self.best is None:
            return True
        if self._mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        old_lr = get_learning_rate(self.model, "ReduceLROnPlateau")
        logs["learning_rate"] = old_lr
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        current = float(current)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        # Compared in float32, the precision optimizers keep the rate in: otherwise a rate
        # stored as float32(min_lr) would look larger than min_lr and be "reduced" forever.
        if self.wait >= self.patience and numpy.float32(old_lr) > numpy.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                          f"to {new_lr}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0
