"""When the sharded update goes through shared memory (lamina.distributed._node); the
exchange itself runs in test_mpi.py (every equality run on one machine uses it)."""

import os
from types import SimpleNamespace

from lamina.distributed import _world
from lamina.distributed._node import fits, on_one_machine


def test_one_process_has_no_machine_to_share():
    assert not on_one_machine()


def test_the_windows_must_fit_twice_in_the_free_shared_memory(monkeypatch):
    monkeypatch.setattr(_world.WORLD, "size", 2)
    # 2 ranks, chunks of 1000 float32 and a tail of 9: weights 2 x 1000, rows 2 x 2009
    need = (2 * 1000 + 2 * (2 * 1000 + 9)) * 4

    def free(nbytes):
        return lambda path: SimpleNamespace(f_bavail=nbytes // 4096, f_frsize=4096)

    monkeypatch.setattr(os, "statvfs", free(2 * need + 4096))
    assert fits(1000, 9, "float32")
    monkeypatch.setattr(os, "statvfs", free(2 * need - 4096))
    assert not fits(1000, 9, "float32")
