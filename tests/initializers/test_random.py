import numpy as np
import pytest

from lamina import initializers as I
from lamina.initializers.base import compute_fans
from lamina.random import set_random_seed

BIG = (400, 600)  # 240k samples: sample variances land within ~1% of the true value

# (initializer, expected variance for BIG = (fan_in=400, fan_out=600), bounded support)
FAMILY = [
    (I.GlorotUniform, 2 / (400 + 600), "uniform"),
    (I.GlorotNormal, 2 / (400 + 600), "truncated"),
    (I.HeNormal, 2 / 400, "truncated"),
    (I.HeUniform, 2 / 400, "uniform"),
    (I.LecunNormal, 1 / 400, "truncated"),
    (I.LecunUniform, 1 / 400, "uniform"),
]


@pytest.mark.parametrize("cls,var,kind", FAMILY)
def test_variance_scaling_family_has_the_documented_variance(cls, var, kind):
    w = cls(seed=0)(BIG)
    assert w.shape == BIG and w.dtype == np.float32
    assert abs(w.mean()) < 0.01 * np.sqrt(var)
    assert w.var() == pytest.approx(var, rel=0.03)
    if kind == "uniform":  # U(-l, l) with l = sqrt(3 var)
        limit = np.sqrt(3 * var)
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.999 * limit
    else:  # truncated at 2 std of the underlying normal, std = sqrt(var) / 0.8796...
        bound = 2 * np.sqrt(var) / 0.87962566103423978
        assert np.abs(w).max() <= bound * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * bound


def test_fans_of_dense_and_conv_kernels():
    assert compute_fans((784, 128)) == (784, 128)
    assert compute_fans((3, 3, 64, 128)) == (9 * 64, 9 * 128)
    assert compute_fans((5, 16, 32)) == (5 * 16, 5 * 32)
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans(()) == (1, 1)


def test_conv_kernel_uses_the_receptive_field():
    w = I.HeNormal(seed=1)((3, 3, 64, 128))
    assert w.var() == pytest.approx(2 / (9 * 64), rel=0.03)
    g = I.GlorotUniform(seed=1)((3, 3, 64, 128))
    assert np.abs(g).max() <= np.sqrt(6 / (9 * 64 + 9 * 128))


def test_variance_scaling_modes_and_distributions():
    fan_out = I.VarianceScaling(scale=3.0, mode="fan_out", distribution="untruncated_normal",
                                seed=2)(BIG)
    assert fan_out.var() == pytest.approx(3.0 / 600, rel=0.03)
    assert np.abs(fan_out).max() > 3 * np.sqrt(3.0 / 600)  # a plain normal has long tails
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    avg = I.VarianceScaling(mode="fan_avg", distribution="uniform", seed=2)(BIG)
    assert avg.var() == pytest.approx(1 / 500, rel=0.03)


def test_random_normal_uniform_truncated_defaults():
    n = I.RandomNormal(seed=3)(BIG)
    assert n.mean() == pytest.approx(0, abs=1e-3) and n.std() == pytest.approx(0.05, rel=0.02)
    u = I.RandomUniform(seed=3)(BIG)
    assert u.min() >= -0.05 and u.max() < 0.05
    assert u.var() == pytest.approx(0.1 ** 2 / 12, rel=0.03)
    t = I.TruncatedNormal(mean=1.0, seed=3)(BIG)
    assert np.abs(t - 1.0).max() <= 0.1 + 1e-6
    assert t.std() == pytest.approx(0.05 * 0.87962566103423978, rel=0.02)
    shifted = I.RandomUniform(minval=2.0, maxval=3.0, seed=3)((1000,))
    assert shifted.min() >= 2.0 and shifted.max() < 3.0


def test_int_seed_repeats_generator_advances():
    a = I.GlorotUniform(seed=7)((5, 4))
    np.testing.assert_array_equal(a, I.GlorotUniform(seed=7)((5, 4)))
    init = I.RandomNormal(seed=7)
    np.testing.assert_array_equal(init((3, 3)), init((3, 3)))  # Keras 3: a seeded call repeats
    assert not np.array_equal(a, I.GlorotUniform(seed=8)((5, 4)))
    gen_init = I.HeNormal(seed=np.random.default_rng(0))
    first, second = gen_init((4, 4)), gen_init((4, 4))
    assert not np.array_equal(first, second)
    again = I.HeNormal(seed=np.random.default_rng(0))
    np.testing.assert_array_equal(first, again((4, 4)))


def test_unseeded_follows_the_global_seed():
    set_random_seed(123)
    a = I.GlorotUniform()((4, 4))
    b = I.GlorotUniform()((4, 4))
    assert not np.array_equal(a, b)
    set_random_seed(123)
    np.testing.assert_array_equal(a, I.GlorotUniform()((4, 4)))
    np.testing.assert_array_equal(b, I.GlorotUniform()((4, 4)))


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_dtype_argument(dtype):
    for cls in (I.GlorotUniform, I.HeNormal, I.RandomUniform, I.Orthogonal):
        assert cls(seed=0)((4, 6), dtype=dtype).dtype == np.dtype(dtype)


def test_random_initializers_refuse_int_dtype_and_bad_seed():
    with pytest.raises(ValueError, match="HeNormal: random initializers need a float dtype; "
                                         "received dtype=int32"):
        I.HeNormal()((2, 2), dtype="int32")
    with pytest.raises(TypeError, match="GlorotUniform: seed must be a non-negative int.*seed='a'"):
        I.GlorotUniform(seed="a")
    with pytest.raises(TypeError, match="seed=True"):
        I.RandomNormal(seed=True)
    with pytest.raises(TypeError, match="non-negative int.*seed=-1"):
        I.RandomNormal(seed=-1)


def test_variance_scaling_argument_errors():
    with pytest.raises(ValueError, match="scale must be a positive float; received scale=0"):
        I.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="mode must be one of .*received mode='fan_sum'"):
        I.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="received distribution='gaussian'"):
        I.VarianceScaling(distribution="gaussian")
    with pytest.raises(TypeError, match="shape must be a tuple of ints"):
        I.GlorotUniform()("big")


@pytest.mark.parametrize("shape", [(6, 4), (3, 5), (5, 5), (3, 3, 4, 8)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = I.Orthogonal(seed=4)(shape, dtype="float64")
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-12)


def test_orthogonal_gain_and_rank_check():
    w = I.Orthogonal(gain=2.0, seed=0)((4, 4), dtype="float64")
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(4), atol=1e-12)
    assert I.Orthogonal(seed=0)((4, 4)).dtype == np.float32
    with pytest.raises(ValueError, match=r"Orthogonal: the weight must have at least 2 axes; "
                                         r"received shape=\(5,\)"):
        I.Orthogonal()((5,))
