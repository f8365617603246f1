"""lamina.metrics.get: names, 'accuracy' resolution as in Keras's compile, errors."""

import numpy as np
import pytest

from lamina import metrics as M


@pytest.mark.parametrize("loss,y_true_shape,y_pred_shape,expected", [
    ("binary_crossentropy", None, None, M.BinaryAccuracy),
    ("binary_crossentropy", (32, 3), (32, 3), M.BinaryAccuracy),  # multi-label
    ("mse", (32, 1), (32, 1), M.BinaryAccuracy),  # one output unit
    (None, None, (None, 1), M.BinaryAccuracy),
    (None, (32,), (32, 10), M.SparseCategoricalAccuracy),  # integer ids
    ("mse", (32, 1), (32, 10), M.SparseCategoricalAccuracy),  # ids with a trailing axis of 1
    ("sparse_categorical_crossentropy", None, None, M.SparseCategoricalAccuracy),
    (None, (32, 10), (32, 10), M.CategoricalAccuracy),  # one-hot
    ("mse", (32, 10), (32, 10), M.CategoricalAccuracy),
    ("categorical_crossentropy", None, None, M.CategoricalAccuracy),
])
def test_accuracy_resolution(loss, y_true_shape, y_pred_shape, expected):
    for name in ("accuracy", "acc", "Accuracy"):
        m = M.get(name, loss=loss, y_true_shape=y_true_shape, y_pred_shape=y_pred_shape)
        assert type(m) is expected and m.name == name  # history keys are what the user wrote


def test_loss_given_as_function_or_object():
    def binary_crossentropy(y_true, y_pred):
        return y_pred

    class SparseCategoricalCrossentropy:
        pass

    assert type(M.get("accuracy", loss=binary_crossentropy)) is M.BinaryAccuracy
    assert type(M.get("accuracy", loss=SparseCategoricalCrossentropy())) is \
        M.SparseCategoricalAccuracy


def test_undecided_accuracy_resolves_from_the_first_batch():
    one_hot = M.get("accuracy", loss="mse")  # the seeds: loss='mse', metrics=['accuracy']
    assert type(one_hot) is M.AutoAccuracy and one_hot.name == "accuracy"
    one_hot.update_state(np.eye(3), [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7]])
    assert one_hot.kind == "categorical" and one_hot.result() == pytest.approx(2 / 3)
    one_hot.update_state(np.eye(3)[:1], [[0.9, 0.05, 0.05]])
    assert one_hot.result() == pytest.approx(3 / 4)
    one_hot.reset_state()
    assert one_hot.result() == 0.0 and one_hot.kind == "categorical"

    sparse = M.get("acc")
    sparse.update_state(np.array([1, 2, 0]), np.eye(3)[[1, 2, 2]])
    assert sparse.kind == "sparse" and sparse.result() == pytest.approx(2 / 3)

    binary = M.get("accuracy")
    binary.update_state([[1], [0]], [[0.9], [0.8]])
    assert binary.kind == "binary" and binary.result() == 0.5


@pytest.mark.parametrize("name,cls", [
    ("mse", M.MeanSquaredError), ("mae", M.MeanAbsoluteError),
    ("mean_squared_error", M.MeanSquaredError), ("rmse", M.RootMeanSquaredError),
    ("top_k_categorical_accuracy", M.TopKCategoricalAccuracy),
    ("sparse_top_k_categorical_accuracy", M.SparseTopKCategoricalAccuracy),
    ("binary_accuracy", M.BinaryAccuracy), ("categorical_accuracy", M.CategoricalAccuracy),
    ("precision", M.Precision), ("recall", M.Recall), ("auc", M.AUC),
    ("AUC", M.AUC), ("MeanSquaredError", M.MeanSquaredError),
])
def test_get_by_name_keeps_the_name(name, cls):
    m = M.get(name)
    assert type(m) is cls and m.name == name


def test_get_other_identifiers():
    p = M.Precision()
    assert M.get(p) is p and M.get(None) is None
    assert type(M.get(M.Recall)) is M.Recall
    assert M.get({"class_name": "TopKCategoricalAccuracy", "config": {"k": 2}}).k == 2
    assert M.mse is M.mean_squared_error
    with pytest.raises(TypeError, match="metrics.get: expected a name"):
        M.get(42)


def test_unknown_names_suggest_the_closest():
    with pytest.raises(ValueError, match=r"Unknown metric: 'accuracyy'\. Did you mean "
                                         r"'accuracy'\?"):
        M.get("accuracyy")
    with pytest.raises(ValueError, match="Did you mean 'precision'"):
        M.get("precison")
    with pytest.raises(ValueError, match="Did you mean 'top_k_categorical_accuracy'"):
        M.get("top_k_categorical_acuracy")


def test_loss_objects_of_lamina_losses():
    from lamina import losses

    assert type(M.get("accuracy", loss=losses.BinaryCrossentropy())) is M.BinaryAccuracy
    assert type(M.get("acc", loss=losses.get("sparse_categorical_crossentropy"))) is \
        M.SparseCategoricalAccuracy
    assert type(M.get("acc", loss=losses.CategoricalCrossentropy())) is M.CategoricalAccuracy


def test_registered_custom_metric_deserializes():
    from lamina.saving import register_serializable

    @register_serializable()
    class Hits(M.MeanMetricWrapper):
        def __init__(self, name="hits", dtype=None):
            super().__init__(M.accuracy, name=name, dtype=dtype)

        def get_config(self):
            return {"name": self.name, "dtype": self.dtype}

    clone = M.deserialize(M.serialize(Hits(name="h")))
    assert type(clone) is Hits and clone.name == "h"
