"""``SKLearnClassifier``, ``SKLearnRegressor`` and ``SKLearnTransformer``: lamina models as
scikit-learn estimators (Keras 3's ``keras.wrappers``), for ``Pipeline``, ``cross_val_score``
and ``GridSearchCV`` next to scikit-learn's own models.

Example (the function builds and compiles the model for the data it is given)::

    from sklearn.model_selection import cross_val_score
    from lamina.layers import Dense, Input
    from lamina.models import Sequential
    from lamina.wrappers import SKLearnClassifier

    def mlp(X, y, hidden=16):
        model = Sequential([Input((X.shape[1],)), Dense(hidden, activation="relu"),
                            Dense(y.shape[1], activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        return model

    net = SKLearnClassifier(mlp, model_kwargs={"hidden": 32}, fit_kwargs={"epochs": 50},
                            random_state=0)
    cross_val_score(net, X, y, cv=5)
"""

from __future__ import annotations

import numpy
from sklearn.base import ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from lamina.wrappers._base import SKLBase, validate

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A lamina classifier as a scikit-learn estimator.

    The model is trained on one-hot targets (``y.shape[1]`` is the number of classes: end it
    with ``Dense(y.shape[1], activation="softmax")`` and a categorical cross-entropy);
    ``predict_proba`` returns its outputs and ``predict`` the class of the largest one.
    Arguments as :class:`~lamina.wrappers._base.SKLBase`.

    Attributes: ``classes_`` (the labels, sorted), and those of ``SKLBase``.
    """

    def _validate_fit(self, X, y):
        X, y = validate(self, X, y)
        return X, column_or_1d(y, warn=True)  # a column vector warns, as scikit-learn's do

    def _encode_target(self, y, fit_kwargs):
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"{self._where()}: only binary and multiclass targets are supported; "
                             f"received a {kind} target")
        classes, index = numpy.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"{self._where()}: a classifier needs samples of at least 2 "
                             f"classes; received 1 class ({classes[0]!r})")
        weights = fit_kwargs.get("sample_weight")
        if weights is not None:
            weighted = numpy.unique(index[numpy.asarray(weights) > 0])
            if len(weighted) < 2:
                raise ValueError(f"{self._where()}: only the class {classes[weighted]!r} has a "
                                 f"positive sample_weight; a classifier needs 2 classes or more")
        self.classes_ = classes
        return numpy.eye(len(classes), dtype=numpy.float32)[index]

    def predict_proba(self, X):
        """The model's outputs (one column per class of ``classes_``)."""
        return self._outputs(X)

    def predict(self, X):
        """The class of the largest output for each sample."""
        best = numpy.argmax(self.predict_proba(X), axis=1)  # checks that it is fitted
        return self.classes_[best]

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # the score depends on the model it is given
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A lamina regressor as a scikit-learn estimator.

    The model is trained on 2-D targets ``(n_samples, n_outputs)`` (a 1-D ``y`` becomes one
    column, and ``predict`` returns 1-D again). Arguments as
    :class:`~lamina.wrappers._base.SKLBase`.

    Attributes: ``n_outputs_``, and those of ``SKLBase``.
    """

    def _validate_fit(self, X, y):
        return validate(self, X, y, multi_output=True, y_numeric=True)

    def _encode_target(self, y, fit_kwargs):
        y = numpy.asarray(y, dtype=numpy.float32)
        self._target_1d = y.ndim == 1
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return y.reshape(len(y), -1)

    def predict(self, X):
        """The model's outputs (float64, as scikit-learn's regressors), 1-D when it was
        fitted on a 1-D ``y``."""
        out = self._outputs(X).astype(numpy.float64)
        return out[:, 0] if self._target_1d and out.ndim == 2 and out.shape[1] == 1 else out

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True, "multioutput": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A lamina model as a scikit-learn transformer: ``transform`` returns its outputs (e.g.
    the code of an autoencoder, the features of a network for another estimator).

    ``fit(X, y)`` trains the model on ``(X, y)``; ``fit(X)`` without targets trains it to
    reproduce ``X`` (an autoencoder). Arguments as :class:`~lamina.wrappers._base.SKLBase`.
    """

    def _validate_fit(self, X, y):
        if y is None:
            X = validate(self, X)
            return X, X
        return validate(self, X, y, multi_output=True, y_numeric=True)

    def _encode_target(self, y, fit_kwargs):
        y = numpy.asarray(y, dtype=numpy.float32)
        return y.reshape(len(y), -1)

    def transform(self, X):
        """The model's outputs for ``X``, float32."""
        return self._outputs(X)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # float32 out, whatever came in
        tags.target_tags.required = False
        return tags
