import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(3)


@pytest.mark.parametrize("size,factors", [((2, 2), (2, 2)), (3, (3, 3)), ((1, 2), (1, 2)),
                                          ((3, 1), (3, 1))])
def test_upsampling_nearest_forward_and_gradient(size, factors):
    x = rng.standard_normal((2, 3, 2, 4))
    out = ops.upsampling_nearest2d(Tensor(x), size).data
    sh, sw = factors
    assert out.shape == (2, 3 * sh, 2 * sw, 4)
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            np.testing.assert_array_equal(out[:, i, j], x[:, i // sh, j // sw])
    check_grad(lambda t: ops.upsampling_nearest2d(t, size), x)


def test_upsampling_backward_sums_blocks():
    t = Tensor(np.zeros((1, 1, 2, 1)), requires_grad=True)
    out = ops.upsampling_nearest2d(t)
    out.backward(np.arange(8.0).reshape(1, 2, 4, 1))
    np.testing.assert_array_equal(t.grad[0, :, :, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7]])


PAD_FORMS = [  # (Keras form, ((top, bottom), (left, right)))
    (1, ((1, 1), (1, 1))),
    ((2, 0), ((2, 2), (0, 0))),
    (((1, 0), (2, 3)), ((1, 0), (2, 3))),
    (((0, 0), (0, 0)), ((0, 0), (0, 0))),
]


@pytest.mark.parametrize("padding,pairs", PAD_FORMS)
def test_zero_padding_forward_and_gradient(padding, pairs):
    x = rng.standard_normal((2, 3, 4, 2))
    got = ops.zero_padding2d(Tensor(x), padding).data
    np.testing.assert_array_equal(got, np.pad(x, ((0, 0),) + pairs + ((0, 0),)))
    check_grad(lambda t: ops.zero_padding2d(t, padding), x)


def test_zero_padding_default_is_one_on_each_side():
    assert ops.zero_padding2d(Tensor(np.ones((1, 2, 3, 1)))).shape == (1, 4, 5, 1)


@pytest.mark.parametrize("cropping,pairs", PAD_FORMS)
def test_cropping_forward_and_gradient(cropping, pairs):
    x = rng.standard_normal((2, 6, 7, 2))
    (t, b), (l, r) = pairs
    got = ops.cropping2d(Tensor(x), cropping).data
    np.testing.assert_array_equal(got, x[:, t:6 - b, l:7 - r])
    check_grad(lambda v: ops.cropping2d(v, cropping), x)


def test_cropping_is_the_adjoint_of_padding():
    x = rng.standard_normal((1, 3, 4, 2))
    padded = ops.zero_padding2d(Tensor(x), ((1, 2), (0, 3)))
    np.testing.assert_array_equal(ops.cropping2d(padded, ((1, 2), (0, 3))).data, x)


def test_float32_stays_float32():
    x = Tensor(np.ones((1, 2, 2, 3), dtype=np.float32), requires_grad=True)
    y = ops.cropping2d(ops.zero_padding2d(ops.upsampling_nearest2d(x), 2), 2)
    assert y.dtype == np.float32 and y.shape == (1, 4, 4, 3)
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.full((1, 2, 2, 3), 4.0))


def test_errors():
    x = Tensor(np.zeros((1, 4, 5, 1)))
    with pytest.raises(ValueError, match=r"cropping2d: cropping must leave at least one row and "
                                         r"one column; received cropping=\(\(2, 2\), \(0, 0\)\) "
                                         r"for an input of height 4 and width 5"):
        ops.cropping2d(x, ((2, 2), (0, 0)))
    with pytest.raises(ValueError, match=r"cropping2d: cropping must leave"):
        ops.cropping2d(x, (0, 3))
    with pytest.raises(ValueError, match=r"zero_padding2d: padding must be a non-negative int.*"
                                         r"received padding=-1"):
        ops.zero_padding2d(x, -1)
    with pytest.raises(ValueError, match=r"zero_padding2d: padding must be .*"
                                         r"received padding=\(1, 2, 3\)"):
        ops.zero_padding2d(x, (1, 2, 3))
    with pytest.raises(ValueError, match=r"cropping2d: cropping must be .*"
                                         r"received cropping=\(\(1, 1\), 2\)"):
        ops.cropping2d(x, ((1, 1), 2))
    with pytest.raises(ValueError, match=r"upsampling_nearest2d: the `size` argument must be "
                                         r"a positive integer.*received size=0"):
        ops.upsampling_nearest2d(x, 0)
    with pytest.raises(ValueError, match=r"upsampling_nearest2d: expected a 4-D input"):
        ops.upsampling_nearest2d(Tensor(np.zeros((4, 5, 1))))


def _depth_to_space_reference(x, b):
    """The definition, one pixel at a time."""
    n, h, w, d = x.shape
    c = d // (b * b)
    out = np.empty((n, h * b, w * b, c), dtype=x.dtype)
    for i in range(h * b):
        for j in range(w * b):
            k = ((i % b) * b + j % b) * c
            out[:, i, j] = x[:, i // b, j // b, k:k + c]
    return out


@pytest.mark.parametrize("b,shape", [(2, (2, 3, 2, 8)), (3, (1, 2, 3, 9)), (1, (1, 2, 2, 3))])
def test_depth_to_space_against_the_reference_and_gradients(b, shape):
    x = rng.standard_normal(shape)
    out = ops.depth_to_space(Tensor(x), b).data
    np.testing.assert_array_equal(out, _depth_to_space_reference(x, b))
    np.testing.assert_array_equal(ops.space_to_depth(Tensor(out), b).data, x)
    check_grad(lambda t: ops.depth_to_space(t, b), x)
    check_grad(lambda t: ops.space_to_depth(t, b), out)


def test_depth_to_space_worked_example():
    """TensorFlow's documented example: channels [1, 2, 3, 4] of one pixel, block 2."""
    x = np.array([1.0, 2, 3, 4], dtype=np.float32).reshape(1, 1, 1, 4)
    out = ops.depth_to_space(Tensor(x), 2)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data[0, :, :, 0], [[1, 2], [3, 4]])


def test_depth_to_space_errors():
    with pytest.raises(ValueError, match=r"depth_to_space: the channels \(6\) must be a "
                                         r"multiple of block_size\*\*2 = 4"):
        ops.depth_to_space(Tensor(np.zeros((1, 2, 2, 6))), 2)
    with pytest.raises(ValueError, match=r"space_to_depth: height and width must be multiples "
                                         r"of block_size=2; received an input of shape "
                                         r"\(1, 3, 4, 1\)"):
        ops.space_to_depth(Tensor(np.zeros((1, 3, 4, 1))), 2)
    with pytest.raises(ValueError, match=r"depth_to_space: block_size must be a positive int; "
                                         r"received block_size=0"):
        ops.depth_to_space(Tensor(np.zeros((1, 2, 2, 4))), 0)
