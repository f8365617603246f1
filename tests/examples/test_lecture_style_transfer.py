"""Lecture 18 (examples/lectures/style_transfer.py) on its quick budget: the Gram matrix by
hand, textures whose style loss falls and that a different random network tells apart, and
the alpha/beta sweep trading content for style."""

import numpy as np
import pytest

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.test_lectures_advanced import assert_figures, run

pytest.importorskip("scipy")
pytest.importorskip("skimage")
pytest.importorskip("matplotlib")


def test_style_transfer_lecture_quick(tmp_path):
    r = run("style_transfer", tmp_path)
    assert_same_as_full_run("style_transfer", r)
    assert_figures(tmp_path, "textures.png", "texture_loss.png", "gram_distance.png",
                   "alpha_beta.png")
    by_hand, by_lamina = r["gram"]
    np.testing.assert_array_equal(by_hand, [[1.5, 0.75], [0.75, 0.75]])
    np.testing.assert_array_equal(by_lamina, by_hand)
    # quick: 32x32, 30 L-BFGS iterations; measured falls 99.97% / 99.92% / 98.7%
    assert all(fall < 0.05 for fall in r["texture_fall"].values())
    assert r["nearest"] == {"brick": "brick", "grass": "grass", "gravel": "gravel"}
    distance = r["distance"]
    assert np.all(np.diag(distance) * 10 < np.min(distance + np.eye(3) * 1e9, axis=1))
    sweep = r["sweep"]  # alpha/beta 1e-2, 1e-3, 1e-4: content loss up, style loss down
    content = [sweep[k]["content_loss"] for k in (1e-2, 1e-3, 1e-4)]
    style = [sweep[k]["style_loss"] for k in (1e-2, 1e-3, 1e-4)]
    assert content[0] < content[1] < content[2] and style[0] > style[1] > style[2]
    text = (tmp_path / "summary.txt").read_text()
    assert "by hand: [[1.5, 0.75], [0.75, 0.75]]" in text and "nearest sample: gravel" in text
