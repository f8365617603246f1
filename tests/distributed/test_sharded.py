"""When ``fit(distributed=True)`` shards the optimizer update (lamina.distributed.sharded),
and when it keeps the all-reduce; the sharded arithmetic itself runs in test_mpi.py."""

import pytest

from lamina.callbacks import BackupAndRestore, EarlyStopping, ModelCheckpoint
from lamina.distributed import _world
from lamina.distributed.fit import _shard_allowed
from lamina.distributed.sharded import shardable
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import SGD, Adam


@pytest.fixture
def two_ranks(monkeypatch):
    monkeypatch.setattr(_world.WORLD, "size", 2)


def _variables(dtype="float32"):
    model = Sequential([Input(shape=(3,)), Dense(4, dtype=dtype), Dense(2, dtype=dtype)])
    return model.trainable_weights


def test_lamina_rules_without_norm_clipping_are_sharded(two_ranks):
    assert shardable(Adam(), _variables())
    assert shardable(SGD(0.1, momentum=0.9, weight_decay=0.01, clipvalue=1.0), _variables())


def test_what_needs_a_whole_gradient_or_another_rule_is_not(two_ranks):
    # a norm is over the whole gradient of a variable, or of all of them
    assert not shardable(Adam(clipnorm=1.0), _variables())
    assert not shardable(Adam(global_clipnorm=1.0), _variables())

    class Mine(SGD):  # an update rule of the user's: maybe not elementwise
        def update_step(self, grad, variable, learning_rate):
            variable.data -= learning_rate * grad.mean()

    assert not shardable(Mine(0.1), _variables())
    mixed = _variables() + _variables("float64")  # one flat buffer needs one dtype
    assert not shardable(Adam(), mixed)


def test_one_process_is_never_sharded():
    assert not shardable(Adam(), _variables())


def test_callbacks_that_save_between_epochs_keep_the_allreduce(tmp_path, monkeypatch):
    # the slots are whole on every rank at epoch ends only
    monkeypatch.delenv("LAMINA_DISTRIBUTED_SHARD", raising=False)
    assert _shard_allowed(None)
    assert _shard_allowed([EarlyStopping(), ModelCheckpoint(str(tmp_path / "m.lamina")),
                           BackupAndRestore(str(tmp_path / "b"))])
    assert not _shard_allowed([ModelCheckpoint(str(tmp_path / "m.lamina"), save_freq=10)])
    assert not _shard_allowed(BackupAndRestore(str(tmp_path / "b"), save_freq=5))
    monkeypatch.setenv("LAMINA_DISTRIBUTED_SHARD", "0")
    assert not _shard_allowed(None)
