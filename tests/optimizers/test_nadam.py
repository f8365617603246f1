"""Nadam (Keras's momentum-cache schedule) against three steps worked out by hand:
lr=0.1, b1=0.9, b2=0.999, x0=[1, -2], g = [.5, -1], [1, 0], [-.5, 2].

u_t = 0.9 (1 - 0.5 * 0.96^t); P_t = u_1 ... u_t
m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t); v_hat = v / (1 - 0.999^t)
w -= 0.1 m_hat / (sqrt(v_hat) + eps); m, v as in Adam.
"""

from lamina.optimizers import Nadam
from tests.optimizers.steps import assert_steps, run_steps


def test_three_steps():
    # step 1: u1 = 0.468, u2 = 0.48528, P1 = 0.468; m = [0.05, -0.1], v = [0.00025, 0.001]
    #         m_hat = 0.48528 m / 0.7728890 + 0.532 g / 0.532 = 0.6278714 m + g
    #               = [0.5313936, -1.0627871]; sqrt(v_hat) = [0.5, 1]
    #         step = 0.1 [1.0627871, -1.0627871]                   w = [0.8937213, -1.8937213]
    # step 2: u3 = 0.5018688, P2 = 0.2271110; m = [0.145, -0.09], v = [0.00124975, 0.000999]
    #         m_hat = 0.5018688 m / 0.8860201 + 0.51472 g / 0.7728890 = 0.5664306 m + 0.6659712 g
    #               = [0.7481036, -0.0509788]
    #         sqrt(v_hat) = sqrt(v / 0.001999) = [0.7906881, 0.7069299]
    #         step = [0.0946140, -0.0072113]                       w = [0.7991073, -1.8865099]
    # step 3: u4 = 0.5177940, P3 = 0.1139799; m = [0.0805, 0.119], v = [0.0014985, 0.004998]
    #         m_hat = 0.5177940 m / 0.9409819 + 0.4981312 g / 0.8860201 = 0.5502707 m + 0.5622126 g
    #               = [-0.2368095, 1.1899074]
    #         sqrt(v_hat) = sqrt(v / 0.002997) = [0.7071068, 1.2913820]
    #         step = [-0.0334894, 0.0921422]                       w = [0.8325972, -1.9786520]
    opt = Nadam(learning_rate=0.1)
    assert_steps(run_steps(opt),
                 [[0.8937213, -1.8937213], [0.7991073, -1.8865099], [0.8325972, -1.9786520]])
    state = opt.get_state()
    assert abs(float(state["u_product"]) - 0.1139799) < 1e-6  # P3 = 0.468 * 0.48528 * 0.5018688


def test_defaults():
    opt = Nadam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon, opt.name) == (
        0.001, 0.9, 0.999, 1e-7, "nadam")
