"""The Optimizer base: clipping, weight decay, constraints, schedules, state, errors.

Hand-worked cases use SGD(lr=0.1), whose own step is just w -= 0.1 * g.
"""

import doctest
import warnings

import numpy as np
import pytest

from lamina import Tensor, Variable
from lamina.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    RMSprop,
    base,
    schedules,
)
from tests.optimizers.steps import assert_steps, run_steps

F32 = np.float32


def test_docstring_example_of_the_subclass_contract():
    result = doctest.testmod(base)
    assert result.attempted > 5 and result.failed == 0


# ------------------------------------------------------------------------ weight decay
def test_weight_decay_three_steps():
    # w -= 0.1 * 0.5 * w (w *= 0.95) before the step w -= 0.1 g; x0 = [1, -2]
    # step 1: [0.95, -1.9]     - 0.1 [0.5, -1] = [0.9, -1.8]
    # step 2: [0.855, -1.71]   - 0.1 [1, 0]    = [0.755, -1.71]
    # step 3: [0.71725, -1.6245] - 0.1 [-0.5, 2] = [0.76725, -1.8245]
    assert_steps(run_steps(SGD(0.1, weight_decay=0.5)),
                 [[0.9, -1.8], [0.755, -1.71], [0.76725, -1.8245]])


def test_exclude_from_weight_decay():
    kernel = Variable(np.array([1.0, -2.0], F32), name="dense/kernel")
    bias = Variable(np.array([1.0, -2.0], F32), name="dense/bias")
    other = Variable(np.array([1.0], F32), name="other")
    opt = SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[other], var_names=["bias"])
    for _ in range(3):
        opt.apply_gradients([(np.zeros(2, F32), kernel), (np.zeros(2, F32), bias),
                             (np.zeros(1, F32), other)])
    np.testing.assert_allclose(kernel.data, [0.857375, -1.71475], rtol=1e-6)  # 0.95 ** 3
    np.testing.assert_array_equal(bias.data, [1.0, -2.0])
    np.testing.assert_array_equal(other.data, [1.0])
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


# ------------------------------------------------------------------------ clipping
def test_clipnorm_three_steps():
    # each gradient is scaled to norm <= 1: g * 1 / max(|g|, 1)
    # step 1: g = [3, 4] (norm 5)     -> [0.6, 0.8]   w = [1 - 0.06, -2 - 0.08] = [0.94, -2.08]
    # step 2: g = [0.3, 0.4] (norm .5) -> unchanged   w = [0.91, -2.12]
    # step 3: g = [0, -2] (norm 2)    -> [0, -1]      w = [0.91, -2.02]
    grads = [[3.0, 4.0], [0.3, 0.4], [0.0, -2.0]]
    assert_steps(run_steps(SGD(0.1, clipnorm=1.0), grads=grads),
                 [[0.94, -2.08], [0.91, -2.12], [0.91, -2.02]])


def test_clipvalue_three_steps():
    # each element clipped to [-0.5, 0.5]
    # step 1: g = [3, -0.25] -> [0.5, -0.25]  w = [0.95, -1.975]
    # step 2: g = [-1, 0.1]  -> [-0.5, 0.1]   w = [1.0, -1.985]
    # step 3: g = [0.2, -7]  -> [0.2, -0.5]   w = [0.98, -1.935]
    grads = [[3.0, -0.25], [-1.0, 0.1], [0.2, -7.0]]
    assert_steps(run_steps(SGD(0.1, clipvalue=0.5), grads=grads),
                 [[0.95, -1.975], [1.0, -1.985], [0.98, -1.935]])


def test_global_clipnorm_three_steps():
    # two variables a (2 elements) and b (1); all gradients scaled together to norm <= 6.5
    # step 1: ([3, 4], [12]): norm sqrt(9 + 16 + 144) = 13 -> x 0.5 -> ([1.5, 2], [6])
    #         a = [1 - 0.15, -2 - 0.2] = [0.85, -2.2]     b = [0.5 - 0.6] = [-0.1]
    # step 2: ([0.3, 0.4], [1.2]): norm 1.3 -> unchanged
    #         a = [0.82, -2.24]                            b = [-0.22]
    # step 3: ([0, 5], [-12]): norm 13 -> ([0, 2.5], [-6])
    #         a = [0.82, -2.49]                            b = [0.38]
    a = Variable(np.array([1.0, -2.0], F32), name="a")
    b = Variable(np.array([0.5], F32), name="b")
    opt = SGD(0.1, global_clipnorm=6.5)
    got = []
    for ga, gb in [([3.0, 4.0], [12.0]), ([0.3, 0.4], [1.2]), ([0.0, 5.0], [-12.0])]:
        opt.apply_gradients([(np.array(ga, F32), a), (np.array(gb, F32), b)])
        got.append(np.concatenate([a.data, b.data]))
    assert_steps(got, [[0.85, -2.2, -0.1], [0.82, -2.24, -0.22], [0.82, -2.49, 0.38]])


def test_clipping_leaves_the_callers_gradient_alone():
    x = Variable(np.array([1.0, -2.0], F32))
    g = np.array([3.0, 4.0], F32)
    SGD(0.1, clipnorm=1.0).apply_gradients([(g, x)])
    np.testing.assert_array_equal(g, [3.0, 4.0])


# ------------------------------------------------------------------------ constraints
def test_constraint_three_steps():
    # lr = 0.5, x0 = [0.8, -0.5]; after each step the constraint clips to [-1, 1]
    # step 1: g = [-1, 2]:  [1.3, -1.5] -> [1, -1]
    # step 2: g = [1, 0]:   [0.5, -1]
    # step 3: g = [-0.5, -1]: [0.75, -0.5]
    seen = []

    def unit_box(v):
        seen.append(type(v))
        return v.clip(-1.0, 1.0)

    values = run_steps(SGD(0.5), [0.8, -0.5], [[-1.0, 2.0], [1.0, 0.0], [-0.5, -1.0]],
                       constraint=unit_box)
    assert_steps(values, [[1.0, -1.0], [0.5, -1.0], [0.75, -0.5]])
    assert seen == [np.ndarray] * 3  # the updated array, as lamina.constraints expects


# ------------------------------------------------------------------------ learning rate
def test_schedule_gives_each_steps_learning_rate():
    # ExponentialDecay(0.1, 1, 0.5): lr = 0.1, 0.05, 0.025 at iterations 0, 1, 2; g = 1
    # w = 1 - 0.1 = 0.9; 0.9 - 0.05 = 0.85; 0.85 - 0.025 = 0.825
    opt = SGD(schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5))
    assert opt.learning_rate == pytest.approx(0.1)
    assert_steps(run_steps(opt, [1.0], [[1.0]] * 3), [[0.9], [0.85], [0.825]])
    assert opt.iterations == 3
    assert opt.learning_rate == pytest.approx(0.0125)
    opt.learning_rate = 0.2  # as ReduceLROnPlateau does: a float replaces the schedule
    assert opt.learning_rate == 0.2 and opt.get_config()["learning_rate"] == 0.2


def test_callable_learning_rate():
    assert_steps(run_steps(SGD(lambda: 0.1), [1.0], [[1.0]]), [[0.9]])


def test_lr_alias_warns():
    with pytest.warns(DeprecationWarning, match="use `learning_rate` instead"):
        opt = SGD(lr=0.1)
    assert opt.learning_rate == 0.1


def test_keras2_decay_points_to_schedules():
    with pytest.raises(ValueError, match=r"`decay` .* is not supported; received decay=1e-06\. "
                                         r"Use a schedule instead: .*InverseTimeDecay\(0\.1, "
                                         r"decay_steps=1, decay_rate=1e-06\)"):
        SGD(learning_rate=0.1, decay=1e-6)
    assert SGD(decay=0.0).learning_rate == 0.01  # Keras 2 configs store decay=0.0


# ------------------------------------------------------------------------ apply paths
def test_float64_gradients_and_tensors_update_float32_in_place():
    x = Variable(np.array([1.0, -2.0], F32))
    opt = Adam(0.1)
    opt.apply_gradients([(np.array([0.5, -1.0], np.float64), x)])
    opt.apply_gradients([(Tensor(np.array([1.0, 0.0], F32)), x)])
    assert x.data.dtype == F32
    assert all(v.dtype == F32 for k, v in opt.get_state().items() if "/" in k)
    assert_steps([x.data], [[0.8034827, -1.8329947]])  # test_adam's second step


def test_float64_variables_stay_float64():
    x = Variable(np.array([1.0, -2.0]), dtype="float64")
    opt = Nadam(0.1)
    run = [opt.apply_gradients([(np.array([0.5, -1.0]), x)]) for _ in range(2)]
    assert run == [1, 2] and x.data.dtype == np.float64
    assert opt.get_state()["momentum/0"].dtype == np.float64


def test_apply_without_variables_and_none_gradients():
    a = Variable(np.array([1.0], F32), name="a")
    b = Variable(np.array([2.0], F32), name="b")
    opt = SGD(0.1)
    with pytest.raises(ValueError, match="must be built first"):
        opt.apply([np.ones(1, F32)])
    with pytest.warns(UserWarning, match=r"gradients do not exist for variables \['b'\]"):
        opt.apply_gradients([(np.ones(1, F32), a), (None, b)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        opt.apply([np.ones(1, F32), None])
    assert_steps([a.data, b.data], [[0.8], [2.0]])
    with pytest.raises(ValueError, match="received 1 gradients for 2 variables"):
        opt.apply([np.ones(1, F32)])
    with pytest.raises(ValueError, match="no gradients provided for any variable"):
        opt.apply_gradients([(None, a), (None, b)])
    assert opt.apply_gradients([]) == 2  # nothing to do


def test_unknown_variable_after_build():
    opt = SGD(0.1)
    opt.apply_gradients([(np.ones(1, F32), Variable([1.0], name="a"))])
    with pytest.raises(ValueError, match="unknown variable 'c'; this optimizer was built on 1"):
        opt.apply_gradients([(np.ones(1, F32), Variable([1.0], name="c"))])


def test_gradient_shape_mismatch_names_the_variable():
    kernel = Variable(np.zeros((2, 3), F32), name="dense/kernel")
    with pytest.raises(ValueError, match=r"SGD: the gradient for variable 'dense/kernel' has "
                                         r"shape \(3,\), but the variable has shape \(2, 3\)"):
        SGD().apply_gradients([(np.zeros(3, F32), kernel)])
    with pytest.raises(TypeError, match=r"expected \(gradient, variable\) pairs"):
        SGD().apply_gradients([np.zeros(3, F32)])


# ------------------------------------------------------------------------ state
STATEFUL = [
    lambda: SGD(0.1, momentum=0.9, nesterov=True),
    lambda: Adagrad(0.1, clipnorm=1.0),
    lambda: Adadelta(1.0, weight_decay=0.01),
    lambda: RMSprop(0.01, momentum=0.5, centered=True),
    lambda: Adam(0.01, amsgrad=True, global_clipnorm=1.0),
    lambda: AdamW(0.01),
    lambda: Nadam(0.01),
    lambda: Adamax(0.01, clipvalue=0.5),
    lambda: Adam(schedules.CosineDecay(0.01, 10)),
]


@pytest.mark.parametrize("make", STATEFUL, ids=lambda m: type(m()).__name__)
def test_get_state_set_state_resumes_exactly(make):
    rng = np.random.default_rng(0)
    shapes = [(3, 2), (2,)]
    grads = [[rng.standard_normal(s).astype(F32) for s in shapes] for _ in range(6)]
    first = [Variable(rng.standard_normal(s).astype(F32), name=f"v{i}")
             for i, s in enumerate(shapes)]
    opt = make()
    for g in grads[:3]:
        opt.apply_gradients(zip(g, first, strict=True))
    if not isinstance(opt.get_config()["learning_rate"], dict):
        opt.learning_rate = opt.learning_rate / 2  # the state keeps a changed learning rate
    state = opt.get_state()
    assert state["iterations"] == 3
    # resume twice: set_state before the first step (pending), and after an explicit build
    pending = [Variable(v.data.copy()) for v in first]
    built = [Variable(v.data.copy()) for v in first]
    opt_pending = type(opt).from_config(opt.get_config())
    opt_pending.set_state(state)
    opt_built = type(opt).from_config(opt.get_config())
    opt_built.build(built)
    opt_built.set_state(state)
    for key in state:  # returned arrays are copies
        state[key] = state[key] * 0 + 7
    for g in grads[3:]:
        for o, vs in ((opt, first), (opt_pending, pending), (opt_built, built)):
            o.apply_gradients(zip(g, vs, strict=True))
    for v, p, b in zip(first, pending, built, strict=True):
        np.testing.assert_array_equal(p.data, v.data)
        np.testing.assert_array_equal(b.data, v.data)
    assert opt_pending.iterations == opt_built.iterations == 6
    assert opt_pending.learning_rate == opt.learning_rate


def test_set_state_errors():
    x = Variable(np.zeros(2, F32))
    opt = Adam()
    opt.apply_gradients([(np.ones(2, F32), x)])
    state = opt.get_state()
    with pytest.raises(ValueError, match="no 'iterations' entry"):
        Adam().set_state({"momentum/0": state["momentum/0"]})
    other = Adam()
    other.build([Variable(np.zeros(2, F32))])
    with pytest.raises(ValueError, match=r"missing \['velocity/0'\], unexpected \[\]"):
        other.set_state({k: v for k, v in state.items() if k != "velocity/0"})
    with pytest.raises(ValueError, match=r"'momentum/0' has shape \(3,\); expected \(2,\)"):
        other.set_state({**state, "momentum/0": np.zeros(3, F32)})
    with pytest.raises(ValueError, match=r"unexpected \['velocity_hat/0'\]"):
        other.set_state({**state, "velocity_hat/0": np.zeros(2, F32)})


# ------------------------------------------------------------------------ arguments
@pytest.mark.parametrize("kwargs, error, message", [
    ({"learning_rate": -0.1}, ValueError,
     r"SGD: learning_rate must be a finite float >= 0; received learning_rate=-0.1"),
    ({"learning_rate": float("nan")}, ValueError, "learning_rate must be a finite float"),
    ({"learning_rate": "fast"}, TypeError,
     r"SGD: learning_rate must be a float, a LearningRateSchedule or a callable; received "
     r"learning_rate='fast'"),
    ({"clipnorm": 1.0, "clipvalue": 0.5}, ValueError,
     "only one of clipnorm, clipvalue and global_clipnorm can be set"),
    ({"clipnorm": 0.0}, ValueError, r"SGD: clipnorm must be > 0 \(or None\); received clipnorm=0"),
    ({"weight_decay": -1.0}, ValueError, r"weight_decay must be in \[0, inf\]"),
    ({"momentom": 0.9}, ValueError,
     r"SGD: argument\(s\) not recognized: 'momentom' \(did you mean 'momentum'\?\)"),
    ({"use_ema": True}, ValueError, "SGD: use_ema is not supported by lamina"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        SGD(**kwargs)


def test_keras_arguments_at_their_defaults_are_accepted():
    opt = Adam(use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
               loss_scale_factor=None, gradient_accumulation_steps=None)
    assert opt.get_config() == Adam().get_config()


def test_iterations_and_learning_rate_setters():
    opt = SGD(0.1)
    opt.iterations = 5
    assert opt.iterations == 5
    with pytest.raises(ValueError, match="iterations must be an int >= 0; received iterations=-1"):
        opt.iterations = -1
    with pytest.raises(ValueError, match="learning_rate must be a finite float >= 0"):
        opt.learning_rate = -1.0
    assert "SGD" in repr(opt) and "iterations=5" in repr(opt)


def test_list_gradients_float64_clipvalue_and_nan():
    x = Variable(np.array([1.0, -2.0], F32))
    SGD(0.1, clipvalue=0.5).apply_gradients([([3.0, -0.1], x)])  # -> [0.5, -0.1]
    assert x.data.dtype == F32
    assert_steps([x.data], [[0.95, -1.99]])
    y = Variable(np.array([1.0, -2.0], F32))
    Adam(0.1).apply_gradients([(np.array([np.nan, 1.0], F32), y)])  # NaN stays in its element
    assert np.isnan(y.data[0]) and y.data[1] == pytest.approx(-2.1)
