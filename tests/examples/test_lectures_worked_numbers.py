"""The seeds' worked numbers that the lectures reproduce (issue 20), asserted as printed."""

import numpy as np
import pytest

from tests.examples.test_lectures_advanced import assert_figures, lecture


def test_seed002_network_is_a_function(tmp_path):
    module = lecture("network_function")
    r = module.main(tmp_path, quick=True)
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
