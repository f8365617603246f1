"""Shared helpers: run an optimizer for a few steps on one small float32 Variable."""

import numpy as np

from lamina import Variable

# The default case of the hand-worked tests: a 2-element variable and three fixed gradients.
X0 = [1.0, -2.0]
G = [[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]]


def run_steps(opt, x0=X0, grads=G, **variable_kwargs):
    """Apply each gradient in turn to one Variable; return its value after each step."""
    x = Variable(np.array(x0, dtype=np.float32), name="x", **variable_kwargs)
    data = x.data
    values = []
    for g in grads:
        opt.apply_gradients([(np.array(g, dtype=np.float32), x)])
        assert x.data is data and x.data.dtype == np.float32  # updated in place, stays float32
        values.append(x.data.copy())
    return np.array(values)


def assert_steps(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(actual, np.array(expected), rtol=rtol, atol=atol)
