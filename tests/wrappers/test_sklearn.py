"""The wrappers in scikit-learn's workflows: clone, Pipeline, cross_val_score, GridSearchCV
over model arguments, and the estimator contract (random_state, fitted attributes, errors)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from lamina import random as lamina_random  # noqa: E402
from lamina.layers import Dense, Dropout, Input  # noqa: E402
from lamina.models import Sequential  # noqa: E402
from lamina.optimizers import Adam  # noqa: E402
from lamina.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def classifier_net(X, y, hidden=16, dropout=0.0):
    model = Sequential([Input((X.shape[1],)), Dense(hidden, activation="relu"),
                        Dropout(dropout), Dense(y.shape[1], activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def regressor_net(X, y, hidden=16):
    model = Sequential([Input((X.shape[1],)), Dense(hidden, activation="tanh"),
                        Dense(y.shape[1])])
    model.compile(optimizer="adam", loss="mse")
    return model


def encoder_net(X, y, code=2):
    """A linear autoencoder: at its best it keeps PCA's subspace."""
    model = Sequential([Input((X.shape[1],)), Dense(code), Dense(y.shape[1])])
    model.compile(optimizer=Adam(0.01), loss="mse")
    return model


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


def iris_net(**kwargs):
    return SKLearnClassifier(classifier_net, fit_kwargs={"epochs": 60, "batch_size": 16},
                             random_state=0, **kwargs)


def test_pipeline_and_cross_val_score_learn_iris(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), iris_net())
    scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and scores.min() >= 0.85, scores
    # the same random_state gives the same scores: every fold's fit repeats
    again = cross_val_score(pipe, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    np.testing.assert_array_equal(scores, again)


def test_grid_search_over_model_arguments(iris):
    X, y = iris
    grid = GridSearchCV(make_pipeline(StandardScaler(), iris_net()),
                        {"sklearnclassifier__model_kwargs": [{"hidden": 2}, {"hidden": 16}],
                         "sklearnclassifier__fit_kwargs": [{"epochs": 60, "batch_size": 16}]},
                        cv=StratifiedKFold(3, shuffle=True, random_state=0))
    grid.fit(X, y)
    means = grid.cv_results_["mean_test_score"]
    assert means.shape == (2,) and grid.best_score_ == means.max() >= 0.85
    fitted = grid.best_estimator_[-1]
    assert fitted.model_.layers[0].units == grid.best_params_[
        "sklearnclassifier__model_kwargs"]["hidden"]


def test_clone_keeps_the_parameters_and_drops_the_fit(iris):
    X, y = iris
    net = iris_net(model_kwargs={"hidden": 8}).fit(X, y)
    copy = clone(net)
    assert copy.get_params() == net.get_params()
    assert not hasattr(copy, "model_") and not hasattr(copy, "classes_")
    assert copy.set_params(model_kwargs={"hidden": 4}).model_kwargs == {"hidden": 4}
    assert net.model_kwargs == {"hidden": 8}


def test_fitted_attributes_and_string_labels(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    net = iris_net().fit(X, names)
    np.testing.assert_array_equal(net.classes_, ["setosa", "versicolor", "virginica"])
    assert net.n_features_in_ == 4 and set(net.history_) == {"loss"}
    assert len(net.history_["loss"]) == 60
    proba = net.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(net.predict(X)) <= set(names)
    assert net.score(X, names) >= 0.9
    # fit's own arguments win over fit_kwargs
    short = iris_net().fit(X, y, epochs=3)
    assert len(short.history_["loss"]) == 3


def test_random_state_repeats_the_fit_and_leaves_lamina_global_generator(iris):
    X, y = iris
    lamina_random.set_random_seed(123)
    expected_next = lamina_random.make_rng().integers(10**9)
    lamina_random.set_random_seed(123)
    a = iris_net(model_kwargs={"dropout": 0.2}).fit(X, y).predict_proba(X)
    assert lamina_random.make_rng().integers(10**9) == expected_next  # caller's draws unchanged
    b = iris_net(model_kwargs={"dropout": 0.2}).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = iris_net(model_kwargs={"dropout": 0.2}, ).set_params(random_state=1).fit(X, y)
    assert np.abs(c.predict_proba(X) - a).max() > 1e-3
    rs = SKLearnClassifier(classifier_net, fit_kwargs={"epochs": 2},
                           random_state=np.random.RandomState(5))
    assert rs.fit(X, y).predict_proba(X).shape == (150, 3)


def test_warm_start_continues_the_same_model(iris):
    X, y = iris
    net = iris_net(warm_start=True).fit(X, y, epochs=2)
    model = net.model_
    net.fit(X, y, epochs=2)
    assert net.model_ is model
    cold = iris_net().fit(X, y, epochs=2)
    first = cold.model_
    assert cold.fit(X, y, epochs=2).model_ is not first


def test_a_compiled_model_instead_of_a_function(iris):
    X, y = iris
    template = classifier_net(X, np.eye(3)[y])
    net = SKLearnClassifier(template, fit_kwargs={"epochs": 5}, random_state=0).fit(X, y)
    assert net.model_ is not template and net.model_.optimizer is not template.optimizer
    assert net.predict(X).shape == (150,)


def test_regressor_one_and_several_targets():
    X, y = make_regression(n_samples=120, n_features=5, n_targets=2, noise=0.1, random_state=0)
    y = y / y.std(axis=0)
    net = SKLearnRegressor(regressor_net, fit_kwargs={"epochs": 150, "batch_size": 16},
                           random_state=0)
    pipe = make_pipeline(StandardScaler(), net).fit(X, y)
    assert pipe.predict(X).shape == (120, 2) and pipe[-1].n_outputs_ == 2
    assert pipe.score(X, y) >= 0.9
    single = clone(pipe).fit(X, y[:, 0])
    assert single.predict(X).shape == (120,) and single.predict(X).dtype == np.float64
    scores = cross_val_score(clone(pipe), X, y[:, 0], cv=3)
    assert scores.min() >= 0.8, scores


def test_transformer_as_an_autoencoder_in_a_pipeline(iris):
    X, y = iris
    code = SKLearnTransformer(encoder_net, model_kwargs={"code": 2},
                              fit_kwargs={"epochs": 100, "batch_size": 16}, random_state=0)
    reconstruction = make_pipeline(StandardScaler(), code).fit(X)  # no y: learns to give X back
    out = reconstruction.transform(X)
    standard = StandardScaler().fit_transform(X)
    assert out.shape == (150, 4) and out.dtype == np.float32
    pca = PCA(2).fit(standard)
    best = np.mean((pca.inverse_transform(pca.transform(standard)) - standard) ** 2)  # 0.0419
    assert np.mean((out - standard) ** 2) <= 1.1 * best  # 4 numbers through 2
    assert code.fit_transform(X, y.astype("float64")).shape == (150, 1)


def test_errors_name_the_problem(iris):
    X, y = iris

    def uncompiled(X, y):
        return Sequential([Input((4,)), Dense(3)])

    with pytest.raises(RuntimeError, match="must be compiled with a loss"):
        SKLearnClassifier(uncompiled).fit(X, y)
    with pytest.raises(TypeError, match="must return a lamina Model"):
        SKLearnClassifier(lambda X, y: "not a model").fit(X, y)
    with pytest.raises(TypeError, match="model must be a function"):
        SKLearnClassifier(model=3).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        iris_net().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="random_state must be None"):
        iris_net().set_params(random_state=-1).fit(X, y)
    with pytest.raises(ValueError, match="only the class .* has a positive sample_weight"):
        iris_net().fit(X, y, sample_weight=(y == 2).astype("float32"))
