import numpy as np
import pytest

from lamina.datasets import housing


def test_shapes_dtypes_and_ranges():
    x, y = housing.load_data(n=2000, seed=0)
    assert x.shape == (2000, 3) and y.shape == (2000,)
    assert x.dtype == y.dtype == np.float32
    bedrooms, size, age = x.T
    assert set(np.unique(bedrooms).tolist()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert size.min() >= 20.0 and 0.0 <= age.min() and age.max() < 80.0
    assert np.corrcoef(bedrooms, size)[0, 1] > 0.7  # bigger houses have more bedrooms
    assert housing.FEATURE_NAMES == ("bedrooms", "size", "age")


def test_without_noise_price_is_the_documented_rule():
    x, y = housing.load_data(n=50, seed=1, noise=0.0)
    x64 = x.astype(np.float64)
    expected = 40.0 + 12.0 * x64[:, 0] + 2.5 * x64[:, 1] - 0.6 * x64[:, 2]
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    assert (housing.INTERCEPT, housing.COEFFICIENTS) == (40.0, (12.0, 2.5, -0.6))


def test_least_squares_recovers_the_rule_and_the_noise_level():
    x, y = housing.load_data(n=20000, seed=2, noise=15.0)
    design = np.column_stack([np.ones(len(x)), x]).astype(np.float64)
    coef, *_ = np.linalg.lstsq(design, y.astype(np.float64), rcond=None)
    assert np.all(np.abs(coef - [40.0, 12.0, 2.5, -0.6]) < [3.0, 1.0, 0.05, 0.02]), coef
    residual = y - design @ coef
    assert residual.std() == pytest.approx(15.0, rel=0.03)


def test_seed_reproducibility():
    a = housing.load_data(n=10, seed=3)
    b = housing.load_data(n=10, seed=3)
    c = housing.load_data(n=10, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"housing\.load_data: n must be a positive int; "
                       r"received n=0"):
        housing.load_data(n=0)
    with pytest.raises(ValueError, match=r"noise must be >= 0; received noise=-1"):
        housing.load_data(noise=-1)
