"""What the three scikit-learn wrappers share: the estimator's parameters, building and
fitting the lamina model, input validation and reproducible fits (``random_state``).

scikit-learn's estimator contract, as the wrappers keep it: ``__init__`` only stores its
arguments; everything learned ends in ``_`` (``model_``, ``history_``, ``n_features_in_``,
``classes_``...) and is set by ``fit``; inputs are checked by scikit-learn's own validation,
so the messages for NaN, sparse or wrongly shaped data are scikit-learn's.
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager

import numpy

try:
    import sklearn
    from sklearn.base import BaseEstimator
    from sklearn.utils import check_random_state
    from sklearn.utils.validation import check_is_fitted
except ImportError:  # pragma: no cover - the interop extra is missing
    raise ImportError("lamina.wrappers needs scikit-learn: pip install 'lamina[interop]' (or pip "
                      "install scikit-learn)") from None

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)


def validate(estimator, X, y="no_validation", reset=True, **kwargs):
    """scikit-learn's validation, with lamina's float32 for ``X``."""
    return _validate_data(estimator, X, y, reset=reset, dtype=numpy.float32, **kwargs)


def seed_of(random_state, where: str):
    """``random_state`` (None, an int, or a ``numpy.random.RandomState``) as a lamina seed."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"{where}: random_state must be None, a non-negative int or a "
                             f"numpy RandomState; received random_state={random_state!r}")
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))


@contextmanager
def seeded(seed):
    """Within the block lamina's global generator starts from ``seed`` (the weights of the
    model built there repeat); the caller's generator is back afterwards."""
    if seed is None:
        yield
        return
    from lamina import random as lamina_random

    saved = lamina_random._global
    lamina_random.set_random_seed(seed)
    try:
        yield
    finally:
        lamina_random._global = saved


def _clone_model(model, where: str):
    """A new, compiled, untrained copy of a Sequential or functional ``model`` (its layers
    rebuilt from their configs, so the weights are drawn again), as Keras's ``clone_model``."""
    from lamina import optimizers
    from lamina.layers.serialization import deserialize, serialize

    try:
        copy = deserialize(serialize(model))
    except (NotImplementedError, TypeError, ValueError, KeyError) as error:
        raise TypeError(f"{where}: cannot rebuild model '{model.name}' from its config "
                        f"({error}); pass model= a function that builds and compiles it "
                        "instead") from error
    if model.compiled:
        copy.compile(optimizer=optimizers.deserialize(optimizers.serialize(model.optimizer)),
                     loss=model.loss)
    return copy


class SKLBase(BaseEstimator):
    """Base of the wrappers (Keras 3's ``keras.wrappers`` names and arguments).

    Args:
        model: a function that builds and compiles a lamina model, called as
            ``model(X=X, y=y, **model_kwargs)`` on the training data (``y`` as the model is
            trained on: one-hot for the classifier, 2-D for the regressor); or a compiled
            Sequential / functional model, rebuilt from its config (fresh weights) at each fit.
        warm_start: continue training the model of the previous ``fit`` instead of a new one.
        model_kwargs: keyword arguments of ``model`` (e.g. the sizes a grid search tries).
        fit_kwargs: keyword arguments of ``model.fit`` (``epochs``, ``batch_size``...);
            those given to ``fit`` itself win. ``verbose`` is 0 unless given.
        random_state: None, an int or a ``numpy.random.RandomState``: with one, the model's
            initial weights, its dropout masks and the shuffling repeat from fit to fit
            (lamina's extension of Keras's arguments; scikit-learn's checks rely on it).

    Attributes (after ``fit``): ``model_`` (the trained model), ``history_`` (its
    ``History.history`` dict), ``n_features_in_`` (and ``feature_names_in_`` for a
    DataFrame with string column names).
    """

    _required_parameters = ["model"]

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None,
                 random_state=None):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs
        self.random_state = random_state

    # -------------------------------------------------------------- what subclasses set
    def _validate_fit(self, X, y):
        """(X, y) validated for fit."""
        raise NotImplementedError

    def _encode_target(self, y, fit_kwargs):
        """``y`` as the model is trained on it; sets the target's fitted attributes."""
        raise NotImplementedError

    # --------------------------------------------------------------------- fitting
    def _where(self) -> str:
        return type(self).__name__

    def _build(self, X, y):
        from lamina.models import Model

        where = self._where()
        if isinstance(self.model, Model):
            model = _clone_model(self.model, where)
        elif callable(self.model):
            model = self.model(X=X, y=y, **(self.model_kwargs or {}))
        else:
            raise TypeError(f"{where}: model must be a function that builds and compiles a "
                            f"lamina model, or a compiled model; received {self.model!r}")
        if not isinstance(model, Model):
            raise TypeError(f"{where}: model(X=..., y=..., **model_kwargs) must return a lamina "
                            f"Model; it returned {type(model).__name__}")
        if not model.compiled or model.loss is None or model.optimizer is None:
            raise RuntimeError(f"{where}: the model must be compiled with a loss and an "
                               "optimizer (call model.compile(...) in the function that "
                               "builds it)")
        return model

    def fit(self, X, y=None, **kwargs):
        """Build the model (or keep the last one with ``warm_start``) and train it.

        Args:
            X: array-like ``(n_samples, n_features)``.
            y: the targets.
            **kwargs: arguments of ``model.fit`` (``epochs``, ``sample_weight``...), over
                ``fit_kwargs``.
        Returns: self.
        """
        X, y = self._validate_fit(X, y)
        fit_kwargs = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        target = self._encode_target(y, fit_kwargs)
        seed = seed_of(self.random_state, self._where())
        if seed is not None:
            fit_kwargs.setdefault("seed", seed)
        with seeded(seed):
            reuse = self.warm_start and hasattr(self, "model_")
            model = self.model_ if reuse else self._build(X, target)
            history = model.fit(X, target, **fit_kwargs)
        self.model_ = model
        self.history_ = dict(history.history) if history is not None else {}
        return self

    def _outputs(self, X):
        """The model's outputs for ``X``, after checking that the estimator is fitted."""
        check_is_fitted(self)
        X = validate(self, X, reset=False)
        return self.model_.predict(X, verbose=0)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")


__all__ = ["SKLBase", "seed_of", "seeded", "sklearn", "validate"]
