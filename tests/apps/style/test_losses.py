"""The style-transfer losses against NumPy references (Gatys's formulas written out) and
float64 central differences; they are built from engine ops, so these check the composition."""

import numpy as np
import pytest

from lamina.apps.style import (
    content_loss,
    gram_matrix,
    style_layer_loss,
    style_loss,
    total_variation_loss,
)
from lamina.autograd import Tensor
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

rng = np.random.default_rng(0)


def test_gram_matrix_by_hand():
    # one 2x2 image, 2 channels: F has rows (1, 0), (2, 1), (0, 1), (1, 1)
    x = np.array([[[[1.0, 0.0], [2.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]]]])
    got = gram_matrix(Tensor(x)).data
    # F^T F = [[1+4+0+1, 0+2+0+1], [., 0+1+1+1]] = [[6, 3], [3, 3]], divided by M = 4
    np.testing.assert_array_equal(got, [[[1.5, 0.75], [0.75, 0.75]]])


def test_gram_matrix_matches_einsum_per_image():
    x = rng.standard_normal((3, 5, 4, 6)).astype("float32")
    got = gram_matrix(Tensor(x)).data
    want = np.einsum("nhwc,nhwd->ncd", x.astype("float64"), x.astype("float64")) / 20
    assert got.shape == (3, 6, 6)
    assert_sums_close(got, want, terms=20, scale=np.abs(x).max() ** 2 / 20, dtype="float32")


def test_style_layer_loss_is_gatys_formula_with_the_unnormalised_gram():
    x = rng.standard_normal((1, 4, 3, 5))
    a = rng.standard_normal((1, 4, 3, 5))
    n, m = 5, 12
    g_raw = x.reshape(m, n).T @ x.reshape(m, n)
    a_raw = a.reshape(m, n).T @ a.reshape(m, n)
    want = np.sum((g_raw - a_raw) ** 2) / (4 * n**2 * m**2)           # Gatys eq. 4
    got = style_layer_loss(Tensor(x), gram_matrix(Tensor(a))).data
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got > 0.01


def test_content_loss_and_weighted_style_loss_by_hand():
    x, p = rng.standard_normal((1, 3, 3, 2)), rng.standard_normal((1, 3, 3, 2))
    np.testing.assert_allclose(content_loss(Tensor(x), Tensor(p)).data,
                               0.5 * np.sum((x - p) ** 2), rtol=1e-12)
    f1, f2 = rng.standard_normal((1, 4, 4, 2)), rng.standard_normal((1, 2, 2, 3))
    t1, t2 = gram_matrix(Tensor(rng.random((1, 4, 4, 2)))), gram_matrix(
        Tensor(rng.random((1, 2, 2, 3))))
    one = style_layer_loss(Tensor(f1), t1).data
    two = style_layer_loss(Tensor(f2), t2).data
    np.testing.assert_allclose(style_loss([Tensor(f1), Tensor(f2)], [t1, t2]).data,
                               (one + two) / 2, rtol=1e-12)      # w_l = 1 / L by default
    np.testing.assert_allclose(style_loss([Tensor(f1), Tensor(f2)], [t1, t2], [3, 0.5]).data,
                               3 * one + 0.5 * two, rtol=1e-12)


@pytest.mark.parametrize("power", [2.0, 2.5])
def test_total_variation_by_hand(power):
    x = rng.random((2, 4, 5, 3))
    dy = x[:, 1:, :-1] - x[:, :-1, :-1]
    dx = x[:, :-1, 1:] - x[:, :-1, :-1]
    want = np.sum((dx**2 + dy**2) ** (power / 2))
    np.testing.assert_allclose(total_variation_loss(Tensor(x), power).data, want, rtol=1e-12)
    flat = np.full((1, 4, 4, 1), 0.3)
    assert total_variation_loss(Tensor(flat), power).data == 0.0


def test_gradients_match_central_differences_in_float64():
    x = rng.standard_normal((2, 3, 4, 3))
    check_grad(gram_matrix, x)
    target_gram = gram_matrix(Tensor(rng.standard_normal((1, 3, 4, 3)))).data
    check_grad(lambda t: style_layer_loss(t, Tensor(target_gram)), x)
    p = rng.standard_normal((2, 3, 4, 3))
    check_grad(lambda t: content_loss(t, Tensor(p)), x)
    check_grad(lambda t: total_variation_loss(t), rng.random((1, 4, 4, 2)) + 0.1)
    check_grad(lambda t: total_variation_loss(t, 2.0), rng.random((1, 3, 4, 2)))


def test_mistakes_are_named():
    with pytest.raises(ValueError, match=r"gram_matrix: features must have shape \(batch"):
        gram_matrix(Tensor(np.ones((4, 4, 3))))
    with pytest.raises(ValueError, match="content_loss: .*same size"):
        content_loss(Tensor(np.ones((1, 4, 4, 3))), Tensor(np.ones((1, 4, 5, 3))))
    with pytest.raises(ValueError, match="3 channels need a target Gram matrix"):
        style_layer_loss(Tensor(np.ones((1, 4, 4, 3))), Tensor(np.ones((1, 2, 2))))
    with pytest.raises(ValueError, match="one target Gram matrix per feature map"):
        style_loss([Tensor(np.ones((1, 4, 4, 3)))], [])
    with pytest.raises(ValueError, match="at least 2x2"):
        total_variation_loss(Tensor(np.ones((1, 1, 4, 3))))
