"""Sparse initialization (Martens 2010): exactly num_nonzero non-zero inputs per unit."""

import json

import numpy as np
import pytest

from lamina import initializers as I
from lamina.layers import Dense


@pytest.mark.parametrize("shape, k", [((100, 7), 15), ((3, 3, 4, 8), 15), ((10, 3), 10),
                                      ((5, 4), 1)])
def test_each_unit_has_exactly_num_nonzero_inputs(shape, k):
    w = I.Sparse(num_nonzero=k, seed=0)(shape, dtype="float64")
    assert w.shape == shape and w.dtype == np.float64
    per_unit = (w.reshape(-1, shape[-1]) != 0).sum(axis=0)
    assert per_unit.tolist() == [min(k, int(np.prod(shape[:-1])))] * shape[-1]


def test_fan_in_below_num_nonzero_connects_every_input():
    w = I.Sparse(seed=1)((6, 4))       # 15 > 6 inputs
    assert (w != 0).all() and w.dtype == np.float32


def test_nonzero_weights_are_normal_with_stddev_and_units_differ():
    w = I.Sparse(num_nonzero=15, stddev=0.5, seed=2)((400, 2000), dtype="float64")
    values = w[w != 0]
    assert values.size == 15 * 2000
    # 30,000 draws of N(0, 0.25): the sample std is within 5 standard errors (0.5 / sqrt(2n))
    assert abs(values.std() - 0.5) < 5 * 0.5 / np.sqrt(2 * values.size)
    assert abs(values.mean()) < 5 * 0.5 / np.sqrt(values.size)
    # the inputs are drawn per unit: no two of 2,000 units share their 15 inputs
    patterns = {tuple(np.flatnonzero(w[:, j])) for j in range(2000)}
    assert len(patterns) == 2000
    # each of the 400 inputs is chosen 2000 * 15 / 400 = 75 times on average
    counts = (w != 0).sum(axis=1)
    assert counts.sum() == 30_000 and 40 < counts.min() and counts.max() < 115


def test_seed_repeats_and_generator_advances():
    np.testing.assert_array_equal(I.Sparse(seed=3)((50, 5)), I.Sparse(seed=3)((50, 5)))
    rng_init = I.Sparse(seed=np.random.default_rng(0))
    assert not np.array_equal(rng_init((50, 5)), rng_init((50, 5)))


def test_keras_style_name_config_and_dense_kernel():
    assert isinstance(I.get("sparse"), I.Sparse)
    init = I.Sparse(num_nonzero=4, stddev=0.1, seed=7)
    config = json.loads(json.dumps(I.serialize(init)))
    assert config == {"class_name": "Sparse",
                      "config": {"num_nonzero": 4, "stddev": 0.1, "seed": 7}}
    np.testing.assert_array_equal(I.get(config)((20, 3)), init((20, 3)))
    layer = Dense(6, kernel_initializer=I.Sparse(num_nonzero=2, seed=0))
    layer.build((None, 30))
    assert (np.asarray(layer.kernel.numpy()) != 0).sum(axis=0).tolist() == [2] * 6


def test_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"Sparse: num_nonzero must be a positive int; "
                                         r"received num_nonzero=0"):
        I.Sparse(num_nonzero=0)
    with pytest.raises(ValueError, match="received stddev=-1"):
        I.Sparse(stddev=-1)
    with pytest.raises(ValueError, match=r"at least 2 axes .* received shape=\(5,\)"):
        I.Sparse()((5,))
