import os

import pytest

from lamina.callbacks import ModelCheckpoint
from tests.callbacks.fakes import FakeModel, run_fit


def names(directory):
    return sorted(os.listdir(directory))


def test_templated_names_one_file_per_epoch_in_a_new_directory(tmp_path):
    model = FakeModel()
    path = tmp_path / "ckpt" / "run" / "{epoch:02d}-{val_loss:.2f}.keras"
    run_fit(model, [ModelCheckpoint(path)], [0.5, 0.4, 0.456])
    assert names(tmp_path / "ckpt" / "run") == ["01-0.50.keras", "02-0.40.keras",
                                                "03-0.46.keras"]
    assert [kind for kind, _ in model.saved] == ["model"] * 3
    assert model.saved[0][1] == str(tmp_path / "ckpt" / "run" / "01-0.50.keras")


def test_save_best_only_keeps_improvements(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True)
    run_fit(model, [checkpoint], [0.5, 0.4, 0.45, 0.3, 0.3])
    assert names(tmp_path) == ["1.keras", "2.keras", "4.keras"]
    assert checkpoint.best == 0.3


def test_fixed_name_is_overwritten_by_each_better_model(tmp_path):
    model = FakeModel()
    run_fit(model, [ModelCheckpoint(str(tmp_path / "best.keras"), save_best_only=True)],
            [0.5, 0.4, 0.45, 0.3])
    assert len(model.saved) == 3 and names(tmp_path) == ["best.keras"]


def test_weights_only_and_max_mode_from_name(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "w{epoch}.weights.h5"), monitor="val_accuracy",
                                 save_best_only=True, save_weights_only=True)
    run_fit(model, [checkpoint], [{"val_accuracy": a} for a in (0.6, 0.5, 0.7)])
    assert [kind for kind, _ in model.saved] == ["weights", "weights"]
    assert names(tmp_path) == ["w1.weights.h5", "w3.weights.h5"]


def test_initial_value_threshold_must_be_beaten_first(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True,
                                 initial_value_threshold=0.42)
    run_fit(model, [checkpoint], [0.5, 0.4, 0.45])
    assert names(tmp_path) == ["2.keras"]


def test_integer_save_freq_counts_batches(tmp_path):
    model = FakeModel()
    run_fit(model, [ModelCheckpoint(str(tmp_path / "{epoch}-{batch}.keras"), save_freq=2)],
            [0.5, 0.4], steps=3)
    assert names(tmp_path) == ["1-2.keras", "2-1.keras", "2-3.keras"]


def test_missing_template_key_names_available_keys(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match=r"Reason: 'val_acc' is not in the logs; available keys: "
                                       r"epoch, loss, val_loss") as info:
        run_fit(FakeModel(), [checkpoint], [0.5])
    assert "\\'" not in str(info.value)  # readable: no escaped quotes
    bad_format = ModelCheckpoint(str(tmp_path / "{epoch:.2f}{loss:d}.keras"))
    with pytest.raises(ValueError, match=r"Failed to format this callback filepath"):
        run_fit(FakeModel(), [bad_format], [0.5])


def test_existing_directory_as_filepath_is_an_error(tmp_path):
    (tmp_path / "out.keras").mkdir()
    with pytest.raises(OSError, match="non-directory filepath"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "out.keras"))], [0.5])


def test_missing_monitor_warns_and_saves(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_auc",
                                 save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_auc available"):
        run_fit(model, [checkpoint], [0.5])
    assert len(model.saved) == 1


def test_verbose_messages(tmp_path, capsys):
    path = str(tmp_path / "m.keras")
    run_fit(FakeModel(), [ModelCheckpoint(path, verbose=1, save_best_only=True)], [0.5, 0.6])
    assert capsys.readouterr().out == (
        f"Epoch 1: val_loss improved from None to 0.50000, saving model to {path}\n"
        "Epoch 2: val_loss did not improve from 0.50000\n")
    run_fit(FakeModel(), [ModelCheckpoint(path, verbose=1)], [0.5])
    assert capsys.readouterr().out == f"Epoch 1: saving model to {path}\n"


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"Unrecognized save_freq: 'batch'"):
        ModelCheckpoint("m.keras", save_freq="batch")
    with pytest.raises(ValueError, match=r"Unrecognized save_freq: 0"):
        ModelCheckpoint("m.keras", save_freq=0)
    with pytest.raises(TypeError, match=r"filepath=None"):
        ModelCheckpoint(None)
    with pytest.raises(ValueError, match=r"initial_value_threshold='x'"):
        ModelCheckpoint("m.keras", initial_value_threshold="x")
