import numpy as np
import pytest

from lamina.callbacks import ReduceLROnPlateau
from tests.callbacks.fakes import FakeModel, run_fit


def lr_history(model):
    return model.history.history["learning_rate"]


def test_reduces_after_patience_epochs_without_improvement():
    model = FakeModel(learning_rate=0.1)
    run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=2)], [1.0, 1.0, 1.0, 1.0, 1.0, 0.5])
    # logs carry the rate used during the epoch; the reduction applies from the next one
    assert lr_history(model) == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]
    assert model.optimizer.learning_rate == 0.025


def test_min_delta_changes_smaller_than_it_are_not_improvements():
    model = FakeModel(learning_rate=0.1)
    run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=1)], [1.0, 0.99995, 0.9998])
    assert lr_history(model) == [0.1, 0.1, 0.05]
    assert model.optimizer.learning_rate == 0.05


def test_cooldown_pauses_counting():
    model = FakeModel(learning_rate=0.1)
    run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)], [1.0] * 6)
    assert lr_history(model) == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert model.optimizer.learning_rate == 0.0125


def test_never_below_min_lr(capsys):
    model = FakeModel(learning_rate=0.1)
    run_fit(model, [ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.005, verbose=1)],
            [1.0] * 6)
    assert model.optimizer.learning_rate == 0.005
    assert capsys.readouterr().out == (
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000000000002.\n"
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.005.\n")


def test_float32_rate_at_min_lr_is_not_reduced_again(capsys):
    model = FakeModel(learning_rate=float(np.float32(1e-4)))
    run_fit(model, [ReduceLROnPlateau(patience=1, min_lr=1e-4, verbose=1)], [1.0] * 4)
    assert capsys.readouterr().out == ""


def test_max_mode_for_accuracy():
    model = FakeModel(learning_rate=1.0)
    logs = [{"val_accuracy": a} for a in (0.5, 0.6, 0.7, 0.65)]
    run_fit(model, [ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1)], logs)
    assert model.optimizer.learning_rate == 0.5


def test_missing_monitor_warns_and_keeps_the_rate():
    model = FakeModel(learning_rate=0.1)
    with pytest.warns(UserWarning, match=r"`val_acc` which is not available\. Available "
                                         r"metrics are: loss,val_loss,learning_rate\."):
        run_fit(model, [ReduceLROnPlateau(monitor="val_acc", patience=0)], [1.0, 1.0])
    assert model.optimizer.learning_rate == 0.1


def test_model_without_optimizer_is_a_clear_error():
    model = FakeModel()
    model.optimizer = None
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: the model has no optimizer"):
        run_fit(model, [ReduceLROnPlateau()], [1.0])


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"does not support a factor >= 1\.0\. "
                                         r"Received factor=1\.5"):
        ReduceLROnPlateau(factor=1.5)
    with pytest.raises(ValueError, match=r"factor must be > 0.*factor=0"):
        ReduceLROnPlateau(factor=0)
    with pytest.raises(ValueError, match=r"patience=-2"):
        ReduceLROnPlateau(patience=-2)
    with pytest.raises(ValueError, match=r"min_lr=-1"):
        ReduceLROnPlateau(min_lr=-1)
    with pytest.raises(TypeError, match=r"unexpected arguments \['lr'\]"):
        ReduceLROnPlateau(lr=0.1)
    with pytest.warns(DeprecationWarning, match="min_delta"):
        assert ReduceLROnPlateau(epsilon=0.01).min_delta == 0.01
