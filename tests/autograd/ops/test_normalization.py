import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(5)

BN_CASES = [((6, 3), -1), ((4, 3, 2, 5), -1), ((3, 4, 2, 2), 1), ((5, 2, 3), 2)]


def bn_reference(x, gamma, beta, mean, var, axis, eps):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if gamma is not None:
        out = out * gamma.reshape(shape)
    if beta is not None:
        out = out + beta.reshape(shape)
    return out


def _params(c, scale=True, center=True):
    gamma = rng.uniform(0.5, 1.5, c) if scale else None
    beta = rng.standard_normal(c) if center else None
    return gamma, beta


@pytest.mark.parametrize("shape,axis", BN_CASES)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_forward_matches_formula(shape, axis, training):
    x = rng.standard_normal(shape) * 3 + 1
    c = shape[axis]
    gamma, beta = _params(c)
    mm, mv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    else:
        mean, var = mm, mv
    out = ops.batch_norm(Tensor(x), Tensor(gamma), Tensor(beta), mm.copy(), mv.copy(),
                         training=training, axis=axis)
    np.testing.assert_allclose(out.data, bn_reference(x, gamma, beta, mean, var, axis, 1e-3),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,axis", BN_CASES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("scale,center", [(True, True), (False, True), (True, False),
                                          (False, False)])
def test_batch_norm_gradient(shape, axis, training, scale, center):
    x = rng.standard_normal(shape)
    c = shape[axis]
    gamma, beta = _params(c, scale, center)
    mm, mv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    arrays = [x] + [a for a in (gamma, beta) if a is not None]

    def fn(xt, *params):
        params = list(params)
        g = params.pop(0) if scale else None
        b = params.pop(0) if center else None
        return ops.batch_norm(xt, g, b, mm, mv, training=training, axis=axis)

    check_grad(fn, *arrays, atol=1e-6, rtol=1e-5)


def test_batch_norm_moving_statistics_after_two_steps():
    mm, mv = np.zeros(2), np.ones(2)
    ops.batch_norm(Tensor([[1.0, 2.0], [3.0, 6.0]], dtype="float64"), None, None, mm, mv,
                   training=True, momentum=0.9)
    # batch mean [2, 4], biased variance [1, 4]
    np.testing.assert_allclose(mm, [0.2, 0.4])
    np.testing.assert_allclose(mv, [1.0, 1.3])
    ops.batch_norm(Tensor([[0.0, 10.0], [4.0, 2.0]], dtype="float64"), None, None, mm, mv,
                   training=True, momentum=0.9)
    # batch mean [2, 6], biased variance [4, 16]
    np.testing.assert_allclose(mm, [0.38, 0.96])
    np.testing.assert_allclose(mv, [1.3, 2.77])


def test_batch_norm_inference_leaves_statistics_and_accepts_tensors():
    mm, mv = Tensor([0.5, -1.0]), Tensor([4.0, 0.25])
    x = Tensor([[1.0, 0.0], [2.5, -1.0]])
    out = ops.batch_norm(x, Tensor([2.0, 1.0]), Tensor([0.0, 1.0]), mm, mv, training=False,
                         epsilon=0.0)
    np.testing.assert_allclose(out.data, [[0.5, 3.0], [2.0, 1.0]])
    np.testing.assert_array_equal(mm.data, [0.5, -1.0])
    ops.batch_norm(x, None, None, mm, mv, training=True, momentum=0.5)
    np.testing.assert_allclose(mm.data, [(0.5 + 1.75) / 2, (-1.0 - 0.5) / 2])  # updated in place


def test_batch_norm_float32_and_state_dtype():
    x = Tensor(rng.standard_normal((8, 4, 4, 3)).astype(np.float32), requires_grad=True)
    gamma = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    beta = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    mm, mv = np.zeros(3, np.float32), np.ones(3, np.float32)
    for training in (True, False):
        out = ops.batch_norm(x, gamma, beta, mm, mv, training=training)
        assert out.dtype == np.float32
        out.sum().backward()
    assert x.grad.dtype == gamma.grad.dtype == np.float32
    assert mm.dtype == mv.dtype == np.float32
    # training output is normalised per channel
    out = ops.batch_norm(x, None, None, mm, mv, training=True, epsilon=1e-8).data
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-4)


def test_batch_norm_errors():
    x = Tensor(np.zeros((4, 3)))
    mm, mv = np.zeros(3), np.ones(3)
    with pytest.raises(ValueError, match=r"batch_norm: gamma must have shape \(3,\) \(one value "
                                         r"per channel: x.shape\[-1\] = 3\); "
                                         r"received shape \(4,\)"):
        ops.batch_norm(x, Tensor(np.ones(4)), None, mm, mv, training=True)
    with pytest.raises(ValueError, match=r"batch_norm: moving_variance must have shape \(3,\)"):
        ops.batch_norm(x, None, None, mm, np.ones(2), training=False)
    with pytest.raises(ValueError, match=r"batch_norm: axis \(the channel axis\) must be an int "
                                         r"in \[-2, 1\] .*received axis=2"):
        ops.batch_norm(x, None, None, mm, mv, training=True, axis=2)
    with pytest.raises(TypeError, match=r"batch_norm: moving_mean must be a float array"):
        ops.batch_norm(x, None, None, [0.0, 0.0, 0.0], mv, training=True)
    with pytest.raises(ValueError, match=r"batch_norm: expected an input with a batch axis and a "
                                         r"channel axis"):
        ops.batch_norm(Tensor(np.zeros(3)), None, None, mm, mv, training=True)
    np.testing.assert_array_equal(mm, 0)  # a failed call leaves the statistics alone


LN_CASES = [((4, 5), -1), ((2, 3, 4), -1), ((2, 3, 4), (1, 2)), ((2, 3, 4), (-1, 1)),
            ((3, 2, 2, 3), (1, 2, 3)), ((3, 4), 0)]


@pytest.mark.parametrize("shape,axis", LN_CASES)
def test_layer_norm_forward_and_gradient(shape, axis):
    x = rng.standard_normal(shape) * 2 + 0.5
    axes = tuple(sorted(a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)))
    pshape = tuple(shape[a] for a in axes)
    bshape = [shape[a] if a in axes else 1 for a in range(len(shape))]
    gamma, beta = rng.uniform(0.5, 1.5, pshape), rng.standard_normal(pshape)
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma.reshape(bshape) + beta.reshape(bshape)
    out = ops.layer_norm(Tensor(x), Tensor(gamma), Tensor(beta), axis=axis)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    check_grad(lambda t, g, b: ops.layer_norm(t, g, b, axis=axis), x, gamma, beta)


@pytest.mark.parametrize("scale,center", [(False, True), (True, False), (False, False)])
def test_layer_norm_without_gamma_or_beta(scale, center):
    x = rng.standard_normal((3, 6))
    gamma = rng.uniform(0.5, 1.5, 6) if scale else None
    beta = rng.standard_normal(6) if center else None
    out = ops.layer_norm(Tensor(x), None if gamma is None else Tensor(gamma),
                         None if beta is None else Tensor(beta), epsilon=1e-5).data
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    expected = expected * (1 if gamma is None else gamma) + (0 if beta is None else beta)
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    arrays = [x] + [a for a in (gamma, beta) if a is not None]

    def fn(t, *params):
        params = list(params)
        g = params.pop(0) if scale else None
        b = params.pop(0) if center else None
        return ops.layer_norm(t, g, b)

    check_grad(fn, *arrays)


def test_layer_norm_float32_and_errors():
    x = Tensor(rng.standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True)
    out = ops.layer_norm(x, Tensor(np.ones(4, np.float32)), None)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    with pytest.raises(ValueError, match=r"layer_norm: gamma must have shape \(3, 4\) \(the sizes "
                                         r"of x on axis=\(1, 2\)\); received shape \(4,\)"):
        ops.layer_norm(x, Tensor(np.ones(4)), None, axis=(1, 2))
    with pytest.raises(ValueError, match=r"layer_norm: axis must be an int or a tuple of ints in "
                                         r"\[-3, 2\] .*received axis=3"):
        ops.layer_norm(x, None, None, axis=3)


def test_nan_propagates_without_crashing():
    x = np.ones((3, 2))
    x[0, 0] = np.nan
    out = ops.batch_norm(Tensor(x), None, None, np.zeros(2), np.ones(2), training=True)
    assert np.isnan(out.data[:, 0]).all() and np.isfinite(out.data[:, 1]).all()
    assert np.isnan(ops.layer_norm(Tensor(x), None, None).data[0]).all()


@pytest.mark.parametrize("training", [True, False])
def test_gradients_of_parameters_only(training):
    x, gamma, beta = rng.standard_normal((5, 3)), rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    mm, mv = np.zeros(3), np.ones(3)
    check_grad(lambda t, g, b: ops.batch_norm(t, g, b, mm, mv, training=training),
               x, gamma, beta, wrt=[1, 2])
    check_grad(lambda t, g, b: ops.layer_norm(t, g, b), x, gamma, beta, wrt=[1, 2])
    check_grad(lambda t, g, b: ops.layer_norm(t, g, b), x, gamma, beta, wrt=[0])


@pytest.mark.parametrize("view", [(100_003, 8), (20_011, 3, 4)])
def test_channel_sums_of_a_large_float32_batch_stay_within_rounding_of_the_exact_sum(view):
    from lamina.autograd.ops.normalization import channel_sum

    a = np.random.default_rng(0).uniform(0.5, 1.5, view).astype(np.float32)
    spec = "acb" if len(view) == 3 else "ac"
    exact = np.einsum(f"{spec}->c", a.astype(np.float64))
    exact_sq = np.einsum(f"{spec},{spec}->c", a.astype(np.float64), a.astype(np.float64))
    one_ulp = np.finfo(np.float32).eps
    for got, want in ((channel_sum(np, a), exact), (channel_sum(np, a, a), exact_sq)):
        assert got.dtype == np.float32 and got.shape == (view[1],)
        assert np.abs(got / want - 1).max() < 2 * one_ulp  # the final rounding, and a bit
    # a plain float32 sum over the rows drifts far beyond that (measured ~1e-5 relative)
    plain = np.einsum(f"{spec}->c", a)
    assert np.abs(plain / exact - 1).max() > 10 * one_ulp


@pytest.mark.parametrize("relu", [False, True])
def test_a_backward_kernel_that_fails_to_compile_hands_over_to_the_reference(relu, monkeypatch):
    """The forward ran on the numba kernels; a backward kernel numba cannot compile warns and
    the reference's backward runs from what the forward saved (the gradients of the NumPy
    path, up to the rounding of the channel sums: 64 values per channel)."""
    pytest.importorskip("numba")
    from numba.core.errors import TypingError

    from lamina import accel
    from lamina.autograd.ops import _batch_norm_cpu, _batch_norm_kernels
    from tests.tolerance import assert_sums_close

    def run():
        xt, gt, bt = (Tensor(a, requires_grad=True) for a in (x, gamma, beta))
        op = ops.batch_norm_relu if relu else ops.batch_norm
        op(xt, gt, bt, np.zeros(4), np.ones(4), training=True).backward(grad)
        return xt.grad, gt.grad, bt.grad

    x, grad = rng.standard_normal((4, 4, 4, 4)), rng.standard_normal((4, 4, 4, 4))
    gamma, beta = rng.uniform(0.5, 1.5, 4), rng.standard_normal(4) * 0.3
    with accel.using(False):
        want = run()

    def broken(*args):
        raise TypingError("cannot compile on this machine")

    monkeypatch.setitem(accel._modules, _batch_norm_cpu.KERNELS, _batch_norm_kernels)
    monkeypatch.setattr(_batch_norm_kernels, "block_grad_sums", broken)
    with accel.using(True), pytest.warns(RuntimeWarning, match="failed to compile"):
        got = run()
    assert accel._modules[_batch_norm_cpu.KERNELS] is None
    scale = float(np.abs(grad).max()) * 8 * 4  # x_hat at most sqrt(64); dx sums 3 terms
    for a, b in zip(got, want):
        assert_sums_close(a, b, terms=64, scale=scale, dtype="float64", ulps=16)
