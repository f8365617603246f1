"""AdamW: decoupled weight decay, then the Adam step (the Adam steps of test_adam.py)."""

import pytest

from lamina.optimizers import AdamW
from tests.optimizers.steps import assert_steps, run_steps


def test_three_steps():
    # lr = 0.1, weight_decay = 0.1: first w -= 0.1 * 0.1 * w (w *= 0.99), then Adam's step
    # (steps from test_adam.test_three_steps_default_betas: [0.0999994, -0.0999997],
    #  [0.0965179, -0.0670056], [0.0420088, 0.0340034]).
    # step 1: w = [0.99, -1.98] - step1           = [0.8900006, -1.8800003]
    # step 2: w = [0.8811006, -1.8612003] - step2 = [0.7845827, -1.7941947]
    # step 3: w = [0.7767369, -1.7762527] - step3 = [0.7347281, -1.8102561]
    opt = AdamW(learning_rate=0.1, weight_decay=0.1)
    assert_steps(run_steps(opt),
                 [[0.8900006, -1.8800003], [0.7845827, -1.7941947], [0.7347281, -1.8102561]])


def test_defaults():
    opt = AdamW()
    assert (opt.learning_rate, opt.weight_decay, opt.beta_1, opt.beta_2, opt.epsilon,
            opt.amsgrad, opt.name) == (0.001, 0.004, 0.9, 0.999, 1e-7, False, "adamw")


def test_weight_decay_none_is_refused():
    with pytest.raises(ValueError, match="AdamW: weight_decay must be a float >= 0; received "
                                         "weight_decay=None"):
        AdamW(weight_decay=None)
