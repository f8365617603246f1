"""Seed 002's classical methods as pictures (lecture 19): decision regions on Iris and SVR."""

import numpy as np
import pytest

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.test_lectures_advanced import assert_figures, lecture


def test_decision_regions_and_support_vector_regression(tmp_path):
    pytest.importorskip("sklearn")
    module = lecture("decision_regions")
    r = module.main(tmp_path, quick=True)
    assert_same_as_full_run("decision_regions", r)
    assert_figures(tmp_path, "decision_regions.png", "svr.png")
    acc = r["classifiers"]
    assert list(acc) == ["SVM, linear kernel", "SVM, polynomial kernel (degree 3)",
                         "SVM, RBF kernel", "decision tree", "random forest (100 trees)",
                         "KNN (k = 5)", "lamina MLP 2-32-32-3"]
    # 45 test flowers: one flower is 0.022. Versicolor and virginica overlap in these two
    # features, so every method lands between 0.6 and 0.8 on the test
    for name, a in acc.items():
        assert 0.6 < a["test"] <= 0.8 and 0.7 < a["train"] < 1.0, name
    # the tree and the forest memorise: the best training, the worst test accuracies
    memorisers = ("decision tree", "random forest (100 trees)")
    others = [a for name, a in acc.items() if name not in memorisers]
    assert min(acc[m]["train"] for m in memorisers) > max(a["train"] for a in others)
    assert max(acc[m]["test"] for m in memorisers) < max(a["test"] for a in others)
    assert acc["lamina MLP 2-32-32-3"]["test"] >= acc["SVM, RBF kernel"]["test"]
    svr = r["svr"]
    linear, rbf = svr["SVR, linear kernel"], svr["SVR, RBF kernel"]
    assert rbf["mse"] < 0.02 < 0.1 < linear["mse"]
    # support vectors: exactly the points outside the tube plus some on its edge
    for fit in (svr["SVR, linear kernel"], svr["SVR, polynomial kernel (degree 3)"], rbf):
        assert fit["outside_tube"] <= len(fit["support"]) <= 40
    assert len(rbf["support"]) < 20 and len(linear["support"]) > 25
    # the squared error follows the 8 moved points more than the RBF kernel's tube does
    assert svr["lamina MLP 1-32-32-1 (mse)"]["mse"] > rbf["mse"]
    x, y = module.svr_data()
    assert x.shape == (40, 1) and np.all(np.diff(x[:, 0]) >= 0)
    assert int(np.sum(np.abs(y - np.sin(x[:, 0])) > 1e-6)) == 8
