"""Style transfer and texture synthesis: the whole recipe in two functions.

Example (a 64x64 brick texture from noise, in a few seconds):
    >>> from lamina.apps import style
    >>> sample = style.load_image("skimage:brick", size=64)           # doctest: +SKIP
    >>> result = style.texture(sample, steps=300, verbose=0)          # doctest: +SKIP
    >>> result.history["style_loss"][-1] / result.history["style_loss"][0] < 0.01
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy

from lamina.apps.style.images import check_image
from lamina.apps.style.network import feature_network
from lamina.apps.style.optimize import Objective, run

__all__ = ["StyleResult", "texture", "transfer"]


@dataclass
class StyleResult:
    """The generated ``image`` ((H, W, C) float32 in [0, 1]) and the ``history`` of the
    optimization (one entry per step: ``loss``, ``content_loss``, ``style_loss``,
    ``tv_loss`` when used, ``seconds``)."""

    image: numpy.ndarray
    history: dict = field(default_factory=dict)


def _network(network, channels, seed, weights):
    if network is None:
        return feature_network(channels=channels, seed=seed, weights=weights)
    if network.channels != channels:
        raise ValueError(f"style: the feature network takes {network.channels}-channel images; "
                         f"the images have {channels}")
    return network


def _start(init, shape, seed, content, where):
    if isinstance(init, str):
        if init == "noise":  # uniform noise around mid-gray, as Gatys's white noise
            rng = numpy.random.default_rng(seed)
            return (0.5 + 0.2 * (rng.random(shape) - 0.5)).astype("float32")
        if init == "content" and content is not None:
            return content.copy()
        raise ValueError(f"{where}: init must be 'noise'{', ' + repr('content') if content is not None else ''} or an image; received init={init!r}")  # noqa: E501
    start = check_image(init, where, "init")
    if start.shape != tuple(shape):
        raise ValueError(f"{where}: init has shape {start.shape}; expected {tuple(shape)}")
    return start


def transfer(content, style, alpha: float = 1.0, beta: float = 1e3, steps: int = 200,
             optimizer: str = "lbfgs", init="content", tv_weight: float = 0.0,
             network=None, weights=None, seed: int = 0, learning_rate: float = 0.02,
             verbose: int = 1, callback=None) -> StyleResult:
    """Gatys's style transfer: the image that minimizes ``alpha * L_content + beta * L_style``.

    Args:
        content: the content image, (H, W) or (H, W, C), floats in [0, 1] or uint8.
        style: the style image, of the same height, width and channels (resize it first:
            :func:`~lamina.apps.style.load_image` takes ``size=``).
        alpha, beta: the weights of content and style (the lecture's ratio alpha/beta).
        steps: iterations of the optimizer (positive).
        optimizer: ``"lbfgs"`` (SciPy's L-BFGS-B, pixels bounded to [0, 1]) or ``"adam"``.
        init: ``"content"`` (start from the content image), ``"noise"``, or an image.
        tv_weight: weight of the total-variation prior.
        network: a :func:`~lamina.apps.style.feature_network` (default: the random network
            of ``seed``, or VGG19 when ``weights`` is a Keras VGG19 ``.h5`` file).
        learning_rate: Adam's step size, in pixel units.
        verbose: 1 shows a progress bar with the losses; 0 is silent.
        callback: ``callback(step, image, parts)`` after every step.
    """
    where = "style.transfer"
    content = check_image(content, where, "the content image")
    style = check_image(style, where, "the style image")
    if content.shape[2] != style.shape[2]:
        kinds = {1: "gray (1 channel)", 3: "RGB (3 channels)"}
        raise ValueError(f"{where}: the content image is {kinds[content.shape[2]]} but the "
                         f"style image is {kinds[style.shape[2]]}; convert one of them, e.g. "
                         "a gray style to RGB with numpy.repeat(style, 3, axis=-1)")
    if content.shape[:2] != style.shape[:2]:
        raise ValueError(f"{where}: the content image is {content.shape[0]}x{content.shape[1]} "
                         f"pixels and the style image {style.shape[0]}x{style.shape[1]}; "
                         "resize them to one size first (load_image(..., size=(h, w)))")
    net = _network(network, content.shape[2], seed, weights)
    objective = Objective(net, content=content, style=style, alpha=alpha, beta=beta,
                          tv_weight=tv_weight)
    x0 = _start(init, content.shape, seed, content, where)
    image, history = run(objective, x0, steps, optimizer=optimizer,
                         learning_rate=learning_rate, verbose=verbose, callback=callback)
    return StyleResult(image, history)


def texture(sample, size=None, steps: int = 300, optimizer: str = "lbfgs", network=None,
            weights=None, seed: int = 0, tv_weight: float = 0.0, learning_rate: float = 0.02,
            verbose: int = 1, callback=None) -> StyleResult:
    """Texture synthesis (Gatys, Ecker & Bethge, 2015): from noise, the image whose Gram
    matrices match those of ``sample``.

    Args:
        sample: the texture, (H, W) or (H, W, C) in [0, 1] or uint8.
        size: (height, width) of the synthesized texture (default the sample's).
        steps, optimizer, network, weights, seed, tv_weight, learning_rate, verbose,
            callback: as :func:`transfer`; ``seed`` draws both the network and the noise.
    """
    where = "style.texture"
    sample = check_image(sample, where, "the texture sample")
    height, width = sample.shape[:2] if size is None else (int(size[0]), int(size[1]))
    if min(height, width) < 8:
        raise ValueError(f"{where}: size must be at least 8x8; received {size!r}")
    net = _network(network, sample.shape[2], seed, weights)
    objective = Objective(net, style=sample, beta=1.0, tv_weight=tv_weight)
    x0 = _start("noise", (height, width, sample.shape[2]), seed, None, where)
    image, history = run(objective, x0, steps, optimizer=optimizer,
                         learning_rate=learning_rate, verbose=verbose, callback=callback)
    return StyleResult(image, history)
