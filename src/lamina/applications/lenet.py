"""LeNet-5 (LeCun et al. 1998) and AlexNet (Krizhevsky et al. 2012)."""

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
from lamina.layers import (
    AveragePooling2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPooling2D,
    ZeroPadding2D,
)
from lamina.models import Model


def LeNet5(include_top=True, weights=None, input_tensor=None, input_shape=None,  # noqa: N802
           pooling=None, classes=10, classifier_activation="softmax", name="lenet5", *,
           alpha=1.0):
    """LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998) with full connections and plain pooling.

    ``C1`` 6 5x5 convolutions - ``S2`` 2x2 average pool - ``C3`` 16 5x5 convolutions - ``S4``
    2x2 average pool - ``C5`` 120 units - ``F6`` 84 units - ``predictions``, tanh throughout.
    The variant: C3 sees all six S2 maps (the paper connects each to a subset), S2/S4 are
    parameter-free averages (the paper's have a trainable weight and bias per map), and the
    output is a softmax layer (the paper's is RBF units). 61,706 parameters with 10 classes
    (the paper reports "60,000 trainable parameters" for its sparser C3).

    Inputs smaller than 32x32 (Fashion-MNIST's 28x28) are zero-padded to 32x32 by a layer
    ``pad``, as the paper padded 28x28 MNIST digits to 32x32.

    Args:
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name: as Keras's applications (see
            :func:`lamina.applications.VGG16`); default input ``(32, 32, 1)``, 10 classes.
            Without the top the output is S4's 5x5x16 maps (or their pooling).
        alpha: width multiplier for every layer.
    """
    where = "LeNet5"
    check_args(where, weights, include_top, classes, classifier_activation, pooling)
    check_alpha(where, alpha)
    shape = input_shape_of(where, input_shape, input_tensor, (32, 32, 1), 1, include_top,
                           weights)
    inputs, x = model_input(where, shape, input_tensor)
    if shape[0] is not None and shape[1] is not None and min(shape[:2]) < 32:
        ph, pw = max(0, 32 - shape[0]), max(0, 32 - shape[1])
        x = ZeroPadding2D(((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)), name="pad")(x)
    x = Conv2D(width(6, alpha), 5, activation="tanh", name="c1")(x)
    x = AveragePooling2D(2, name="s2")(x)
    x = Conv2D(width(16, alpha), 5, activation="tanh", name="c3")(x)
    x = AveragePooling2D(2, name="s4")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dense(width(120, alpha), activation="tanh", name="c5")(x)
        x = Dense(width(84, alpha), activation="tanh", name="f6")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pool(x, pooling)
    return finish(Model(inputs, x, name=name), weights)


def AlexNet(include_top=True, weights=None, input_tensor=None, input_shape=None,  # noqa: N802
            pooling=None, classes=1000, classifier_activation="softmax", name="alexnet", *,
            alpha=1.0, groups=2):
    """AlexNet (Krizhevsky, Sutskever & Hinton 2012) in one model: 60,965,224 parameters at
    227x227x3 with 1000 classes, the paper's "60 million" (2,334,080 without the top).

    ``conv1`` 96 11x11/4 - 3x3/2 max pool - ``conv2`` 256 5x5 - pool - ``conv3`` 384 3x3 -
    ``conv4`` 384 3x3 - ``conv5`` 256 3x3 - pool - ``fc6`` 4096 - ``fc7`` 4096 -
    ``predictions``, ReLU, dropout 0.5 before ``fc6`` and ``fc7``, input 227x227 (the size
    at which the paper's arithmetic works). The paper split the network over two GPUs:
    conv2, conv4 and conv5 see only the half of their input computed on their own GPU,
    conv3 and the dense layers see everything. That is a grouped convolution, so one tower
    with ``groups=2`` on conv2, conv4 and conv5 computes the same function with the same
    parameters; ``groups=1`` lets every convolution see all its input channels (the
    one-GPU form, 62,378,344 parameters, 1,413,120 more). Local response normalization is
    left out (it has no parameters; later work found it unnecessary). Keras has no AlexNet
    and no weights for it.

    Args:
        include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name: as Keras's applications (see
            :func:`lamina.applications.VGG16`); default input ``(227, 227, 3)``, at least
            67x67.
        alpha: width multiplier for every layer (with ``groups=2`` the widths are rounded
            to even numbers).
        groups: 2 (the paper's two towers) or 1.
    """
    where = "AlexNet"
    check_args(where, weights, include_top, classes, classifier_activation, pooling)
    check_alpha(where, alpha)
    shape = input_shape_of(where, input_shape, input_tensor, (227, 227, 3), 67, include_top,
                           weights)
    inputs, x = model_input(where, shape, input_tensor)
    if groups not in (1, 2) or isinstance(groups, bool):
        raise ValueError(f"{where}: `groups` must be 2 (the paper's two towers) or 1 (one "
                         f"tower seeing all channels); received groups={groups!r}")
    w = lambda n: groups * width(n / groups, alpha)  # noqa: E731
    x = Conv2D(w(96), 11, strides=4, activation="relu", name="conv1")(x)
    x = MaxPooling2D(3, strides=2, name="pool1")(x)
    x = Conv2D(w(256), 5, padding="same", activation="relu", groups=groups, name="conv2")(x)
    x = MaxPooling2D(3, strides=2, name="pool2")(x)
    x = Conv2D(w(384), 3, padding="same", activation="relu", name="conv3")(x)
    x = Conv2D(w(384), 3, padding="same", activation="relu", groups=groups, name="conv4")(x)
    x = Conv2D(w(256), 3, padding="same", activation="relu", groups=groups, name="conv5")(x)
    x = MaxPooling2D(3, strides=2, name="pool5")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dropout(0.5, name="drop6")(x)
        x = Dense(w(4096), activation="relu", name="fc6")(x)
        x = Dropout(0.5, name="drop7")(x)
        x = Dense(w(4096), activation="relu", name="fc7")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pool(x, pooling)
    return finish(Model(inputs, x, name=name), weights)
