import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(6)


@pytest.mark.parametrize("shape,axis", [((5,), 0), ((2, 3), 1), ((2, 3), -2), ((2, 3, 2), None)])
def test_cumsum_matches_numpy_and_its_gradient(shape, axis):
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ops.cumsum(Tensor(x, dtype="float64"), axis=axis).data,
                               np.cumsum(x, axis=axis), rtol=1e-12)
    check_grad(lambda t: ops.cumsum(t, axis=axis), x)


def test_cumsum_gradient_counts_the_outputs_each_entry_feeds():
    x = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    ops.cumsum(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 3.0, 2.0, 1.0])


def test_cumsum_rejects_a_bad_axis():
    with pytest.raises(ValueError, match="cumsum: axis must be .* received axis=2"):
        ops.cumsum(Tensor(np.ones((2, 2))), axis=2)
