import numpy as np
import pytest

import lamina
from lamina import utils


def test_windows_and_targets_are_keras_s():
    data = np.arange(10)
    ds = utils.timeseries_dataset_from_array(data, data * 10, sequence_length=3,
                                             sequence_stride=2, sampling_rate=2, batch_size=2)
    batches = [ds[i] for i in range(len(ds))]
    x = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(x, [[0, 2, 4], [2, 4, 6], [4, 6, 8]])
    np.testing.assert_array_equal(y, [0, 20, 40])
    only_x = utils.timeseries_dataset_from_array(data, None, 4, batch_size=10, start_index=2)
    np.testing.assert_array_equal(only_x[0], [[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7],
                                              [5, 6, 7, 8], [6, 7, 8, 9]])


def test_shuffled_windows_are_the_same_set_and_repeat_with_the_seed():
    data = np.arange(20.0)[:, None]
    a = utils.timeseries_dataset_from_array(data, None, 5, shuffle=True, seed=1)[0]
    b = utils.timeseries_dataset_from_array(data, None, 5, shuffle=True, seed=1)[0]
    np.testing.assert_array_equal(a, b)
    assert sorted(a[:, 0, 0].tolist()) == list(range(16))
    with pytest.raises(ValueError, match="received sequence_length=0"):
        utils.timeseries_dataset_from_array(data, None, 0)


def test_pad_sequences_pads_and_truncates_at_either_end():
    seqs = [[1, 2, 3], [4], []]
    np.testing.assert_array_equal(utils.pad_sequences(seqs), [[1, 2, 3], [0, 0, 4], [0, 0, 0]])
    np.testing.assert_array_equal(
        utils.pad_sequences(seqs, maxlen=2, padding="post", truncating="post", value=9),
        [[1, 2], [4, 9], [9, 9]])
    np.testing.assert_array_equal(utils.pad_sequences(seqs, maxlen=2)[0], [2, 3])
    with pytest.raises(ValueError, match="received padding='middle'"):
        utils.pad_sequences(seqs, padding="middle")


def test_to_categorical_normalize_and_set_random_seed():
    np.testing.assert_array_equal(utils.to_categorical([1, 0], 3), [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_allclose(utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]])),
                               [[0.6, 0.8], [0.0, 0.0]])
    utils.set_random_seed(4)
    a = lamina.layers.Dense(3, name="d")
    a.build((None, 2))
    utils.set_random_seed(4)
    b = lamina.layers.Dense(3, name="d")
    b.build((None, 2))
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


class Squares(utils.PyDataset):
    """A Keras 3 PyDataset as written on keras.io: super().__init__(**kwargs)."""

    def __init__(self, n, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = np.linspace(-1, 1, n, dtype="float32")[:, None]
        self.batch_size = batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, idx):
        rows = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[rows], 2.0 * self.x[rows] + 1.0


def test_fit_takes_a_pydataset_subclass_with_keras_arguments():
    ds = Squares(32, 8, workers=2, use_multiprocessing=False, max_queue_size=4)
    assert ds.workers == 2 and ds.num_batches == 4 and utils.Sequence is utils.PyDataset
    model = lamina.Sequential([lamina.Input((1,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(0.2), loss="mse")
    model.fit(ds, epochs=60, verbose=0)
    w, b = model.get_weights()
    np.testing.assert_allclose([w[0, 0], b[0]], [2.0, 1.0], atol=1e-2)
