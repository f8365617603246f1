"""Adadelta against three steps worked out by hand, with lr=1, rho=0.5 and epsilon=1 so that
rms(a) = sqrt(a + 1) is easy: x0 = [1, -2], g = [.5, -1], [1, 0], [-.5, 2]."""

import pytest

from lamina.optimizers import Adadelta
from tests.optimizers.steps import assert_steps, run_steps


def test_three_steps():
    # ag = 0.5 ag + 0.5 g^2 ; delta = -sqrt(ad + 1) g / sqrt(ag + 1) ; ad = 0.5 ad + 0.5 delta^2
    # step 1: ag = [0.125, 0.5]; delta = -[0.5/1.0606602, -1/1.2247449] = [-0.4714045, 0.8164966]
    #         ad = [0.1111111, 0.3333333]                          w = [0.5285955, -1.1835034]
    # step 2: ag = [0.5625, 0.25]; rms(ad) = [1.0540926, 1.1547005]
    #         delta = [-1.0540926 * 1 / 1.25, 0] = [-0.8432740, 0]
    #         ad = [0.4111111, 0.1666667]                          w = [-0.3146786, -1.1835034]
    # step 3: ag = [0.40625, 2.125]; rms(ag) = [1.1858541, 1.7677670]
    #         rms(ad) = [1.1879020, 1.0801234]
    #         delta = [0.5 * 1.1879020 / 1.1858541, -2 * 1.0801234 / 1.7677670]
    #               = [0.5008635, -1.2220202]                      w = [0.1861849, -2.4055236]
    opt = Adadelta(learning_rate=1.0, rho=0.5, epsilon=1.0)
    assert_steps(run_steps(opt), [[0.5285955, -1.1835034], [-0.3146786, -1.1835034],
                                  [0.1861849, -2.4055236]])
    assert sorted(opt.get_state()) == ["accumulated_delta_var/0", "accumulated_grad/0",
                                       "iterations", "learning_rate"]


def test_defaults():
    opt = Adadelta()
    assert (opt.learning_rate, opt.rho, opt.epsilon, opt.name) == (0.001, 0.95, 1e-7, "adadelta")


def test_bad_rho():
    with pytest.raises(ValueError, match=r"Adadelta: rho must be in \[0, 1\); received rho=1.0"):
        Adadelta(rho=1.0)
