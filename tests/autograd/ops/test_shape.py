import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(3)


def t64(a):
    return Tensor(a, dtype="float64")


# ------------------------------------------------------------------ reshape, transpose
@pytest.mark.parametrize("shape,target", [((), (1, 1)), ((6,), (2, 3)), ((2, 3), (-1,)),
                                          ((2, 3, 4), (4, -1)), ((2, 3, 4), (3, 2, 2, 2)),
                                          ((4,), 4), ((1,), ()), ((0, 3), (3, -1))])
def test_reshape(shape, target):
    x = rng.standard_normal(shape)
    y = ops.reshape(t64(x), target)
    np.testing.assert_array_equal(y.data, x.reshape(target))
    check_grad(lambda t: ops.reshape(t, target), x)


def test_reshape_method_and_non_contiguous_input():
    x = rng.standard_normal((3, 4))
    assert Tensor(x).reshape(2, 6).shape == (2, 6) and Tensor(x).reshape([12]).shape == (12,)
    check_grad(lambda t: t.T.reshape(-1), x)


@pytest.mark.parametrize("target", [(5,), (-1, -1), (-2, 6), (2, 2.5), "ab"])
def test_reshape_errors(target):
    with pytest.raises(ValueError, match=r"reshape: cannot reshape an input of shape \(3, 4\) "
                                         r"\(12 elements\) into shape="):
        ops.reshape(Tensor(np.zeros((3, 4))), target)


@pytest.mark.parametrize("shape,axes", [((3,), None), ((2, 3), None), ((2, 3), (1, 0)),
                                        ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, 1, 0)),
                                        ((2, 3, 4, 5), (1, 3, 0, 2))])
def test_transpose(shape, axes):
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(ops.transpose(t64(x), axes).data, np.transpose(x, axes))
    check_grad(lambda t: ops.transpose(t, axes), x)


def test_transpose_method_and_T():
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_array_equal(Tensor(x).transpose(1, 2, 0).data, x.transpose(1, 2, 0))
    np.testing.assert_array_equal(Tensor(x).transpose().data, x.T)
    np.testing.assert_array_equal(Tensor(x).T.data, x.T)


@pytest.mark.parametrize("axes", [(0, 0), (0,), (0, 2), (0, 1, 2), 1, (0, "a")])
def test_transpose_errors(axes):
    with pytest.raises(ValueError, match=r"transpose: axes must be a permutation of the 2 axes "
                                         r"of shape \(2, 3\).*received axes="):
        ops.transpose(Tensor(np.zeros((2, 3))), axes)


# ---------------------------------------------------------------------------- getitem
X = np.arange(60, dtype=np.float64).reshape(3, 4, 5) * 0.1
MASK = (X.sum(axis=2) % 0.4) > 0.2
INDICES = [
    0, -1, (1, 2), (0, 1, 2), slice(1, None), (slice(None), slice(0, 4, 2)),
    (slice(None, None, -1), slice(3, 0, -2), 4), (Ellipsis, 1), (1, Ellipsis, slice(1, 3)),
    (None, 0), (slice(None), None, Ellipsis, None), (),
    [0, 2, 2, 0],  # repeats: the gradient adds up
    ([0, 1, 1], [3, 3, 0]), (slice(None), [1, 1, 3], slice(2, 4)), (Ellipsis, [4, 0, 4]),
    (np.array([[0, 1], [1, 1]]), 2), (1, [0, 3], [[0], [2]]),
    X[:, :, 0] > 2.0, (MASK,), (MASK, slice(1, 3)), (slice(None), np.array([True, False] * 2)),
    (np.int64(2), np.array(1)), (True,), [],
]


@pytest.mark.parametrize("index", INDICES, ids=lambda i: repr(i)[:40])
def test_getitem_matches_numpy_and_gradient(index):
    y = ops.getitem(t64(X), index)
    expected = X[index]
    assert isinstance(y.data, np.ndarray) and y.shape == np.shape(expected)
    np.testing.assert_array_equal(y.data, expected)
    check_grad(lambda t: ops.getitem(t, index), X)


def test_getitem_repeated_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    (x[[0, 0, 3, 0]] * Tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1011.0, 0.0, 0.0, 100.0])
    m = Tensor(np.zeros((3, 2)), requires_grad=True)
    m[np.array([[2, 2], [0, 2]])].sum().backward()  # embedding-style lookup
    np.testing.assert_array_equal(m.grad, [[1, 1], [0, 0], [3, 3]])


def test_getitem_slice_gradient_writes_into_zeros():
    x = Tensor(np.ones((2, 4), np.float32), requires_grad=True)
    (x[:, 1::2] * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 3, 0, 3], [0, 3, 0, 3]])
    assert x.grad.dtype == np.float32


def test_getitem_tensor_indices_use_their_data():
    idx = Tensor([2.0, 0.0, 2.0])
    np.testing.assert_array_equal(ops.getitem(t64(X), (idx, 1)).data, X[[2, 0, 2], 1])
    check_grad(lambda t: t[Tensor([[1.0], [1.0]]), idx], X[0])
    with pytest.raises(TypeError, match="getitem: a Tensor used as an index must hold whole"):
        Tensor(X)[Tensor([0.5])]


@pytest.mark.parametrize("index,message", [
    (10, r"getitem: index 10 is out of range for axis 0 of size 3 \(input shape \(3, 4, 5\), "
         r"index 10\)"),
    ((slice(None), -5), r"index -5 is out of range for axis 1 of size 4 .*index \(:, -5\)"),
    ((Ellipsis, 7), "index 7 is out of range for axis 2 of size 5"),
    ([0, 3], r"index 3 is out of range for axis 0 of size 3 .*array\(shape=\(2,\)"),
    ((0, 0, 0, 0), "getitem: too many indices: the index uses 4 axes but the input has 3"),
    (np.ones(2, bool), r"getitem: a boolean mask of shape \(2,\) does not match the shape \(3,\)"),
    ((Ellipsis, Ellipsis), r"getitem: an index can hold only one Ellipsis"),
    (([0, 1], [0, 1, 2]), "getitem: the index arrays do not broadcast together"),
])
def test_getitem_index_errors_are_our_own(index, message):
    with pytest.raises(IndexError, match=message):
        Tensor(X)[index]


@pytest.mark.parametrize("index,message", [
    ("a", "getitem: an index must be made of ints, slices.*received 'a' \\(str\\)"),
    (0.5, "received 0.5 \\(float\\)"), (np.array([0.5]), "received dtype=float64"),
    (slice(0.5, None), "getitem: invalid index 0.5:: slice indices must be integers"),
])
def test_getitem_type_errors(index, message):
    with pytest.raises(TypeError, match=message):
        Tensor(X)[index]


# ----------------------------------------------------------------- concatenate, stack
@pytest.mark.parametrize("shapes,axis", [([(2,), (3,)], 0), ([(2, 3), (1, 3), (4, 3)], 0),
                                         ([(2, 3), (2, 1)], 1), ([(2, 3), (2, 2)], -1),
                                         ([(2, 1, 4), (2, 3, 4)], 1), ([(3, 2)], 0)])
def test_concatenate(shapes, axis):
    arrays = [rng.standard_normal(s) for s in shapes]
    y = ops.concatenate([t64(a) for a in arrays], axis=axis)
    np.testing.assert_array_equal(y.data, np.concatenate(arrays, axis=axis))
    check_grad(lambda *ts: ops.concatenate(list(ts), axis=axis), *arrays)


def test_concatenate_with_arrays_and_partial_grads():
    a = Tensor([[1.0, 1.0], [1.0, 1.0]], requires_grad=True)  # float32
    y = ops.concatenate((np.zeros((1, 2)), a, Tensor([[1.0, 1.0]])))  # the float64 array follows
    assert y.dtype == np.float32 and y.shape == (4, 2)
    (y * Tensor(np.arange(8.0).reshape(4, 2))).sum().backward()
    np.testing.assert_array_equal(a.grad, [[2, 3], [4, 5]])


@pytest.mark.parametrize("shapes,axis", [([(3,), (3,)], 0), ([(2, 3), (2, 3), (2, 3)], 1),
                                         ([(2, 3), (2, 3)], -1), ([(2, 3), (2, 3)], 2),
                                         ([(), ()], 0), ([(4,)], -2)])
def test_stack(shapes, axis):
    arrays = [rng.standard_normal(s) for s in shapes]
    y = ops.stack([t64(a) for a in arrays], axis=axis)
    np.testing.assert_array_equal(y.data, np.stack(arrays, axis=axis))
    check_grad(lambda *ts: ops.stack(list(ts), axis=axis), *arrays)


@pytest.mark.parametrize("op,args,error,message", [
    (ops.concatenate, ([np.zeros((2, 3)), np.zeros((2, 4))], 0), ValueError,
     r"concatenate: input 1 has shape \(2, 4\) but input 0 has shape \(2, 3\); all sizes must "
     r"match except on axis 0"),
    (ops.concatenate, ([np.zeros((2, 3)), np.zeros(3)], 0), ValueError, "input 1 has shape"),
    (ops.concatenate, ([np.zeros((2, 3))], 2), ValueError,
     r"concatenate: axis=2 is out of range for 2 axes \(expected an integer in \[-2, 1\]\)"),
    (ops.concatenate, ([np.zeros(()), np.zeros(())], 0), ValueError,
     "concatenate: inputs must have at least one axis"),
    (ops.concatenate, ([], 0), ValueError, "concatenate: expected at least one tensor"),
    (ops.stack, (Tensor(np.zeros(3)), 0), TypeError, "stack: expected a list or tuple of tensors"),
    (ops.stack, ([np.zeros(3), np.zeros(4)], 0), ValueError,
     r"stack: all inputs must have the same shape; input 0 has shape \(3,\), input 1 has shape"),
    (ops.stack, ([np.zeros(3)], 2), ValueError, r"stack: axis=2 is out of range for 2 axes"),
])
def test_join_errors(op, args, error, message):
    with pytest.raises(error, match=message):
        op(*args)


# -------------------------------------------------------------------------------- pad
@pytest.mark.parametrize("shape,pad_width", [((3,), 2), ((3,), (1, 2)), ((2, 3), 1),
                                             ((2, 3), (0, 2)), ((2, 3), ((1, 0),)),
                                             ((2, 3), ((1, 2), (3, 0))), ((2, 3), ((1,), (2,))),
                                             ((2, 3, 2), [[0, 0], [1, 1], [2, 0]]),
                                             ((2, 3), np.array([[1, 0], [0, 2]])), ((), 3)])
@pytest.mark.parametrize("value", [0.0, -1.5])
def test_pad_matches_numpy_and_gradient(shape, pad_width, value):
    x = rng.standard_normal(shape)
    y = ops.pad(t64(x), pad_width, constant_values=value)
    np.testing.assert_array_equal(y.data, np.pad(x, pad_width, constant_values=value))
    check_grad(lambda t: ops.pad(t, pad_width, value), x)


def test_pad_keeps_float32():
    y = ops.pad(Tensor(np.ones((2, 2), np.float32)), 1, constant_values=np.float64(0.5))
    assert y.dtype == np.float32 and y.data[0, 0] == 0.5 and y.data[1, 1] == 1.0


@pytest.mark.parametrize("pad_width", [-1, (1, -1), ((1, 2), (1, 2), (1, 2)), ((1, 2, 3),),
                                       ((1, 2), 3), (), 1.5, "a"])
def test_pad_width_errors(pad_width):
    with pytest.raises(ValueError, match=r"pad: pad_width must be a non-negative int, "
                                         r"\(before, after\), or one .* \(2 axes here\); received"):
        ops.pad(Tensor(np.zeros((2, 3))), pad_width)


def test_pad_constant_values_error():
    with pytest.raises(ValueError, match=r"pad: constant_values must be a number; received "
                                         r"constant_values=\(1, 2\)"):
        ops.pad(Tensor(np.zeros(2)), 1, constant_values=(1, 2))


# ---------------------------------------------------------- expand_dims, squeeze, flatten
@pytest.mark.parametrize("shape,axis", [((), 0), ((3,), 0), ((3,), 1), ((2, 3), -1),
                                        ((2, 3), (0, 2)), ((2, 3), (-1, 0))])
def test_expand_dims(shape, axis):
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(ops.expand_dims(t64(x), axis).data, np.expand_dims(x, axis))
    check_grad(lambda t: ops.expand_dims(t, axis), x)


@pytest.mark.parametrize("shape,axis", [((1,), None), ((1, 3, 1), None), ((1, 3, 1), 0),
                                        ((1, 3, 1), -1), ((1, 3, 1), (0, 2)), ((2, 3), None)])
def test_squeeze(shape, axis):
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(ops.squeeze(t64(x), axis).data, np.squeeze(x, axis))
    check_grad(lambda t: ops.squeeze(t, axis), x)


@pytest.mark.parametrize("shape,expected", [((4, 2, 3), (4, 6)), ((2, 3, 2, 2), (2, 12)),
                                            ((5, 3), (5, 3)), ((5,), (5, 1)), ((0, 2, 3), (0, 6))])
def test_flatten_keeps_the_batch_axis(shape, expected):
    x = rng.standard_normal(shape)
    y = ops.flatten(t64(x))
    assert y.shape == expected
    np.testing.assert_array_equal(y.data, x.reshape(expected))
    check_grad(ops.flatten, x)


@pytest.mark.parametrize("call,message", [
    (lambda x: ops.expand_dims(x, 3), r"expand_dims: axis=3 is out of range for 3 axes"),
    (lambda x: ops.expand_dims(x, (0, 0)), r"expand_dims: axis=\(0, 0\) repeats an axis"),
    (lambda x: ops.squeeze(x, 1), r"squeeze: cannot remove axis 1 of size 3 from shape \(1, 3\)"),
    (lambda x: ops.squeeze(x, 2), r"squeeze: axis=2 is out of range for 2 axes"),
    (lambda x: ops.flatten(x[0, 0]), r"flatten: expected an input with a batch axis .* shape \(\)"),
])
def test_axis_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(Tensor(np.zeros((1, 3))))
