import itertools

import numpy as np
import pytest

from lamina import metrics as M


def test_precision_and_recall_two_batches():
    p, r = M.Precision(), M.Recall()
    for m in (p, r):
        m.update_state([0, 1, 1, 1], [1, 0, 1, 1])  # tp 2, fp 1, fn 1
    assert p.result() == pytest.approx(2 / 3) and r.result() == pytest.approx(2 / 3)
    for m in (p, r):
        m.update_state([[1], [0], [1]], [[0.7], [0.2], [0.5]])  # tp 1, fn 1 (0.5 is not > 0.5)
    assert p.result() == pytest.approx(3 / 4)
    assert r.result() == pytest.approx(3 / 5)
    p.reset_state()
    assert p.result() == 0.0  # no positive predictions yet: 0, not nan


def test_precision_sample_weights_and_thresholds():
    p = M.Precision()
    p.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[3, 1, 1, 1])  # 2 / (2 + 3)
    assert p.result() == pytest.approx(2 / 5)
    multi = M.Recall(thresholds=[0.0, 0.5, 0.9])
    multi.update_state([1, 1, 1, 0], [0.2, 0.6, 0.95, 0.99])
    np.testing.assert_allclose(multi.result(), [1.0, 2 / 3, 1 / 3])


def test_class_id_and_top_k():
    y_true = np.array([[0, 1, 0], [1, 0, 0], [0, 1, 0]])
    y_pred = np.array([[0.1, 0.8, 0.6], [0.7, 0.6, 0.2], [0.2, 0.3, 0.4]])
    # class 1 only: predictions 0.8, 0.6, 0.3 against labels 1, 0, 1
    assert M.Precision(class_id=1)(y_true, y_pred) == pytest.approx(1 / 2)
    assert M.Recall(class_id=1)(y_true, y_pred) == pytest.approx(1 / 2)
    # top_k=1 keeps the row maxima (0.8, 0.7, 0.4): 2 of those 3 are labelled 1
    assert M.Precision(top_k=1)(y_true, y_pred) == pytest.approx(2 / 3)
    assert M.Recall(top_k=1, thresholds=0.5)(y_true, y_pred) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"class_id=5 needs y_pred of shape \(batch, classes\)"):
        M.Precision(class_id=5)(y_true, y_pred)


def test_precision_errors():
    with pytest.raises(ValueError, match=r"Precision: thresholds must be numbers in \[0, 1\]"):
        M.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"recall: y_true has shape \(3,\) but y_pred has shape"):
        M.Recall()([1, 0, 1], [[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) does not match y_pred"):
        M.Precision()([1, 0], [0.4, 0.6], sample_weight=[1, 2, 3])


def _exact_roc_auc(labels, scores):
    """Probability that a random positive outscores a random negative (ties count 1/2)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = [1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)]
    return float(np.mean(wins))


def test_auc_roc_matches_the_pairwise_definition_over_two_batches():
    rng = np.random.default_rng(0)
    # scores on a grid coarser than the 200 thresholds: the trapezoid rule is then exact
    scores = rng.integers(0, 50, size=60) / 50 + 0.01
    labels = (rng.random(60) < scores).astype(int)
    m = M.AUC()
    m.update_state(labels[:35], scores[:35])
    m.update_state(labels[35:], scores[35:])
    assert m.result() == pytest.approx(_exact_roc_auc(labels, scores), abs=1e-9)
    m.reset_state()
    assert m.result() == 0.0


def test_auc_extremes_summation_methods_and_pr():
    labels, scores = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    assert M.AUC()(labels, scores) == pytest.approx(0.75)
    assert M.AUC()(labels, 1 - scores) == pytest.approx(0.25)
    assert M.AUC()([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == pytest.approx(1.0)
    # a positive and a negative tied at 0.4 make a diagonal ROC step: exact AUC 3.5 / 4;
    # minoring / majoring take the lower / upper rectangle under that step
    tied = np.array([0.1, 0.4, 0.4, 0.8])
    assert M.AUC()(labels, tied) == pytest.approx(0.875)
    assert M.AUC(summation_method="minoring")(labels, tied) == pytest.approx(0.75)
    assert M.AUC(summation_method="majoring")(labels, tied) == pytest.approx(1.0)
    assert M.AUC(curve="PR")([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == pytest.approx(1.0, abs=1e-6)
    # from_logits applies a sigmoid first: the ranking, hence the ROC AUC, is unchanged
    logits = np.log(scores / (1 - scores))
    assert M.AUC(from_logits=True)(labels, logits) == pytest.approx(0.75)


def test_auc_pr_interpolation_by_hand():
    # thresholds [-eps, 0.5, 1+eps]; labels 1, 0, 1 with scores 0.9, 0.9, 0.1
    m = M.AUC(curve="PR", num_thresholds=3)
    m.update_state([1, 0, 1], [0.9, 0.9, 0.1])
    np.testing.assert_array_equal(m.true_positives, [2, 1, 0])
    np.testing.assert_array_equal(m.false_positives, [1, 1, 0])
    # each interval adds slope * (dTP + intercept * ln(P_A / P_B)) / (TP_B + FN_B = 2)
    # interval 1: dTP 1, dP 1, slope 1, intercept 1 - 2 = -1, P ratio 3/2
    # interval 2: dTP 1, dP 2, slope 1/2, P_B = 0 so the ratio counts as 1
    assert m.result() == pytest.approx((1 - np.log(1.5)) / 2 + 0.5 / 2)


def test_auc_config_and_errors():
    m = M.AUC(thresholds=[0.25, 0.75], curve="pr")
    assert m.num_thresholds == 4 and m.curve == "PR"
    clone = M.deserialize(M.serialize(m))
    assert clone.get_config() == m.get_config() and clone.thresholds == m.thresholds
    with pytest.raises(ValueError, match="curve must be 'ROC' or 'PR'; received curve='XY'"):
        M.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_thresholds must be an int > 1"):
        M.AUC(num_thresholds=1)


@pytest.mark.parametrize("metric", [M.Precision(thresholds=[0.3, 0.6], class_id=2),
                                    M.Recall(top_k=3, name="r3"), M.AUC(num_thresholds=50)])
def test_serialize_round_trip(metric):
    clone = M.deserialize(M.serialize(metric))
    assert type(clone) is type(metric) and clone.get_config() == metric.get_config()
