"""A fake model and a scripted ``fit`` loop for testing callbacks without a real model.

``FakeModel`` keeps its weights as NumPy arrays that ``run_fit`` overwrites IN PLACE
with ``epoch + 1`` during each epoch, so the weights identify the epoch they come from
(and a callback that kept references instead of copies would be caught).
"""

from __future__ import annotations

import numpy as np

from lamina.callbacks import CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate


class FakeModel:
    def __init__(self, learning_rate=0.01, metrics_names=()):
        self.weights = [np.zeros((2, 3), dtype=np.float32), np.zeros(3, dtype=np.float32)]
        self.optimizer = FakeOptimizer(learning_rate)
        self.stop_training = False
        self.history = None
        self.metrics_names = list(metrics_names)
        self.saved = []  # (kind, filepath)

    def get_weights(self):
        return self.weights  # live arrays, as a careless model might return them

    def set_weights(self, weights):
        for w, new in zip(self.weights, weights, strict=True):
            w[...] = new

    def weight_epoch(self):
        """Which epoch (from 0) the current weights were written in; -1 if none."""
        return int(self.weights[0][0, 0]) - 1

    def save(self, filepath):
        self.saved.append(("model", filepath))
        with open(filepath, "w") as f:
            f.write("model")

    def save_weights(self, filepath):
        self.saved.append(("weights", filepath))
        with open(filepath, "w") as f:
            f.write("weights")


def run_fit(model, callbacks, epoch_logs, steps=3, batch_logs=None, verbose=0, epochs=None,
            add_history=True):
    """Drive ``callbacks`` like ``Model.fit`` over scripted logs.

    Args:
        epoch_logs: one dict per epoch (its validation keys and values), or a list of
            floats taken as ``val_loss``.
        batch_logs: ``batch_logs(epoch, batch) -> dict``; default: a loss falling with
            the batch.
    Returns:
        (CallbackList, epochs run).
    """
    epoch_logs = [e if isinstance(e, dict) else {"val_loss": e} for e in epoch_logs]
    epochs = len(epoch_logs) if epochs is None else epochs
    batch_logs = batch_logs or (lambda e, b: {"loss": 1.0 / (1 + e + b)})
    cbs = CallbackList(callbacks, model=model, add_history=add_history,
                       epochs=epochs, steps=steps, verbose=verbose)
    model.stop_training = False
    cbs.on_train_begin()
    logs = {}
    ran = 0
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            for w in model.weights:
                w[...] = epoch + 1
            logs = dict(batch_logs(epoch, batch))
            cbs.on_train_batch_end(batch, logs)
            if model.stop_training:
                break
        logs = {**logs, **epoch_logs[epoch]}
        cbs.on_epoch_end(epoch, logs)
        ran += 1
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return cbs, ran
