"""Rosenblatt's perceptron (1958): a Heaviside unit trained by its own learning rule.

The unit fires when its net input is positive, as in the lecture seeds::

    y = H(w . x + b),    H(z) = 1 if z > 0 else 0

and, for every example in turn, moves its weights by the error ``d - y``::

    w += lr * (d - y) * x
    b += lr * (d - y)

(``lr`` is ``learning_rate``; ``d`` the desired output.) A correct answer (``d == y``)
changes nothing. The rule runs epoch by epoch until an epoch has no error: the
perceptron convergence theorem guarantees this for linearly separable data (OR, AND). For
XOR no line separates the classes, so some example is wrong in every epoch, forever; the
fit stops at ``max_epochs`` and says so. Backpropagation cannot train this unit: H has
zero derivative everywhere (see ``lamina.autograd.ops.activation.heaviside``).
"""

from __future__ import annotations

import numbers
import warnings

import numpy

from lamina.backend import floatx, get_array_module
from lamina.random import make_rng

__all__ = ["ConvergenceWarning", "Perceptron"]


class ConvergenceWarning(UserWarning):
    """The perceptron stopped at ``max_epochs`` with errors left (the data may not be
    linearly separable)."""


def _real(value, name, positive=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
    if not ok or (positive and value <= 0):
        need = "a positive number" if positive else "a real number"
        raise ValueError(f"Perceptron: {name} must be {need}; received {name}={value!r}")
    return float(value)


class Perceptron:
    """Heaviside units trained with Rosenblatt's rule (scikit-learn manners).

    Two classes (0/1, as on the slides) need one unit. With more classes there is one
    unit per class, each learning "this class or not" with the same rule (one-vs-rest),
    and ``predict`` picks the class with the largest net input. ``__init__`` only stores
    the hyper-parameters; :meth:`fit` learns and returns ``self``; learned state ends in
    ``_``. Weights start at zero.

    Args:
        learning_rate: ``lr`` in ``w += lr * (d - y) * x`` (> 0). ``lr=`` is accepted as
            the Keras 1 spelling, with a DeprecationWarning.
        max_epochs: stop after this many epochs even with errors left.
        shuffle: visit the examples in a new random order every epoch (default: in order,
            as on the slides, so every run is the same).
        seed: int or ``numpy.random.Generator`` for the shuffling.

    Attributes (after ``fit``):
        weights_: ``(n_features,)`` for one unit, else ``(n_features, n_classes)``.
        bias_: a float for one unit, else ``(n_classes,)``. ``b = -theta`` for the slides'
            ``H_theta(w . x)``: OR's ``H_0.5(x0 + x1)`` is ``w = (1, 1), b = -0.5``.
        classes_: the labels, sorted; one unit fires (1) for ``classes_[1]``.
        n_epochs_: epochs run (the last one is error-free when converged).
        converged_: True when an epoch had no error.
        errors_per_epoch_: examples misclassified (and so updated) in each epoch.
        weights_per_epoch_, bias_per_epoch_: ``w`` and ``b`` at the end of each epoch.
        result_: one sentence, e.g. "converged in 4 epochs" or "did not converge in 100
            epochs (2 errors in the last epoch)".

    Example (logical OR, as in seed 003):
        >>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
        >>> p = Perceptron().fit(X, [0, 1, 1, 1])
        >>> p.result_, p.weights_.tolist(), p.bias_
        ('converged in 4 epochs', [1.0, 1.0], 0.0)
        >>> p.predict(X).tolist()
        [0, 1, 1, 1]
    """

    def __init__(self, learning_rate=1.0, max_epochs=100, shuffle=False, seed=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("Perceptron: `lr` is deprecated; use `learning_rate`",
                          DeprecationWarning, stacklevel=2)
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"Perceptron: unrecognized keyword argument(s): "
                            f"{', '.join(sorted(kwargs))}")
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.seed = seed

    # ------------------------------------------------------------------ sklearn API
    def get_params(self, deep=True) -> dict:
        """The hyper-parameters, as scikit-learn's ``get_params``."""
        return {"learning_rate": self.learning_rate, "max_epochs": self.max_epochs,
                "shuffle": self.shuffle, "seed": self.seed}

    def set_params(self, **params) -> Perceptron:
        """Set hyper-parameters by name; returns ``self``."""
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"Perceptron: invalid parameter {name!r}; valid ones are "
                                 f"{', '.join(self.get_params())}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"Perceptron({args})"

    # ------------------------------------------------------------------ checks
    def _inputs(self, X, where, n_features=None):
        xp = get_array_module(X)
        X = xp.asarray(X)
        if X.dtype.kind not in "fiub":
            raise TypeError(f"Perceptron.{where}: X must hold numbers; received dtype={X.dtype}")
        if X.dtype.kind != "f":
            X = X.astype(floatx())
        if X.ndim != 2:
            raise ValueError(f"Perceptron.{where}: X must have shape (n_samples, n_features); "
                             f"received shape {X.shape}")
        if n_features is not None and X.shape[1] != n_features:
            raise ValueError(f"Perceptron.{where}: X has {X.shape[1]} features, but the "
                             f"perceptron was fitted with {n_features}")
        return X

    def _targets(self, d, X, where):
        """``d`` as a ``(n_samples, n_units)`` 0/1 matrix and the class labels."""
        d = numpy.asarray(d.get() if hasattr(d, "get") else d)
        if d.ndim == 2 and d.shape[1] == 1:
            d = d[:, 0]
        n = X.shape[0]
        if d.shape != (n,):
            raise ValueError(f"Perceptron.{where}: d must have shape (n_samples,) = ({n},); "
                             f"received shape {d.shape}")
        classes = numpy.unique(d) if where == "fit" else self.classes_
        if where == "fit" and len(classes) < 2 and set(classes.tolist()) <= {0, 1}:
            classes = numpy.array([0, 1], dtype=d.dtype)  # one class seen: still 0/1 labels
        if where == "fit" and len(classes) < 2:
            raise ValueError(f"Perceptron.fit: d must hold at least two classes; received only "
                             f"{classes.tolist()}")
        if len(classes) == 2:
            targets = (d == classes[1])[:, None]     # one unit: fires for the second class
        else:
            targets = d[:, None] == classes[None, :]  # one unit per class (one-vs-rest)
        xp = get_array_module(X)
        return xp.asarray(targets.astype(X.dtype)), classes

    def _check_fitted(self, where):
        if not hasattr(self, "weights_"):
            raise RuntimeError(f"Perceptron.{where}: this perceptron is not fitted yet; call "
                               "fit(X, d) first")

    # ------------------------------------------------------------------ learning
    def fit(self, X, d) -> Perceptron:
        """Learn ``w`` and ``b`` with Rosenblatt's rule, starting from ``w = 0, b = 0``.

        Args:
            X: ``(n_samples, n_features)`` inputs.
            d: ``(n_samples,)`` desired outputs: 0/1, any two labels (the second one in
                sorted order is the unit's 1), or more classes (one unit per class, each
                learning "this class or not"; ``predict`` picks the largest net input).

        Returns:
            self. Warns with :class:`ConvergenceWarning` when ``max_epochs`` is reached with
            errors left.
        """
        lr = _real(self.learning_rate, "learning_rate", positive=True)
        max_epochs = self.max_epochs
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, numbers.Integral) \
                or max_epochs < 1:
            raise ValueError(f"Perceptron: max_epochs must be a positive int; received "
                             f"max_epochs={max_epochs!r}")
        X = self._inputs(X, "fit")
        targets, classes = self._targets(d, X, "fit")
        rng = make_rng(self.seed) if self.shuffle else None
        xp = get_array_module(X)
        n_units = targets.shape[1]
        w = xp.zeros((X.shape[1], n_units), dtype=X.dtype)   # one column per unit
        b = xp.zeros(n_units, dtype=X.dtype)
        errors_per_epoch, w_per_epoch, b_per_epoch = [], [], []
        order = numpy.arange(X.shape[0])
        for _ in range(int(max_epochs)):
            if rng is not None:
                rng.shuffle(order)
            errors = 0
            for i in order.tolist():
                x_i = X[i]
                y = (x_i @ w + b > 0).astype(X.dtype)       # y = H(w . x + b)
                err = targets[i] - y                        # d - y: -1, 0 or +1 per unit
                if err.any():
                    errors += 1
                    w += lr * x_i[:, None] * err            # w += lr (d - y) x
                    b += lr * err                           # b += lr (d - y)
            errors_per_epoch.append(errors)
            w_per_epoch.append(self._public(w.copy()))
            b_per_epoch.append(self._public(b.copy(), bias=True))
            if errors == 0:
                break
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.weights_ = self._public(w)
        self.bias_ = self._public(b, bias=True)
        self.n_epochs_ = len(errors_per_epoch)
        self.errors_per_epoch_ = errors_per_epoch
        self.weights_per_epoch_ = w_per_epoch
        self.bias_per_epoch_ = b_per_epoch
        self.converged_ = errors_per_epoch[-1] == 0
        if self.converged_:
            self.result_ = f"converged in {self.n_epochs_} epoch{'s' * (self.n_epochs_ != 1)}"
        else:
            last = errors_per_epoch[-1]
            self.result_ = (f"did not converge in {self.n_epochs_} epoch"
                            f"{'s' * (self.n_epochs_ != 1)} ({last} error{'s' * (last != 1)} "
                            f"in the last epoch)")
            warnings.warn(f"Perceptron: {self.result_}; the classes may not be linearly "
                          "separable (like XOR). Raise max_epochs, or use a multi-layer "
                          "network.", ConvergenceWarning, stacklevel=2)
        return self

    @staticmethod
    def _public(value, bias=False):
        """One unit: ``w`` as ``(n_features,)`` and ``b`` as a float; several: as they are."""
        if value.shape[-1] != 1:
            return value
        return float(value[0]) if bias else value[:, 0]

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X):
        """The net input ``w . x + b``: ``(n_samples,)`` for one unit, else
        ``(n_samples, n_classes)``."""
        self._check_fitted("decision_function")
        X = self._inputs(X, "decision_function", self.n_features_in_)
        return X @ self.weights_.astype(X.dtype, copy=False) + self.bias_

    def predict(self, X):
        """The class of each example: one unit gives ``classes_[H(w . x + b)]`` (0 or 1
        for 0/1 labels); several units give the class of the largest net input."""
        self._check_fitted("predict")
        net = self.decision_function(X)
        index = (net > 0).astype("int64") if net.ndim == 1 else net.argmax(axis=1)
        index = index.get() if hasattr(index, "get") else index
        return self.classes_[index]

    def score(self, X, d) -> float:
        """Accuracy: the fraction of examples with ``predict(x) == d``."""
        self._check_fitted("score")
        predicted = self.predict(X)
        d = numpy.asarray(d.get() if hasattr(d, "get") else d).reshape(predicted.shape)
        return float((predicted == d).mean())
