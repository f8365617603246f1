import numpy as np
import pytest

from lamina.data import train_test_split, validation_split


def test_sizes_follow_scikit_learn_rounding():
    sk = pytest.importorskip("sklearn.model_selection")
    for n, kwargs in [(10, {}), (10, {"test_size": 0.33}), (7, {"train_size": 0.5}),
                      (20, {"test_size": 3}), (9, {"test_size": 0.2, "train_size": 0.5})]:
        x = np.arange(n)
        ours = train_test_split(x, seed=0, **kwargs)
        theirs = sk.train_test_split(x, random_state=0, **kwargs)
        assert [len(a) for a in ours] == [len(a) for a in theirs], (n, kwargs)
    x_tr, x_te = train_test_split(np.arange(10), seed=0)
    assert (len(x_tr), len(x_te)) == (7, 3)  # test rounds up: ceil(2.5)


def test_partition_alignment_and_seeds():
    x = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, seed=1)
    assert sorted(y_tr.tolist() + y_te.tolist()) == list(range(20))
    np.testing.assert_array_equal(x_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(x_te[:, 0], 2 * y_te)
    again = train_test_split(x, y, test_size=0.25, random_state=1)
    np.testing.assert_array_equal(again[3], y_te)
    other = train_test_split(x, y, test_size=0.25, seed=2)
    assert not np.array_equal(other[3], y_te)
    ordered = train_test_split(y, test_size=0.25, shuffle=False)
    assert ordered[0].tolist() == list(range(15)) and ordered[1].tolist() == [15, 16, 17, 18, 19]
    lists = train_test_split(list(range(8)), test_size=2, seed=0)
    assert len(lists[0]) == 6 and len(lists[1]) == 2


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    x = np.arange(100)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, seed=0)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]
    np.testing.assert_array_equal(y[x_te], y_te)
    assert len(np.unique(np.concatenate([x_tr, x_te]))) == 100
    # uneven shares: each class within one sample of its exact share
    y = np.repeat(["cat", "dog", "owl"], [47, 31, 13])
    _, y_te = train_test_split(y, test_size=0.3, stratify=y, seed=4)
    assert len(y_te) == 28
    counts = np.array([np.sum(y_te == c) for c in ("cat", "dog", "owl")])
    assert np.all(np.abs(counts - np.array([47, 31, 13]) * 28 / 91) < 1)
    one_hot = np.eye(3)[np.repeat([0, 1, 2], [60, 30, 10])]
    _, te = train_test_split(one_hot, test_size=0.2, stratify=one_hot, seed=0)
    assert te.sum(axis=0).tolist() == [12, 6, 2]


def test_train_test_split_errors():
    x = np.arange(10)
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[10, 9\]"):
        train_test_split(x, x[:9])
    with pytest.raises(ValueError, match=r"test_size=1.5 should be a float in the open interval"):
        train_test_split(x, test_size=1.5)
    with pytest.raises(ValueError, match=r"test_size=10 should be a positive int smaller"):
        train_test_split(x, test_size=10)
    with pytest.raises(ValueError, match="more than the 10 available"):
        train_test_split(x, test_size=5, train_size=6)
    with pytest.raises(ValueError, match="needs shuffle=True"):
        train_test_split(x, stratify=x % 2, shuffle=False)
    with pytest.raises(ValueError, match="least populated class in stratify has only 1 member"):
        train_test_split(x, stratify=np.r_[np.zeros(9), 1])
    with pytest.raises(ValueError, match="test set has 1 samples, fewer than the 2 classes"):
        train_test_split(x, test_size=1, stratify=x % 2)
    with pytest.raises(ValueError, match="stratify has 9 labels; expected 10"):
        train_test_split(x, stratify=x[:9] % 2)
    with pytest.raises(ValueError, match="pass seed or random_state, not both"):
        train_test_split(x, seed=1, random_state=1)


def test_validation_split_takes_the_last_fraction_like_keras():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    (x_tr, y_tr), (x_val, y_val) = validation_split(x, y, 0.2)
    assert y_tr.tolist() == list(range(8)) and y_val.tolist() == [8, 9]
    np.testing.assert_array_equal(x_val, x[8:])
    (_, _), (_, y_val) = validation_split(x, y, 0.25)  # floor(10 * 0.75) = 7
    assert y_val.tolist() == [7, 8, 9]
    (xs_tr, none), (xs_val, _) = validation_split([x, y], fraction=0.5)
    assert none is None and xs_tr[1].tolist() == [0, 1, 2, 3, 4] and len(xs_val) == 2
    with pytest.raises(ValueError, match=r"fraction must be a float in \(0, 1\); received "
                                         r"fraction=1.0"):
        validation_split(x, y, 1.0)
    with pytest.raises(ValueError, match="leaves an empty training or validation set for 10"):
        validation_split(x, y, 0.95)
