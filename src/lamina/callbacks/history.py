"""``History``: the per-epoch record that ``fit`` returns."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class History(Callback):
    """Records every epoch's logs; ``fit`` adds one and returns it as ``model.history``.

    Attributes:
        history: dict of lists, e.g. ``{"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}``.
        epoch: the epoch indices recorded by the last ``fit``.

    Example:
        >>> history = model.fit(x, y, epochs=2, verbose=0)
        >>> history.history["loss"]
        [0.91, 0.52]
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
