import numpy as np
import pytest
from matplotlib.figure import Figure

from lamina.callbacks import History
from lamina.viz import plot_history
from tests.viz.conftest import labelled_lines

LOGS = {"loss": [1.0, 0.5, 0.3, 0.25], "accuracy": [0.5, 0.7, 0.8, 0.85],
        "val_loss": [1.1, 0.6, 0.5, 0.55], "val_accuracy": [0.45, 0.65, 0.75, 0.7]}


def test_one_panel_per_quantity_train_and_validation():
    fig = plot_history(LOGS)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in labelled_lines(loss_ax)] == ["train", "validation"]
    np.testing.assert_array_equal(labelled_lines(loss_ax)[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(labelled_lines(loss_ax)[1].get_ydata(), LOGS["val_loss"])
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss"
    assert acc_ax.get_title() == "Accuracy"
    # the best validation epoch is marked: lowest loss (epoch 3), highest accuracy (epoch 3)
    assert loss_ax.collections[0].get_offsets()[0].tolist() == [3.0, 0.5]
    assert "epoch 3" in loss_ax.get_legend().get_texts()[-1].get_text()
    assert acc_ax.collections[0].get_offsets()[0].tolist() == [3.0, 0.75]


def test_history_object_metrics_filter_and_log_scale():
    history = History()
    history.history = {"loss": [100.0, 1.0, 0.01]}
    fig = plot_history(history, metrics="loss", title="run 1")
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and "(log scale)" in ax.get_title()
    assert len(labelled_lines(ax)) == 1
    assert fig._suptitle.get_text() == "run 1"


def test_bad_history():
    with pytest.raises(TypeError, match="expected the History returned by fit"):
        plot_history([1, 2, 3])
    with pytest.raises(ValueError, match="no 'mae' in the history; it holds loss, accuracy"):
        plot_history(LOGS, metrics=["mae"])


def test_validation_measured_every_other_epoch_is_drawn_at_those_epochs():
    logs = {"loss": [1.0, 0.5, 0.3, 0.25], "val_loss": [0.6, 0.2]}
    (ax,) = plot_history(logs, validation_epochs=[2, 4]).axes
    np.testing.assert_array_equal(labelled_lines(ax)[1].get_xdata(), [2, 4])
    assert ax.collections[0].get_offsets()[0].tolist() == [4.0, 0.2]
    assert "epoch 4" in ax.get_legend().get_texts()[-1].get_text()
    with pytest.raises(ValueError, match="names 3 epochs but the history holds 2 values"):
        plot_history(logs, validation_epochs=[1, 2, 3])
