import numpy as np
import pytest

from lamina import Tensor
from lamina import metrics as M


def test_accuracy_exact_match_two_batches():
    m = M.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert m.result() == 0.75
    m.update_state([[1], [1]], [[1], [0]])
    assert m.result() == pytest.approx(4 / 6)
    m.reset_state()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])
    assert m.result() == 0.5


def test_binary_accuracy_two_batches_and_weights():
    m = M.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])  # 3 of 4
    m.update_state([1, 0], [0.4, 0.2])  # 1-D: 1 of 2 (0.5 is not > 0.5 either)
    assert m.result() == pytest.approx(4 / 6)
    m.reset_state()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
    assert m.result() == 0.5
    m.update_state([1, 0], [0.4, 0.2], sample_weight=[2, 1])  # (1 + 1) / (2 + 3)
    assert m.result() == pytest.approx(2 / 5)


def test_binary_accuracy_threshold_multilabel_and_tensors():
    m = M.BinaryAccuracy(threshold=0.7)
    y_true = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.float32)
    y_pred = Tensor([[0.8, 0.6, 0.65], [0.1, 0.9, 0.99]])  # per sample 2/3 and 2/3
    assert m(y_true, y_pred) == pytest.approx(2 / 3)
    assert m.get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.7}
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\); received threshold=1"):
        M.BinaryAccuracy(threshold=1)
    with pytest.raises(ValueError, match=r"binary_accuracy: y_true has shape \(2, 3\) but y_pred "
                                         r"has shape \(2, 2\)"):
        M.binary_accuracy(y_true, y_pred.data[:, :2])


def test_categorical_accuracy():
    y_true = [[0, 0, 1], [0, 1, 0]]
    y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m = M.CategoricalAccuracy()
    assert m(y_true, y_pred) == 0.5
    assert m([[1, 0, 0]], [[0.5, 0.2, 0.3]]) == pytest.approx(2 / 3)
    m.reset_state()
    assert m(y_true, y_pred, sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    np.testing.assert_array_equal(M.categorical_accuracy(y_true, y_pred), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"categorical_accuracy: y_true has shape \(2,\) .*"
                                         r"for integer class ids use sparse_categorical_accuracy"):
        M.categorical_accuracy([2, 1], y_pred)


def test_sparse_categorical_accuracy():
    y_pred = [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]
    m = M.SparseCategoricalAccuracy()
    assert m([[2], [1]], y_pred) == 0.5
    assert m(np.array([0, 2]), [[0.9, 0.05, 0.05], [0.2, 0.3, 0.5]]) == pytest.approx(3 / 4)
    m.reset_state()
    assert m([2, 1], y_pred, sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    with pytest.raises(ValueError, match=r"y_true should hold one integer class id per sample, "
                                         r"shape \(2,\) .* received y_true of shape \(2, 3\)"):
        M.sparse_categorical_accuracy(np.eye(3)[:2], y_pred)


def test_top_k_categorical_accuracy():
    y_true = [[0, 0, 1], [0, 1, 0]]
    y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert M.TopKCategoricalAccuracy(k=1)(y_true, y_pred) == 0.5
    m = M.TopKCategoricalAccuracy(k=2)
    assert m(y_true, y_pred) == 1.0
    assert m([[1, 0, 0]], [[0.1, 0.5, 0.4]]) == pytest.approx(2 / 3)  # class 0 is third
    assert M.TopKCategoricalAccuracy().k == 5
    # ties count for the target, as tf.math.in_top_k
    np.testing.assert_array_equal(M.top_k_categorical_accuracy([[0, 1, 0]], [[0.5, 0.5, 0]], k=1),
                                  [1.0])


def test_sparse_top_k_categorical_accuracy():
    y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m = M.SparseTopKCategoricalAccuracy(k=1)
    assert m([2, 1], y_pred, sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    assert m([[0]], [[0.2, 0.7, 0.1]], sample_weight=[1.0]) == pytest.approx(0.3 / 2)
    assert M.SparseTopKCategoricalAccuracy(k=2)([2, 1], y_pred) == 1.0
    with pytest.raises(ValueError, match=r"labels must be class ids in \[0, 3\); received "
                                         r"values from 1 to 3"):
        M.sparse_top_k_categorical_accuracy([3, 1], y_pred)
    with pytest.raises(ValueError, match="k must be a positive int; received k=0"):
        M.TopKCategoricalAccuracy(k=0)


def test_nan_predictions_never_count_as_correct():
    assert M.sparse_top_k_categorical_accuracy([0], [[np.nan, 0.1]], k=2)[0] == 0.0
    assert M.binary_accuracy([1.0], [np.nan])[0] == 0.0


@pytest.mark.parametrize("metric", [M.Accuracy(), M.BinaryAccuracy(threshold=0.3),
                                    M.CategoricalAccuracy(name="ca"),
                                    M.SparseCategoricalAccuracy(),
                                    M.TopKCategoricalAccuracy(k=3),
                                    M.SparseTopKCategoricalAccuracy(k=2),
                                    M.AutoAccuracy(loss="mse")])
def test_serialize_round_trip(metric):
    clone = M.deserialize(M.serialize(metric))
    assert type(clone) is type(metric) and clone.get_config() == metric.get_config()
