"""The feature network of style transfer: a functional model with one output per layer used.

Gatys et al. read content and style from a VGG19 trained on ImageNet. No ImageNet weights can
be downloaded here, so the default network has **random filters**: Ustyuzhaninov et al.
(2017, "What does it take to generate natural textures?") showed that the Gram matrices of
random convolutional filters at several scales synthesize textures that rival VGG's, and He,
Wang & Hopcroft (2016) transferred style with a random-weight VGG. The random network here
has VGG's shape and names: blocks of two 3x3 ReLU convolutions (He-normal filters drawn from
``seed``, zero biases), each block ending in a 2x2 average pool (Gatys's choice for
generating images), so its blocks see the image at 1, 1/2, 1/4, 1/8 of its size. Images
enter it as ``4 * (x - 0.5)``, so that its features (and the losses) are of order 1.

With ``weights=`` the path of a Keras VGG19 ``.h5`` file (``vgg19_weights_tf_dim_ordering_tf_
kernels_notop.h5``), the same code runs Gatys's recipe: content from ``block4_conv2``, style
from ``block1_conv1`` ... ``block5_conv1``, inputs in Keras's "caffe" preprocessing.

Example:
    >>> net = feature_network(channels=3, seed=0)
    >>> net.content_layers, net.style_layers[:2]
    (['block4_conv2'], ['block1_conv1', 'block2_conv1'])
    >>> sorted(net.model.output_names)[:2]
    ['block1_conv1', 'block2_conv1']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from lamina.autograd import Tensor
from lamina.autograd import ops as F
from lamina.initializers import HeNormal, Zeros
from lamina.layers import AveragePooling2D, Conv2D, Input
from lamina.models import Model

__all__ = ["FeatureNetwork", "feature_network", "VGG_MEAN_BGR"]

#: the ImageNet channel means Keras's VGG "caffe" preprocessing subtracts (B, G, R, 0-255)
VGG_MEAN_BGR = (103.939, 116.779, 123.68)
_VGG_STYLE = [f"block{b}_conv1" for b in range(1, 6)]


@dataclass
class FeatureNetwork:
    """A frozen multi-output ``model`` (dict outputs keyed by layer name), the layers whose
    features are the content and the style, and how an image in [0, 1] enters the model."""

    model: Model
    content_layers: list
    style_layers: list
    channels: int
    kind: str  # "random" or "vgg19"

    def preprocess(self, image: Tensor) -> Tensor:
        """Images in [0, 1], (batch, H, W, C), as the network's input (differentiable)."""
        if self.kind == "vgg19":  # Keras's caffe mode: RGB -> BGR, 0-255, minus the means
            flip = numpy.zeros((3, 3), image.dtype)
            flip[[0, 1, 2], [2, 1, 0]] = 255.0
            return F.matmul(image, Tensor(flip)) - numpy.asarray(VGG_MEAN_BGR, image.dtype)
        return (image - 0.5) * 4.0  # about [-2, 2]: features, Grams and losses of order 1

    def features(self, image: Tensor) -> dict:
        """The outputs of the model for ``image`` in [0, 1]: ``{layer name: features}``."""
        return self.model(self.preprocess(image))


def _check_layers(where, names, known, what):
    names = list(names)
    unknown = [n for n in names if n not in known]
    if not names or unknown:
        raise ValueError(f"{where}: {what} must name layers of the network, among {known}; "
                         f"received {names}")
    return names


def _random_model(channels, filters, seed, convs_per_block):
    image = Input(shape=(None, None, channels), name="image")
    x, taps = image, {}
    for b, width in enumerate(filters, start=1):
        for i in range(1, convs_per_block + 1):
            name = f"block{b}_conv{i}"
            x = Conv2D(width, 3, padding="same", activation="relu", name=name,
                       kernel_initializer=HeNormal(seed=seed * 1000 + b * 10 + i),
                       bias_initializer=Zeros())(x)
            taps[name] = x
        if b < len(filters):
            x = AveragePooling2D(2, name=f"block{b}_pool")(x)
    return image, taps


def _vgg19_model(weights):
    from lamina.applications import VGG19

    vgg = VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))
    taps = {layer.name: layer._inbound_nodes[0].output for layer in vgg.layers
            if layer.name.startswith("block") and "_conv" in layer.name}
    return vgg.inputs[0], taps


def feature_network(channels: int = 3, weights=None, seed: int = 0,
                    filters=(32, 64, 128, 128), content_layers=None, style_layers=None,
                    convs_per_block: int = 2) -> FeatureNetwork:
    """The feature network of style transfer and texture synthesis.

    Args:
        channels: of the images (1 gray, 3 RGB); VGG19 weights need 3.
        weights: None (random filters from ``seed``) or the path of a Keras VGG19 ``.h5``
            weights file (with or without the top).
        seed: the random filters' seed (random network only).
        filters: the widths of the blocks of the random network (one block per entry).
        content_layers: default the last block's second convolution (``block4_conv2`` with
            four blocks, Gatys's layer of VGG19).
        style_layers: default the first convolution of every block (Gatys's
            ``block1_conv1`` ... ``block5_conv1``).
        convs_per_block: convolutions per block of the random network (at least 2 if the
            content layer is the default).

    Returns a :class:`FeatureNetwork` whose model is frozen (``trainable=False``): only the
    image gets gradients.
    """
    where = "feature_network"
    if isinstance(channels, bool) or channels not in (1, 3):
        raise ValueError(f"{where}: channels must be 1 (gray) or 3 (RGB); received "
                         f"channels={channels!r}")
    if weights is not None:
        if channels != 3:
            raise ValueError(f"{where}: VGG19 weights take RGB images (channels=3); received "
                             f"channels={channels}. Convert the images to RGB")
        image, taps = _vgg19_model(weights)
        kind = "vgg19"
        default_content, default_style = ["block4_conv2"], _VGG_STYLE
    else:
        filters = tuple(filters)
        if not filters or any(isinstance(f, bool) or not isinstance(f, int) or f < 1
                              for f in filters):
            raise ValueError(f"{where}: filters must be positive ints, one per block; "
                             f"received filters={filters!r}")
        if isinstance(convs_per_block, bool) or convs_per_block not in range(1, 5):
            raise ValueError(f"{where}: convs_per_block must be 1 to 4; received "
                             f"{convs_per_block!r}")
        image, taps = _random_model(channels, filters, seed, convs_per_block)
        kind = "random"
        last = f"block{len(filters)}_conv{min(2, convs_per_block)}"
        default_content = [last]
        default_style = [f"block{b}_conv1" for b in range(1, len(filters) + 1)]
    known = list(taps)
    content = _check_layers(where, content_layers or default_content, known, "content_layers")
    style = _check_layers(where, style_layers or default_style, known, "style_layers")
    used = sorted(set(content) | set(style), key=known.index)
    model = Model(image, {name: taps[name] for name in used}, name=f"{kind}_features")
    model.trainable = False
    return FeatureNetwork(model, content, style, channels, kind)
