"""U-Net (Ronneberger, Fischer & Brox 2015): a contracting path, an expanding path, and
skip connections that concatenate the two."""

from __future__ import annotations

from lamina.applications._common import check_alpha, check_args, finish, model_input
from lamina.layers import (
    Activation,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    MaxPooling2D,
    UpSampling2D,
)
from lamina.models import Model


def _double_conv(x, filters, name, batch_norm):
    for i in (1, 2):
        if batch_norm:
            x = Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
            x = BatchNormalization(momentum=0.9, name=f"{name}_bn{i}")(x)
            x = Activation("relu", name=f"{name}_relu{i}")(x)
        else:
            x = Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_conv{i}")(x)
    return x


def UNet(input_shape=(256, 256, 1), classes=2, include_top=True, weights=None,  # noqa: N802
         input_tensor=None, classifier_activation="softmax", name="unet", *, filters=64,
         depth=4, batch_norm=False, upsampling="transpose"):
    """U-Net, Ronneberger et al. 2015, Figure 1, with ``same`` padding: the output has the
    input's height and width, one channel per class. 31,030,658 parameters with the paper's
    ``filters=64``, ``depth=4``, one input channel and 2 classes.

    Contracting path: ``depth`` times two 3x3 ReLU convolutions then a 2x2 max pool, the
    filters doubling from ``filters``; a bottom of two 3x3 convolutions (``filters *
    2**depth``); expanding path: ``depth`` times a 2x2 up-convolution halving the filters,
    concatenation with the contracting path's maps of the same size (the skip), two 3x3
    ReLU convolutions; then a 1x1 convolution to ``classes`` channels. The variant: ``same``
    padding instead of the paper's ``valid`` (so no cropping, and the skips need no crop);
    optional batch norm after every 3x3 convolution (``batch_norm=True``: the convolutions
    lose their biases; momentum 0.9, so the moving statistics used at inference settle
    within tens of steps), which the paper did not have.

    Args:
        input_shape: ``(height, width, channels)``; height and width must be multiples of
            ``2**depth``.
        classes: output channels (per-pixel classes).
        include_top: the final 1x1 convolution ``predictions``; without it the output is the
            last 3x3 convolution's ``filters`` maps.
        weights: None, or the path of a ``.h5`` weights file of this architecture in Keras's
            layout.
        input_tensor: a symbolic tensor (from ``Input``) to build on.
        classifier_activation: the per-pixel activation of ``predictions`` (``'softmax'``,
            ``'sigmoid'`` for one class, None for logits).
        filters: the first level's filters (the paper's 64).
        depth: how many times the path halves the image (the paper's 4).
        batch_norm: batch norm after each 3x3 convolution.
        upsampling: ``'transpose'`` (a 2x2 stride-2 ``Conv2DTranspose``, the paper's
            up-convolution) or ``'nearest'`` (``UpSampling2D`` then a 2x2 convolution).

    Example:
        >>> from lamina.applications import UNet
        >>> model = UNet((64, 64, 3), classes=4, filters=16, depth=3, batch_norm=True)
        >>> model.output_shape
        (None, 64, 64, 4)
    """
    where = "UNet"
    check_args(where, weights, include_top, classes, classifier_activation, None)
    check_alpha(where, filters)
    if not isinstance(filters, int) or isinstance(filters, bool):
        raise ValueError(f"{where}: `filters` must be a positive integer; received "
                         f"filters={filters!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"{where}: `depth` must be a positive integer; received depth={depth!r}")
    if upsampling not in ("transpose", "nearest"):
        raise ValueError(f"{where}: `upsampling` must be 'transpose' or 'nearest'; received "
                         f"upsampling={upsampling!r}")
    if input_tensor is not None and input_shape is None:
        input_shape = tuple(input_tensor.shape[1:])
    shape = tuple(input_shape)
    step = 2 ** depth
    if len(shape) != 3 or any(s is None or s % step for s in shape[:2]):
        raise ValueError(f"{where}: `input_shape` must be (height, width, channels) with height "
                         f"and width multiples of 2**depth = {step}; received "
                         f"input_shape={input_shape!r}")
    inputs, x = model_input(where, shape, input_tensor)
    skips = []
    for level in range(depth):
        x = _double_conv(x, filters * 2 ** level, f"down{level + 1}", batch_norm)
        skips.append(x)
        x = MaxPooling2D(2, name=f"down{level + 1}_pool")(x)
    x = _double_conv(x, filters * 2 ** depth, "bottom", batch_norm)
    for level in reversed(range(depth)):
        n, tag = filters * 2 ** level, f"up{level + 1}"
        if upsampling == "transpose":
            x = Conv2DTranspose(n, 2, strides=2, name=f"{tag}_upconv")(x)
        else:
            x = UpSampling2D(2, name=f"{tag}_upsample")(x)
            x = Conv2D(n, 2, padding="same", name=f"{tag}_upconv")(x)
        x = Concatenate(axis=-1, name=f"{tag}_concat")([skips[level], x])
        x = _double_conv(x, n, tag, batch_norm)
    if include_top:
        x = Conv2D(classes, 1, activation=classifier_activation, name="predictions")(x)
    return finish(Model(inputs, x, name=name), weights)
