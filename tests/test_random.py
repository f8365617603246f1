"""lamina.random as keras.random: seeded draws, SeedGenerator, dropout and shuffle."""

import numpy as np
import pytest

from lamina import Tensor, random


def test_same_seed_same_draws_and_a_seed_generator_advances():
    a = random.normal((3, 2), seed=1)
    assert isinstance(a, Tensor) and a.dtype == np.float32 and a.shape == (3, 2)
    np.testing.assert_array_equal(a.data, random.normal((3, 2), seed=1).data)
    np.testing.assert_allclose(a.data, np.random.default_rng(1).normal(0, 1, (3, 2)), rtol=1e-6)
    gen = random.SeedGenerator(7)
    first, second = random.uniform((4,), seed=gen), random.uniform((4,), seed=gen)
    assert not np.array_equal(first.data, second.data)
    gen_again = random.SeedGenerator(7)
    np.testing.assert_array_equal(random.uniform((4,), seed=gen_again).data, first.data)


def test_ranges_of_uniform_truncated_normal_randint_and_categorical():
    u = random.uniform((1000,), minval=2.0, maxval=3.0, seed=0).data
    assert u.min() >= 2.0 and u.max() < 3.0
    t = random.truncated_normal((1000,), mean=1.0, stddev=0.5, seed=0).data
    assert t.min() >= 0.0 and t.max() <= 2.0 and abs(t.mean() - 1.0) < 0.05
    r = random.randint((50,), 3, 6, seed=0)
    assert r.dtype == np.int32 and set(r.tolist()) == {3, 4, 5}
    c = random.categorical(np.log([[0.0001, 0.9999]]), 20, seed=0)
    assert c.shape == (1, 20) and c.sum() >= 19  # nearly every draw picks class 1


def test_dropout_zeroes_and_rescales_and_passes_the_gradient():
    x = Tensor(np.ones((200,)), requires_grad=True)
    y = random.dropout(x, 0.5, seed=3)
    assert set(np.unique(y.data).tolist()) == {0.0, 2.0}
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # d out / d x = mask / (1 - rate)


def test_shuffle_permutes_along_an_axis():
    x = np.arange(12.0).reshape(4, 3)
    s = random.shuffle(x, axis=0, seed=5).data
    assert sorted(map(tuple, s.tolist())) == sorted(map(tuple, x.tolist()))
    np.testing.assert_array_equal(s, x[np.random.default_rng(5).permutation(4)])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="normal: shape must be .* received shape=-1"):
        random.normal(-1)
    with pytest.raises(ValueError, match="uniform: minval must be below maxval"):
        random.uniform((2,), 1.0, 1.0)
    with pytest.raises(ValueError, match="SeedGenerator: seed must be .* received seed=-3"):
        random.SeedGenerator(-3)
