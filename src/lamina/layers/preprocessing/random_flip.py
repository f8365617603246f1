"""``RandomFlip``: mirror each image left-right and/or upside down with probability 1/2."""

from __future__ import annotations

from lamina.autograd import ops as F
from lamina.layers.preprocessing.random_base import RandomImageLayer, check_choice

MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(RandomImageLayer):
    """Flip each image of the batch, with probability 1/2, in training.

    Args:
        mode: ``'horizontal'`` (left-right), ``'vertical'`` (upside down) or
            ``'horizontal_and_vertical'`` (both, for the same chosen images).
        seed: an int for a repeatable sequence of flips.
        data_format: None or ``'channels_last'``.

    Example:
        >>> flip = RandomFlip("horizontal", seed=0)
        >>> flip(np.ones((2, 4, 4, 3), "float32")).shape
        (2, 4, 4, 3)
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = check_choice(mode, MODES, "mode", type(self).__name__)

    def transform(self, images):
        chosen = self._rng.uniform(size=(images.shape[0], 1, 1, 1)) <= 0.5
        out = images
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = F.where(chosen, out[:, :, ::-1], out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out = F.where(chosen, out[:, ::-1], out)
        return out

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
