import math

import numpy as np
import pytest

from lamina import Tensor
from lamina import metrics as M

# batch 1: per-sample squared errors mean(1, 0) = 0.5 and mean(1, 0) = 0.5;
#          absolute errors the same
Y1_TRUE, Y1_PRED = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
# batch 2: one sample, errors (2, -1): squared mean 2.5, absolute mean 1.5
Y2_TRUE, Y2_PRED = [[1.0, 1.0]], [[3.0, 0.0]]


def test_mean_squared_error_two_batches_and_reset():
    m = M.MeanSquaredError()
    m.update_state(Y1_TRUE, Y1_PRED)
    assert m.result() == pytest.approx(0.5)
    m.update_state(Y2_TRUE, Y2_PRED)
    assert m.result() == pytest.approx((0.5 + 0.5 + 2.5) / 3)
    m.reset_state()
    m.update_state(Y1_TRUE, Y1_PRED, sample_weight=[0.0, 1.0])
    m.update_state(Y2_TRUE, Y2_PRED, sample_weight=[3.0])
    assert m.result() == pytest.approx((0.5 + 3 * 2.5) / 4)


def test_mean_absolute_error_two_batches():
    m = M.MeanAbsoluteError()
    m.update_state(Y1_TRUE, Y1_PRED)
    m.update_state(Y2_TRUE, Y2_PRED)
    assert m.result() == pytest.approx((0.5 + 0.5 + 1.5) / 3)
    np.testing.assert_allclose(M.mean_absolute_error(Y2_TRUE, Y2_PRED), [1.5])


def test_root_mean_squared_error_is_the_root_of_the_epoch_mean():
    m = M.RootMeanSquaredError()
    m.update_state(Y1_TRUE, Y1_PRED)
    m.update_state(Y2_TRUE, Y2_PRED)
    assert m.result() == pytest.approx(math.sqrt(3.5 / 3))  # not the mean of batch roots
    m.reset_state()
    m.update_state([[0.0], [0.0]], [[3.0], [4.0]], sample_weight=[1.0, 3.0])
    assert m.result() == pytest.approx(math.sqrt((9 + 3 * 16) / 4))


def test_shapes_one_value_per_sample():
    # (N,) labels against (N, 1) outputs line up; 1-D values are one error per sample
    np.testing.assert_allclose(M.mean_squared_error([1.0, 2.0], [[1.5], [4.0]]), [0.25, 4.0])
    np.testing.assert_allclose(M.mean_squared_error([1.0, 2.0], [1.5, 4.0]), [0.25, 4.0])
    assert M.mean_squared_error(np.zeros((2, 1), np.float32),
                                Tensor([[1.0], [1.0]])).dtype == np.float32
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true has shape \(2, 3\) but "
                                         r"y_pred has shape \(2, 2\)"):
        M.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 2)))


def test_float32_predictions_stay_float32():
    y_true = np.array([[1, 2]], dtype=np.int64)  # integer labels take the predictions' dtype
    y_pred = np.array([[1.5, 2.5]], dtype=np.float32)
    assert M.mean_absolute_error(y_true, y_pred).dtype == np.float32
