"""``ModelCheckpoint``: save the model (or its weights) during training."""

from __future__ import annotations

import os
import warnings

from lamina.callbacks._monitor import improvement_op
from lamina.callbacks.callback import Callback, check_int, check_mode, check_number
from lamina.callbacks.progbar import print_msg


class ModelCheckpoint(Callback):
    """Save the model or its weights every epoch (or every ``save_freq`` batches).

    Args:
        filepath: where to save; may hold ``{epoch:02d}`` (counted from 1), ``{batch}``
            and any key of the logs, e.g. ``"ckpt/{epoch:02d}-{val_loss:.2f}.keras"``.
            Missing directories are created.
        monitor: the log name that decides "best" when ``save_best_only``.
        verbose: 1 prints a message for each save (or each skipped save).
        save_best_only: save only when ``monitor`` improved on the best so far.
        save_weights_only: call ``model.save_weights(path)`` instead of ``model.save(path)``.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the monitored name).
        save_freq: ``"epoch"``, or an integer: save every that many training batches.
        initial_value_threshold: the "best" value to beat first (with ``save_best_only``).

    Example:
        >>> checkpoint = ModelCheckpoint("ckpt/best.keras", monitor="val_accuracy",
        ...                              save_best_only=True)
        >>> model.fit(x, y, validation_split=0.1, epochs=20, callbacks=[checkpoint])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a str or path; "
                            f"received filepath={filepath!r}")
        if not isinstance(monitor, str):
            raise TypeError(f"ModelCheckpoint: monitor must be a metric name (str); "
                            f"received monitor={monitor!r}")
        if save_freq != "epoch":
            try:
                check_int(save_freq, "save_freq", "ModelCheckpoint", minimum=1)
            except ValueError:
                raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq "
                                 "are 'epoch' or integer values >= 1") from None
        if initial_value_threshold is not None:
            check_number(initial_value_threshold, "initial_value_threshold", "ModelCheckpoint")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = check_mode(mode, "ModelCheckpoint")
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self.monitor_op = None
        self._current_epoch = 0
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: saving model to {filepath}")
            return True
        if self.monitor_op is None:
            self.monitor_op = improvement_op("ModelCheckpoint", self.mode, self.monitor,
                                             self.model, "keep")
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available. "
                          f"Available metrics are: {','.join(logs)}", stacklevel=3)
            return True
        current = float(current)
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self.best is None or self.monitor_op(current, self.best):
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: {self.monitor} improved from {best_text} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: {self.monitor} did not improve from {best_text}")
        return False

    def _save(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if os.path.isdir(filepath):
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {filepath}")
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)

    def _file_path(self, epoch, batch, logs):
        """``filepath`` with ``{epoch}`` (from 1), ``{batch}`` (from 1) and log keys filled."""
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise KeyError(
                f"Failed to format this callback filepath: {self.filepath}. Reason: "
                f"{e} is not in the logs; available keys: {', '.join(sorted(fields))}"
            ) from None
        except (ValueError, IndexError) as e:
            raise ValueError(
                f"Failed to format this callback filepath: {self.filepath}. Reason: {e}"
            ) from None
