"""Loss classes and names, as ``keras.losses``: ``'mse'``, ``'categorical_crossentropy'``...

Each class wraps a functional loss of the engine (``lamina.autograd.ops.loss``),
which gives one value per sample; the class applies sample weights and reduces
(``'sum_over_batch_size'`` by default, as Keras). No gradient code lives here.

When the prediction comes straight out of a softmax (or sigmoid) op and the loss
expects probabilities, the loss reads the logits from the graph and uses the fused,
stable log-softmax + NLL path instead: the same value, no ``log(0)``.
"""

from __future__ import annotations

from lamina._lookup import lookup
from lamina.autograd import Tensor
from lamina.autograd import ops as F

REDUCTIONS = ("sum_over_batch_size", "sum", "none")


class Loss:
    """Base class: ``call(y_true, y_pred)`` gives per-sample losses; ``__call__`` reduces them.

    Args:
        reduction: ``'sum_over_batch_size'`` (mean over the batch), ``'sum'`` or ``'none'``.
        name: the name used in logs.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}; "
                             f"received reduction={reduction!r}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            sw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
            sw = values.xp.asarray(sw, dtype=values.dtype)
            if sw.ndim > values.ndim:
                sw = sw.reshape(sw.shape[: values.ndim])
            values = values * sw
        if self.reduction == "none":
            return values
        total = F.sum(values)
        if self.reduction == "sum":
            return total
        return total / max(int(values.size), 1)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _snake(name: str) -> str:
    from lamina.layers.naming import to_snake_case

    return to_snake_case(name)


def _target(y_true, like: Tensor):
    """Targets as a constant tensor of the prediction's dtype, of the prediction's rank when
    they differ by a trailing axis of 1 (Keras's rule): labels ``(N,)`` against a
    ``Dense(1)`` output ``(N, 1)`` become ``(N, 1)``; ``(N, C, 1)`` against ``(N, C)`` lose
    the 1."""
    if not isinstance(y_true, Tensor):
        y_true = Tensor(like.xp.asarray(y_true, dtype=like.dtype))
    if y_true.ndim == like.ndim - 1 and like.shape[-1] == 1:
        return F.expand_dims(y_true, -1)
    if y_true.ndim == like.ndim + 1 and like.ndim >= 2 and y_true.shape[-1] == 1:
        return F.squeeze(y_true, -1)
    return y_true


def _check_same_shape(loss: Loss, y_true, y_pred) -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        hint = ""
        if isinstance(loss, CategoricalCrossentropy) and (
                len(y_true.shape) == len(y_pred.shape) - 1
                or (len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1)):
            hint = (" y_true looks like integer class ids: use "
                    "'sparse_categorical_crossentropy', or one-hot encode it with to_categorical")
        raise ValueError(f"{type(loss).__name__}: y_true and y_pred must have the same shape; "
                         f"received y_true.shape={tuple(y_true.shape)}, "
                         f"y_pred.shape={tuple(y_pred.shape)}.{hint}")


def _logits_of(y_pred: Tensor, op_name: str):
    """The input of the softmax/sigmoid op that produced ``y_pred``, if the graph still has it."""
    fn = y_pred._ctx
    if fn is not None and getattr(fn, "name", None) == op_name and hasattr(fn, "inputs"):
        if op_name != "softmax" or tuple(getattr(fn, "axes", ())) == (y_pred.ndim - 1,):
            return fn.inputs[0]
    return None


class MeanSquaredError(Loss):
    """``mean((y_true - y_pred)**2, axis=-1)`` per sample."""

    def __init__(self, name="mean_squared_error", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)

    def call(self, y_true, y_pred):
        y_true = _target(y_true, y_pred)
        _check_same_shape(self, y_true, y_pred)
        return F.mse(y_true, y_pred)


class MeanAbsoluteError(Loss):
    """``mean(|y_true - y_pred|, axis=-1)`` per sample."""

    def __init__(self, name="mean_absolute_error", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)

    def call(self, y_true, y_pred):
        y_true = _target(y_true, y_pred)
        _check_same_shape(self, y_true, y_pred)
        return F.mae(y_true, y_pred)


class Huber(Loss):
    """Quadratic for errors below ``delta``, linear above."""

    def __init__(self, delta=1.0, name="huber_loss", reduction="sum_over_batch_size"):
        super().__init__(name, reduction)
        if delta <= 0:
            raise ValueError(f"Huber: delta must be > 0; received delta={delta!r}")
        self.delta = float(delta)

    def call(self, y_true, y_pred):
        y_true = _target(y_true, y_pred)
        _check_same_shape(self, y_true, y_pred)
        return F.huber(y_true, y_pred, delta=self.delta)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class _CrossEntropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, name=None,
                 reduction="sum_over_batch_size"):
        super().__init__(name, reduction)
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"{type(self).__name__}: label_smoothing must be in [0, 1); "
                             f"received label_smoothing={label_smoothing!r}")
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class BinaryCrossentropy(_CrossEntropy):
    """``-(y log p + (1 - y) log(1 - p))``, averaged over the last axis."""

    def __init__(self, from_logits=False, label_smoothing=0.0, name="binary_crossentropy",
                 reduction="sum_over_batch_size"):
        super().__init__(from_logits, label_smoothing, name, reduction)

    def call(self, y_true, y_pred):
        y_true = _target(y_true, y_pred)
        _check_same_shape(self, y_true, y_pred)
        if self.label_smoothing:
            y_true = y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        logits = y_pred if self.from_logits else _logits_of(y_pred, "sigmoid")
        if logits is not None:
            return F.binary_crossentropy(y_true, logits, from_logits=True)
        return F.binary_crossentropy(y_true, y_pred)


class CategoricalCrossentropy(_CrossEntropy):
    """``-sum(y_true * log(y_pred))`` over classes, for one-hot (or soft) targets."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 name="categorical_crossentropy", reduction="sum_over_batch_size"):
        super().__init__(from_logits, label_smoothing, name, reduction)
        self.axis = axis

    def call(self, y_true, y_pred):
        y_true = _target(y_true, y_pred)
        _check_same_shape(self, y_true, y_pred)
        if self.label_smoothing:
            n = y_pred.shape[self.axis]
            y_true = y_true * (1.0 - self.label_smoothing) + self.label_smoothing / n
        logits = y_pred if self.from_logits else (
            _logits_of(y_pred, "softmax") if self.axis in (-1, y_pred.ndim - 1) else None)
        if logits is not None:
            return F.categorical_crossentropy(y_true, logits, from_logits=True, axis=self.axis)
        return F.categorical_crossentropy(y_true, y_pred, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy for integer class ids ``y_true`` of shape (N,) against (N, classes)."""

    def __init__(self, from_logits=False, name="sparse_categorical_crossentropy",
                 reduction="sum_over_batch_size"):
        super().__init__(name, reduction)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        labels = y_true.data if isinstance(y_true, Tensor) else y_true
        labels = y_pred.xp.asarray(labels)
        if labels.ndim == y_pred.ndim and labels.shape[-1] != 1:
            raise ValueError(
                f"SparseCategoricalCrossentropy: y_true has shape {tuple(labels.shape)}, which "
                f"looks one-hot; this loss wants integer class ids of shape "
                f"{tuple(y_pred.shape[:-1])}. Use 'categorical_crossentropy' for one-hot labels.")
        logits = y_pred if self.from_logits else _logits_of(y_pred, "softmax")
        if logits is not None:
            return F.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        return F.sparse_categorical_crossentropy(labels, y_pred)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


class Dice(Loss):
    """Keras's ``Dice``: ``1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + 1e-7)``.

    The sums run over ``axis`` (all axes when None, Keras's default: one value for the
    whole batch; ``axis=(1, 2, 3)`` gives one per image). ``y_true`` is one-hot (or a
    0/1 mask) of ``y_pred``'s shape; ``y_pred`` probabilities (softmax or sigmoid).
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None):
        super().__init__(name, reduction)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, y_true, y_pred):
        y_true = _target(y_true, y_pred)
        _check_same_shape(self, y_true, y_pred)
        overlap = F.sum(y_true * y_pred, axis=self.axis)
        total = F.sum(y_true, axis=self.axis) + F.sum(y_pred, axis=self.axis) + 1e-7
        return 1.0 - 2.0 * overlap / total

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


ALL = {cls.__name__: cls for cls in (MeanSquaredError, MeanAbsoluteError, Huber,
                                     BinaryCrossentropy, CategoricalCrossentropy,
                                     SparseCategoricalCrossentropy, Dice)}
NAMES = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "huber": Huber, "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "dice": Dice,
}


def get(identifier):
    """A Loss from a name, a config dict, a Loss, or a function ``f(y_true, y_pred)``."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return lookup(NAMES, identifier, "loss")()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss identifier: {identifier!r}")


class LossFunctionWrapper(Loss):
    """A user's function ``fn(y_true, y_pred) -> per-sample Tensor`` as a Loss."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size"):
        super().__init__(name or getattr(fn, "__name__", "loss"), reduction)
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(_target(y_true, y_pred), y_pred)


def serialize(loss: Loss) -> dict:
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict) -> Loss:
    from lamina.saving.registry import get_registered

    name = config.get("class_name")
    cls = ALL.get(name) or get_registered(name)
    if cls is None:
        raise ValueError(f"Unknown loss class {name!r}; known: {sorted(ALL)}")
    return cls.from_config(config.get("config", {}))
