"""RMSprop against three steps worked out by hand: lr=0.1, rho=0.5, x0=[1, -1],
g = [2, -4], [0, 2], [1, 0] (eps = 1e-7 moves only the 7th digit)."""

import pytest

from lamina.optimizers import RMSprop
from tests.optimizers.steps import assert_steps, run_steps

X0 = [1.0, -1.0]
GRADS = [[2.0, -4.0], [0.0, 2.0], [1.0, 0.0]]


def test_three_steps():
    # v = 0.5 v + 0.5 g^2 ; w -= 0.1 g / sqrt(v)
    # step 1: v = [2, 8]  inc = 0.1 [2/1.4142136, -4/2.8284271] = [0.1414214, -0.1414214]
    #         w = [0.8585786, -0.8585786]
    # step 2: v = [1, 6]  inc = [0, 0.1 * 2/2.4494897] = [0, 0.0816497]  w = [0.8585786, -0.9402283]
    # step 3: v = [1, 3]  inc = [0.1 * 1/1, 0] = [0.1, 0]             w = [0.7585786, -0.9402283]
    assert_steps(run_steps(RMSprop(learning_rate=0.1, rho=0.5), X0, GRADS),
                 [[0.8585786, -0.8585786], [0.8585786, -0.9402283], [0.7585786, -0.9402283]])


def test_momentum_three_steps():
    # same increments as above; mom = 0.5 mom + inc ; w -= mom
    # step 1: mom = [0.1414214, -0.1414214]                         w = [0.8585786, -0.8585786]
    # step 2: mom = [0.0707107, -0.0707107 + 0.0816497 = 0.0109390] w = [0.7878680, -0.8695176]
    # step 3: mom = [0.0353553 + 0.1 = 0.1353553, 0.0054695]        w = [0.6525126, -0.8749871]
    opt = RMSprop(learning_rate=0.1, rho=0.5, momentum=0.5)
    assert_steps(run_steps(opt, X0, GRADS),
                 [[0.8585786, -0.8585786], [0.7878680, -0.8695176], [0.6525126, -0.8749871]])


def test_centered_three_steps():
    # mg = 0.5 mg + 0.5 g ; w -= 0.1 g / sqrt(v - mg^2)
    # step 1: v = [2, 8], mg = [1, -2], v - mg^2 = [1, 4]; inc = [0.2, -0.2]  w = [0.8, -0.8]
    # step 2: v = [1, 6], mg = [0.5, 0], v - mg^2 = [0.75, 6]; inc = [0, 0.0816497]
    #         w = [0.8, -0.8816497]
    # step 3: v = [1, 3], mg = [0.75, 0], v - mg^2 = [0.4375, 3]
    #         inc = [0.1 / 0.6614378, 0] = [0.1511858, 0]          w = [0.6488142, -0.8816497]
    opt = RMSprop(learning_rate=0.1, rho=0.5, centered=True)
    assert_steps(run_steps(opt, X0, GRADS),
                 [[0.8, -0.8], [0.8, -0.8816497], [0.6488142, -0.8816497]])
    assert sorted(opt.get_state()) == ["average_gradient/0", "iterations", "learning_rate",
                                       "velocity/0"]


def test_defaults():
    opt = RMSprop()
    assert (opt.learning_rate, opt.rho, opt.momentum, opt.epsilon, opt.centered, opt.name) == (
        0.001, 0.9, 0.0, 1e-7, False, "rmsprop")


def test_bad_rho():
    with pytest.raises(ValueError, match=r"RMSprop: rho must be in \[0, 1\); received rho=-0.5"):
        RMSprop(rho=-0.5)
