import numpy as np
import pytest

from lamina import initializers as I
from lamina.backend import floatx, set_floatx


def test_zeros_ones_constant():
    z = I.Zeros()((2, 3))
    assert z.dtype == np.float32 and not z.any() and z.shape == (2, 3)
    np.testing.assert_array_equal(I.Ones()((4,)), np.ones(4, dtype=np.float32))
    np.testing.assert_array_equal(I.Constant(0.25)((2, 2)), np.full((2, 2), 0.25, np.float32))
    assert I.Zeros()((3,), dtype="int64").dtype == np.int64  # non-random: any dtype


def test_constant_broadcasts_an_array_value():
    c = I.Constant([1.0, 2.0, 3.0])((2, 3))
    np.testing.assert_array_equal(c, [[1, 2, 3], [1, 2, 3]])
    assert I.Constant(np.array([1.0, 2.0])).get_config() == {"value": [1.0, 2.0]}
    with pytest.raises(ValueError, match=r"Constant: value of shape \(3,\) cannot fill a weight "
                                         r"of shape \(2, 2\)"):
        I.Constant([1.0, 2.0, 3.0])((2, 2))


def test_identity():
    np.testing.assert_array_equal(I.Identity(gain=3.0)((2, 3)), [[3, 0, 0], [0, 3, 0]])
    with pytest.raises(ValueError, match=r"Identity: only 2-D weights .* shape=\(2, 2, 2\)"):
        I.Identity()((2, 2, 2))


def test_default_dtype_follows_floatx():
    try:
        set_floatx("float64")
        assert I.Ones()((2,)).dtype == np.float64
        assert I.GlorotUniform(seed=0)((2, 2)).dtype == np.float64
    finally:
        set_floatx("float32")
    assert floatx() == np.float32
