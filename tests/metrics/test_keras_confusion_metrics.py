"""TruePositives ... FalseNegatives, Precision, Recall, AUC, F1Score and FBetaScore against
Keras 3.15.1 (torch backend) over two batches, with and without sample weights (fixture
written by scripts/keras_fixtures/metrics.py)."""

import json
import pathlib

import numpy as np
import pytest

from lamina import metrics

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "keras_confusion_metrics.json")
                  .read_text())
IDS = [f"{r['class']}-{json.dumps(r['config'], sort_keys=True)}-w{int(r['weighted'])}"
       for r in DATA["results"]]


@pytest.mark.parametrize("case", DATA["results"], ids=IDS)
def test_matches_keras(case):
    m = getattr(metrics, case["class"])(**case["config"])
    for batch in DATA["batches"]:
        m.update_state(np.array(batch["y_true"]), np.array(batch["y_pred"], dtype="float32"),
                       sample_weight=np.array(batch["sample_weight"]) if case["weighted"]
                       else None)
    got = np.asarray(m.result(), dtype="float64")
    want = np.asarray(case["result"])
    assert got.shape == want.shape
    # counts are sums of 48 float32 weights; ratios of them: a few float32 ulps
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    config = m.get_config()
    assert getattr(metrics, case["class"]).from_config(config).get_config() == config


def test_names_resolve_and_results_reset():
    for name in ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
                 "F1Score", "FBetaScore"]:
        assert isinstance(metrics.get(name), getattr(metrics, name))
    m = metrics.TruePositives(thresholds=[0.2, 0.7])
    m.update_state([1, 1, 0], [0.5, 0.9, 0.8])
    np.testing.assert_array_equal(m.result(), [2.0, 1.0])
    m.reset_state()
    np.testing.assert_array_equal(m.result(), [0.0, 0.0])


def test_f1_score_in_fit_logs_a_number_per_class_or_one():
    from lamina import layers, models

    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]
    model = models.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy",
                  metrics=[metrics.F1Score(average="macro"), metrics.F1Score(name="f1"),
                           metrics.TruePositives()])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert 0.0 <= logs["f1_score"] <= 1.0
    assert np.asarray(logs["f1"]).shape == (3,)
    assert logs["true_positives"] == pytest.approx(float(
        ((model.predict(x, verbose=0) > 0.5) & (y == 1)).sum()))


@pytest.mark.parametrize("make, message", [
    (lambda: metrics.F1Score(average="mean"), "F1Score: average must be one of"),
    (lambda: metrics.FBetaScore(beta=0), "beta must be a number > 0"),
    (lambda: metrics.F1Score(threshold=1.5), r"threshold must be a number in \(0, 1\]"),
    (lambda: metrics.TruePositives(thresholds=[2.0]), "thresholds must be numbers in"),
])
def test_errors_name_the_metric_and_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()
