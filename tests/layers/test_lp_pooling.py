"""LPPooling2D / L2Pooling2D: numbers against plain loops, float64 gradients, the shared test."""

import math

import numpy as np
import pytest

from lamina import Tensor
from lamina.layers import L2Pooling2D, LPPooling2D
from tests.gradcheck import check_grad
from tests.layers.harness import run_layer_test


def lp_reference(x, p, pool, strides, padding):
    """Plain loops: the p-norm of each window's real cells (padded cells left out)."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        ho, wo = math.ceil(h / sh), math.ceil(w / sw)
        top = max((ho - 1) * sh + ph - h, 0) // 2
        left = max((wo - 1) * sw + pw - w, 0) // 2
    else:
        ho, wo, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * sh - top, j * sw - left
            window = np.abs(x[:, max(r0, 0):r0 + ph, max(c0, 0):c0 + pw, :])
            out[:, i, j] = (window ** p).sum(axis=(1, 2)) ** (1 / p)
    return out


def test_l2_pooling_by_hand():
    x = np.array([[3.0, 4.0, 1.0, 1.0], [0.0, 0.0, 1.0, -1.0]], "float32").reshape(1, 2, 4, 1)
    np.testing.assert_allclose(L2Pooling2D()(x).data.ravel(), [5.0, 2.0], rtol=1e-7)
    # p = 1: the sum of magnitudes; large p: the largest magnitude
    np.testing.assert_allclose(LPPooling2D(p=1)(x).data.ravel(), [7.0, 4.0], rtol=1e-7)
    big = LPPooling2D(p=16)(x).data.ravel()      # (4^16 + 3^16)^(1/16), 4^(1/16)
    np.testing.assert_allclose(big, [4 * (1 + 0.75 ** 16) ** (1 / 16), 4 ** (1 / 16)],
                               rtol=1e-6)
    assert big[0] > 4.0 and big[1] > 1.0


@pytest.mark.parametrize("p", [1, 2, 3, 2.5])
@pytest.mark.parametrize("pool, strides, padding", [
    ((2, 2), (2, 2), "valid"), ((3, 3), (2, 2), "same"), ((2, 3), (1, 2), "valid"),
    ((3, 2), (2, 1), "same")])
def test_lp_pooling_matches_loops(p, pool, strides, padding):
    x = np.random.default_rng(1).standard_normal((2, 7, 6, 3))
    got = LPPooling2D(p=p, pool_size=pool, strides=strides, padding=padding,
                      dtype="float64")(Tensor(x)).data
    assert got.dtype == np.float64
    # float64 all through: a mean of at most 9 terms, one product, one root, each rounding by
    # about 1e-16 relative; 1e-12 leaves room and still catches a wrong cell count or window
    np.testing.assert_allclose(got, lp_reference(x, p, pool, strides, padding),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("p, padding", [(2, "valid"), (2, "same"), (3, "same"), (1.5, "valid")])
def test_lp_pooling_gradient_float64(p, padding):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 5, 2))
    x = np.where(np.abs(x) < 0.1, 0.5, x)    # away from |x|'s kink at 0
    layer = LPPooling2D(p=p, pool_size=(2, 3), strides=(2, 2), padding=padding, dtype="float64")
    check_grad(lambda t: layer(t), x)


def test_zero_window_gives_zero_and_a_finite_gradient():
    x = np.zeros((1, 4, 4, 1))
    x[0, 2:, 2:, 0] = [[1.0, -2.0], [2.0, 4.0]]
    t = Tensor(x, requires_grad=True)
    out = L2Pooling2D(dtype="float64")(t)
    np.testing.assert_array_equal(out.data.ravel(), [0.0, 0.0, 0.0, 5.0])
    out.sum().backward()
    assert np.isfinite(t.grad).all()
    np.testing.assert_allclose(t.grad[0, 2:, 2:, 0], np.array([[1, -2], [2, 4]]) / 5.0,
                               rtol=1e-12)
    assert not t.grad[0, :2].any() and not t.grad[0, :, :2].any()


@pytest.mark.parametrize("cls, kwargs, out_hw", [
    (L2Pooling2D, {}, (3, 3)),
    (L2Pooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (3, 3)),
    (LPPooling2D, {"p": 3, "pool_size": (2, 3), "strides": (1, 2)}, (5, 2)),
])
def test_lp_pooling_shared_layer_test(cls, kwargs, out_hw, tmp_path):
    run_layer_test(cls, kwargs, (2, 6, 6, 3), (2, *out_hw, 3), 0, tmp_path=tmp_path)


def test_config_and_bad_arguments():
    assert LPPooling2D(p=3).get_config()["p"] == 3
    assert "p" not in L2Pooling2D().get_config()
    assert L2Pooling2D.from_config(L2Pooling2D(pool_size=3).get_config()).pool_size == (3, 3)
    for bad in (0.5, 0, float("inf"), "2", True):
        with pytest.raises(ValueError, match=r"LPPooling2D '.*': p must be a finite number "
                                             r">= 1 .* received p="):
            LPPooling2D(p=bad)
