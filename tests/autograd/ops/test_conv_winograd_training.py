"""The Winograd training paths of conv2d ('winograd_2x2', 'winograd_4x4' of
``plans.CONV_TRAINING_WINOGRAD``): forward, input, kernel and bias gradients against the
reference (im2col + one product), float64 and float32; a float64 gradient check through the
op; the numba gradient transform against the NumPy one (the same bits); the plan.

Tolerances (tests/tolerance.py), as in test_conv_inference_paths.py: a path sums the same
products in another order, each term at most ``growth`` times the reference's. The forward
and the input gradient are Winograd forwards (9C or 25C terms per output, growth 9 or 6400:
the largest squared row sums of |B^T|, |G| and |A^T|). The kernel gradient sums, per tile
cell, ``V * W`` over the tiles (V up to 4 or 100 times the input, W = A dY A^T up to 4 or 225
times the gradient: A's largest row sum squared), then takes them back through G (the largest
squared column sum of |G|: 4 and 25/9): growth 64 or 62500, over t*t terms per tile.
F(4x4, 3x3) is checked closely in float64 only (its float32 bound is loose).
"""

import math

import numpy as np
import pytest

from lamina import Tensor, accel
from lamina.autograd import ops
from lamina.autograd.ops import _conv_cpu, _conv_reference, plans
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

#: path -> (tile size, forward terms per channel, forward growth, kernel-gradient growth)
PATHS = {"winograd_2x2": (2, 9, 4 * 2.25 * 1, 4 * 4 * 4),
         "winograd_4x4": (4, 25, 100 * 1 * 64, 100 * 225 * 25 / 9)}
#: standard normals stay below 6, so a product of two below 36
PRODUCT = 36.0
PADDINGS = [((1, 1), (1, 1)), ((0, 0), (0, 0)), ((2, 0), (1, 1)), ((1, 2), (0, 1))]


def _case(seed, dtype):
    rng = np.random.default_rng(seed)
    n, h, w = int(rng.integers(1, 4)), int(rng.integers(3, 12)), int(rng.integers(3, 12))
    c, o = int(rng.choice([16, 17, 24])), int(rng.choice([16, 19, 24]))
    pads = PADDINGS[seed % 4]
    out_hw = (h + sum(pads[0]) - 2, w + sum(pads[1]) - 2)
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    kernel = rng.standard_normal((3, 3, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    grad = rng.standard_normal((n, *out_hw, o)).astype(dtype)
    return x, kernel, bias, grad, pads, out_hw


def _check(path, x, kernel, bias, grad, pads, out_hw, relu, dtype):
    size, terms, growth, k_growth = PATHS[path]
    c, o = kernel.shape[2:]
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw)
    if relu:
        want = np.maximum(want, 0)
    out, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                         relu=relu, path=path)
    assert out.dtype == np.dtype(dtype) and out.shape == want.shape
    assert_sums_close(out, want, terms=terms * c + 1, scale=growth * PRODUCT, dtype=dtype)
    g = grad * (out > 0) if relu else grad  # ReLU's backward, done by hand for the reference
    want_g = _conv_reference.conv2d_backward(np, g, x, kernel, pads, (1, 1), (1, 1))
    got = _conv_cpu.conv2d_backward(np, grad, xpad, kernel, kernel.shape, x.shape, pads,
                                    (1, 1), (1, 1), (True, True, True),
                                    relu_out=out if relu else None, path=path)
    assert [a.shape for a in got] == [x.shape, kernel.shape, bias.shape]
    assert all(a.dtype == np.dtype(dtype) for a in got)
    assert all(np.abs(b).max() > 0 for b in want_g)  # real numbers compared, not zeros
    assert_sums_close(got[0], want_g[0], terms=terms * o, scale=growth * PRODUCT, dtype=dtype)
    tiles = x.shape[0] * math.prod(-(-n // size) for n in out_hw)
    assert_sums_close(got[1], want_g[1], terms=tiles * (size + 2) ** 2,
                      scale=k_growth * PRODUCT, dtype=dtype)
    assert_sums_close(got[2], want_g[2], terms=math.prod(grad.shape[:3]), scale=6.0,
                      dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.CONV_TRAINING_WINOGRAD)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_training_paths_equal_the_reference(seed, relu, path, dtype):
    _check(path, *_case(seed, dtype), relu, dtype)


@pytest.mark.parametrize("path", plans.CONV_TRAINING_WINOGRAD)
@pytest.mark.parametrize("seed", range(4))
def test_small_chunks_equal_the_reference(seed, path, monkeypatch):
    """Chunks of one tile row (several per image) sum every tile once."""
    monkeypatch.setattr(plans, "WINOGRAD_BYTES", 1)
    monkeypatch.setattr(plans, "WINOGRAD_TILES", 1)
    monkeypatch.setattr(plans, "WINOGRAD_GRAD_TILES", 1)
    _check(path, *_case(seed, "float64"), False, "float64")


@pytest.mark.parametrize("path", plans.CONV_TRAINING_WINOGRAD)
def test_a_forward_grid_goes_to_every_backward_path(path):
    """The padded input a Winograd forward keeps is on its tiles' grid; a backward forced
    onto another path still gets the padded input it expects."""
    x, kernel, bias, grad, pads, out_hw = _case(1, "float64")
    _, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1), out_hw,
                                       path=path)
    want = _conv_reference.conv2d_backward(np, grad, x, kernel, pads, (1, 1), (1, 1))
    for other in plans.CONV_BACKWARD[:3] + plans.CONV_TRAINING_WINOGRAD:
        got = _conv_cpu.conv2d_backward(np, grad, xpad, kernel, kernel.shape, x.shape, pads,
                                        (1, 1), (1, 1), (True, True, True), path=other)
        for a, b in zip(got, want):
            assert_sums_close(a, b, terms=x.size, scale=6400 * PRODUCT, dtype="float64")


@pytest.mark.parametrize("op", [ops.conv2d, ops.conv2d_relu])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_gradient_check_through_the_op(padding, op, monkeypatch):
    """The op's analytic gradients on its Winograd path against central differences (16
    channels keep the check small: the plan is lowered to take them); conv2d_relu's masks
    the gradient inside the transforms."""
    monkeypatch.setattr(plans, "WINOGRAD_TRAIN_MIN_C", 16)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 6, 16))
    kernel, bias = rng.standard_normal((3, 3, 16, 16)) * 0.2, rng.standard_normal(16)
    assert plans.conv2d_winograd(16, 16, (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)),
                                 (5, 6)) is not None
    check_grad(lambda *t: op(*t, padding=padding), x, kernel, bias)


def test_the_plan_depends_on_the_shape_only():
    same, big = ((1, 1), (1, 1)), plans.WINOGRAD_TRAIN_4X4_FROM
    assert plans.conv2d_winograd(64, 64, (3, 3), (1, 1), (1, 1), same, (big, big)) \
        == "winograd_4x4"
    assert plans.conv2d_winograd(64, 64, (3, 3), (1, 1), (1, 1), same, (big - 1, big)) \
        == "winograd_2x2"
    least = plans.WINOGRAD_TRAIN_MIN_C
    assert plans.conv2d_winograd(least, least, (3, 3), (1, 1), (1, 1), same, (8, 8)) \
        is not None
    for args in [(least - 1, 64, (3, 3), (1, 1), (1, 1)), (64, least - 1, (3, 3), (1, 1), (1, 1)),
                 (64, 64, (3, 3), (2, 2), (1, 1)), (64, 64, (3, 3), (1, 1), (2, 2)),
                 (64, 64, (5, 5), (1, 1), (1, 1)), (64, 64, (1, 1), (1, 1), (1, 1))]:
        assert plans.conv2d_winograd(*args, same, (8, 8)) is None
    assert plans.conv2d_winograd(64, 64, (3, 3), (1, 1), (1, 1), ((3, 0), (1, 1)),
                                 (8, 8)) is None


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", plans.CONV_TRAINING_WINOGRAD)
def test_numba_gradient_transforms_give_the_numpy_bits(path, dtype, relu, monkeypatch):
    """The numba transforms of the gradient (masked by ReLU's output on the way, the input
    gradient's read unpadded) against the NumPy path, which masks and pads copies first."""
    pytest.importorskip("numba")
    monkeypatch.setattr(plans, "WINOGRAD_GRAD_TILES", 2)  # several chunks per image
    monkeypatch.setattr(plans, "WINOGRAD_BYTES", 1)
    monkeypatch.setattr(plans, "WINOGRAD_TILES", 1)
    x, kernel, bias, grad, pads, out_hw = _case(5, dtype)
    results = []
    for numba in (True, False):
        with accel.using(numba):
            out, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1),
                                                 out_hw, relu=relu, path=path)
            results.append(_conv_cpu.conv2d_backward(
                np, grad, xpad, kernel, kernel.shape, x.shape, pads, (1, 1), (1, 1),
                (True, True, True), relu_out=out if relu else None, path=path))
    assert "lamina.autograd.ops._winograd_grad_kernels" in accel.loaded()
    assert 0 < (out > 0).mean() < 1 if relu else True  # the mask zeroes part of the gradient
    for a, b in zip(*results):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("numba", [True, False])
@pytest.mark.parametrize("path", plans.CONV_TRAINING_WINOGRAD)
def test_each_gradient_alone_gives_the_same_bits(path, numba):
    """The backward asked for one or two of (dx, dkernel, dbias) computes those as it does
    all three (the bias sum comes from the kernel gradient's transform, even alone)."""
    if numba:
        pytest.importorskip("numba")
    x, kernel, bias, grad, pads, out_hw = _case(6, "float32")
    with accel.using(numba):
        out, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), (1, 1),
                                             out_hw, relu=True, path=path)

        def backward(need):
            return _conv_cpu.conv2d_backward(np, grad, xpad, kernel, kernel.shape, x.shape,
                                             pads, (1, 1), (1, 1), need, relu_out=out,
                                             path=path)

        full = backward((True, True, True))
        for need in [(True, False, False), (False, True, False), (False, False, True),
                     (False, True, True), (False, False, False)]:
            got = backward(need)
            for wanted, a, b in zip(need, got, full):
                assert (a is None) if not wanted else a.tobytes() == b.tobytes()


def test_training_takes_the_winograd_path_for_a_layer_shape(monkeypatch):
    """A recorded 3x3 conv that the plan gives Winograd (lowered to 16 channels here, to keep
    the case small) runs it (its padded input is kept on the tiles' grid) and its gradients
    equal the reference's."""
    monkeypatch.setattr(plans, "WINOGRAD_TRAIN_MIN_C", 16)
    ran = []
    for name in ("forward", "backward"):
        real = getattr(_conv_cpu.winograd_training, name)
        monkeypatch.setattr(_conv_cpu.winograd_training, name,
                            lambda *a, _real=real, _name=name, **k: (ran.append(_name),
                                                                       _real(*a, **k))[1])
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 7, 7, 16)), requires_grad=True)
    kernel = Tensor(rng.standard_normal((3, 3, 16, 16)), requires_grad=True)
    out = ops.conv2d(x, kernel, padding="same")
    grad = rng.standard_normal(out.shape)
    (out * Tensor(grad)).sum().backward()
    assert sorted(ran) == ["backward", "forward"]
    want = _conv_reference.conv2d_backward(np, grad, x.data, kernel.data, ((1, 1), (1, 1)),
                                           (1, 1), (1, 1))
    assert_sums_close(x.grad, want[0], terms=25 * 16, scale=6400 * PRODUCT, dtype="float64")
    assert_sums_close(kernel.grad, want[1], terms=2 * 4 * 36, scale=62500 * PRODUCT,
                      dtype="float64")
