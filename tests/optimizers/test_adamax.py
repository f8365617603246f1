"""Adamax against three steps worked out by hand: lr=0.1, b1=0.9, b2=0.999, x0=[1, -2],
g = [.5, -1], [1, 0], [-.5, 2].  u = max(0.999 u, |g|); w -= 0.1 m / ((1 - 0.9^t) (u + eps))."""

import pytest

from lamina.optimizers import Adamax
from tests.optimizers.steps import assert_steps, run_steps


def test_three_steps():
    # step 1: m = [0.05, -0.1], u = [0.5, 1]; step = 0.1/0.1 * [0.05/0.5, -0.1/1] = [0.1, -0.1]
    #         w = [0.9, -1.9]
    # step 2: m = [0.145, -0.09], u = [max(0.4995, 1), max(0.999, 0)] = [1, 0.999]
    #         step = 0.1/0.19 * [0.145/1, -0.09/0.999] = [0.0763158, -0.0474158]
    #         w = [0.8236842, -1.8525842]
    # step 3: m = [0.0805, 0.119], u = [max(0.999, 0.5), max(0.998001, 2)] = [0.999, 2]
    #         step = 0.1/0.271 * [0.0805/0.999, 0.119/2] = [0.0297345, 0.0219557]
    #         w = [0.7939497, -1.8745399]
    opt = Adamax(learning_rate=0.1)
    assert_steps(run_steps(opt), [[0.9, -1.9], [0.8236842, -1.8525842], [0.7939497, -1.8745399]])
    assert sorted(opt.get_state()) == ["iterations", "learning_rate", "momentum/0", "norm/0"]


def test_defaults():
    opt = Adamax()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon, opt.name) == (
        0.001, 0.9, 0.999, 1e-7, "adamax")


def test_bad_beta():
    with pytest.raises(ValueError, match=r"Adamax: beta_2 must be in \[0, 1\); received "
                                         r"beta_2=1.0"):
        Adamax(beta_2=1.0)
