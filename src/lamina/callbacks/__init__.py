"""Callbacks: hooks into ``fit``, ``evaluate`` and ``predict`` (Keras's names and defaults).

Example:
    >>> from lamina.callbacks import EarlyStopping, ModelCheckpoint
    >>> model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[
    ...     EarlyStopping(patience=3, restore_best_weights=True),
    ...     ModelCheckpoint("ckpt/{epoch:02d}-{val_loss:.2f}.keras", save_best_only=True)])
"""

from lamina.callbacks.backup_and_restore import BackupAndRestore
from lamina.callbacks.callback import Callback, CallbackList
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.lambda_callback import LambdaCallback
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.model_checkpoint import ModelCheckpoint
from lamina.callbacks.progbar import ProgbarLogger
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.terminate_on_nan import TerminateOnNaN
from lamina.callbacks.weight_noise import WeightNoise

__all__ = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
    "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
    "ReduceLROnPlateau", "TerminateOnNaN", "WeightNoise",
]
