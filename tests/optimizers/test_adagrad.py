"""Adagrad against three steps worked out by hand (eps = 1e-7 moves only the 8th digit)."""

import pytest

from lamina.optimizers import Adagrad
from tests.optimizers.steps import assert_steps, run_steps


def test_three_steps_zero_initial_accumulator():
    # acc += g^2 ; w -= 0.1 g / sqrt(acc),  x0 = [1, 1]
    # step 1: g = [3, 4]:  acc = [9, 16]    w -= 0.1 [3/3, 4/4] = [0.1, 0.1]    w = [0.9, 0.9]
    # step 2: g = [4, 3]:  acc = [25, 25]   w -= 0.1 [4/5, 3/5] = [0.08, 0.06]  w = [0.82, 0.84]
    # step 3: g = [12, 0]: acc = [169, 25]  w -= 0.1 [12/13, 0] = [0.0923077, 0]
    #                                                                w = [0.7276923, 0.84]
    opt = Adagrad(learning_rate=0.1, initial_accumulator_value=0.0)
    values = run_steps(opt, [1.0, 1.0], [[3.0, 4.0], [4.0, 3.0], [12.0, 0.0]])
    assert_steps(values, [[0.9, 0.9], [0.82, 0.84], [0.7276923, 0.84]])


def test_three_steps_default_initial_accumulator():
    # acc starts at 0.1; g = 1 each step; w -= 0.1 / sqrt(acc)
    # step 1: acc = 1.1  0.1/sqrt(1.1) = 0.0953463  w = 0.9046537
    # step 2: acc = 2.1  0.1/sqrt(2.1) = 0.0690066  w = 0.8356472
    # step 3: acc = 3.1  0.1/sqrt(3.1) = 0.0567962  w = 0.7788510
    values = run_steps(Adagrad(learning_rate=0.1), [1.0], [[1.0], [1.0], [1.0]])
    assert_steps(values, [[0.9046537], [0.8356472], [0.7788510]])


def test_defaults():
    opt = Adagrad()
    assert (opt.learning_rate, opt.initial_accumulator_value, opt.epsilon, opt.name) == (
        0.001, 0.1, 1e-7, "adagrad")


def test_bad_initial_accumulator_value():
    with pytest.raises(ValueError, match=r"Adagrad: initial_accumulator_value must be in "
                                         r"\[0, inf\]; received initial_accumulator_value=-1"):
        Adagrad(initial_accumulator_value=-1.0)
