import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.75])
def test_mask_is_the_seeded_uniform_draw_in_the_input_dtype(rate, dtype):
    x = rng.standard_normal((3, 5, 4)).astype(dtype)
    out = ops.dropout(Tensor(x), rate, rng=7)
    # same seed, same dtype draw: u >= rate keeps a unit, and kept units are scaled
    u = np.random.default_rng(7).random(x.shape, dtype=dtype)
    expected = np.where(u >= rate, x * dtype(1 / (1 - rate)), 0)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)


def test_same_seed_same_mask_and_generator_advances():
    x = Tensor(np.ones((50, 20)))
    a, b = ops.dropout(x, 0.5, rng=3).data, ops.dropout(x, 0.5, rng=3).data
    np.testing.assert_array_equal(a, b)
    gen = np.random.default_rng(3)
    c, d = ops.dropout(x, 0.5, rng=gen).data, ops.dropout(x, 0.5, rng=gen).data
    np.testing.assert_array_equal(c, a)  # a Generator seeded 3 gives the int seed's first mask
    assert not np.array_equal(c, d)      # and moves on


def test_kept_fraction_and_scale():
    out = ops.dropout(Tensor(np.ones(200_000, dtype=np.float32)), 0.3, rng=0).data
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.7)}
    assert abs((out == 0).mean() - 0.3) < 0.005
    assert abs(out.mean() - 1.0) < 0.01  # inverted dropout keeps the expectation


def test_identity_in_inference_and_at_rate_zero():
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert ops.dropout(x, 0.5, training=False) is x
    assert ops.dropout(x, 0.0) is x


@pytest.mark.parametrize("noise_shape,shape", [((2, 1, 1, 3), (2, 1, 1, 3)),
                                               ((None, 1, 1, None), (2, 1, 1, 3)),
                                               ([1, 4, None, 1], (1, 4, 5, 1))])
def test_noise_shape_broadcasts_the_mask(noise_shape, shape):
    x = np.ones((2, 4, 5, 3))
    out = ops.dropout(Tensor(x), 0.5, rng=1, noise_shape=noise_shape).data
    u = np.random.default_rng(1).random(shape)
    np.testing.assert_array_equal(out, np.broadcast_to(np.where(u >= 0.5, 2.0, 0.0), x.shape))


def test_spatial_dropout_drops_whole_channels():
    out = ops.dropout(Tensor(np.ones((8, 6, 6, 16))), 0.5, rng=2, noise_shape=(None, 1, 1, None))
    per_channel = out.data.reshape(8, 36, 16)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))
    assert 0 < (per_channel[:, 0] == 0).mean() < 1


@pytest.mark.parametrize("noise_shape", [None, (None, 1)])
def test_gradient(noise_shape):
    x = rng.standard_normal((4, 6))
    grads = check_grad(lambda t: ops.dropout(t, 0.4, rng=11, noise_shape=noise_shape), x)
    # d out / d x is the scaled mask itself
    mask = ops.dropout(Tensor(np.ones_like(x)), 0.4, rng=11, noise_shape=noise_shape).data
    t = Tensor(x, requires_grad=True)
    ops.dropout(t, 0.4, rng=11, noise_shape=noise_shape).sum().backward()
    np.testing.assert_array_equal(t.grad, mask)
    assert grads[0].shape == x.shape


@pytest.mark.parametrize("rate", [1, 1.0, -0.1, 1.5, "0.5", True, None])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match=r"dropout: rate must be a number in \[0, 1\).*"
                                         rf"received rate={rate!r}"):
        ops.dropout(Tensor(np.ones(3)), rate)


def test_bad_rng_and_noise_shape():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"dropout: rng must be a numpy.random.Generator, an int "
                                        r"seed or None; received rng='seed'"):
        ops.dropout(x, 0.5, rng="seed")
    with pytest.raises(ValueError, match=r"dropout: noise_shape must have one entry per input axis"
                                         r" \(2 for input shape \(2, 3\)\); received "
                                         r"noise_shape=\(2,\)"):
        ops.dropout(x, 0.5, noise_shape=(2,))
    with pytest.raises(ValueError, match=r"dropout: each noise_shape entry must be None, 1 or the "
                                         r"input's size on that axis; received "
                                         r"noise_shape=\(2, 2\)"):
        ops.dropout(x, 0.5, noise_shape=(2, 2))
