"""``BackupAndRestore``: a fit killed with SIGKILL and relaunched ends where an unbroken one
does, weights bit for bit (issue 14 §6). The runs are subprocesses of one small script."""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from lamina.callbacks import BackupAndRestore
from lamina.layers import Dense, Dropout, Input
from lamina.models import Sequential

SCRIPT = r"""
import json, os, signal, sys
import numpy as np
import lamina
from lamina.callbacks import BackupAndRestore, Callback
from lamina.layers import Dense, Dropout, GaussianNoise, Input
from lamina.models import Sequential

backup_dir, out, kill_epoch, kill_step, save_freq = sys.argv[1:6]
kill_epoch, kill_step = int(kill_epoch), int(kill_step)
save_freq = save_freq if save_freq == "epoch" else int(save_freq)
lamina.random.set_random_seed(0)
model = Sequential([Input(shape=(6,)), Dense(16, activation="relu"), Dropout(0.5),
                    GaussianNoise(0.1), Dense(16, activation="relu"), Dropout(0.3, seed=7),
                    Dense(2)])
model.compile(optimizer="adam", loss="mse")
rng = np.random.default_rng(0)
x, y = rng.standard_normal((64, 6)), rng.standard_normal((64, 2))

class Kill(Callback):
    def on_train_batch_begin(self, batch, logs=None):
        if self.epoch == kill_epoch and batch == kill_step:
            os.kill(os.getpid(), signal.SIGKILL)
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, seed=3,
                    callbacks=[BackupAndRestore(backup_dir, save_freq=save_freq), Kill()])
np.savez(out, *model.get_weights())
with open(out + ".json", "w") as f:
    json.dump({"epochs_run": len(history.history["loss"]),
               "iterations": int(model.optimizer.iterations)}, f)
"""


def _fit(tmp_path, name, kill_epoch=-1, kill_step=-1, save_freq="epoch", backup="backup"):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    out = str(tmp_path / f"{name}.npz")
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / backup), out,
                           str(kill_epoch), str(kill_step), str(save_freq)],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))
    return proc, out


def _weights(out):
    with np.load(out) as f:
        return [f[k] for k in sorted(f.files, key=lambda k: int(k.split("_")[1]))]


@pytest.mark.parametrize("save_freq,kill_epoch,kill_step,resumed_epochs", [
    ("epoch", 3, 2, 2),  # killed in epoch 4: the backup of epoch 3 is restored
    (3, 2, 5, 3),  # backed up after step 3 of epoch 3: resumes there, skips 3 steps
])
def test_killed_fit_resumes_and_ends_like_an_unbroken_run(tmp_path, save_freq, kill_epoch,
                                                          kill_step, resumed_epochs):
    unbroken, out_unbroken = _fit(tmp_path, "unbroken", backup="other", save_freq=save_freq)
    assert unbroken.returncode == 0, unbroken.stderr
    killed, _ = _fit(tmp_path, "killed", kill_epoch, kill_step, save_freq)
    assert killed.returncode == -9, killed.stderr
    assert (tmp_path / "backup" / "backup.lamina-state").exists()
    resumed, out_resumed = _fit(tmp_path, "resumed", save_freq=save_freq)
    assert resumed.returncode == 0, resumed.stderr
    for a, b in zip(_weights(out_unbroken), _weights(out_resumed), strict=True):
        np.testing.assert_array_equal(a, b)
    runs = [json.loads(open(out + ".json").read()) for out in (out_unbroken, out_resumed)]
    assert runs[0] == {"epochs_run": 5, "iterations": 40}
    assert runs[1] == {"epochs_run": resumed_epochs, "iterations": 40}
    assert not (tmp_path / "backup").exists()  # delete_checkpoint=True


def _model():
    model = Sequential([Input(shape=(3,)), Dense(4), Dropout(0.5, seed=1), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 3)), rng.standard_normal((8, 1))


def test_backup_holds_weights_optimizer_and_generators(tmp_path):
    model = _model()
    model.fit(*_data(), epochs=2, batch_size=4, verbose=0, seed=0,
              callbacks=[BackupAndRestore(tmp_path, delete_checkpoint=False)])
    with zipfile.ZipFile(tmp_path / "backup.lamina-state") as z:
        assert sorted(z.namelist()) == ["model.weights.npz", "optimizer.npz", "training.json"]
        meta = json.loads(z.read("training.json"))
    assert (meta["epoch"], meta["step"]) == (2, 0)
    dropout = model.layers[1]
    assert meta["generators"]["layers"] == [dropout.name]
    assert meta["generators"]["states"][0] == dropout._rng.bit_generator.state


def test_a_finished_backup_resumes_nowhere_and_is_deleted(tmp_path):
    model = _model()
    model.fit(*_data(), epochs=2, verbose=0, callbacks=[BackupAndRestore(tmp_path / "b",
                                                                         delete_checkpoint=False)])
    history = model.fit(*_data(), epochs=2, verbose=0, callbacks=[BackupAndRestore(tmp_path / "b")])
    assert history.history == {}
    assert not (tmp_path / "b").exists()


def test_a_backup_of_another_model_is_refused(tmp_path):
    _model().fit(*_data(), epochs=1, verbose=0,
                 callbacks=[BackupAndRestore(tmp_path, delete_checkpoint=False)])
    other = Sequential([Input(shape=(3,)), Dense(4), Dense(1)])
    other.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="was made by another model"):
        other.fit(*_data(), epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path)])


def test_arguments_and_unbuilt_model():
    with pytest.raises(ValueError, match="backup_dir must be a non-empty path"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="Received: save_freq='batch'"):
        BackupAndRestore("d", save_freq="batch")
    with pytest.raises(ValueError, match="Received: save_freq=0"):
        BackupAndRestore("d", save_freq=0)
    model = Sequential([Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="must be built before fit"):
        model.fit(*_data(), epochs=1, verbose=0, callbacks=[BackupAndRestore("d")])
