"""Big variables are updated in slices on several threads: the result must not change."""

import numpy as np
import pytest

from lamina import Variable, optimizers, parallel
from lamina.optimizers import split

OPTIMIZERS = [
    lambda: optimizers.SGD(0.1),
    lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: optimizers.Adam(0.01, amsgrad=True),
    lambda: optimizers.AdamW(0.01),
    lambda: optimizers.Adamax(0.01),
    lambda: optimizers.Nadam(0.01),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: optimizers.Adagrad(0.1),
    lambda: optimizers.Adadelta(1.0),
]


def _run(make, threads, steps=3):
    rng = np.random.default_rng(0)
    big = Variable(rng.standard_normal((300, 250)).astype("float32"))  # 75,000 >= _SPLIT_MIN
    small = Variable(rng.standard_normal(7).astype("float32"))
    big2 = Variable(rng.standard_normal(70_001).astype("float32"))  # updated with big at once
    variables = (big, small, big2)
    grads = [[rng.standard_normal(v.shape).astype("float32") for v in variables]
             for _ in range(steps)]
    opt = make()
    parallel.set_num_threads(threads)
    try:
        for step in grads:
            opt.apply_gradients(list(zip(step, variables, strict=True)))
    finally:
        parallel.set_num_threads(parallel._default_threads())
    return big.data.copy(), small.data.copy(), big2.data.copy(), opt.get_state()


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_split_update_equals_one_thread(make):
    assert 300 * 250 >= split._SPLIT_MIN
    one, two = _run(make, 1), _run(make, 2)
    for a, b in zip(one[:3], two[:3]):
        np.testing.assert_array_equal(a, b)
    state_one, state_two = one[3], two[3]
    assert sorted(state_one) == sorted(state_two)  # parts add no state of their own
    for key in state_one:
        np.testing.assert_array_equal(np.asarray(state_one[key]), np.asarray(state_two[key]))
    assert not np.array_equal(one[0], _run(make, 2, steps=1)[0])  # the steps did something


def test_split_update_follows_a_replaced_array():
    """set_weights may give a variable a new array: the parts must follow it."""
    rng = np.random.default_rng(1)
    v = Variable(rng.standard_normal(80_000).astype("float32"))
    opt = optimizers.SGD(1.0)
    parallel.set_num_threads(2)
    try:
        opt.apply_gradients([(np.ones(80_000, "float32"), v)])
        v.data = np.zeros(80_000, dtype="float32")
        opt.apply_gradients([(np.ones(80_000, "float32"), v)])
    finally:
        parallel.set_num_threads(parallel._default_threads())
    np.testing.assert_array_equal(v.data, -np.ones(80_000, "float32"))


def test_the_big_variables_of_a_step_go_to_the_threads_in_one_hand_off(monkeypatch):
    rng = np.random.default_rng(2)
    variables = [Variable(rng.standard_normal(n).astype("float32")) for n in (80_000, 7, 90_000)]
    calls = []
    run = parallel.parallel_for
    monkeypatch.setattr(parallel, "parallel_for", lambda fn, n: calls.append(n) or run(fn, n))
    opt = optimizers.Adam(0.01)
    parallel.set_num_threads(2)
    try:
        opt.apply_gradients([(np.ones(v.shape, "float32"), v) for v in variables])
    finally:
        parallel.set_num_threads(parallel._default_threads())
    assert calls == [2]
