"""The losses of neural style transfer (Gatys, Ecker & Bethge, 2016), built from engine ops.

For a layer ``l`` with ``N_l`` channels and ``M_l = height * width`` positions, write its
features as a matrix ``F`` of shape ``(M_l, N_l)``:

* **Gram matrix** ``G = F^T F / M_l``: which channels fire together, averaged over the
  image; the positions are summed out, so it keeps the texture and forgets the layout;
* **content loss** ``1/2 * sum((F - P)^2)``, ``P`` the content image's features (Gatys's
  eq. 1);
* **style loss** ``sum_l w_l * sum((G_l - A_l)^2) / (4 N_l^2)``, ``A_l`` the style image's
  Gram matrices (Gatys's eqs. 4-5: with the unnormalised Gram ``F^T F`` the divisor is
  ``4 N_l^2 M_l^2``, which is this);
* **total variation** ``sum(((x[i+1, j] - x[i, j])^2 + (x[i, j+1] - x[i, j])^2) ** (p/2))``,
  the smoothness prior of the Keras example (``p = 2.5``, its ``1.25`` power of squares).

Every function takes and returns :class:`~lamina.autograd.Tensor` s, so ``backward`` reaches
the image; none holds derivative code (the engine's ops do).

Example (the Gram matrix of a 2x2 image with 2 channels, by hand):
    >>> import numpy as np
    >>> from lamina.autograd import Tensor
    >>> x = Tensor(np.array([[[[1., 0.], [2., 1.]], [[0., 1.], [1., 1.]]]]))
    >>> gram_matrix(x).data[0]      # F^T F / 4, F rows (1,0) (2,1) (0,1) (1,1)
    array([[1.5 , 0.75],
           [0.75, 0.75]])
"""

from __future__ import annotations

from lamina.autograd import Tensor
from lamina.autograd import ops as F

__all__ = ["content_loss", "gram_matrix", "style_loss", "style_layer_loss",
           "total_variation_loss"]


def _check_features(x, where: str):
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{where}: features must have shape (batch, height, width, "
                         f"channels); received shape {x.shape}")
    return x


def gram_matrix(features) -> Tensor:
    """``F^T F / (height * width)`` per image: (batch, H, W, C) features give (batch, C, C)."""
    x = _check_features(features, "gram_matrix")
    n, h, w, c = x.shape
    flat = F.reshape(x, (n, h * w, c))
    return F.matmul(F.transpose(flat, (0, 2, 1)), flat) / float(h * w)


def content_loss(features, target) -> Tensor:
    """Gatys's content loss ``1/2 * sum((features - target)^2)`` (a scalar tensor)."""
    x = _check_features(features, "content_loss")
    if tuple(x.shape) != tuple(target.shape):
        raise ValueError(f"content_loss: features of shape {x.shape} and target of shape "
                         f"{tuple(target.shape)} differ; the generated and the content image "
                         "must have the same size")
    return 0.5 * F.sum((x - target) ** 2)


def style_layer_loss(features, target_gram) -> Tensor:
    """One layer's style loss ``sum((G - A)^2) / (4 N^2)``, ``G`` the Gram matrix of
    ``features`` (batch, H, W, N) and ``A`` the target Gram matrix (batch or 1, N, N)."""
    x = _check_features(features, "style_loss")
    channels = x.shape[-1]
    if tuple(target_gram.shape[-2:]) != (channels, channels):
        raise ValueError(f"style_loss: features with {channels} channels need a target Gram "
                         f"matrix of shape (..., {channels}, {channels}); received "
                         f"{tuple(target_gram.shape)}")
    return F.sum((gram_matrix(x) - target_gram) ** 2) / float(4 * channels * channels)


def style_loss(features: list, target_grams: list, weights=None) -> Tensor:
    """``sum_l w_l * style_layer_loss(features[l], target_grams[l])``; ``weights`` default
    to ``1 / L`` each, as Gatys's ``w_l``."""
    if len(features) != len(target_grams) or not features:
        raise ValueError(f"style_loss: needs one target Gram matrix per feature map; received "
                         f"{len(features)} feature maps and {len(target_grams)} targets")
    weights = [1.0 / len(features)] * len(features) if weights is None else list(weights)
    if len(weights) != len(features):
        raise ValueError(f"style_loss: {len(weights)} weights for {len(features)} layers")
    total = None
    for w, x, a in zip(weights, features, target_grams):
        term = style_layer_loss(x, a) * float(w)
        total = term if total is None else total + term
    return total


def total_variation_loss(image, power: float = 2.5) -> Tensor:
    """``sum((dx^2 + dy^2) ** (power / 2))`` over the pixels of (batch, H, W, C) images,
    ``dx``/``dy`` the differences to the right and lower neighbour (the Keras example's
    prior with ``power=2.5``; ``power=2`` is the plain sum of squared differences)."""
    x = _check_features(image, "total_variation_loss")
    if x.shape[1] < 2 or x.shape[2] < 2:
        raise ValueError(f"total_variation_loss: the image must be at least 2x2; received "
                         f"shape {x.shape}")
    corner = F.getitem(x, (slice(None), slice(None, -1), slice(None, -1)))
    down = F.getitem(x, (slice(None), slice(1, None), slice(None, -1))) - corner
    right = F.getitem(x, (slice(None), slice(None, -1), slice(1, None))) - corner
    squares = down ** 2 + right ** 2
    return F.sum(squares if power == 2 else squares ** (power / 2.0))
