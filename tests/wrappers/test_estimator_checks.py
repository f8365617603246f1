"""scikit-learn's own estimator checks over the three wrappers (tiny models, few epochs).

Keras 3's wrappers declare 7 expected failures for the classifier and one each for the
regressor and the transformer. lamina's declare none: ``random_state`` makes fits repeat
(``check_fit_idempotent``, ``check_supervised_y_2d``, ``check_classifier_data_not_an_array``),
the classifier's messages name the class count and ``sample_weight``
(``check_classifiers_one_label_sample_weights``, ``check_fit2d_1sample``), and the checks
that only older scikit-learn failed pass here. The pandas and array-API checks skip when
pandas / SCIPY_ARRAY_API are not there.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from lamina.layers import Dense, Input  # noqa: E402
from lamina.models import Sequential  # noqa: E402
from lamina.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def mlp(X, y, loss, hidden=8, activation=None, learning_rate=0.05):
    from lamina.optimizers import Adam

    model = Sequential([Input((X.shape[1],)), Dense(hidden, activation="relu"),
                        Dense(y.shape[1], activation=activation)])
    model.compile(optimizer=Adam(learning_rate), loss=loss)
    return model


ESTIMATORS = [
    SKLearnClassifier(mlp, model_kwargs={"loss": "categorical_crossentropy",
                                         "activation": "softmax"},
                      fit_kwargs={"epochs": 10}),
    SKLearnRegressor(mlp, model_kwargs={"loss": "mse"}, fit_kwargs={"epochs": 10}),
    SKLearnTransformer(mlp, model_kwargs={"loss": "mse"}, fit_kwargs={"epochs": 2}),
]

#: estimator class -> {check name: reason}; at most 3 in all
EXPECTED_FAILED: dict[str, dict[str, str]] = {}


def test_at_most_three_expected_failures_each_with_a_reason():
    reasons = [r for checks in EXPECTED_FAILED.values() for r in checks.values()]
    assert len(reasons) <= 3 and all(reasons)


CHECKS = parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda e: EXPECTED_FAILED.get(
    type(e).__name__, {}))


def stable_id(value):
    """scikit-learn's test id less the address of ``mlp`` in the estimator's repr (``at0x...``
    once spaces are removed): ids must be equal in every process (pytest-xdist's workers
    collect on their own and compare)."""
    return re.sub(r"at0x[0-9a-fA-F]+", "", CHECKS.kwargs["ids"](value))


@pytest.mark.parametrize(*CHECKS.args, ids=stable_id)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
