"""ResNet18 and ResNet50 (He et al. 2015, v1): ResNet50 exactly as Keras builds it."""

from __future__ import annotations

from lamina.applications._common import (
    check_alpha,
    check_args,
    finish,
    input_shape_of,
    model_input,
    top,
    width,
)
from lamina.layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, ZeroPadding2D
from lamina.models import Model

_FILES = ("resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5",
          "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")


def _bn(x, name, epsilon):
    return BatchNormalization(axis=3, epsilon=epsilon, name=name)(x)


def _stem(x, stem, filters, use_bias, epsilon, where):
    """``imagenet``: 7x7/2 convolution and 3x3/2 max pool (224 -> 56); ``cifar``: one 3x3/1
    convolution and no pool, for 28x28 and 32x32 images (He et al. 2015, section 4.2)."""
    if stem == "imagenet":
        x = ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(x)
        x = Conv2D(filters, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    elif stem == "cifar":
        x = Conv2D(filters, 3, padding="same", use_bias=use_bias, name="conv1_conv")(x)
    else:
        raise ValueError(f"{where}: `stem` must be 'imagenet' or 'cifar'; received stem={stem!r}")
    x = _bn(x, "conv1_bn", epsilon)
    x = Activation("relu", name="conv1_relu")(x)
    if stem == "imagenet":
        x = ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
        x = MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    return x


def _bottleneck(x, filters, stride, conv_shortcut, name):
    """Keras's ``block1``: 1x1 (carrying the stride) - 3x3 - 1x1 (4x filters), projection
    shortcut on the first block of a stage."""
    eps = 1.001e-5
    if conv_shortcut:
        shortcut = Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = _bn(shortcut, name + "_0_bn", eps)
    else:
        shortcut = x
    x = Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = Activation("relu", name=name + "_1_relu")(_bn(x, name + "_1_bn", eps))
    x = Conv2D(filters, 3, padding="same", name=name + "_2_conv")(x)
    x = Activation("relu", name=name + "_2_relu")(_bn(x, name + "_2_bn", eps))
    x = Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = _bn(x, name + "_3_bn", eps)
    x = Add(name=name + "_add")([shortcut, x])
    return Activation("relu", name=name + "_out")(x)


def _basic(x, filters, stride, conv_shortcut, name):
    """Two 3x3 convolutions without biases (torchvision's ``BasicBlock``), projection shortcut
    where the shape changes."""
    eps = 1e-5
    if conv_shortcut:
        shortcut = Conv2D(filters, 1, strides=stride, use_bias=False, name=name + "_0_conv")(x)
        shortcut = _bn(shortcut, name + "_0_bn", eps)
    else:
        shortcut = x
    if stride != 1:
        x = ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_1_pad")(x)
    x = Conv2D(filters, 3, strides=stride, padding="valid" if stride != 1 else "same",
               use_bias=False, name=name + "_1_conv")(x)
    x = Activation("relu", name=name + "_1_relu")(_bn(x, name + "_1_bn", eps))
    x = Conv2D(filters, 3, padding="same", use_bias=False, name=name + "_2_conv")(x)
    x = _bn(x, name + "_2_bn", eps)
    x = Add(name=name + "_add")([shortcut, x])
    return Activation("relu", name=name + "_out")(x)


def _resnet(where, block, stages, expansion, stem_bias, stem_eps, include_top, weights,
            input_tensor, input_shape, pooling, classes, classifier_activation, name, alpha,
            stem, keras_files):
    check_args(where, weights, include_top, classes, classifier_activation, pooling, keras_files)
    check_alpha(where, alpha)
    shape = input_shape_of(where, input_shape, input_tensor, (224, 224, 3),
                           32 if stem == "imagenet" else 8, include_top, weights)
    inputs, x = model_input(where, shape, input_tensor)
    x = _stem(x, stem, width(64, alpha), stem_bias, stem_eps, where)
    channels = width(64, alpha)
    for s, blocks in enumerate(stages):
        filters = width(64 * 2 ** s, alpha)
        for i in range(blocks):
            stride = 2 if s > 0 and i == 0 else 1
            shortcut = i == 0 and (stride != 1 or channels != filters * expansion)
            x = block(x, filters, stride, shortcut, f"conv{s + 2}_block{i + 1}")
            channels = filters * expansion
    x = top(x, include_top, pooling, classes, classifier_activation)
    return finish(Model(inputs, x, name=name), weights)


def ResNet50(include_top=True, weights=None, input_tensor=None, input_shape=None,  # noqa: N802
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet50", *,
             alpha=1.0, stem="imagenet"):
    """ResNet50, v1, exactly Keras's ``ResNet50``: 25,636,712 parameters at 224x224x3 with
    1000 classes (23,587,712 without the top).

    The variant: ResNet v1 (He et al. 2015) with the stride on the first 1x1 convolution of
    each bottleneck (as Keras; "v1.5", torchvision's, puts it on the 3x3), every convolution
    with a bias, batch norm with ``epsilon=1.001e-5``, projection shortcuts (1x1
    convolution + batch norm) on the first block of each stage, stages of 3, 4, 6, 3
    bottlenecks of 64, 128, 256, 512 (x4 out) filters. Layers carry Keras's names
    (``conv1_conv``, ``conv2_block1_1_conv``, ..., ``avg_pool``, ``predictions``), so
    Keras's weights files load.

    Args:
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name: as Keras's (see :func:`lamina.applications.VGG16`);
            Keras's file is ``resnet50_weights_tf_dim_ordering_tf_kernels.h5``.
        alpha: width multiplier (every stage's filters times ``alpha``).
        stem: ``'imagenet'`` (7x7/2 convolution, 3x3/2 max pool) or ``'cifar'`` (one 3x3/1
            convolution, no pool) for 28x28 or 32x32 inputs.
    """
    return _resnet("ResNet50", _bottleneck, (3, 4, 6, 3), 4, True, 1.001e-5, include_top,
                   weights, input_tensor, input_shape, pooling, classes, classifier_activation,
                   name, alpha, stem, _FILES)


def ResNet18(include_top=True, weights=None, input_tensor=None, input_shape=None,  # noqa: N802
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet18", *,
             alpha=1.0, stem="imagenet"):
    """ResNet18 (He et al. 2015, Table 1), torchvision's ``resnet18`` in Keras's manners:
    11,699,112 parameters at 224x224x3 with 1000 classes (11,186,112 without the top), of
    which 11,689,512 trainable (torchvision's count, which leaves out batch norm's moving
    statistics; Keras's ``count_params`` includes them).

    The variant: ResNet v1 with basic blocks (two 3x3 convolutions, the stride on the first),
    stages of 2, 2, 2, 2 blocks of 64, 128, 256, 512 filters, convolutions without biases
    followed by batch norm (``epsilon=1e-5``), projection shortcuts (1x1 convolution + batch
    norm) where the shape changes. Keras has no ResNet18, so there are no Keras ImageNet
    weights; names follow Keras's ResNet50 scheme (``conv2_block1_1_conv``, ...).

    The arguments are :func:`ResNet50`'s. ``ResNet18(input_shape=(28, 28, 1), classes=10,
    alpha=0.25, stem='cifar')`` is a ResNet-ish network for Fashion-MNIST.
    """
    return _resnet("ResNet18", _basic, (2, 2, 2, 2), 1, False, 1e-5, include_top, weights,
                   input_tensor, input_shape, pooling, classes, classifier_activation, name,
                   alpha, stem, None)
