import numpy as np
import pytest

from lamina.data import to_categorical

KERAS_EYE4 = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0],
              [0.0, 0.0, 0.0, 1.0]]


def test_matches_keras_documented_outputs():
    a = to_categorical([0, 1, 2, 3], num_classes=4)
    assert a.dtype == np.float32 and a.tolist() == KERAS_EYE4
    assert to_categorical([1, 3]).tolist() == [[0, 1, 0, 0], [0, 0, 0, 1]]
    assert to_categorical([[1], [3]]).tolist() == [[0, 1, 0, 0], [0, 0, 0, 1]]  # (N, 1)
    assert to_categorical([1, 3], num_classes=5).tolist() == [[0, 1, 0, 0, 0],
                                                              [0, 0, 0, 1, 0]]


def test_shapes_dtypes_and_label_forms():
    grid = to_categorical(np.array([[0, 2], [1, 1]]), 3)
    assert grid.shape == (2, 2, 3) and grid[0, 1].tolist() == [0, 0, 1]
    assert to_categorical(2, 3).tolist() == [0, 0, 1]
    assert to_categorical(np.array([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]
    assert to_categorical(np.array([0, 1], dtype=np.uint8), 2, dtype="int64").dtype == np.int64
    assert to_categorical(np.zeros((0,), int), num_classes=3).shape == (0, 3)
    y = np.random.default_rng(0).integers(0, 10, 500)
    np.testing.assert_array_equal(to_categorical(y, 10).argmax(-1), y)


def test_bad_labels():
    with pytest.raises(ValueError, match=r"to_categorical: labels must be non-negative class "
                                         r"indices; received -1"):
        to_categorical([0, -1, 2])
    with pytest.raises(ValueError, match=r"label 3 is out of range for num_classes=3; labels "
                                         r"must be in \[0, 2\]"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match=r"whole-number class labels; received 1.5"):
        to_categorical([0.0, 1.5])
    with pytest.raises(TypeError, match="integer class labels; received dtype <U3"):
        to_categorical(["cat", "dog"])
    with pytest.raises(ValueError, match="num_classes must be a positive int; received "
                                         "num_classes=0"):
        to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match="y is empty; pass num_classes"):
        to_categorical([])
