"""The seeds' worked numbers that the lectures reproduce (issue 20), asserted as printed."""

import numpy as np
import pytest

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.test_lectures_advanced import assert_figures, lecture


def test_seed002_network_is_a_function(tmp_path):
    module = lecture("network_function")
    r = module.main(tmp_path, quick=True)
    assert_same_as_full_run("network_function", r)
    assert_figures(tmp_path, "function.png")
    assert "equals the slide's at both inputs: True" in (tmp_path / "summary.txt").read_text()
    # the slide: f(1, -1) = [0.62, 0.83], f(0, 0) = [0.51, 0.85] (two decimals)
    assert np.round(r["f"][(1.0, -1.0)], 2).tolist() == [0.62, 0.83]
    assert np.round(r["f"][(0.0, 0.0)], 2).tolist() == [0.51, 0.85]
    assert r["matches_slides"]
    # each layer by hand: (1, -1) -> σ(4), σ(-2) -> ...; lamina (float32) agrees with float64
    # NumPy to float32 rounding through three layers of O(1) values
    assert r["layers"][(1.0, -1.0)][0] == pytest.approx([1 / (1 + np.exp(-4)),
                                                         1 / (1 + np.exp(2))], abs=1e-6)
    assert np.round(r["layers"][(1.0, -1.0)][1], 2).tolist() == [0.86, 0.11]
    assert np.round(r["layers"][(0.0, 0.0)][0], 2).tolist() == [0.73, 0.5]
    for x in r["f"]:
        assert r["f"][x] == pytest.approx(r["f_by_hand"][x], abs=1e-6)
    # other weights, another function: the numbers really come from the slide's weights
    module.BIASES[2] = np.array([0.0, 0.0])
    assert np.round(module.forward_by_hand((1.0, -1.0))[-1], 2).tolist() != [0.62, 0.83]


def test_seed003_laplacian_four_outputs_and_sum_zero():
    module = lecture("convolution")
    output, unseen_irrelevant = module.seed003_laplacian()
    assert unseen_irrelevant
    assert [int(output[at]) for at in ((0, 0), (1, 0), (2, 0), (0, 1))] == [83, 14, -66, 91]
    assert output[1, 1] == 28 and np.isnan(output[2, 1])   # (2, 1) needs an unseen pixel
    assert module.SEED003_KERNEL.sum() == 0
    # 83 by hand: the window's four neighbours minus four times its centre
    assert 59 + 59 + 79 + 142 - 4 * 64 == 83


def test_seed003_pooling_max_average_l2_and_translation_invariance(tmp_path):
    module = lecture("pooling")
    r = module.main(tmp_path, quick=True)
    assert_same_as_full_run("pooling", r)
    assert_figures(tmp_path, "pooling.png", "invariance.png")
    maps, grads = r["maps"], r["gradients"]
    # lecture 11's max pooling of seed 002's map, and the other two by hand
    np.testing.assert_array_equal(maps["max"], [[3, 0], [3, 1]])
    np.testing.assert_array_equal(maps["average"], [[0.0, -1.75], [-1.25, -0.5]])
    np.testing.assert_allclose(maps["L2"], np.sqrt([[20, 19], [31, 6]]), rtol=1e-15)
    # gradients of the pooled sum: max picks one cell per window, average 1/4, L2 x / norm
    assert grads["max"].sum() == 4 and set(np.unique(grads["max"])) == {0.0, 1.0}
    np.testing.assert_array_equal(grads["average"], np.full((4, 4), 0.25))
    assert grads["L2"][0, 0] == pytest.approx(3 / np.sqrt(20), abs=1e-15)
    assert grads["L2"][3, 2] == pytest.approx(-2 / np.sqrt(6), abs=1e-15)
    assert r["largest_difference"] == 0.0 and r["ordered"]
    change = r["shift_change"]      # measured (50 maps): 0.662 unpooled, 0.537 max
    assert change["max"] < change["L2"] < change["average"] < change["no pooling"] - 0.05
