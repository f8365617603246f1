"""SGD against three steps worked out by hand.

lr=0.1, x0=[1, -2], g = [.5, -1], [1, 0], [-.5, 2].
"""

import pytest

from lamina.optimizers import SGD
from tests.optimizers.steps import assert_steps, run_steps


def test_plain_sgd_three_steps():
    # w -= 0.1 * g
    # step 1: [1 - 0.05, -2 + 0.1]   = [0.95, -1.9]
    # step 2: [0.95 - 0.1, -1.9 - 0]  = [0.85, -1.9]
    # step 3: [0.85 + 0.05, -1.9 - 0.2] = [0.9, -2.1]
    assert_steps(run_steps(SGD(learning_rate=0.1)), [[0.95, -1.9], [0.85, -1.9], [0.9, -2.1]])


def test_momentum_three_steps():
    # m = 0.9 m - 0.1 g ; w += m
    # step 1: m = [-0.05, 0.1]                                  w = [0.95, -1.9]
    # step 2: m = [-0.045 - 0.1, 0.09 - 0]   = [-0.145, 0.09]   w = [0.805, -1.81]
    # step 3: m = [-0.1305 + 0.05, 0.081 - 0.2] = [-0.0805, -0.119]  w = [0.7245, -1.929]
    assert_steps(run_steps(SGD(learning_rate=0.1, momentum=0.9)),
                 [[0.95, -1.9], [0.805, -1.81], [0.7245, -1.929]])


def test_nesterov_three_steps():
    # m = 0.9 m - 0.1 g (same m as above) ; w += 0.9 m - 0.1 g
    # step 1: w += [-0.045 - 0.05, 0.09 + 0.1]      = [-0.095, 0.19]     w = [0.905, -1.81]
    # step 2: w += [-0.1305 - 0.1, 0.081 - 0]       = [-0.2305, 0.081]   w = [0.6745, -1.729]
    # step 3: w += [-0.07245 + 0.05, -0.1071 - 0.2] = [-0.02245, -0.3071] w = [0.65205, -2.0361]
    assert_steps(run_steps(SGD(learning_rate=0.1, momentum=0.9, nesterov=True)),
                 [[0.905, -1.81], [0.6745, -1.729], [0.65205, -2.0361]])


def test_defaults_and_slots():
    opt = SGD()
    assert (opt.learning_rate, opt.momentum, opt.nesterov, opt.name) == (0.01, 0.0, False, "SGD")
    run_steps(opt)
    assert sorted(opt.get_state()) == ["iterations", "learning_rate"]  # no slot without momentum
    opt = SGD(momentum=0.5)
    run_steps(opt)
    assert sorted(opt.get_state()) == ["iterations", "learning_rate", "momentum/0"]


@pytest.mark.parametrize("momentum", [-0.1, 1.5])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match=rf"SGD: momentum must be in \[0, 1\]; received "
                                         rf"momentum={momentum}"):
        SGD(momentum=momentum)
