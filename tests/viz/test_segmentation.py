import numpy as np
import pytest

from lamina.viz import plot_segmentation


def test_three_columns_per_row_with_accuracy_titles_and_a_legend():
    rng = np.random.default_rng(0)
    images = rng.random((2, 8, 8, 3))
    truth = rng.integers(0, 3, (2, 8, 8))
    scores = np.eye(3)[truth]
    scores[0, 0, 0] = [0, 0, 1] if truth[0, 0, 0] != 2 else [1, 0, 0]   # one wrong pixel
    fig = plot_segmentation(images, truth, scores, class_names=["bg", "a", "b"], title="t")
    axes = fig.axes
    assert len(axes) == 6
    assert axes[0].get_title() == "image" and axes[1].get_title() == "truth"
    assert axes[2].get_title() == "prediction (98.4% of pixels right)"   # 63 of 64
    assert axes[5].get_title() == "prediction (100.0% of pixels right)"
    np.testing.assert_array_equal(axes[4].images[0].get_array(), truth[1])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["bg", "a", "b"]


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="same n images"):
        plot_segmentation(np.zeros((2, 4, 4)), np.zeros((2, 4, 4), int), np.zeros((1, 4, 4), int))
