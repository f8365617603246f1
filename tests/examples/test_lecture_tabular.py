"""Seed 001's tables (lecture 18): products by (weight, volume, price), and the data a
function family needs."""

import numpy as np

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.test_lectures_advanced import assert_figures, lecture


def test_products_and_necessary_data(tmp_path):
    module = lecture("tabular")
    r = module.main(tmp_path, quick=True)
    assert_same_as_full_run("tabular", r)
    assert_figures(tmp_path, "products.png", "necessary_data.png")
    acc = r["accuracy"]
    bayes = acc["Bayes classifier (knows the rule)"]
    # the rule's overlap of shoes and handbags caps every classifier near 0.88
    assert 0.85 < bayes < 0.91
    for name in ("softmax layer (linear in the log features)", "MLP 3-16-16-3"):
        assert bayes - 0.04 < acc[name] <= bayes + 0.01, name   # 1,500 test products
    confusion = r["confusion"]
    assert confusion.sum() == 1500 and confusion.sum(axis=1).tolist() == [500, 500, 500]
    # shirts are easy; the errors are shoes vs handbags
    assert confusion[2, 2] > 470 and confusion[0, 1] + confusion[1, 0] > 0.8 * (
        1500 - np.trace(confusion))
    # necessary data: fewer points than weights fail; the MLP's sine needs the most
    errors, need = r["errors"], r["needed"]
    linear, quadratic, sine = ("linear: w1 x + w0", "quadratic: w2² x² + w1² x + w0",
                               "sin, by an MLP 1-32-32-1")
    assert errors[linear][1] > 10 * module.NOISE ** 2
    assert min(errors[quadratic][1], errors[quadratic][2]) > 10 * module.NOISE ** 2
    for name in errors:
        assert errors[name][100] < 1.5 * module.NOISE ** 2, name
    assert need["constant: w0"] <= need[linear] <= need[quadratic] < need[sine]
    assert need[linear] >= 2 and need[quadratic] >= 3
    # the Bayes rule at the categories' medians gives the category
    assert module.bayes_predict(np.array([[0.25, 2.0, 35.0], [0.9, 7.0, 70.0]])).tolist() == \
        [2, 0]
