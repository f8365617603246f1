"""Shared harness for op tests: central-difference gradient checks in float64.

``check_grad(fn, *arrays)`` runs ``fn`` on float64 tensors, back-propagates a
random cotangent ``r`` (so every output element matters), and compares each
input's gradient with ``(L(x + eps) - L(x - eps)) / (2 eps)`` where
``L = sum(fn(x) * r)``. Choose inputs away from kinks (relu at 0, ties in max).
"""

from __future__ import annotations

import numpy as np

from lamina import Tensor, no_grad


def numerical_grad(fn, arrays, r, index, eps):
    """d sum(fn(arrays) * r) / d arrays[index] by central differences."""
    x = arrays[index]
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        values = []
        for step in (eps, -eps):
            flat[i] = old + step
            with no_grad():
                out = fn(*[Tensor(a) for a in arrays])
            values.append(float(np.sum(out.data * r)))
        flat[i] = old
        grad.reshape(-1)[i] = (values[0] - values[1]) / (2 * eps)
    return grad


def check_grad(fn, *arrays, wrt=None, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Assert that lamina's gradients of ``fn`` match central differences.

    Args:
        fn: maps tensors (one per array) to a tensor.
        arrays: the inputs; converted to float64 copies.
        wrt: indices of the inputs to check (default: all).
    Returns the analytic gradients, for extra assertions.
    """
    arrays = [np.array(a, dtype=np.float64, order="C") for a in arrays]
    wrt = range(len(arrays)) if wrt is None else wrt
    tensors = [Tensor(a, requires_grad=(i in wrt)) for i, a in enumerate(arrays)]
    out = fn(*tensors)
    assert out.dtype == np.float64, f"float64 inputs gave a {out.dtype} output"
    r = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(r)).sum().backward()
    grads = []
    for i in wrt:
        expected = numerical_grad(fn, arrays, r, i, eps)
        got = tensors[i].grad
        assert got is not None, f"input {i} received no gradient"
        assert got.shape == arrays[i].shape, f"input {i}: grad shape {got.shape}"
        np.testing.assert_allclose(got, expected, atol=atol, rtol=rtol,
                                   err_msg=f"gradient of input {i}")
        grads.append(got)
    return grads
