import numpy as np
import pytest

from lamina.data import batches


def data(n=103):
    x = np.arange(n * 2, dtype="float32").reshape(n, 2)
    return x, np.arange(n)


def test_every_sample_once_per_epoch_in_shuffled_batches():
    x, y = data()
    got = list(batches(x, y, batch_size=32, seed=0))
    assert [len(yb) for _, yb in got] == [32, 32, 32, 7]
    seen = np.concatenate([yb for _, yb in got])
    np.testing.assert_array_equal(np.sort(seen), np.arange(103))
    assert not np.array_equal(seen, np.arange(103))  # actually shuffled
    for xb, yb in got:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)


def test_same_seed_same_order_and_other_seed_other_order():
    x, y = data()
    order = [np.concatenate([yb for _, yb in batches(x, y, seed=s)]) for s in (5, 5, 6)]
    np.testing.assert_array_equal(order[0], order[1])
    assert not np.array_equal(order[0], order[2])
    gen = np.random.default_rng(1)
    first = np.concatenate([yb for _, yb in batches(x, y, seed=gen)])
    second = np.concatenate([yb for _, yb in batches(x, y, seed=gen)])
    assert not np.array_equal(first, second)  # a Generator advances between epochs


def test_no_shuffle_keeps_order_and_drop_remainder():
    x, y = data(10)
    got = [yb for _, yb in batches(x, y, batch_size=4, shuffle=False)]
    assert [b.tolist() for b in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    got = [yb for _, yb in batches(x, y, batch_size=4, shuffle=False, drop_remainder=True)]
    assert [b.tolist() for b in got] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(list(batches(x, y, batch_size=4, seed=0, drop_remainder=True))) == 2


def test_x_only_and_several_inputs():
    x, y = data(6)
    got = list(batches(x, batch_size=4, shuffle=False))
    assert isinstance(got[0], np.ndarray) and got[0].shape == (4, 2)
    multi = list(batches([x, y], y, batch_size=4, seed=3))
    (xa, xb), yb = multi[0]
    np.testing.assert_array_equal(xb, yb)
    np.testing.assert_array_equal(xa[:, 0], 2 * yb)


def test_bad_arguments_fail_at_the_call():
    x, y = data(6)
    with pytest.raises(ValueError, match=r"batches: batch_size must be a positive int; "
                                         r"received batch_size=0"):
        batches(x, y, batch_size=0)
    with pytest.raises(ValueError, match=r"same number of samples.*\[6\].*5"):
        batches(x, y[:5])
    with pytest.raises(ValueError, match=r"seed must be"):
        batches(x, y, seed=-1)
