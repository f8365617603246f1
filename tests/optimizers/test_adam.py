"""Adam against three steps worked out by hand: lr=0.1, x0=[1, -2], g = [.5, -1], [1, 0], [-.5, 2].

alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t); w -= alpha_t m / (sqrt(v) + eps).
"""

import pytest

from lamina.optimizers import Adam
from tests.optimizers.steps import assert_steps, run_steps


def test_three_steps_default_betas(kernel_path):
    # b1 = 0.9, b2 = 0.999; m = 0.9 m + 0.1 g ; v = 0.999 v + 0.001 g^2
    # step 1: m = [0.05, -0.1], v = [0.00025, 0.001], alpha = 0.1 sqrt(0.001) / 0.1 = 0.0316228
    #         step = 0.0316228 * [0.05/0.0158114, -0.1/0.0316228] = [0.1, -0.1] (eps: 0.0999994)
    #         w = [0.9000006, -1.9000003]
    # step 2: m = [0.145, -0.09], v = [0.00124975, 0.000999]
    #         alpha = 0.1 sqrt(0.001999) / 0.19 = 0.0235317
    #         step = 0.0235317 * [0.145/0.0353518, -0.09/0.0316070] = [0.0965179, -0.0670056]
    #         w = [0.8034827, -1.8329947]
    # step 3: m = [0.0805, 0.119], v = [0.0014985, 0.004998]
    #         alpha = 0.1 sqrt(0.002997) / 0.271 = 0.0202011
    #         step = 0.0202011 * [0.0805/0.0387105, 0.119/0.0706966] = [0.0420088, 0.0340034]
    #         w = [0.7614739, -1.8669981]
    assert_steps(run_steps(Adam(learning_rate=0.1)),
                 [[0.9000006, -1.9000003], [0.8034827, -1.8329947], [0.7614739, -1.8669981]])


# beta_1 = beta_2 = 0.5, x0 = [1, 1], g = [2, 1], [0, 1], [1, 1]: the first entry's v falls
# (2 -> 1 -> 1), so AMSGrad's v_hat = max(v_hat, v) stays at 2 and the two variants differ.
AMS_X0 = [1.0, 1.0]
AMS_GRADS = [[2.0, 1.0], [0.0, 1.0], [1.0, 1.0]]


def test_three_steps_small_betas(kernel_path):
    # step 1: m = [1, 0.5], v = [2, 0.5], alpha = 0.1 sqrt(0.5)/0.5 = 0.1414214
    #         step = [0.1414214 * 1/1.4142136, 0.1414214 * 0.5/0.7071068] = [0.1, 0.1]
    #         w = [0.9, 0.9]
    # step 2: m = [0.5, 0.75], v = [1, 0.75], alpha = 0.1 sqrt(0.75)/0.75 = 0.1154701
    #         step = [0.1154701 * 0.5/1, 0.1154701 * 0.75/0.8660254] = [0.0577350, 0.1]
    #         w = [0.8422650, 0.8]
    # step 3: m = [0.75, 0.875], v = [1, 0.875], alpha = 0.1 sqrt(0.875)/0.875 = 0.1069045
    #         step = [0.1069045 * 0.75/1, 0.1] = [0.0801784, 0.1]  w = [0.7620866, 0.7]
    opt = Adam(learning_rate=0.1, beta_1=0.5, beta_2=0.5)
    assert_steps(run_steps(opt, AMS_X0, AMS_GRADS),
                 [[0.9, 0.9], [0.8422650, 0.8], [0.7620866, 0.7]])


def test_amsgrad_three_steps(kernel_path):
    # as above but v_hat = max(v_hat, v) = [2, 0.5], [2, 0.75], [2, 0.875] replaces v
    # step 1: same as Adam                                     w = [0.9, 0.9]
    # step 2: step = [0.1154701 * 0.5/1.4142136, 0.1] = [0.0408248, 0.1]   w = [0.8591752, 0.8]
    # step 3: step = [0.1069045 * 0.75/1.4142136, 0.1] = [0.0566947, 0.1]  w = [0.8024805, 0.7]
    opt = Adam(learning_rate=0.1, beta_1=0.5, beta_2=0.5, amsgrad=True)
    assert_steps(run_steps(opt, AMS_X0, AMS_GRADS),
                 [[0.9, 0.9], [0.8591752, 0.8], [0.8024805, 0.7]])
    assert sorted(opt.get_state()) == ["iterations", "learning_rate", "momentum/0",
                                       "velocity/0", "velocity_hat/0"]


def test_defaults():
    opt = Adam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad, opt.name) == (
        0.001, 0.9, 0.999, 1e-7, False, "adam")


@pytest.mark.parametrize("arg", ["beta_1", "beta_2"])
@pytest.mark.parametrize("value", [1.0, -0.1, 2.0])
def test_bad_betas(arg, value):
    with pytest.raises(ValueError, match=rf"Adam: {arg} must be in \[0, 1\); received "
                                         rf"{arg}={value}"):
        Adam(**{arg: value})
