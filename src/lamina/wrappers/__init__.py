"""lamina models as scikit-learn estimators (``lamina[interop]``), with Keras 3's names:
:class:`SKLearnClassifier`, :class:`SKLearnRegressor`, :class:`SKLearnTransformer`. See
:mod:`lamina.wrappers.estimators`."""

from lamina.wrappers.estimators import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
