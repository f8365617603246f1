"""When ``fit(distributed=True)`` shards the optimizer update (lamina.distributed.sharded),
and when it keeps the all-reduce; the sharded arithmetic itself runs in test_mpi.py."""

import pytest

from lamina.callbacks import BackupAndRestore, EarlyStopping, ModelCheckpoint
from lamina.distributed import _world
from lamina.distributed.fit import _shard_allowed
from lamina.distributed.sharded import ShardedUpdate, shardable
from lamina.layers import Dense, Input
from lamina.models import Sequential
from lamina.optimizers import SGD, Adam, AdamW


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


def _address(array):
    return array.__array_interface__["data"][0]


def test_a_new_layout_takes_over_the_old_shards_indices(two_ranks):
    # layers frozen during fit lay the chunks out again: the optimizer's tables must not grow
    # nor keep entries of the old shards (dead objects whose ids Python hands out again)
    variables = _variables()  # kernel 3x4, bias 4, kernel 4x2, bias 2: 26 weights
    opt = Adam()
    update = ShardedUpdate(opt)
    for layout in (variables, variables[2:], variables, variables[:1], variables):
        update._ensure_layout(layout, 1)
        update._register()
        registered = [s for s, _ in update._registered_shards]  # the shards and their runs
        assert set(opt._index) == {id(v) for v in variables} | {id(s) for s in registered}
        # the most any layout had: rank 0's 13 weights of the first, in 2 shards and 1 run
        assert opt._n_parts == 3
        for slots in opt._slot_lists:
            assert len(slots) == len(variables) + 3
            for s in registered:  # a shard's or run's slots: the slice of its variables'
                mine = slots[opt._index[id(s)]]
                first = slots[opt._index[id(s.base)]].reshape(-1)[s.lo:]
                assert mine.size == s.hi - s.lo == s.data.size
                assert _address(mine) == _address(first)
            used = {opt._index[id(s)] for s in registered}
            assert all(slots[i] is None for i in update._owned if i not in used)
    update.release()


def test_the_usual_step_updates_runs_of_shards_treated_alike(two_ranks):
    # one optimizer call per run instead of one per variable; with weight decay, a run never
    # joins a variable excluded from it with one that is not
    variables = _variables()
    for opt, sizes in ((Adam(), [13]), (AdamW(weight_decay=0.1), [12, 1])):
        opt.exclude_from_weight_decay(var_names=["bias"])
        update = ShardedUpdate(opt)
        update._ensure_layout(variables, 1)
        update._register()
        grads, runs = update._whole
        assert [r.hi - r.lo for r in runs] == sizes == [g.size for g in grads]
        assert [opt._use_weight_decay(r) for r in runs] == [True] * (len(sizes) - 1) + [
            len(sizes) == 1]
        update.release()
