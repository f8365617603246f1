"""Tiny seeded networks standing in for the trained ones in tests (never shipped): the tests
check plumbing (shapes, dtypes, tiling, errors), not quality."""

from __future__ import annotations


def _init(seed):
    return {"class_name": "GlorotUniform", "config": {"seed": seed}}


def plain(in_channels=1, out_channels=1, layers=3, width=4, seed=0):
    """Same-size convolutions: a denoiser's or colorizer's shape."""
    from lamina import layers as L
    from lamina import models

    stack = [L.Input((None, None, in_channels))]
    stack += [L.Conv2D(width, 3, padding="same", activation="relu",
                       kernel_initializer=_init(seed + i)) for i in range(layers - 1)]
    stack.append(L.Conv2D(out_channels, 3, padding="same", activation="sigmoid",
                          kernel_initializer=_init(seed + layers)))
    return models.Sequential(stack)


def upscaler(channels=1, seed=0):
    """x2: two convolutions, nearest upsampling, one convolution."""
    from lamina import layers as L
    from lamina import models

    return models.Sequential([
        L.Input((None, None, channels)),
        L.Conv2D(4, 3, padding="same", activation="relu", kernel_initializer=_init(seed)),
        L.UpSampling2D(2),
        L.Conv2D(channels, 3, padding="same", activation="sigmoid",
                 kernel_initializer=_init(seed + 1)),
    ])


def encoder_decoder(in_channels=4, out_channels=3, seed=0):
    """Strided down twice, up twice: sizes must be multiples of 4 (an inpainter's shape)."""
    from lamina import layers as L
    from lamina import models

    return models.Sequential([
        L.Input((None, None, in_channels)),
        L.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                 kernel_initializer=_init(seed)),
        L.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                 kernel_initializer=_init(seed + 1)),
        L.UpSampling2D(2),
        L.Conv2D(4, 3, padding="same", activation="relu", kernel_initializer=_init(seed + 2)),
        L.UpSampling2D(2),
        L.Conv2D(out_channels, 3, padding="same", activation="sigmoid",
                 kernel_initializer=_init(seed + 3)),
    ])


def install(monkeypatch, **models):
    """Make :func:`lamina.apps.imaging.engine.network` answer with ``models`` (task -> model)
    for this test."""
    from lamina.apps.imaging import engine

    cache = {task: engine.Network.of(model) for task, model in models.items()}
    monkeypatch.setattr(engine, "_cache", cache)
    return cache
