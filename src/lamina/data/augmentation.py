"""Random image augmentation for NHWC batches, seeded and vectorised.

The geometric part (rotation, shear, zoom, shifts, elastic field) is one inverse-mapped
resampling per image (:func:`affine_transform`, in ``_resample.py``); flips are slices;
random erasing is one boolean mask for the batch (``_erasing.py``).
"""

from __future__ import annotations

import math
import numbers

import numpy

from lamina.data._erasing import erase_rectangles, erasing_boxes
from lamina.data._resample import (
    FILL_MODES,
    INTERPOLATIONS,
    Workspace,
    affine_transform,
    check_images,
    gaussian_blur,
)
from lamina.data.sequence import ArraySequence
from lamina.random import make_rng

__all__ = ["ImageAugmenter", "affine_transform"]


def _number(name, value, low=0.0, strict=False, unit=""):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < low or (strict and value == low):
        bound = f"> {low:g}" if strict else f">= {low:g}"
        raise ValueError(f"ImageAugmenter: {name} must be a number {bound}{unit}; received "
                         f"{name}={value!r}")
    return float(value)


def _pair(name, value, upper=math.inf):
    """A pair ``(low, high)`` of numbers with ``0 < low <= high <= upper``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"ImageAugmenter: {name} must be a pair (low, high); received "
                         f"{name}={value!r}")
    lo = _number(f"{name}[0]", value[0], strict=True)
    hi = _number(f"{name}[1]", value[1], strict=True)
    if lo > hi or hi > upper:
        bound = f" <= {upper:g}" if math.isfinite(upper) else ""
        raise ValueError(f"ImageAugmenter: {name} must be (low, high) with 0 < low <= high"
                         f"{bound}; received {name}={value!r}")
    return (lo, hi)


_DEFAULTS = {"rotation_range": 0.0, "width_shift_range": 0.0, "height_shift_range": 0.0,
             "zoom_range": [1.0, 1.0], "horizontal_flip": False, "vertical_flip": False,
             "elastic_alpha": 0.0, "elastic_sigma": 4.0, "fill_mode": "constant", "cval": 0.0,
             "seed": None, "shear_range": 0.0, "interpolation": "bilinear",
             "erasing_probability": 0.0, "erasing_area": [0.02, 0.4],
             "erasing_aspect": [0.3, 3.3], "erasing_value": "random"}


class ImageAugmenter:
    """Random shifts, rotations, shears, zooms, flips and elastic distortion for NHWC
    float batches; a callable ``batch -> new batch`` for ``fit(..., augment=...)``.

    Each call draws fresh parameters for every image from the generator seeded at
    construction, so a given seed reproduces the whole sequence of batches. Ranges
    mean what they mean in Keras's ``ImageDataGenerator``.

    Why it helps: the network sees a new plausible variant of every image each epoch,
    so it cannot memorise pixels and must learn what survives the change.

    - ``rotation_range`` (degrees, uniform in ``[-r, r]``): objects appear at small
      tilts (handwriting slant, a shoe photographed at an angle).
    - ``width_shift_range`` / ``height_shift_range`` (fraction of the width/height
      if < 1, else pixels): objects are rarely centred exactly; teaches translation
      robustness beyond what pooling gives.
    - ``zoom_range`` (``z``: factors in ``[1-z, 1+z]``, or a pair ``(lo, hi)``; x and y
      drawn separately, > 1 zooms out as in Keras): size and aspect vary.
    - ``shear_range`` (degrees): slanted strokes and mild perspective.
    - ``horizontal_flip`` / ``vertical_flip`` (each image with probability 1/2): mirror
      symmetry of the classes (a bag mirrored is a bag; do not flip digits).
    - ``elastic_alpha`` / ``elastic_sigma`` (Simard et al. 2003): a random per-pixel
      displacement field, uniform in [-1, 1], smoothed by a Gaussian of ``sigma`` pixels
      and scaled by ``alpha``. It mimics the wobble of hand-drawn strokes and the
      oscillations of hand muscles; Simard et al. used alpha=34, sigma=4 on 28x28
      MNIST, their best convolutional network's error (0.4%) came with it. Too small
      a sigma gives random noise, too large a near-uniform shift.
    - ``erasing_probability`` / ``erasing_area`` / ``erasing_aspect`` / ``erasing_value``
      (Zhong et al. 2017, "Random Erasing Data Augmentation"): with that probability an
      image gets one rectangle overwritten, its area a fraction of the image drawn
      uniformly from ``erasing_area`` and its height/width ratio uniformly from
      ``erasing_aspect`` (the paper's defaults, 0.02-0.4 and 0.3-3.3; a draw that does
      not fit in the image is drawn again, as in the paper's code; the position is
      uniform among those where it fits). ``erasing_value='random'`` fills each erased
      pixel with a uniform value between the batch's minimum and maximum (the paper's
      main setting: random values over the pixel range; [0, 1] for images scaled so),
      a number fills with that constant. Applied after the geometric transforms and
      flips. It simulates occlusion: the network must not rely on one part of the
      object. The paper used p=0.5; its ResNets and WRNs on Fashion-MNIST lost about
      0.5-0.9 points of test error with it.

    Not thread-safe (it reuses work arrays between calls): use one per worker.

    Args (also): ``fill_mode`` (``'constant'`` with ``cval``, ``'nearest'``,
    ``'reflect'``, ``'wrap'``) for pixels that come from outside the image;
    ``interpolation`` (``'bilinear'`` or ``'nearest'``); ``seed`` (int or Generator).

    Example:
        >>> aug = ImageAugmenter(rotation_range=10, width_shift_range=0.1, seed=0)
        >>> model.fit(x_train, y_train, epochs=10, augment=aug)
    """

    def __init__(self, rotation_range=0, width_shift_range=0, height_shift_range=0,
                 zoom_range=0, horizontal_flip=False, vertical_flip=False, elastic_alpha=0,
                 elastic_sigma=4, fill_mode="constant", cval=0, seed=None, shear_range=0,
                 interpolation="bilinear", erasing_probability=0, erasing_area=(0.02, 0.4),
                 erasing_aspect=(0.3, 3.3), erasing_value="random"):
        self.rotation_range = _number("rotation_range", rotation_range, unit=" (degrees)")
        self.width_shift_range = _number("width_shift_range", width_shift_range)
        self.height_shift_range = _number("height_shift_range", height_shift_range)
        self.shear_range = _number("shear_range", shear_range, unit=" (degrees)")
        if isinstance(zoom_range, (tuple, list)) and len(zoom_range) == 2:
            lo = _number("zoom_range[0]", zoom_range[0], strict=True)
            hi = _number("zoom_range[1]", zoom_range[1], strict=True)
            if lo > hi:
                raise ValueError(f"ImageAugmenter: zoom_range must be (low, high) with low <= "
                                 f"high; received zoom_range={zoom_range!r}")
            self.zoom_range = (lo, hi)
        else:
            z = _number("zoom_range", zoom_range)
            if z >= 1:
                raise ValueError("ImageAugmenter: zoom_range must be a number in [0, 1) or a "
                                 f"pair (low, high); received zoom_range={zoom_range!r}")
            self.zoom_range = (1.0 - z, 1.0 + z)
        for name, flag in (("horizontal_flip", horizontal_flip), ("vertical_flip",
                                                                   vertical_flip)):
            if not isinstance(flag, (bool, numpy.bool_)):
                raise TypeError(f"ImageAugmenter: {name} must be True or False; received "
                                f"{name}={flag!r}")
        self.horizontal_flip, self.vertical_flip = bool(horizontal_flip), bool(vertical_flip)
        self.elastic_alpha = _number("elastic_alpha", elastic_alpha)
        self.elastic_sigma = _number("elastic_sigma", elastic_sigma, strict=True,
                                     unit=" (pixels)")
        if fill_mode not in FILL_MODES:
            raise ValueError(f"ImageAugmenter: fill_mode must be one of {FILL_MODES}; "
                             f"received fill_mode={fill_mode!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"ImageAugmenter: interpolation must be one of "
                             f"{INTERPOLATIONS}; received interpolation={interpolation!r}")
        self.fill_mode, self.interpolation = fill_mode, interpolation
        if isinstance(cval, bool) or not isinstance(cval, numbers.Real):
            raise ValueError(f"ImageAugmenter: cval must be a number; received cval={cval!r}")
        self.cval = float(cval)
        self.erasing_probability = _number("erasing_probability", erasing_probability)
        if self.erasing_probability > 1:
            raise ValueError("ImageAugmenter: erasing_probability must be in [0, 1]; received "
                             f"erasing_probability={erasing_probability!r}")
        self.erasing_area = _pair("erasing_area", erasing_area, upper=1.0)
        self.erasing_aspect = _pair("erasing_aspect", erasing_aspect)
        if not (isinstance(erasing_value, str) and erasing_value == "random"):
            if isinstance(erasing_value, bool) or not isinstance(erasing_value, numbers.Real) \
                    or not math.isfinite(erasing_value):
                raise ValueError("ImageAugmenter: erasing_value must be 'random' or a number; "
                                 f"received erasing_value={erasing_value!r}")
            erasing_value = float(erasing_value)
        self.erasing_value = erasing_value
        self.seed = seed
        self.rng = make_rng(seed)
        self._work = Workspace()  # arrays reused from batch to batch

    def _shift(self, value, size, n):
        pixels = value * size if value < 1 else value
        return self.rng.uniform(-pixels, pixels, n)

    def __call__(self, batch):
        """Return a new augmented copy of ``batch`` ``(N, H, W, C)`` (same dtype)."""
        images = check_images("ImageAugmenter", batch)
        n, h, w, _ = images.shape
        rng = self.rng
        params = {}
        if self.rotation_range:
            params["rotation"] = rng.uniform(-self.rotation_range, self.rotation_range, n)
        if self.width_shift_range:
            params["width_shift"] = self._shift(self.width_shift_range, w, n)
        if self.height_shift_range:
            params["height_shift"] = self._shift(self.height_shift_range, h, n)
        if self.shear_range:
            params["shear"] = rng.uniform(-self.shear_range, self.shear_range, n)
        if self.zoom_range != (1.0, 1.0):
            params["zoom_x"], params["zoom_y"] = rng.uniform(*self.zoom_range, (2, n))
        if self.elastic_alpha:
            noise = self._work.get("noise", (2, n, h, w), numpy.float32)
            rng.random(dtype=numpy.float32, out=noise)
            noise -= 0.5  # uniform in [-1, 1] once doubled below
            field = gaussian_blur(noise, self.elastic_sigma, self._work)
            field *= numpy.float32(2 * self.elastic_alpha)
            params["displacement"] = (field[0], field[1])
        if params:
            out = affine_transform(images, fill_mode=self.fill_mode, cval=self.cval,
                                   interpolation=self.interpolation, workspace=self._work,
                                   **params)
        else:
            out = images.copy()
        for axis, enabled in ((2, self.horizontal_flip), (1, self.vertical_flip)):
            if enabled:
                flip = rng.random(n) < 0.5
                out[flip] = numpy.flip(out[flip], axis=axis)
        if self.erasing_probability:
            boxes = erasing_boxes(rng, n, h, w, self.erasing_probability, self.erasing_area,
                                  self.erasing_aspect)
            erase_rectangles(out, boxes, self.erasing_value, rng)
        return out

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None):
        """An :class:`~lamina.data.ArraySequence` of augmented batches for ``fit``, like
        ``ImageDataGenerator.flow`` (``seed`` orders the samples; the augmentation
        draws from this augmenter's own seed)."""
        return ArraySequence(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed,
                             augment=self, sample_weight=sample_weight)

    def get_config(self) -> dict:
        """JSON-able constructor arguments (``seed`` only when it is an int)."""
        seed = self.seed if isinstance(self.seed, int) and not isinstance(self.seed, bool) \
            else None
        return {"rotation_range": self.rotation_range,
                "width_shift_range": self.width_shift_range,
                "height_shift_range": self.height_shift_range,
                "zoom_range": list(self.zoom_range), "horizontal_flip": self.horizontal_flip,
                "vertical_flip": self.vertical_flip, "elastic_alpha": self.elastic_alpha,
                "elastic_sigma": self.elastic_sigma, "fill_mode": self.fill_mode,
                "cval": self.cval, "seed": seed, "shear_range": self.shear_range,
                "interpolation": self.interpolation,
                "erasing_probability": self.erasing_probability,
                "erasing_area": list(self.erasing_area),
                "erasing_aspect": list(self.erasing_aspect), "erasing_value": self.erasing_value}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = [f"{k}={v!r}" for k, v in self.get_config().items() if v != _DEFAULTS[k]]
        return f"ImageAugmenter({', '.join(args)})"
