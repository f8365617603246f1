"""Loss classes and functions, as ``keras.losses``: ``'mse'``, ``'categorical_crossentropy'``...

Each class (``MeanSquaredError``, ``CategoricalCrossentropy``, ...) wraps the function of
the same idea (``mean_squared_error``, ``categorical_crossentropy``, ...), which gives one
value per sample; the class applies sample weights and reduces (``'sum_over_batch_size'``
by default, as Keras). No gradient code lives here: the functions are engine ops
(``lamina.autograd.ops.loss``) or compositions of them.

Modules: ``base`` (Loss, LossFunctionWrapper), ``functions`` (the per-sample functions),
``regression`` (MSE, MAE, Huber, hinges...), ``probabilistic`` (cross-entropies, KL
divergence, focal loss), ``dice``.
"""

from __future__ import annotations

from lamina._lookup import lookup
from lamina.losses.base import REDUCTIONS, Loss, LossFunctionWrapper
from lamina.losses.dice import Dice
from lamina.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from lamina.losses.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from lamina.losses.regression import (
    CategoricalHinge,
    Hinge,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    SquaredHinge,
)

# Keras's short names of the functions
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh

ALL = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    CategoricalFocalCrossentropy, KLDivergence, Poisson, Dice)}

#: the names ``compile(loss=...)`` accepts, each giving a new Loss object
NAMES = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "huber": Huber, "huber_loss": Huber, "log_cosh": LogCosh, "logcosh": LogCosh,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "kullback_leibler_divergence":
    KLDivergence, "poisson": Poisson, "dice": Dice,
}

#: each function (by identity) to its class, so compile(loss=lamina.losses.mse) logs and
#: saves it as 'mean_squared_error' like the string would
_FUNCTION_CLASSES = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, huber: Huber,
    log_cosh: LogCosh, hinge: Hinge, squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge, binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    kl_divergence: KLDivergence, poisson: Poisson,
}


def get(identifier):
    """A Loss from a name, a config dict, a Loss, one of this module's functions, or a
    function ``f(y_true, y_pred)`` giving per-sample values."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return lookup(NAMES, identifier, "loss")()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        known = _FUNCTION_CLASSES.get(identifier)
        return known() if known is not None else LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss: Loss) -> dict:
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict) -> Loss:
    from lamina.saving.registry import get_registered

    name = config.get("class_name")
    cls = ALL.get(name) or get_registered(name)
    if cls is None:
        raise ValueError(f"Unknown loss class {name!r}; known: {sorted(ALL)}")
    return cls.from_config(config.get("config", {}))


__all__ = [
    "BinaryCrossentropy", "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
    "CategoricalHinge", "Dice", "Hinge", "Huber", "KLD", "KLDivergence", "LogCosh", "Loss",
    "LossFunctionWrapper", "MAE", "MAPE", "MSE", "MSLE", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredError", "MeanSquaredLogarithmicError",
    "Poisson", "REDUCTIONS", "SparseCategoricalCrossentropy", "SquaredHinge",
    "binary_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "categorical_hinge", "deserialize", "get", "hinge", "huber", "kl_divergence", "kld",
    "log_cosh", "logcosh", "mae", "mape", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
    "mse", "msle", "poisson", "serialize", "sparse_categorical_crossentropy", "squared_hinge",
]
