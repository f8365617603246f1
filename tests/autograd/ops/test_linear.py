import numpy as np
import pytest

from lamina import Tensor, parallel
from lamina.autograd import ops
from lamina.autograd.ops import plans
from tests.gradcheck import check_grad
from tests.tolerance import assert_matmul_close, assert_sums_close

rng = np.random.default_rng(0)


@pytest.mark.parametrize("x_shape,units", [((4, 3), 5), ((1, 7), 2), ((2, 3, 4), 6), ((5,), 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_numpy_and_central_differences(x_shape, units, with_bias):
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((x_shape[-1], units))
    b = rng.standard_normal(units)
    args = (x, k, b) if with_bias else (x, k)
    expected = x @ k + (b if with_bias else 0)
    np.testing.assert_allclose(ops.linear(*[Tensor(a, dtype="float64") for a in args]).data,
                               expected, rtol=1e-12)
    check_grad(ops.linear, *args)


def test_linear_split_over_threads_equals_one_thread():
    # big enough for lamina.parallel.matmul to cut every product over two threads
    x = rng.standard_normal((64, 300)).astype("float32")
    k = rng.standard_normal((300, 200)).astype("float32")
    b = rng.standard_normal(200).astype("float32")
    g = rng.standard_normal((64, 200)).astype("float32")
    assert x.shape[0] * 300 * 200 >= parallel.MATMUL_SPLIT_MIN
    results = []
    for threads in (1, 2):
        parallel.set_num_threads(threads)
        try:
            xt, kt, bt = (Tensor(a, requires_grad=True) for a in (x, k, b))
            out = ops.linear(xt, kt, bt)
            out.backward(g)
            results.append((out.data, xt.grad, kt.grad, bt.grad))
        finally:
            parallel.set_num_threads(parallel._default_threads())
    # the two cut the products differently: equal up to the rounding of their sums
    out, gx, gk, gb = results[1]
    assert_matmul_close(out, x, k, extra=b.astype("float64"))
    assert_matmul_close(gx, g, k.T)
    assert_matmul_close(gk, x.T, g)
    assert_matmul_close(gb[None], np.ones((1, 64), "float32"), g)
    for one, two, (a1, b1) in zip(results[0], results[1], [(x, k), (g, k.T), (x.T, g),
                                                           (np.ones((1, 64)), g)]):
        scale = np.abs(a1).max() * np.abs(b1).max()
        assert_sums_close(one, two.reshape(one.shape), terms=a1.shape[1], scale=scale,
                          dtype=np.float32)


def test_backward_products_side_by_side_on_two_threads_give_the_bits_of_one():
    """On two threads ``dx`` and ``dkernel`` run one per thread, each a whole product
    (plans.linear_backward 'pair'): for the same output gradient, the bits of one thread.
    With only the kernel's needed (a first layer's input needs no gradient) it is cut as
    usual."""
    x = rng.standard_normal((64, 300)).astype("float32")
    k = rng.standard_normal((300, 200)).astype("float32")
    b = rng.standard_normal(200).astype("float32")
    g = rng.standard_normal((64, 200)).astype("float32")
    assert plans.linear_backward(64, 300, 200, 2) == "pair"
    assert plans.linear_backward(64, 300, 200, 1) == plans.linear_backward(64, 300, 200, 4) \
        == plans.linear_backward(4, 30, 20, 2) == "each"
    grads = {}
    for threads in (1, 2):
        parallel.set_num_threads(threads)
        try:
            xt, kt, bt = (Tensor(a, requires_grad=True) for a in (x, k, b))
            ops.linear(xt, kt, bt).backward(g)
            grads[threads] = (xt.grad, kt.grad, bt.grad)
            xt, kt, bt = Tensor(x), Tensor(k, requires_grad=True), Tensor(b, requires_grad=True)
            out = ops.linear_sigmoid(xt, kt, bt)
            out.backward(g)
            grads[threads, "kernel"] = kt.grad
        finally:
            parallel.set_num_threads(parallel._default_threads())
    for one, two in zip(grads[1], grads[2]):
        np.testing.assert_array_equal(one, two)
    g_pre = (1.0 - out.data) * out.data * g  # sigmoid's derivative, as the op computes it
    assert_matmul_close(grads[2, "kernel"], x.T, g_pre, dtype=np.float32)


def test_split_matmul_over_columns_when_rows_are_few():
    a = rng.standard_normal((4, 2000)).astype("float32")
    b = rng.standard_normal((2000, 600)).astype("float32")
    parallel.set_num_threads(2)
    try:
        out = parallel.matmul(np, a, b)
    finally:
        parallel.set_num_threads(parallel._default_threads())
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-3)


def test_linear_bad_shapes_name_the_op():
    with pytest.raises(ValueError, match=r"linear: the last axis of the input \(3"):
        ops.linear(Tensor(np.zeros((2, 3))), Tensor(np.zeros((4, 5))))
    with pytest.raises(ValueError, match=r"linear: bias must have shape \(5,\)"):
        ops.linear(Tensor(np.zeros((2, 4))), Tensor(np.zeros((4, 5))), Tensor(np.zeros(3)))


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("x_shape,with_bias", [((6, 4), True), ((2, 3, 4), False), ((4,), True)])
def test_fused_activation_equals_activation_of_linear_with_its_gradients(activation, x_shape,
                                                                         with_bias):
    x, k, b = rng.standard_normal(x_shape), rng.standard_normal((4, 5)), rng.standard_normal(5)
    args = (x, k, b) if with_bias else (x, k)
    tensors = [Tensor(a, dtype="float64") for a in args]
    named = getattr(ops, f"linear_{activation}")
    fused = named(*tensors).data
    plain = getattr(ops, activation)(ops.linear(*tensors)).data
    np.testing.assert_allclose(fused, plain, rtol=1e-12, atol=0)
    if activation == "relu":
        assert (fused == 0).any() and (fused > 0).any()  # both sides of the kink
    check_grad(named, *args)


def test_fused_sigmoid_keeps_the_tails_and_errors_name_the_fused_op():
    x = Tensor(np.array([[1.0], [-1.0]]), dtype="float32")
    out = ops.linear_sigmoid(x, Tensor(np.array([[80.0]]), dtype="float32"))
    assert out.data.ravel().tolist() == [1.0, pytest.approx(1.8048513e-35, rel=1e-6)]
    with pytest.raises(ValueError, match=r"linear_relu: the last axis of the input \(1"):
        ops.linear_relu(x, Tensor(np.ones((2, 1))))


@pytest.mark.parametrize("rows", [64, 300])  # cut by columns, by rows
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_fused_epilogue_on_each_threads_part_gives_the_bits_of_the_separate_ops(rows,
                                                                                 activation):
    """The bias and activation run on each thread's part of the product; elementwise, so the
    bits are those of the product cut the same way, then the bias, then the activation."""
    x = rng.standard_normal((rows, 300)).astype("float32")
    k = rng.standard_normal((300, 200)).astype("float32")
    b = rng.standard_normal(200).astype("float32")
    parallel.set_num_threads(2)
    try:
        fused = getattr(ops, f"linear_{activation}")(Tensor(x), Tensor(k), Tensor(b)).data
        plain = getattr(ops, activation)(ops.linear(Tensor(x), Tensor(k)) + Tensor(b)).data
    finally:
        parallel.set_num_threads(parallel._default_threads())
    assert parallel.plan_matmul(rows, 300, 200, 2) == ("columns" if rows < 200 else "rows")
    np.testing.assert_array_equal(fused, plain)
