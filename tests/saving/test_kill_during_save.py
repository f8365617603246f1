"""A save killed with SIGKILL while it writes leaves the earlier file whole (issue 14, §6).

A subprocess saves a model (2 MB of weights drawn with seed 1), then saves it again with
other weights (seed 2) while a thread watches the directory and SIGKILLs the process as soon
as the second save's temp file holds its first bytes. Measured (two runs, timing varies): the
kill lands after 637 bytes of 1.9 MB (``.lamina``), 1.0 of 2.1 MB (``.h5``), 2.0 of 2.1 MB
(``.weights.npz``), 96 bytes or 1.1 MB of 2.1 MB (``.weights.h5``); ``.keras`` writes its
archive in one call, so there the kill lands between the write and the rename. When the
watcher thread does not run before the last write (a busy machine), the child kills itself in
the save's fsync, still before the rename, so every run ends in a kill. The file at the path
must then load with exactly the first weights (or, when a busy machine delayed the watcher's
signal past the rename, exactly the second), and the next save removes the dead process's
temp file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parents[2]
FORMATS = [".lamina", ".keras", ".h5", ".weights.npz", ".weights.h5"]

CHILD = r"""
import json, os, signal, sys, threading
from lamina.saving import archive
from tests.saving.test_kill_during_save import make_model, set_weights

path = sys.argv[1]
directory, name = os.path.split(path)
model = make_model()
save = model.save_weights if ".weights." in name else model.save
set_weights(model, 1)
save(path)
final = os.path.getsize(path)

first = threading.Lock()

def report_and_kill(name, size):
    first.acquire()  # one report and one kill; a second caller waits here for the kill
    print(json.dumps({"temp": name, "temp_bytes": size, "final_bytes": final}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

def watch():
    while True:
        for entry in os.scandir(directory):
            if entry.name.endswith(".lamina-tmp") and entry.stat().st_size > 0:
                report_and_kill(entry.name, entry.stat().st_size)

def kill_before_rename(tmp):
    # The watcher may not get the GIL before a fast save's last write (a busy machine):
    # then the kill lands here, after the writes and before the rename.
    report_and_kill(os.path.basename(tmp), os.path.getsize(tmp))

set_weights(model, 2)
archive.fsync_file = kill_before_rename
threading.Thread(target=watch, daemon=True).start()
save(path)
print(json.dumps({"finished": True}), flush=True)
"""


def make_model():
    from lamina.layers import Dense, Input
    from lamina.models import Sequential

    model = Sequential([Input(shape=(256,)), Dense(1024), Dense(256)])
    model.compile(optimizer="adam", loss="mse")
    return model


def set_weights(model, seed: int) -> list:
    """Give ``model`` weights drawn with ``seed`` (they do not compress); returns them."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(v.shape).astype(v.dtype) for v in model.weights]
    model.set_weights(values)
    return values


def _load(path: Path):
    from lamina.models import load_model

    if ".weights." in path.name:
        model = make_model()
        model.load_weights(path)
        return model
    return load_model(path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_save_killed_mid_write_leaves_the_earlier_file_whole(tmp_path, suffix):
    if suffix.endswith(".h5"):
        pytest.importorskip("h5py")
    path = tmp_path / f"m{suffix}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, proc.stdout + proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    temp = tmp_path / report["temp"]
    assert report["temp_bytes"] > 0  # the kill was sent while the temp file was written
    # A whole file either way: the first save's while the temp file is still there; if the
    # save renamed it between the watcher's look and the signal (a busy machine can delay
    # the kill that long, most often for ``.keras``, written in one call), the second's.
    model = make_model()
    first = set_weights(model, 1)
    expected_weights = first if temp.exists() else set_weights(model, 2)
    loaded = [v.data for v in _load(path).weights]
    assert sum(w.size for w in loaded) == 256 * 1024 + 1024 + 1024 * 256 + 256
    for got, expected in zip(loaded, expected_weights, strict=True):
        np.testing.assert_array_equal(got, expected)

    third = set_weights(model, 3)
    model.save_weights(path) if ".weights." in suffix else model.save(path)
    assert not temp.exists()  # the dead save's temp file went with the next save
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    for got, expected in zip((v.data for v in _load(path).weights), third, strict=True):
        np.testing.assert_array_equal(got, expected)
