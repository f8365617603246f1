"""The trained networks behind :mod:`lamina.apps.imaging`, loaded once per task.

:func:`network` gives the :class:`Network` of a task (``"denoise"``, ``"upscale"``,
``"colorize"``, ``"inpaint"``), loaded on first use from the shipped weights
(:func:`lamina.apps.imaging.registry.load_model`) and kept. A :class:`Network` knows what
its model takes and gives (channels, resolution factor, receptive radius) from the model
itself, and runs batches of float32 windows through it, one batch at a time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy

from lamina.apps.imaging.tiling import receptive_radius

__all__ = ["ModelsMissing", "Network", "network"]

_cache: dict = {}
_lock = threading.Lock()


class ModelsMissing(RuntimeError):
    """The trained networks are not installed."""


@dataclass
class Network:
    """A fully convolutional model and what it takes: ``in_channels`` in,
    ``out_channels`` out at ``scale`` times the resolution; ``radius`` and ``multiple``
    for tiling (:mod:`.tiling`)."""

    model: object
    in_channels: int
    out_channels: int
    scale: int
    radius: int
    multiple: int
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, model) -> Network:
        """Describe ``model`` by running it once on a small blank input."""
        in_channels = int(model.input_shape[-1])
        radius, multiple = receptive_radius(model)
        side = 4 * multiple
        probe = model.predict(numpy.zeros((1, side, side, in_channels), numpy.float32),
                              verbose=0)
        if probe.ndim != 4 or probe.shape[1] != probe.shape[2] or probe.shape[1] % side:
            raise ValueError(f"the model {getattr(model, 'name', '')!r} is not an image-to-"
                             f"image network: a {side}x{side} input gave shape {probe.shape}")
        return cls(model, in_channels, int(probe.shape[-1]), probe.shape[1] // side, radius,
                   multiple)

    def __call__(self, x: numpy.ndarray) -> numpy.ndarray:
        """The model's output for a float32 batch ``(N, h, w, in_channels)``."""
        with self._lock:  # one pass at a time: a pass already uses every core
            return self.model.predict(x, batch_size=len(x), verbose=0)


def network(task: str) -> Network:
    """The :class:`Network` of ``task``, loaded on first use.

    Raises:
        ModelsMissing: the registry of trained models is not installed.
    """
    with _lock:
        if task not in _cache:
            try:
                from lamina.apps.imaging import registry
            except ImportError as error:
                raise ModelsMissing(
                    f"the trained imaging networks are not installed: {error}. The "
                    "networks ship with lamina's source tree (lamina.apps.imaging."
                    "registry); `lamina image train TASK` trains them") from None
            _cache[task] = Network.of(registry.load_model(task))
        return _cache[task]
