"""Pictures for the lectures (matplotlib, the ``plot`` extra: ``pip install 'lamina[plot]'``).

Every function returns the matplotlib Figure and calls ``plt.show()`` only with
``show=True``; matplotlib is imported on the first call, with the Agg backend when there
is no display.

* :func:`plot_history`: loss and metric curves per epoch, train vs validation;
* :func:`plot_filters`: the first convolution layer's kernels as images;
* :func:`plot_feature_maps`: what chosen layers output for one input;
* :func:`plot_confusion_matrix`: counts (or rates) of true vs predicted classes;
* :func:`plot_decision_boundary`: a classifier's regions over 2-D inputs;
* :func:`plot_activation_functions`: activations and their derivatives (from autograd);
* :func:`plot_optimizer_paths`: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta and
  Adam on Beale, Rosenbrock or a saddle (returns ``(fig, result)``);
* :func:`plot_segmentation`: image | true labels | predicted labels;
* :func:`plot_filter_grid`: the first layer's filters tiled into one picture;
* :func:`plot_top_patches`: a deeper layer's filters through their most exciting patches.
"""

from lamina.viz.activations import plot_activation_functions
from lamina.viz.confusion import confusion_matrix, plot_confusion_matrix
from lamina.viz.decision import plot_decision_boundary
from lamina.viz.filters import plot_feature_maps, plot_filters
from lamina.viz.functions import FUNCTIONS, TestFunction, beale, rosenbrock, saddle
from lamina.viz.history import plot_history
from lamina.viz.inside import (
    filter_grid,
    plot_filter_grid,
    plot_top_patches,
    receptive_field,
    top_patches,
)
from lamina.viz.optimizer_paths import OptimizerPath, optimize_path, plot_optimizer_paths
from lamina.viz.segmentation import plot_segmentation

__all__ = [
    "FUNCTIONS",
    "OptimizerPath",
    "TestFunction",
    "beale",
    "confusion_matrix",
    "filter_grid",
    "optimize_path",
    "plot_activation_functions",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_feature_maps",
    "plot_filter_grid",
    "plot_filters",
    "plot_history",
    "plot_optimizer_paths",
    "plot_segmentation",
    "plot_top_patches",
    "receptive_field",
    "rosenbrock",
    "saddle",
    "top_patches",
]
