import numpy as np
import pytest

from lamina.viz import confusion_matrix, plot_confusion_matrix

Y_TRUE = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2])


def test_counts_and_normalizations():
    expected = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 3]])
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), expected)
    np.testing.assert_allclose(confusion_matrix(Y_TRUE, Y_PRED, normalize=True),
                               expected / expected.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(confusion_matrix(Y_TRUE, Y_PRED, normalize="pred"),
                               expected / expected.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(confusion_matrix(Y_TRUE, Y_PRED, normalize="all").sum(), 1.0)
    one_hot = np.eye(3)[Y_TRUE]
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.05
    np.testing.assert_array_equal(confusion_matrix(one_hot, probabilities), expected)
    # one sigmoid output per example: class 1 above 0.5
    np.testing.assert_array_equal(confusion_matrix([0, 1, 1], [[0.2], [0.7], [0.4]]),
                                  [[1, 0], [1, 1]])
    np.testing.assert_array_equal(confusion_matrix([0, 1], [0, 1], n_classes=4).shape, (4, 4))


def test_plot_cells_labels_and_title():
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog", "bird"])
    ax, colorbar = fig.axes
    assert ax.images[0].get_array().tolist() == [[1, 1, 0], [0, 2, 1], [1, 0, 3]]
    assert [t.get_text() for t in ax.texts] == ["1", "1", "0", "0", "2", "1", "1", "0", "3"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == "Confusion matrix (accuracy 0.667)"
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize=True)
    ax = fig.axes[0]
    assert ax.texts[4].get_text() == "0.67" and "rows sum to 1" in ax.get_title()


def test_bad_labels():
    with pytest.raises(ValueError, match="normalize must be False, True, 'true', 'pred'"):
        confusion_matrix(Y_TRUE, Y_PRED, normalize="rows")
    with pytest.raises(ValueError, match="y_true has 9 examples but y_pred has 2"):
        confusion_matrix(Y_TRUE, [0, 1])
    with pytest.raises(ValueError, match="must hold class indices"):
        confusion_matrix([-1, 0], [0, 0])
