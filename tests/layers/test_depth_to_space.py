"""DepthToSpace / SpaceToDepth layers: the shared layer test, numbers, shapes and errors."""

import numpy as np
import pytest

from lamina.layers import DepthToSpace, SpaceToDepth
from tests.layers.harness import run_layer_test

rng = np.random.default_rng(1)


@pytest.mark.parametrize("block,in_shape,out_shape", [
    (2, (2, 3, 4, 8), (2, 6, 8, 2)), (3, (1, 2, 2, 9), (1, 6, 6, 1))])
def test_depth_to_space_shared_layer_test(block, in_shape, out_shape, tmp_path):
    run_layer_test(DepthToSpace, {"block_size": block}, in_shape, out_shape, 0,
                   tmp_path=tmp_path)


@pytest.mark.parametrize("block,in_shape,out_shape", [
    (2, (2, 4, 6, 3), (2, 2, 3, 12)), (1, (1, 3, 3, 2), (1, 3, 3, 2))])
def test_space_to_depth_shared_layer_test(block, in_shape, out_shape, tmp_path):
    run_layer_test(SpaceToDepth, {"block_size": block}, in_shape, out_shape, 0,
                   tmp_path=tmp_path)


def test_numbers_and_inverse():
    x = np.arange(8, dtype="float32").reshape(1, 1, 2, 4)   # two pixels of 4 channels
    out = DepthToSpace(2)(x).data
    np.testing.assert_array_equal(out[0, :, :, 0], [[0, 1, 4, 5], [2, 3, 6, 7]])
    np.testing.assert_array_equal(SpaceToDepth(2)(out).data, x)
    assert DepthToSpace(2).compute_output_shape((None, None, 5, 12)) == (None, None, 10, 3)
    assert SpaceToDepth(2).compute_output_shape((None, 4, None, 3)) == (None, 2, None, 12)


def test_errors():
    with pytest.raises(ValueError, match=r"DepthToSpace: the `block_size` argument must be a "
                                         r"positive int; received block_size=0"):
        DepthToSpace(0)
    with pytest.raises(ValueError, match=r"DepthToSpace 'depth_to_space.*': the channels \(6\) "
                                         r"must be a multiple of block_size\*\*2 = 4"):
        DepthToSpace(2).compute_output_shape((None, 2, 2, 6))
    with pytest.raises(ValueError, match=r"SpaceToDepth 'space_to_depth.*': height and width "
                                         r"must be multiples of block_size=2; received "
                                         r"input_shape=\(None, 3, 4, 1\)"):
        SpaceToDepth(2).compute_output_shape((None, 3, 4, 1))
    with pytest.raises(ValueError, match=r"space_to_depth: height and width must be multiples"):
        SpaceToDepth(2)(rng.standard_normal((1, 3, 4, 1)).astype("float32"))
