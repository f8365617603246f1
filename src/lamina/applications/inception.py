"""InceptionV1, GoogLeNet as published (Szegedy et al. 2014, Table 1)."""

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
from lamina.layers import Concatenate, Conv2D, Dense, Dropout, GlobalAveragePooling2D, MaxPooling2D
from lamina.models import Model

# Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
MODULES = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


def _conv(x, filters, size, name, strides=1):
    return Conv2D(filters, size, strides=strides, padding="same", activation="relu",
                  name=name)(x)


def inception_module(x, filters, name, alpha=1.0):
    """One Inception module: 1x1 | 1x1-3x3 | 1x1-5x5 | 3x3 max pool-1x1, concatenated on
    the channel axis. ``filters`` is a row of Table 1."""
    f1, r3, f3, r5, f5, fp = (width(f, alpha) for f in filters)
    b1 = _conv(x, f1, 1, f"inception_{name}_1x1")
    b3 = _conv(_conv(x, r3, 1, f"inception_{name}_3x3_reduce"), f3, 3, f"inception_{name}_3x3")
    b5 = _conv(_conv(x, r5, 1, f"inception_{name}_5x5_reduce"), f5, 5, f"inception_{name}_5x5")
    bp = MaxPooling2D(3, strides=1, padding="same", name=f"inception_{name}_pool")(x)
    bp = _conv(bp, fp, 1, f"inception_{name}_pool_proj")
    return Concatenate(axis=-1, name=f"inception_{name}_output")([b1, b3, b5, bp])


def InceptionV1(include_top=True, weights=None, input_tensor=None,  # noqa: N802
                input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v1", *, alpha=1.0, stem="imagenet"):
    """InceptionV1: GoogLeNet as in Szegedy et al. 2014, Table 1, without the auxiliary
    classifiers: 6,998,552 parameters at 224x224x3 with 1000 classes (5,973,552 without
    the top).

    The paper's Table 1 counts weights only (6.8M); the difference is the biases. The
    variant: every convolution has a bias and ReLU, no batch norm (that came with
    Inception v2), local response normalization left out (it has no parameters), the
    two auxiliary classifiers (used only in training) left out, the 5x5 branch really 5x5
    (torchvision's ``googlenet`` uses 3x3 there), max pools with ``same`` padding (224 ->
    112 -> 56 -> 28 -> 14 -> 7), and the 7x7 average pool written as global average
    pooling, then dropout 0.4 and ``predictions``. Keras has no InceptionV1 and no weights.

    Args:
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name: as Keras's applications (see
            :func:`lamina.applications.VGG16`).
        alpha: width multiplier for every convolution.
        stem: ``'imagenet'`` (7x7/2 convolution, pool, 1x1 and 3x3 convolutions, pool: 224 ->
            28) or ``'cifar'`` (the same convolutions, 3x3 instead of 7x7, stride 1, and only
            the second pool: 28 -> 14 -> 7 -> 4) for 28x28 or 32x32 inputs.
    """
    where = "InceptionV1"
    check_args(where, weights, include_top, classes, classifier_activation, pooling)
    check_alpha(where, alpha)
    if stem not in ("imagenet", "cifar"):
        raise ValueError(f"{where}: `stem` must be 'imagenet' or 'cifar'; received stem={stem!r}")
    shape = input_shape_of(where, input_shape, input_tensor, (224, 224, 3),
                           32 if stem == "imagenet" else 8, include_top, weights)
    inputs, x = model_input(where, shape, input_tensor)
    w = lambda n: width(n, alpha)  # noqa: E731
    if stem == "imagenet":
        x = _conv(x, w(64), 7, "conv1_7x7", strides=2)
        x = MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    else:
        x = _conv(x, w(64), 3, "conv1_3x3")
    x = _conv(x, w(64), 1, "conv2_3x3_reduce")
    x = _conv(x, w(192), 3, "conv2_3x3")
    x = MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    for key in MODULES:
        if key in ("4a", "5a"):
            x = MaxPooling2D(3, strides=2, padding="same", name=f"pool{key[0]}")(x)
        x = inception_module(x, MODULES[key], key, alpha)
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        x = Dropout(0.4, name="dropout")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pool(x, pooling)
    return finish(Model(inputs, x, name=name), weights)
