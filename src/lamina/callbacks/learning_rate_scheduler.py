"""``LearningRateScheduler``: set the learning rate from a function of the epoch."""

from __future__ import annotations

import inspect
import math
import numbers

from lamina.callbacks.callback import Callback, get_learning_rate
from lamina.callbacks.progbar import print_msg


def _takes_one_argument(schedule):
    """True for an old-style ``schedule(epoch)``; False for ``schedule(epoch, lr)``."""
    try:
        parameters = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume the new API
        return False
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    variadic = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    return len(positional) == 1 and not variadic


class LearningRateScheduler(Callback):
    """At the start of each epoch, set the learning rate to ``schedule(epoch, lr)``.

    Args:
        schedule: a function of the epoch index (from 0) and the current learning rate
            that returns the new learning rate (a float). ``schedule(epoch)`` also works.
        verbose: 1 prints the new learning rate each epoch.

    Example:
        >>> def scheduler(epoch, lr):
        ...     return lr if epoch < 10 else lr * math.exp(-0.1)
        >>> model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(scheduler)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler: schedule must be a function "
                            f"schedule(epoch, lr) -> lr; received schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._one_argument = _takes_one_argument(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        lr = get_learning_rate(self.model, "LearningRateScheduler")
        new_lr = self.schedule(epoch) if self._one_argument else self.schedule(epoch, lr)
        if (isinstance(new_lr, bool) or not isinstance(new_lr, numbers.Real)
                or not math.isfinite(new_lr)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {new_lr!r} (epoch={epoch})")
        new_lr = float(new_lr)
        self.model.optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate "
                      f"to {new_lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model, "LearningRateScheduler")
