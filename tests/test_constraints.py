import json

import numpy as np
import pytest

from lamina import Variable
from lamina import constraints as C

# column norms 5 and 0.5; row norms sqrt(9.09) and sqrt(16.16)
W = np.array([[3.0, 0.3], [4.0, 0.4]], dtype=np.float32)
EPS = 1e-7


def test_max_norm_rescales_only_long_columns():
    out = C.MaxNorm(max_value=2)(W)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[1.2, 0.3], [1.6, 0.4]], rtol=1e-6)
    rows = C.MaxNorm(max_value=3.5, axis=1)(W)
    norms = np.sqrt([9.09, 16.16])
    np.testing.assert_allclose(rows, W * (np.minimum(norms, 3.5) / (norms + EPS))[:, None],
                               rtol=1e-6)


def test_max_norm_on_a_conv_kernel_per_filter():
    k = np.random.default_rng(0).standard_normal((3, 3, 2, 4)).astype(np.float32)
    out = C.MaxNorm(1.0, axis=[0, 1, 2])(k)
    norms = np.sqrt((out ** 2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(norms, np.minimum(np.sqrt((k ** 2).sum(axis=(0, 1, 2))), 1.0),
                               rtol=1e-5)


def test_non_neg():
    np.testing.assert_array_equal(C.NonNeg()(np.array([-1.0, 0.0, 2.5], np.float32)),
                                  [0.0, 0.0, 2.5])
    assert np.isnan(C.NonNeg()(np.array([np.nan]))).all()


def test_unit_norm():
    np.testing.assert_allclose(C.UnitNorm()(W), [[0.6, 0.6], [0.8, 0.8]], rtol=1e-6)
    rows = C.UnitNorm(axis=1)(W)
    np.testing.assert_allclose(np.sqrt((rows ** 2).sum(axis=1)), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(C.UnitNorm()(np.zeros((2, 2))), 0.0)  # no 0 / 0


def test_min_max_norm():
    out = C.MinMaxNorm(min_value=1.0, max_value=2.0)(W)  # norms 5 -> 2, 0.5 -> 1
    np.testing.assert_allclose(out, [[1.2, 0.6], [1.6, 0.8]], rtol=1e-6)
    half = C.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(W)  # 3.5 and 0.75
    np.testing.assert_allclose(half, [[2.1, 0.45], [2.8, 0.6]], rtol=1e-6)
    with pytest.raises(ValueError, match="min_value must be <= max_value; received "
                                         "min_value=3, max_value=1"):
        C.MinMaxNorm(3, 1)


def test_applied_to_a_variable_after_an_update():
    v = Variable(W.copy(), constraint=C.get("max_norm"))
    v.data -= 1.0  # an optimizer step, then the projection
    v.data[...] = v.constraint(v.data)
    np.testing.assert_allclose(np.sqrt((v.data ** 2).sum(axis=0)), [2.0, np.hypot(0.7, 0.6)],
                               rtol=1e-6)
    np.testing.assert_allclose(C.NonNeg()(v), np.maximum(v.data, 0))  # Variables work too


def test_bad_axis_messages():
    with pytest.raises(ValueError, match=r"MaxNorm: axis=2 is out of range for a weight of "
                                         r"shape \(2, 2\)"):
        C.MaxNorm(axis=2)(W)
    with pytest.raises(TypeError, match="UnitNorm: axis must be an int or a list of ints; "
                                        "received axis='rows'"):
        C.UnitNorm(axis="rows")
    with pytest.raises(TypeError, match="max_value must be a number; received max_value='2'"):
        C.MaxNorm(max_value="2")


@pytest.mark.parametrize("name,cls", [("max_norm", C.MaxNorm), ("non_neg", C.NonNeg),
                                      ("unit_norm", C.UnitNorm), ("min_max_norm", C.MinMaxNorm),
                                      ("MaxNorm", C.MaxNorm), ("NonNeg", C.NonNeg)])
def test_get_by_name(name, cls):
    assert type(C.get(name)) is cls


def test_get_other_identifiers_and_did_you_mean():
    c = C.UnitNorm(axis=1)
    assert C.get(c) is c and C.get(None) is None
    assert C.get({"class_name": "MaxNorm", "config": {"max_value": 3}}).max_value == 3.0
    assert C.get(np.abs) is np.abs
    with pytest.raises(ValueError, match=r"Unknown constraint: 'max_nrom'\. "
                                         r"Did you mean 'max_norm'\?"):
        C.get("max_nrom")


@pytest.mark.parametrize("c", [C.MaxNorm(3, axis=[0, 1, 2]), C.NonNeg(), C.UnitNorm(axis=1),
                               C.MinMaxNorm(0.5, 1.5, 0.3, axis=0)])
def test_serialize_round_trip(c):
    config = json.loads(json.dumps(C.serialize(c)))
    clone = C.deserialize(config)
    assert type(clone) is type(c) and clone.get_config() == c.get_config()
    k = np.random.default_rng(2).standard_normal((2, 2, 3, 4)).astype(np.float32)
    np.testing.assert_array_equal(clone(k), c(k))
