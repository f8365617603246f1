"""Preprocessing layers (Keras 3's): ``Rescaling``, ``Resizing``, ``Normalization`` and the
random image augmentations, which act only in training (see ``random_base``)."""

from lamina.layers.preprocessing.normalization import Normalization
from lamina.layers.preprocessing.random_affine import (
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from lamina.layers.preprocessing.random_contrast import RandomContrast
from lamina.layers.preprocessing.random_erasing import RandomErasing
from lamina.layers.preprocessing.random_flip import RandomFlip
from lamina.layers.preprocessing.rescaling import Rescaling
from lamina.layers.preprocessing.resizing import Resizing

__all__ = ["Normalization", "RandomContrast", "RandomErasing", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom", "Rescaling", "Resizing"]
