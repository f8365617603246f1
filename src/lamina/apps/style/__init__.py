"""Neural style transfer and texture synthesis (Gatys, Ecker & Bethge), on lamina.

* :mod:`~lamina.apps.style.losses`: ``gram_matrix``, ``content_loss``, ``style_loss``,
  ``total_variation_loss``, built from engine ops;
* :mod:`~lamina.apps.style.network`: the feature network, random filters by default
  (Ustyuzhaninov et al. 2017), Keras's VGG19 with ``weights=``;
* :mod:`~lamina.apps.style.optimize`: the objective and its optimizers (L-BFGS, Adam) over
  the pixels;
* :mod:`~lamina.apps.style.synthesis`: :func:`transfer` and :func:`texture`;
* :mod:`~lamina.apps.style.images`: reading and writing images (Pillow), ``skimage:NAME``.

The command line: ``lamina style transfer CONTENT STYLE OUT`` and
``lamina style texture SAMPLE OUT``; the lecture: ``lamina lecture run style_transfer``.
"""

from lamina.apps.style.images import check_image, load_image, resize, save_image
from lamina.apps.style.losses import (
    content_loss,
    gram_matrix,
    style_layer_loss,
    style_loss,
    total_variation_loss,
)
from lamina.apps.style.network import FeatureNetwork, feature_network
from lamina.apps.style.optimize import Objective, run
from lamina.apps.style.synthesis import StyleResult, texture, transfer

__all__ = ["FeatureNetwork", "Objective", "StyleResult", "check_image", "content_loss",
           "feature_network", "gram_matrix", "load_image", "resize", "run", "save_image",
           "style_layer_loss", "style_loss", "texture", "total_variation_loss", "transfer"]
