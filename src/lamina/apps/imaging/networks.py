"""The four image-to-image networks, each small and fully convolutional (any image size).

* :func:`denoiser`: DnCNN (Zhang et al. 2017): a plain stack of 3x3 convolutions with batch
  norm and ReLU that predicts the *noise* (residual learning), subtracted from the input;
  one model for every noise level in [5, 55]/255 (blind). Gray ``(H, W, 1)`` in and out.
* :func:`super_resolver`: ESPCN (Shi et al. 2016): convolutions at the low resolution, then
  a sub-pixel convolution (``DepthToSpace``) to twice the size, added to the nearest-neighbour
  enlargement of the input (so the network learns only the detail). Gray ``(h, w, 1)`` in,
  ``(2h, 2w, 1)`` out.
* :func:`colorizer`: a U-Net-like encoder-decoder (stride-2 stages down, transposed
  convolutions back up, skip connections by concatenation) from the luma ``Y`` (BT.601, in
  [0, 1]) to the two chroma channels ``(Cb, Cr)``; a fixed 1x1 convolution turns them into
  RGB offsets with zero luma, added to ``Y``: RGB out, whose luma is exactly the input.
* :func:`inpainter`: the same encoder-decoder one stage deeper, correcting a classical fill.
  Its input has two channels, the image with the hole filled biharmonically
  (:func:`.pairs.biharmonic`) and the mask (1 in the hole); its output keeps the known pixels
  and changes only the hole: ``filled + correction * mask``. Gray in and out. (Drawing the
  hole from zeros, the same network reached 20.25 dB over the hole of the test crops after
  1,792 steps of L1, below the biharmonic fill's 21.41: a smooth fill is most of the answer,
  and learning it from scratch used the whole budget. Correcting the fill it reached 21.18
  after 896 steps on scikit-image's photographs, mostly text, textures, cells and the moon:
  +0.34 dB over the fill on held-out crops of those, -0.23 on the test photographs. 768 more
  steps on textured crops of photographs of scenes, scikit-learn's two among them, give
  22.17: +0.76 over the fill on the test crops, +0.87 on fresh crops of the training
  photographs.)

The fixed convolutions (``trainable=False``, weights set at build) are how a network here
picks channels apart or mixes them by a known matrix; they are saved with the model.

Sizes: the colorizer needs H and W divisible by 4, the inpainter by 8 (the callers pad).
"""

from __future__ import annotations

from lamina.layers import (
    Activation,
    Add,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    DepthToSpace,
    Input,
    Multiply,
    Subtract,
    UpSampling2D,
)
from lamina.models import Model

__all__ = ["denoiser", "super_resolver", "colorizer", "inpainter", "BUILDERS"]


def _conv(x, filters, kernel=3, strides=1, activation="relu", name=None):
    return Conv2D(filters, kernel, strides=strides, padding="same", activation=activation,
                  name=name)(x)


def denoiser(depth: int = 8, filters: int = 32) -> Model:
    """DnCNN: conv+ReLU, ``depth - 2`` x (conv, batch norm, ReLU), conv to the noise;
    returns ``noisy - noise``. Input and output ``(None, H, W, 1)`` in [0, 1].

    (Dilating the middle convolutions 1-2-3-4-3-2 as IRCNN does, for a receptive field of 33
    instead of 17 at the same cost, trained worse in the same budget: 27.12 dB at sigma 25
    and 23.84 at sigma 50 after 15 of 20 rounds, against 27.82 and 24.34 (one pass, without the
    test-time passes of :mod:`.ensemble`). FFDNet's layout -
    ``SpaceToDepth(2)``, 10 layers of 64 filters at half resolution, ``DepthToSpace(2)``:
    a receptive field of 47 at about the same cost, 301,636 parameters - learned slower:
    26.9 dB on held-out training crops after 7 of 20 rounds, where this network ends at 29.6;
    on the test crops then 25.87 / 28.73 / 21.93 dB at sigma 25 / 15 / 50.)"""
    noisy = Input((None, None, 1), name="noisy")
    h = _conv(noisy, filters)
    for _ in range(depth - 2):
        h = Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = BatchNormalization(momentum=0.9)(h)
        h = Activation("relu")(h)
    # zeros: the network starts as the identity (a random last layer adds noise of std ~1)
    noise = Conv2D(1, 3, padding="same", kernel_initializer="zeros", name="noise")(h)
    return Model(noisy, Subtract(name="clean")([noisy, noise]), name="denoiser")


def super_resolver(scale: int = 2, filters: int = 48, depth: int = 5) -> Model:
    """ESPCN with a global residual: 5x5 conv, ``depth - 1`` 3x3 convs at the low resolution,
    a 3x3 conv to ``scale**2`` channels, ``DepthToSpace(scale)``, plus the nearest-neighbour
    enlargement. Input ``(None, h, w, 1)``, output ``(None, h * scale, w * scale, 1)``."""
    low = Input((None, None, 1), name="low_resolution")
    h = _conv(low, 64, kernel=5)
    for _ in range(depth - 1):
        h = _conv(h, filters)
    detail = DepthToSpace(scale, name="sub_pixel")(_conv(h, scale * scale, activation=None))
    coarse = UpSampling2D(scale, name="nearest")(low)
    return Model(low, Add(name="high_resolution")([coarse, detail]), name="super_resolver")


#: YCbCr (BT.601, Cb and Cr centred at 0) to RGB: the RGB change of one unit of Cb and Cr
CHROMA_TO_RGB = ((0.0, -0.344136, 1.772), (1.402, -0.714136, 0.0))


def _fixed_conv(x, matrix, name):
    """A 1x1 convolution by ``matrix`` (in channels x out channels) that training leaves."""
    import numpy

    kernel = numpy.asarray(matrix, dtype="float32")
    layer = Conv2D(kernel.shape[1], 1, use_bias=False, trainable=False, name=name)
    y = layer(x)
    layer.set_weights([kernel.reshape(1, 1, *kernel.shape)])
    return y


def _encoder_decoder(x, widths):
    """Two convs per stage; stride-2 convs down, transposed convs up, skips concatenated."""
    skips = []
    h = x
    for i, width in enumerate(widths):
        if i:
            h = _conv(h, width, strides=2)
        h = _conv(h, width)
        skips.append(h)
    for width, skip in zip(widths[-2::-1], skips[-2::-1]):
        h = Conv2DTranspose(width, 2, strides=2, padding="same", activation="relu")(h)
        h = Concatenate()([h, skip])
        h = _conv(h, width)
    return h


def colorizer(widths=(32, 64, 128)) -> Model:
    """Luma ``(None, H, W, 1)`` -> RGB ``(None, H, W, 3)`` with that luma; H, W divisible
    by 4."""
    luma = Input((None, None, 1), name="luma")
    chroma = Conv2D(2, 1, kernel_initializer="zeros", name="chroma")(
        _encoder_decoder(luma, widths))  # starts as the gray image
    offset = _fixed_conv(chroma, CHROMA_TO_RGB, "chroma_to_rgb")
    gray = Concatenate(name="gray_rgb")([luma, luma, luma])
    return Model(luma, Add(name="rgb")([gray, offset]), name="colorizer")


def inpainter(widths=(32, 48, 64, 96)) -> Model:
    """``(None, H, W, 2)``: the image with the hole filled biharmonically, and the mask (1 in
    the hole) -> ``(None, H, W, 1)``, that fill corrected in the hole; H, W divisible by 8."""
    pair = Input((None, None, 2), name="filled_and_mask")
    filled = _fixed_conv(pair, ((1.0,), (0.0,)), "biharmonic")
    mask = _fixed_conv(pair, ((0.0,), (1.0,)), "mask")
    # zeros: the network starts as the biharmonic fill
    correction = Conv2D(1, 3, padding="same", kernel_initializer="zeros", name="correction")(
        _encoder_decoder(pair, widths))
    in_hole = Multiply(name="in_hole")([correction, mask])
    return Model(pair, Add(name="inpainted")([filled, in_hole]), name="inpainter")


#: task name -> builder
BUILDERS = {"denoise": denoiser, "upscale": super_resolver, "colorize": colorizer,
            "inpaint": inpainter}
