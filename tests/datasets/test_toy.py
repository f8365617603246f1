import math

import numpy as np
import pytest

from lamina.datasets import toy

INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize(("name", "outputs"), [
    ("or", [0, 1, 1, 1]), ("and", [0, 0, 0, 1]), ("xor", [0, 1, 1, 0]),
    ("nand", [1, 1, 1, 0]), ("nor", [1, 0, 0, 0]), ("XNOR", [1, 0, 0, 1]),
])
def test_logic_gates(name, outputs):
    x, y = toy.logic_gate(name)
    assert x.dtype == y.dtype == np.float32 and x.shape == (4, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(x, INPUTS)
    np.testing.assert_array_equal(y.ravel(), outputs)


def test_gate_shortcuts():
    for fn, name in ((toy.or_gate, "or"), (toy.and_gate, "and"), (toy.xor_gate, "xor")):
        np.testing.assert_array_equal(fn()[1], toy.logic_gate(name)[1])


def test_unknown_gate_suggests_a_name():
    with pytest.raises(ValueError, match=r"Unknown logic gate: 'xro'\. Did you mean 'xor'\?"):
        toy.logic_gate("xro")


@pytest.mark.parametrize(("fn", "kwargs", "f"), [
    (toy.constant, {"w0": 3.5}, lambda x: np.full_like(x, 3.5)),
    (toy.linear, {"w1": -2.0, "w0": 0.5}, lambda x: -2.0 * x + 0.5),
    (toy.quadratic, {"w2": 3.0, "w1": -1.0, "w0": 2.0}, lambda x: 3 * x * x - x + 2),
    (toy.sin, {"amplitude": 2.0, "frequency": 3.0, "phase": 0.5},
     lambda x: 2.0 * np.sin(3.0 * x + 0.5)),
    (toy.cos, {}, np.cos),
])
def test_functions_without_noise_are_exact(fn, kwargs, f):
    x, y = fn(n=64, seed=0, **kwargs)
    assert x.shape == y.shape == (64, 1) and x.dtype == y.dtype == np.float32
    np.testing.assert_allclose(y, f(x.astype(np.float64)), rtol=1e-5, atol=1e-5)
    assert not np.all(np.diff(x.ravel()) > 0)  # random order, not sorted


def test_ranges_noise_and_seeds():
    x, y = toy.linear(n=20000, w1=1.0, w0=0.0, noise=0.3, x_range=(2.0, 5.0), seed=1)
    assert 2.0 <= x.min() and x.max() < 5.0
    assert (y - x).std() == pytest.approx(0.3, rel=0.03)
    x_sin, _ = toy.sin(n=1000, seed=1)
    assert -math.pi <= x_sin.min() and x_sin.max() < math.pi
    a, b, c = toy.quadratic(seed=5), toy.quadratic(seed=5), toy.quadratic(seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_function_argument_errors():
    with pytest.raises(ValueError, match=r"linear: n must be a positive int; received n=0"):
        toy.linear(n=0)
    with pytest.raises(ValueError, match=r"sin: noise must be >= 0; received noise=-0\.1"):
        toy.sin(noise=-0.1)
    with pytest.raises(ValueError, match=r"constant: x_range must be \(low, high\) with "
                       r"low < high; received \(1, 1\)"):
        toy.constant(x_range=(1, 1))


def test_two_spirals_points_lie_on_their_arms():
    turns = 1.5
    x, y = toy.two_spirals(n=301, turns=turns, seed=0)
    assert x.shape == (301, 2) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [151, 150])
    p = x.astype(np.float64)
    p[y == 1] *= -1  # class 1 is class 0 turned by 180 degrees
    r = np.hypot(p[:, 0], p[:, 1])
    assert r.max() <= 1.0 + 1e-6
    # on the arm, the angle is r * 2 pi turns (mod 2 pi)
    gap = np.angle(np.exp(1j * (r * 2 * math.pi * turns - np.arctan2(p[:, 1], p[:, 0]))))
    assert np.abs(gap[r > 1e-3]).max() < 1e-4
    assert not np.all(y[:150] == 0)  # shuffled


def test_two_spirals_noise_and_seed():
    a = toy.two_spirals(n=50, noise=0.2, seed=3)
    b = toy.two_spirals(n=50, noise=0.2, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match=r"two_spirals: turns must be > 0; received turns=0"):
        toy.two_spirals(turns=0)


def test_moons_geometry():
    x, y = toy.moons(n=101, seed=0)
    assert x.shape == (101, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(y), [50, 51])
    upper, lower = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-6)
    assert upper[:, 1].min() >= -1e-6
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-6)
    assert lower[:, 1].max() <= 0.5 + 1e-6


def test_moons_match_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    x, y = toy.moons(n=99, shuffle=False)
    ref_x, ref_y = sklearn_datasets.make_moons(n_samples=99, shuffle=False)
    np.testing.assert_allclose(x, ref_x, atol=1e-6)
    np.testing.assert_array_equal(y, ref_y)
