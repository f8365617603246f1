"""lamina.ops shape ops and products against NumPy, with float64 gradient checks."""

import numpy as np
import pytest

from lamina import Tensor, ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(12)
A = rng.standard_normal((2, 3, 4))
M = rng.standard_normal((3, 4))

CASES = [  # (description, lamina call, NumPy reference)
    ("reshape", lambda o, x: o.reshape(x, (6, -1)), lambda x: x.reshape(6, -1)),
    ("transpose axes", lambda o, x: o.transpose(x, (2, 0, 1)), lambda x: x.transpose(2, 0, 1)),
    ("expand_dims", lambda o, x: o.expand_dims(x, 1), lambda x: np.expand_dims(x, 1)),
    ("squeeze", lambda o, x: o.squeeze(o.expand_dims(x, 0), 0), lambda x: x),
    ("moveaxis", lambda o, x: o.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1)),
    ("swapaxes", lambda o, x: o.swapaxes(x, 0, 2), lambda x: np.swapaxes(x, 0, 2)),
    ("concatenate", lambda o, x: o.concatenate([x, x * 2.0], axis=1),
     lambda x: np.concatenate([x, x * 2], 1)),
    ("stack", lambda o, x: o.stack([x, x], axis=-1), lambda x: np.stack([x, x], -1)),
    ("hstack", lambda o, x: o.hstack([x, x]), lambda x: np.hstack([x, x])),
    ("vstack", lambda o, x: o.vstack([x, x]), lambda x: np.vstack([x, x])),
    ("append", lambda o, x: o.append(x, x), lambda x: np.append(x, x)),
    ("split", lambda o, x: o.split(x, 2, axis=2)[1], lambda x: np.split(x, 2, 2)[1]),
    ("split at", lambda o, x: o.split(x, [1], axis=1)[1], lambda x: np.split(x, [1], 1)[1]),
    ("take", lambda o, x: o.take(x, [2, 0, 2], axis=2), lambda x: np.take(x, [2, 0, 2], 2)),
    ("take flat", lambda o, x: o.take(x, [5, 1]), lambda x: np.take(x, [5, 1])),
    ("take_along_axis", lambda o, x: o.take_along_axis(x, np.argsort(x, 1), axis=1),
     lambda x: np.take_along_axis(x, np.argsort(x, 1), 1)),
    ("flip", lambda o, x: o.flip(x, axis=1), lambda x: np.flip(x, 1)),
    ("roll", lambda o, x: o.roll(x, 2, axis=2), lambda x: np.roll(x, 2, 2)),
    ("roll flat", lambda o, x: o.roll(x, -3), lambda x: np.roll(x, -3)),
    ("repeat", lambda o, x: o.repeat(x, 2, axis=0), lambda x: np.repeat(x, 2, 0)),
    ("tile", lambda o, x: o.tile(x, (2, 1, 2)), lambda x: np.tile(x, (2, 1, 2))),
    ("broadcast_to", lambda o, x: o.broadcast_to(x, (2, 2, 3, 4)),
     lambda x: np.broadcast_to(x, (2, 2, 3, 4))),
    ("pad constant", lambda o, x: o.pad(x, ((0, 0), (1, 2), (0, 1)), constant_values=1.5),
     lambda x: np.pad(x, ((0, 0), (1, 2), (0, 1)), constant_values=1.5)),
    ("pad reflect", lambda o, x: o.pad(x, ((0, 0), (2, 1), (1, 1)), mode="reflect"),
     lambda x: np.pad(x, ((0, 0), (2, 1), (1, 1)), mode="reflect")),
    ("pad symmetric", lambda o, x: o.pad(x, ((1, 0), (1, 1), (0, 2)), mode="symmetric"),
     lambda x: np.pad(x, ((1, 0), (1, 1), (0, 2)), mode="symmetric")),
    ("diagonal offset", lambda o, x: o.diagonal(x, 1, 1, 2), lambda x: np.diagonal(x, 1, 1, 2)),
    ("tril k", lambda o, x: o.tril(x, -1), lambda x: np.tril(x, -1)),
    ("matmul", lambda o, x: o.matmul(x, x.T if hasattr(x, "T") else x),
     lambda x: np.matmul(x, np.transpose(x))),
    ("tensordot", lambda o, x: o.tensordot(x, x, axes=([1, 2], [1, 2])),
     lambda x: np.tensordot(x, x, ([1, 2], [1, 2]))),
    ("tensordot int", lambda o, x: o.tensordot(x, o.transpose(x), axes=1),
     lambda x: np.tensordot(x, x.T, 1)),
    ("dot", lambda o, x: o.dot(x, o.transpose(x, (0, 2, 1))),
     lambda x: np.dot(x, x.transpose(0, 2, 1))),
    ("outer", lambda o, x: o.outer(x, x[0]), lambda x: np.outer(x, x[0])),
    ("einsum", lambda o, x: o.einsum("abc,dbc->ad", x, x),
     lambda x: np.einsum("abc,dbc->ad", x, x)),
]


@pytest.mark.parametrize("name,call,ref", CASES, ids=[c[0] for c in CASES])
def test_shape_op_matches_numpy_and_its_gradient_returns_each_entry(name, call, ref):
    x = M if name in ("matmul",) else A
    out = call(ops, Tensor(x, dtype="float64"))
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, ref(x), rtol=1e-12, atol=1e-12)
    check_grad(lambda t: call(ops, t), x)


def test_shape_ops_of_integer_arrays_stay_numpy():
    a = np.arange(6).reshape(2, 3)
    assert ops.reshape(a, (3, 2)).dtype.kind == "i"
    assert ops.concatenate([a, a], axis=0).shape == (4, 3)
    np.testing.assert_array_equal(ops.take(a, [1], axis=1), a[:, [1]])
    np.testing.assert_array_equal(ops.matmul(a, a.T), a @ a.T)


def test_diag_of_a_vector_places_it_and_sends_the_gradient_back():
    v = rng.standard_normal(3)
    for k in (0, 1, -2):
        np.testing.assert_array_equal(ops.diag(Tensor(v, dtype="float64"), k).data, np.diag(v, k))
        check_grad(lambda t, k=k: ops.diag(t, k), v)


def test_pad_names_a_bad_mode():
    with pytest.raises(ValueError, match="mode must be 'constant'.*received mode='circular'"):
        ops.pad(Tensor(np.ones(3)), (1, 1), mode="circular")
