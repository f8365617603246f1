"""``TerminateOnNaN``: stop training as soon as the loss becomes NaN or infinite."""

from __future__ import annotations

import math
import sys

from lamina.callbacks.callback import Callback
from lamina.callbacks.progbar import print_msg


class TerminateOnNaN(Callback):
    """Stop training when a batch's loss is NaN or infinite.

    It sets ``model.stop_training`` (so ``on_train_end`` still runs) and prints to
    stderr where it happened, e.g. ``Batch 17 of epoch 3: invalid loss nan, terminating
    training`` (both counted from 1, as the progress bar shows them).

    Args:
        raise_error: raise a RuntimeError at once instead of stopping gracefully.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[TerminateOnNaN()])
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isfinite(loss):
            return
        where = f"Batch {batch + 1} of epoch {self._epoch + 1}"
        if self.raise_error:
            raise RuntimeError(f"{where}: invalid loss {loss}; terminating training.")
        print_msg(f"{where}: invalid loss {loss}, terminating training", sys.stderr)
        self.model.stop_training = True
