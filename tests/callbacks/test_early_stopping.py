import warnings

import pytest

from lamina.callbacks import EarlyStopping
from tests.callbacks.fakes import FakeModel, run_fit


def test_patience_two_stops_and_restores_the_best_epoch():
    # Keras counts epochs without improvement: after the best (epoch 1), epochs 2 and 3
    # do not improve, so training stops at the end of epoch 3 and epoch 4 never runs.
    model = FakeModel()
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    _, ran = run_fit(model, [stop], [1.0, 0.8, 0.9, 0.85, 0.95])
    assert ran == 4
    assert stop.stopped_epoch == 3
    assert model.stop_training is True
    assert stop.best == 0.8 and stop.best_epoch == 1
    assert model.weight_epoch() == 1  # the weights written during epoch 1
    assert model.history.history["val_loss"] == [1.0, 0.8, 0.9, 0.85]


def test_without_restore_the_last_weights_stay():
    model = FakeModel()
    stop = EarlyStopping(patience=2)
    run_fit(model, [stop], [1.0, 0.8, 0.9, 0.85, 0.95])
    assert model.weight_epoch() == 3


def test_best_weights_restored_when_training_runs_to_the_end():
    model = FakeModel()
    stop = EarlyStopping(patience=5, restore_best_weights=True)
    _, ran = run_fit(model, [stop], [1.0, 0.5, 0.7])
    assert ran == 3 and stop.stopped_epoch == 0
    assert model.weight_epoch() == 1


def test_patience_zero_stops_at_the_first_worse_epoch():
    model = FakeModel()
    stop = EarlyStopping(monitor="loss")
    _, ran = run_fit(model, [stop], [0.0] * 5,
                     batch_logs=lambda e, b: {"loss": [1.0, 0.5, 0.6, 0.1, 0.1][e]})
    assert ran == 3 and stop.stopped_epoch == 2


def test_min_delta_small_gains_do_not_count():
    stop = EarlyStopping(patience=2, min_delta=0.05)
    _, ran = run_fit(FakeModel(), [stop], [1.0, 0.99, 0.98, 0.97])
    assert ran == 3 and stop.stopped_epoch == 2
    stop = EarlyStopping(patience=2, min_delta=0.005)
    _, ran = run_fit(FakeModel(), [stop], [1.0, 0.99, 0.98, 0.97])
    assert ran == 4 and stop.stopped_epoch == 0


def test_auto_mode_maximizes_accuracy():
    stop = EarlyStopping(monitor="val_accuracy", patience=2, restore_best_weights=True)
    model = FakeModel()
    logs = [{"val_accuracy": a} for a in (0.5, 0.6, 0.55, 0.58, 0.9)]
    _, ran = run_fit(model, [stop], logs)
    assert ran == 4 and stop.best == 0.6 and model.weight_epoch() == 1


def test_explicit_mode_overrides_the_name():
    stop = EarlyStopping(monitor="val_loss", mode="max", patience=0)
    _, ran = run_fit(FakeModel(), [stop], [1.0, 2.0, 1.5])
    assert ran == 3 and stop.stopped_epoch == 2


def test_baseline_must_be_beaten_within_patience():
    stop = EarlyStopping(patience=2, baseline=0.5)
    _, ran = run_fit(FakeModel(), [stop], [0.9, 0.95, 0.97, 0.99])
    assert ran == 2 and stop.stopped_epoch == 1
    stop = EarlyStopping(patience=2)
    _, ran = run_fit(FakeModel(), [stop], [0.9, 0.95, 0.97, 0.99])
    assert ran == 3 and stop.stopped_epoch == 2


def test_start_from_epoch_skips_warm_up():
    values = [1.0, 2.0, 3.0, 2.5, 4.0, 5.0]
    _, ran = run_fit(FakeModel(), [EarlyStopping()], values)
    assert ran == 2
    stop = EarlyStopping(start_from_epoch=2)
    _, ran = run_fit(FakeModel(), [stop], values)
    assert ran == 5 and stop.stopped_epoch == 4 and stop.best == 2.5


def test_nan_is_never_an_improvement():
    stop = EarlyStopping(patience=1, restore_best_weights=True)
    model = FakeModel()
    _, ran = run_fit(model, [stop], [1.0, float("nan"), 0.5])
    assert ran == 2 and model.weight_epoch() == 0


def test_missing_monitor_warns_with_available_keys_and_never_stops():
    stop = EarlyStopping(monitor="val_acc", patience=0)
    with pytest.warns(UserWarning, match=r"`val_acc` which is not available\. "
                                         r"Available metrics are: loss,val_loss"):
        _, ran = run_fit(FakeModel(), [stop], [1.0, 2.0, 3.0])
    assert ran == 3


def test_unknown_direction_asks_for_mode():
    stop = EarlyStopping(monitor="dice")
    with pytest.raises(ValueError, match=r"monitor=dice.*mode='max'"):
        run_fit(FakeModel(), [stop], [{"dice": 0.3}])


def test_instance_is_reusable():
    stop = EarlyStopping(patience=1)
    run_fit(FakeModel(), [stop], [1.0, 2.0, 3.0])
    assert stop.stopped_epoch == 1
    _, ran = run_fit(FakeModel(), [stop], [5.0, 4.0, 3.0])
    assert ran == 3 and stop.stopped_epoch == 0 and stop.best == 3.0


def test_verbose_messages(capsys):
    stop = EarlyStopping(patience=1, verbose=1, restore_best_weights=True)
    run_fit(FakeModel(), [stop], [1.0, 0.5, 0.6, 0.7])
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n")


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"EarlyStopping: patience must be an integer >= 0; "
                                         r"received patience=-1"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match=r"start_from_epoch=1\.5"):
        EarlyStopping(start_from_epoch=1.5)
    with pytest.raises(TypeError, match=r"monitor=3"):
        EarlyStopping(monitor=3)
    with pytest.raises(ValueError, match=r"min_delta='a'"):
        EarlyStopping(min_delta="a")
    with pytest.warns(UserWarning, match=r"EarlyStopping mode 'bigger' is unknown"):
        assert EarlyStopping(mode="bigger").mode == "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EarlyStopping(min_delta=-0.1)  # the absolute value is used, as in Keras
