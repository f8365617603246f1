"""The 'few_filters' path of conv2d (``_conv_few_filters``, ``plans.conv2d_few_filters``):
forward, input, kernel and bias gradients against the reference (im2col + one product) in
float64 and float32, with chunks of one image, through the op (ReLU fused, a float64
gradient check), and the plan.

Tolerances (tests/tolerance.py): every value is a sum of products of standard normals (each
below 6, so a product below 36) in another order than the reference's: the forward sums
kh*kw*C products (and the bias), the input gradient kh*kw*O, the kernel gradient one per
output pixel of the batch, the bias gradient that many normals.
"""

import math

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from lamina.autograd.ops import _conv_cpu, _conv_few_filters, _conv_reference, plans
from tests.gradcheck import check_grad
from tests.tolerance import assert_sums_close

#: standard normals stay below 6, so a product of two below 36
PRODUCT = 36.0
PADDINGS = [((1, 1), (1, 1)), ((0, 0), (0, 0)), ((2, 0), (1, 2)), ((2, 2), (2, 2))]


def _case(seed, dtype):
    rng = np.random.default_rng(seed)
    n, h, w = int(rng.integers(1, 5)), int(rng.integers(9, 14)), int(rng.integers(5, 12))
    c, o = int(rng.choice([16, 19, 48])), int(rng.choice([1, 3, 4, 8]))
    kh, kw = (3, 3) if seed % 3 else (5, 3)
    dilation = (2, 1) if seed % 5 == 4 else (1, 1)
    pads = PADDINGS[seed % 4]
    out_hw = tuple(size + sum(pad) - (k - 1) * d
                   for size, pad, k, d in zip((h, w), pads, (kh, kw), dilation))
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    kernel = rng.standard_normal((kh, kw, c, o)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    grad = rng.standard_normal((n, *out_hw, o)).astype(dtype)
    return x, kernel, bias, grad, pads, dilation, out_hw


def _check(x, kernel, bias, grad, pads, dilation, out_hw, relu, dtype):
    kh, kw, c, o = kernel.shape
    one = (1, 1)
    want = _conv_reference.conv2d_forward(np, x, kernel, bias, pads, one, dilation, out_hw)
    if relu:
        want = np.maximum(want, 0)
    out, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, one, dilation, out_hw,
                                         relu=relu, path="few_filters")
    assert out.dtype == np.dtype(dtype) and out.shape == want.shape
    assert_sums_close(out, want, terms=kh * kw * c + 1, scale=PRODUCT, dtype=dtype)
    g = grad * (out > 0) if relu else grad  # ReLU's backward, done by hand for the reference
    want_g = _conv_reference.conv2d_backward(np, g, x, kernel, pads, one, dilation)
    got = _conv_cpu.conv2d_backward(np, grad, xpad, kernel, kernel.shape, x.shape, pads, one,
                                    dilation, (True, True, True),
                                    relu_out=out if relu else None, path="few_filters")
    assert [a.shape for a in got] == [x.shape, kernel.shape, bias.shape]
    assert all(a.dtype == np.dtype(dtype) for a in got)
    assert all(np.abs(b).max() > 0 for b in want_g)  # real numbers compared, not zeros
    pixels = math.prod(grad.shape[:3])
    assert_sums_close(got[0], want_g[0], terms=kh * kw * o, scale=PRODUCT, dtype=dtype)
    assert_sums_close(got[1], want_g[1], terms=pixels, scale=PRODUCT, dtype=dtype)
    assert_sums_close(got[2], want_g[2], terms=pixels, scale=6.0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_few_filters_equals_the_reference(seed, relu, dtype):
    _check(*_case(seed, dtype), relu, dtype)


@pytest.mark.parametrize("seed", range(4))
def test_chunks_of_one_image_equal_the_reference(seed, monkeypatch):
    monkeypatch.setattr(plans, "CHUNK_BYTES", 1)
    _check(*_case(seed, "float64"), True, "float64")


def test_each_gradient_alone():
    """Only the gradients asked for are computed (the first layer needs no dx)."""
    x, kernel, bias, grad, pads, dilation, out_hw = _case(1, "float64")
    _, xpad = _conv_cpu.conv2d_forward(np, x, kernel, bias, pads, (1, 1), dilation, out_hw,
                                       path="few_filters")
    want = _conv_reference.conv2d_backward(np, grad, x, kernel, pads, (1, 1), dilation)
    for i in range(3):
        need = tuple(j == i for j in range(3))
        got = _conv_few_filters.backward(np, grad, xpad, kernel, kernel.shape, x.shape, pads,
                                         dilation, need)
        assert [a is None for a in got] == [not b for b in need]
        assert_sums_close(got[i], want[i], terms=grad.size, scale=PRODUCT, dtype="float64")


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_gradient_check_through_the_op(padding):
    """The fused op's analytic gradients on this path against central differences."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 6, 16))
    kernel, bias = rng.standard_normal((3, 3, 16, 4)) * 0.2, rng.standard_normal(4)
    assert plans.conv2d_few_filters(16, 4, (3, 3), (1, 1)) == "few_filters"
    check_grad(lambda *t: ops.conv2d_relu(*t, padding=padding), x, kernel, bias)


def test_training_takes_the_path_for_espcns_last_conv(monkeypatch):
    """A recorded 48 -> 4 conv runs this path forward and back."""
    ran = []
    for name in ("forward", "backward"):
        real = getattr(_conv_few_filters, name)
        monkeypatch.setattr(_conv_few_filters, name,
                            lambda *a, _real=real, _name=name, **k: (ran.append(_name),
                                                                       _real(*a, **k))[1])
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 6, 6, 48)), requires_grad=True)
    kernel = Tensor(rng.standard_normal((3, 3, 48, 4)), requires_grad=True)
    out = ops.conv2d(x, kernel, padding="same")
    grad = rng.standard_normal(out.shape)
    (out * Tensor(grad)).sum().backward()
    assert ran == ["forward", "backward"]
    want = _conv_reference.conv2d_backward(np, grad, x.data, kernel.data, ((1, 1), (1, 1)),
                                           (1, 1), (1, 1))
    assert_sums_close(x.grad, want[0], terms=36, scale=PRODUCT, dtype="float64")
    assert_sums_close(kernel.grad, want[1], terms=72, scale=PRODUCT, dtype="float64")


def test_the_plan_depends_on_the_shape_only():
    most, least = plans.FEW_FILTERS, plans.FEW_FILTERS_MIN_C
    assert plans.conv2d_few_filters(least, most, (3, 3), (1, 1)) == "few_filters"
    assert plans.conv2d_few_filters(48, 4, (5, 5), (1, 1)) == "few_filters"
    for args in [(least - 1, 4, (3, 3), (1, 1)), (48, most + 1, (3, 3), (1, 1)),
                 (48, 4, (3, 3), (2, 2)), (48, 4, (1, 1), (1, 1))]:
        assert plans.conv2d_few_filters(*args) is None
