"""``Callback``: the hooks ``fit``/``evaluate``/``predict`` call, and ``CallbackList``.

A callback is a class with empty ``on_*_begin`` / ``on_*_end`` methods; override the
ones you need. ``self.model`` is the model being trained and ``self.params`` holds
``{"epochs": ..., "steps": ..., "verbose": ...}``.

The ``logs`` dict a hook receives holds floats: in ``on_train_batch_end`` the running
means of this epoch so far (``"loss"``, ``"accuracy"``, ...); in ``on_epoch_end`` also
the validation results (``"val_loss"``, ...) and ``"learning_rate"``.
"""

from __future__ import annotations

import difflib
import math
import numbers
import warnings

HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
    "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
    "on_predict_batch_begin", "on_predict_batch_end", "on_batch_begin", "on_batch_end",
)


class Callback:
    """Base class of callbacks: every hook is empty.

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(f"epoch {epoch + 1}: loss {logs['loss']:.3f}")
    """

    def __init__(self):
        self.model = None
        self.params = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    # Keras 2 names: the default train-batch hooks forward to them.
    def on_batch_begin(self, batch, logs=None):
        """Old name of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """Old name of ``on_train_batch_end``."""

    def on_train_begin(self, logs=None):
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs=None):
        """Called once at the end of ``fit`` with the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (counted from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch; ``logs`` holds training and ``val_`` results."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training batch ``batch`` (counted from 0 in each epoch)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch; ``logs`` holds this epoch's running means."""
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        """Called at the start of ``evaluate`` and of validation inside ``fit``."""

    def on_test_end(self, logs=None):
        """Called at the end of ``evaluate`` / validation."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before an evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after an evaluation batch."""

    def on_predict_begin(self, logs=None):
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """Called at the end of ``predict``."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a prediction batch."""


def _pythonify(logs):
    """Logs with plain float values (where convertible), keys sorted as Keras does."""
    out = {}
    for key in sorted(logs):
        value = logs[key]
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        out[key] = value
    return out


class CallbackList(Callback):
    """Calls each hook on every callback, in order.

    Args:
        callbacks: a list of ``Callback`` instances (or one, or None).
        model: the model; given to every callback by ``set_model``.
        add_history: add a ``History`` (unless one is in ``callbacks``) and make it
            ``model.history``.
        add_progbar: add a ``ProgbarLogger`` (unless one is in ``callbacks``); by default
            when ``params["verbose"]`` is not 0.
        **params: ``epochs``, ``steps``, ``verbose``; given to every callback.

    Example:
        >>> callbacks = CallbackList([EarlyStopping()], model=model, epochs=10, steps=100,
        ...                          verbose=1)
        >>> callbacks.on_train_begin()
    """

    def __init__(self, callbacks=None, model=None, add_history=True, add_progbar=None,
                 **params):
        super().__init__()
        self.callbacks = []
        for callback in _as_list(callbacks):
            self.append(callback)
        if add_progbar is None:
            add_progbar = params.get("verbose", 0) not in (0, None)
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)
        self._listeners: dict = {}  # hook -> the callbacks that override it (see listens)

    def append(self, callback):
        """Add one more callback at the end."""
        _check_callback(callback)
        self.callbacks.append(callback)
        self._listeners = {}
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def _add_default_callbacks(self, add_history, add_progbar):
        from lamina.callbacks.history import History  # noqa: PLC0415  (circular import)
        from lamina.callbacks.progbar import ProgbarLogger  # noqa: PLC0415

        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def listens(self, hook: str) -> bool:
        """Whether a callback does something in ``hook`` (it overrides it, or the Keras 2
        hook it forwards to): ``fit`` builds the batch logs only for someone to read them."""
        return bool(self._active(hook))

    def _active(self, hook: str) -> list:
        """The callbacks whose ``hook`` is not the base class's empty one, found once per
        list (the batch hooks run at every step)."""
        active = self._listeners.get(hook)
        if active is None:
            old_name = _KERAS2_NAMES.get(hook)
            active = [c for c in self.callbacks if not _empty(c, hook)
                      or (old_name is not None and not _empty(c, old_name))]
            self._listeners[hook] = active
        return active

    def _call(self, hook, *args):
        for callback in self._active(hook):
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", {} if logs is None else logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", {} if logs is None else logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch, logs=None):
        # The same dict goes to every callback: ReduceLROnPlateau adds "learning_rate"
        # and History, further down the list, records it.
        self._call("on_epoch_end", epoch, {} if logs is None else logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, {} if logs is None else logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, _pythonify(logs or {}))

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", {} if logs is None else logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", {} if logs is None else logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, {} if logs is None else logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, _pythonify(logs or {}))

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", {} if logs is None else logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", {} if logs is None else logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, {} if logs is None else logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, {} if logs is None else logs)


#: hooks whose base version forwards to their Keras 2 name
_KERAS2_NAMES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _empty(callback, hook: str) -> bool:
    """Whether ``callback.hook`` is the base class's empty method (not overridden, not set
    on the instance as LambdaCallback does)."""
    return getattr(getattr(callback, hook), "__func__", None) is getattr(Callback, hook)


def _as_list(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, CallbackList):
        return list(callbacks.callbacks)
    if isinstance(callbacks, (list, tuple)):
        return list(callbacks)
    return [callbacks]  # a single callback


def _check_callback(callback):
    if isinstance(callback, Callback):
        return
    if isinstance(callback, type) and issubclass(callback, Callback):
        raise TypeError(
            f"callbacks: expected Callback instances; received the class "
            f"{callback.__name__}. Did you mean {callback.__name__}()?"
        )
    raise TypeError(
        f"callbacks: expected Callback instances; received {callback!r} "
        f"(type {type(callback).__name__})"
    )


# --- helpers shared by the callbacks that watch a metric ----------------------------------

_MIN_WORDS = ("loss", "error", "crossentropy", "hinge", "divergence", "poisson", "logcosh",
              "mse", "mae", "mape", "msle", "false_positives", "false_negatives")
_MAX_WORDS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "psnr",
              "true_positives", "true_negatives")


def infer_mode(monitor, model=None):
    """``"min"`` or ``"max"`` for a monitored name such as ``"val_accuracy"``; None if unknown.

    A metric object of the model with ``_direction`` ``"up"``/``"down"`` decides first
    (as in Keras 3); otherwise the name: losses and errors go down, accuracy, AUC,
    precision and recall go up.
    """
    name = monitor.removeprefix("val_")
    if name == "loss":
        return "min"
    for metric in _model_metrics(model):
        if getattr(metric, "name", None) == name:
            direction = getattr(metric, "_direction", None)
            if direction in ("up", "down"):
                return "max" if direction == "up" else "min"
    lowered = name.lower()
    if any(word in lowered for word in _MIN_WORDS):
        return "min"
    if any(word in lowered for word in _MAX_WORDS):
        return "max"
    return None


def _model_metrics(model):
    """The model's metric objects, looking inside containers that hold ``.metrics``."""
    try:
        pending = list(getattr(model, "metrics", None) or [])
    except Exception:  # a model not built yet may refuse; then names decide
        return []
    found = []
    while pending and len(found) < 1000:
        metric = pending.pop(0)
        found.append(metric)
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            pending.extend(inner)
    return found


def check_mode(mode, owner):
    """Keras's handling of ``mode``: an unknown value warns and falls back to ``"auto"``."""
    if mode in ("auto", "min", "max"):
        return mode
    warnings.warn(f"{owner} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=3)
    return "auto"


def to_float(value):
    """A Python float from a number, a NumPy scalar or array, or a tensor/variable."""
    try:
        return float(value)
    except TypeError:
        data = getattr(value, "data", None)
        if data is not None:
            return float(data)
        raise


def get_learning_rate(model, owner):
    """``model.optimizer.learning_rate`` as a float; a clear error if there is none."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"{owner}: the model has no optimizer with a learning_rate; "
            "call model.compile(optimizer=...) before fit"
        )
    return to_float(optimizer.learning_rate)


def check_hook_names(names, owner):
    """Raise a TypeError for a name that is not a callback hook (with a suggestion)."""
    for name in names:
        if name not in HOOKS:
            close = difflib.get_close_matches(name, HOOKS, n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{owner}: unknown hook {name!r}.{hint} Hooks: {', '.join(HOOKS)}")


def check_int(value, name, owner, minimum=0):
    """ValueError unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}; "
                         f"received {name}={value!r}")


def check_number(value, name, owner):
    """ValueError unless ``value`` is a real, non-NaN number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"{owner}: {name} must be a number; received {name}={value!r}")
