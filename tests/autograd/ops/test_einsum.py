import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(8)

CASES = [  # (subscripts, operand shapes)
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ij->i", [(3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("bqd,bkd->bqk", [(2, 3, 4), (2, 2, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ij,j", [(2, 3), (3,)]),
]


@pytest.mark.parametrize("subscripts,shapes", CASES)
def test_einsum_matches_numpy_and_its_gradient(subscripts, shapes):
    arrays = [rng.standard_normal(s) for s in shapes]
    got = ops.einsum(subscripts, *[Tensor(a, dtype="float64") for a in arrays]).data
    np.testing.assert_allclose(got, np.einsum(subscripts, *arrays), rtol=1e-12, atol=1e-12)
    check_grad(lambda *ts: ops.einsum(subscripts, *ts), *arrays)


def test_einsum_broadcast_size_one_axis_sums_its_gradient_back():
    a, b = rng.standard_normal((1, 2, 3)), rng.standard_normal((4, 3, 2))
    check_grad(lambda x, y: ops.einsum("...ij,...jk->...ik", x, y), a, b)


def test_einsum_refuses_a_repeated_letter_and_a_wrong_count():
    with pytest.raises(ValueError, match="repeats a letter"):
        ops.einsum("ii->i", Tensor(np.ones((2, 2))))
    with pytest.raises(ValueError, match="name 2 operands; received 1"):
        ops.einsum("ij,jk->ik", Tensor(np.ones((2, 2))))
