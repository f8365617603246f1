import numpy as np
import pytest

from lamina import Variable, ops


def test_assign_add_and_sub_update_in_place_keeping_dtype_and_graph_role():
    v = Variable(np.zeros(2, "float32"), trainable=False, name="total")
    data = v.data
    assert v.assign_add(ops.sum(np.ones((3, 2), "float32"), axis=0)) is v
    assert v.data is data and v.data.tolist() == [3.0, 3.0] and v.dtype == np.float32
    v.assign_sub([1.0, 0.5])
    assert v.data.tolist() == [2.0, 2.5]
    assert v.value.data.tolist() == [2.0, 2.5] and not v.value.requires_grad
    with pytest.raises(ValueError, match="cannot add or subtract a value of shape \\(3,\\)"):
        v.assign_add(np.ones(3))
