"""VGG16 and VGG19 (Simonyan & Zisserman 2014, configurations D and E), as Keras builds them."""

from __future__ import annotations

from lamina.applications._common import (
    check_alpha,
    check_args,
    finish,
    input_shape_of,
    model_input,
    pool,
    width,
)
from lamina.layers import Conv2D, Dense, Flatten, MaxPooling2D
from lamina.models import Model

_FILES = {16: ("vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
               "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
          19: ("vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5",
               "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")}
_CONVS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_FILTERS = (64, 128, 256, 512, 512)


def _vgg(depth, include_top, weights, input_tensor, input_shape, pooling, classes,
         classifier_activation, name, alpha, blocks):
    where = f"VGG{depth}"
    check_args(where, weights, include_top, classes, classifier_activation, pooling,
               _FILES[depth])
    check_alpha(where, alpha)
    if isinstance(blocks, bool) or blocks not in (1, 2, 3, 4, 5):
        raise ValueError(f"{where}: `blocks` must be 1 to 5 (how many of the five conv blocks "
                         f"to keep); received blocks={blocks!r}")
    shape = input_shape_of(where, input_shape, input_tensor, (224, 224, 3),
                           32 if blocks == 5 else 2 ** blocks,
                           include_top, weights)
    inputs, x = model_input(where, shape, input_tensor)
    for b, (convs, filters) in enumerate(zip(_CONVS[depth][:blocks], _FILTERS), start=1):
        for i in range(1, convs + 1):
            x = Conv2D(width(filters, alpha), (3, 3), activation="relu", padding="same",
                       name=f"block{b}_conv{i}")(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dense(width(4096, alpha), activation="relu", name="fc1")(x)
        x = Dense(width(4096, alpha), activation="relu", name="fc2")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pool(x, pooling)
    return finish(Model(inputs, x, name=name), weights)


def VGG16(include_top=True, weights=None, input_tensor=None, input_shape=None,  # noqa: N802
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16", *,
          alpha=1.0, blocks=5):
    """VGG16: configuration D of Simonyan & Zisserman (2014), Keras's ``VGG16``.

    Thirteen 3x3 ReLU convolutions (with biases, ``same`` padding) in five blocks of
    64-128-256-512-512 filters, each block ending in a 2x2 max pool, then
    ``flatten``-``fc1``(4096)-``fc2``(4096)-``predictions``. No batch norm, no dropout (as
    Keras). 138,357,544 parameters at 224x224x3 with 1000 classes; 14,714,688 without the top.
    Layers carry Keras's names (``block1_conv1`` ... ``fc2``, ``predictions``).

    Args:
        include_top: the three fully connected layers at the end.
        weights: None (random initialization) or the path of a Keras ``.h5`` weights file of
            the same architecture (e.g. Keras's ``vgg16_weights_tf_dim_ordering_tf_kernels.h5``);
            ``'imagenet'`` raises an error saying where that file is, as lamina downloads
            nothing.
        input_tensor: a symbolic tensor (from ``Input``) to build the model on.
        input_shape: ``(height, width, channels)``; default ``(224, 224, 3)`` with the top,
            ``(None, None, 3)`` (any size) without, as Keras; at least 32x32 with all five
            blocks.
        pooling: without the top, None (the 4D feature map), ``'avg'`` or ``'max'``.
        classes: the number of classes of the top.
        classifier_activation: the top's activation (``'softmax'``, None for logits, ...).
        name: the model's name.
        alpha: width multiplier (lamina's, Keras's name from MobileNet): every layer has
            ``round(alpha * filters)`` filters or units. ``alpha=1/8`` trains in minutes.
        blocks: how many of the five conv blocks to keep (e.g. 3 for 28x28 inputs).

    Example:
        >>> from lamina.applications import VGG16
        >>> VGG16().count_params()                                    # doctest: +SKIP
        138357544
        >>> small = VGG16(input_shape=(28, 28, 1), classes=10, alpha=1 / 8, blocks=3)
    """
    return _vgg(16, include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name, alpha, blocks)


def VGG19(include_top=True, weights=None, input_tensor=None, input_shape=None,  # noqa: N802
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19", *,
          alpha=1.0, blocks=5):
    """VGG19: configuration E of Simonyan & Zisserman (2014), Keras's ``VGG19``.

    As :func:`VGG16` with four convolutions (not three) in blocks 3, 4 and 5: sixteen 3x3
    convolutions. 143,667,240 parameters at 224x224x3 with 1000 classes; 20,024,384 without
    the top. The arguments are :func:`VGG16`'s.
    """
    return _vgg(19, include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name, alpha, blocks)
