import numpy as np
import pytest

from lamina import Tensor
from lamina.metrics import Mean, MeanMetricWrapper, Metric, Sum, deserialize, get, serialize


def test_mean_over_two_batches_weights_by_samples_then_resets():
    m = Mean()
    m.update_state([1, 3, 5, 7])
    assert m.result() == 4.0
    m.update_state([10])  # (16 + 10) / 5, not the mean of batch means (4 + 10) / 2
    assert m.result() == pytest.approx(26 / 5)
    m.reset_state()
    assert m.result() == 0.0
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    m.update_state([2.0], sample_weight=[2])
    assert m.result() == pytest.approx((1 + 3 + 4) / 4)


def test_mean_reduces_each_sample_first():
    m = Mean()
    m.update_state(np.array([[1.0, 3.0], [5.0, 7.0]]))  # per sample 2 and 6, count 2
    assert (m.total, m.count) == (8.0, 2.0)
    m.reset_state()
    # 2-D weights: values * weights averaged per sample, weights averaged per sample
    m.update_state(np.array([[1.0, 3.0], [5.0, 7.0]]), sample_weight=[[1, 0], [1, 1]])
    assert m.total == pytest.approx(0.5 + 6.0) and m.count == pytest.approx(1.5)


def test_sum():
    s = Sum()
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    s.update_state(Tensor([0.5, 0.5]))
    assert s.result() == pytest.approx(5.0)
    s.reset_state()
    assert s.result() == 0.0


def test_calling_a_metric_updates_it_and_returns_the_result():
    m = Mean(name="loss")
    assert m([2.0, 4.0]) == 3.0
    assert m([6.0]) == 4.0
    assert m.name == "loss" and m.get_config() == {"name": "loss", "dtype": "float32"}


def test_sample_weight_shape_error():
    with pytest.raises(ValueError, match=r"mean: sample_weight of shape \(3,\) does not match "
                                         r"the per-sample values of shape \(2,\)"):
        Mean().update_state([1.0, 2.0], sample_weight=[1, 1, 1])


def _within_one(y_true, y_pred):
    return np.abs(y_true - y_pred) <= 1


def test_wrapper_turns_a_function_into_a_metric():
    m = MeanMetricWrapper(_within_one)
    assert m.name == "_within_one"
    m.update_state([0.0, 5.0], [0.5, 2.0])
    m.update_state([[1.0], [1.0]], [[1.0], [9.0]])
    assert m.result() == pytest.approx(2 / 4)
    w = get(_within_one)
    assert isinstance(w, MeanMetricWrapper)
    assert w([0.0, 0.0, 0.0], [0.0, 3.0, 3.0], sample_weight=[2, 1, 1]) == pytest.approx(0.5)


def test_wrapper_passes_kwargs_and_accepts_tensor_results():
    def scaled_error(y_true, y_pred, scale=1.0):
        return Tensor(np.abs(y_true - y_pred) * scale)

    m = MeanMetricWrapper(scaled_error, scale=10.0)
    assert m([1.0, 2.0], [1.5, 2.5]) == pytest.approx(5.0)
    assert MeanMetricWrapper(lambda t, p: t == p).name == "mean_metric_wrapper"


def test_wrapper_of_a_registered_function_round_trips():
    m = MeanMetricWrapper(get("top_k_categorical_accuracy")._fn, name="top2", k=2)
    config = serialize(m)
    assert config["config"] == {"name": "top2", "dtype": "float32",
                                "fn": "top_k_categorical_accuracy", "k": 2}
    clone = deserialize(config)
    y_true, y_pred = np.eye(3), np.array([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3], [0.5, 0.4, 0.1]])
    # top 2 of each row: class 0 is third in row 0, class 2 third in row 2
    assert clone(y_true, y_pred) == m(y_true, y_pred) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="unknown metric function 'nope'"):
        MeanMetricWrapper.from_config({"fn": "nope"})


def test_subclass_contract():
    class Count(Metric):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.reset_state()

        def reset_state(self):
            self.n = 0

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.n += len(y_true)

        def result(self):
            return float(self.n)

    c = Count()
    assert c.name == "count"
    assert c([1, 2], [1, 2]) == 2.0 and c([1], [1]) == 3.0
    with pytest.raises(NotImplementedError, match="Metric must implement result"):
        Metric().result()
