import numpy as np
import pytest

from lamina.data import ArraySequence, ImageAugmenter, Sequence
from lamina.layers import Dense, Flatten, Input
from lamina.models import Sequential


def epoch_labels(seq):
    return np.concatenate([seq[i][1] for i in range(len(seq))])


def test_array_sequence_covers_all_samples_and_reshuffles_each_epoch():
    x = np.arange(50, dtype="float32").reshape(25, 2)
    y = np.arange(25)
    seq = ArraySequence(x, y, batch_size=8, seed=0)
    assert len(seq) == 4 and [len(seq[i][1]) for i in range(4)] == [8, 8, 8, 1]
    first = epoch_labels(seq)
    np.testing.assert_array_equal(np.sort(first), y)
    np.testing.assert_array_equal(epoch_labels(seq), first)  # stable within an epoch
    seq.on_epoch_end()
    second = epoch_labels(seq)
    np.testing.assert_array_equal(np.sort(second), y)
    assert not np.array_equal(first, second)
    again = ArraySequence(x, y, batch_size=8, seed=0)
    np.testing.assert_array_equal(epoch_labels(again), first)
    again.on_epoch_end()
    np.testing.assert_array_equal(epoch_labels(again), second)
    xb, yb = seq[-1]
    np.testing.assert_array_equal(xb[:, 0], 2 * yb)


def test_augment_applies_to_x_only_and_optional_parts():
    x, y = np.zeros((6, 3), "float32"), np.arange(6)
    seq = ArraySequence(x, y, batch_size=4, shuffle=False, augment=lambda b: b + 100.0)
    xb, yb = seq[0]
    assert np.all(xb == 100.0) and yb.tolist() == [0, 1, 2, 3]
    assert np.all(x == 0.0)
    only_x = ArraySequence(x, batch_size=4, shuffle=False)[1]
    assert isinstance(only_x, np.ndarray) and only_x.shape == (2, 3)
    weighted = ArraySequence(x, y, batch_size=4, shuffle=False, sample_weight=np.ones(6))[1]
    assert len(weighted) == 3 and weighted[2].tolist() == [1.0, 1.0]


def test_fit_runs_on_sequences_and_calls_on_epoch_end():
    rng = np.random.default_rng(0)
    x = rng.random((40, 6, 6, 1), dtype=np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("float32")[:, None]
    model = Sequential([Input(shape=(6, 6, 1)), Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    seq = ImageAugmenter(horizontal_flip=True, seed=0).flow(x, y, batch_size=16, seed=0)
    assert isinstance(seq, ArraySequence) and len(seq) == 3
    history = model.fit(seq, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and seq.epoch == 3

    class Squares(Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    history = model.fit(Squares(), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_sequence_base_and_bad_arguments():
    with pytest.raises(NotImplementedError, match="must implement __len__"):
        len(Sequence())
    with pytest.raises(NotImplementedError, match="must implement __getitem__"):
        Sequence()[0]
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="ArraySequence: batch_size must be a positive int"):
        ArraySequence(x, batch_size=-2)
    with pytest.raises(TypeError, match="augment must be a callable"):
        ArraySequence(x, augment="flip")
    with pytest.raises(ValueError, match="sample_weight has 4 entries; expected 5"):
        ArraySequence(x, sample_weight=np.ones(4))
    with pytest.raises(IndexError, match="batch index 3 out of range for 3 batches"):
        ArraySequence(x, batch_size=2)[3]
