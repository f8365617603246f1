import numpy as np
import pytest

from lamina.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    LambdaCallback,
    ProgbarLogger,
    ReduceLROnPlateau,
)
from lamina.callbacks.callback import infer_mode
from tests.callbacks.fakes import FakeModel, run_fit


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def test_base_hooks_do_nothing_and_batch_hooks_forward_to_keras2_names():
    seen = []

    class Old(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, logs["loss"]))

    cb = Old()
    for hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                 "on_predict_begin", "on_predict_end"):
        assert getattr(cb, hook)({}) is None
    cb.on_train_batch_end(4, {"loss": 0.5})
    assert seen == [(4, 0.5)]


def test_callback_list_dispatches_in_order_with_params_and_model():
    first, second = Recorder(), Recorder()
    model = FakeModel()
    run_fit(model, [first, second], [1.0, 0.9], steps=2)
    expected = [("train_begin",), ("epoch_begin", 0), ("batch_end", 0, {"loss": 1.0}),
                ("batch_end", 1, {"loss": 0.5}), ("epoch_end", 0), ("epoch_begin", 1),
                ("batch_end", 0, {"loss": 0.5}), ("batch_end", 1, {"loss": 1 / 3}),
                ("epoch_end", 1), ("train_end",)]
    assert first.calls == expected
    assert second.calls == expected
    assert first.model is model
    assert first.params == {"epochs": 2, "steps": 2, "verbose": 0}


def test_default_history_and_progbar_are_added_once_and_last():
    user = Recorder()
    cbs = CallbackList([user], model=FakeModel(), epochs=1, steps=1, verbose=1)
    assert [type(c) for c in cbs] == [Recorder, History, ProgbarLogger]
    assert CallbackList([user], verbose=0).callbacks[-1].__class__ is History
    mine = History()
    cbs = CallbackList([mine, ProgbarLogger()], model=FakeModel(), verbose=1)
    assert len(cbs) == 2 and cbs.callbacks[0] is mine
    assert len(CallbackList(None, add_history=False, verbose=0)) == 0


def test_single_callback_and_append():
    model = FakeModel()
    cbs = CallbackList(Recorder(), model=model, add_history=False, epochs=3, verbose=0)
    extra = Recorder()
    cbs.append(extra)
    assert extra.model is model and extra.params["epochs"] == 3


def test_bad_callbacks_name_what_was_received():
    with pytest.raises(TypeError, match=r"received the class EarlyStopping\. "
                                        r"Did you mean EarlyStopping\(\)\?"):
        CallbackList([EarlyStopping])
    with pytest.raises(TypeError, match=r"expected Callback instances; received 3 \(type int\)"):
        CallbackList([3])


def test_batch_logs_become_sorted_python_floats():
    rec = Recorder()
    cbs = CallbackList([rec], add_history=False, verbose=0)
    cbs.on_train_batch_end(0, {"loss": np.float32(0.5), "accuracy": np.array(0.25)})
    logs = rec.calls[0][2]
    assert list(logs) == ["accuracy", "loss"]
    assert all(type(v) is float for v in logs.values())
    assert logs == {"accuracy": 0.25, "loss": 0.5}


def test_history_records_every_epoch_and_becomes_model_history():
    model = FakeModel()
    cbs, _ = run_fit(model, [], [{"val_loss": 0.9}, {"val_loss": 0.7}], steps=2)
    history = model.history
    assert isinstance(history, History)
    assert history.epoch == [0, 1]
    assert history.history == {"loss": [0.5, 1 / 3], "val_loss": [0.9, 0.7]}


def test_history_keeps_values_across_train_begin_but_resets_epochs():
    history = History()
    model = FakeModel()
    run_fit(model, [history], [1.0])
    run_fit(model, [history], [0.5, 0.4])
    assert history.epoch == [0, 1]
    assert history.history["val_loss"] == [1.0, 0.5, 0.4]
    assert model.history is history


def test_epoch_logs_are_one_dict_so_history_sees_added_learning_rate():
    model = FakeModel(learning_rate=0.1)
    run_fit(model, [ReduceLROnPlateau(patience=1, factor=0.5)], [1.0, 1.0, 1.0])
    assert model.history.history["learning_rate"] == [0.1, 0.1, 0.05]


def test_lambda_and_subclass_can_stop_training():
    model = FakeModel()
    stopper = LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(
        model, "stop_training", epoch == 1))
    _, ran = run_fit(model, [stopper], [1.0] * 5)
    assert ran == 2


@pytest.mark.parametrize("name,mode", [
    ("loss", "min"), ("val_loss", "min"), ("val_accuracy", "max"), ("acc", "max"),
    ("val_auc", "max"), ("precision", "max"), ("val_recall", "max"),
    ("mean_squared_error", "min"), ("val_mae", "min"), ("categorical_crossentropy", "min"),
    ("val_sparse_categorical_accuracy", "max"), ("dice_score", None),
])
def test_infer_mode_from_names(name, mode):
    assert infer_mode(name) == mode


def test_infer_mode_prefers_a_metric_direction():
    class Metric:
        name = "dice_score"
        _direction = "up"

    class Model:
        metrics = [Metric()]

    assert infer_mode("val_dice_score", Model()) == "max"
