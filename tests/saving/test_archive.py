"""Atomic writes (issue 14 §6): temp files of interrupted saves are removed at the next
save to the same path, and ``.lamina`` and ``.h5`` saves are fsynced before the rename
and their directory after it."""

import os
import subprocess
import sys

import pytest

import lamina.saving.archive as archive
from tests.saving.hostile import small_model

INTERRUPTED = r"""
import os, sys
from lamina.saving import archive
with archive.atomic_path(sys.argv[1]) as tmp:
    with open(tmp, "wb") as f:
        f.write(b"half a file")
    os._exit(1)  # dies like a kill -9: no cleanup runs
"""


@pytest.mark.parametrize("suffix", [".lamina", ".h5"])
def test_temp_files_of_an_interrupted_save_are_removed_by_the_next_save(tmp_path, suffix):
    if suffix == ".h5":
        pytest.importorskip("h5py")
    path = tmp_path / f"m{suffix}"
    subprocess.run([sys.executable, "-c", INTERRUPTED, str(path)], check=False,
                   env=dict(os.environ))
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(f".m{suffix}.")
    live = tmp_path / f".m{suffix}.{os.getpid()}.0000.lamina-tmp"  # a save still running
    live.write_bytes(b"")
    small_model().save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, path.name])


@pytest.mark.parametrize("suffix", [".lamina", ".keras", ".h5", ".weights.npz", ".weights.h5"])
def test_saves_fsync_the_file_before_the_rename_and_the_directory_after(tmp_path, suffix,
                                                                        monkeypatch):
    if suffix.endswith((".h5", ".keras")):
        pytest.importorskip("h5py")
    events = []
    fsync, replace = os.fsync, os.replace

    def record_fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def record_replace(src, dst):
        events.append(("replace", os.fspath(dst)))
        replace(src, dst)

    monkeypatch.setattr(archive.os, "fsync", record_fsync)
    monkeypatch.setattr(archive.os, "replace", record_replace)
    path = tmp_path / f"m{suffix}"
    model = small_model()
    model.save_weights(path) if "weights" in suffix else model.save(path)
    assert [e[0] for e in events] == ["fsync", "replace", "fsync"]
    assert events[0][1].endswith(".lamina-tmp") and events[1][1] == str(path)
    assert events[2][1] == str(tmp_path)
